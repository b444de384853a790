"""Faults under load: what do the callers notice? (Kamailio in front of two nodes.)

A steady sipp load goes through Kamailio (deploy/kamailio/kamailio.cfg) to two
`siaga112 serve` nodes sharing one PostgreSQL, each ringing its own desks (sipp phones).
First a baseline of the same load with nothing broken; then the load again with a fault
part way:

- `--fault node-kill`: node-a is killed with -9. Reported: calls cut (carried by the dead
  node), moved to the other node by Kamailio, and how long after the kill calls were
  answered as fast as in the baseline again.
- `--fault pg-restart`: PostgreSQL is stopped (fast shutdown, as `systemctl restart` does),
  left down `--down-seconds`, and started again. It is a private server of this run
  (tests/support/private_postgres.py), never the machine's. The nodes are not touched: they
  must recover by themselves. A call-taker console on each node's live channel, in both
  runs. Reported: the calls sent while it was down (held and answered, or refused with
  503), how long until new calls were answered normally again (the gap), until each
  node's /readyz was 200 again, each node's writer counters (/metrics), whether each
  console heard the other node's calls after the restart (the LISTEN/NOTIFY relay), and
  whether a node process was restarted (must not be).

Both: sent, answered (a 200, also one that overtook its 180: sipp gives those up, Kamailio's
two UDP workers can reorder them), stored, lost (a caller got a 200 but the call has no
row: must be 0), unaccounted (neither stored nor refused: must be 0), unfinished (stored,
its caller finished, but not ended in the database: a step lost; must be 0 for
pg-restart). Prints one JSON object on its last line; exits 1 if a call was lost.

    python bench/faults.py --calls 300 --rate 20 [--fault-after 5]
    python bench/faults.py --fault pg-restart --calls 600 --rate 20 [--down-seconds 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cluster harness lives with the tests that use it too

from scratch_db import scratch_database  # noqa: E402

from siaga112.domain.accounts import Role  # noqa: E402

from tests.support.live_consoles import Consoles, create_accounts  # noqa: E402
from tests.support.private_postgres import private_postgres  # noqa: E402
from tests.support.sip_cluster import Cluster, sip_cluster  # noqa: E402

ENDED = ("released", "abandoned", "interrupted")
Fault = Callable[[], tuple[float, float]]  # does it; (started, over) in wall time


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


class ReadyWatch:
    """Polls each node's /readyz every 0.2 s (under its public rate limit, 300 a minute):
    when was it last not ready?"""

    def __init__(self, cluster: Cluster) -> None:
        self.bases = {name: node.base for name, node in cluster.nodes.items()}
        self.not_ready: dict[str, list[float]] = {name: [] for name in self.bases}
        self.last_problem: dict[str, str] = {}  # why each node was last not ready
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ReadyWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        with httpx.Client(timeout=2) as client:
            while not self._stop.is_set():
                for name, base in self.bases.items():
                    try:
                        response = client.get(f"{base}/readyz")
                        ok, why = response.status_code == 200, response.text[:300]
                    except httpx.HTTPError as exc:
                        ok, why = False, f"no answer: {type(exc).__name__}"
                    if not ok:
                        self.not_ready[name].append(time.time())
                        self.last_problem[name] = why
                self._stop.wait(0.2)


def writer_counters(cluster: Cluster, token: str) -> dict[str, dict[str, float]]:
    """Each live node's writer outages and refusals, from its /metrics."""
    found: dict[str, dict[str, float]] = {}
    for name, node in cluster.nodes.items():
        if node.process.poll() is not None:
            continue
        text = httpx.get(f"{node.base}/metrics", timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).text
        found[name] = {key: float(line.split()[-1]) for line in text.splitlines()
                       for key in ("outages", "refused")
                       if line.startswith(f"siaga112_sip_writer_{key}_total ")}
    return found


def run_load(cluster: Cluster, calls: int, rate: float, tag: str,
             fault_after: float | None, fault: Fault | None) -> dict[str, object]:
    before = cluster.calls_by_node()
    stored_before = sum(sum(s.values()) for s in before.values())
    released_before = sum(s.get("released", 0) for s in before.values())
    started = time.time()
    callers = cluster.callers(calls=calls, rate=rate, tag=tag,
                              extra=("-trace_rtt", "-rtt_freq", "1"))
    fault_window = None
    if fault is not None and fault_after is not None:
        time.sleep(fault_after)
        fault_window = fault()
    callers.wait(calls / rate + 120)
    stats = cluster.caller_stats(tag)
    # Kamailio, a proxy, passes a node's 503 on as 500 (RFC 3261 16.7): both are a refusal.
    refused = cluster.aborted_on(tag, 503) | cluster.aborted_on(tag, 500)
    cluster.wait_until_stored(stored_before + stats["sent"] - len(refused), seconds=10)
    time.sleep(1.5)  # the last releases
    found = cluster.calls_by_node()
    stored = sum(sum(s.values()) for s in found.values()) - stored_before
    released = sum(s.get("released", 0) for s in found.values()) - released_before
    times = answer_times(cluster.workdir, callers.pid, started)
    # Kamailio's two UDP workers can pass a 200 on before its 180; sipp then gives the call
    # up, but the caller was answered: it counts as answered (and must be stored).
    overtaken = cluster.aborted_on(tag, 200)
    answered = cluster.answered(tag) | overtaken
    sent_ids = {cluster.call_id(callers.pid, n) for n in range(1, stats["sent"] + 1)}
    states = cluster.call_states(sent_ids)
    aborted = sent_ids - answered - refused
    live = ("received", "screening", "queued", "offered", "connected")
    result: dict[str, object] = {
        **stats, "answered": len(answered), "answered_out_of_order": len(overtaken),
        "refused_503": len(refused), "stored": stored,
        "released": released,
        # A call whose caller got a 200 and that has no row in the database.
        "lost": len(cluster.not_stored(answered)),
        # Neither stored nor refused: the node said nothing final, and kept nothing.
        "unaccounted": len(sent_ids - set(states) - refused),
        # Stored, but not ended once the load is over, though its caller finished or was
        # refused: its last steps were not stored.
        "unfinished": sum(1 for i, s in states.items()
                          if s not in ENDED and i not in aborted | overtaken),
        # Calls sipp gave up itself (a timeout, a 200 that overtook its 180) and never
        # ACKed: the node ends them itself, 32 s later (no ACK: interrupted).
        "aborted_by_caller": len(aborted | overtaken),
        "aborted_still_live": sum(1 for i in aborted | overtaken
                                  if i in states and states[i] not in ENDED),
        "stored_and_refused": len(refused & set(states)),
        # Ended as interrupted: cut by the fault, or taken over from a node thought lost.
        "interrupted": sum(1 for s in states.values() if s == "interrupted"),
        # Still live in the database after the run, by node: on a dead node, calls whose
        # last steps died with it (interrupted, with a callback task, when it starts again).
        "live_after": {node: sum(s.get(k, 0) for k in live) for node, s in found.items()},
        "answer_ms": {"p50": percentile([t for _, t in times], 0.5),
                      "p99": percentile([t for _, t in times], 0.99),
                      "max": percentile([t for _, t in times], 1.0)},
        "by_node": {node: sum(s.values()) - sum(before.get(node, {}).values())
                    for node, s in found.items()}}
    result["_times"] = times
    result["_fault"] = fault_window
    result["_invites"] = {  # when each call was sent (sipp paces them evenly), and its fate
        "started": started, "refused": sorted(cluster.call_number(i) for i in refused),
        "failed": sorted(cluster.call_number(i) for i in aborted)}
    return result


def normal_again(fault: dict[str, object], baseline: dict[str, object], rate: float
                 ) -> float:
    """Seconds from the fault's start until new calls were answered as in the baseline
    again: the INVITE time of the last call that was refused, failed or slower than any in
    the baseline (+250 ms), plus one call interval; 0 when no call noticed."""
    start = fault["_fault"][0]  # type: ignore[index]
    slow = (baseline["answer_ms"]["max"] or 0) + 250  # type: ignore[index,operator]
    invites = fault["_invites"]
    sent = [invites["started"] + (n - 1) / rate  # type: ignore[index]
            for n in (*invites["refused"], *invites["failed"])]  # type: ignore[index]
    times: list[tuple[float, float]] = fault["_times"]  # type: ignore[assignment]
    sent += [at - ms / 1000 for at, ms in times if ms > slow]
    noticed = [t for t in sent if t >= start - 1.0 / rate]
    return round(max(noticed) + 1.0 / rate - start, 2) if noticed else 0.0


def consoles_after(cluster: Cluster, consoles: list[Consoles], users: list[tuple[str, Role]],
                   since: float) -> dict[str, dict[str, object]]:
    """For each node's console: the calls the other node took after PostgreSQL was back, how
    many of them it heard of (through the LISTEN/NOTIFY relay), and, of those it missed, the
    latest (seconds after PostgreSQL was back: the relay's reconnection gap)."""
    engine = sa.create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT n.node, c.id, c.received_at FROM calls c JOIN sip_call_nodes n "
                "ON n.call_id = c.id WHERE c.received_at > :since"),
                {"since": datetime.fromtimestamp(since, UTC)}).all()
    finally:
        engine.dispose()
    found: dict[str, dict[str, object]] = {}
    for name, console, (username, _) in zip(cluster.nodes, consoles, users):
        other = {str(call_id): at for node, call_id, at in rows if node != name}
        heard = set(console.figures.calls_heard.get(username, {}))
        missed = [other[i].timestamp() - since for i in set(other) - heard]
        found[name] = {"other_node_calls": len(other), "heard": len(set(other) & heard),
                       "last_missed_s": round(max(missed), 2) if missed else None,
                       "api_errors": console.figures.api_errors,
                       "connections_lost": console.figures.connections_lost}
    return found


def during(fault: dict[str, object], rate: float) -> dict[str, object]:
    """The calls sent while the fault lasted (from its start until it was over): answered
    (for a PostgreSQL restart: held, then stored), refused, given up; the slowest answer."""
    start, over = fault["_fault"]  # type: ignore[misc]
    invites = fault["_invites"]
    sent_at = lambda n: invites["started"] + (n - 1) / rate  # type: ignore[index]  # noqa: E731
    inside = lambda t: start <= t <= over  # noqa: E731
    times: list[tuple[float, float]] = fault["_times"]  # type: ignore[assignment]
    answered = [ms for at, ms in times if inside(at - ms / 1000)]
    refused = [n for n in invites["refused"] if inside(sent_at(n))]  # type: ignore[index]
    failed = [n for n in invites["failed"] if inside(sent_at(n))]  # type: ignore[index]
    return {"seconds": round(over - start, 2), "answered": len(answered),
            "refused": len(refused), "given_up": len(failed),
            "answer_max_ms": max(answered) if answered else None}


def taken_over(cluster: Cluster) -> int:
    """Calls interrupted because their node was declared lost by a peer (heartbeats,
    operations/heartbeat.py): none may be when only the database went away."""
    engine = sa.create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text(
                "SELECT count(*) FROM event_log WHERE reason LIKE 'node_lost:%'")) or 0)
    finally:
        engine.dispose()


def kill_node(cluster: Cluster) -> Fault:
    def fault() -> tuple[float, float]:
        at = time.time()
        cluster.kill("node-a")
        return at, at
    return fault


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", choices=("node-kill", "pg-restart"), default="node-kill")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--baseline-calls", type=int, default=None,
                        help="calls of the baseline run (default: --calls)")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--fault-after", "--kill-after", dest="fault_after", type=float,
                        default=None, help="seconds into the load (default: a third of it)")
    parser.add_argument("--down-seconds", type=float, default=0.0,
                        help="pg-restart: how long PostgreSQL stays stopped (0: a restart)")
    parser.add_argument("--desks", type=int, default=8,
                        help="desks per node: one node's desks must carry the whole load")
    parser.add_argument("--probe-seconds", type=int, default=1,
                        help="Kamailio's OPTIONS interval (deploy default: 2)")
    args = parser.parse_args(argv)
    fault_after = args.fault_after if args.fault_after is not None else args.calls / args.rate / 3
    result: dict[str, object] = {"benchmark": "faults", "fault": args.fault, "calls": args.calls,
                                 "rate": args.rate, "fault_after_s": round(fault_after, 2),
                                 "probe_seconds": args.probe_seconds,
                                 "desks_per_node": args.desks, "load_before": os.getloadavg()}
    if args.fault == "pg-restart":
        result["down_seconds"] = args.down_seconds
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        if args.fault == "pg-restart":
            pg = stack.enter_context(private_postgres())
            url = pg.url
        else:
            url, drop = scratch_database("postgresql", workdir)
            stack.callback(drop)
        users = [("console-a", Role.CALL_TAKER), ("console-b", Role.CALL_TAKER)]
        tokens: list[str] = []
        cluster = stack.enter_context(sip_cluster(
            url, workdir, probe_seconds=args.probe_seconds, desks_per_node=args.desks,
            prepare=lambda siaga: tokens.append(create_accounts(siaga, users))))
        pids = {name: node.process.pid for name, node in cluster.nodes.items()}
        consoles = []
        if args.fault == "pg-restart":
            # A console on each node (in both runs, so that the baseline carries the same
            # load): after the restart, each must hear the calls the other node takes (the
            # LISTEN/NOTIFY relay reconnected), and read the API again.
            consoles = [Consoles(node.base, [user]).start()
                        for node, user in zip(cluster.nodes.values(), users)]
        baseline = run_load(cluster, args.baseline_calls or args.calls, args.rate, "baseline",
                            None, None)
        if args.fault == "pg-restart":
            with ReadyWatch(cluster) as watch:
                fault = run_load(cluster, args.calls, args.rate, "fault", fault_after,
                                 lambda: pg.restart(down_seconds=args.down_seconds))
            for console in consoles:
                console.stop()
            stopped, ready = fault["_fault"]  # type: ignore[misc]
            fault["postgres_down_s"] = round(ready - stopped, 2)
            fault["calls_while_down"] = during(fault, args.rate)
            fault["readyz_again_s"] = {  # from the stop to each node's last "not ready"
                name: round(max(t) - stopped, 2) if t else 0.0
                for name, t in watch.not_ready.items()}
            fault["readyz_last_problem"] = watch.last_problem
            fault["nodes_restarted"] = sum(
                1 for name, node in cluster.nodes.items()
                if node.process.poll() is not None or node.process.pid != pids[name])
            fault["writers"] = writer_counters(cluster, tokens[0])
            fault["calls_taken_over"] = taken_over(cluster)
            fault["consoles_after_restart"] = consoles_after(cluster, consoles, users, ready)
        else:
            fault = run_load(cluster, args.calls, args.rate, "fault", fault_after,
                             kill_node(cluster))
        log = cluster.kamailio_log.read_text(errors="replace") if cluster.kamailio_log else ""
    fault["moved_to_other_node"] = log.count("did not answer: marked down, next node")
    # Failed at the caller's end for the fault's sake: not refused, not merely out of order.
    fault["cut"] = (fault["failed"] - fault["refused_503"]  # type: ignore[operator]
                    - fault["answered_out_of_order"])
    # From the fault to the last call that was refused, failed or slower than any in the
    # baseline: after that, every new call was answered as fast as before the fault.
    fault["recovery_s"] = normal_again(fault, baseline, args.rate)
    for run in (baseline, fault):
        for key in ("_times", "_fault", "_invites"):
            run.pop(key)
    result.update({"baseline": baseline, "fault": fault, "load_after": os.getloadavg(),
                   "lost_calls": bool(baseline["lost"] or fault["lost"])})
    print(json.dumps(result))
    return 1 if result["lost_calls"] else 0


if __name__ == "__main__":
    sys.exit(main())
