"""The calls' figures per UTC hour: what a rollup stores, and what fills the hours it lacks.

The same two queries build the rolled-up hours (rollup.py) and count, at report time,
the hours that are not rolled up: whichever way an hour is read, its numbers come from
the same SQL. An hour is the one the triggers of migration 0013 count a call's changes
in (`utc_hour`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls
from siaga112.reports.call_counts import figures
from siaga112.reports.sql import TimeSql

Range = tuple[int, int]  # UTC hours since 1970, [first, last)
# Or one range's start and end times as parameters bound at execution: a statement
# built once and run for many ranges (rollup.py's builder).
Bound = tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]


def start_of(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, UTC)


def utc_hour(ts: TimeSql, moment: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """The UTC hour of a stored time: exactly the triggers' expression."""
    if ts.postgresql:
        epoch = sa.func.date_part("epoch", moment, type_=sa.Float)
        return sa.cast(sa.func.floor(epoch / sa.literal(3600, sa.Float)), sa.BigInteger)
    # SQLite: the text 'YYYY-MM-DD HH', as the text comparisons of every period filter see it.
    whole_hour = sa.func.substr(moment, 1, 13).op("||")(":00:00")
    return sa.cast(sa.func.strftime("%s", whole_hour), sa.Integer) // 3600


def _hour_and_key(ts: TimeSql) -> tuple[sa.ColumnElement[int], sa.ColumnElement[Any]]:
    """The hour, and what to group by: the hour itself (one expression object, so that
    PostgreSQL sees the same text twice), or on SQLite the hour's text, cheaper to sort."""
    received = calls.c.received_at
    hour = utc_hour(ts, received).label("hour")
    return hour, (hour if ts.postgresql else sa.func.substr(received, 1, 13))


def _within(ranges: Sequence[Range] | Bound) -> sa.ColumnElement[bool]:
    received = calls.c.received_at
    if isinstance(ranges, tuple) and isinstance(ranges[0], sa.ColumnElement):
        return (received >= ranges[0]) & (received < ranges[1])
    return sa.or_(*[(received >= start_of(a)) & (received < start_of(b)) for a, b in ranges])


def figures_by_hour(ts: TimeSql, ranges: Sequence[Range] | Bound,
                    valid_call_seconds: float) -> sa.Select[Any]:
    """(hour, *call_counts.FIGURES) for each hour of `ranges` with calls."""
    hour, key = _hour_and_key(ts)
    return (sa.select(hour, *figures(ts, valid_call_seconds))
            .where(_within(ranges)).group_by(key))


def answers_by_hour(ts: TimeSql, ranges: Sequence[Range] | Bound) -> sa.Select[Any]:
    """(hour, answer time in whole seconds rounded up, answered calls)."""
    c = calls.c
    hour, key = _hour_and_key(ts)
    seconds = ts.whole_seconds_up(c.received_at, c.connected_at).label("seconds")
    return (sa.select(hour, seconds, sa.func.count().label("calls"))
            .where(_within(ranges), c.connected_at.is_not(None))
            .group_by(key, seconds))


def runs(hours: Sequence[int]) -> list[Range]:
    """Sorted hours as contiguous ranges: [1, 2, 3, 7] -> [(1, 4), (7, 8)]."""
    result: list[Range] = []
    for hour in hours:
        if result and result[-1][1] == hour:
            result[-1] = (result[-1][0], hour + 1)
        else:
            result.append((hour, hour + 1))
    return result
