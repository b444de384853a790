"""Nuisance calls for education: pranks, silent calls and instant hang-ups of a period by
hour of day, day of week and kelurahan, and what screening decided (docs/nuisance-callers.md).

Counted by the day and hour the call arrived, in the center's zone. The kelurahan is the one
of the call's chosen location (the call-taker's pick: map, gazetteer or a fix they took;
reverse-geocoded with the center's gazetteer); failing that, the one written on the incident
the call is linked to; failing both, "unknown". A prank's location is only known when the
call-taker chose one: `located_by` says how many calls each source placed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_nuisance import call_screenings
from siaga112.config import CenterConfig
from siaga112.domain.calls import Disposition
from siaga112.domain.geo import GeoPoint
from siaga112.domain.nuisance import ScreeningOutcome
from siaga112.reports.period import Period
from siaga112.reports.stats import share
from siaga112.services.gazetteer import gazetteer_for

KINDS = (Disposition.PRANK.value, Disposition.SILENT.value, Disposition.HANG_UP.value)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_c, _i, _f, _s = tables.calls.c, tables.incidents.c, tables.location_fixes.c, call_screenings.c


def _zeros() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


def nuisance_report(*, engine: Engine, center: CenterConfig, period: Period) -> dict[str, Any]:
    in_period = sa.and_(_c.received_at >= period.start, _c.received_at < period.end)
    query = (sa.select(_c.received_at, _c.disposition, _f.lat, _f.lon,
                       _i.kelurahan.label("incident_kelurahan"))
             .select_from(tables.calls)
             .outerjoin(tables.location_fixes, _f.id == _c.chosen_location_id)
             .outerjoin(tables.incidents, _i.id == _c.incident_id)
             .where(in_period, _c.disposition.in_(KINDS)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        answered = int(conn.scalar(sa.select(sa.func.count()).select_from(tables.calls).where(
            in_period, _c.connected_at.is_not(None))) or 0)
        screened = dict(conn.execute(
            sa.select(_s.outcome, sa.func.count()).select_from(call_screenings)
            .join(tables.calls, _c.id == _s.call_id).where(in_period)
            .group_by(_s.outcome)).all())
        warned_emergencies = int(conn.scalar(
            sa.select(sa.func.count()).select_from(call_screenings)
            .join(tables.calls, _c.id == _s.call_id)
            .where(in_period, _s.outcome.in_([ScreeningOutcome.WARNED.value,
                                              ScreeningOutcome.BROKE_THROUGH.value]),
                   _c.disposition == Disposition.EMERGENCY.value)) or 0)

    gazetteer = gazetteer_for(center)
    kelurahan_names = {k.code: (k.name, k.kecamatan) for k in center.gazetteer.kelurahan}
    totals, hours = _zeros(), [_zeros() for _ in range(24)]
    weekdays = [_zeros() for _ in range(7)]
    places: dict[str | None, dict[str, int]] = {}
    located = Counter({"chosen_location": 0, "incident": 0, "unknown": 0})
    for row in rows:
        kind = str(row.disposition)
        local = row.received_at.astimezone(period.zone)
        totals[kind] += 1
        hours[local.hour][kind] += 1
        weekdays[local.weekday()][kind] += 1
        code: str | None = None
        if row.lat is not None and row.lon is not None:
            match = gazetteer.reverse(GeoPoint(row.lat, row.lon))
            code = match.kelurahan.code if match else None
        if code is not None:
            located["chosen_location"] += 1
        elif row.incident_kelurahan:
            code = row.incident_kelurahan
            located["incident"] += 1
        else:
            located["unknown"] += 1
        places.setdefault(code, _zeros())[kind] += 1

    def place(code: str | None, counts: dict[str, int]) -> dict[str, Any]:
        name, kecamatan = kelurahan_names.get(code or "", (code, None))
        return {"code": code, "name": name, "kecamatan": kecamatan, **counts,
                "total": sum(counts.values())}

    nuisance = sum(totals.values())
    return {
        "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                   "days": period.days},
        "zone": center.center.timezone,
        "kinds": list(KINDS),
        "kelurahan_from": ["chosen_location", "incident"],
        "totals": {"answered": answered, **totals, "nuisance": nuisance,
                   "nuisance_share": share(nuisance, answered)},
        "by_hour": [{"hour": h, **counts, "total": sum(counts.values())}
                    for h, counts in enumerate(hours)],
        "by_weekday": [{"weekday": WEEKDAYS[d], **counts, "total": sum(counts.values())}
                       for d, counts in enumerate(weekdays)],
        "by_kelurahan": sorted((place(code, counts) for code, counts in places.items()),
                               key=lambda p: (p["code"] is None, -p["total"], p["name"] or "")),
        "located_by": dict(located),
        "screening": {**{o.value: int(screened.get(o.value, 0)) for o in ScreeningOutcome},
                      "warned_then_emergency": warned_emergencies},
    }
