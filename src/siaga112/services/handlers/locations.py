"""Location fixes of a call: recorded from any source, chosen only by a person."""

from __future__ import annotations

import uuid

from siaga112.config import CenterConfig
from siaga112.domain.clock import Clock
from siaga112.domain.errors import InvalidValue, NotFound
from siaga112.domain.events import CallLocationChosen, LocationFixRecorded
from siaga112.domain.geo import GeoPoint
from siaga112.domain.locations import LocationFix
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork

# Beyond this distance from the center's map centre a fix is flagged: the caller may
# belong to a neighbouring center.
AREA_RADIUS_M = 40_000.0


def outside_area(center: CenterConfig, fix: LocationFix) -> bool:
    middle = GeoPoint(*center.center.map_center)
    return middle.distance_m(fix.point) > AREA_RADIUS_M


def record_location_fix(cmd: c.RecordLocationFix, uow: UnitOfWork, *, clock: Clock,
                        center: CenterConfig) -> uuid.UUID:
    now = clock.now()
    with uow:
        call = uow.calls.get(cmd.call_id)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        fix = LocationFix.create(
            source=cmd.source, lat=cmd.lat, lon=cmd.lon, radius_m=cmd.radius_m,
            confidence=cmd.confidence, method=cmd.method, fixed_at=cmd.fixed_at or now,
            received_at=now, call_id=call.id, caller_number=call.caller_number,
            detail=cmd.detail)
        fix.outside_area = outside_area(center, fix)
        uow.locations.add(fix)
        # The log says a fix came, from where and how precise; not where (personal data).
        uow.record(LocationFixRecorded(aggregate_id=str(call.id), at=now, after=cmd.source.value,
                                       data={"fix": str(fix.id), "radius_m": cmd.radius_m,
                                             "outside_area": fix.outside_area}))
        uow.commit()
        return fix.id


def choose_call_location(cmd: c.ChooseCallLocation, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = uow.calls.get(cmd.call_id, for_update=True)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        fix = uow.locations.get(cmd.fix_id)
        if fix is None or fix.call_id != call.id:
            raise InvalidValue(f"fix {cmd.fix_id} is not one of this call's locations")
        before = str(call.chosen_location_id) if call.chosen_location_id else None
        call.chosen_location_id = fix.id
        uow.record(CallLocationChosen(aggregate_id=str(call.id), at=clock.now(), actor=cmd.by,
                                      before=before, after=str(fix.id)))
        uow.commit()
