"""The plan of a period: requirement, roster, what-ifs and the simulation's check, from records."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from siaga112.planning.history import CallRecord, NoHistory, Period, build_history
from siaga112.planning.plan import PlanOptions, make_plan
from siaga112.planning.requirement import Target

WITA = ZoneInfo("Asia/Makassar")
PERIOD = Period(first_day=date(2025, 6, 2), last_day=date(2025, 6, 15), zone=WITA)  # 2 weeks


def records(seed: int = 5) -> list[CallRecord]:
    """Two weeks: 20 calls an hour from 08:00 to 20:00 WITA, 3 an hour at night."""
    rng = random.Random(seed)
    out = []
    start = datetime(2025, 6, 2, tzinfo=WITA)
    for hour in range(14 * 24):
        per_hour = 20 if 8 <= hour % 24 < 20 else 3
        for _ in range(per_hour):
            at = (start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))).astimezone(UTC)
            if rng.random() < 0.2:
                out.append(CallRecord(received_at=at, answered=False,
                                      wait_seconds=rng.expovariate(1 / 30)))
            else:
                invalid = rng.random() < 0.3
                out.append(CallRecord(received_at=at, answered=True,
                                      wait_seconds=rng.expovariate(1 / 10), invalid=invalid,
                                      talk_seconds=rng.uniform(2, 10) if invalid else 120.0))
    return out


@pytest.fixture(scope="module")
def history():
    return build_history(records=records(), period=PERIOD, interval_minutes=60,
                         wrap_up_seconds=30)


def test_history_is_averaged_onto_the_week_in_the_centers_zone(history):
    assert len(history.arrivals) == 168
    assert history.arrivals[8] == 20 and history.arrivals[7] == 3  # Monday 08:00 and 07:00 WITA
    assert sum(history.arrivals) == pytest.approx(history.offered / 2)
    assert history.handle_seconds == pytest.approx(history.talk_seconds + 30)
    assert 0.25 < history.invalid_share < 0.35
    # Patience: all waiting over the hang-ups; 20% hang up after about 30 s, 80% wait ~10 s.
    assert 50 < history.patience.mean_seconds < 90


def test_the_plan_meets_the_target_and_its_roster_covers_it(history):
    plan = make_plan(history=history, options=PlanOptions(target=Target(level=0.9, seconds=15)))
    assert all(p.metrics.service_level >= 0.9 for p in plan.required)
    assert all(c >= p.agents for c, p in zip(plan.roster.coverage, plan.required, strict=True))
    day = [p.agents for p in plan.required[:24]]
    assert max(day[8:20]) > max(day[:6])  # more by day than at night
    assert plan.scheduled_week.service_level >= plan.required_week.service_level - 1e-9
    rows = plan.hourly()
    assert len(rows) == 168 and rows[8]["required"] == day[8]
    assert plan.check is None  # no simulated weeks asked for


def test_screening_out_invalid_calls_removes_their_calls_and_work(history):
    plan = make_plan(history=history)
    as_is, half, whole = (plan.scenario(c) for c in ("as_is", "screen_half_invalid",
                                                     "screen_all_invalid"))
    share = history.invalid_share
    assert half.arrivals_per_week == pytest.approx(as_is.arrivals_per_week * (1 - share / 2))
    assert whole.arrivals_per_week == pytest.approx(as_is.arrivals_per_week * (1 - share))
    assert whole.handle_seconds > as_is.handle_seconds  # the short calls are gone
    saved = plan.savings("screen_all_invalid")
    assert saved["workload_hours"] > 0 and saved["required_hours"] >= 0
    night = plan.scenario("one_more_at_night")
    assert night.roster.staff_hours == plan.roster.staff_hours + 7 * 8
    assert night.week.abandon_probability <= as_is.week.abandon_probability


def test_simulated_weeks_check_the_formulas_within_the_stated_tolerance(history):
    plan = make_plan(history=history, options=PlanOptions(simulated_weeks=1, seed=11))
    assert plan.check is not None and plan.check.agrees, plan.check.to_dict()
    assert all(s.simulated is not None for s in plan.scenarios)
    as_dict = plan.to_dict()
    assert as_dict["simulation_check"]["tolerance"] == {"service_level": 0.03,
                                                         "abandon_probability": 0.02}


def test_a_period_without_calls_is_refused():
    with pytest.raises(NoHistory, match="no answered or abandoned call from 2025-06-02"):
        build_history(records=[], period=PERIOD, interval_minutes=60, wrap_up_seconds=30)
    with pytest.raises(ValueError, match="before it starts"):
        Period(first_day=date(2025, 6, 3), last_day=date(2025, 6, 2), zone=WITA)
