"""A node dies under load: what do the callers notice? (Kamailio in front of two nodes.)

A steady sipp load goes through Kamailio (deploy/kamailio/kamailio.cfg) to two
`siaga112 serve` nodes sharing one PostgreSQL, each ringing its own desks (sipp phones).
First a baseline of the same load with both nodes up; then the load again, and one node
is killed with -9 part way. Reported: calls sent, answered, failed (cut: carried by the
dead node), stored, lost (a caller got a 200 but the call has no row: must be 0),
unfinished (stored, but the dead node's last steps for it were not), how many calls Kamailio
moved to the other node, and how long after the kill calls were answered as fast as in
the baseline again. Prints one JSON object on its last line.

    python bench/faults.py --calls 300 --rate 20 [--kill-after 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cluster harness lives with the tests that use it too

from scratch_db import scratch_database  # noqa: E402

from tests.support.sip_cluster import sip_cluster  # noqa: E402


def answer_times(workdir: Path, pid: int, started: float) -> list[tuple[float, float]]:
    """(wall time in s when the 200 arrived, INVITE-to-200 in ms) for each answered call;
    sipp counts its Date_ms from its own start."""
    path = workdir / f"caller_via_proxy_{pid}_rtt.csv"
    if not path.exists():
        return []
    rows = list(csv.reader(path.read_text().splitlines(), delimiter=";"))[1:]
    # sipp's columns: Date_ms;response_time_ms;rtd_no
    return [(started + float(r[0]) / 1000.0, float(r[1])) for r in rows if len(r) >= 2]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def run_load(cluster, calls: int, rate: float, tag: str, kill_after: float | None
             ) -> dict[str, object]:
    before = cluster.calls_by_node()
    stored_before = sum(sum(s.values()) for s in before.values())
    released_before = sum(s.get("released", 0) for s in before.values())
    started = time.time()
    callers = cluster.callers(calls=calls, rate=rate, tag=tag,
                              extra=("-trace_rtt", "-rtt_freq", "1"))
    killed_at = None
    if kill_after is not None:
        time.sleep(kill_after)
        killed_at = time.time()
        cluster.kill("node-a")
    callers.wait(calls / rate + 120)
    stats = cluster.caller_stats(tag)
    found = cluster.wait_until_stored(stored_before + stats["sent"], seconds=10)
    time.sleep(1.0)  # the last releases
    found = cluster.calls_by_node()
    stored = sum(sum(s.values()) for s in found.values()) - stored_before
    released = sum(s.get("released", 0) for s in found.values()) - released_before
    times = answer_times(cluster.workdir, callers.pid, started)
    answered = cluster.answered(tag)
    live = ("received", "screening", "queued", "offered", "connected")
    result: dict[str, object] = {
        **stats, "answered": len(answered), "stored": stored, "released": released,
        # A call whose caller got a 200 and that has no row in the database.
        "lost": len(cluster.not_stored(answered)),
        # Still live in the database after the run, by node: on the dead node, calls whose
        # last steps died with it (interrupted, with a callback task, when it starts again).
        "live_after": {node: sum(s.get(k, 0) for k in live) for node, s in found.items()},
        "answer_ms": {"p50": percentile([t for _, t in times], 0.5),
                      "p99": percentile([t for _, t in times], 0.99),
                      "max": percentile([t for _, t in times], 1.0)},
        "by_node": {node: sum(s.values()) - sum(before.get(node, {}).values())
                    for node, s in found.items()}}
    result["_times"] = times
    result["_killed_at"] = killed_at
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--kill-after", type=float, default=None,
                        help="seconds into the load (default: a third of it)")
    parser.add_argument("--desks", type=int, default=8,
                        help="desks per node: one node's desks must carry the whole load")
    parser.add_argument("--probe-seconds", type=int, default=1,
                        help="Kamailio's OPTIONS interval (deploy default: 2)")
    args = parser.parse_args(argv)
    kill_after = args.kill_after if args.kill_after is not None else args.calls / args.rate / 3
    result: dict[str, object] = {"benchmark": "faults", "calls": args.calls, "rate": args.rate,
                                 "kill_after_s": round(kill_after, 2),
                                 "probe_seconds": args.probe_seconds,
                                 "desks_per_node": args.desks, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, drop = scratch_database("postgresql", workdir)
        try:
            with sip_cluster(url, workdir, probe_seconds=args.probe_seconds,
                             desks_per_node=args.desks) as cluster:
                baseline = run_load(cluster, args.calls, args.rate, "baseline", None)
                fault = run_load(cluster, args.calls, args.rate, "fault", kill_after)
                log = cluster.kamailio_log.read_text(errors="replace") if cluster.kamailio_log else ""
        finally:
            drop()
    slow = (baseline["answer_ms"]["max"] or 0) + 250  # type: ignore[index,operator]
    killed_at = fault.pop("_killed_at")
    times = fault.pop("_times")
    baseline.pop("_times"), baseline.pop("_killed_at")
    delayed = [at for at, ms in times if ms > slow and at >= killed_at]  # type: ignore[operator]
    fault["moved_to_other_node"] = log.count("did not answer: marked down, next node")
    fault["cut"] = fault["failed"]
    # From the kill to the last call that was slower than any in the baseline: after that,
    # every new call was answered as fast as with both nodes up.
    fault["recovery_s"] = round(max(delayed) - killed_at, 2) if delayed else 0.0  # type: ignore[operator]
    result.update({"baseline": baseline, "fault": fault, "load_after": os.getloadavg(),
                   "lost_calls": bool(baseline["lost"] or fault["lost"])})
    print(json.dumps(result))
    return 1 if result["lost_calls"] else 0


if __name__ == "__main__":
    sys.exit(main())
