"""bench/info_path.py runs once at a tiny size, so it does not rot; its figures come from bench/."""

from __future__ import annotations

from tests.bench.test_benchmarks_run import run_bench


def test_info_path_benchmark_runs_and_no_emergency_caller_leaves_after_the_message():
    figures = run_bench("info_path.py", "--days", "2", "--replications", "1")
    scenarios = figures["scenarios"]
    assert list(scenarios) == ["baseline", "quick_answers", "waiting_message", "both"]
    calls = {name: s["emergency"]["calls"] for name, s in scenarios.items()}
    assert len(set(calls.values())) == 1 and calls["baseline"] > 0  # the same callers
    assert scenarios["baseline"]["vs_baseline"]["emergency_gave_up_share"] == 0.0
    for name in ("waiting_message", "both"):
        cost = scenarios[name]["message_cost"]
        assert cost["emergency_left_after_message"] == 0 and cost["how"]
        assert cost["of_which_own_patience"] == cost["emergency_hung_up_in_window"]
    assert figures["emergency_left_after_message_is_zero"] is True
    assert scenarios["waiting_message"]["question"]["left_because_of_message"] > 0
