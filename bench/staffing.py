"""How fast is a week's staffing solved, against pyworkforce on the same inputs in the same run?

A week of 168 hourly intervals (a city center's daily profile, busier at the weekend)
is solved for the fewest call-takers reaching 90% answered within 15 s: by our Erlang C
and Erlang A, and by pyworkforce's ErlangC (and its ErlangA when the installed version
has it: 0.5.2 and later, which need Python 3.12). Reported: the best of `--repeat` timings
of each, the largest difference in call-takers and in service level at the solved
staffing, and the time of the roster (8-hour shifts) for our requirement. Prints one JSON
object on its last line.

    python bench/staffing.py [--intervals 168] [--peak 240] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from siaga112.planning.erlang import erlang_a, fewest_agents
from siaga112.planning.roster import cover

TARGET, SECONDS, AHT, PATIENCE = 0.9, 15.0, 180.0, 60.0
TARGET_TIME = 0.5  # seconds for a 168-interval week, Erlang A


def week(intervals: int, peak: float) -> list[float]:
    """Calls per hour: a night trough at 04:00, a peak at 19:00, 20% more at the weekend."""
    calls = []
    for hour in range(intervals):
        day, h = divmod(hour, 24)
        shape = 0.15 + 0.85 * (0.5 - 0.5 * math.cos(2 * math.pi * ((h - 4) % 24) / 30))
        calls.append(round(peak * shape * (1.2 if day >= 5 else 1.0), 1))
    return calls


def best_of(repeat: int, solve: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = solve()
        times.append(time.perf_counter() - t0)
    return min(times), result


def ours(calls: list[float], patience: float) -> list[tuple[int, float]]:
    out = []
    for n in calls:
        m = fewest_agents(arrival_rate=n / 3600, handle_seconds=AHT, patience_seconds=patience,
                          target_level=TARGET, target_seconds=SECONDS)
        out.append((m.agents, m.service_level))
    return out


def theirs(calls: list[float], model: Any, **extra: float) -> list[tuple[int, float]]:
    out = []
    for n in calls:
        r = model(transactions=n, aht=AHT / 60, asa=SECONDS / 60, interval=60,
                  **extra).required_positions(service_level=TARGET)
        out.append((r["raw_positions"], r["service_level"]))
    return out


def compare(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> dict[str, float]:
    return {"max_call_taker_difference": max(abs(x[0] - y[0]) for x, y in zip(a, b, strict=True)),
            "max_service_level_difference": max(abs(x[1] - y[1])
                                                for x, y in zip(a, b, strict=True))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intervals", type=int, default=168)
    parser.add_argument("--peak", type=float, default=240.0, help="calls in the busiest hour")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from pyworkforce import queuing

    calls = week(args.intervals, args.peak)
    result: dict[str, Any] = {
        "benchmark": "staffing", "intervals": args.intervals,
        "calls_per_week": round(sum(calls), 1),
        "peak_calls_per_hour": max(calls), "aht_seconds": AHT, "patience_seconds": PATIENCE,
        "target": f"{TARGET:.0%} within {SECONDS:g} s", "pyworkforce": version("pyworkforce"),
        "python": sys.version.split()[0],
    }
    t_c, our_c = best_of(args.repeat, lambda: ours(calls, math.inf))
    t_pc, their_c = best_of(args.repeat, lambda: theirs(calls, queuing.ErlangC))
    result["erlang_c"] = {"ours_seconds": round(t_c, 4), "pyworkforce_seconds": round(t_pc, 4),
                          **compare(our_c, their_c)}
    t_a, our_a = best_of(args.repeat, lambda: ours(calls, PATIENCE))
    result["erlang_a"] = {"ours_seconds": round(t_a, 4)}
    if hasattr(queuing, "ErlangA"):
        t_pa, their_a = best_of(1, lambda: theirs(calls, queuing.ErlangA, patience=PATIENCE / 60))
        result["erlang_a"].update(pyworkforce_seconds=round(t_pa, 4), **compare(our_a, their_a))
    else:
        result["erlang_a"]["pyworkforce_seconds"] = None
        result["erlang_a"]["note"] = (f"pyworkforce {version('pyworkforce')} has no ErlangA "
                                      "(0.5.2+ needs Python 3.12)")
    # Erlang A at the staffing Erlang C asks for: what patience changes.
    result["erlang_a"]["call_takers_saved_vs_erlang_c"] = sum(c[0] for c in our_c) - sum(
        a[0] for a in our_a)
    t_r, roster = best_of(args.repeat, lambda: cover(required=[a[0] for a in our_a],
                                                     interval_minutes=60)
                          if args.intervals % 24 == 0 else None)
    result["roster"] = {"seconds": round(t_r, 4),
                        "shifts": roster.shifts if roster else None,
                        "staff_hours": roster.staff_hours if roster else None,
                        "required_hours": roster.required_hours if roster else None}
    check = erlang_a(arrival_rate=10 / 180, handle_seconds=180, patience_seconds=math.inf,
                     agents=14, target_seconds=20)
    result["check_value"] = {"wait_probability": round(check.wait_probability, 5),
                             "service_level": round(check.service_level, 5)}
    result["week_seconds"] = round(t_a + t_r, 4)
    result["target_seconds"] = TARGET_TIME
    result["within_target"] = result["week_seconds"] < TARGET_TIME
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
