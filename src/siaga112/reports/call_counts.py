"""The two passes over the calls that every call figure comes from.

1. `hourly_counts`: per local hour, how many calls and what became of them
   (answered, abandoned in queue, screened out, valid, each disposition).
   Days, weekdays, months and the period's totals are sums of these rows.
2. `answer_histogram`: answered calls per hour of the week and answer time in whole
   seconds rounded up: shares answered within N s and percentiles come from it
   without reading a single call into Python (exact means from the hourly sums).

Both are one aggregate query each, over the covering index `ix_calls_report`. A report
whose hours are rolled up reads the same figures per hour from the rollups instead
(rollup.py, hour_figures.py: `figures` and `counts_from` below are shared).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls
from siaga112.domain.calls import NUISANCE_DISPOSITIONS, CallState, Disposition
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql

EPOCH_DAY = date(1970, 1, 1)
DISPOSITIONS = tuple(d.value for d in Disposition)


@dataclass
class Counts:
    """What became of a set of calls (all additive)."""

    calls: int = 0
    answered: int = 0
    abandoned_in_queue: int = 0
    abandoned_by_fault: int = 0  # of abandoned_in_queue: ended by a fault before an answer
    screened_out: int = 0
    valid: int = 0
    answer_micros: int = 0  # answer times summed over the answered calls, exact
    by_disposition: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DISPOSITIONS, 0))

    def add(self, other: Counts) -> None:
        # Spelled out: a year's report adds some 30,000 hours (dataclasses.fields() per add
        # cost a third of a second).
        self.calls += other.calls
        self.answered += other.answered
        self.abandoned_in_queue += other.abandoned_in_queue
        self.abandoned_by_fault += other.abandoned_by_fault
        self.screened_out += other.screened_out
        self.valid += other.valid
        self.answer_micros += other.answer_micros
        mine = self.by_disposition
        for key, value in other.by_disposition.items():
            mine[key] += value

    @property
    def answer_seconds(self) -> float:
        return self.answer_micros / 1_000_000

    @property
    def still_waiting(self) -> int:
        """Calls not yet answered nor ended when the report ran."""
        return self.calls - self.answered - self.abandoned_in_queue - self.screened_out

    @property
    def invalid(self) -> int:
        return self.answered - self.valid

    @property
    def undisposed(self) -> int:
        """Answered calls without a disposition (imported history, or not yet set)."""
        return self.answered - sum(self.by_disposition.values())


if [f.name for f in fields(Counts)] != ["calls", "answered", "abandoned_in_queue",
                                        "abandoned_by_fault", "screened_out", "valid",
                                        "answer_micros", "by_disposition"]:
    raise TypeError("a field of Counts changed: Counts.add adds each one by name")


@dataclass(frozen=True)
class Hour:
    index: int  # local hours since 1970-01-01 00:00 local
    counts: Counts

    @property
    def day(self) -> date:
        return EPOCH_DAY + timedelta(days=self.index // 24)

    @property
    def hour(self) -> int:
        return self.index % 24


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for c in counts:
        result.add(c)
    return result


# The figures of a set of calls, in the order `figures` computes them (and the names
# of the rolled-up hours' columns, adapters/db/tables_reports.py).
FIGURES = ("calls", "answered", "abandoned_in_queue", "abandoned_by_fault", "screened_out",
           "valid", "answer_micros", *[f"disposition_{d}" for d in DISPOSITIONS])


def figures(ts: TimeSql, valid_call_seconds: float) -> list[sa.ColumnElement[Any]]:
    """The aggregates of FIGURES over the calls of a query."""
    c = calls.c
    answered = c.connected_at.is_not(None)
    unanswered = c.connected_at.is_(None)
    talk_end = sa.func.coalesce(c.released_at, c.interrupted_at)
    not_nuisance = c.disposition.is_(None) | c.disposition.not_in(sorted(NUISANCE_DISPOSITIONS))

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.count().filter(condition)

    return [
        sa.func.count(), count(answered),
        count(unanswered & c.state.in_([CallState.ABANDONED, CallState.INTERRUPTED])),
        count(unanswered & (c.state == CallState.INTERRUPTED)),
        count(unanswered & (c.state == CallState.RELEASED)),
        count(answered & ts.longer_than(c.connected_at, talk_end, valid_call_seconds)
              & not_nuisance),
        ts.sum_micros(c.received_at, c.connected_at),
        *[count(c.disposition == d) for d in DISPOSITIONS],
    ]


def counts_from(values: Sequence[Any]) -> Counts:
    """Counts from the values of FIGURES, in order (database rows, packed text)."""
    calls_, answered, abandoned, by_fault, screened, valid, micros, *dispositions = map(
        int, values)
    return Counts(calls_, answered, abandoned, by_fault, screened, valid, micros,
                  dict(zip(DISPOSITIONS, dispositions, strict=True)))


def hourly_counts(conn: sa.Connection, *, period: Period, ts: TimeSql,
                  valid_call_seconds: float) -> list[Hour]:
    """Per local hour of the period, straight from the calls (hours without calls left out)."""
    c = calls.c
    aggregates = figures(ts, valid_call_seconds)
    if conn.dialect.name == "sqlite" and len(ts.offsets) == 1:
        rows = _hour_by_hour(conn, aggregates, period=period, offset=ts.offsets[0][1])
    else:
        hour = ts.hour_index(c.received_at).label("hour")
        rows = conn.execute(
            sa.select(hour, *aggregates)
            .where(c.received_at >= period.start, c.received_at < period.end)
            .group_by(hour)).all()
    result = [Hour(int(row[0]), counts_from(row[1:])) for row in rows if int(row[1])]
    return sorted(result, key=lambda h: h.index)


def _hour_by_hour(conn: sa.Connection, figures: list[sa.ColumnElement[Any]], *,
                  period: Period, offset: int) -> list[tuple[Any, ...]]:
    """SQLite: the same figures, one correlated aggregate per local hour.

    SQLite has no hash aggregate: a GROUP BY over a year of calls sorts every call with
    its timestamps. Reading the covering index one hour at a time (a seek, then that
    hour's calls in order) needs no sort and takes about half the time. The hour's
    figures come back packed in one text value, `calls,answered,...`.
    """
    c = calls.c
    first = (int(period.start.timestamp()) + offset) // 3600
    last = (int(period.end.timestamp()) + offset) // 3600  # exclusive
    hours = sa.select(sa.literal(first, sa.Integer).label("h")).cte("hours", recursive=True)
    hours = hours.union_all(sa.select(hours.c.h + 1).where(hours.c.h + 1 < last))

    def start_of(hour: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
        # The stored text form of a UTC time (SQLAlchemy's): '2025-06-09 16:00:00.000000'.
        utc = sa.func.strftime("%Y-%m-%d %H:%M:%S", hour * 3600 - offset, "unixepoch")
        return utc.op("||")(".000000")

    packed: sa.ColumnElement[Any] = sa.cast(figures[0], sa.String)
    for figure in figures[1:]:
        packed = packed.op("||")(",").op("||")(sa.cast(figure, sa.String))
    per_hour = (sa.select(packed)
                .where(sa.type_coerce(c.received_at, sa.String) >= start_of(hours.c.h),
                       sa.type_coerce(c.received_at, sa.String) < start_of(hours.c.h + 1))
                .scalar_subquery())
    return [(h, *text.split(",")) for h, text in conn.execute(sa.select(hours.c.h, per_hour))]


@dataclass(frozen=True)
class AnswerBucket:
    hour_of_week: int  # 0 = Monday 00:00 local
    seconds: int  # answer time rounded up to a whole second
    calls: int


def answer_histogram(conn: sa.Connection, *, period: Period, ts: TimeSql) -> list[AnswerBucket]:
    """Answered calls per (hour of the week, whole seconds up); exact sums are hourly's."""
    c = calls.c
    inner = (sa.select(ts.hour_of_week(c.received_at).label("how"),
                       ts.whole_seconds_up(c.received_at, c.connected_at).label("up"))
             .where(c.received_at >= period.start, c.received_at < period.end,
                    c.connected_at.is_not(None)))
    if conn.dialect.name == "sqlite":
        # LIMIT -1 keeps SQLite from flattening the subquery: its sorter then holds two
        # small integers a call instead of the timestamps (half the time on a million).
        inner = inner.limit(-1)
    cells = inner.subquery("cells")
    query = (sa.select(cells.c.how, cells.c.up, sa.func.count())
             .group_by(cells.c.how, cells.c.up))
    return [AnswerBucket(int(how), max(0, int(up)), int(n)) for how, up, n in conn.execute(query)]
