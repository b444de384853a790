"""Incidents of a period, counted: verified emergencies, by agency, type, area and month.

An incident belongs to the period in which it was opened (`created_at`, the center's
days). A *verified emergency* is one that was verified and not later cancelled or found
to be a false alarm.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import incidents
from siaga112.config import CenterConfig
from siaga112.domain.incidents import IncidentStatus
from siaga112.reports.attribution import incident_agencies
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql

NOT_REAL = (IncidentStatus.CANCELLED, IncidentStatus.FALSE_ALARM)


def in_period(period: Period) -> sa.ColumnElement[bool]:
    i = incidents.c
    return (i.created_at >= period.start) & (i.created_at < period.end)


def verified(period: Period) -> sa.ColumnElement[bool]:
    i = incidents.c
    return in_period(period) & i.verified_at.is_not(None) & i.status.not_in(NOT_REAL)


def verified_by_agency(conn: sa.Connection, period: Period, center: CenterConfig) -> dict[str, int]:
    attributed = incident_agencies(center)
    rows = conn.execute(
        sa.select(attributed.c.agency_code, sa.func.count(sa.distinct(incidents.c.id)))
        .join_from(incidents, attributed, attributed.c.incident_id == incidents.c.id)
        .where(verified(period)).group_by(attributed.c.agency_code))
    found = {code: int(n) for code, n in rows}
    return {a.code: found.get(a.code, 0) for a in center.agencies}


def verified_by(conn: sa.Connection, period: Period,
                *columns: sa.ColumnElement[Any]) -> list[tuple[Any, ...]]:
    """Counts of verified emergencies grouped by the given incident columns."""
    query = (sa.select(*columns, sa.func.count()).where(verified(period))
             .group_by(*columns).order_by(*columns))
    return [tuple(row) for row in conn.execute(query)]


def verified_by_day(conn: sa.Connection, period: Period, ts: TimeSql) -> dict[int, int]:
    """{local day index since 1970-01-01: verified emergencies opened that day}."""
    day = (ts.hour_index(incidents.c.created_at) // 24).label("day")
    rows = conn.execute(sa.select(day, sa.func.count()).where(verified(period)).group_by(day))
    return {int(d): int(n) for d, n in rows}


def verified_by_day_and(conn: sa.Connection, period: Period, ts: TimeSql,
                        column: sa.ColumnElement[Any]) -> dict[int, dict[str, int]]:
    """{local day index: {value of column: verified emergencies}}."""
    day = (ts.hour_index(incidents.c.created_at) // 24).label("day")
    rows = conn.execute(sa.select(day, column, sa.func.count()).where(verified(period))
                        .group_by(day, column))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for d, value, n in rows:
        result[int(d)][value or ""] = int(n)
    return result


def verified_by_day_and_agency(conn: sa.Connection, period: Period, ts: TimeSql,
                               center: CenterConfig) -> dict[int, dict[str, int]]:
    attributed = incident_agencies(center)
    day = (ts.hour_index(incidents.c.created_at) // 24).label("day")
    rows = conn.execute(
        sa.select(day, attributed.c.agency_code, sa.func.count(sa.distinct(incidents.c.id)))
        .join_from(incidents, attributed, attributed.c.incident_id == incidents.c.id)
        .where(verified(period)).group_by(day, attributed.c.agency_code))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for d, agency, n in rows:
        result[int(d)][agency] = int(n)
    return result
