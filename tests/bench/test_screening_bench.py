"""bench/screening.py at a tiny size: the same calls with silent-call screening off, then on
(real sipp callers with espeak-ng speech or silence, rtpengine, the node's tap). What the
bench guarantees: every call stored, no genuine caller released or delayed by screening."""

from __future__ import annotations

from tests.bench.test_benchmarks_run import run_bench

TINY = ("--calls", "8", "--rate", "90", "--positions", "1", "--handling-seconds", "3",
        "--patience", "3:0.5,6:0.5", "--silent-stays", "16", "--listen-seconds", "1",
        "--response-seconds", "3")
SCREENING_KEPT_THEM = {"queued:screening_speech", "queued:screening_digits",
                       "queued:screening_offered"}


def test_screening_benchmark_stores_every_call_and_costs_genuine_callers_nothing():
    figures = run_bench("screening.py", *TINY)

    assert figures["planned_by_kind"] == {"genuine": 5, "prank": 1, "silent": 1, "hang_up": 1}
    assert figures["all_calls_stored"] is True
    off, on = figures["off"], figures["on"]
    for run in (off, on):
        assert run["calls"] == {"sent": 8, "stored": 8, "matched_to_plan": 8,
                                "stored_equals_sent": True}, run["calls"]
        assert run["genuine"]["calls"] == 5
        assert set(run["genuine"]["answer_s"]) == {"mean", "p90", "answered_within_patience"}
        assert {"released_by_screening", "reached_call_taker"} <= set(run["silent"])
        assert "reached_call_taker" in run["prank"] and "reached_call_taker" in run["hang_up"]
        assert set(run["call_taker_minutes"]) == {"genuine", "non_genuine"}
        assert run["cost"]["genuine_released_by_screening"] == 0
        assert run["cost"]["genuine_delayed_by_screening"] == 0, run["cost"]

    # Off: nothing screened. On: every call screened, the genuine ones heard and kept.
    assert off["screening_counts"] is None and off["report_screened_out"] == 0
    # Off, callers see their own patience end (no 200); on, the bench tells those unanswered.
    assert off["callers_told_nobody_answered"] is None
    assert on["callers_told_nobody_answered"] >= 1  # the 3 s ones, at least
    assert on["screening_counts"]["screened"] == 8
    assert on["tap"]["speech"] >= 1
    kept = on["screening_outcome_by_kind"]["genuine"]
    assert set(kept) <= SCREENING_KEPT_THEM and sum(kept.values()) == 5, kept
    # The supervisors' report counts as screened out what the event log says was released.
    assert on["report_screened_out"] == on["released_silent_all_kinds"]

    cost = figures["cost"]
    assert cost["genuine_released_by_screening"] == 0
    assert cost["genuine_delayed_by_screening"] == 0
    assert "released:silent" in cost["how_checked"] and "overtaken" in cost["how_checked"]
    for figure in ("answered_within_15s", "abandoned", "call_taker_minutes_on_non_genuine"):
        assert set(figures["genuine_gain"][figure]) == {"off", "on"}
