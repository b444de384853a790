"""Time arithmetic in SQL that reads the same on PostgreSQL and SQLite.

PostgreSQL subtracts timestamps exactly (microseconds). SQLite stores timestamps as
text; `julianday()` reads them to the millisecond, so its durations are compared in
whole milliseconds (a threshold test is `ms > 10000.5`, never a float equality). Local
hours are counted from 1970-01-01 00:00 *local*: `hour_index // 24` is the local day,
`hour_index % 24` the hour of day; the zone's offset enters as seconds (a CASE when the
zone changes its offset inside the period).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

MS_PER_DAY = 86_400_000.0
# 1970-01-01 was a Thursday: hours since the Monday before it start the week at Monday 00:00.
HOURS_BEFORE_EPOCH_MONDAY = 3 * 24

Column = ColumnElement[Any]


class TimeSql:
    """Builds the duration and local-hour expressions for one database and one period."""

    def __init__(self, dialect: str, offsets: list[tuple[datetime, int]]) -> None:
        self.postgresql = dialect == "postgresql"
        self.offsets = offsets

    # -- durations --------------------------------------------------------------------
    def seconds(self, start: Column, end: Column) -> Column:
        """`end - start` in seconds (NULL if either is NULL)."""
        if self.postgresql:
            return _epoch(end - start)
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0

    def longer_than(self, start: Column, end: Column, seconds: float) -> Column:
        """`end - start > seconds`, exact to the microsecond (PostgreSQL) or millisecond."""
        if self.postgresql:
            return (end - start) > sa.literal(timedelta(seconds=seconds), sa.Interval())
        return self._ms(start, end) > round(seconds * 1000) + 0.5

    def within(self, start: Column, end: Column, seconds: float) -> Column:
        """`end - start <= seconds`."""
        if self.postgresql:
            return (end - start) <= sa.literal(timedelta(seconds=seconds), sa.Interval())
        return self._ms(start, end) < round(seconds * 1000) + 0.5

    def whole_seconds_up(self, start: Column, end: Column) -> Column:
        """`end - start` rounded up to a whole second: 12.3 s -> 13, 15.0 s -> 15."""
        if self.postgresql:
            return sa.cast(sa.func.ceil(_epoch(end - start)), sa.Integer)
        return sa.cast((self._ms(start, end) + 999.5) / 1000, sa.Integer)

    def sum_micros(self, start: Column, end: Column) -> Column:
        """The sum of `end - start` in whole microseconds (0 when none), an exact integer.

        Exact, so that a sum is the same whatever the order the database adds in, and the
        sum of hours the same as the hours' sums (rolled-up hours, reports/rollup.py)."""
        if self.postgresql:  # intervals add exactly; EXTRACT gives an exact numeric
            total = sa.extract("epoch", sa.func.sum(end - start)) * 1_000_000
            return sa.func.coalesce(sa.cast(total, sa.BigInteger), 0)
        whole_ms = sa.cast(sa.func.round(self._ms(start, end)), sa.Integer)
        return sa.func.coalesce(sa.func.sum(whole_ms), 0) * 1000

    def _ms(self, start: Column, end: Column) -> Column:
        return (sa.func.julianday(end) - sa.func.julianday(start)) * MS_PER_DAY

    # -- local hours ------------------------------------------------------------------
    def hour_index(self, moment: Column) -> Column:
        """Whole local hours since 1970-01-01 00:00 local time."""
        if self.postgresql:
            local = _epoch(moment) + self._offset(moment)
            return sa.cast(sa.func.floor(local / sa.literal(3600.0, sa.Float)), sa.Integer)
        # From the stored text cut at the minute, not julianday(): that rounds to the
        # millisecond, and 15:59:59.9996 would fall in the hour the period filters
        # (text comparisons) put after it.
        minute = sa.func.strftime("%s", sa.func.substr(moment, 1, 16).op("||")(":00"))
        return (sa.cast(minute, sa.Integer) + self._offset(moment)) // 3600

    def hour_of_week(self, moment: Column) -> Column:
        """0 = Monday 00:00-00:59 local ... 167 = Sunday 23:00-23:59."""
        return (self.hour_index(moment) + HOURS_BEFORE_EPOCH_MONDAY) % 168

    def _offset(self, moment: Column) -> Column:
        if len(self.offsets) == 1:
            return sa.literal(self.offsets[0][1], sa.Integer)
        whens = [(moment < start, previous) for (start, _), (_, previous)
                 in zip(self.offsets[1:], self.offsets[:-1])]
        return sa.case(*whens, else_=self.offsets[-1][1])


def _epoch(value: Column) -> Column:
    """PostgreSQL's seconds of a timestamp since 1970 or of an interval, as float8."""
    return sa.func.date_part("epoch", value, type_=sa.Float)
