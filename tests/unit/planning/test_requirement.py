"""Call-takers needed per interval, and what a given staffing gives callers."""

from __future__ import annotations

import pytest

from siaga112.planning.erlang import erlang_a
from siaga112.planning.requirement import Target, evaluate, requirements, week_figures

# A quiet night, a busy evening, an empty hour: calls per 60-minute interval.
ARRIVALS = [3.0, 0.0, 12.0, 40.0, 90.0, 12.0]
HANDLE, PATIENCE = 95.0, 39.0


def test_each_interval_gets_the_fewest_call_takers_reaching_the_target():
    plans = requirements(arrivals=ARRIVALS, interval_minutes=60, handle_seconds=HANDLE,
                         patience_seconds=PATIENCE, target=Target(level=0.9, seconds=15))
    assert [p.agents for p in plans] == [1, 1, 2, 3, 5, 2]
    for p in plans:
        assert p.metrics.service_level >= 0.9
        if p.agents > 1:
            fewer = erlang_a(arrival_rate=p.arrivals / 3600, handle_seconds=HANDLE,
                             patience_seconds=PATIENCE, agents=p.agents - 1, target_seconds=15)
            assert fewer.service_level < 0.9
    assert plans[4].to_dict()["weekday"] == "mon" and plans[4].start == "04:00"
    assert plans[1].metrics.load == 0 and plans[1].metrics.service_level == 1


def test_a_stricter_target_and_a_minimum_need_more():
    loose = requirements(arrivals=ARRIVALS, interval_minutes=60, handle_seconds=HANDLE,
                         patience_seconds=PATIENCE, target=Target(level=0.8, seconds=20))
    strict = requirements(arrivals=ARRIVALS, interval_minutes=60, handle_seconds=HANDLE,
                          patience_seconds=PATIENCE,
                          target=Target(level=0.95, seconds=10, min_agents=2))
    assert all(s.agents >= max(2, loose_.agents) for s, loose_ in zip(strict, loose, strict=True))
    assert sum(s.agents for s in strict) > sum(p.agents for p in loose)


def test_half_hour_intervals_carry_half_the_calls():
    hour = requirements(arrivals=[40.0], interval_minutes=60, handle_seconds=HANDLE,
                        patience_seconds=PATIENCE, target=Target())
    half = requirements(arrivals=[20.0, 20.0], interval_minutes=30, handle_seconds=HANDLE,
                        patience_seconds=PATIENCE, target=Target())
    assert [p.agents for p in half] == [hour[0].agents] * 2
    assert half[1].start == "00:30"


def test_week_figures_weigh_intervals_by_their_calls():
    plans = evaluate(arrivals=[10.0, 30.0, 0.0], agents=[1, 1, 0], interval_minutes=60,
                     handle_seconds=HANDLE, patience_seconds=PATIENCE, target_seconds=15)
    week = week_figures(plans)
    assert week.service_level == pytest.approx(
        (10 * plans[0].metrics.service_level + 30 * plans[1].metrics.service_level) / 40)
    assert week.agent_hours == 2
    nobody = evaluate(arrivals=[5.0], agents=[0], interval_minutes=60, handle_seconds=HANDLE,
                      patience_seconds=PATIENCE, target_seconds=15)[0]
    assert nobody.metrics.service_level == 0 and nobody.metrics.abandon_probability == 1


def test_bad_targets_are_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        Target(level=1.5)
    with pytest.raises(ValueError, match="target seconds"):
        Target(seconds=-1)
