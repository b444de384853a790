"""Group commit: many commands, one transaction, one fsync.

The SIP node's switchboard records each step of each call as a command. One writer thread
takes every command that waits, runs each through its ordinary handler inside one shared
transaction, appends all their events to the audit chain and commits once. Results go
back (on the node's thread) only after that commit. Live calls and positions stay in
memory between batches (write_behind.py). If anything in a batch fails, the batch is
rolled back, memory restored, and its commands run again one per transaction, so one bad
command costs only itself.

If the database cannot be reached (PostgreSQL restarting, the network to it cut), a failed
batch is not failed: the writer holds it and everything after it, in order, and tries
again until the database answers. The steps of calls already stored (offered, answered,
ended) are then committed as they happened; nothing a caller was told is lost. A new call
waits at most REFUSE_NEW_AFTER seconds: after that it is refused (the switchboard answers
503, the trunk can send it to a backup center), as are the consoles' position commands.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.write_behind import LiveState, WriteBehindUnitOfWork
from siaga112.domain.clock import Clock
from siaga112.domain.events import DomainEvent
from siaga112.services import commands as c
from siaga112.services.commands import Command

log = logging.getLogger(__name__)
Done = Callable[[Any, BaseException | None], None]
Item = tuple[Command, Done | None]
Result = tuple[Done | None, Any, BaseException | None]
MAX_BATCH = 400
RETRY_FIRST, RETRY_MAX = 0.05, 0.5  # seconds between tries while the database is away
# A new call held longer than this is refused (503): a PostgreSQL restart (1-3 s) is ridden
# out with the caller hearing a moment's silence; a longer outage sends calls elsewhere.
REFUSE_NEW_AFTER = 2.0
# What starts something new and whose sender handles a refusal: a new call (503), a
# console's position command (an error on the console). Never the steps of stored calls.
REFUSABLE: tuple[type[Command], ...] = (c.TakeSipCall, *c.POSITION_COMMANDS)


class DatabaseUnavailable(RuntimeError):
    """Handed back for a command refused because the database could not be reached."""


class GroupCommitter:
    def __init__(self, *, engine: Engine, clock: Clock, handlers: Mapping[type, Callable[..., Any]],
                 deliver: Callable[..., None], publish: Callable[[list[DomainEvent]], None],
                 max_batch: int = MAX_BATCH) -> None:
        self.engine, self.clock, self.handlers = engine, clock, handlers
        self.deliver, self.publish, self.max_batch = deliver, publish, max_batch
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.commands = 0
        self.before_commit: Callable[[], None] | None = None  # tests slow the writer down
        self.refuse_new_after = REFUSE_NEW_AFTER
        self.held = 0  # commands held while the database is away (metrics)
        self.outages = 0
        self.refused = 0  # commands refused during outages
        self.live = LiveState()
        self.live.load_positions(engine)

    def submit(self, command: Command, on_done: Done | None = None) -> None:
        self._queue.put((command, on_done))

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sip-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish what was submitted, then stop."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=60)

    def pending(self) -> int:
        return self._queue.qsize() + self.held

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._take(self.max_batch, block=True)
            if batch:
                try:
                    held = self._commit(batch)
                    if held:
                        stop = self._ride_out(held, stop)
                except Exception:  # the writer must outlive any one batch
                    log.exception("group commit failed")

    def _take(self, limit: int, *, block: bool) -> tuple[list[Item], bool]:
        """What waits (at most `limit`), and whether the writer was asked to stop."""
        batch: list[Item] = []
        while len(batch) < limit:
            try:
                item = self._queue.get() if block and not batch else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, batch: list[Item]) -> list[Item]:
        """Commit the batch; what could not be committed because the database cannot be
        reached comes back (in order, none of it handed back yet)."""
        try:
            results, events = self._execute(batch)
        except Exception as exc:
            if not self._reachable():
                return batch
            log.warning("a batch of %d failed (%s); running its commands one by one",
                        len(batch), type(exc).__name__)
        else:
            self._hand_back(results, events)  # outside the try: committed, never run again
            return []
        for i, item in enumerate(batch):
            if not self._execute_alone(item):
                return batch[i:]
        return []

    def _ride_out(self, held: list[Item], stop: bool) -> bool:
        """The database cannot be reached: hold everything, in order, and try again until
        it answers. Returns whether the writer was asked to stop meanwhile."""
        since = time.monotonic()
        self.outages += 1
        self.held = len(held)
        log.error("the database cannot be reached: %d commands held, trying again", len(held))
        delay = RETRY_FIRST
        while held:
            time.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)
            more, asked = self._take(1 << 30, block=False)
            held.extend(more)
            stop = stop or asked
            while held:
                chunk = held[:self.max_batch]
                left = self._commit(chunk)
                del held[:len(chunk) - len(left)]
                if left:
                    break
            # Still away: refuse what is new only now, so that a call that arrived just
            # before the database came back is stored, not refused.
            if held and time.monotonic() - since >= self.refuse_new_after:
                held = self._refuse_new(held)
            self.held = len(held)
            if held and stop:
                log.error("stopping with the database unreachable: %d commands not stored",
                          len(held))
                self._hand_back([(done, None, DatabaseUnavailable("database unreachable"))
                                 for _, done in held], [])
                break
        self.held = 0
        log.warning("the database answers again after %.1f s", time.monotonic() - since)
        return stop

    def _refuse_new(self, held: list[Item]) -> list[Item]:
        refused = [(done, None, DatabaseUnavailable("database unreachable"))
                   for command, done in held if isinstance(command, REFUSABLE)]
        if refused:
            self.refused += len(refused)
            self._hand_back(refused, [])
            return [item for item in held if not isinstance(item[0], REFUSABLE)]
        return held

    def _reachable(self) -> bool:
        """Does the database answer at all? (Tells an outage from a bad command.)"""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    def _execute(self, batch: list[Item]) -> tuple[list[Result], list[DomainEvent]]:
        """One transaction for the whole batch: what to hand back, once committed. On failure
        memory is restored and the error raised."""
        results: list[Result] = []
        uow = WriteBehindUnitOfWork(self.engine, self.clock, self.live)
        try:
            uow.open()
            for command, done in batch:
                results.append((done, self._handler(command)(command, uow), None))
            if self.before_commit is not None:
                self.before_commit()
            events = uow.commit_batch()
        except Exception:
            uow.restore()
            uow.close()
            raise
        uow.close()
        self.batches += 1
        self.commands += len(batch)
        return results, events

    def _execute_alone(self, item: Item) -> bool:
        """False (nothing handed back) when it failed because the database is away."""
        command, done = item
        uow = WriteBehindUnitOfWork(self.engine, self.clock, self.live, thorough=True)
        try:
            uow.open()
            result = self._handler(command)(command, uow)
            events = uow.commit_batch()
        except Exception as exc:
            uow.restore()
            uow.close()
            if not self._reachable():
                return False
            log.warning("command %s failed: %s", type(command).__name__, exc)
            self._hand_back([(done, None, exc)], [])
            return True
        uow.close()
        self.batches += 1
        self.commands += 1
        self._hand_back([(done, result, None)], events)
        return True

    def _handler(self, command: Command) -> Callable[..., Any]:
        return self.handlers[type(command)]

    def _hand_back(self, results: list[Result], events: list[DomainEvent]) -> None:
        for done, result, error in results:
            if done is not None:
                self.deliver(done, result, error)
        if events:
            try:
                self.publish(events)
            except Exception:
                log.exception("publishing events after a group commit failed")
