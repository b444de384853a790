"""Handlers for calls that come over SIP: stored, offered, answered, ended, interrupted.

The telephony service (services/switchboard.py) decides; these handlers record each
decision on the call and the position in one transaction (group-committed with others by
the SIP node's writer, or one commit each through the message bus).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from siaga112.config import CenterConfig
from siaga112.domain.callbacks import CallbackReason, CallbackTask
from siaga112.domain.calls import Call, CallState, Channel
from siaga112.domain.clock import Clock
from siaga112.domain.errors import NotFound
from siaga112.domain.events import CallOfferedToOverflow
from siaga112.domain.phone import CallerNumber
from siaga112.domain.positions import Position, PositionState
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
OVERFLOW = "overflow"  # the position code recorded when the backup destination answers


def _at(at: datetime | None, clock: Clock) -> datetime:
    return at or clock.now()


def _call(uow: UnitOfWork, call_id: uuid.UUID) -> Call:
    call = uow.calls.get(call_id, for_update=True)
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


def _position(uow: UnitOfWork, code: str) -> Position:
    position = uow.positions.get(code, for_update=True)
    if position is None:
        raise NotFound(f"no position '{code}'")
    return position


def open_callback(uow: UnitOfWork, call: Call, reason: CallbackReason, at: datetime) -> None:
    """One open task per number: a new missed call from the same number adds to it."""
    if call.caller_number is None or len(call.caller_number) < 8:
        log.info("call %s: no callback task (number withheld or a short code)", call.id)
        return
    task = uow.callbacks.open_for(call.caller_number)
    if task is not None:
        task.add_missed_call(call.id, at=at)
    else:
        uow.callbacks.add(CallbackTask.open(caller_number=call.caller_number, call_id=call.id,
                                            reason=reason, at=at))


def take_sip_call(cmd: c.TakeSipCall, uow: UnitOfWork, *, clock: Clock) -> uuid.UUID:
    """Idempotent on the SIP Call-ID: a retransmitted INVITE gives the stored call."""
    with uow:
        if known := uow.calls.by_external_id(cmd.external_id):
            return known.id
        at = _at(cmd.at, clock)
        call = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse(cmd.caller), at=at,
                            external_id=cmd.external_id)
        if cmd.refused_with is not None:
            call.interrupt(at=at, reason=f"refused_{cmd.refused_with}_overload")
        elif cmd.screen:  # waits in the line all the same (the switchboard keeps its place)
            call.start_screening(at=at)
        else:
            call.enqueue(at=at)
        uow.calls.add(call)
        uow.sip_calls.add(call_id=call.id, sip_call_id=cmd.external_id,
                          identity_header=cmd.identity_header, identity_raw=cmd.identity_raw,
                          remote=cmd.remote, location_status=cmd.location_status,
                          refused_with=cmd.refused_with)
        if cmd.refused_with is not None:
            open_callback(uow, call, CallbackReason.INTERRUPTED, at)
        uow.commit()
        return call.id


def offer_call(cmd: c.OfferCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        position = _position(uow, cmd.position_code)
        if call.state is CallState.SCREENING:  # screening never delays a call: it ends here
            call.enqueue(at=at, reason="screening_offered")
        call.offer(position_code=position.code, at=at)
        if position.state is PositionState.READY:
            position.ring(at=at)
        else:  # set not ready through the API a moment ago: the service withdraws the offer
            log.warning("offer of call %s to position %s, which is %s", call.id, position.code,
                        position.state.value)
        uow.commit()


def end_screening(cmd: c.EndScreening, uow: UnitOfWork, *, clock: Clock) -> None:
    """Only a call still in screening moves: one offered meanwhile left screening then."""
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        if call.state is CallState.SCREENING:
            if cmd.outcome == "silent":
                call.release(at=at, actor="screening", reason="silent")
            else:
                call.enqueue(at=at, reason=f"screening_{cmd.outcome}")
        uow.commit()


def connect_call(cmd: c.ConnectCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        if cmd.position_code is None:  # the backup destination answered
            if call.state is CallState.OFFERED:
                _free_ringing(uow, call, at, reason="answered_by_overflow")
                call.enqueue(at=at, reason="answered_by_overflow")
            call.offer(position_code=OVERFLOW, at=at)
            call.connect(call_taker=f"{OVERFLOW}:{cmd.destination or '?'}"[:80], at=at)
        else:
            position = _position(uow, cmd.position_code)
            call.connect(call_taker=position.operator or f"position:{position.code}", at=at,
                         position_code=position.code)
            if position.state is PositionState.RINGING:
                position.answer(at=at)
        uow.commit()


def _free_ringing(uow: UnitOfWork, call: Call, at: datetime, *, reason: str) -> None:
    if call.position_code and call.position_code != OVERFLOW:
        position = uow.positions.get(call.position_code, for_update=True)
        if position is not None and position.state is PositionState.RINGING:
            position.withdraw_ring(at=at, reason=reason)


def position_no_answer(cmd: c.PositionNoAnswer, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        position = _position(uow, cmd.position_code)
        if call.state is CallState.OFFERED and call.position_code == position.code:
            call.enqueue(at=at, reason=f"{cmd.reason}:{position.code}")
        if position.state is PositionState.RINGING:
            position.set_not_ready(cmd.reason, at=at)
        uow.commit()


def withdraw_offer(cmd: c.WithdrawOffer, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        if call.state is CallState.OFFERED and call.position_code == cmd.position_code:
            _free_ringing(uow, call, at, reason=cmd.reason)
            call.enqueue(at=at, reason=cmd.reason)
        uow.commit()


def record_overflow_offer(cmd: c.RecordOverflowOffer, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = _call(uow, cmd.call_id)
        uow.record(CallOfferedToOverflow(aggregate_id=str(call.id), at=_at(cmd.at, clock),
                                         after=cmd.destination[:200]))
        uow.commit()


def end_sip_call(cmd: c.EndSipCall, uow: UnitOfWork, *, clock: Clock,
                 center: CenterConfig) -> None:
    """Before an answer: abandoned (with its wait) and a callback. After: released, the
    position goes to wrap-up (or straight back to ready when wrap-up is 0 s)."""
    with uow:
        at = _at(cmd.at, clock)
        call = _call(uow, cmd.call_id)
        if call.state in (CallState.RECEIVED, CallState.SCREENING, CallState.QUEUED,
                          CallState.OFFERED):
            _free_ringing(uow, call, at, reason="caller_hung_up")
            call.abandon(at=at)
            open_callback(uow, call, CallbackReason.ABANDONED, at)
        elif call.state is CallState.CONNECTED:
            call.release(at=at, actor=cmd.by, reason=cmd.reason or f"{cmd.by}_hung_up")
            _wrap_up(uow, call, at, center)
        uow.commit()


def _wrap_up(uow: UnitOfWork, call: Call, at: datetime, center: CenterConfig) -> None:
    if not call.position_code or call.position_code == OVERFLOW:
        return
    position = uow.positions.get(call.position_code, for_update=True)
    if position is None or position.state is not PositionState.ON_CALL:
        return
    position.wrap_up(at=at)
    if center.telephony.wrap_up_seconds == 0:
        position.set_ready(at=at)


def end_wrap_up(cmd: c.EndWrapUp, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        position = _position(uow, cmd.position_code)
        if position.state is PositionState.WRAP_UP:
            position.set_ready(at=_at(cmd.at, clock))
        uow.commit()


def _interrupt(uow: UnitOfWork, call: Call, reason: str, at: datetime) -> None:
    position = (uow.positions.get(call.position_code, for_update=True)
                if call.position_code and call.position_code != OVERFLOW else None)
    call.interrupt(at=at, reason=reason)
    if position is not None and position.state is PositionState.RINGING:
        position.set_not_ready(reason, at=at)
    elif position is not None and position.state is PositionState.ON_CALL:
        position.wrap_up(at=at)
    # Cut before or during the conversation: either way the caller is called back.
    open_callback(uow, call, CallbackReason.INTERRUPTED, at)


def interrupt_call(cmd: c.InterruptCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = _call(uow, cmd.call_id)
        if call.ended_at is None:
            _interrupt(uow, call, cmd.reason, _at(cmd.at, clock))
        uow.commit()


def interrupt_live_calls(cmd: c.InterruptLiveCalls, uow: UnitOfWork, *, clock: Clock) -> int:
    """Dialogs do not survive a restart: their calls are interrupted, with a callback;
    positions that were ringing become not ready, those on a call go to wrap-up."""
    with uow:
        at = clock.now()
        ids = uow.sip_calls.live_call_ids()
        for call_id in ids:
            _interrupt(uow, _call(uow, call_id), cmd.reason, at)
        for position in uow.positions.list():
            if position.state is PositionState.RINGING:
                position.set_not_ready(cmd.reason, at=at)
            elif position.state is PositionState.ON_CALL:
                position.wrap_up(at=at)
        uow.commit()
        return len(ids)
