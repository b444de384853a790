"""The center file's `[screening]` section: silent-call screening (docs/screening.md).

Off by default. When on, and the media relay is on (`[media] relay = "rtpengine"`), the SIP
node answers each new call itself, queued at once at its place in line (screening never
delays a call: a position that is free takes it while it is still being screened):

- the caller is listened to for `listen_seconds` (voice activity on their audio); a caller
  who speaks is marked as responding and moves ahead of calls not known to respond;
- a caller silent that long hears the announcement ("if you need help, press 5 5 or speak
  now", Indonesian then English), then has `response_seconds` to speak or press the digits;
- nothing: the call is released as `silent`, and counts as screened out in the reports.

In flood mode (at least `flood_waiting_calls` calls waiting), every new call hears the
announcement at once, without the listening first.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ScreeningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    silent_calls: bool = False
    listen_seconds: float = Field(default=4.0, ge=1, le=30)
    response_seconds: float = Field(default=8.0, ge=3, le=60)
    # The digits that count as "I need help" (each one 0-9, * or #).
    digits: str = Field(default="55", pattern=r"^[0-9*#]{1,4}$")
    # A caller who answered the screening queues as if they had arrived this much earlier
    # (ahead of calls not known to respond; ageing still moves everyone up).
    responded_ahead_seconds: float = Field(default=300.0, ge=0, le=3600)
    # With this many calls waiting, every new call hears the announcement at once; 0: never.
    flood_waiting_calls: int = Field(default=0, ge=0, le=10_000)
    # Where the announcements (WAV, 8 kHz) are made at install time; relative paths are
    # under SIAGA112_DATA_DIR. A center may put its own recording there instead.
    announcements_dir: str = "announcements"
