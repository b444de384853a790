"""From the database to a staffing plan: what the CLI, the API and the page call."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.config import CenterConfig
from siaga112.planning.history import NoHistory, Period, read_history
from siaga112.planning.plan import PlanOptions, StaffingPlan, make_plan

MAX_DAYS = 366


class HistoryUnreadable(ValueError):
    """The database cannot be read as a Siaga112 database (e.g. not migrated)."""


def parse_day(text: str, *, name: str) -> date:
    """A day written YYYY-MM-DD, or a ValueError that says which value and how to write it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name}: '{text}' is not a date; write it as YYYY-MM-DD") from None


def period_of(*, first_day: date, last_day: date, center: CenterConfig) -> Period:
    if last_day < first_day:
        raise ValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ValueError(f"a period of at most {MAX_DAYS} days, please")
    return Period(first_day=first_day, last_day=last_day, zone=center.zone)


def plan_period(*, engine: Engine, center: CenterConfig, first_day: date, last_day: date,
                options: PlanOptions | None = None, interval_minutes: int = 60,
                wrap_up_seconds: float | None = None) -> StaffingPlan:
    """Read the period's calls (days in the center's zone, inclusive) and plan from them.

    Raises ValueError for a bad period, NoHistory when it holds no call to learn from,
    HistoryUnreadable when the database has no calls table.
    """
    period = period_of(first_day=first_day, last_day=last_day, center=center)
    try:
        with engine.connect() as conn:
            history = read_history(conn=conn, period=period, interval_minutes=interval_minutes,
                                   valid_call_seconds=center.thresholds.valid_call_seconds,
                                   wrap_up_seconds=wrap_up_seconds)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        raise HistoryUnreadable(
            f"cannot read calls from {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).splitlines()[0]} (run `siaga112 migrate` first?)") from None
    return make_plan(history=history, options=options)


__all__ = ["HistoryUnreadable", "NoHistory", "parse_day", "period_of", "plan_period"]
