"""The information messages of docs/quick-answers.md, on the switchboard's thread: the
waiting message for callers past the threshold, and the message first for numbers that
lately called only with questions. Both are played through the signalling adapter's media
path (the node answers the call, rtpengine plays the file); the caller keeps their place in
line, and a call ringing at a desk or being screened is left alone."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from siaga112.domain.information import Announcement, QueuedCall, waiting_message_due
from siaga112.services import commands as c

if TYPE_CHECKING:
    from siaga112.services.switchboard import Switchboard

log = logging.getLogger(__name__)
WAITING_MESSAGE = "not_emergency_waiting"  # the announcement's file name (media/announcements)


class InformationMessages:
    def __init__(self, board: Switchboard) -> None:
        self.board = board

    def can_play(self) -> bool:
        return bool(getattr(self.board.signalling, "can_screen", lambda: False)())

    def _play(self, ref: str, call_id: uuid.UUID) -> bool:
        media: Any = self.board.signalling
        answered = media.answer_for_screening(ref, str(call_id)) or \
            media.answered_by_system(ref)
        return bool(answered) and media.play(ref, WAITING_MESSAGE) is not None

    # -- the message first, for a number that only asked questions lately ----------------
    def check_on_arrival(self, ref: str, call_id: uuid.UUID) -> None:
        self.board.submit(c.CheckInformationFirst(call_id=call_id),
                          lambda first, error: self._first(ref, first, error))

    def _first(self, ref: str, first: Any, error: BaseException | None) -> None:
        if error is not None:
            log.warning("call %s: information-first not checked (%s): queued as usual", ref,
                        error)
            return
        live = self.board.live.get(ref)
        waiting = self.board.queue.calls.get(ref)
        if not first or live is None or live.call_id is None or waiting is None \
                or waiting.offered_to is not None:
            return  # not a question-only number, or already gone or ringing at a desk
        live.heard_waiting_message = True  # one message per call
        if self._play(ref, live.call_id):
            log.info("call %s heard the information message first; it keeps its place", ref)

    # -- the waiting message, once, to callers past the threshold ------------------------
    def tick(self) -> None:
        board = self.board
        board.scheduler.call_later(1.0, self.tick)
        if not self.can_play():
            return  # no media path to play it on: the policy stays a decision
        queued = [QueuedCall(ref=w.ref, queued_at=w.queued_at, ringing=w.offered_to is not None,
                             heard=frozenset({Announcement.WAITING})
                             if board.live[w.ref].heard_waiting_message else frozenset())
                  for w in board.queue.calls.values() if w.ref in board.live]
        for ref in waiting_message_due(queued, now=board.clock.now(),
                                       policy=board.center.information.policy()):
            live = board.live[ref]
            if live.call_id is None or (board.silent is not None and ref in board.silent.calls):
                continue  # still being screened: one announcement at a time
            live.heard_waiting_message = True
            if self._play(ref, live.call_id):
                log.info("call %s heard the waiting message; it keeps its place", ref)
