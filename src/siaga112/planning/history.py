"""The center's own history as a staffing model needs it: read from the calls table.

Days are the center's days (its zone); timestamps in the database are UTC. A call counts
as *offered* to the call-takers when it was answered or abandoned in the queue; calls
still in progress, ended by a fault, or closed by screening before the queue are left
out (and counted apart). A caller's wait runs from joining the queue (`queued_at`, else
`received_at`) to the answer or the hang-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from siaga112.adapters.db.tables import calls, event_log
from siaga112.domain.calls import NUISANCE_DISPOSITIONS
from siaga112.planning.patience import PatienceEstimate, estimate_patience

MINUTES_PER_WEEK = 7 * 24 * 60
DEFAULT_WRAP_UP_SECONDS = 30.0


class NoHistory(ValueError):
    """The period holds no answered or abandoned call to learn from."""


@dataclass(frozen=True, kw_only=True)
class CallRecord:
    """One offered call, as the planner sees it."""

    received_at: datetime  # UTC
    wait_seconds: float
    answered: bool
    talk_seconds: float | None = None  # answered calls that have ended
    invalid: bool = False  # answered, and a nuisance or no longer than the valid-call threshold


@dataclass(frozen=True, kw_only=True)
class Period:
    first_day: date
    last_day: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        for day in (self.first_day, self.last_day):
            if not date(2000, 1, 1) <= day <= date(2199, 12, 31):  # also keeps UTC arithmetic safe
                raise ValueError(f"{day} is outside the years 2000-2199")
        if self.last_day < self.first_day:
            raise ValueError(f"the period ends ({self.last_day}) before it starts "
                             f"({self.first_day})")

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first_day, time(), self.zone).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:  # exclusive: midnight after the last day
        return datetime.combine(self.last_day + timedelta(days=1), time(),
                                self.zone).astimezone(UTC)


def load_calls(*, conn: Connection, period: Period,
               valid_call_seconds: float) -> tuple[list[CallRecord], int]:
    """The offered calls received in the period, and how many others were left out."""
    c = calls.c
    rows = conn.execute(
        sa.select(c.received_at, c.queued_at, c.connected_at, c.released_at, c.abandoned_at,
                  c.interrupted_at, c.disposition)
        .where(c.received_at >= period.start_utc, c.received_at < period.end_utc)
        .order_by(c.received_at)
    ).all()
    records, other = [], 0
    for r in rows:
        start = r.queued_at or r.received_at
        if r.connected_at is not None:
            end = r.released_at or r.interrupted_at
            talk = (end - r.connected_at).total_seconds() if end else None
            invalid = (talk is not None and talk <= valid_call_seconds) or (
                r.disposition in NUISANCE_DISPOSITIONS)
            records.append(CallRecord(
                received_at=r.received_at, answered=True, talk_seconds=talk, invalid=invalid,
                wait_seconds=max(0.0, (r.connected_at - start).total_seconds())))
        elif r.abandoned_at is not None:
            records.append(CallRecord(
                received_at=r.received_at, answered=False,
                wait_seconds=max(0.0, (r.abandoned_at - start).total_seconds())))
        else:
            other += 1
    return records, other


def measured_wrap_up_seconds(*, conn: Connection, period: Period) -> float | None:
    """Mean time positions spent in `wrap_up` in the period, from the event log; None if none."""
    e = event_log.c
    rows = conn.execute(
        sa.select(e.aggregate_id, e.occurred_at, e.after)
        .where(e.aggregate == "position", e.occurred_at >= period.start_utc,
               e.occurred_at < period.end_utc + timedelta(hours=1))
        .order_by(e.aggregate_id, e.occurred_at, e.id)
    ).all()
    started: dict[str, datetime] = {}
    spans = []
    for row in rows:
        if row.aggregate_id in started:
            spans.append((row.occurred_at - started.pop(row.aggregate_id)).total_seconds())
        if row.after == "wrap_up" and row.occurred_at < period.end_utc:
            started[row.aggregate_id] = row.occurred_at
    return math.fsum(spans) / len(spans) if spans else None


@dataclass(frozen=True, kw_only=True)
class History:
    """Everything the models take from the period, by interval of the week (Monday 00:00 first)."""

    period: Period
    interval_minutes: int
    arrivals: list[float]  # mean offered calls per interval, per slot of the week
    invalid_arrivals: list[float]  # of which expected to be invalid (answered share applied)
    offered: int
    answered: int
    abandoned: int
    invalid: int
    left_out: int
    talk_seconds: float  # mean talk of answered calls
    valid_talk_seconds: float
    invalid_talk_seconds: float
    wrap_up_seconds: float
    wrap_up_measured: bool
    patience: PatienceEstimate
    valid_handle_samples: tuple[float, ...]  # talk + wrap-up of each valid answered call
    invalid_handle_samples: tuple[float, ...]  # the same for the invalid ones

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.wrap_up_seconds

    @property
    def invalid_share(self) -> float:
        """Share of answered calls that were invalid (applied to abandoned calls too)."""
        return self.invalid / self.answered if self.answered else 0.0

    def handle_seconds_screened(self, screened: float) -> float:
        """Mean handling time when a share `screened` of invalid calls never reach a person."""
        valid, invalid = self.answered - self.invalid, self.invalid * (1.0 - screened)
        if valid + invalid == 0:
            return self.handle_seconds
        talk = (valid * self.valid_talk_seconds + invalid * self.invalid_talk_seconds) / (
            valid + invalid)
        return talk + self.wrap_up_seconds


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def slot_of(moment: datetime, *, zone: ZoneInfo, interval_minutes: int) -> int:
    local = moment.astimezone(zone)
    return (local.weekday() * 1440 + local.hour * 60 + local.minute) // interval_minutes


def build_history(*, records: Sequence[CallRecord], period: Period, interval_minutes: int,
                  wrap_up_seconds: float, wrap_up_measured: bool = False,
                  left_out: int = 0) -> History:
    """Average the period's calls onto the week: each slot's count over the days it occurred."""
    if interval_minutes not in (15, 30, 60):
        raise ValueError(f"interval must be 15, 30 or 60 minutes, not {interval_minutes}")
    answered = [r for r in records if r.answered]
    if not answered and not any(not r.answered for r in records):
        raise NoHistory(f"no answered or abandoned call from {period.first_day} to "
                        f"{period.last_day} ({period.zone.key})")
    slots = MINUTES_PER_WEEK // interval_minutes
    per_day = 1440 // interval_minutes
    occurrences = [0] * slots
    for offset in range(period.days):
        weekday = (period.first_day + timedelta(days=offset)).weekday()
        for i in range(weekday * per_day, (weekday + 1) * per_day):
            occurrences[i] += 1
    counts = [0] * slots
    for r in records:
        counts[slot_of(r.received_at, zone=period.zone, interval_minutes=interval_minutes)] += 1
    invalid = sum(1 for r in answered if r.invalid)
    share = invalid / len(answered) if answered else 0.0
    arrivals = [counts[i] / occurrences[i] if occurrences[i] else 0.0 for i in range(slots)]
    talks = [r.talk_seconds for r in answered if r.talk_seconds is not None]
    valid_talks = [r.talk_seconds for r in answered if r.talk_seconds is not None and not r.invalid]
    invalid_talks = [r.talk_seconds for r in answered if r.talk_seconds is not None and r.invalid]
    return History(
        period=period, interval_minutes=interval_minutes, arrivals=arrivals,
        invalid_arrivals=[a * share for a in arrivals], offered=len(records),
        answered=len(answered), abandoned=len(records) - len(answered), invalid=invalid,
        left_out=left_out, talk_seconds=_mean(talks), valid_talk_seconds=_mean(valid_talks),
        invalid_talk_seconds=_mean(invalid_talks), wrap_up_seconds=wrap_up_seconds,
        wrap_up_measured=wrap_up_measured,
        patience=estimate_patience(waits=[r.wait_seconds for r in records],
                                   hung_up=[not r.answered for r in records]),
        valid_handle_samples=tuple(t + wrap_up_seconds for t in valid_talks),
        invalid_handle_samples=tuple(t + wrap_up_seconds for t in invalid_talks),
    )


def read_history(*, conn: Connection, period: Period, interval_minutes: int,
                 valid_call_seconds: float, wrap_up_seconds: float | None = None) -> History:
    """The period from the database; wrap-up measured from the event log unless given."""
    records, left_out = load_calls(conn=conn, period=period, valid_call_seconds=valid_call_seconds)
    measured = None if wrap_up_seconds is not None else measured_wrap_up_seconds(
        conn=conn, period=period)
    wrap_up = wrap_up_seconds if wrap_up_seconds is not None else (
        measured if measured is not None else DEFAULT_WRAP_UP_SECONDS)
    return build_history(records=records, period=period, interval_minutes=interval_minutes,
                         wrap_up_seconds=wrap_up, wrap_up_measured=measured is not None,
                         left_out=left_out)
