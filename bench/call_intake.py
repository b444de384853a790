"""How fast can a node store arriving calls, against the database's own floor?

Each arriving call is one committed transaction (the call row plus its event-log rows).
The baseline, measured in the same run on the same database, is a bare INSERT of the
same call row in its own transaction: what the database alone costs. Prints one JSON
object on its last line.

    python bench/call_intake.py --calls 2000 [--backends sqlite,postgresql] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.engine import create_db_engine
from siaga112.bootstrap import bootstrap
from siaga112.config import Settings
from siaga112.domain.calls import Channel
from siaga112.services import commands as c
from scratch_db import scratch_database  # bench/ is the script's folder



def _timed(n: int, threads: int, one: Callable[[int], None]) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(start: int) -> None:
        mine = []
        for i in range(start, n, threads):
            t0 = time.perf_counter()
            one(i)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"per_second": round(n / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2)}


def measure(backend: str, calls: int, threads: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_database(backend, Path(tmp))
        try:
            engine = create_db_engine(url, pool_size=threads + 2) if backend != "sqlite" \
                else create_db_engine(url)
            siaga = bootstrap(Settings(database_url=url, env="test"), engine=engine)
            now = datetime.now(UTC)

            def bare_insert(i: int) -> None:
                with engine.begin() as conn:
                    conn.execute(sa.insert(tables.calls).values(
                        id=uuid.uuid4(), channel="voice", caller_raw=f"0812{i:08d}",
                        caller_number=f"+62812{i:08d}", state="queued", received_at=now,
                        queued_at=now, offer_count=0, version=1))

            def receive(i: int) -> None:
                siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=f"0813{i:08d}"))

            baseline = _timed(calls, threads, bare_insert)
            stored = _timed(calls, threads, receive)
            with engine.connect() as conn:
                rows = conn.execute(sa.select(sa.func.count()).select_from(tables.calls)).scalar()
            engine.dispose()
        finally:
            drop()
    return {"baseline_bare_insert": baseline, "receive_call": stored,
            "cost_vs_baseline": round(baseline["per_second"] / stored["per_second"], 2),
            "calls_stored": rows, "calls_expected": 2 * calls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    result: dict[str, object] = {"benchmark": "call_intake", "calls": args.calls,
                                 "threads": args.threads}
    for backend in args.backends.split(","):
        result[backend] = measure(backend, args.calls, args.threads)
    lost = [b for b in args.backends.split(",")
            if result[b]["calls_stored"] != result[b]["calls_expected"]]  # type: ignore[index]
    result["lost_calls"] = bool(lost)
    print(json.dumps(result))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
