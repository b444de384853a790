"""Units' positions as their crews report them (the agency console's geolocation, a tracker).

The fix is dated by the server's clock, not the phone's: a phone with a wrong clock must not
make its unit's position look newer (or older) than it is. The recommendation then measures
travel time from this fix instead of the unit's station (`position_source` `last_fix`).
"""

from __future__ import annotations

from siaga112.domain.clock import Clock
from siaga112.domain.errors import NotFound
from siaga112.domain.events import UnitPositionReported
from siaga112.domain.geo import GeoPoint
from siaga112.domain.units import Unit
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


def report_unit_position(cmd: c.ReportUnitPosition, uow: UnitOfWork, *, clock: Clock) -> Unit:
    point = GeoPoint(cmd.lat, cmd.lon)  # InvalidValue (422) outside the globe
    with uow:
        unit = uow.units.get(cmd.unit_code, for_update=True)
        if unit is None:
            raise NotFound(f"no unit {cmd.unit_code}")
        now = clock.now()
        unit.update_position(point, at=now)
        if unit.last_position_at == now:  # an older fix (clock stepped back) is dropped
            uow.record(UnitPositionReported(
                aggregate_id=unit.code, at=now, actor=cmd.by,
                data={"lat": point.lat, "lon": point.lon, "accuracy_m": cmd.accuracy_m}))
        uow.commit()
        return unit
