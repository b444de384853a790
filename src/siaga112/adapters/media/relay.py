"""The media relay in a call's path, as the SIP node sees it (on the node's thread).

The caller's SDP offer goes through rtpengine's `offer` before the phone gets it, the
phone's answer through `answer` before the caller's 200; recording starts when the call
connects; `delete` when the caller's leg closes (BYE, CANCEL, refusal, timeout).

An emergency call never fails because of the relay: when rtpengine does not answer, the
SDP passes untouched (media flows directly, unrecorded), the error is logged, and the
relay is bypassed for a while so that no further call waits on a dead daemon."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from siaga112.adapters.media.rtpengine import MediaRelayError, RtpEngine

log = logging.getLogger(__name__)


@dataclass
class _Session:
    media_id: str  # rtpengine's call-id: our call's id, so the recording names the call
    from_tag: str
    answered: bool = False


class MediaRelay:
    def __init__(self, engine: RtpEngine, *, record: bool, bypass_seconds: float) -> None:
        self.engine, self.record, self.bypass_seconds = engine, record, bypass_seconds
        self.sessions: dict[str, _Session] = {}  # by the caller leg's SIP Call-ID
        self._bypass_until = 0.0
        self.failures = 0

    def _failed(self, what: str, exc: Exception) -> None:
        self.failures += 1
        self._bypass_until = time.monotonic() + self.bypass_seconds
        log.error("media relay: %s failed, media goes direct for %s s: %s", what,
                  self.bypass_seconds, exc)

    def offer(self, ref: str, media_id: str, from_tag: str, sdp: bytes) -> bytes:
        """The SDP for the phone's INVITE (rtpengine's address instead of the caller's)."""
        if not sdp or time.monotonic() < self._bypass_until:
            return sdp
        try:
            relayed = self.engine.offer(media_id, from_tag, sdp, replace=["origin"],
                                        ICE="remove")
        except (MediaRelayError, OSError, ValueError) as exc:
            self._failed(f"offer of call {media_id}", exc)
            return sdp
        self.sessions.setdefault(ref, _Session(media_id, from_tag))
        return relayed

    def answer(self, ref: str, to_tag: str, sdp: bytes) -> bytes:
        """The SDP for the caller's 200; recording starts here (the call is connected)."""
        session = self.sessions.get(ref)
        if session is None or not sdp:
            return sdp
        try:
            relayed = self.engine.answer(session.media_id, session.from_tag, to_tag, sdp,
                                         replace=["origin"], ICE="remove")
        except (MediaRelayError, OSError, ValueError) as exc:
            self._failed(f"answer of call {session.media_id}", exc)
            self.ended(ref)
            return sdp  # the phone's own address: direct media still works
        session.answered = True
        if self.record:
            try:
                self.engine.start_recording(session.media_id)
            except (MediaRelayError, OSError) as exc:
                log.error("media relay: recording of call %s did not start: %s",
                          session.media_id, exc)
        return relayed

    # -- screening (docs/screening.md): the tap is the other party until a phone answers --
    def offer_for_screening(self, ref: str, media_id: str, from_tag: str,
                            sdp: bytes) -> bytes | None:
        """The SDP for the tap's side, or None: no relay now (the call rings as usual)."""
        if not sdp or time.monotonic() < self._bypass_until:
            return None
        relayed = self.offer(ref, media_id, from_tag, sdp)
        return relayed if ref in self.sessions else None

    def answer_with_tap(self, ref: str, to_tag: str, tap_sdp: bytes) -> bytes | None:
        """The SDP for the caller's 200 when the system answers: the caller's audio goes to
        the tap. Not recorded yet: recording starts when a person answers."""
        session = self.sessions.get(ref)
        if session is None:
            return None
        try:
            return self.engine.answer(session.media_id, session.from_tag, to_tag, tap_sdp,
                                      replace=["origin"], ICE="remove")
        except (MediaRelayError, OSError, ValueError) as exc:
            self._failed(f"answer (screening) of call {session.media_id}", exc)
            self.ended(ref)
            return None

    def play(self, ref: str, file: str) -> float | None:
        """Plays a WAV file to the caller; its length in seconds, or None if it cannot."""
        session = self.sessions.get(ref)
        if session is None:
            return None
        try:
            answer = self.engine.command("play media", call_id=session.media_id,
                                         from_tag=session.from_tag, file=file)
        except (MediaRelayError, OSError) as exc:
            log.error("media relay: cannot play %s to call %s: %s", file, session.media_id, exc)
            return None
        return float(answer.get("duration", 0)) / 1000.0

    def stop_playing(self, ref: str) -> None:
        session = self.sessions.get(ref)
        if session is None:
            return
        try:
            self.engine.command("stop media", call_id=session.media_id,
                                from_tag=session.from_tag)
        except (MediaRelayError, OSError) as exc:  # nothing playing: rtpengine says so
            log.debug("media relay: stop media on call %s: %s", session.media_id, exc)

    def ended(self, ref: str) -> None:
        session = self.sessions.pop(ref, None)
        if session is None:
            return
        try:  # at once, not rtpengine's default 30 s: the recording is closed now
            self.engine.delete(session.media_id, delete_delay=0)
        except (MediaRelayError, OSError) as exc:
            log.error("media relay: delete of call %s failed: %s", session.media_id, exc)
