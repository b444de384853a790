"""How long does the evaluation report take over a large history, against a column store?

Generates N calls over a year (Kendari's composition: 37% abandoned in the queue; of
the answered, a third invalid; ~2.8% emergencies, each with its incident), loads the
same rows into SQLite and PostgreSQL through the project's bulk loader (COPY on
PostgreSQL), then times `build_report` (the whole report: evaluation, service levels,
intervals, per day, repeat callers, places, monthly) on each: once cold (`cold_seconds`:
the first report rolls up the year's 8,760 hours as it goes, reports/rollup.py), then
`--runs` times from the rollups (`report_seconds`, the median), then `--runs` times with
every hour counted from the calls (`without_rollups_seconds`); all of them must be the
same report (`same_report_without_rollups`). DuckDB, in the same run,
computes the same evaluation figures from the same rows with hand-written SQL: a lower
bound for what a database can do, and a check that the report counts what it says.
Prints one JSON object on its last line.

    python bench/report.py --calls 1000000 [--backends sqlite,postgresql] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.bulk import insert_rows
from siaga112.adapters.db.engine import create_db_engine
from siaga112.config import CENTERS_DIR, load_center
from siaga112.reports.period import Period
from siaga112.reports.report import build_report
from scratch_db import scratch_database  # bench/ is the script's folder

START = datetime(2025, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # 1 January 00:00 WITA
GENERATED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # one stamp: reports compare whole
DAYS = 365
TARGETS = {"postgresql": 2.0, "sqlite": 5.0}
TYPES = ("fire", "accident", "medical", "natural_disaster", "crime", "domestic_violence",
         "social_unrest", "public_order", "rescue", "other")


def history(n: int, seed: int = 112) -> Iterator[tuple[str, dict[str, Any]]]:
    """('incident', row) before the calls that link to it, then ('call', row); time order."""
    rng = random.Random(seed)
    step = DAYS * 86400 / n
    moment = START
    for i in range(n):
        moment += timedelta(milliseconds=int(rng.expovariate(1 / step) * 1000))
        received = moment
        row: dict[str, Any] = {
            "id": uuid.UUID(int=rng.getrandbits(128)), "channel": "voice", "caller_raw": None,
            "caller_number": f"+62812{rng.randrange(n // 2 + 10):08d}", "external_id": None,
            "received_at": received, "screening_at": None, "queued_at": received,
            "offered_at": None, "connected_at": None, "released_at": None,
            "abandoned_at": None, "interrupted_at": None, "offer_count": 0,
            "position_code": None, "call_taker": None, "disposition": None,
            "incident_id": None, "version": 1}
        draw = rng.random()
        if draw < 0.374:
            row.update(state="abandoned",
                       abandoned_at=received + timedelta(milliseconds=rng.randrange(1000, 90_000)))
        else:
            connected = received + timedelta(milliseconds=min(120_000, int(
                rng.expovariate(1 / 8000))))
            disposition = rng.choices(
                ("emergency", "non_emergency", "prank", "silent", "hang_up", None),
                (2.8, 55, 10, 12, 5, 15.2))[0]
            talk = rng.uniform(0.5, 10) if disposition in ("silent", "hang_up") \
                else 3 + rng.lognormvariate(3.5, 0.8)
            row.update(state="released", offered_at=connected, connected_at=connected,
                       released_at=connected + timedelta(milliseconds=int(talk * 1000)),
                       offer_count=1, disposition=disposition)
            if disposition == "emergency":
                incident = _incident(rng, i, connected)
                row["incident_id"] = incident["id"]
                yield "incident", incident
        yield "call", row


def _incident(rng: random.Random, i: int, connected: datetime) -> dict[str, Any]:
    created = connected + timedelta(seconds=rng.randrange(30, 120))
    verified = created + timedelta(seconds=rng.randrange(20, 300))
    dispatched = verified + timedelta(seconds=rng.randrange(30, 180))
    on_scene = dispatched + timedelta(seconds=rng.randrange(300, 1500))
    return {"id": uuid.UUID(int=rng.getrandbits(128)), "number": f"KDI-B-{i:09d}",
            "type_code": rng.choice(TYPES), "subtype_code": None, "priority": "P2",
            "status": "resolved", "location_lat": -3.99 + rng.uniform(-0.05, 0.05),
            "location_lon": 122.52 + rng.uniform(-0.05, 0.05), "kecamatan": "kadia",
            "kelurahan": None, "created_at": created, "created_by": "bench",
            "verified_at": verified, "dispatched_at": dispatched, "on_scene_at": on_scene,
            "resolved_at": on_scene + timedelta(seconds=rng.randrange(600, 3600)),
            "version": 1}


def _load(engine: sa.Engine, n: int) -> float:
    t0 = time.perf_counter()
    incidents: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []

    def flush(conn: sa.Connection) -> None:
        insert_rows(conn, tables.incidents, incidents)
        insert_rows(conn, tables.calls, calls)
        incidents.clear()
        calls.clear()

    with engine.begin() as conn:
        for kind, row in history(n):
            (incidents if kind == "incident" else calls).append(row)
            if len(calls) >= 50_000:
                flush(conn)
        flush(conn)
    # What autovacuum and auto-analyze do on a live PostgreSQL: statistics, visibility map.
    # SQLite gets no statistics, as in the running system (nothing runs ANALYZE there).
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - t0


def period(center: Any) -> Period:
    return Period(date(2025, 1, 1), date(2025, 12, 31), center.zone)


def measure(backend: str, n: int, runs: int, workdir: Path) -> dict[str, Any]:
    center = load_center(CENTERS_DIR / "kendari.toml")
    url, drop = scratch_database(backend, workdir, 'report.sqlite3')
    try:
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        load_seconds = _load(engine, n)
        load = os.getloadavg()[0]
        # The first report after the load rolls up the year's hours (8,760) as it goes:
        # what the first report after a year of stale hours costs.
        cold, _cpu, report = _timed(engine, center)
        warm = [_timed(engine, center) for _ in range(runs)]
        # The same report with every hour counted from the calls, as before rollups.
        from_calls = [_timed(engine, center, rollups=False) for _ in range(runs)]
        engine.dispose()
    finally:
        drop()
    timings = [t for t, _, _ in warm]
    return {"load_seconds": round(load_seconds, 1),
            "report_seconds": round(statistics.median(timings), 3),
            "runs": [round(t, 3) for t in timings],
            # This process's own CPU: all of SQLite's work, only the client's on PostgreSQL.
            "cpu_seconds": round(statistics.median(c for _, c, _ in warm), 3),
            "cold_seconds": round(cold, 3),  # the first report, rolling up every hour
            "without_rollups_seconds": round(statistics.median(t for t, _, _ in from_calls), 3),
            "without_rollups_runs": [round(t, 3) for t, _, _ in from_calls],
            "same_report_without_rollups": all(r == report for *_, r in warm + from_calls),
            "load_average": round(load, 2),  # a busy machine stretches the wall clock
            "load_average_after": round(os.getloadavg()[0], 2),
            "target_seconds": TARGETS[backend],
            "within_target": statistics.median(timings) < TARGETS[backend],
            "figures": figures(report)}


def _timed(engine: sa.Engine, center: Any, *, rollups: bool = True
           ) -> tuple[float, float, dict[str, Any]]:
    t0, c0 = time.perf_counter(), time.process_time()
    report = build_report(engine=engine, center=center, period=period(center),
                          rollups=rollups, generated_at=GENERATED_AT)
    return time.perf_counter() - t0, time.process_time() - c0, report


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """What DuckDB must find too."""
    service = report["service"]["overall"]
    return {k: report[k] for k in ("total_calls", "abandoned_in_queue", "answered", "valid",
                                   "invalid", "non_emergency", "emergencies_verified")} | {
        "answered_within_15": service["answered_within"]["15"],
        "p90_answer_seconds": service["p90_answer_seconds"],
        "top_caller_calls": report["repeat_callers"][0]["calls"] if report["repeat_callers"]
        else 0}


DUCK_SCHEMA = """
CREATE TABLE calls (received_at TIMESTAMPTZ, connected_at TIMESTAMPTZ,
  released_at TIMESTAMPTZ, interrupted_at TIMESTAMPTZ, state VARCHAR, disposition VARCHAR,
  caller_number VARCHAR, incident_id VARCHAR);
CREATE TABLE incidents (id VARCHAR, created_at TIMESTAMPTZ, verified_at TIMESTAMPTZ,
  status VARCHAR, type_code VARCHAR);
"""
# The report's definitions (evaluation.py, service_level.py), in DuckDB's SQL.
DUCK_QUERIES = {
    "hourly": """
SELECT floor((epoch(received_at) + 28800) / 3600) AS h, count(*) AS calls,
  count(*) FILTER (WHERE connected_at IS NOT NULL) AS answered,
  count(*) FILTER (WHERE connected_at IS NULL AND state IN ('abandoned', 'interrupted')) AS ab,
  count(*) FILTER (WHERE connected_at IS NOT NULL
    AND coalesce(released_at, interrupted_at) - connected_at > INTERVAL 10 SECOND
    AND (disposition IS NULL OR disposition NOT IN ('prank', 'silent', 'hang_up'))) AS valid,
  count(*) FILTER (WHERE disposition = 'non_emergency') AS non_emergency
FROM calls WHERE received_at >= $1 AND received_at < $2 GROUP BY h""",
    "histogram": """
SELECT (floor((epoch(received_at) + 28800) / 3600) + 72) % 168 AS how,
  ceil(epoch(connected_at - received_at)) AS up, count(*) AS n
FROM calls WHERE received_at >= $1 AND received_at < $2 AND connected_at IS NOT NULL
GROUP BY how, up""",
    "top": """
SELECT caller_number, count(*) AS n FROM calls
WHERE received_at >= $1 AND received_at < $2 AND caller_number IS NOT NULL
GROUP BY caller_number HAVING count(*) > 1 ORDER BY n DESC, caller_number LIMIT 10""",
    "verified": """
SELECT count(*) FROM incidents WHERE created_at >= $1 AND created_at < $2
  AND verified_at IS NOT NULL AND status NOT IN ('cancelled', 'false_alarm')""",
}


def duckdb_lower_bound(n: int, runs: int, workdir: Path) -> dict[str, Any]:
    import duckdb

    center = load_center(CENTERS_DIR / "kendari.toml")
    files = {"calls": workdir / "calls.csv", "incidents": workdir / "incidents.csv"}
    with files["calls"].open("w", newline="") as c, files["incidents"].open("w", newline="") as i:
        calls, incidents = csv.writer(c), csv.writer(i)
        for kind, row in history(n):
            if kind == "call":
                calls.writerow([_iso(row["received_at"]), _iso(row["connected_at"]),
                                _iso(row["released_at"]), _iso(row["interrupted_at"]),
                                row["state"], row["disposition"] or "", row["caller_number"],
                                row["incident_id"] or ""])
            else:
                incidents.writerow([row["id"], _iso(row["created_at"]), _iso(row["verified_at"]),
                                    row["status"], row["type_code"]])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(DUCK_SCHEMA)
    for table, path in files.items():
        con.execute(f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = false, "
                    "nullstr = '', auto_detect = false, columns = "
                    f"{_columns(con, table)})")
    p = period(center)
    timings, found = [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        found = {name: con.execute(sql, [p.start, p.end]).fetchall()
                 for name, sql in DUCK_QUERIES.items()}
        timings.append(time.perf_counter() - t0)
    con.close()
    hourly = found["hourly"]
    waits: dict[int, int] = {}
    for _how, up, count in found["histogram"]:
        waits[int(up)] = waits.get(int(up), 0) + count
    answered = sum(r[2] for r in hourly)
    offered = answered + sum(r[3] for r in hourly)
    ordered = sorted(waits)
    rank, seen, p90 = math.ceil(0.9 * answered - 1e-9), 0, None
    for value in ordered:
        seen += waits[value]
        if seen >= rank:
            p90 = value
            break
    return {"seconds": round(statistics.median(timings), 3),
            "runs": [round(t, 3) for t in timings],
            "figures": {
                "total_calls": sum(r[1] for r in hourly), "abandoned_in_queue": sum(r[3] for r in hourly),
                "answered": answered, "valid": sum(r[4] for r in hourly),
                "invalid": answered - sum(r[4] for r in hourly),
                "non_emergency": sum(r[5] for r in hourly),
                "emergencies_verified": found["verified"][0][0],
                "answered_within_15": round(sum(n for s, n in waits.items() if s <= 15)
                                            / offered, 4) if offered else None,
                "p90_answer_seconds": p90,
                "top_caller_calls": found["top"][0][1] if found["top"] else 0}}


def _columns(con: Any, table: str) -> str:
    rows = con.execute(f"DESCRIBE {table}").fetchall()
    return "{" + ", ".join(f"'{r[0]}': '{r[1]}'" for r in rows) + "}"


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="milliseconds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"benchmark": "report", "calls": args.calls, "days": DAYS,
                              "report": "build_report: evaluation, service levels, intervals, "
                                        "per day, repeat callers, places, monthly"}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            result[backend] = measure(backend, args.calls, args.runs, Path(tmp))
            print(f"{backend}: {result[backend]['report_seconds']} s", file=sys.stderr)
        result["duckdb"] = duckdb_lower_bound(args.calls, args.runs, Path(tmp))
    backends = args.backends.split(",")
    result["same_numbers"] = all(result[b]["figures"] == result["duckdb"]["figures"]
                                 and result[b]["same_report_without_rollups"]
                                 for b in backends)
    result["within_targets"] = all(result[b]["within_target"] for b in backends)
    print(json.dumps(result))
    return 0 if result["same_numbers"] else 1


if __name__ == "__main__":
    sys.exit(main())
