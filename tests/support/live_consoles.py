"""Consoles as a load: N logged-in users on the live WebSocket (/ws/live), each re-reading
the API when a message arrives, as the real consoles do (console_call_taker.js reloads the
queue and the positions; the wallboard reloads /api/v1/wallboard). Used by bench/soak.py
and bench/faults.py.

Measured: each API GET's latency, and each message's delivery (its arrival here minus the
event's own time `at`: the writer's commit, the relay and the socket together).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import websockets

from siaga112.domain.accounts import Role, Scope

PASSWORD = "soak-console-112"
# What each kind of console reads when it hears something, and how long it waits for
# the burst to end first (the consoles' own debounce: 30 ms, the wallboard's 150 ms).
READS = {Role.CALL_TAKER: (("/api/v1/calls/waiting", "/api/v1/positions"), 0.03),
         Role.SUPERVISOR: (("/api/v1/wallboard",), 0.15)}


def console_users(count: int) -> list[tuple[str, Role]]:
    """Two call-taker consoles for each supervisor's wallboard."""
    return [(f"console{i:02d}", Role.SUPERVISOR if i % 3 == 2 else Role.CALL_TAKER)
            for i in range(count)]


def create_accounts(siaga: Any, users: list[tuple[str, Role]]) -> str:
    """The users (no password change asked), and a token for /metrics; returns the token."""
    from siaga112.services import commands as c
    from siaga112.services.handlers import service_accounts

    for username, role in users:
        siaga.bus.handle(c.CreateUser(username=username, full_name=username.title(), role=role,
                                      password=PASSWORD, must_change_password=False))
    return service_accounts.create_service_account(
        siaga.uow(), name="bench-metrics", scopes=frozenset({Scope.METRICS}), agency_code=None,
        by="bench", clock=siaga.clock)


@dataclass
class Figures:
    api_ms: list[tuple[float, float]] = field(default_factory=list)  # (when, ms)
    ws_ms: list[tuple[float, float]] = field(default_factory=list)
    api_errors: int = 0
    api_by_path: dict[str, list[float]] = field(default_factory=dict)  # the whole run
    messages: int = 0
    hellos: int = 0
    connections_lost: int = 0
    by_console: dict[str, int] = field(default_factory=dict)
    # The calls each console heard of, and when first (wall time).
    calls_heard: dict[str, dict[str, float]] = field(default_factory=dict)


class Consoles:
    """Runs the consoles on an asyncio loop in a thread of its own until `stop()`."""

    def __init__(self, base: str, users: list[tuple[str, Role]]) -> None:
        self.base, self.users = base, users
        self.figures = Figures()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="consoles", daemon=True)
        self._started = threading.Event()

    def start(self) -> Consoles:
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the consoles did not connect")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def by_path(self) -> dict[str, dict[str, float | int]]:
        """Each path read: how many times, p50 and p99 in ms, over the whole run."""
        with self._lock:
            found = {}
            for path, values in sorted(self.figures.api_by_path.items()):
                ordered = sorted(values)
                found[path] = {"reads": len(ordered),
                               "p50_ms": round(ordered[len(ordered) // 2], 1),
                               "p99_ms": round(ordered[min(len(ordered) - 1,
                                                           int(len(ordered) * 0.99))], 1)}
            return found

    def take(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """The API and delivery latencies measured since the last call."""
        with self._lock:
            api, ws = self.figures.api_ms, self.figures.ws_ms
            self.figures.api_ms, self.figures.ws_ms = [], []
        return api, ws

    # -- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            tokens = []
            for username, role in self.users:
                response = await client.post("/api/v1/auth/login", json={
                    "username": username, "password": PASSWORD})
                response.raise_for_status()
                tokens.append((username, role, response.json()["token"]))
            connected = [asyncio.Event() for _ in tokens]
            tasks = [asyncio.create_task(self._console(client, *t, connected[i]))
                     for i, t in enumerate(tokens)]
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in connected)), 30)
            self._started.set()
            await self._stop.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _console(self, client: httpx.AsyncClient, username: str, role: Role, token: str,
                       connected: asyncio.Event) -> None:
        paths, debounce = READS[role]
        headers = {"Authorization": f"Bearer {token}"}
        wanted = asyncio.Event()
        reader = asyncio.create_task(self._reader(client, headers, paths, debounce, wanted))
        url = self.base.replace("http://", "ws://") + "/ws/live"
        try:
            while True:
                try:
                    async with websockets.connect(url, additional_headers={
                            **headers, "Origin": self.base}) as ws:
                        async for raw in ws:
                            self._heard(username, json.loads(raw), connected)
                            wanted.set()
                except (OSError, websockets.WebSocketException):
                    with self._lock:
                        self.figures.connections_lost += 1
                    await asyncio.sleep(1.0)  # live.js starts again after 1 s
        finally:
            reader.cancel()

    def _heard(self, username: str, msg: dict[str, Any], connected: asyncio.Event) -> None:
        now = time.time()
        with self._lock:
            if msg.get("topic") == "hello":
                self.figures.hellos += 1
                connected.set()
                return
            self.figures.messages += 1
            self.figures.by_console[username] = self.figures.by_console.get(username, 0) + 1
            if msg.get("topic") == "call":
                self.figures.calls_heard.setdefault(username, {}).setdefault(msg["id"], now)
            at = msg.get("at")
            if at:
                self.figures.ws_ms.append((now, (now - datetime.fromisoformat(at).timestamp())
                                           * 1000))

    async def _reader(self, client: httpx.AsyncClient, headers: dict[str, str],
                      paths: tuple[str, ...], debounce: float, wanted: asyncio.Event) -> None:
        while True:
            await wanted.wait()
            await asyncio.sleep(debounce)  # the rest of the burst joins this reload
            wanted.clear()
            for path in paths:
                started = time.perf_counter()
                try:
                    response = await client.get(path, headers=headers)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                ms = (time.perf_counter() - started) * 1000
                with self._lock:
                    if ok:
                        self.figures.api_ms.append((time.time(), ms))
                        self.figures.api_by_path.setdefault(path, []).append(ms)
                    else:
                        self.figures.api_errors += 1
