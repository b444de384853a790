"""A report's period: whole days in the center's zone, both ends inclusive, stored times UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from siaga112.domain.errors import InvalidValue

MAX_DAYS = 1100  # three years: more is an archive query, not a report
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)  # the years a 112 history can hold


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidValue(f"the period ends ({self.last_day}) before it starts "
                               f"({self.first_day})")
        for day in (self.first_day, self.last_day):
            if not EARLIEST <= day <= LATEST:
                raise InvalidValue(f"{day} is outside the years a report covers "
                                   f"({EARLIEST.year}-{LATEST.year})")
        if self.days > MAX_DAYS:
            raise InvalidValue(f"a report covers at most {MAX_DAYS} days, not {self.days}")

    @classmethod
    def parse(cls, first: str | date, last: str | date, zone: ZoneInfo) -> Period:
        """From `YYYY-MM-DD` texts (or dates); a bad date is an InvalidValue naming it."""
        return cls(_day(first, "from"), _day(last, "to"), zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        """Midnight starting the first day, in UTC."""
        return local_midnight(self.first_day, self.zone)

    @property
    def end(self) -> datetime:
        """Midnight after the last day, in UTC (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1), self.zone)

    def each_day(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def offsets(self) -> list[tuple[datetime, int]]:
        """The zone's UTC offset (seconds) over the period: [(from_utc, offset), ...].

        One entry for zones without daylight saving (all of Indonesia); a zone that
        changes its offset inside the period gets one entry per change.
        """
        moment, end = self.start, self.end
        current = _offset(moment, self.zone)
        found = [(moment, current)]
        while moment < end:
            nxt = min(moment + timedelta(hours=12), end)
            if _offset(nxt, self.zone) != current:
                # The change lies in (moment, nxt]: narrow it down to the second.
                low, high = moment, nxt
                while high - low > timedelta(seconds=1):
                    middle = low + (high - low) / 2
                    if _offset(middle, self.zone) == current:
                        low = middle
                    else:
                        high = middle
                current = _offset(high, self.zone)
                found.append((high.replace(microsecond=0), current))
                nxt = high
            moment = nxt
        return found

    def describe(self) -> dict[str, str]:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "zone": self.zone.key, "start_utc": _iso(self.start), "end_utc": _iso(self.end)}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _offset(moment: datetime, zone: ZoneInfo) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _day(value: str | date, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise InvalidValue(f"'{name}': write the day as YYYY-MM-DD, not '{value}'") from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
