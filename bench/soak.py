"""Soak: does a node stay flat under a steady load for a long time?

One `siaga112 serve` node behind Kamailio (tests/support/sip_cluster.py) on PostgreSQL:
sipp callers at a steady rate, each call answered by a sipp phone at a desk and talked
`--hold-ms`; `--consoles` users on the live WebSocket (/ws/live), each re-reading the API
when a message arrives, as the consoles do (tests/support/live_consoles.py). Every
`--sample-seconds` the node's RSS, open file descriptors (/proc/PID/fd), threads and the
database's connections are read, with the p99 of what happened since the last sample:
INVITE->200 (sipp's rtt file), the consoles' API GETs, live message delivery.

The load: ten times the busiest hour of a big city. Jakarta's busiest hour is about 261
calls (capacity.md: 637,292 calls in 2024, busiest day x1.5, 10% of the day in its
busiest hour); ten times that is 2,610 calls an hour, 0.725 a second: `--rate 0.75`.
Ten times Kendari's busiest hour (30 calls) would be 0.083 a second, 50 calls in ten
minutes: too few to see a slow leak per call.

Reported: each figure's slope per hour (least squares over the second half, after the
warm-up) with its standard error, its mean in each half (the run's own baseline), and
pass/fail against the declared flatness limits (LIMITS: failed when the slope exceeds the
limit by more than two standard errors); the machine's load beside them; calls sent,
answered, stored, lost (a caller got a 200 and the call has no row: must be 0),
unfinished; the consoles' reads by path. One JSON object on the last line (with every
sample, `timeline`); exits 1 if a call was lost.

    python bench/soak.py --seconds 600 --rate 0.75 --consoles 12
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from statistics import fmean

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harnesses live with the tests that use them too

from faults import ENDED, percentile  # noqa: E402
from scratch_db import scratch_database  # noqa: E402

from tests.support.live_consoles import Consoles, console_users, create_accounts  # noqa: E402
from tests.support.sip_cluster import Cluster, sip_cluster  # noqa: E402

# Flatness, per hour over the second half. Why these: at 0.75 calls/s (2,700 an hour) a
# leak of one file descriptor, thread or database connection per call would be 2,700 an
# hour, of 6 KB of memory per call 16 MB an hour; the limits sit well below the first and
# above what sampling noise gives over five minutes (descriptors and pooled connections
# come and go with the consoles' requests: +-1 or 2 between samples).
LIMITS = {"rss_mb": 16.0, "fds": 60.0, "threads": 6.0, "db_connections": 30.0}
# A p99 (and the CPU time per call) may not grow by more than its own second-half mean in
# an hour (not double).
LATENCY_GROWTH = 1.0
# A series fails only if its growth is above the limit beyond doubt: slope - 2 standard
# errors > limit (a p99 of the few calls in a sample is noisy; a 20 s run proves nothing).
SERIES = ("rss_mb", "fds", "threads", "db_connections", "cpu_ms_per_call",
          "invite_200_p99_ms", "api_p99_ms", "ws_p99_ms")
# Shown, not judged: the machine's load (other work on a shared machine moves every
# latency; the node's CPU time per call does not depend on it much).
CONTEXT = ("load1",)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_figures(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return {"rss_mb": round(rss_kb / 1024, 2), "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "threads": threads}


def slope_per_hour(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares slope of (seconds, value), and its standard error, per hour."""
    n = len(points)
    if n < 3:
        return None
    mx, my = fmean(p[0] for p in points), fmean(p[1] for p in points)
    var = sum((x - mx) ** 2 for x, _ in points)
    if var == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in points) / var
    residual = sum((y - my - slope * (x - mx)) ** 2 for x, y in points)
    return slope * 3600, (residual / (n - 2) / var) ** 0.5 * 3600


class RttReader:
    """sipp's rtt file as it grows: the INVITE->200 times of calls answered since last read."""

    def __init__(self, cluster: Cluster, pid: int) -> None:
        self.path = cluster.workdir / f"caller_via_proxy_{pid}_rtt.csv"
        self.seen = 0

    def new(self) -> list[float]:
        if not self.path.exists():
            return []
        rows = self.path.read_text().splitlines()[1:]
        complete = [r for r in rows if r.count(";") >= 2]
        fresh, self.seen = complete[self.seen:], len(complete)
        return [float(r.split(";")[1]) for r in fresh]


class Sampler:
    def __init__(self, cluster: Cluster, db: sa.Engine, rtt: RttReader, consoles: Consoles,
                 started: float) -> None:
        self.cluster, self.db, self.rtt, self.consoles = cluster, db, rtt, consoles
        self.started = started
        self.pid = cluster.nodes["node-a"].process.pid
        self.cpu = cpu_seconds(self.pid)

    def __call__(self) -> dict[str, float | None]:
        with self.db.connect() as conn:
            connections = conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity "
                                               "WHERE datname = current_database()")).scalar()
        api, ws = self.consoles.take()
        answered = self.rtt.new()
        cpu, self.cpu = self.cpu, cpu_seconds(self.pid)
        return {"t": round(time.time() - self.started, 1), **process_figures(self.pid),
                "db_connections": int(connections or 0) - 1,  # not this one
                # The node's CPU time (web, SIP, writer, consoles) over the calls answered.
                "cpu_ms_per_call": round((self.cpu - cpu) * 1000 / len(answered), 1)
                if answered else None,
                "invite_200_p99_ms": percentile(answered, 0.99),
                "api_p99_ms": percentile([ms for _, ms in api], 0.99),
                "ws_p99_ms": percentile([ms for _, ms in ws], 0.99),
                "load1": round(os.getloadavg()[0], 2)}


def judge(samples: list[dict[str, float | None]]) -> dict[str, dict[str, object]]:
    half = len(samples) // 2
    first, second = samples[:half], samples[half:]
    verdicts: dict[str, dict[str, object]] = {}
    for name in (*SERIES, *CONTEXT):
        points = [(s["t"], s[name]) for s in second if s.get(name) is not None]
        fit = slope_per_hour(points)  # type: ignore[arg-type]
        slope, error = fit if fit is not None else (None, None)
        means = [round(fmean(v), 2) if v else None for v in (
            [s[name] for s in part if s.get(name) is not None] for part in (first, second))]
        limit = LIMITS.get(name)
        if name in CONTEXT:
            verdicts[name] = {"slope_per_h": None if slope is None else round(slope, 2),
                              "slope_error_per_h": None if error is None else round(error, 2),
                              "mean_first_half": means[0], "mean_second_half": means[1]}
            continue
        if limit is None and means[1] is not None:
            limit = round(LATENCY_GROWTH * means[1], 1)  # type: ignore[operator]
        verdicts[name] = {
            "slope_per_h": None if slope is None else round(slope, 2),
            "slope_error_per_h": None if error is None else round(error, 2),
            "limit_per_h": limit, "mean_first_half": means[0], "mean_second_half": means[1],
            "flat": (slope is not None and error is not None and limit is not None
                     and slope - 2 * error <= limit)}
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=0.75, help="calls a second")
    parser.add_argument("--hold-ms", type=int, default=20_000, help="talk time of each call")
    parser.add_argument("--desks", type=int, default=24)
    parser.add_argument("--consoles", type=int, default=12)
    parser.add_argument("--sample-seconds", type=float, default=10)
    args = parser.parse_args(argv)
    calls = max(1, round(args.seconds * args.rate))
    users = console_users(args.consoles)
    result: dict[str, object] = {
        "benchmark": "soak", "seconds": args.seconds, "rate": args.rate, "calls": calls,
        "hold_ms": args.hold_ms, "desks": args.desks, "consoles": args.consoles,
        "sample_seconds": args.sample_seconds, "limits_per_h": LIMITS,
        "latency_growth_limit": LATENCY_GROWTH, "load_before": os.getloadavg()}
    samples: list[dict[str, float | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, drop = scratch_database("postgresql", workdir)
        db = sa.create_engine(url, pool_size=1)
        try:
            with sip_cluster(url, workdir, names=("node-a",), desks_per_node=args.desks,
                             prepare=lambda siaga: create_accounts(siaga, users)) as cluster:
                consoles = Consoles(cluster.nodes["node-a"].base, users).start()
                started = time.time()
                callers = cluster.callers(calls=calls, rate=args.rate, hold_ms=args.hold_ms,
                                          tag="soak", extra=("-trace_rtt", "-rtt_freq", "1"))
                sample = Sampler(cluster, db, RttReader(cluster, callers.pid), consoles,
                                 started)
                next_at = started + args.sample_seconds
                while callers.poll() is None:
                    time.sleep(max(0.0, min(next_at - time.time(), 0.5)))
                    if time.time() >= next_at:
                        samples.append(sample())
                        next_at += args.sample_seconds
                elapsed = time.time() - started
                stats = cluster.caller_stats("soak")
                cluster.wait_until_stored(stats["sent"], seconds=10)
                time.sleep(1.5)  # the last releases
                consoles.stop()
                answered = cluster.answered("soak")
                sent_ids = {cluster.call_id(callers.pid, n) for n in range(1, stats["sent"] + 1)}
                states = cluster.call_states(sent_ids)
                figures = consoles.figures
                result.update({
                    **stats, "elapsed_s": round(elapsed, 1), "answered": len(answered),
                    "stored": len(states), "lost": len(cluster.not_stored(answered)),
                    # Not ended though its caller finished (faults.py: the calls sipp
                    # gave up itself are ended by the node 32 s later, without an ACK).
                    "unfinished": sum(1 for i, s in states.items()
                                      if s not in ENDED and i in answered),
                    "aborted_by_caller": len(sent_ids - answered),
                    "console_messages": figures.messages, "console_api_errors": figures.api_errors,
                    "console_api_by_path": consoles.by_path(),
                    "console_connections_lost": figures.connections_lost,
                    "messages_per_console": sorted(figures.by_console.values())})
        finally:
            db.dispose()
            drop()
    verdicts = judge(samples)
    result.update({"samples": len(samples), "series": verdicts,
                   "flat": all(v["flat"] for k, v in verdicts.items() if k in SERIES),
                   "first_sample": samples[0] if samples else None,
                   "last_sample": samples[-1] if samples else None,
                   "load_after": os.getloadavg(), "lost_calls": bool(result.get("lost", 1)),
                   "timeline": samples})
    print(json.dumps(result))
    return 1 if result["lost_calls"] else 0


if __name__ == "__main__":
    sys.exit(main())
