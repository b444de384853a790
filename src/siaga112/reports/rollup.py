"""Rolled-up hours: a year's report reads ~8,760 hour rows, not a million calls (ADR 0003).

Per UTC hour, `report_hours` holds what became of the hour's calls and
`report_hour_answers` their answer times, both stamped with the hour's change counter
(`report_hour_changes`) as it stood in the snapshot they were counted from. Triggers on
`calls` (migration 0013) raise the counter of a call's hour in the writer's own
transaction, whatever path writes. A report, inside its one snapshot, uses a rolled-up
hour only while its counter still stands there (and the figures' `recipe` is its own),
and counts every other hour from the calls with the same queries (hour_figures.py): the
numbers are the same with or without rollups, and a change is in the next report.

Why a counter is enough: writers of one hour's calls raise the same counter row, so they
take turns on its lock; a snapshot that sees the counter at n sees exactly the writers
up to the n-th, the same calls as the snapshot the rollup was counted from. Only hours
being rolled up have a counter (the builder makes it, at 0), and only hours that ended
SETTLE ago are rolled up: the triggers skip a call of this hour or the last one
outright (their `WHEN`), so the calls being taken pay nothing, and a change to an older
hour never rolled up costs one index lookup. A writer whose trigger ran before its
hour's counter existed is waited for before the hour is counted (PostgreSQL; on SQLite
the builder makes the counters and counts the hours holding the one write lock).

Rollups are built, before a report opens its snapshot (or by `siaga112 report
--refresh-rollups`), for the period's hours that ended SETTLE ago: a call still in
progress at the hour's end would soon change it again. Only a zone whose UTC offset is
a whole number of hours over the whole period (all of Indonesia) maps UTC hours onto
the center's; any other period is counted from the calls (call_counts.py).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from siaga112.adapters.db.tables_reports import (
    report_hour_answers,
    report_hour_changes,
    report_hours,
)
from siaga112.adapters.db.types import UtcDateTime
from siaga112.reports import call_counts
from siaga112.reports.call_counts import FIGURES, AnswerBucket, Counts, Hour
from siaga112.reports.hour_figures import (
    Range,
    answers_by_hour,
    figures_by_hour,
    runs,
    start_of,
)
from siaga112.reports.period import Period
from siaga112.reports.sql import HOURS_BEFORE_EPOCH_MONDAY, TimeSql

log = logging.getLogger(__name__)

RECIPE_VERSION = 1  # raise when a figure's definition changes: every rollup is rebuilt
# Never less than an hour: the triggers skip the calls of this hour and the last one
# (their `WHEN`, migration 0013), so only hours before those may ever get a counter.
SETTLE = timedelta(hours=1)
TRIGGERS = ("calls_report_hour_insert", "calls_report_hour_update", "calls_report_hour_moved",
            "calls_report_hour_delete")  # migration 0013_report_rollups
BUILD_LOCK = 112_007  # PostgreSQL advisory lock: one builder at a time
WRITERS_WAIT = 30.0  # seconds a builder waits for the writers in flight, then gives up
# Hours built per transaction. SQLite holds its one write lock meanwhile (calls being
# stored wait): three days at a time, some 40 ms at a million calls a year. PostgreSQL
# blocks no writer.
CHUNK_HOURS = {"sqlite": 72, "postgresql": 24 * 31}
MAX_RUNS = 32  # more gaps than this: one query over their span, extra hours dropped


def recipe(valid_call_seconds: float) -> str:
    return f"v{RECIPE_VERSION};valid>{float(valid_call_seconds)!r}s"


def hour_shift(period: Period) -> int | None:
    """Local hour = UTC hour + this, when that holds over the whole period; else None."""
    offsets = period.offsets()
    if len(offsets) != 1 or offsets[0][1] % 3600:
        return None
    return offsets[0][1] // 3600


def utc_hours(period: Period) -> Range:
    return int(period.start.timestamp()) // 3600, int(period.end.timestamp()) // 3600


def triggers_present(conn: sa.Connection) -> bool:
    """Without all its triggers a change could go unseen: then no rollup is trusted.

    (A migration that rebuilds `calls` by copying it, as SQLite's batch mode does, drops
    its triggers: this makes such a slip cost speed, not correctness.)"""
    if conn.dialect.name == "postgresql":
        found = conn.execute(sa.text(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('calls') "
            "AND tgname = ANY(:names) AND tgenabled <> 'D'"), {"names": list(TRIGGERS)})
    else:
        found = conn.execute(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls' "
            "AND name IN (:a, :b, :c, :d)"), dict(zip("abcd", TRIGGERS, strict=True)))
    return found.scalar_one() == len(TRIGGERS)


def _current(first: int, last: int, recipe_: str) -> sa.ColumnElement[bool]:
    """The rolled-up hours of [first, last) still true to the calls (`_with_changes`)."""
    r, c = report_hours.c, report_hour_changes.c
    return sa.and_(r.hour >= first, r.hour < last, r.recipe == recipe_, r.changes == c.changes)


def _with_changes() -> sa.Join:
    return report_hours.join(report_hour_changes,
                             report_hour_changes.c.hour == report_hours.c.hour)


# -- building -------------------------------------------------------------------------
def refresh(engine: Engine, *, period: Period, valid_call_seconds: float,
            now: datetime | None = None) -> int:
    """Build the period's closed hours that are missing or out of date; how many were built.

    Never needed for a right answer: a failure is logged and the report counts those
    hours from the calls."""
    if hour_shift(period) is None:
        return 0
    first, last = utc_hours(period)
    recipe_ = recipe(valid_call_seconds)
    built = 0
    try:
        with _builder(engine) as conn:
            with conn.begin():
                # The triggers' clock (the database's), never later: see SETTLE.
                clock = _clock(conn)
                settled = int((min(now or clock, clock) - SETTLE).timestamp()) // 3600
                last = min(last, settled)  # hours that ended before `now - SETTLE`
                if last <= first:
                    return 0
                if not triggers_present(conn):
                    log.error("report rollups: the triggers on calls are missing; "
                              "reports count every hour from the calls")
                    return 0
                current = set(conn.execute(sa.select(report_hours.c.hour)
                                           .select_from(_with_changes())
                                           .where(_current(first, last, recipe_))).scalars())
            stale = runs([h for h in range(first, last) if h not in current])
            if not stale:
                return 0
            counters, build = _builds(conn, valid_call_seconds, recipe_)
            if conn.dialect.name == "postgresql":
                with conn.begin():
                    conn.execute(counters, [{"first": a, "last": b} for a, b in stale])
                if not _writers_done(conn):
                    log.warning("report rollups: writers still in flight after %.0f s; "
                                "reports count these hours from the calls", WRITERS_WAIT)
                    return 0
            size = CHUNK_HOURS.get(conn.dialect.name, 24)
            for a, b in stale:
                for start in range(a, b, size):
                    with conn.begin():
                        build((start, min(b, start + size)))
                    built += min(b, start + size) - start
    except sa.exc.DBAPIError:
        log.exception("report rollups: building failed after %d hours; reports count the "
                      "other hours from the calls", built)
    return built


def _clock(conn: sa.Connection) -> datetime:
    if conn.dialect.name == "postgresql":
        moment: datetime = conn.exec_driver_sql("SELECT clock_timestamp()").scalar_one()
        return moment
    return datetime.now(UTC)  # SQLite's 'now' is this host's clock


@contextmanager
def _builder(engine: Engine) -> Iterator[sa.Connection]:
    """A connection whose transactions each see one snapshot, one builder at a time.

    PostgreSQL: REPEATABLE READ, under a session advisory lock taken *before* the
    transaction (so its snapshot sees what the previous builder committed). SQLite: the
    main engine's BEGIN IMMEDIATE already makes every builder and writer take turns."""
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            yield conn
            return
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({BUILD_LOCK})")
        conn.commit()
        try:
            yield conn.execution_options(isolation_level="REPEATABLE READ")
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({BUILD_LOCK})")
            conn.commit()


def _writers_done(conn: sa.Connection) -> bool:
    """PostgreSQL: wait until every transaction running now has ended.

    The counters just made exist for every writer from now on; one whose trigger ran
    before (and found no counter to raise) is among the transactions running now, and
    once it has ended a new snapshot sees its call."""
    with conn.begin():
        horizon = conn.exec_driver_sql(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text").scalar_one()
    deadline = time.monotonic() + WRITERS_WAIT
    while True:
        with conn.begin():  # a new snapshot each time (REPEATABLE READ keeps one per transaction)
            if conn.execute(sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot()) "
                                    ">= CAST(:horizon AS xid8)"),
                            {"horizon": horizon}).scalar_one():
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _builds(conn: sa.Connection, valid_call_seconds: float, recipe_: str
            ) -> tuple[sa.Executable, Callable[[Range], None]]:
    """The statement making the counters of hours `first`..`last`, and the build of a range
    of hours: statements made once, run for every range (made per range, SQLAlchemy's own
    work cost more than SQLite's)."""
    ts = TimeSql(conn.dialect.name, [])
    r, a, c = report_hours.c, report_hour_answers.c, report_hour_changes.c
    first = sa.bindparam("first", type_=sa.BigInteger)
    last = sa.bindparam("last", type_=sa.BigInteger)
    start, end = sa.bindparam("start", type_=UtcDateTime), sa.bindparam("end", type_=UtcDateTime)
    series = sa.select(first.label("hour")).cte("series", recursive=True)
    series = series.union_all(sa.select(series.c.hour + 1).where(series.c.hour + 1 < last))
    zeros = sa.select(series.c.hour, sa.literal(0, sa.BigInteger))
    if ts.postgresql:
        counters: sa.Executable = postgresql.insert(report_hour_changes).from_select(
            ["hour", "changes"], zeros).on_conflict_do_nothing()
    else:
        counters = report_hour_changes.insert().prefix_with("OR IGNORE").from_select(
            ["hour", "changes"], zeros)
    found = figures_by_hour(ts, (start, end), valid_call_seconds).subquery("found")
    statements = [
        counters,  # again: on SQLite the counters are made in the build's transaction
        report_hour_answers.delete().where(a.hour >= first, a.hour < last),
        report_hours.delete().where(r.hour >= first, r.hour < last),
        # Hours without calls get a row too (of zeros): built, not missing.
        report_hours.insert().from_select(
            ["hour", "changes", "recipe", *FIGURES],
            sa.select(series.c.hour, c.changes, sa.literal(recipe_),
                      *[sa.func.coalesce(found.c[i + 1], 0) for i in range(len(FIGURES))])
            .select_from(series.join(report_hour_changes, c.hour == series.c.hour)
                         .outerjoin(found, found.c.hour == series.c.hour))),
        report_hour_answers.insert().from_select(["hour", "seconds", "calls"],
                                                 answers_by_hour(ts, (start, end))),
    ]

    def build(hours: Range) -> None:
        """Replace the rollups of `hours` by what the calls say now, stamped with the
        counters of the same snapshot."""
        bounds = {"first": hours[0], "last": hours[1], "start": start_of(hours[0]),
                  "end": start_of(hours[1])}
        for statement in statements:
            conn.execute(statement, bounds)

    return counters, build


# -- reading --------------------------------------------------------------------------
def call_figures(conn: sa.Connection, *, period: Period, ts: TimeSql,
                 valid_call_seconds: float, rollups: bool = True
                 ) -> tuple[list[Hour], list[AnswerBucket]]:
    """The period's hours (local, those with calls) and answer-time buckets, from the
    rolled-up hours that are still true plus the calls of every other hour."""
    shift = hour_shift(period)
    if not rollups or shift is None or not triggers_present(conn):
        return (call_counts.hourly_counts(conn, period=period, ts=ts,
                                          valid_call_seconds=valid_call_seconds),
                call_counts.answer_histogram(conn, period=period, ts=ts))
    first, last = utc_hours(period)
    current = _current(first, last, recipe(valid_call_seconds))
    by_hour: dict[int, Counts | None] = {}  # None: rolled up, without calls
    for row in conn.execute(sa.select(report_hours.c.hour, *[report_hours.c[f] for f in FIGURES])
                            .select_from(_with_changes()).where(current)).all():
        by_hour[row[0]] = call_counts.counts_from(row[1:]) if row[1] else None
    cells: Counter[tuple[int, int]] = Counter()
    covered = runs(sorted(by_hour))
    if covered:
        a = report_hour_answers.c
        how = (a.hour + (shift + HOURS_BEFORE_EPOCH_MONDAY)) % 168
        query = sa.select(how, a.seconds, sa.func.sum(a.calls)).group_by(how, a.seconds)
        if len(covered) <= MAX_RUNS:
            # An hour's answers are written and replaced with its row, in one transaction:
            # in this snapshot the answers of a current hour are that hour's, no join.
            query = query.where(sa.or_(*[(a.hour >= x) & (a.hour < y) for x, y in covered]))
        else:
            query = query.select_from(report_hour_answers.join(
                _with_changes(), report_hours.c.hour == a.hour)).where(current)
        for hour_of_week, seconds, n in conn.execute(query).all():
            cells[(int(hour_of_week), int(seconds))] += int(n)
    missing = [h for h in range(first, last) if h not in by_hour]
    if missing:
        _count_from_calls(conn, missing, valid_call_seconds, shift, by_hour, cells)
    hours = [Hour(h + shift, counts) for h, counts in sorted(by_hour.items())
             if counts is not None and counts.calls]
    buckets = [AnswerBucket(how_, max(0, s), n) for (how_, s), n in cells.items()]
    return hours, buckets


def _count_from_calls(conn: sa.Connection, missing: list[int], valid_call_seconds: float,
                      shift: int, by_hour: dict[int, Counts | None],
                      cells: Counter[tuple[int, int]]) -> None:
    ts = TimeSql(conn.dialect.name, [])
    wanted = set(missing)
    gaps = runs(missing)
    if len(gaps) > MAX_RUNS:
        gaps = [(missing[0], missing[-1] + 1)]  # rolled-up hours inside are dropped below
    for row in conn.execute(figures_by_hour(ts, gaps, valid_call_seconds)).all():
        if int(row[0]) in wanted:
            by_hour[int(row[0])] = call_counts.counts_from(row[1:])
    for hour, seconds, n in conn.execute(answers_by_hour(ts, gaps)).all():
        if int(hour) in wanted:
            cells[((int(hour) + shift + HOURS_BEFORE_EPOCH_MONDAY) % 168, int(seconds))] += int(n)
