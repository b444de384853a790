"""bench/faults.py at a tiny size: a node killed under load through Kamailio loses no call."""

from __future__ import annotations

from tests.bench.test_benchmarks_run import run_bench


def test_faults_benchmark_runs_and_loses_no_answered_call():
    figures = run_bench("faults.py", "--calls", "20", "--rate", "10", "--kill-after", "1")
    assert figures["lost_calls"] is False
    base, fault = figures["baseline"], figures["fault"]
    assert (base["sent"], base["stored"], base["lost"]) == (20, 20, 0), base
    assert base["successful"] >= 19, base  # a loaded machine may time one sipp call out
    assert set(base["by_node"]) == {"node-a", "node-b"}
    assert fault["sent"] == fault["stored"] == 20 and fault["lost"] == 0, fault
    assert fault["successful"] + fault["cut"] == 20 and fault["cut"] <= 5, fault
    assert fault["recovery_s"] < 10, fault
