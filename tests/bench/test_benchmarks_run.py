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
