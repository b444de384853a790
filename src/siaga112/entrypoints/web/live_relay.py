"""Live messages between nodes: PostgreSQL LISTEN/NOTIFY, no extra broker.

Every node NOTIFYs the messages its own commits produce on one channel and LISTENs to the
others'. A console connected to node B so hears a call that node A took. The payload is the
console message itself (no personal data, well under PostgreSQL's 8,000-byte limit) and the
sending node's id, so a node ignores its own echo.

NOTIFY is sent from the relay's own thread: a committer (the SIP writer) never waits for it.
Both connections reconnect by themselves: a restarted PostgreSQL costs the consoles the
messages of the gap, and the hub's `hello` on their reconnect makes them reload anyway.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from typing import Any

import psycopg
from sqlalchemy.engine import Engine

from siaga112.entrypoints.web.live import LiveHub

log = logging.getLogger(__name__)
CHANNEL = "siaga112_live"
RETRY_SECONDS = 1.0


def libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresRelay:
    def __init__(self, hub: LiveHub, url: str) -> None:
        self.hub, self.url = hub, url
        self.node = uuid.uuid4().hex[:12]
        self._outbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait on it)
        self._threads = [threading.Thread(target=self._send_loop, name="live-notify", daemon=True),
                         threading.Thread(target=self._listen_loop, name="live-listen",
                                          daemon=True)]

    def start(self) -> PostgresRelay:
        for thread in self._threads:
            thread.start()
        return self

    def send(self, msg: dict[str, Any]) -> None:
        self._outbox.put(msg)

    def stop(self) -> None:
        self._stopping.set()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(timeout=10)

    def _send_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    while True:
                        msg = self._outbox.get()
                        if msg is None:
                            return
                        payload = json.dumps({"node": self.node, "msg": msg},
                                             separators=(",", ":"))
                        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except psycopg.Error as exc:
                log.warning("live relay cannot NOTIFY (%s); retrying", exc)
                self._stopping.wait(RETRY_SECONDS)

    def _listen_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._received(note.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("live relay lost its LISTEN connection (%s); reconnecting", exc)
                self._stopping.wait(RETRY_SECONDS)

    def _received(self, payload: str) -> None:
        try:
            envelope = json.loads(payload)
            if envelope["node"] != self.node:
                self.hub.publish_message(envelope["msg"])
        except (ValueError, KeyError, TypeError):
            log.warning("live relay ignored a malformed notification")


def start_relay(hub: LiveHub, engine: Engine, *, wait: float = 5.0) -> PostgresRelay | None:
    """On PostgreSQL, relay this node's live messages to the others (and theirs to it)."""
    if engine.dialect.name != "postgresql":
        return None  # SQLite: one node, nothing to relay
    relay = PostgresRelay(hub, libpq_url(engine)).start()
    hub.relay = relay
    deadline = time.monotonic() + wait
    while not relay.listening.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    return relay
