"""How many AML messages a node can parse, match to their calls and store, per second.

A realistic mix (40 % SMS v1, 30 % SMS v2, 30 % signed HTTPS; nine in ten from a number
with a live call) goes through the same path as the API: parse (and check the HMAC),
then the fix is matched and stored, and the producer is answered only after the commit.

Two ways to store, measured in the same run on the same database:
- `per_message`: one transaction per message (the plain message bus);
- `group_commit`: the writer the AML routes use (services/batching.py): messages that
  arrive while a batch commits go together in the next transaction.
With `--http N`, N more messages go through the real endpoints (uvicorn in this process,
HTTP clients in threads of this process too, so client and server share one interpreter).
Then it counts what was stored and verifies the audit chain. Prints one JSON object on
its last line.

    python bench/aml.py --messages 5000 [--producers 32] [--backends sqlite,postgresql]
                        [--http 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import sqlalchemy as sa

from siaga112.adapters.aml import parse_https, parse_sms, sign_body, verify_hmac
from siaga112.adapters.db import tables
from siaga112.adapters.db.audit import verify_chain
from siaga112.adapters.db.engine import create_db_engine
from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Scope
from siaga112.domain.calls import Channel
from siaga112.entrypoints.aml_fixes import incoming_fix
from siaga112.services import commands as c
from siaga112.services.handlers.aml_senders import set_hmac_key
from siaga112.services.handlers.locations import fix_committer
from siaga112.services.handlers.service_accounts import create_service_account
from scratch_db import scratch_database  # bench/ is the script's folder

KEY = b"bench-operator-hmac-key-112"
FORM = {"content-type": "application/x-www-form-urlencoded"}
LIVE_CALLS = 200
Message = tuple[str, str | bytes, str]  # kind, payload, sender


def _number(i: int) -> str:
    return f"0813{i:08d}"


def corpus(n: int, seed: int) -> list[Message]:
    rng = random.Random(seed)
    now = int(datetime.now(UTC).timestamp())
    out: list[Message] = []
    for i in range(n):
        known = rng.random() < 0.9
        sender = _number(rng.randrange(LIVE_CALLS) if known else 100_000 + i)
        lat, lon = -3.99 + rng.uniform(-0.04, 0.04), 122.53 + rng.uniform(-0.06, 0.06)
        kind = rng.choices(["sms-v1", "sms-v2", "https"], [4, 3, 3])[0]
        if kind == "sms-v1":
            top = datetime.fromtimestamp(now - 5, UTC).strftime("%Y%m%d%H%M%S")
            payload: str | bytes = (f'A"ML=1;lt={lat:.5f};lg={lon:.5f};rd={rng.randint(3, 60)};'
                                    f"top={top};lc=68;pm=G;si=510101234567890;"
                                    f"ei=353472104343540;mcc=510;mnc=10")
        elif kind == "sms-v2":
            payload = (f'A"ML=2;en=112;et={now};lo={lat:.5f},{lon:.5f},{rng.uniform(3, 60):.1f};'
                       f"lt=-3;lc=68;lz=20.5,4.0;ls=F;ei=353472104343540;nc=51010;hc=51010;"
                       f"lg=id-ID")
        else:
            payload = sign_body(urlencode({
                "v": "3", "emergency_number": "112", "source": "call", "time": now * 1000,
                "location_latitude": f"{lat:.6f}", "location_longitude": f"{lon:.6f}",
                "location_time": now * 1000 - 4000, "location_source": "gps",
                "location_accuracy": rng.randint(3, 60), "location_confidence": "68",
                "device_number": "+62" + sender[1:], "device_imei": "353472104343540",
                "device_languages": "id-ID"}), KEY)
        out.append((kind, payload, sender))
    return out


def parse(message: Message) -> c.IncomingFix:
    kind, payload, sender = message
    if kind == "https":
        parsed = parse_https(payload)
        verify_hmac(payload, KEY)
        return incoming_fix(parsed, caller=parsed.device_number)
    return incoming_fix(parse_sms(payload), caller=sender)


def _timed(messages: list[Message], producers: int,
           one: Callable[[Message], object]) -> dict[str, float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(start: int) -> None:
        mine = []
        for i in range(start, len(messages), producers):
            t0 = time.perf_counter()
            try:
                one(messages[i])
            except Exception as exc:  # counted and shown, never a silently dead producer
                with lock:
                    failures.append(f"{type(exc).__name__}: {str(exc)[:200]}")
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    t0, cpu0 = time.perf_counter(), time.process_time()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(producers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    latencies.sort()
    # CPU of this process (parsing, matching, SQLite itself; not the PostgreSQL server):
    # what a message costs whatever else the machine is doing.
    if not latencies:
        latencies.append(elapsed)
    return {"messages": len(messages), "failed": len(failures),
            "first_failure": failures[0] if failures else None,
            "per_second": round(len(messages) / elapsed, 1),
            "cpu_ms_per_message": round(cpu / len(messages) * 1000, 3),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
                            * 1000, 2)}


@contextmanager
def _server(siaga: Siaga) -> Iterator[str]:
    import uvicorn

    from siaga112.entrypoints.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(siaga), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _http(siaga: Siaga, messages: list[Message], producers: int) -> dict[str, float]:
    tokens = {}
    for name, scope in (("bench-operator", Scope.AML_GATEWAY), ("bench-sms", Scope.SMS_GATEWAY)):
        tokens[scope] = create_service_account(siaga.uow(), name=name, scopes=frozenset({scope}),
                                               agency_code=None, by="bench", clock=siaga.clock)
    set_hmac_key(siaga.uow(), name="bench-operator", key=KEY.decode(), by="bench",
                 clock=siaga.clock)
    local = threading.local()
    with _server(siaga) as base:
        def one(message: Message) -> None:
            if not hasattr(local, "clients"):
                local.clients = {scope: httpx.Client(base_url=base, timeout=120, headers={
                    "Authorization": f"Bearer {token}"}) for scope, token in tokens.items()}
            kind, payload, sender = message
            if kind == "https":
                r = local.clients[Scope.AML_GATEWAY].post("/api/v1/aml/https", content=payload,
                                                          headers=FORM)
            else:
                r = local.clients[Scope.SMS_GATEWAY].post("/api/v1/aml/sms",
                                                          json={"sender": sender, "text": payload})
            if r.status_code != 200:
                raise RuntimeError(f"{r.status_code}: {r.text}")

        return _timed(messages, producers, one)


def measure(backend: str, messages: list[Message], single: list[Message],
            producers: int, http: list[Message]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_database(backend, Path(tmp))
        try:
            engine = create_db_engine(url, pool_size=producers + 4) if backend != "sqlite" \
                else create_db_engine(url)
            siaga = bootstrap(Settings(database_url=url, env="test", rate_machine=10**9),
                              engine=engine)
            for i in range(LIVE_CALLS):
                siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=_number(i)))
            t0 = time.perf_counter()
            for m in messages[:500]:
                parse(m)
            parse_us = (time.perf_counter() - t0) / min(500, len(messages)) * 1e6

            per_message = _timed(single, producers, lambda m: siaga.bus.handle(
                c.IngestLocationFixes(fixes=(parse(m),))))
            writer = fix_committer(siaga.bus)
            grouped = _timed(messages, producers, lambda m: writer(parse(m)))
            grouped["mean_batch"] = round(writer.items / max(writer.batches, 1), 1)
            through_http = _http(siaga, http, producers) if http else None
            f = tables.location_fixes.c
            with engine.connect() as conn:
                stored = conn.execute(sa.select(sa.func.count()).select_from(
                    tables.location_fixes)).scalar()
                matched = conn.execute(sa.select(sa.func.count()).where(
                    f.call_id.is_not(None))).scalar()
                checked, problem = verify_chain(conn)
            engine.dispose()
        finally:
            drop()
    expected = len(messages) + len(single) + len(http)
    known = sum(1 for _, _, sender in messages + single + http
                if sender < _number(LIVE_CALLS))
    return {"parse_us_per_message": round(parse_us, 1), "per_message": per_message,
            "group_commit": grouped, "http": through_http,
            "speedup": round(grouped["per_second"] / per_message["per_second"], 2),
            "stored": stored, "expected": expected, "matched": matched,
            "matched_expected": known, "audit_rows_verified": checked,
            "audit_chain_ok": problem is None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--single", type=int, default=0,
                        help="messages for the per-message baseline (default: a fifth)")
    parser.add_argument("--producers", type=int, default=32)
    parser.add_argument("--http", type=int, default=0,
                        help="messages through the real endpoints too (default none)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=112)
    args = parser.parse_args(argv)
    single_n = args.single or max(1, args.messages // 5)
    everything = corpus(args.messages + single_n + args.http, args.seed)
    single, messages = everything[:single_n], everything[single_n:single_n + args.messages]
    http = everything[single_n + args.messages:]
    backends = args.backends.split(",")
    result: dict[str, object] = {"benchmark": "aml", "messages": args.messages,
                                 "per_message_baseline": single_n, "producers": args.producers,
                                 "target_per_second_sqlite": 1000}
    for backend in backends:
        result[backend] = measure(backend, messages, single, args.producers, http)
    ok = all(result[b]["stored"] == result[b]["expected"]  # type: ignore[index]
             and result[b]["matched"] == result[b]["matched_expected"]  # type: ignore[index]
             and result[b]["audit_chain_ok"] for b in backends)  # type: ignore[index]
    result["lost_or_mismatched"] = not ok
    if "sqlite" in backends:
        result["meets_target_sqlite"] = (
            result["sqlite"]["group_commit"]["per_second"] >= 1000)  # type: ignore[index]
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
