"""Node heartbeats, when several SIP nodes share one PostgreSQL (docs/deployment.md).

A node killed with -9 (or whose machine dies) cannot interrupt its own calls: their SIP
dialogs died with it, but their rows still say `queued` or `connected`, and nobody would
call those callers back until the node starts again, which may be never. So every node
writes a heartbeat every `interval` seconds, and looks for peers silent longer than
`lost_after`: the first node to see one claims it (one row update, so two survivors never
both act) and interrupts the calls that node had taken, each with a callback task.

`lost_after` must exceed any pause a living node can have (a long GC): a node declared
lost while still alive would carry calls whose rows say interrupted. It logs that loudly
when it beats again, so that the operator restarts it. The database itself going away (a
PostgreSQL restart, a fail-over) silences every node at once: a node whose own beat failed
judges its peers again only once they have had a whole `lost_after` to beat after the
database came back (bench/faults.py --fault pg-restart --down-seconds 40 saw a living
peer's calls interrupted before this).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables_nodes import sip_node_heartbeats
from siaga112.services import commands as c

log = logging.getLogger(__name__)


class NodeWatch:
    def __init__(self, siaga: Any, node: str, *, interval: float = 5.0,
                 lost_after: float = 30.0) -> None:
        if lost_after < 3 * interval:
            raise ValueError("lost_after must be at least three heartbeats")
        self.siaga, self.node = siaga, node
        self.interval, self.lost_after = interval, lost_after
        self.taken_over: dict[str, int] = {}  # lost node -> calls interrupted here
        self._away_since: datetime | None = None  # our own beats fail: the database is away
        self._back_at: datetime | None = None  # when our beats worked again after that
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="node-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat_once()
            except Exception:  # the database is away: beat again next time
                log.exception("node heartbeat failed")
            self._stop.wait(self.interval)

    def beat_once(self) -> list[str]:
        """Beat; then take over the peers silent too long. The peers taken over."""
        now = self.siaga.clock.now()
        grace = timedelta(seconds=self.lost_after)
        try:
            silent = self._beat(now, cutoff=now - grace)
        except Exception:
            self._away_since = self._away_since or now
            raise
        if self._away_since is not None:  # every peer was as silent as we were
            self._away_since, self._back_at = None, now
        if self._back_at is not None and now - self._back_at < grace:
            return []  # the peers have not had their grace since the database came back
        taken = []
        for peer in silent:
            count = self.siaga.bus.handle(c.InterruptLostNodeCalls(node=peer,
                                                                   silent_since=now - grace))
            if count is None:
                continue
            taken.append(peer)
            self.taken_over[peer] = self.taken_over.get(peer, 0) + count
            log.warning("node %s silent for over %.0f s: lost; %d of its calls interrupted, "
                        "callbacks open", peer, self.lost_after, count)
        return taken

    def _beat(self, now: datetime, *, cutoff: datetime) -> list[str]:
        """Write our beat; the peers silent since before `cutoff`."""
        h = sip_node_heartbeats.c
        with self.siaga.engine.begin() as conn:
            lost_at = conn.scalar(sa.select(h.lost_at).where(h.node == self.node))
            if lost_at is not None:
                log.error("node %s was declared lost by a peer at %s and its calls were "
                          "interrupted: restart this node", self.node, lost_at.isoformat())
            updated = conn.execute(sa.update(sip_node_heartbeats).where(h.node == self.node)
                                   .values(seen_at=now, lost_at=None)).rowcount
            if not updated:
                conn.execute(sa.insert(sip_node_heartbeats).values(node=self.node, seen_at=now))
            return list(conn.scalars(sa.select(h.node).where(
                h.node != self.node, h.lost_at.is_(None), h.seen_at < cutoff)))
