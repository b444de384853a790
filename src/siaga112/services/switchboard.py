"""The telephony service: call events in, queue decisions out.

A signalling adapter (the SIP node) reports what happens to calls; the switchboard keeps
the queue (domain/queue.py), tells the adapter what to do (ring, offer, cancel, refuse)
and records every step through commands. It runs on the adapter's one thread; commands go
to a writer that group-commits them and hands the results back on that thread.

The call is stored before anything but "100 Trying" is sent: the caller hears ringing
only once the commit of its row returned.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from siaga112.config import CenterConfig
from siaga112.domain.clock import Clock
from siaga112.domain.locations import LocationSource
from siaga112.domain.positions import PositionState
from siaga112.domain.queue import CallQueue
from siaga112.services import commands as c
from siaga112.services.handlers.telephony import OVERFLOW
from siaga112.services.ports import UnitOfWork
from siaga112.services.nuisance import ScreeningDesk  # docs/nuisance-callers.md
from siaga112.services.silent_screening import SilentScreening  # docs/screening.md
from siaga112.services.information_messages import InformationMessages  # quick-answers.md

log = logging.getLogger(__name__)
Done = Callable[[Any, BaseException | None], None]
Submit = Callable[[c.Command, Done | None], None]


class Signalling(Protocol):
    def ring(self, ref: str) -> None: ...
    def offer(self, ref: str, target: str, uri: str, *, caller: str | None = None,
              call_id: str | None = None) -> None: ...
    def cancel_offer(self, ref: str, target: str) -> None: ...
    def refuse(self, ref: str, status: int, retry_after: int | None = None) -> None: ...
    def hang_up(self, ref: str) -> None: ...


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Cancellable: ...
    def call_from_thread(self, fn: Callable[..., Any], *args: Any) -> None: ...


@dataclass(frozen=True)
class Arrival:
    """What the signalling adapter read from a new call."""

    caller: str | None
    identity_header: str | None = None
    identity_raw: str | None = None
    remote: str | None = None
    location: Any = None  # an object with lat, lon, radius_m, shape, method, confidence, fixed_at
    location_status: str | None = None


@dataclass
class Live:
    ref: str
    arrival: Arrival
    at: datetime
    call_id: uuid.UUID | None = None
    gone: bool = False  # the caller hung up (or the call failed) before it was stored
    failure: str | None = None
    position: str | None = None
    ring_timer: Cancellable | None = None
    screening: Any = None  # nuisance screening's decision, its announcement included
    silent_screening: bool = False  # stored as `screening`: silent-call screening runs
    heard_waiting_message: bool = False  # "if your call is not an emergency..." (played)


@dataclass
class Switchboard:
    center: CenterConfig
    clock: Clock
    submit: Submit
    signalling: Signalling
    scheduler: Scheduler
    queue: CallQueue = field(init=False)
    uris: dict[str, str] = field(default_factory=dict)
    live: dict[str, Live] = field(default_factory=dict)
    wrap_timers: dict[str, Cancellable] = field(default_factory=dict)
    screening: ScreeningDesk | None = None  # decisions of nuisance screening, if any
    silent: SilentScreening | None = None  # silent-call screening, when the center has it
    messages: InformationMessages = field(init=False)  # the waiting / information messages

    def __post_init__(self) -> None:
        t = self.center.telephony
        self.queue = CallQueue(ring_timeout_seconds=self.center.thresholds.ring_timeout_seconds,
                               overflow_after_seconds=t.overflow_after_seconds
                               if t.overflow_uri else None)
        self.messages = InformationMessages(self)

    # -- start -------------------------------------------------------------------------------
    def load_positions(self, uow: UnitOfWork) -> None:
        """The positions as stored (call this after InterruptLiveCalls, before calls come)."""
        with uow:
            for p in uow.positions.list():
                if p.sip_uri:
                    self.uris[p.code] = p.sip_uri
                desk = self.queue.desk(p.code)
                desk.state = p.state
                if p.state is PositionState.READY and p.sip_uri:
                    self.queue.set_ready(p.code, idle_since=p.idle_since or self.clock.now())
                elif p.state is PositionState.READY:
                    desk.state = PositionState.NOT_READY  # no phone: never offered a call
                elif p.state is PositionState.WRAP_UP:
                    self._schedule_wrap_up(p.code)
        if self.queue.overflow_after is not None:
            self.scheduler.call_later(1.0, self._overflow_tick)
        if self.center.information.waiting_message:
            self.scheduler.call_later(1.0, self.messages.tick)

    # -- events from the signalling adapter -------------------------------------------------
    def arrived(self, ref: str, arrival: Arrival, *, refused_with: int | None) -> None:
        now = self.clock.now()
        live = self.live[ref] = Live(ref, arrival, now)
        live.silent_screening = (refused_with is None and self.silent is not None
                                 and self.silent.wanted())
        self.submit(c.TakeSipCall(
            external_id=f"sip:{ref}"[:200], caller=arrival.caller,
            identity_header=arrival.identity_header, identity_raw=arrival.identity_raw,
            remote=arrival.remote, location_status=arrival.location_status,
            refused_with=refused_with, screen=live.silent_screening, at=now),
            lambda result, error: self._stored(ref, result, error, refused_with))

    def _stored(self, ref: str, call_id: uuid.UUID | None, error: BaseException | None,
                refused_with: int | None) -> None:
        live = self.live.get(ref)
        if live is None:
            return
        if error is not None or call_id is None:
            # Not stored: refuse it, so that the trunk can send it to a backup center.
            log.error("call %s could not be stored (%r): refused with 503", ref, error)
            self.live.pop(ref, None)
            self.signalling.refuse(ref, 503, self.center.telephony.retry_after_seconds)
            return
        live.call_id = call_id
        if refused_with is not None:
            self.live.pop(ref, None)
            self.signalling.refuse(ref, refused_with, self.center.telephony.retry_after_seconds)
            return
        if live.arrival.location is not None:
            self._record_location(call_id, live.arrival.location)
        # Screened when stored: refused (a blocked number, 603), or queued at its place in
        # line. Its warning announcement waits for the media path (docs/nuisance-callers.md).
        screening = self.screening.take(call_id) if self.screening is not None else None
        live.screening = screening
        if screening is not None and screening.refuse_with is not None:
            self.live.pop(ref, None)
            self.signalling.refuse(ref, screening.refuse_with)
            return
        if live.gone:
            if live.failure is not None:
                self.live.pop(ref, None)
                self.submit(c.InterruptCall(call_id=call_id, reason=live.failure,
                                            at=self.clock.now()), None)
            else:
                self._end(live, "caller")
            return
        self.signalling.ring(ref)
        self.queue.add(ref, at=live.at,
                       place=screening.place_in_line if screening is not None else None)
        if live.silent_screening and self.silent is not None:
            warning = screening.announcement if screening is not None else None
            self.silent.start(ref, call_id, waiting_calls=len(self.queue.calls) - 1,
                              first=warning.value if warning is not None else None)
        elif self.center.information.question_callers_first and self.messages.can_play():
            self.messages.check_on_arrival(ref, call_id)
        self.dispatch()

    def _record_location(self, call_id: uuid.UUID, loc: Any) -> None:
        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:  # logged; the call goes on without it
                log.warning("call %s: network location not stored: %s", call_id, error)

        self.submit(c.RecordLocationFix(
            call_id=call_id, source=LocationSource.NETWORK, lat=loc.lat, lon=loc.lon,
            radius_m=loc.radius_m, confidence=loc.confidence, method=loc.method,
            fixed_at=loc.fixed_at, detail=f'{{"shape": "{loc.shape}"}}'), done)

    def caller_gone(self, ref: str) -> None:
        live = self.live.get(ref)
        if live is None:
            return
        if live.call_id is None:
            live.gone = True  # ended as soon as it is stored
            return
        self._cancel_ring(live)
        if self.silent is not None:
            self.silent.gone(ref)
        freed = self.queue.remove(ref)
        if freed is not None:
            self.signalling.cancel_offer(ref, freed)
        self._end(live, "caller")
        self.dispatch()

    def offer_answered(self, ref: str, target: str) -> None:
        live = self.live.get(ref)
        if live is None or live.call_id is None:
            return
        self._cancel_ring(live)
        now = self.clock.now()
        if target == OVERFLOW:
            freed = self.queue.answered_elsewhere(ref)
            if freed is not None:
                self.signalling.cancel_offer(ref, freed)
            self.submit(c.ConnectCall(call_id=live.call_id, position_code=None,
                                      destination=self.center.telephony.overflow_uri, at=now),
                        None)
            self.dispatch()
            return
        live.position = self.queue.answered(ref)
        self.submit(c.ConnectCall(call_id=live.call_id, position_code=target, at=now), None)

    def offer_failed(self, ref: str, target: str, status: int) -> None:
        live = self.live.get(ref)
        if live is None or target == OVERFLOW:
            return
        waiting = self.queue.calls.get(ref)
        if waiting is None or waiting.offered_to != target:
            return
        self._cancel_ring(live)
        reason = ("unreachable" if status == 0 else "no_answer" if status in (408, 480)
                  else f"rejected_{status}")
        self._no_answer(live, target, reason)

    def call_ended(self, ref: str, by: str) -> None:
        live = self.live.pop(ref, None)
        if self.silent is not None:
            self.silent.gone(ref)
        if live is None or live.call_id is None:
            return
        now = self.clock.now()
        self.submit(c.EndSipCall(call_id=live.call_id, by=by, at=now), None)
        self._position_free(live, now)

    def call_failed(self, ref: str, reason: str) -> None:
        live = self.live.get(ref)
        if live is None:
            return
        if live.call_id is None:  # ended as soon as it is stored
            live.gone, live.failure = True, reason
            return
        del self.live[ref]
        self._cancel_ring(live)
        if self.silent is not None:
            self.silent.gone(ref)
        now = self.clock.now()
        freed = self.queue.remove(ref)
        if freed is not None:
            self.signalling.cancel_offer(ref, freed)
        self.submit(c.InterruptCall(call_id=live.call_id, reason=reason, at=now), None)
        if live.position is not None:  # was connected: the position goes to wrap-up
            self.queue.call_ended(live.position)
            self._schedule_wrap_up(live.position)
        self.dispatch()

    # -- positions changed through the API (on the scheduler's thread) ---------------------
    def position_changed(self, code: str, state: PositionState, at: datetime) -> None:
        desk = self.queue.desk(code)
        if desk.state is state:
            return  # our own step, coming back
        if state is PositionState.READY and desk.call is None and code in self.uris:
            self._stop_wrap_timer(code)
            self.queue.set_ready(code, idle_since=at)
            self.dispatch()
        elif state in (PositionState.NOT_READY, PositionState.LOGGED_OUT,
                       # a web call taken at the console (TakeWaitingCall, EndTakenCall)
                       PositionState.ON_CALL, PositionState.WRAP_UP):
            if desk.state is PositionState.ON_CALL:
                return
            self._stop_wrap_timer(code)
            ringing = self.queue.set_unavailable(code, state)
            if ringing is not None:
                live = self.live.get(ringing)
                if live is not None and live.call_id is not None:
                    self._cancel_ring(live)
                    self.signalling.cancel_offer(ringing, code)
                    self.submit(c.WithdrawOffer(call_id=live.call_id, position_code=code,
                                                reason=f"position_{state.value}"), None)
                self.dispatch()

    # -- decisions ---------------------------------------------------------------------------
    def dispatch(self) -> None:
        now = self.clock.now()
        for offer in self.queue.next_offers(now=now):
            live = self.live[offer.ref]
            assert live.call_id is not None
            if self.silent is not None:
                self.silent.offered(offer.ref)
            self.submit(c.OfferCall(call_id=live.call_id, position_code=offer.position, at=now),
                        None)
            live.ring_timer = self.scheduler.call_later(
                (offer.deadline - now).total_seconds(), self._ring_timeout, offer.ref,
                offer.position)
            self.signalling.offer(offer.ref, offer.position, self.uris[offer.position],
                                  caller=live.arrival.caller, call_id=str(live.call_id))

    def _ring_timeout(self, ref: str, position: str) -> None:
        live = self.live.get(ref)
        waiting = self.queue.calls.get(ref)
        if live is None or waiting is None or waiting.offered_to != position:
            return
        live.ring_timer = None
        self.signalling.cancel_offer(ref, position)
        self._no_answer(live, position, "no_answer")

    def _no_answer(self, live: Live, position: str, reason: str) -> None:
        self.queue.no_answer(live.ref)
        assert live.call_id is not None
        self.submit(c.PositionNoAnswer(call_id=live.call_id, position_code=position,
                                       reason=reason, at=self.clock.now()), None)
        log.info("position %s did not answer call %s (%s): not ready", position, live.ref,
                 reason)
        self.dispatch()

    def _end(self, live: Live, by: str) -> None:
        self.live.pop(live.ref, None)
        assert live.call_id is not None
        self.submit(c.EndSipCall(call_id=live.call_id, by=by, at=self.clock.now()), None)

    def _position_free(self, live: Live, now: datetime) -> None:
        if live.position is None:
            return
        self.queue.call_ended(live.position)
        if self.center.telephony.wrap_up_seconds == 0:
            self.queue.set_ready(live.position, idle_since=now)
            self.dispatch()
        else:
            self._schedule_wrap_up(live.position)

    def _schedule_wrap_up(self, code: str) -> None:
        self._stop_wrap_timer(code)
        self.wrap_timers[code] = self.scheduler.call_later(
            self.center.telephony.wrap_up_seconds, self._wrap_up_over, code)

    def _stop_wrap_timer(self, code: str) -> None:
        timer = self.wrap_timers.pop(code, None)
        if timer is not None:
            timer.cancel()

    def _wrap_up_over(self, code: str) -> None:
        self.wrap_timers.pop(code, None)
        desk = self.queue.desk(code)
        if desk.state is not PositionState.WRAP_UP or code not in self.uris:
            return
        now = self.clock.now()
        self.submit(c.EndWrapUp(position_code=code, at=now), None)
        self.queue.set_ready(code, idle_since=now)
        self.dispatch()

    def _overflow_tick(self) -> None:
        uri = self.center.telephony.overflow_uri
        now = self.clock.now()
        for ref in self.queue.overflow_due(now=now):
            live = self.live.get(ref)
            if live is None or live.call_id is None or uri is None:
                continue
            self.submit(c.RecordOverflowOffer(call_id=live.call_id, destination=uri, at=now),
                        None)
            self.signalling.offer(ref, OVERFLOW, uri, caller=live.arrival.caller,
                                  call_id=str(live.call_id))
        self.scheduler.call_later(0.5, self._overflow_tick)

    # -- silent-call screening (services/silent_screening.py) -----------------------------
    def screening_heard(self, ref: str, kind: str, detail: str) -> None:
        if self.silent is not None:
            self.silent.heard(ref, kind, detail)

    def screening_moved_ahead(self, ref: str, ahead: timedelta) -> None:
        live = self.live.get(ref)
        if live is not None:
            self.queue.move_ahead(ref, place=live.at - ahead)
            self.dispatch()

    def screening_released(self, ref: str) -> None:
        """Nobody answered the announcement: the call was released (screened out)."""
        self.live.pop(ref, None)
        freed = self.queue.remove(ref)
        if freed is not None:
            self.signalling.cancel_offer(ref, freed)
        self.dispatch()

    def _cancel_ring(self, live: Live) -> None:
        if live.ring_timer is not None:
            live.ring_timer.cancel()
            live.ring_timer = None

