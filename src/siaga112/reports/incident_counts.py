"""Incidents of a period, counted: verified emergencies, by agency, type, area and month.

An incident belongs to the period in which it was opened (`created_at`, the center's
days). A *verified emergency* is one that was verified and not later cancelled or found
to be a false alarm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Attribution:
    """The period's verified emergencies: each one's local day and the agencies it counts
    for (attribution.py), read once (intervals.read_emergencies) for every per-day and
    per-agency figure of the report."""

    days: dict[int, int]  # emergency (a row number) -> local day index since 1970-01-01
    agencies: dict[int, list[str]]  # emergency -> agency codes

    def per_day(self) -> dict[int, int]:
        return dict(Counter(self.days.values()))

    def by_agency(self, center: CenterConfig) -> dict[str, int]:
        found = Counter(a for codes in self.agencies.values() for a in set(codes))
        return {a.code: found.get(a.code, 0) for a in center.agencies}

    def by_day_and_agency(self) -> dict[int, dict[str, int]]:
        result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for emergency, codes in self.agencies.items():
            for agency in set(codes):
                result[self.days[emergency]][agency] += 1
        return result
