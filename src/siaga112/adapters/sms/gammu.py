"""Gammu SMSD (Debian `gammu-smsd`, files backend): an SMS is a file in its outbox.

gammu-smsd(7) "FILES backend" reads outgoing messages from `OutboxPath`, named
`OUT<priority><date>_<time>_<serial>_<recipient>_<note>.<ext>` (priority A-Z, A first;
`.txt` a text SMS whose whole content is the text), sends them in file-name order and
moves them to `SentSMSPath` or `ErrorSMSPath`. The text is written as Unicode (UTF-16LE
with its byte-order mark), which gammu reads whatever the daemon's locale. The file is
written under another name first and renamed, so the daemon never reads half of it.
"Sent" here means queued in the spool: gammu-smsd's own log tells whether the modem
sent it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from siaga112.config_location_link import SmsGammuConfig
from siaga112.services.location_link_ports import SmsResult, SmsStatus

BOM_UTF16LE = b"\xff\xfe"
_serials = itertools.count()
_lock = threading.Lock()


def outbox_name(number: str, *, priority: str, at: datetime, serial: int, note: str) -> str:
    if not number.startswith("+") or not number[1:].isdigit():
        raise ValueError(f"not an international number: {number!r}")
    moment = at.astimezone(UTC)
    return (f"OUT{priority}{moment:%Y%m%d}_{moment:%H%M%S}_{serial % 100:02d}_{number}_"
            f"{note}.txt")


def outbox_content(text: str) -> bytes:
    return BOM_UTF16LE + text.encode("utf-16-le")


class GammuOutbox:
    name = "gammu"

    def __init__(self, cfg: SmsGammuConfig) -> None:
        self.cfg = cfg
        self.outbox = Path(cfg.outbox_dir)

    def send(self, number: str, text: str) -> SmsResult:
        with _lock:
            serial = next(_serials)
        note = "siaga112-" + uuid.uuid4().hex[:8]  # no underscore: it separates the fields
        name = outbox_name(number, priority=self.cfg.priority, at=datetime.now(UTC),
                           serial=serial, note=note)
        temporary = self.outbox / f".{note}.tmp"  # not OUT*: the daemon does not look at it
        try:
            with temporary.open("wb") as spool:
                spool.write(outbox_content(text))
                spool.flush()
                os.fsync(spool.fileno())
            os.chmod(temporary, 0o644)
            os.rename(temporary, self.outbox / name)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return SmsResult(SmsStatus.FAILED,
                             f"cannot write to the gammu-smsd outbox {self.outbox}: "
                             f"{exc.strerror or exc}")
        return SmsResult(SmsStatus.SENT, reference=name)
