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

EPOCH_JULIAN_DAY = 2440587.5
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

    def _ms(self, start: Column, end: Column) -> Column:
        return (sa.func.julianday(end) - sa.func.julianday(start)) * MS_PER_DAY

    # -- local hours ------------------------------------------------------------------
    def hour_index(self, moment: Column) -> Column:
        """Whole local hours since 1970-01-01 00:00 local time."""
        if self.postgresql:
            local = _epoch(moment) + self._offset(moment)
            return sa.cast(sa.func.floor(local / sa.literal(3600.0, sa.Float)), sa.Integer)
        epoch_ms = sa.cast(sa.func.round(
            (sa.func.julianday(moment) - EPOCH_JULIAN_DAY) * MS_PER_DAY), sa.Integer)
        return (epoch_ms + self._offset(moment) * 1000) // 3_600_000

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
