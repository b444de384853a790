"""The call-taker console's API: calls waiting for a person, the calls at a desk, taking
and ending calls that no phone carries, a caller's history, and possible duplicates.

Fixed paths (`/calls/waiting`, `/incidents/duplicates`) must be matched before the
`/{call_id}` and `/{incident_id}` routes: app.py includes this router first.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from fastapi import APIRouter, Query

from siaga112.adapters.db.repositories_console import SqlConsoleQueries
from siaga112.domain.accounts import Role
from siaga112.domain.caller_history import caller_flags
from siaga112.domain.calls import Call, CallState
from siaga112.domain.duplicates import DuplicateRule, possible_duplicates, search_box
from siaga112.domain.errors import Conflict, InvalidValue, NotFound
from siaga112.domain.geo import GeoPoint
from siaga112.domain.phone import mask_number
from siaga112.domain.positions import Position, PositionState
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.errors import ApiError
from siaga112.entrypoints.web.schemas_call_taking import (
    CallerHistory, DeskCall, DuplicateCheck, DuplicatePublic, EndCall, IncidentRef, PastCall,
    TakeCall,
)
from siaga112.services import commands as c

router = APIRouter(prefix=API, tags=["call-taking"], dependencies=[Authorized])
UNDISPOSED_HOURS = 12  # a call ended at a desk without a disposition stays shown this long
RECENT_MINUTES = 10  # any call ended at the desk: the console follows its call to the end
NEXT_TRIES = 5  # "take next call": other call-takers may take the first ones at once


def _desk_calls(siaga: SiagaDep, calls: list[Call], user: Person) -> list[DeskCall]:
    with siaga.uow() as uow:
        phone = SqlConsoleQueries(uow.session).phone_calls([call.id for call in calls])
    seconds = siaga.center.thresholds.valid_call_seconds
    return [DeskCall.of_call(call, viewer=user, valid_call_seconds=seconds,
                             phone=call.id in phone) for call in calls]


def _position(siaga: SiagaDep, code: str, user: Person) -> Position:
    """The position; a call-taker may act only at the one they are logged in at."""
    with siaga.uow() as uow:
        position = uow.positions.get(code)
    if position is None:
        raise NotFound(f"no position '{code}'")
    if user.role is Role.CALL_TAKER and position.operator != user.username:
        raise ApiError(403, "forbidden", f"position {code} is not yours")
    return position


def _call(siaga: SiagaDep, call_id: uuid.UUID) -> Call:
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


@router.get("/calls/waiting")
def waiting_calls(user: Person, siaga: SiagaDep,
                  limit: int = Query(default=50, ge=1, le=500)) -> list[DeskCall]:
    """Calls waiting for a person that no desk phone rings (web, SMS, simulated), in the
    queue's order (first come, first served unless the center's priority rules moved them:
    docs/nuisance-callers.md); numbers masked. Phone calls are offered by the queue
    (docs/telephony.md)."""
    with siaga.uow() as uow:
        calls = list(SqlConsoleQueries(uow.session).waiting_calls(limit=limit))
    return _desk_calls(siaga, calls, user)


@router.get("/positions/{code}/calls")
def desk_calls(code: str, user: Person, siaga: SiagaDep) -> list[DeskCall]:
    """The calls ringing or connected at the position, those that ended there in the last
    hours without a disposition, and those that ended there in the last minutes; newest
    first."""
    position = _position(siaga, code, user)
    now = siaga.clock.now()
    with siaga.uow() as uow:
        calls = list(SqlConsoleQueries(uow.session).desk_calls(
            position.code, undisposed_since=now - timedelta(hours=UNDISPOSED_HOURS),
            ended_since=now - timedelta(minutes=RECENT_MINUTES)))
    return _desk_calls(siaga, calls, user)


@router.post("/positions/{code}/take")
def take_call(code: str, body: TakeCall, user: Person, siaga: SiagaDep) -> DeskCall:
    """Answer a waiting call (by default the first in the queue's order) at a ready position."""
    position = _position(siaga, code, user)
    if position.state is not PositionState.READY:
        raise Conflict(f"position {code} is {position.state.value}: set it ready to take a call")
    if body.call_id is not None:
        candidates = [body.call_id]
    else:
        with siaga.uow() as uow:
            waiting = SqlConsoleQueries(uow.session).waiting_calls(limit=NEXT_TRIES)
            candidates = [call.id for call in waiting]
        if not candidates:
            raise NotFound("no call is waiting")
    for i, call_id in enumerate(candidates):
        try:
            siaga.bus.handle(c.TakeWaitingCall(call_id=call_id, position_code=position.code,
                                               call_taker=user.username))
        except Conflict:
            if body.call_id is not None or i == len(candidates) - 1:
                raise
            if _position(siaga, code, user).state is not PositionState.READY:
                raise
            continue  # another call-taker was quicker: the next one
        return _desk_calls(siaga, [_call(siaga, call_id)], user)[0]
    raise NotFound("no call is waiting")  # pragma: no cover - the loop returns or raises


@router.post("/positions/{code}/end-call")
def end_call(code: str, body: EndCall, user: Person, siaga: SiagaDep) -> DeskCall:
    """End a call taken at the position (not a phone call: the phone ends those); the
    position goes to wrap-up."""
    position = _position(siaga, code, user)
    siaga.bus.handle(c.EndTakenCall(call_id=body.call_id, position_code=position.code,
                                    by=user.username, reason=body.reason or "call_taker_ended"))
    return _desk_calls(siaga, [_call(siaga, body.call_id)], user)[0]


@router.get("/calls/{call_id}/history")
def caller_history(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> CallerHistory:
    """The caller's earlier calls from the same number: when, how they ended, what they
    were, their incidents; and the flags they add up to. Never the full number."""
    call = _call(siaga, call_id)
    earlier: list[Call] = []
    incidents = {}
    if call.caller_number is not None:
        with siaga.uow() as uow:
            queries = SqlConsoleQueries(uow.session)
            earlier = list(queries.earlier_calls(call.caller_number, before=call.received_at,
                                                 exclude=call.id))
            incidents = queries.incidents({e.incident_id for e in earlier if e.incident_id})
    active = {i.id for i in incidents.values() if i.active}
    counts = Counter(e.disposition.value for e in earlier if e.disposition is not None)
    counts["abandoned"] = sum(1 for e in earlier if e.state is CallState.ABANDONED)
    counts["total"] = len(earlier)
    return CallerHistory(
        call_id=call.id, caller_number=mask_number(call.caller_number),
        withheld=call.caller_number is None,
        calls=[PastCall(id=e.id, channel=e.channel, state=e.state, received_at=e.received_at,
                        wait_seconds=e.wait_seconds, talk_seconds=e.talk_seconds,
                        disposition=e.disposition,
                        incident=IncidentRef.of(incidents[e.incident_id])
                        if e.incident_id in incidents else None)
               for e in earlier],
        counts=dict(counts),
        flags=caller_flags(earlier, now=call.received_at, active_incidents=active))


@router.get("/incidents/duplicates")
def duplicate_incidents(_: Person, siaga: SiagaDep,
                        type: str = Query(min_length=1, max_length=40),  # noqa: A002 - the API's word
                        lat: float = Query(ge=-90, le=90),
                        lon: float = Query(ge=-180, le=180)) -> DuplicateCheck:
    """Open incidents of this type near the point and opened lately (the center's
    `duplicate_distance_m` and `duplicate_minutes`): perhaps the same emergency."""
    if siaga.center.incident_type(type) is None:
        raise InvalidValue(f"unknown incident type '{type}'")
    thresholds = siaga.center.thresholds
    rule = DuplicateRule(thresholds.duplicate_distance_m, thresholds.duplicate_minutes)
    point, now = GeoPoint(lat, lon), siaga.clock.now()
    with siaga.uow() as uow:
        nearby = SqlConsoleQueries(uow.session).open_incidents_near(
            type, search_box(point, rule.distance_m),
            opened_since=now - timedelta(minutes=rule.minutes))
    found = possible_duplicates(nearby, type_code=type, point=point, now=now, rule=rule)
    return DuplicateCheck(distance_m=rule.distance_m, minutes=rule.minutes,
                          incidents=[DuplicatePublic.of(d) for d in found])
