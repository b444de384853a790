"""Erlang C and Erlang A: published values, the pyworkforce reference, and an independent solver."""

from __future__ import annotations

import math

import pytest
from pyworkforce.queuing import ErlangC

from siaga112.planning.erlang import erlang_a, erlang_b, erlang_c, fewest_agents

TOLERANCE = 1e-9  # the reference checks agree to this, absolute, on shares and seconds


def test_erlang_c_matches_the_published_check_value():
    """A = 10 erlangs on 14 call-takers: P(wait) 0.17413, 88.835% answered within 20 s."""
    m = erlang_c(arrival_rate=10 / 180, handle_seconds=180, agents=14, target_seconds=20)
    assert round(m.wait_probability, 5) == 0.17413
    assert round(m.service_level, 5) == 0.88835
    assert m.answer_seconds == pytest.approx(0.17413193 * 180 / 4, abs=1e-6)
    assert m.occupancy == pytest.approx(10 / 14)


def test_erlang_b_of_a_textbook_case():
    # 2 erlangs on 3 lines: (8/6) / (1 + 2 + 2 + 8/6) = 0.2105...
    assert erlang_b(load=2, agents=3) == pytest.approx((8 / 6) / (1 + 2 + 2 + 8 / 6))


GRID = [(calls, aht, n, t)
        for calls in (20, 100, 250)  # calls per 30 minutes
        for aht in (90, 180, 300)
        for n in (1, 5, 12, 30, 60)
        for t in (10, 15, 20)]


@pytest.mark.parametrize(("calls", "aht", "n", "t"), GRID)
def test_erlang_c_agrees_with_pyworkforce(calls, aht, n, t):
    ours = erlang_c(arrival_rate=calls / 1800, handle_seconds=aht, agents=n, target_seconds=t)
    if n <= calls * aht / 1800:
        assert ours.service_level == 0 and ours.wait_probability == 1  # the queue never empties
        return
    ref = ErlangC(transactions=calls, aht=aht / 60, asa=t / 60, interval=30)
    assert ours.wait_probability == pytest.approx(ref.waiting_probability(n), abs=TOLERANCE)
    assert ours.service_level == pytest.approx(ref.service_level(n), abs=TOLERANCE)


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
@pytest.mark.parametrize(("calls", "aht"), [(20, 180), (100, 240), (250, 300), (3, 95)])
def test_fewest_call_takers_with_infinite_patience_is_pyworkforce_erlang_c(calls, aht, target):
    ours = fewest_agents(arrival_rate=calls / 1800, handle_seconds=aht, patience_seconds=math.inf,
                         target_level=target, target_seconds=15)
    ref = ErlangC(transactions=calls, aht=aht / 60, asa=15 / 60, interval=30)
    assert ours.agents == ref.required_positions(service_level=target)["raw_positions"]


def reference_erlang_a(lam: float, aht: float, patience: float, n: int, t: float) -> dict:
    """Erlang A the long way: the truncated birth-death chain for the stationary law, and the
    tagged caller's absorbing chain solved by uniformization for the answer within t.
    Independent of the closed forms in erlang.py."""
    mu, theta = 1 / aht, 1 / patience
    probs = [1.0]
    while True:
        j = len(probs)
        probs.append(probs[-1] * lam / (min(j, n) * mu + max(j - n, 0) * theta))
        if j > n and lam < n * mu + (j - n) * theta and probs[-1] < 1e-18 * sum(probs):
            break
    total = sum(probs)
    probs = [p / total for p in probs]
    queue = sum((j - n) * p for j, p in enumerate(probs) if j > n)
    ahead_max = len(probs) - n
    rate = n * mu + (ahead_max + 1) * theta
    steps = int(rate * t + 12 * math.sqrt(rate * t) + 30)
    # dist[k]: mass of the tagged caller with k ahead, mixed over the arrival states.
    dist = [probs[n + k] if n + k < len(probs) else 0.0 for k in range(ahead_max)]
    served, within = 0.0, 0.0
    poisson = math.exp(-rate * t)
    for step in range(1, steps + 1):
        new = [0.0] * ahead_max
        for k, mass in enumerate(dist):
            move = (n * mu + k * theta) / rate
            if k == 0:
                served += mass * move
            else:
                new[k - 1] += mass * move
            new[k] += mass * (1 - move - theta / rate)
        dist = new
        poisson *= rate * t / step
        within += poisson * served
    return {"wait": sum(probs[n:]), "abandon": theta * queue / lam,
            "service_level": sum(probs[:n]) + within}


GRID_A = [(calls, aht, patience, n)
          for calls in (6, 40, 150)  # calls per hour
          for aht in (60, 180)
          for patience in (20, 60, 300)
          for n in (1, 2, 4, 9)]


@pytest.mark.parametrize(("calls", "aht", "patience", "n"), GRID_A)
def test_erlang_a_agrees_with_an_independent_solver(calls, aht, patience, n):
    ours = erlang_a(arrival_rate=calls / 3600, handle_seconds=aht, patience_seconds=patience,
                    agents=n, target_seconds=15)
    ref = reference_erlang_a(calls / 3600, aht, patience, n, 15)
    assert ours.wait_probability == pytest.approx(ref["wait"], abs=TOLERANCE)
    assert ours.abandon_probability == pytest.approx(ref["abandon"], abs=TOLERANCE)
    assert ours.service_level == pytest.approx(ref["service_level"], abs=1e-8)


@pytest.mark.parametrize(("load", "n"), [(10, 14), (3, 4), (0.4, 1), (50, 56)])
def test_erlang_a_becomes_erlang_c_as_callers_become_infinitely_patient(load, n):
    c = erlang_c(arrival_rate=load / 180, handle_seconds=180, agents=n, target_seconds=20)
    gaps = []
    for patience in (1e3, 1e5, 1e8):  # the gap shrinks like AHT / patience
        a = erlang_a(arrival_rate=load / 180, handle_seconds=180, patience_seconds=patience,
                     agents=n, target_seconds=20)
        gaps.append(abs(a.service_level - c.service_level) + abs(a.wait_probability
                                                                 - c.wait_probability))
        # Garnett-Mandelbaum-Reiman: P(abandon) = mean wait / mean patience.
        assert a.abandon_probability == pytest.approx(a.queue_seconds / patience)
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-5
    assert gaps[1] / gaps[2] > 100  # at least linear in 1 / patience
    same = erlang_a(arrival_rate=load / 180, handle_seconds=180, patience_seconds=math.inf,
                    agents=n, target_seconds=20)
    assert same == c


def test_with_impatient_callers_an_overloaded_center_still_answers_some():
    """Erlang C has no answer above 100% load; with patience the queue stays finite."""
    c = erlang_c(arrival_rate=12 / 180, handle_seconds=180, agents=10, target_seconds=15)
    a = erlang_a(arrival_rate=12 / 180, handle_seconds=180, patience_seconds=60, agents=10,
                 target_seconds=15)
    assert c.service_level == 0 and math.isinf(c.answer_seconds)
    assert 0 < a.service_level < 1 and 0.1 < a.abandon_probability < 0.3
    assert a.occupancy == pytest.approx(12 * (1 - a.abandon_probability) / 10)


def test_fewest_call_takers_is_the_smallest_reaching_the_target():
    m = fewest_agents(arrival_rate=40 / 3600, handle_seconds=95, patience_seconds=39,
                      target_level=0.9, target_seconds=15)
    below = erlang_a(arrival_rate=40 / 3600, handle_seconds=95, patience_seconds=39,
                     agents=m.agents - 1, target_seconds=15)
    assert m.service_level >= 0.9 > below.service_level
    assert fewest_agents(arrival_rate=1 / 3600, handle_seconds=95, patience_seconds=39,
                         target_level=0.9, target_seconds=15, min_agents=2).agents == 2


def test_no_calls_need_no_queue_and_bad_input_is_refused():
    assert erlang_a(arrival_rate=0, handle_seconds=90, patience_seconds=30, agents=1,
                    target_seconds=15).service_level == 1
    with pytest.raises(ValueError, match="handling time"):
        erlang_c(arrival_rate=1, handle_seconds=0, agents=1, target_seconds=15)
    with pytest.raises(ValueError, match="patience"):
        erlang_a(arrival_rate=1, handle_seconds=9, patience_seconds=0, agents=1, target_seconds=1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        fewest_agents(arrival_rate=1, handle_seconds=9, patience_seconds=9, target_level=1.0,
                      target_seconds=1)
