"""Silent-call screening, on the switchboard's thread (docs/screening.md).

The call is already in the line at its arrival; screening runs beside the wait and never
holds a call back: when a position is free before screening ends, the call is offered and
screening stops there. What screening decides:

    answered by the system -> listen (listen_seconds)            [flood: announce at once]
        speech                    -> responded: ahead in line, screening over
        silence                   -> announcement, then response_seconds to answer
            speech or the digits  -> responded: ahead in line, screening over
            nothing               -> released as `silent` (screened out)

The media side (answering, the tap that hears the caller, playing a file) is the signalling
adapter's (`ScreeningMedia`); it reports what it heard through `heard`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from siaga112.config_screening import ScreeningConfig
from siaga112.domain.clock import Clock
from siaga112.services import commands as c

log = logging.getLogger(__name__)


class ScreeningMedia(Protocol):
    """What the signalling adapter does for screening (the SIP node with its media relay)."""

    def can_screen(self) -> bool: ...
    def answer_for_screening(self, ref: str, call_id: str) -> bool: ...
    def listen(self, ref: str) -> None: ...
    def play(self, ref: str, name: str) -> float | None: ...
    def stop_screening(self, ref: str) -> None: ...
    def hang_up(self, ref: str) -> None: ...


class Timers(Protocol):
    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Any: ...


@dataclass
class _Screened:
    ref: str
    call_id: uuid.UUID
    stage: str = "listening"  # listening, announcing, responding
    digits: str = ""
    timer: Any = None
    announced: bool = False


@dataclass
class SilentScreening:
    config: ScreeningConfig
    media: ScreeningMedia
    timers: Timers
    clock: Clock
    submit: Callable[[c.Command, Any], None]
    # The switchboard's: the call earned an earlier place; the call is gone (released).
    move_ahead: Callable[[str, timedelta], None]
    released: Callable[[str], None]
    calls: dict[str, _Screened] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {
        "screened": 0, "speech": 0, "digits": 0, "silent": 0, "offered": 0, "unavailable": 0,
        "caller_left": 0})

    def wanted(self) -> bool:
        """Screen the next call? Only with screening on and the media path able to."""
        return self.config.silent_calls and self.media.can_screen()

    def start(self, ref: str, call_id: uuid.UUID, *, waiting_calls: int,
              first: str | None = None) -> None:
        """`first`: an announcement the caller hears before anything (the nuisance warning
        of docs/nuisance-callers.md); listening starts once it has played."""
        if not self.media.answer_for_screening(ref, str(call_id)):
            self._end(_Screened(ref, call_id), "unavailable")
            return
        screened = self.calls[ref] = _Screened(ref, call_id)
        self.counts["screened"] += 1
        self.media.listen(ref)
        before = (self.media.play(ref, first) or 0.0) if first else 0.0
        flood = 0 < self.config.flood_waiting_calls <= waiting_calls
        if flood and not before:
            self._announce(screened)
        elif flood:
            screened.timer = self.timers.call_later(before, self._silent_so_far, ref)
        else:
            screened.timer = self.timers.call_later(before + self.config.listen_seconds,
                                                    self._silent_so_far, ref)

    # -- what the media heard ----------------------------------------------------------------
    def heard(self, ref: str, kind: str, detail: str) -> None:
        screened = self.calls.get(ref)
        if screened is None:
            return
        if kind == "speech":
            self._responded(screened, "speech")
        elif kind == "digit":
            screened.digits = (screened.digits + detail)[-len(self.config.digits):]
            if screened.digits == self.config.digits:
                self._responded(screened, "digits")

    # -- the switchboard's events ------------------------------------------------------------
    def offered(self, ref: str) -> None:
        """A position takes the call: screening stops (the handler leaves `screening`)."""
        screened = self.calls.pop(ref, None)
        if screened is not None:
            self._cancel(screened)
            self.counts["offered"] += 1
            self.media.stop_screening(ref)

    def gone(self, ref: str) -> None:
        screened = self.calls.pop(ref, None)
        if screened is not None:
            self._cancel(screened)
            self.counts["caller_left"] += 1

    # -- stages ----------------------------------------------------------------------------
    def _silent_so_far(self, ref: str) -> None:
        screened = self.calls.get(ref)
        if screened is not None and screened.stage == "listening":
            self._announce(screened)

    def _announce(self, screened: _Screened) -> None:
        screened.stage, screened.announced = "announcing", True
        seconds = self.media.play(screened.ref, "screening")
        if seconds is None:  # nothing to play: no caller is released unasked
            log.error("call %s: the screening announcement could not play: queued as usual",
                      screened.ref)
            self._finish(screened, "unavailable")
            return
        self._cancel(screened)
        screened.timer = self.timers.call_later(seconds + self.config.response_seconds,
                                                self._no_response, screened.ref)

    def _no_response(self, ref: str) -> None:
        screened = self.calls.pop(ref, None)
        if screened is None:
            return
        self._end(screened, "silent")
        self.media.hang_up(ref)
        self.released(ref)

    def _responded(self, screened: _Screened, how: str) -> None:
        self._finish(screened, how)
        self.move_ahead(screened.ref, timedelta(seconds=self.config.responded_ahead_seconds))

    def _finish(self, screened: _Screened, outcome: str) -> None:
        self.calls.pop(screened.ref, None)
        self._cancel(screened)
        self.media.stop_screening(screened.ref)
        self._end(screened, outcome)

    def _end(self, screened: _Screened, outcome: str) -> None:
        self.counts[outcome] += 1
        self.submit(c.EndScreening(call_id=screened.call_id, outcome=outcome,
                                   at=self.clock.now()), None)

    @staticmethod
    def _cancel(screened: _Screened) -> None:
        if screened.timer is not None:
            screened.timer.cancel()
            screened.timer = None
