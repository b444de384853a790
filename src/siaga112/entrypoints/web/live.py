"""The consoles' live channel: every committed domain event, as a small message, to every console.

Messages name what changed (topic, event, id, new state) and never carry personal data: a
console re-reads what it shows through the API, where the roles and masking rules apply.
Agency users get only their own agency's units and the incidents their agency was sent to.

The bus calls `publish` after a commit, from whatever thread committed (a web worker, the
SIP node's writer): `publish` only enqueues, so no committer waits for a slow console. One
hub thread turns events into messages, decides who may see them and hands each event loop
its batch in one `call_soon_threadsafe`. A console that falls too far behind is closed and
reconnects (its page reloads everything on `hello`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from siaga112.bootstrap import Siaga
from siaga112.domain.events import DomainEvent, UnitDispatched

log = logging.getLogger(__name__)

# Aggregates a console may hear about; the audit-only ones ("user", "personal_data") never go out.
STAFF_TOPICS = frozenset({"call", "incident", "unit", "position", "callback", "location", "link"})
AGENCY_TOPICS = frozenset({"incident", "unit"})
BACKLOG = 2000  # messages a console may lag behind before it is closed (it then reloads)
SERVED_CACHE = 4096  # incidents whose served agencies the hub remembers
HELLO = json.dumps({"topic": "hello"})
_STOP = object()


@dataclass(eq=False)
class Subscriber:
    """One connected console: where to put its messages and what it may see."""

    loop: asyncio.AbstractEventLoop
    agency: str | None  # None: the center's own staff
    messages: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(BACKLOG))
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


def message(event: DomainEvent) -> dict[str, Any]:
    return {"topic": event.aggregate, "event": type(event).__name__,
            "id": str(event.aggregate_id), "at": event.at.isoformat(), "state": event.after}


class LiveHub:
    def __init__(self, siaga: Siaga) -> None:
        self._siaga = siaga
        self._unit_agency = {u.code: u.agency for u in siaga.center.units}
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._served: OrderedDict[str, set[str]] = OrderedDict()
        self._thread: threading.Thread | None = None
        self.relay: Any = None  # another node's bridge (entrypoints/web/live_relay.py), if any

    # --- the committers' side ---------------------------------------------------------------
    def publish(self, event: DomainEvent) -> None:
        """Bus handler: cheap, never blocks, never raises into the committer."""
        if event.aggregate not in STAFF_TOPICS:
            return
        if isinstance(event, UnitDispatched):  # keep "who was sent" current before anyone asks
            self._inbox.put(("served", str(event.aggregate_id), event.data.get("agency")))
        msg = message(event)
        if self.relay is not None:
            self.relay.send(msg)
        if self._subscribers:
            self._inbox.put(("msg", msg))

    def publish_message(self, msg: dict[str, Any]) -> None:
        """A message from another node (already a message, already committed there)."""
        if msg.get("event") == "UnitDispatched":  # who was sent changed: ask the database again
            self._inbox.put(("forget", str(msg.get("id"))))
        if self._subscribers and msg.get("topic") in STAFF_TOPICS:
            self._inbox.put(("msg", msg))

    # --- the consoles' side -----------------------------------------------------------------
    def subscribe(self, agency: str | None) -> Subscriber:
        subscriber = Subscriber(loop=asyncio.get_running_loop(), agency=agency)
        subscriber.messages.put_nowait(HELLO)
        with self._lock:
            self._subscribers.add(subscriber)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
                self._thread.start()
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    @property
    def connected(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        self._inbox.put(_STOP)

    # --- the hub thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._inbox.get()
            if item is _STOP:
                return
            try:
                if item[0] == "served":
                    self._remember_served(item[1], item[2])
                elif item[0] == "forget":
                    self._served.pop(item[1], None)
                else:
                    self._fan_out(item[1])
            except Exception:  # a bad message must not stop the channel
                log.exception("live hub could not deliver %r", item)

    def _fan_out(self, msg: dict[str, Any]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        if not subscribers:
            return
        text = json.dumps(msg, separators=(",", ":"))
        batches: dict[asyncio.AbstractEventLoop, list[Subscriber]] = {}
        for subscriber in subscribers:
            if self._may_see(subscriber.agency, msg):
                batches.setdefault(subscriber.loop, []).append(subscriber)
        for loop, batch in batches.items():
            try:
                loop.call_soon_threadsafe(_deliver, batch, text)
            except RuntimeError:  # that loop has closed: its consoles are gone
                for subscriber in batch:
                    self.unsubscribe(subscriber)

    def _may_see(self, agency: str | None, msg: dict[str, Any]) -> bool:
        if agency is None:
            return True
        if msg["topic"] not in AGENCY_TOPICS:
            return False
        if msg["topic"] == "unit":
            return self._unit_agency.get(msg["id"]) == agency
        return agency in self._served_agencies(msg["id"])

    def _served_agencies(self, incident_id: str) -> set[str]:
        served = self._served.get(incident_id)
        if served is None:
            served = self._load_served(incident_id)
            self._served[incident_id] = served
            while len(self._served) > SERVED_CACHE:
                self._served.popitem(last=False)
        return served

    def _remember_served(self, incident_id: str, agency: str | None) -> None:
        if agency:
            self._served_agencies(incident_id).add(agency)

    def _load_served(self, incident_id: str) -> set[str]:
        try:
            key = uuid.UUID(incident_id)
        except ValueError:
            return set()
        with self._siaga.uow() as uow:
            return set(uow.assignments.agencies_served(key))


def _deliver(batch: list[Subscriber], text: str) -> None:
    """On the consoles' event loop: queue the message; a console too far behind is closed."""
    for subscriber in batch:
        try:
            subscriber.messages.put_nowait(text)
        except asyncio.QueueFull:
            subscriber.overflowed.set()


def hub_for(siaga: Siaga) -> LiveHub:
    """The center's one hub (create_app may be called more than once for the same center)."""
    hub: LiveHub | None = getattr(siaga, "_live_hub", None)
    if hub is None:
        hub = LiveHub(siaga)
        siaga.bus.subscribe(DomainEvent, hub.publish)
        setattr(siaga, "_live_hub", hub)  # noqa: B010 - a web concern kept off the dataclass
    return hub
