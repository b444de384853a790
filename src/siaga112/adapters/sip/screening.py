"""The node's side of silent-call screening (docs/screening.md): the system answers the
caller; rtpengine relays the caller's audio to the tap (adapters/media/tap.py: voice
activity and DTMF) and plays announcements to the caller; when a phone answers later, the
relay is pointed at the phone instead (rtpengine keeps the caller's ports, so the caller's
dialog needs no re-INVITE) and recording starts then."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siaga112.adapters.sip import message as m
from siaga112.adapters.sip.dialogs import InboundLeg
from siaga112.adapters.sip.loop import Loop
from siaga112.adapters.sip.offers import sdp_of

if TYPE_CHECKING:
    from siaga112.adapters.media.relay import MediaRelay
    from siaga112.adapters.sip.node import CallEvents

log = logging.getLogger(__name__)


class ScreeningSide:
    loop: Loop
    inbound: dict[str, InboundLeg]
    events: CallEvents | None
    media: MediaRelay | None
    tap: Any = None  # a MediaTap when screening is on (adapters/media/wiring.py)
    announcements: Mapping[str, Path] = {}

    def _final(self, leg: InboundLeg, status: int, *, body: bytes = b"",
               ctype: str | None = None, extra: list[tuple[str, str]] | None = None,
               reason: str | None = None) -> None:
        raise NotImplementedError

    def can_screen(self) -> bool:
        return self.media is not None and self.tap is not None and \
            "screening" in self.announcements

    def answer_for_screening(self, ref: str, call_id: str) -> bool:
        """Answer the caller with the relay between them and the tap; False (the call
        just rings on, as without screening) when the media path cannot."""
        leg = self.inbound.get(ref)
        if leg is None or leg.state not in ("proceeding", "ringing") or not self.can_screen():
            return False
        assert self.media is not None
        ctype, sdp = sdp_of(leg.invite)
        from_tag = m.param(leg.invite.get("from") or "", "tag") or ""
        tap_side = self.media.offer_for_screening(ref, call_id, from_tag, sdp)
        if tap_side is None:
            return False
        try:
            tap_sdp = self.tap.open(ref, tap_side)
        except (ValueError, OSError) as exc:  # no codec the tap decodes: no screening
            log.warning("call %s: not screened: %s", ref, exc)
            return False
        caller_sdp = self.media.answer_with_tap(ref, leg.to_tag, tap_sdp)
        if caller_sdp is None:
            self.tap.close(ref)
            return False
        leg.by_system = True
        leg.state = "answered"
        leg.answer_sdp = (ctype or "application/sdp", caller_sdp)
        self._final(leg, 200, body=caller_sdp, ctype=ctype or "application/sdp")
        return True

    def answered_by_system(self, ref: str) -> bool:
        leg = self.inbound.get(ref)
        return leg is not None and leg.by_system and leg.live

    def listen(self, ref: str) -> None:
        if self.tap is not None:
            self.tap.listen(ref)

    def play(self, ref: str, name: str) -> float | None:
        file = self.announcements.get(name)
        if file is None or self.media is None:
            return None
        return self.media.play(ref, str(file))

    def stop_screening(self, ref: str) -> None:
        """Screening is over for this call (answered, or a phone takes it): the prompt
        stops, and the tap no longer hears it."""
        if self.media is not None:
            self.media.stop_playing(ref)
        if self.tap is not None:
            self.tap.close(ref)

    def tap_heard(self, key: str, kind: str, detail: str) -> None:
        """The tap's report, from its own thread: handed to the node's thread."""
        self.loop.call_from_thread(self._heard, key, kind, detail)

    def _heard(self, ref: str, kind: str, detail: str) -> None:
        leg = self.inbound.get(ref)
        if leg is not None and leg.by_system and leg.live and self.events is not None:
            self.events.screening_heard(ref, kind, detail)
