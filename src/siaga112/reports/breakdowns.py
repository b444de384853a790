"""The period broken down: per day, prank and silent share over time, repeat callers, places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, incidents
from siaga112.adapters.db.types import UtcDateTime
from siaga112.domain.calls import CallState, Disposition
from siaga112.domain.phone import mask_number
from siaga112.reports.call_counts import Counts, Hour
from siaga112.reports.incident_counts import verified, verified_by
from siaga112.reports.period import Period
from siaga112.reports.stats import mean, share

P, S = Disposition.PRANK.value, Disposition.SILENT.value
TOP_CALLERS = 10
MAP_POINTS_LIMIT = 20_000


def per_day(hours: Sequence[Hour], period: Period,
            emergencies: dict[int, int]) -> list[dict[str, Any]]:
    """One row per day of the period (days without calls too), in the center's days."""
    epoch = date(1970, 1, 1)
    days: dict[date, Counts] = {d: Counts() for d in period.each_day()}
    # By day number: a year's 8,760 hours are not made into dates one by one.
    by_number = {(day - epoch).days: counts for day, counts in days.items()}
    for h in hours:
        counts = by_number.get(h.index // 24)
        if counts is not None:
            counts.add(h.counts)
    rows = []
    for day, c in days.items():
        rows.append({
            "date": day.isoformat(), "calls": c.calls, "answered": c.answered,
            "abandoned_in_queue": c.abandoned_in_queue, "screened_out": c.screened_out,
            "valid": c.valid, "invalid": c.invalid, "prank": c.by_disposition[P],
            "silent": c.by_disposition[S],
            "answered_share": share(c.answered, c.calls),
            "mean_answer_seconds": mean(c.answer_seconds, c.answered),
            "prank_silent_share": share(c.by_disposition[P] + c.by_disposition[S], c.answered),
            "emergencies_verified": emergencies.get((day - epoch).days, 0),
        })
    return rows


def repeat_callers(conn: sa.Connection, period: Period,
                   limit: int = TOP_CALLERS) -> list[dict[str, Any]]:
    """The numbers that called most often, masked; with what their calls were."""
    c = calls.c
    n = sa.func.count().label("n")
    # Counted in the order of the (number, time) index: no sort and no hash table of every
    # number. SQLite is told the index (its planner prefers the time index here);
    # PostgreSQL is kept from hashing for this one query.
    if conn.dialect.name == "sqlite":
        top = sa.text(
            "SELECT caller_number, count(*) AS n FROM calls INDEXED BY ix_calls_caller_received"
            " WHERE received_at >= :start AND received_at < :end AND caller_number IS NOT NULL"
            " GROUP BY caller_number HAVING count(*) > 1 ORDER BY n DESC, caller_number"
            " LIMIT :limit").bindparams(
            sa.bindparam("start", period.start, type_=UtcDateTime),
            sa.bindparam("end", period.end, type_=UtcDateTime),
            sa.bindparam("limit", limit)).columns(
            sa.column("caller_number", sa.String), sa.column("n", sa.Integer)).subquery("top")
    else:
        top = (sa.select(c.caller_number, n)
               .where(c.received_at >= period.start, c.received_at < period.end,
                      c.caller_number.is_not(None))
               .group_by(c.caller_number).having(sa.func.count() > 1)
               .order_by(n.desc(), c.caller_number).limit(limit)).subquery("top")
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        conn.exec_driver_sql("SET LOCAL enable_hashagg = off")
    detail = conn.execute(
        sa.select(top.c.caller_number, top.c.n,
                  sa.func.count().filter(c.disposition == Disposition.PRANK),
                  sa.func.count().filter(c.disposition == Disposition.SILENT),
                  sa.func.count().filter(c.connected_at.is_(None)
                                         & (c.state == CallState.ABANDONED)))
        .join_from(top, calls, c.caller_number == top.c.caller_number)
        .where(c.received_at >= period.start, c.received_at < period.end)
        .group_by(top.c.caller_number, top.c.n)
        .order_by(top.c.n.desc(), top.c.caller_number)).all()
    if postgresql:
        conn.exec_driver_sql("SET LOCAL enable_hashagg = on")
    return [{"number": mask_number(number), "calls": int(total), "prank": int(prank),
             "silent": int(silent), "abandoned_in_queue": int(abandoned)}
            for number, total, prank, silent, abandoned in detail]


def incidents_by_place(conn: sa.Connection, period: Period) -> dict[str, Any]:
    i = incidents.c
    by_type = verified_by(conn, period, i.type_code)
    return {
        "by_type": {t: n for t, n in by_type},
        "by_type_kecamatan": [{"type": t, "kecamatan": k, "count": n}
                              for t, k, n in verified_by(conn, period, i.type_code, i.kecamatan)],
        "by_type_kelurahan": [{"type": t, "kelurahan": k, "count": n}
                              for t, k, n in verified_by(conn, period, i.type_code, i.kelurahan)],
        "without_location": int(conn.execute(
            sa.select(sa.func.count()).where(verified(period), i.location_lat.is_(None)))
            .scalar_one()),
    }


def incident_points(conn: sa.Connection, period: Period,
                    limit: int = MAP_POINTS_LIMIT) -> list[dict[str, Any]]:
    """Verified emergencies with a location: number, type, place; nothing about the caller."""
    i = incidents.c
    rows = conn.execute(
        sa.select(i.number, i.type_code, i.priority, i.location_lat, i.location_lon,
                  i.kecamatan, i.kelurahan)
        .where(verified(period), i.location_lat.is_not(None), i.location_lon.is_not(None))
        .order_by(i.created_at).limit(limit))
    return [{"number": number, "type": type_code, "priority": str(priority), "lat": lat,
             "lon": lon, "kecamatan": kec, "kelurahan": kel}
            for number, type_code, priority, lat, lon, kec, kel in rows]


def geojson(points: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
         "properties": {k: v for k, v in p.items() if k not in ("lat", "lon")}}
        for p in points]}
