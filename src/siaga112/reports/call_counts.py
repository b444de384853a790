"""The two passes over the calls that every call figure comes from.

1. `hourly_counts`: per local hour, how many calls and what became of them
   (answered, abandoned in queue, screened out, valid, each disposition).
   Days, weekdays, months and the period's totals are sums of these rows.
2. `answer_histogram`: answered calls per hour of the week and answer time in whole
   seconds rounded up, with the exact seconds summed: shares answered within N s,
   means and percentiles come from it without reading a single call into Python.

Both are one aggregate query each, over the covering index `ix_calls_report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

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
    hour = ts.hour_index(c.received_at).label("hour")

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.count().filter(condition)

    query = (
        sa.select(
            hour, sa.func.count().label("calls"), count(answered).label("answered"),
            count(unanswered & c.state.in_([CallState.ABANDONED, CallState.INTERRUPTED])),
            count(unanswered & (c.state == CallState.INTERRUPTED)),
            count(unanswered & (c.state == CallState.RELEASED)),
            count(answered & ts.longer_than(c.connected_at, talk_end, valid_call_seconds)
                  & not_nuisance),
            sa.func.sum(ts.seconds(c.received_at, c.connected_at)),
            *[count(c.disposition == d) for d in DISPOSITIONS],
        )
        .where(c.received_at >= period.start, c.received_at < period.end)
        .group_by(hour)
    )
    result = []
    for row in conn.execute(query):
        result.append(Hour(int(row[0]), Counts(
            calls=row[1], answered=row[2], abandoned_in_queue=row[3], abandoned_by_fault=row[4],
            screened_out=row[5], valid=row[6], answer_seconds=float(row[7] or 0.0),
            by_disposition=dict(zip(DISPOSITIONS, row[8:], strict=True)))))
    return sorted(result, key=lambda h: h.index)


@dataclass(frozen=True)
class AnswerBucket:
    hour_of_week: int  # 0 = Monday 00:00 local
    seconds: int  # answer time rounded up to a whole second
    calls: int
    exact_seconds: float  # their answer times summed, exact


def answer_histogram(conn: sa.Connection, *, period: Period, ts: TimeSql) -> list[AnswerBucket]:
    c = calls.c
    how = ts.hour_of_week(c.received_at).label("how")
    up = ts.whole_seconds_up(c.received_at, c.connected_at).label("up")
    query = (
        sa.select(how, up, sa.func.count(), sa.func.sum(ts.seconds(c.received_at, c.connected_at)))
        .where(c.received_at >= period.start, c.received_at < period.end,
               c.connected_at.is_not(None))
        .group_by(how, up)
    )
    return [AnswerBucket(int(r[0]), max(0, int(r[1])), int(r[2]), float(r[3] or 0.0))
            for r in conn.execute(query)]
