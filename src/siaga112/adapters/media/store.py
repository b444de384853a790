"""The recordings on disk and their rows: collecting rtpengine's finished pcaps as WAV
files linked to their calls, finding a call's file, and deleting those past retention.

rtpengine (`recording-method=pcap`) writes `<spool>/pcaps/<call>-<n>.pcap` while a call
is recorded, and moves `<spool>/metadata/rtpengine-meta-<call>-<n>.txt` (first line: the
pcap's path) into place when the call is deleted: such a file means "finished". The
media relay uses our call's id as rtpengine's call-id, so the name says which call."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_recordings import recordings
from siaga112.adapters.media.pcap_wav import RecordingFormatError, pcap_to_wav
from siaga112.domain.clock import Clock
from siaga112.domain.events import PersonalDataViewed
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
FINISHED = re.compile(r"^rtpengine-meta-(?P<call>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                      r"[0-9a-f]{4}-[0-9a-f]{12})-[0-9a-f]+\.txt$")
PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Recording:
    call_id: uuid.UUID
    file: Path
    format: str
    seconds: float
    size_bytes: int
    recorded_at: datetime


class RecordingStore:
    def __init__(self, *, uow: Callable[[], UnitOfWork], clock: Clock, root: Path,
                 spool: Path | None = None) -> None:
        self.uow, self.clock, self.root, self.spool = uow, clock, root, spool

    # -- from rtpengine's spool to WAV files ----------------------------------------------
    def collect(self) -> list[uuid.UUID]:
        """Convert every finished recording in the spool; the calls that got one."""
        done: list[uuid.UUID] = []
        if self.spool is None or not (self.spool / "metadata").is_dir():
            return done
        for meta in sorted((self.spool / "metadata").glob("rtpengine-meta-*.txt")):
            match = FINISHED.match(meta.name)
            if match is None:
                continue  # not one of ours (rtpengine shared with another system)
            try:
                if self._collect_one(uuid.UUID(match["call"]), meta):
                    done.append(uuid.UUID(match["call"]))
            except Exception:  # one bad file never stops the others
                log.exception("recording %s could not be collected", meta.name)
        return done

    def _collect_one(self, call_id: uuid.UUID, meta: Path) -> bool:
        lines = meta.read_text(errors="replace").splitlines()
        pcap = Path(lines[0].strip()) if lines and lines[0].strip() else None
        if pcap is None or not pcap.is_file():
            log.warning("recording of call %s: no pcap (%s), metadata dropped", call_id, pcap)
            meta.unlink(missing_ok=True)
            return False
        now = self.clock.now()
        relative = Path(f"{now:%Y}/{now:%m}/{call_id}.wav")
        try:
            info = pcap_to_wav(pcap, self.root / relative)
        except RecordingFormatError as exc:
            log.error("recording of call %s: %s; the pcap is kept in the spool", call_id, exc)
            meta.rename(meta.with_suffix(".bad"))
            return False
        with self.uow() as uow:
            session = uow.session  # type: ignore[attr-defined]
            known = session.execute(sa.select(tables.calls.c.id).where(
                tables.calls.c.id == call_id)).first()
            if known is None:
                log.warning("recording of call %s: no such call yet; retried later", call_id)
                return False
            session.execute(sa.delete(recordings).where(recordings.c.call_id == call_id))
            session.execute(sa.insert(recordings).values(
                call_id=call_id, path=relative.as_posix(), format="wav", seconds=info.seconds,
                size_bytes=info.size, recorded_at=now))
            uow.commit()
        pcap.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        log.info("recording of call %s: %.1f s, %d bytes, %d streams", call_id, info.seconds,
                 info.size, info.streams)
        return True

    # -- reading ---------------------------------------------------------------------------
    def get(self, call_id: uuid.UUID) -> Recording | None:
        with self.uow() as uow:
            row = uow.session.execute(  # type: ignore[attr-defined]
                sa.select(recordings).where(recordings.c.call_id == call_id)).first()
        if row is None:
            return None
        return Recording(call_id=row.call_id, file=self.root / row.path, format=row.format,
                         seconds=row.seconds, size_bytes=row.size_bytes,
                         recorded_at=row.recorded_at)

    def played(self, call_id: uuid.UUID, by: str) -> None:
        """Every playback (or download) is logged, like a look at a full number."""
        with self.uow() as uow:
            uow.record(PersonalDataViewed(aggregate_id=str(call_id), at=self.clock.now(),
                                          actor=by, after="recording_played"))
            uow.commit()

    # -- retention -------------------------------------------------------------------------
    def purge(self, *, days: int, actor: str = "retention") -> int:
        """Delete recordings older than `days` (0: kept for ever): files, then rows."""
        if days == 0:
            return 0
        before = self.clock.now() - timedelta(days=days)
        with self.uow() as uow:
            session = uow.session  # type: ignore[attr-defined]
            old = list(session.execute(sa.select(recordings.c.call_id, recordings.c.path)
                                       .where(recordings.c.recorded_at < before)))
            for row in old:
                (self.root / row.path).unlink(missing_ok=True)
            if old:
                session.execute(sa.delete(recordings).where(
                    recordings.c.call_id.in_([r.call_id for r in old])))
                uow.record(PersonalDataViewed(aggregate_id="retention", at=self.clock.now(),
                                              actor=actor, after="purged",
                                              data={"recordings_deleted": len(old)}))
            uow.commit()
        return len(old)


class Collector:
    """A thread beside the SIP node: collects finished recordings every few seconds and
    applies retention every hour."""

    def __init__(self, store: RecordingStore, *, interval: float, retention_days: int) -> None:
        self.store, self.interval, self.retention_days = store, interval, retention_days
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="recordings", daemon=True)
        self._last_purge: datetime | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.store.collect()  # what the last calls left

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.store.collect()
                now = self.store.clock.now()
                if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
                    self._last_purge = now
                    self.store.purge(days=self.retention_days)
            except Exception:
                log.exception("recordings: collecting failed; trying again")
