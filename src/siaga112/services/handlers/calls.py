"""Handlers for the life of a call."""

from __future__ import annotations

import uuid

from siaga112.domain.calls import Call
from siaga112.domain.clock import Clock
from siaga112.domain.errors import NotFound
from siaga112.domain.phone import CallerNumber
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


def receive_call(cmd: c.ReceiveCall, uow: UnitOfWork, *, clock: Clock) -> uuid.UUID:
    """Store the call at once (received, then queued) in one commit.

    A retried delivery with the same external id returns the stored call: no duplicate.
    """
    external_id = cmd.external_id or None
    with uow:
        if external_id and (known := uow.calls.by_external_id(external_id)):
            return known.id
        now = clock.now()
        call = Call.receive(channel=cmd.channel, caller=CallerNumber.parse(cmd.caller), at=now,
                            external_id=external_id)
        call.enqueue(at=now)  # screening (a later issue) slots in between
        uow.calls.add(call)
        uow.commit()
        return call.id


def _call(uow: UnitOfWork, call_id: uuid.UUID) -> Call:
    call = uow.calls.get(call_id, for_update=True)
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


def answer_call(cmd: c.AnswerCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = _call(uow, cmd.call_id)
        now = clock.now()
        if cmd.position_code and uow.positions.get(cmd.position_code) is None:
            raise NotFound(f"no position '{cmd.position_code}'")
        if call.state.value == "queued":
            # Picked straight from the queue: offered and answered in the same instant.
            call.offer(position_code=cmd.position_code or "direct", at=now)
        call.connect(call_taker=cmd.call_taker, at=now, position_code=cmd.position_code)
        uow.commit()


def release_call(cmd: c.ReleaseCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _call(uow, cmd.call_id).release(at=clock.now(), actor=cmd.actor, reason=cmd.reason)
        uow.commit()


def abandon_call(cmd: c.AbandonCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _call(uow, cmd.call_id).abandon(at=clock.now())
        uow.commit()


def dispose_call(cmd: c.DisposeCall, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _call(uow, cmd.call_id).dispose(cmd.disposition, by=cmd.by, at=clock.now())
        uow.commit()
