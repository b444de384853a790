"""The center file's `[media]` section: a media relay (rtpengine) in every call's path and
the recording of connected calls (docs/recordings.md, docs/adr/0008-media-relay.md).
config.py has one field pointing here.

Off by default: with `relay = "none"` the SDP passes between caller and phone untouched,
as before, and nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MediaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    relay: Literal["none", "rtpengine"] = "none"
    # rtpengine's NG control socket (its `listen-ng`), an IP address and port.
    rtpengine_ng: str = Field(default="127.0.0.1:2223", pattern=r"^\d+\.\d+\.\d+\.\d+:\d+$")
    # A control answer slower than this counts as a failure; after one, calls bypass the
    # relay for `bypass_seconds` (the call always goes on, unrecorded).
    timeout_seconds: float = Field(default=0.3, gt=0, le=5)
    bypass_seconds: float = Field(default=10.0, ge=0, le=3600)
    record_calls: bool = True
    # rtpengine's `recording-dir` (pcap + metadata, method `pcap`): read, converted, emptied.
    spool_dir: str = "/var/spool/rtpengine"
    # Where the WAV files are kept; relative paths are under SIAGA112_DATA_DIR.
    recordings_dir: str = "recordings"
    collect_interval_seconds: float = Field(default=2.0, gt=0, le=3600)

    @property
    def enabled(self) -> bool:
        return self.relay != "none"

    @property
    def ng_address(self) -> tuple[str, int]:
        host, _, port = self.rtpengine_ng.rpartition(":")
        return host, int(port)

    def recordings_root(self, data_dir: Path) -> Path:
        root = Path(self.recordings_dir)
        return root if root.is_absolute() else data_dir / root
