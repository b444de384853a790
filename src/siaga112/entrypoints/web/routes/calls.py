"""Calls through the API: non-SIP channels (web, SMS gateways) and tests."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query

from siaga112.domain.accounts import FULL_NUMBER_ROLES
from siaga112.domain.calls import Call
from siaga112.domain.events import PersonalDataViewed
from siaga112.domain.errors import NotFound
from siaga112.domain.phone import normalize_number
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, Principal, SiagaDep
from siaga112.entrypoints.web.schemas import CallAnswer, CallCreate, CallPublic, DispositionSet
from siaga112.services import commands as c

router = APIRouter(prefix=f"{API}/calls", tags=["calls"], dependencies=[Authorized])


def _load(siaga: SiagaDep, call_id: uuid.UUID) -> Call:
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


def _public(siaga: SiagaDep, call: Call, user: Principal, *, reveal: bool = False) -> CallPublic:
    return CallPublic.of(call, viewer=user, reveal=reveal,
                         valid_call_seconds=siaga.center.thresholds.valid_call_seconds)


@router.post("", status_code=201)
def create_call(body: CallCreate, user: Principal, siaga: SiagaDep) -> CallPublic:
    call_id = siaga.bus.handle(c.ReceiveCall(channel=body.channel, caller=body.caller,
                                             external_id=body.external_id))
    return _public(siaga, _load(siaga, call_id), user)


@router.get("")
def list_calls(user: Person, siaga: SiagaDep,
               caller: str | None = Query(default=None, max_length=64),
               limit: int = Query(default=100, ge=1, le=1000)) -> list[CallPublic]:
    number = normalize_number(caller) if caller else None
    with siaga.uow() as uow:
        calls = uow.calls.list(limit=limit, caller_number=number)
    return [_public(siaga, call, user) for call in calls]


@router.get("/{call_id}")
def get_call(call_id: uuid.UUID, user: Person, siaga: SiagaDep) -> CallPublic:
    """The one place a full number is shown, to roles that need it; every look is logged."""
    call = _load(siaga, call_id)
    reveal = user.role in FULL_NUMBER_ROLES and call.caller_number is not None
    if reveal:
        with siaga.uow() as uow:
            uow.record(PersonalDataViewed(aggregate_id=str(call.id), at=siaga.clock.now(),
                                          actor=user.username, after="caller_number"))
            uow.commit()
    return _public(siaga, call, user, reveal=reveal)


@router.post("/{call_id}/answer")
def answer_call(call_id: uuid.UUID, body: CallAnswer, user: Person,
                siaga: SiagaDep) -> CallPublic:
    siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker=user.username,
                                  position_code=body.position))
    return _public(siaga, _load(siaga, call_id), user)


@router.post("/{call_id}/release")
def release_call(call_id: uuid.UUID, user: Person, siaga: SiagaDep) -> CallPublic:
    siaga.bus.handle(c.ReleaseCall(call_id=call_id, actor=user.username))
    return _public(siaga, _load(siaga, call_id), user)


@router.post("/{call_id}/abandon")
def abandon_call(call_id: uuid.UUID, user: Principal, siaga: SiagaDep) -> CallPublic:
    siaga.bus.handle(c.AbandonCall(call_id=call_id))
    return _public(siaga, _load(siaga, call_id), user)


@router.post("/{call_id}/disposition")
def set_disposition(call_id: uuid.UUID, body: DispositionSet, user: Person,
                    siaga: SiagaDep) -> CallPublic:
    siaga.bus.handle(c.DisposeCall(call_id=call_id, disposition=body.disposition,
                                   by=user.username))
    return _public(siaga, _load(siaga, call_id), user)


@router.get("/{call_id}/events")
def call_events(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> list[dict[str, Any]]:
    _load(siaga, call_id)
    with siaga.uow() as uow:
        rows = uow.event_log.for_aggregate("call", str(call_id))
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in rows]
