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
    assert fault["successful"] + fault["cut"] + fault["answered_out_of_order"] == 20, fault
    assert fault["cut"] <= 5, fault
    assert fault["recovery_s"] < 10, fault


def test_a_postgresql_restart_under_load_loses_no_call_and_the_nodes_recover_alone():
    """PostgreSQL (a private server of the run) stopped 2.5 s, longer than a new call may
    wait (group_commit.REFUSE_NEW_AFTER, 2 s): those calls are refused, never left hanging;
    every step of the calls already stored is kept; the nodes take calls again by themselves."""
    figures = run_bench("faults.py", "--fault", "pg-restart", "--calls", "120", "--rate", "20",
                        "--baseline-calls", "40", "--fault-after", "1", "--down-seconds", "2.5",
                        "--desks", "6")
    assert figures["lost_calls"] is False
    base, fault = figures["baseline"], figures["fault"]
    assert (base["sent"], base["stored"], base["lost"]) == (40, 40, 0), base
    assert fault["nodes_restarted"] == 0 and fault["lost"] == 0, fault
    # Each call was stored or refused (never both, never neither), and each stored call ended.
    assert fault["unaccounted"] == fault["stored_and_refused"] == fault["unfinished"] == 0, fault
    assert fault["stored"] + fault["refused_503"] == 120, fault
    assert fault["refused_503"] > 0, fault  # the outage outlasted the grace
    assert all(w["outages"] >= 1 for w in fault["writers"].values()), fault
    # After the restart new calls are answered normally again, on both nodes.
    assert fault["recovery_s"] < fault["postgres_down_s"] + 3, fault
    assert all(s < fault["postgres_down_s"] + 3 for s in fault["readyz_again_s"].values()), fault
    # Each node's console hears the other node's calls again once the relay has reconnected
    # (live_relay.py tries every second; what it missed before is not sent again).
    consoles = fault["consoles_after_restart"]
    assert all(c["other_node_calls"] > 0 and c["heard"] > 0 for c in consoles.values()), consoles
    assert all((c["last_missed_s"] or 0) < 3 for c in consoles.values()), consoles
