"""Each benchmark runs once at a tiny size, so none rots; figures come from bench/ itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_bench(script: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_call_intake_benchmark_runs_and_loses_nothing():
    figures = run_bench("call_intake.py", "--calls", "20", "--threads", "2")
    assert figures["lost_calls"] is False
    for backend in ("sqlite", "postgresql"):
        assert figures[backend]["calls_stored"] == 40
        assert figures[backend]["receive_call"]["per_second"] > 0


def test_staffing_benchmark_runs_and_agrees_with_pyworkforce():
    figures = run_bench("staffing.py", "--intervals", "24", "--peak", "60", "--repeat", "1")
    assert figures["intervals"] == 24
    assert figures["erlang_c"]["max_call_taker_difference"] == 0
    assert figures["erlang_c"]["max_service_level_difference"] < 1e-9
    assert figures["check_value"] == {"wait_probability": 0.17413, "service_level": 0.88835}
    assert figures["roster"]["staff_hours"] >= figures["roster"]["required_hours"]


def test_report_benchmark_runs_and_duckdb_finds_the_same_numbers():
    figures = run_bench("report.py", "--calls", "1500", "--runs", "1")
    assert figures["same_numbers"] is True
    for backend in ("sqlite", "postgresql"):
        assert figures[backend]["figures"]["total_calls"] == 1500
        assert figures[backend]["same_report_without_rollups"] is True
        assert figures[backend]["report_seconds"] > 0 and figures[backend]["cold_seconds"] > 0
        assert figures[backend]["without_rollups_seconds"] > 0


def test_report_triggers_benchmark_runs_and_counts_every_change():
    figures = run_bench("report_triggers.py", "--calls", "20", "--batch", "10", "--runs", "1",
                        "--bulk", "50")
    for backend in ("sqlite", "postgresql"):
        found = figures[backend]
        assert found["ratio"]["this_hour"] > 0 and found["bulk_ratio"]["rolled_up"] > 0
        # Calls of this hour fire nothing; old hours never rolled up have no counter to
        # raise; in rolled-up ones each insert and each update of a report column counts.
        assert found["changes_counted"] == {"this_hour": 0, "past": 0,
                                            "rolled_up": found["changes_expected_rolled_up"]}


def test_aml_benchmark_runs_and_stores_and_matches_every_message():
    figures = run_bench("aml.py", "--messages", "60", "--single", "10", "--producers", "4")
    assert figures["lost_or_mismatched"] is False
    for backend in ("sqlite", "postgresql"):
        assert figures[backend]["stored"] == 70 and figures[backend]["audit_chain_ok"] is True
        assert figures[backend]["group_commit"]["per_second"] > 0


def test_sip_intake_benchmark_runs_and_loses_no_call():
    figures = run_bench("sip_intake.py", "--calls", "30", "--rate", "15", "--positions", "8",
                        "--hold-ms", "100")
    assert figures["lost_calls"] is False
    assert figures["bare"]["runs"][0]["clean"] is True
    for backend in ("sqlite", "postgresql"):
        run = figures[backend]["runs"][0]
        assert (run["sent"], run["calls_stored"], run["released"]) == (30, 30, 30), run
        assert run["failed"] == 0 and run["invite_180_ms"]["p50"] > 0
        assert figures[backend]["ratio_to_bare"] > 0


def test_recommend_benchmark_runs_and_agrees_with_the_naive_router():
    figures = run_bench("recommend.py", "--side", "30", "--units", "60", "--incidents", "10",
                        "--naive", "2")
    assert figures["nodes"] == 900 and figures["units"] == 60
    assert figures["recommend_ms"]["incidents"] == 10 and figures["naive_ms"]["incidents"] == 2
    assert figures["max_difference_s"] < 0.1  # same answers: milliseconds of rounding only
    assert figures["graph_build_s"] > 0


def test_ws_fanout_benchmark_runs_and_every_console_gets_every_message():
    figures = run_bench("ws_fanout.py", "--consoles", "5", "--changes", "5", "--rate", "20")
    for side in ("siaga112", "bare_broadcast"):
        assert figures[side]["delivered"] == figures[side]["expected"] == 25
        assert 0 <= figures[side]["p50_ms"] <= figures[side]["p99_ms"]
    assert figures["lost_messages"] is False
