"""What do the report rollups' triggers on `calls` cost the calls being stored?

Stores N calls the way the SIP node's writer does (adapters/db/write_behind.py: its own
INSERT and UPDATE statements, executemany over a batch of calls, one commit a batch):
received, queued, offered, answered, released, then the call-taker's disposition (the
API's update). On four scratch databases, alternating `--runs` times, on SQLite and
PostgreSQL:

- `without`: the triggers dropped;
- `this_hour`: as migrated, the calls received minutes ago: what a call being taken
  costs (the triggers' `WHEN` skips this hour and the last: nothing fires, and the
  counters made for those hours stay at 0);
- `past`: as migrated, calls of old hours never rolled up (a late change, an import):
  each trigger finds no counter to raise;
- `rolled_up`: old hours that all have a counter, as if rolled up: each step raises it.

Then, on each, `--bulk` old calls more in one transaction through the bulk loader
(adapters/db/bulk.py: COPY on PostgreSQL; history imports and the benchmarks use it).
Prints one JSON object on its last line: milliseconds per call (median of the runs),
the bulk loads' seconds, and the ratios to `without`.

    python bench/report_triggers.py --calls 2000 --batch 20 --runs 5 --bulk 100000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.bulk import insert_rows
from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.tables_reports import report_hour_changes
from siaga112.adapters.db.write_behind import CALL_COLUMNS, INSERT_CALL, UPDATE_CALL
from siaga112.reports.rollup import TRIGGERS
from scratch_db import scratch_database  # bench/ is the script's folder

PAST = datetime(2025, 6, 10, 1, tzinfo=UTC)
VARIANTS = ("without", "this_hour", "past", "rolled_up")


def _calls(n: int, start: datetime, spacing: float) -> list[dict[str, Any]]:
    calls = []
    for i in range(n):
        row = {"id": uuid.uuid4(), "channel": "voice", "caller_raw": "081234567890",
               "caller_number": "+6281234567890", "external_id": None,
               "received_at": start + timedelta(seconds=i * spacing),
               **dict.fromkeys(CALL_COLUMNS)}
        row.update(state="received", offer_count=0)
        calls.append(row)
    return calls


def _steps(calls: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each call's bound rows for the insert, then for each update, in call order."""
    steps = [[_bound(r) for r in calls]]
    for state, column, seconds in (("queued", "queued_at", 1), ("offered", "offered_at", 3),
                                   ("connected", "connected_at", 5),
                                   ("released", "released_at", 65)):
        for r in calls:
            r.update({"state": state, column: r["received_at"] + timedelta(seconds=seconds)})
            if state == "offered":
                r.update(offer_count=1, position_code="P01")
        steps.append([_bound(r) for r in calls])
    return steps


def _bound(row: dict[str, Any]) -> dict[str, Any]:
    return {f"b_{k}": v for k, v in row.items()}


def _store(engine: sa.Engine, steps: list[list[dict[str, Any]]], batch: int) -> float:
    """Seconds to store the calls, batch by batch, step by step."""
    n = len(steps[0])
    dispose = sa.update(tables.calls).where(tables.calls.c.id == sa.bindparam("b_id")).values(
        disposition=sa.bindparam("b_disposition"), version=tables.calls.c.version + 1)
    t0 = time.perf_counter()
    for first in range(0, n, batch):
        for k, rows in enumerate(steps):
            with engine.begin() as conn:
                conn.execute(INSERT_CALL if k == 0 else UPDATE_CALL, rows[first:first + batch])
        with engine.begin() as conn:
            conn.execute(dispose, [{"b_id": r["b_id"], "b_disposition": "non_emergency"}
                                   for r in steps[0][first:first + batch]])
    return time.perf_counter() - t0


def _bulk(engine: sa.Engine, calls: list[dict[str, Any]]) -> float:
    rows = [{**call, "state": "released", "version": 1, "disposition": "non_emergency"}
            for call in calls]
    t0 = time.perf_counter()
    with engine.begin() as conn:
        insert_rows(conn, tables.calls, rows)
    return time.perf_counter() - t0


def _drop_triggers(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in TRIGGERS:
            on = " ON calls" if engine.dialect.name == "postgresql" else ""
            conn.exec_driver_sql(f"DROP TRIGGER {name}{on}")


def measure(backend: str, n: int, batch: int, runs: int, bulk: int,
            workdir: Path) -> dict[str, Any]:
    engines, drops = {}, []
    for variant in VARIANTS:
        url, drop = scratch_database(backend, workdir, f"triggers-{variant}.sqlite3")
        drops.append(drop)
        engines[variant] = create_db_engine(url)
        migrate.upgrade(engines[variant])
    _drop_triggers(engines["without"])
    spacing = 7.0  # seconds between the old calls: about 500 an hour
    first = int(PAST.timestamp()) // 3600
    last = first + int(((runs + 1) * n + bulk) * spacing) // 3600 + 2
    with engines["rolled_up"].begin() as conn:  # every old hour the runs touch has a counter
        conn.execute(report_hour_changes.insert(),
                     [{"hour": h, "changes": 0} for h in range(first, last)])
    recent = datetime.now(UTC) - timedelta(minutes=15)  # all within this hour and the last
    with engines["this_hour"].begin() as conn:  # counters there too: none must be raised
        now_hour = int(recent.timestamp()) // 3600
        conn.execute(report_hour_changes.insert(),
                     [{"hour": h, "changes": 0} for h in range(now_hour - 2, now_hour + 3)])
    seconds: dict[str, list[float]] = {v: [] for v in VARIANTS}
    try:
        for run in range(runs):
            for variant in VARIANTS[run % 4:] + VARIANTS[:run % 4]:
                start = (recent + timedelta(seconds=run * n * 0.05) if variant == "this_hour"
                         else PAST + timedelta(seconds=run * n * spacing))
                steps = _steps(_calls(n, start, 0.05 if variant == "this_hour" else spacing))
                seconds[variant].append(_store(engines[variant], steps, batch))
        old = PAST + timedelta(seconds=(runs + 1) * n * spacing)
        bulk_seconds = {v: _bulk(engines[v], _calls(bulk, old, spacing)) for v in VARIANTS
                        if v != "this_hour"}
        counted = {}
        for variant in VARIANTS[1:]:
            with engines[variant].connect() as conn:
                counted[variant] = int(conn.exec_driver_sql(
                    "SELECT coalesce(sum(changes), 0) FROM report_hour_changes").scalar_one())
    finally:
        for engine in engines.values():
            engine.dispose()
        for drop in drops:
            drop()
    ms = {v: statistics.median(seconds[v]) * 1000 / n for v in VARIANTS}
    return {"ms_per_call": {v: round(ms[v], 3) for v in VARIANTS},
            "ratio": {v: round(ms[v] / ms["without"], 3) for v in VARIANTS[1:]},
            "runs_seconds": {v: [round(t, 3) for t in seconds[v]] for v in VARIANTS},
            "bulk_seconds": {v: round(t, 3) for v, t in bulk_seconds.items()},
            "bulk_ratio": {v: round(t / bulk_seconds["without"], 3)
                           for v, t in bulk_seconds.items() if v != "without"},
            # Only the rolled-up hours count: every insert and every update of a report
            # column raised their counter.
            "changes_counted": counted, "changes_expected_rolled_up": runs * n * 6 + bulk}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"benchmark": "report_triggers", "calls": args.calls,
                              "batch": args.batch, "steps_per_call": 6, "bulk": args.bulk}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            result[backend] = measure(backend, args.calls, args.batch, args.runs, args.bulk,
                                      Path(tmp))
            print(f"{backend}: {result[backend]['ratio']}", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
