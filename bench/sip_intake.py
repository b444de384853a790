"""How many 112 calls a second does the SIP node carry through the whole path, cleanly?

sipp (the callers) sends N calls at R calls/s to the node; each is stored, queued, offered
to the longest-idle ready position, answered by a sipp UAS playing every call-taker's
phone, talks for --hold-ms, and ends with the caller's BYE (relayed to the phone). The
same SIP stack as a bare answering server (no database, no queue, no second leg) takes
the same load in the same run: its clean rate is the yardstick. Prints one JSON object
on its last line.

    python bench/sip_intake.py --calls 3000 --rate 150 [--backends sqlite,postgresql]
    python bench/sip_intake.py --calls 3000 --rate 150,200,250   # a ladder: highest clean rate
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from siaga112.adapters.db import tables
from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.sip.bare import BareServer
from siaga112.bootstrap import bootstrap
from siaga112.config import CENTERS_DIR, Settings, load_center
from siaga112.domain.calls import CallState
from siaga112.entrypoints.sip import start_telephony
from siaga112.services import commands as c

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "sip" / "scenarios"
PG_ADMIN = os.environ.get("SIAGA112_TEST_POSTGRES_URL",
                          "postgresql+psycopg://root@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'bench_{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"siaga112_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sipp_callers(port: int, calls: int, rate: float, hold_ms: int, workdir: Path,
                 tag: str) -> dict[str, object]:
    """Run the callers to the end; their own statistics, read from sipp's CSV."""
    stats = workdir / f"{tag}.csv"
    cmd = ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIOS / "caller.xml"),
           "-key", "caller", "081234567890", "-i", "127.0.0.1", "-p", str(free_port()),
           "-m", str(calls), "-r", str(rate), "-d", str(hold_ms), "-l", "100000",
           "-nostdin", "-timeout", f"{int(calls / rate) + 60}s", "-timeout_error",
           "-trace_stat", "-stf", str(stats), "-fd", "3600", "-max_socket", "100000",
           "-trace_err", "-error_file", str(workdir / f"{tag}_errors.log")]
    t0 = time.perf_counter()
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir,
                          timeout=calls / rate + 120)
    elapsed = time.perf_counter() - t0
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = list(csv.DictReader(stats.open(), delimiter=";"))[-1]
    successful = int(row["SuccessfulCall(C)"])
    failed = int(row["FailedCall(C)"])
    return {"exit_code": done.returncode, "sent": int(row["OutgoingCall(C)"]),
            "successful": successful, "failed": failed, "elapsed_s": round(elapsed, 2),
            # sipp's CallRate(C): calls over the whole run, the last call's tail included.
            "rate_achieved": round(float(row["CallRate(C)"]), 1),
            "sipp_cpu_s": round((ended.ru_utime + ended.ru_stime)
                                - (started.ru_utime + started.ru_stime), 2)}


def arrival_rate(count: int, arrivals: tuple[float, float]) -> float:
    """New INVITEs per second as the server saw them arrive (first to last)."""
    first, last = arrivals
    return round((count - 1) / (last - first), 1) if count > 1 and last > first else 0.0


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def thread_cpu(native_id: int | None) -> float:
    """CPU seconds of one thread of this process (Linux /proc), 0 if unknown."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_bare(calls: int, rate: float, hold_ms: int, workdir: Path) -> dict[str, object]:
    server = BareServer()
    server.start()
    cpu0 = cpu_seconds()
    try:
        result = sipp_callers(server.port, calls, rate, hold_ms, workdir, f"bare_{rate}")
    finally:
        server.stop()
    result["cpu_ms_per_call"] = round((cpu_seconds() - cpu0) * 1000 / max(1, calls), 3)
    result["rate_in"] = arrival_rate(server.invites, server.arrivals)
    result["clean"] = result["failed"] == 0 and result["successful"] == calls
    return result


def measure_sippy(python: str, calls: int, rate: float, hold_ms: int,
                  workdir: Path) -> dict[str, object]:
    """The candidate stack sippy 2.5.0 as the same bare answering server (its own process)."""
    port = free_port()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = subprocess.Popen([python, str(ROOT / "bench" / "sippy_uas.py"), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    time.sleep(1.5)
    try:
        result = sipp_callers(port, calls, rate, hold_ms, workdir, f"sippy_{rate}")
    finally:
        server.terminate()
        server.wait(10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["cpu_ms_per_call"] = round((cpu - float(result["sipp_cpu_s"])) * 1000  # type: ignore[arg-type]
                                      / max(1, calls), 3)
    result["clean"] = result["failed"] == 0 and result["successful"] == calls
    return result


def measure_full(backend: str, calls: int, rate: float, hold_ms: int, positions: int,
                 workdir: Path, admission_limit: int | None = None) -> dict[str, object]:
    phones_port = free_port()
    center = load_center(CENTERS_DIR / "tiny.toml")
    desks = [center.positions[0].model_copy(update={
        "code": f"b{i:03d}", "name": f"Bench {i}", "sip_uri": f"sip:b{i:03d}@127.0.0.1:{phones_port}"})
        for i in range(positions)]
    center = center.model_copy(update={"positions": desks})
    if admission_limit:
        center = center.model_copy(update={"telephony": center.telephony.model_copy(
            update={"admission_limit": admission_limit})})
    with database(backend, workdir) as url:
        engine = create_db_engine(url)
        siaga = bootstrap(Settings(database_url=url, env="test"), center=center, engine=engine)
        for desk in desks:
            siaga.bus.handle(c.LogInPosition(position_code=desk.code, operator=f"op{desk.code}"))
            siaga.bus.handle(c.SetPositionReady(position_code=desk.code))
        phones = subprocess.Popen(
            ["sipp", "-sf", str(SCENARIOS / "phone_answers.xml"), "-i", "127.0.0.1",
             "-p", str(phones_port), "-nostdin", "-l", "100000", "-fd", "3600",
             "-max_socket", "100000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=workdir)
        telephony = start_telephony(siaga, host="127.0.0.1", port=0)
        time.sleep(0.3)
        cpu0 = cpu_seconds()
        try:
            result = sipp_callers(telephony.node.port, calls, rate, hold_ms, workdir,
                                  f"{backend}_{rate}")
            settle = time.monotonic() + 30
            while time.monotonic() < settle and telephony.writer.pending():
                time.sleep(0.1)
            time.sleep(1.0)
            cpu = cpu_seconds() - cpu0
            split = {"sip_thread": thread_cpu(telephony.node._thread.native_id),  # type: ignore[union-attr]
                     "writer_thread": thread_cpu(telephony.writer.thread.native_id)}  # type: ignore[union-attr]
        finally:
            telephony.stop()
            phones.terminate()
            phones.wait(10)
        node, writer = telephony.node, telephony.writer
        with engine.connect() as conn:
            states = dict(conn.execute(sa.select(tables.calls.c.state, sa.func.count())
                                       .group_by(tables.calls.c.state)).all())
        engine.dispose()
    stored = sum(states.values())
    result.update({
        "calls_stored": stored, "released": states.get(CallState.RELEASED.value, 0),
        "states": states, "lost": max(0, int(result["sent"]) - stored),  # type: ignore[call-overload]
        "invite_180_ms": {"p50": percentile(list(node.latencies["invite_180"]), 0.5),
                          "p99": percentile(list(node.latencies["invite_180"]), 0.99)},
        "invite_200_ms": {"p50": percentile(list(node.latencies["invite_200"]), 0.5),
                          "p99": percentile(list(node.latencies["invite_200"]), 0.99)},
        "cpu_ms_per_call": round(cpu * 1000 / max(1, calls), 3),
        "cpu_ms_per_call_by_thread": {k: round(v * 1000 / max(1, calls), 3)
                                      for k, v in split.items()},
        "commits": writer.batches, "commands_per_commit": round(
            writer.commands / max(1, writer.batches), 1),
        "malformed": node.stats["malformed"], "refused_503": node.stats["refused"],
        "rate_in": arrival_rate(node.stats["received"], node.arrivals)})
    result["clean"] = (result["failed"] == 0 and result["successful"] == calls
                       and result["lost"] == 0 and result["released"] == calls)
    return result


def highest_clean(runs: list[dict[str, object]]) -> float:
    """The highest arrival rate (at the server; sipp's own where unknown) run with zero
    failed and zero lost calls."""
    clean = [float(r.get("rate_in") or r["rate_achieved"]) for r in runs  # type: ignore[arg-type]
             if r["clean"]]
    return max(clean, default=0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rate", default="150", help="calls/s; a comma list is a ladder")
    parser.add_argument("--hold-ms", type=int, default=200)
    parser.add_argument("--positions", type=int, default=80)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--admission-limit", type=int,
                        help="live calls before 503 (default: the center file's, 400)")
    parser.add_argument("--compare-sippy", metavar="PYTHON",
                        help="also measure sippy 2.5.0 (installed in that Python) as a bare server")
    args = parser.parse_args(argv)
    if shutil.which("sipp") is None:
        print("sipp is missing: install Debian's sip-tester (scripts/test does)", file=sys.stderr)
        return 2
    rates = [float(r) for r in args.rate.split(",")]
    backends = [b for b in args.backends.split(",") if b]
    result: dict[str, object] = {"benchmark": "sip_intake", "calls": args.calls,
                                 "rates": rates, "hold_ms": args.hold_ms,
                                 "positions": args.positions, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bare = [dict(measure_bare(args.calls, r, args.hold_ms, workdir), rate=r) for r in rates]
        result["bare"] = {"runs": bare, "clean_rate": highest_clean(bare)}
        if args.compare_sippy:
            sippy = [dict(measure_sippy(args.compare_sippy, args.calls, r, args.hold_ms, workdir),
                          rate=r) for r in rates]
            result["sippy_bare"] = {"runs": sippy, "clean_rate": highest_clean(sippy)}
        for backend in backends:
            runs = [dict(measure_full(backend, args.calls, r, args.hold_ms, args.positions,
                                      workdir, args.admission_limit), rate=r) for r in rates]
            clean = highest_clean(runs)
            result[backend] = {"runs": runs, "clean_rate": clean,
                               "ratio_to_bare": round(clean / max(1e-9, highest_clean(bare)), 3)}
    result["load_after"] = os.getloadavg()
    result["lost_calls"] = any(r["lost"] for b in backends for r in result[b]["runs"])  # type: ignore[index]
    print(json.dumps(result))
    return 1 if result["lost_calls"] else 0


if __name__ == "__main__":
    sys.exit(main())
