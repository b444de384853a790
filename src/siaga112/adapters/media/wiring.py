"""Puts the media relay into the SIP node's path when the center's `[media]` says so,
and starts the recordings collector beside it (called by entrypoints/sip.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from siaga112.adapters.media.relay import MediaRelay
from siaga112.adapters.media.rtpengine import MediaRelayError, RtpEngine
from siaga112.adapters.media.store import Collector, RecordingStore

log = logging.getLogger(__name__)


def recording_store(siaga: Any) -> RecordingStore:
    media = siaga.center.media
    return RecordingStore(uow=siaga.uow, clock=siaga.clock,
                          root=media.recordings_root(siaga.settings.data_dir),
                          spool=Path(media.spool_dir))


class MediaPath:
    """What runs beside the node with the relay on; stopped with the node."""

    def __init__(self, engine: RtpEngine, collector: Collector, tap: Any = None) -> None:
        self.engine, self.collector, self.tap = engine, collector, tap
        self.store = collector.store

    def stop(self) -> None:
        self.collector.stop()
        if self.tap is not None:
            self.tap.stop()
        self.engine.close()


def announcement_texts(center: Any) -> dict[str, list[tuple[str, str]]]:
    """The announcements, with the center's own words for the waiting message."""
    from siaga112.adapters.media.announcements import DEFAULT_ANNOUNCEMENTS

    texts = dict(DEFAULT_ANNOUNCEMENTS)
    words = center.information.message
    if words is not None:
        texts["not_emergency_waiting"] = [("id", words.id)] + ([("en", words.en)]
                                                               if words.en else [])
    return texts


def install_screening(siaga: Any, node: Any) -> Any:
    """With `[screening] silent_calls`: the tap that hears callers, and the announcements
    (made at install time by `siaga112 media announcements`; made here if missing). None
    when screening cannot run: calls then ring as without it (logged)."""
    from siaga112.adapters.media.announcements import AnnouncementError, ensure_announcements
    from siaga112.adapters.media.tap import MediaTap

    folder = Path(siaga.center.screening.announcements_dir)
    if not folder.is_absolute():
        folder = siaga.settings.data_dir / folder
    try:
        node.announcements = ensure_announcements(folder, texts=announcement_texts(siaga.center))
    except AnnouncementError as exc:
        log.error("silent-call screening is off: the announcements cannot be made: %s", exc)
        return None
    tap = MediaTap(node.advertised, notify=node.tap_heard)
    tap.start()
    node.tap = tap
    return tap


def install_media(siaga: Any, node: Any) -> MediaPath | None:
    """With `[media] relay = "rtpengine"`: the node's SDP goes through rtpengine, and
    recordings are collected. Off (the default): nothing changes, None."""
    media = siaga.center.media
    if not media.enabled:
        return None
    engine = RtpEngine(*media.ng_address, timeout=media.timeout_seconds, retries=1)
    try:
        engine.ping()
    except (MediaRelayError, OSError) as exc:  # calls still go through, directly
        log.error("media relay rtpengine at %s does not answer: %s", media.rtpengine_ng, exc)
    node.media = MediaRelay(engine, record=media.record_calls,
                            bypass_seconds=media.bypass_seconds)
    collector = Collector(recording_store(siaga), interval=media.collect_interval_seconds,
                          retention_days=siaga.center.retention.recordings_days)
    collector.start()
    info = siaga.center.information
    wanted = (siaga.center.screening.silent_calls or info.waiting_message
              or info.question_callers_first)
    tap = install_screening(siaga, node) if wanted else None
    log.info("media relay: rtpengine at %s%s%s", media.rtpengine_ng,
             ", recording calls" if media.record_calls else "",
             ", screening silent calls" if tap is not None else "")
    return MediaPath(engine, collector, tap)
