"""Group commit: many commands, one transaction, one fsync.

The SIP node's switchboard records each step of each call as a command. One writer thread
takes every command that waits, runs each through its ordinary handler inside one shared
transaction, appends all their events to the audit chain and commits once. Results go
back (on the node's thread) only after that commit. Live calls and positions stay in
memory between batches (write_behind.py). If anything in a batch fails, the batch is
rolled back, memory restored, and its commands run again one per transaction, so one bad
command costs only itself.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Engine

from siaga112.adapters.db.write_behind import LiveState, WriteBehindUnitOfWork
from siaga112.domain.clock import Clock
from siaga112.domain.events import DomainEvent
from siaga112.services.commands import Command

log = logging.getLogger(__name__)
Done = Callable[[Any, BaseException | None], None]
MAX_BATCH = 400


class GroupCommitter:
    def __init__(self, *, engine: Engine, clock: Clock, handlers: Mapping[type, Callable[..., Any]],
                 deliver: Callable[..., None], publish: Callable[[list[DomainEvent]], None],
                 max_batch: int = MAX_BATCH) -> None:
        self.engine, self.clock, self.handlers = engine, clock, handlers
        self.deliver, self.publish, self.max_batch = deliver, publish, max_batch
        self._queue: queue.SimpleQueue[tuple[Command, Done | None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.commands = 0
        self.before_commit: Callable[[], None] | None = None  # tests slow the writer down
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
        return self._queue.qsize()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [] if first is None else [first]
            stop = first is None
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            if batch:
                try:
                    self._execute(batch)
                except Exception:  # the writer must outlive any one batch
                    log.exception("group commit failed")
            if stop:
                return

    def _execute(self, batch: list[tuple[Command, Done | None]]) -> None:
        results: list[tuple[Done | None, Any, BaseException | None]] = []
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
            if len(batch) > 1:
                log.warning("a batch of %d failed; running its commands one by one", len(batch))
                for item in batch:
                    self._execute_alone(item)
                return
            raise
        uow.close()
        self.batches += 1
        self.commands += len(batch)
        self._hand_back(results, events)

    def _execute_alone(self, item: tuple[Command, Done | None]) -> None:
        command, done = item
        uow = WriteBehindUnitOfWork(self.engine, self.clock, self.live, thorough=True)
        try:
            uow.open()
            result = self._handler(command)(command, uow)
            events = uow.commit_batch()
        except Exception as exc:
            uow.restore()
            log.warning("command %s failed: %s", type(command).__name__, exc)
            self._hand_back([(done, None, exc)], [])
            return
        finally:
            uow.close()
        self._hand_back([(done, result, None)], events)

    def _handler(self, command: Command) -> Callable[..., Any]:
        return self.handlers[type(command)]

    def _hand_back(self, results: list[tuple[Done | None, Any, BaseException | None]],
                   events: list[DomainEvent]) -> None:
        for done, result, error in results:
            if done is not None:
                self.deliver(done, result, error)
        if events:
            try:
                self.publish(events)
            except Exception:
                log.exception("publishing events after a group commit failed")
