"""From a state change to the message at every connected console: the live channel's latency.

    python bench/ws_fanout.py [--consoles 100] [--changes 200] [--rate 20] [--backend sqlite]

A real Siaga112 server runs in its own process (its own interpreter, as in production); this
process holds the consoles (WebSocket clients, one asyncio loop) and makes the changes through
the HTTP API (a call arrives: POST /api/v1/calls). The latency of one delivery is the arrival
time minus the event's own time (`at`, set when the server handled the change, before its
commit), on the same machine's clock. Baseline, same run, same clients: a bare Starlette
server that broadcasts to its sockets directly when poked over HTTP (no database, no hub),
the transport's own floor. Last line: one JSON object. Target: p99 < 250 ms at 100 consoles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch_db import scratch_database  # noqa: E402

USER, PASSWORD = "bench", "bench-ws-fanout-112"
TARGET_P99_MS = 250.0


# --- the servers (run in a child process) ----------------------------------------------------
def serve_siaga(port: int, database_url: str) -> None:
    import uvicorn

    from siaga112.bootstrap import bootstrap
    from siaga112.config import Settings
    from siaga112.domain.accounts import Role
    from siaga112.entrypoints.web.app import create_app
    from siaga112.services import commands as c

    siaga = bootstrap(Settings(database_url=database_url, env="test"))
    siaga.bus.handle(c.CreateUser(username=USER, full_name="Bench", role=Role.CALL_TAKER,
                                  password=PASSWORD, must_change_password=False))
    uvicorn.run(create_app(siaga), host="127.0.0.1", port=port, log_level="warning")


def serve_raw(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route, WebSocketRoute

    sockets: set = set()

    async def live(ws) -> None:  # type: ignore[no-untyped-def]
        await ws.accept()
        await ws.send_text(json.dumps({"topic": "hello"}))
        sockets.add(ws)
        try:
            while (await ws.receive())["type"] != "websocket.disconnect":
                pass
        finally:
            sockets.discard(ws)

    async def poke(_request) -> JSONResponse:  # type: ignore[no-untyped-def]
        text = json.dumps({"topic": "call", "at": datetime.now().astimezone().isoformat()})
        for ws in list(sockets):
            await ws.send_text(text)
        return JSONResponse({"sent": len(sockets)}, status_code=201)

    app = Starlette(routes=[WebSocketRoute("/ws/live", live), Route("/poke", poke,
                                                                      methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# --- the consoles and the changes (this process) -------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(kind: str, port: int, database_url: str = "") -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port),
                             "--db", database_url], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if kind == "raw" or httpx.get(f"http://127.0.0.1:{port}/healthz",
                                          timeout=1).status_code == 200:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return proc
        except (httpx.HTTPError, OSError):
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the {kind} server did not start")


async def measure(base: str, consoles: int, changes: int, rate: float, *,
                  change_url: str, headers: dict[str, str], body: dict | None) -> dict:
    latencies: list[float] = []
    ws_url = base.replace("http://", "ws://") + "/ws/live"
    clients = [await websockets.connect(ws_url, additional_headers={**headers, "Origin": base},
                                        max_queue=None) for _ in range(consoles)]
    for ws in clients:
        assert json.loads(await ws.recv()) == {"topic": "hello"}

    async def listen(ws: websockets.ClientConnection, expected: int) -> None:
        got = 0
        while got < expected:
            msg = json.loads(await ws.recv())
            if msg.get("event", "CallReceived") != "CallReceived":
                continue  # one measured message per change (the call's arrival)
            latencies.append(time.time() - datetime.fromisoformat(msg["at"]).timestamp())
            got += 1

    listeners = [asyncio.create_task(listen(ws, changes)) for ws in clients]
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api:
        for _ in range(changes):
            started = time.monotonic()
            response = await api.post(change_url, json=body)
            assert response.status_code == 201, response.text
            await asyncio.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    try:
        await asyncio.wait_for(asyncio.gather(*listeners), timeout=60)
    finally:
        for ws in clients:
            await ws.close()
    ms = sorted(x * 1000 for x in latencies)
    return {"delivered": len(ms), "expected": consoles * changes,
            "p50_ms": round(statistics.median(ms), 1),
            "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 1), "max_ms": round(ms[-1], 1)}


def run_siaga(args: argparse.Namespace, workdir: Path) -> dict:
    url, drop = scratch_database(args.backend, workdir)
    port = free_port()
    proc = start("siaga", port, url)
    try:
        base = f"http://127.0.0.1:{port}"
        login = httpx.post(f"{base}/api/v1/auth/login",
                           json={"username": USER, "password": PASSWORD}, timeout=30)
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        return asyncio.run(measure(base, args.consoles, args.changes, args.rate,
                                   change_url="/api/v1/calls", headers=headers,
                                   body={"caller": "081234567890"}))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        drop()


def run_raw(args: argparse.Namespace) -> dict:
    port = free_port()
    proc = start("raw", port)
    try:
        return asyncio.run(measure(f"http://127.0.0.1:{port}", args.consoles, args.changes,
                                   args.rate, change_url="/poke", headers={}, body=None))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consoles", type=int, default=100)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="changes per second")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--serve", choices=("siaga", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "siaga":
        return serve_siaga(args.port, args.db)
    if args.serve == "raw":
        return serve_raw(args.port)
    with tempfile.TemporaryDirectory() as tmp:
        raw = run_raw(args)
        siaga = run_siaga(args, Path(tmp))
    print(json.dumps({
        "consoles": args.consoles, "changes": args.changes, "rate_per_second": args.rate,
        "backend": args.backend, "load_average": round(os.getloadavg()[0], 2),
        "siaga112": siaga, "bare_broadcast": raw,
        "p99_over_bare_ms": round(siaga["p99_ms"] - raw["p99_ms"], 1),
        "target_p99_ms": TARGET_P99_MS, "meets_target": siaga["p99_ms"] < TARGET_P99_MS,
        "lost_messages": siaga["delivered"] != siaga["expected"],
    }))


if __name__ == "__main__":
    main()
