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
        assert figures[backend]["report_seconds"] > 0


def test_aml_benchmark_runs_and_stores_and_matches_every_message():
    figures = run_bench("aml.py", "--messages", "60", "--single", "10", "--producers", "4")
    assert figures["lost_or_mismatched"] is False
    for backend in ("sqlite", "postgresql"):
        assert figures[backend]["stored"] == 70 and figures[backend]["audit_chain_ok"] is True
        assert figures[backend]["group_commit"]["per_second"] > 0
