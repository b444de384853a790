"""Calls that no desk phone rings (web, SMS gateway, the demo's simulated callers), taken
and ended at a position from the call-taker console.

The position goes through the same states as with a phone (ringing, on call, wrap-up), so
the queue never offers a phone call to a desk that is busy with one of these, and the
reports measure their handling and wrap-up like any other call. While the SIP node runs,
these commands go through its writer with the other position commands (entrypoints/sip.py).
"""

from __future__ import annotations

import uuid

from siaga112.config import CenterConfig
from siaga112.domain.calls import Call, CallState
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, NotFound
from siaga112.domain.positions import Position, PositionState
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


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


def take_waiting_call(cmd: c.TakeWaitingCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = _call(uow, cmd.call_id)
        position = _position(uow, cmd.position_code)
        if call.state is not CallState.QUEUED:
            raise Conflict(f"call {call.id} is {call.state.value}, no longer waiting")
        if uow.sip_calls.get(call.id) is not None:
            raise Conflict(f"call {call.id} rings the desk phones: answer it on the phone")
        if position.state is not PositionState.READY:
            raise Conflict(f"position {position.code} is {position.state.value}: set it ready "
                           "to take a call")
        now = clock.now()
        call.offer(position_code=position.code, at=now)
        position.ring(at=now)
        call.connect(call_taker=cmd.call_taker, at=now, position_code=position.code)
        position.answer(at=now)
        uow.commit()


def end_taken_call(cmd: c.EndTakenCall, uow: UnitOfWork, *, clock: Clock,
                   center: CenterConfig) -> None:
    with uow:
        call = _call(uow, cmd.call_id)
        if call.position_code != cmd.position_code:
            raise Conflict(f"call {call.id} is not at position {cmd.position_code}")
        if uow.sip_calls.get(call.id) is not None:
            raise Conflict(f"call {call.id} is a phone call: it ends when a phone hangs up")
        now = clock.now()
        call.release(at=now, actor=cmd.by, reason=cmd.reason)
        position = _position(uow, cmd.position_code)
        if position.state is PositionState.ON_CALL:
            position.wrap_up(at=now)
            if center.telephony.wrap_up_seconds == 0:
                position.set_ready(at=now)
        uow.commit()
