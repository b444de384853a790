"""The two passes over the calls that every call figure comes from.

1. `hourly_counts`: per local hour, how many calls and what became of them
   (answered, abandoned in queue, screened out, valid, each disposition).
   Days, weekdays, months and the period's totals are sums of these rows.
2. `answer_histogram`: answered calls per hour of the week and answer time in whole
   seconds rounded up: shares answered within N s and percentiles come from it
   without reading a single call into Python (exact means from the hourly sums).

Both are one aggregate query each, over the covering index `ix_calls_report`.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    answer_seconds: float = 0.0  # summed over the answered calls
    by_disposition: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DISPOSITIONS, 0))

    def add(self, other: Counts) -> None:
        for f in fields(self):
            if f.name == "by_disposition":
                for key, value in other.by_disposition.items():
                    self.by_disposition[key] += value
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

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


def hourly_counts(conn: sa.Connection, *, period: Period, ts: TimeSql,
                  valid_call_seconds: float) -> list[Hour]:
    c = calls.c
    answered = c.connected_at.is_not(None)
    unanswered = c.connected_at.is_(None)
    talk_end = sa.func.coalesce(c.released_at, c.interrupted_at)
    not_nuisance = c.disposition.is_(None) | c.disposition.not_in(sorted(NUISANCE_DISPOSITIONS))

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.count().filter(condition)

    figures = [
        sa.func.count(), count(answered),
        count(unanswered & c.state.in_([CallState.ABANDONED, CallState.INTERRUPTED])),
        count(unanswered & (c.state == CallState.INTERRUPTED)),
        count(unanswered & (c.state == CallState.RELEASED)),
        count(answered & ts.longer_than(c.connected_at, talk_end, valid_call_seconds)
              & not_nuisance),
        sa.func.coalesce(sa.func.sum(ts.seconds(c.received_at, c.connected_at)), 0.0),
        *[count(c.disposition == d) for d in DISPOSITIONS],
    ]
    if conn.dialect.name == "sqlite" and len(ts.offsets) == 1:
        rows = _hour_by_hour(conn, figures, period=period, offset=ts.offsets[0][1])
    else:
        hour = ts.hour_index(c.received_at).label("hour")
        rows = conn.execute(
            sa.select(hour, *figures)
            .where(c.received_at >= period.start, c.received_at < period.end)
            .group_by(hour)).all()
    result = []
    for row in rows:
        if not row[1]:
            continue
        result.append(Hour(int(row[0]), Counts(
            calls=int(row[1]), answered=int(row[2]), abandoned_in_queue=int(row[3]),
            abandoned_by_fault=int(row[4]), screened_out=int(row[5]), valid=int(row[6]),
            answer_seconds=float(row[7] or 0.0),
            by_disposition=dict(zip(DISPOSITIONS, map(int, row[8:]), strict=True)))))
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
