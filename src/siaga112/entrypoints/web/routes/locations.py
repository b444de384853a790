"""A call's location trail (every source), the call-taker's own fix and choice, and the
fixes that matched no call (for the supervisor)."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Query

from siaga112.domain.errors import NotFound
from siaga112.domain.locations import LocationMethod, LocationSource, suggested_fix
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.schemas_location import (
    CallLocations, LocationChoose, LocationFixPublic, ManualFixCreate, UnmatchedFixPublic,
)
from siaga112.services import commands as c
from siaga112.services.gazetteer import gazetteer_for

router = APIRouter(prefix=API, tags=["locations"], dependencies=[Authorized])


def _trail(siaga: SiagaDep, call_id: uuid.UUID) -> CallLocations:
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        if call is None:
            raise NotFound(f"no call {call_id}")
        fixes = list(uow.locations.for_call(call_id))
    suggested = suggested_fix(fixes)
    gazetteer = gazetteer_for(siaga.center)
    return CallLocations(
        call_id=call_id, chosen_fix_id=call.chosen_location_id,
        suggested_fix_id=suggested.id if suggested else None,
        fixes=[LocationFixPublic.of(f, gazetteer, suggested=f is suggested,
                                    chosen=f.id == call.chosen_location_id) for f in fixes])


@router.get("/calls/{call_id}/locations")
def call_locations(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> CallLocations:
    """Every fix of the call, oldest first, with the suggested one and the chosen one."""
    return _trail(siaga, call_id)


@router.post("/calls/{call_id}/locations", status_code=201)
def add_manual_fix(call_id: uuid.UUID, body: ManualFixCreate, user: Person,
                   siaga: SiagaDep) -> CallLocations:
    """The call-taker places the caller (map click or gazetteer pick); `choose` also takes
    it as the call's location."""
    detail = json.dumps({"label": body.label, "by": user.username} if body.label
                        else {"by": user.username}, ensure_ascii=True)
    fix_id = siaga.bus.handle(c.RecordLocationFix(
        call_id=call_id, source=LocationSource.MANUAL, lat=body.lat, lon=body.lon,
        radius_m=body.radius_m, method=LocationMethod.MANUAL, detail=detail))
    if body.choose:
        siaga.bus.handle(c.ChooseCallLocation(call_id=call_id, fix_id=fix_id, by=user.username))
    return _trail(siaga, call_id)


@router.post("/calls/{call_id}/location")
def choose_location(call_id: uuid.UUID, body: LocationChoose, user: Person,
                    siaga: SiagaDep) -> CallLocations:
    """Take one of the call's fixes as its location: only a person does this."""
    siaga.bus.handle(c.ChooseCallLocation(call_id=call_id, fix_id=body.fix_id, by=user.username))
    return _trail(siaga, call_id)


@router.get("/locations/unmatched")
def unmatched_fixes(_: Person, siaga: SiagaDep,
                    limit: int = Query(default=100, ge=1, le=1000)) -> list[UnmatchedFixPublic]:
    """Fixes that matched no call (numbers masked), newest first."""
    with siaga.uow() as uow:
        fixes = list(uow.locations.unmatched(limit=limit))
    gazetteer = gazetteer_for(siaga.center)
    return [UnmatchedFixPublic.unmatched(f, gazetteer) for f in fixes]
