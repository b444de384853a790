"""The evaluation report of a period: every section, from one read-only snapshot.

`build_report` returns plain JSON-ready data; exports, charts, the console page, the
CLI and the API all render this one structure. Its top-level evaluation keys are the
stable contract of evaluation.py; the sections beside them are documented in
docs/reports.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import Beside, alongside, snapshot
from siaga112.config import CenterConfig
from siaga112.reports import breakdowns, call_counts, intervals, monthly, rollup
from siaga112.reports.caller_location import caller_location  # links and first fixes
from siaga112.reports.attribution import RULE
from siaga112.reports.evaluation import evaluation
from siaga112.reports.period import Period
from siaga112.reports.service_level import service_levels
from siaga112.reports.sql import TimeSql

REPORT_VERSION = 1


def build_report(*, engine: Engine, center: CenterConfig, period: Period,
                 generated_at: datetime | None = None, rollups: bool = True) -> dict[str, Any]:
    """`rollups=False`: every hour counted from the calls (the same numbers, slower)."""
    if rollups:
        refresh_rollups(engine, center, period)
    with snapshot(engine) as conn:
        return report_from(conn, center=center, period=period, generated_at=generated_at,
                           rollups=rollups)


def refresh_rollups(engine: Engine, center: CenterConfig, period: Period) -> int:
    """Roll up the period's closed hours not yet rolled up (or changed since): rollup.py."""
    return rollup.refresh(engine, period=period,
                          valid_call_seconds=center.thresholds.valid_call_seconds)


def report_from(conn: sa.Connection, *, center: CenterConfig, period: Period,
                generated_at: datetime | None = None, rollups: bool = True) -> dict[str, Any]:
    ts = TimeSql(conn.dialect.name, period.offsets())
    # With the calls' figures rolled up (rollup.py), two reads are most of what is left;
    # on PostgreSQL they run beside the rest (the same snapshot, two more connections):
    # the repeat callers (a year of calls grouped by number) and the verified emergencies
    # with their first calls.
    with _cycle_collector_paused(), alongside(conn, workers=2) as submit:
        repeat_callers = submit(lambda other: breakdowns.repeat_callers(other, period))
        emergencies = submit(lambda other: intervals.read_emergencies(
            other, period=period, ts=ts, center=center))
        return _sections(conn, center=center, period=period, ts=ts, generated_at=generated_at,
                         rollups=rollups, repeat_callers=repeat_callers,
                         emergencies=emergencies)


def _sections(conn: sa.Connection, *, center: CenterConfig, period: Period, ts: TimeSql,
              generated_at: datetime | None, rollups: bool,
              repeat_callers: Beside[list[dict[str, Any]]],
              emergencies: Beside[intervals.Emergencies]) -> dict[str, Any]:
    thresholds = center.thresholds
    hours, buckets = rollup.call_figures(conn, period=period, ts=ts, rollups=rollups,
                                         valid_call_seconds=thresholds.valid_call_seconds)
    totals = call_counts.total(h.counts for h in hours)
    service = service_levels(hours=hours, buckets=buckets,
                             thresholds=thresholds.service_level_seconds,
                             targets=thresholds.service_level_targets)
    places = breakdowns.incidents_by_place(conn, period)
    located = caller_location(conn, period=period, ts=ts, answered=totals.answered)
    found = emergencies.result()  # what follows needs them
    attributed = found.attribution()
    verified_per_day = attributed.per_day()
    return {
        "report": "siaga112.evaluation",
        "version": REPORT_VERSION,
        "center": {"code": center.center.code, "name": center.center.name,
                   "zone": center.center.timezone},
        "period": {**period.describe(), "days": period.days},
        "generated_at": (generated_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
        **evaluation(totals=totals, emergencies_verified=sum(verified_per_day.values()),
                     by_agency=attributed.by_agency(center),
                     valid_call_seconds=thresholds.valid_call_seconds),
        "agency_attribution": RULE,
        "service": service,
        "intervals": intervals.response_intervals(conn, period=period, ts=ts, center=center,
                                                  emergencies=found),
        "daily": breakdowns.per_day(hours, period, verified_per_day),
        "repeat_callers": repeat_callers.result(),
        "incidents": places,
        "monthly": monthly.monthly(conn, hours=hours, period=period, ts=ts, center=center,
                                   attributed=attributed),
        "caller_location": located,
    }


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A year's report makes some 100,000 small objects (rows, hours), all freed by
    reference counting; meanwhile the cycle collector's full passes over the whole heap
    cost ~0.3 s of its 1 s of Python (1M calls). Paused for the report, process-wide
    (another thread's cyclic garbage waits a second or two), never re-enabled if it was
    off already."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def report_and_points(*, engine: Engine, center: CenterConfig, period: Period,
                      generated_at: datetime | None = None
                      ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report and its verified emergencies' points for the map, from one snapshot."""
    refresh_rollups(engine, center, period)
    with snapshot(engine) as conn:
        return (report_from(conn, center=center, period=period, generated_at=generated_at),
                breakdowns.incident_points(conn, period))


def map_points(*, engine: Engine, period: Period) -> list[dict[str, Any]]:
    with snapshot(engine) as conn:
        return breakdowns.incident_points(conn, period)
