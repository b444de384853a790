"""The information-path simulation on a tiny load: same callers in every scenario, and the
message's cost traced caller by caller."""

from __future__ import annotations

from dataclasses import replace

import pytest

from siaga112.planning.information_path import (
    SCENARIOS, Assumptions, Scenario, draw_callers, message_cost, run, summarize,
)

SMALL = replace(Assumptions(), days=2, calls_per_day=600.0)


def test_every_scenario_meets_the_same_callers_and_a_seed_repeats_itself() -> None:
    callers = draw_callers(SMALL, seed=7)
    assert callers == draw_callers(SMALL, seed=7)
    assert callers != draw_callers(SMALL, seed=8)
    counts = {s.name: summarize(run(callers, SMALL, s), SMALL)["emergency"]["calls"]
              for s in SCENARIOS}
    assert len(set(counts.values())) == 1 and counts["baseline"] > 0


def test_quick_answers_shorten_questions_and_emergencies_wait_less() -> None:
    callers = draw_callers(SMALL, seed=3)
    base = summarize(run(callers, SMALL, SCENARIOS[0]), SMALL)["emergency"]
    quick = summarize(run(callers, SMALL, SCENARIOS[1]), SMALL)["emergency"]
    assert quick["answered_within_target_share"] > base["answered_within_target_share"]
    assert quick["mean_wait_s"] < base["mean_wait_s"]


def test_the_message_reaches_only_callers_still_waiting_and_emergencies_stay() -> None:
    a = replace(SMALL, leave_probability={"emergency": 0.0, "question": 1.0, "nuisance": 1.0})
    callers = draw_callers(a, seed=5)
    off = run(callers, a, Scenario("off", False, False))
    on = run(callers, a, Scenario("on", False, True))
    for c, out in zip(callers, on):
        if out.heard_at is not None:
            assert out.heard_at == pytest.approx(a.message_after_seconds)
            assert out.wait is None or out.wait >= a.message_after_seconds
    heard = [o for o in on if o.heard_at is not None]
    # Every other hearer leaves, unless answered or out of patience first; no emergency does.
    assert any(o.left_because_of_message for o in heard)
    for c, o in zip(callers, on):
        if o.heard_at is not None and o.kind != "emergency" and not o.left_because_of_message:
            assert o.wait is not None or o.gave_up_at == pytest.approx(c.patience)
    assert not any(o.left_because_of_message for o in heard if o.kind == "emergency")
    cost = message_cost(on, off, callers, a)
    assert cost["emergency_heard_message"] > 0
    assert cost["emergency_left_after_message"] == 0
    # Whoever hung up in the window did so when its own patience (drawn at arrival) ran out.
    assert cost["of_which_own_patience"] == cost["emergency_hung_up_in_window"]


def test_an_emergency_caller_told_to_leave_would_be_counted() -> None:
    """The check can fail: a model where emergencies leave too shows them."""
    a = replace(SMALL, leave_probability={"emergency": 1.0, "question": 0.5, "nuisance": 0.3})
    callers = draw_callers(a, seed=5)
    cost = message_cost(run(callers, a, Scenario("on", False, True)),
                        run(callers, a, Scenario("off", False, False)), callers, a)
    assert cost["emergency_left_after_message"] > 0
