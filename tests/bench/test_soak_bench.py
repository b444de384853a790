"""bench/soak.py at a tiny size: the soak runs through a real node with consoles connected,
loses no call, and measures every figure; slopes of 20 s say nothing, so only growth that
cannot be noise fails here (a thread or a file descriptor kept per call)."""

from __future__ import annotations

from tests.bench.test_benchmarks_run import run_bench

SERIES = ("rss_mb", "fds", "threads", "db_connections", "invite_200_p99_ms", "api_p99_ms",
          "ws_p99_ms")


def test_soak_benchmark_runs_loses_no_call_and_measures_every_figure():
    figures = run_bench("soak.py", "--seconds", "10", "--rate", "2", "--hold-ms", "1500",
                        "--desks", "6", "--consoles", "3", "--sample-seconds", "1")
    assert figures["lost_calls"] is False
    assert figures["calls"] == figures["sent"] == figures["stored"] == 20, figures
    assert figures["answered"] >= 19 and figures["lost"] == figures["unfinished"] == 0, figures
    assert figures["samples"] >= 6, figures
    for name in SERIES:
        series = figures["series"][name]
        assert series["mean_second_half"] is not None, (name, series)
        assert series["slope_per_h"] is not None, (name, series)
    # Every console heard the calls and read the API without an error.
    assert figures["console_api_errors"] == 0 and figures["console_connections_lost"] == 0
    assert len(figures["messages_per_console"]) == 3
    assert min(figures["messages_per_console"]) >= 20 * 3, figures["messages_per_console"]
    first, last = figures["first_sample"], figures["last_sample"]
    assert last["threads"] - first["threads"] < 12, (first, last)
    assert last["fds"] - first["fds"] < 20, (first, last)
