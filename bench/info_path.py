"""Do quick answers and the waiting message help genuine emergencies, and at what cost?

A SimPy load simulation (siaga112.planning.information_path) of Kendari's first 20 days:
5,982 calls, the answered mix of 166 emergencies, 2,356 questions and 1,222 nuisance calls,
with a fixed number of call-takers. Four scenarios in the same run, on the very same callers
(same seeds): the baseline, quick answers (shorter question handling), the waiting message,
and both. Reported per scenario: emergencies' share answered within 15 s, their share who
gave up, their waits; and the message's cost: emergency callers who left after hearing it
(0 is required, and the output says how it was checked). Prints one JSON object last.

    python bench/info_path.py [--days 20] [--call-takers 1] [--replications 5] [--seed 112]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, replace
from typing import Any

from siaga112.planning.information_path import (
    KINDS, SCENARIOS, Assumptions, draw_callers, message_cost, run, summarize,
)


def compare(summary: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    mine, base = summary["emergency"], baseline["emergency"]

    def delta(key: str) -> float | None:
        if mine[key] is None or base[key] is None:
            return None
        return round(mine[key] - base[key], 4)

    return {"emergency_answered_within_target_share": delta("answered_within_target_share"),
            "emergency_gave_up_share": delta("gave_up_share")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--call-takers", type=int, default=1)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=112)
    parser.add_argument("--message-after", type=float, default=30.0)
    args = parser.parse_args()
    a = replace(Assumptions(), days=args.days, call_takers=args.call_takers,
                message_after_seconds=args.message_after)
    t0 = time.perf_counter()
    outcomes: dict[str, list[Any]] = {s.name: [] for s in SCENARIOS}
    costs: dict[str, list[dict[str, Any]]] = {"waiting_message": [], "both": []}
    callers_total = 0
    for rep in range(args.replications):
        callers = draw_callers(a, seed=args.seed + rep)
        callers_total += len(callers)
        runs = {s.name: run(callers, a, s) for s in SCENARIOS}
        for name, result in runs.items():
            outcomes[name].extend(result)
        # The message's cost, each against the same callers without the message.
        costs["waiting_message"].append(message_cost(runs["waiting_message"], runs["baseline"],
                                                     callers, a))
        costs["both"].append(message_cost(runs["both"], runs["quick_answers"], callers, a))
    summaries = {name: summarize(result, a) for name, result in outcomes.items()}
    scenarios = {}
    for s in SCENARIOS:
        entry: dict[str, Any] = {"quick_answers": s.quick_answers,
                                 "waiting_message": s.waiting_message, **summaries[s.name]}
        entry["vs_baseline"] = compare(summaries[s.name], summaries["baseline"])
        if s.name in costs:
            per_rep = costs[s.name]
            total = {k: sum(c[k] for c in per_rep) for k in per_rep[0]
                     if isinstance(per_rep[0][k], int) and k != "window_seconds"}
            entry["message_cost"] = {**total, "window_seconds": per_rep[0]["window_seconds"],
                                     "how": per_rep[0]["how"]}
        scenarios[s.name] = entry
    left = sum(scenarios[n]["message_cost"]["emergency_left_after_message"] for n in costs)
    figures = {
        "benchmark": "info_path", "days": a.days, "replications": args.replications,
        "seed": args.seed, "callers_per_scenario": callers_total, "kinds": list(KINDS),
        "assumptions": asdict(a), "scenarios": scenarios,
        "emergency_left_after_message": left,
        "emergency_left_after_message_is_zero": left == 0,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
