"""bench/media_relay.py at a tiny size: rtpengine relays every packet and each call's
recording becomes a WAV (figures: docs/adr/0008-media-relay.md)."""

from __future__ import annotations

from tests.bench.test_benchmarks_run import run_bench


def test_media_relay_benchmark_runs_and_loses_nothing():
    figures = run_bench("media_relay.py", "--calls", "5", "--seconds", "1")
    relay = figures["relay_recording"]
    assert relay["sent"] == figures["baseline_direct"]["sent"] == 500
    assert relay["lost_ratio"] == 0 and relay["received"] == 500
    assert figures["wav"]["files"] == 5
    assert figures["wav"]["audio_seconds"] >= 4.5
