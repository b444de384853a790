"""The simulated week against Erlang A, and what the simulation shows that formulas cannot."""

from __future__ import annotations

import pytest

from siaga112.planning.erlang import erlang_a
from siaga112.planning.simulation import empirical_handling, exponential_handling, simulate

# Stated tolerance (absolute) for about 13,000 simulated calls: 0.03 on the share answered
# within the target, 0.025 on the share abandoned, 3 s on the mean answer time. Across 20
# seeds of a third of this sample the spread (one standard deviation) was 0.014, 0.011, 0.7 s.
SL_TOLERANCE, ABANDON_TOLERANCE, ANSWER_TOLERANCE = 0.03, 0.025, 3.0


@pytest.mark.parametrize(("calls", "agents", "patience"), [(90, 3, 60), (40, 2, 39)])
def test_a_steady_day_agrees_with_erlang_a(calls, agents, patience):
    hours = 24 * 6
    result = simulate(arrivals=[float(calls)] * 24, agents=[agents] * 24, interval_minutes=60,
                      handle=exponential_handling(120), patience_seconds=patience,
                      target_seconds=15, weeks=hours // 24, seed=7)
    model = erlang_a(arrival_rate=calls / 3600, handle_seconds=120, patience_seconds=patience,
                     agents=agents, target_seconds=15)
    assert sum(result.calls) == pytest.approx(calls * hours, rel=0.05)
    assert result.service_level == pytest.approx(model.service_level, abs=SL_TOLERANCE)
    assert result.abandon_probability == pytest.approx(model.abandon_probability,
                                                       abs=ABANDON_TOLERANCE)
    assert result.answer_seconds == pytest.approx(model.answer_seconds, abs=ANSWER_TOLERANCE)


def test_nobody_on_duty_means_nobody_is_answered():
    result = simulate(arrivals=[30.0, 30.0], agents=[1, 0], interval_minutes=60,
                      handle=exponential_handling(60), patience_seconds=30, target_seconds=15,
                      weeks=3, seed=1)
    assert result.answered[1] <= 2  # at most a caller or two, as the hour turns
    assert result.abandoned[1] >= result.calls[1] - 2
    assert result.answered[0] > 0.6 * result.calls[0]  # one call-taker, half loaded


def test_same_seed_same_callers_so_more_staff_is_never_worse():
    common = dict(arrivals=[60.0] * 24, interval_minutes=60, handle=empirical_handling([50, 200]),
                  patience_seconds=40, target_seconds=15, weeks=1, seed=3)
    two = simulate(agents=[2] * 24, **common)
    three = simulate(agents=[3] * 24, **common)
    assert two.calls == three.calls  # the very same callers
    assert three.service_level > two.service_level
    assert three.abandon_probability < two.abandon_probability
    again = simulate(agents=[2] * 24, **common)
    assert again.to_dict() == two.to_dict()


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="one value per interval"):
        simulate(arrivals=[1.0], agents=[1, 2], interval_minutes=60,
                 handle=exponential_handling(60), patience_seconds=30, target_seconds=15)
    with pytest.raises(ValueError, match="no handling times"):
        empirical_handling([])
