"""The evaluation report of a period: every section, from one read-only snapshot.

`build_report` returns plain JSON-ready data; exports, charts, the console page, the
CLI and the API all render this one structure. Its top-level evaluation keys are the
stable contract of evaluation.py; the sections beside them are documented in
docs/reports.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import snapshot
from siaga112.config import CenterConfig
from siaga112.reports import breakdowns, call_counts, incident_counts, intervals, monthly
from siaga112.reports.caller_location import caller_location  # links and first fixes
from siaga112.reports.attribution import RULE
from siaga112.reports.evaluation import evaluation
from siaga112.reports.period import Period
from siaga112.reports.service_level import service_levels
from siaga112.reports.sql import TimeSql

REPORT_VERSION = 1


def build_report(*, engine: Engine, center: CenterConfig, period: Period,
                 generated_at: datetime | None = None) -> dict[str, Any]:
    with snapshot(engine) as conn:
        return report_from(conn, center=center, period=period, generated_at=generated_at)


def report_from(conn: sa.Connection, *, center: CenterConfig, period: Period,
                generated_at: datetime | None = None) -> dict[str, Any]:
    ts = TimeSql(conn.dialect.name, period.offsets())
    thresholds = center.thresholds
    hours = call_counts.hourly_counts(conn, period=period, ts=ts,
                                      valid_call_seconds=thresholds.valid_call_seconds)
    buckets = call_counts.answer_histogram(conn, period=period, ts=ts)
    totals = call_counts.total(h.counts for h in hours)
    by_agency = incident_counts.verified_by_agency(conn, period, center)
    verified_per_day = incident_counts.verified_by_day(conn, period, ts)
    return {
        "report": "siaga112.evaluation",
        "version": REPORT_VERSION,
        "center": {"code": center.center.code, "name": center.center.name,
                   "zone": center.center.timezone},
        "period": {**period.describe(), "days": period.days},
        "generated_at": (generated_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
        **evaluation(totals=totals, emergencies_verified=sum(verified_per_day.values()),
                     by_agency=by_agency, valid_call_seconds=thresholds.valid_call_seconds),
        "agency_attribution": RULE,
        "service": service_levels(hours=hours, buckets=buckets,
                                  thresholds=thresholds.service_level_seconds,
                                  targets=thresholds.service_level_targets),
        "intervals": intervals.response_intervals(conn, period=period, ts=ts, center=center),
        "daily": breakdowns.per_day(hours, period, verified_per_day),
        "repeat_callers": breakdowns.repeat_callers(conn, period),
        "incidents": breakdowns.incidents_by_place(conn, period),
        "monthly": monthly.monthly(conn, hours=hours, period=period, ts=ts, center=center),
        "caller_location": caller_location(conn, period=period, ts=ts,
                                           answered=totals.answered),
    }


def report_and_points(*, engine: Engine, center: CenterConfig, period: Period,
                      generated_at: datetime | None = None
                      ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report and its verified emergencies' points for the map, from one snapshot."""
    with snapshot(engine) as conn:
        return (report_from(conn, center=center, period=period, generated_at=generated_at),
                breakdowns.incident_points(conn, period))


def map_points(*, engine: Engine, period: Period) -> list[dict[str, Any]]:
    with snapshot(engine) as conn:
        return breakdowns.incident_points(conn, period)
