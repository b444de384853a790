"""The staffing plan of a period: requirement, roster, what-ifs and the simulation's check.

Pure: it takes a `History` (see history.py) and options, and returns figures. Entry
points read the history from the database, then render the plan (CLI, API, page).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from siaga112.planning import requirement as req
from siaga112.planning.history import History
from siaga112.planning.roster import Roster, cover, with_daily_shift
from siaga112.planning.simulation import (
    HandleSampler,
    SimulationResult,
    exponential_handling,
    simulate,
)

# The simulation agrees with Erlang A when the week's figures differ by no more than these
# (absolute; both are shares of all calls). Measured spread: docs/adr/0002-staffing-models.md.
SERVICE_LEVEL_TOLERANCE = 0.03
ABANDON_TOLERANCE = 0.02


@dataclass(frozen=True, kw_only=True)
class PlanOptions:
    target: req.Target = field(default_factory=req.Target)
    shift_hours: float = 8
    shift_start_hours: tuple[int, ...] | None = None  # None: any full hour
    simulated_weeks: int = 0  # 0: formulas only
    seed: int = 112
    night_start_hour: int = 22  # the "one more at night" what-if: one more shift from 22:00


@dataclass(frozen=True, kw_only=True)
class Scenario:
    code: str
    arrivals_per_week: float
    handle_seconds: float
    roster: Roster
    week: req.WeekFigures  # formulas, with the scenario's rostered call-takers
    required_hours: float
    simulated: SimulationResult | None = None

    @property
    def workload_hours(self) -> float:
        """Hours of call handling a week (talk and wrap-up), whatever the staffing."""
        return self.arrivals_per_week * self.handle_seconds / 3600

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "calls_per_week": round(self.arrivals_per_week, 1),
                "handle_seconds": round(self.handle_seconds, 1),
                "workload_hours": round(self.workload_hours, 1),
                "required_hours": self.required_hours, "staff_hours": self.roster.staff_hours,
                "shifts": self.roster.shifts, "with_roster": self.week.to_dict(),
                "simulated": self.simulated.to_dict() if self.simulated else None}


@dataclass(frozen=True, kw_only=True)
class SimulationCheck:
    formulas: req.WeekFigures
    simulated: SimulationResult

    @property
    def service_level_difference(self) -> float:
        return self.simulated.service_level - self.formulas.service_level

    @property
    def abandon_difference(self) -> float:
        return self.simulated.abandon_probability - self.formulas.abandon_probability

    @property
    def agrees(self) -> bool:
        return (abs(self.service_level_difference) <= SERVICE_LEVEL_TOLERANCE
                and abs(self.abandon_difference) <= ABANDON_TOLERANCE)

    def to_dict(self) -> dict[str, object]:
        return {"formulas": self.formulas.to_dict(), "simulated": self.simulated.to_dict(),
                "service_level_difference": round(self.service_level_difference, 4),
                "abandon_difference": round(self.abandon_difference, 4),
                "tolerance": {"service_level": SERVICE_LEVEL_TOLERANCE,
                              "abandon_probability": ABANDON_TOLERANCE},
                "agrees": self.agrees}


@dataclass(frozen=True, kw_only=True)
class StaffingPlan:
    history: History
    options: PlanOptions
    required: list[req.IntervalPlan]
    roster: Roster
    scheduled: list[req.IntervalPlan]
    scenarios: list[Scenario]
    check: SimulationCheck | None

    @property
    def required_week(self) -> req.WeekFigures:
        return req.week_figures(self.required)

    @property
    def scheduled_week(self) -> req.WeekFigures:
        return req.week_figures(self.scheduled)

    def scenario(self, code: str) -> Scenario:
        return next(s for s in self.scenarios if s.code == code)

    def savings(self, code: str) -> dict[str, float]:
        """Staff-hours a week a scenario saves against the plan as it is."""
        other, now = self.scenario(code), self.scenario("as_is")
        return {"workload_hours": round(now.workload_hours - other.workload_hours, 1),
                "required_hours": self.roster.required_hours - other.required_hours,
                "staff_hours": self.roster.staff_hours - other.roster.staff_hours,
                "shifts": self.roster.shifts - other.roster.shifts}

    def hourly(self) -> list[dict[str, Any]]:
        """Required and scheduled call-takers per hour of the week (the page's chart)."""
        per_hour = 60 // self.history.interval_minutes
        rows = []
        for hour in range(168):
            part = slice(hour * per_hour, (hour + 1) * per_hour)
            rows.append({"hour": hour, "weekday": req.WEEKDAYS[hour // 24],
                         "start": f"{hour % 24:02d}:00",
                         "calls": round(sum(p.arrivals for p in self.required[part]), 3),
                         "required": max(p.agents for p in self.required[part]),
                         "scheduled": max(self.roster.coverage[part])})
        return rows

    def to_dict(self) -> dict[str, object]:
        h, t = self.history, self.options.target
        return {
            "period": {"from": h.period.first_day.isoformat(),
                       "to": h.period.last_day.isoformat(), "days": h.period.days,
                       "zone": h.period.zone.key},
            "target": {"service_level": t.level, "seconds": t.seconds,
                       "min_call_takers": t.min_agents},
            "history": history_summary(h),
            "interval_minutes": h.interval_minutes,
            "intervals": [
                {**p.to_dict(), "scheduled": self.roster.coverage[p.slot]} for p in self.required],
            "hourly": self.hourly(),
            "required_week": self.required_week.to_dict(),
            "roster": self.roster.to_dict(),
            "scheduled_week": self.scheduled_week.to_dict(),
            "scenarios": [s.to_dict() for s in self.scenarios],
            "savings": {s.code: self.savings(s.code) for s in self.scenarios
                        if s.code.startswith("screen")},
            "simulation_check": self.check.to_dict() if self.check else None,
        }


def history_summary(h: History) -> dict[str, object]:
    return {"offered": h.offered, "answered": h.answered, "abandoned": h.abandoned,
            "invalid": h.invalid, "valid": h.answered - h.invalid, "left_out": h.left_out,
            "invalid_share": round(h.invalid_share, 4),
            "calls_per_week": round(sum(h.arrivals), 1),
            "talk_seconds": round(h.talk_seconds, 1),
            "valid_talk_seconds": round(h.valid_talk_seconds, 1),
            "invalid_talk_seconds": round(h.invalid_talk_seconds, 1),
            "wrap_up_seconds": round(h.wrap_up_seconds, 1), "wrap_up_measured": h.wrap_up_measured,
            "handle_seconds": round(h.handle_seconds, 1), "patience": h.patience.to_dict()}


def _mixed_handling(h: History, screened: float) -> HandleSampler:
    """The center's own handling times, with a share of the invalid calls screened out."""
    valid, invalid = h.valid_handle_samples, h.invalid_handle_samples
    if not valid and not invalid:
        return exponential_handling(h.handle_seconds)
    keep_invalid = len(invalid) * (1.0 - screened)
    p_valid = len(valid) / (len(valid) + keep_invalid) if valid else 0.0

    def draw(rng: random.Random) -> float:
        return rng.choice(valid if rng.random() < p_valid or not invalid else invalid)
    return draw


def make_plan(*, history: History, options: PlanOptions | None = None) -> StaffingPlan:
    o = options or PlanOptions()
    h, minutes, target = history, history.interval_minutes, o.target
    patience = h.patience.mean_seconds

    def staffed(arrivals: Sequence[float], handle: float) -> tuple[list[req.IntervalPlan],
                                                                   Roster]:
        plans = req.requirements(arrivals=arrivals, interval_minutes=minutes,
                                 handle_seconds=handle, patience_seconds=patience, target=target)
        roster = cover(required=[p.agents for p in plans], interval_minutes=minutes,
                       shift_hours=o.shift_hours, start_hours=o.shift_start_hours)
        return plans, roster

    def week(arrivals: Sequence[float], agents: Sequence[int], handle: float) -> req.WeekFigures:
        return req.week_figures(req.evaluate(
            arrivals=arrivals, agents=agents, interval_minutes=minutes, handle_seconds=handle,
            patience_seconds=patience, target_seconds=target.seconds))

    def simulated(arrivals: Sequence[float], agents: Sequence[int],
                  sampler: HandleSampler) -> SimulationResult | None:
        if o.simulated_weeks < 1:
            return None
        return simulate(arrivals=arrivals, agents=agents, interval_minutes=minutes,
                        handle=sampler, patience_seconds=patience,
                        target_seconds=target.seconds, weeks=o.simulated_weeks, seed=o.seed)

    required, roster = staffed(h.arrivals, h.handle_seconds)
    scheduled = req.evaluate(arrivals=h.arrivals, agents=roster.coverage,
                             interval_minutes=minutes, handle_seconds=h.handle_seconds,
                             patience_seconds=patience, target_seconds=target.seconds)
    scenarios = [Scenario(code="as_is", arrivals_per_week=sum(h.arrivals),
                          handle_seconds=h.handle_seconds, roster=roster,
                          week=req.week_figures(scheduled), required_hours=roster.required_hours,
                          simulated=simulated(h.arrivals, roster.coverage,
                                              _mixed_handling(h, 0.0)))]
    for code, screened in (("screen_half_invalid", 0.5), ("screen_all_invalid", 1.0)):
        arrivals = [a - screened * i for a, i in zip(h.arrivals, h.invalid_arrivals, strict=True)]
        handle = h.handle_seconds_screened(screened)
        plans, their_roster = staffed(arrivals, handle)
        scenarios.append(Scenario(
            code=code, arrivals_per_week=sum(arrivals), handle_seconds=handle,
            roster=their_roster, week=week(arrivals, their_roster.coverage, handle),
            required_hours=their_roster.required_hours,
            simulated=simulated(arrivals, their_roster.coverage, _mixed_handling(h, screened))))
    extra = with_daily_shift(roster, start_hour=o.night_start_hour)
    scenarios.append(Scenario(
        code="one_more_at_night", arrivals_per_week=sum(h.arrivals),
        handle_seconds=h.handle_seconds, roster=extra,
        week=week(h.arrivals, extra.coverage, h.handle_seconds),
        required_hours=roster.required_hours,
        simulated=simulated(h.arrivals, extra.coverage, _mixed_handling(h, 0.0))))
    check = None
    if o.simulated_weeks > 0:
        check = SimulationCheck(
            formulas=req.week_figures(required),
            simulated=simulate(arrivals=h.arrivals, agents=[p.agents for p in required],
                               interval_minutes=minutes,
                               handle=exponential_handling(h.handle_seconds),
                               patience_seconds=patience, target_seconds=target.seconds,
                               weeks=o.simulated_weeks, seed=o.seed))
    return StaffingPlan(history=h, options=o, required=required, roster=roster,
                        scheduled=scheduled, scenarios=scenarios, check=check)
