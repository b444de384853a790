"""Group commit: many threads hand in items, one writer stores them a batch per transaction.

A commit costs about as much for one row as for a hundred (the disk flush dominates), so
items that arrive while a batch commits go together in the next one. Each caller waits for
its own item and is answered only after the batch holding it has committed: an
acknowledged item is stored. If a batch fails as a whole, its items are retried one by one,
so one bad item cannot take the others down with it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class GroupCommitter(Generic[T, R]):
    """`run_batch(items)` stores the items in one transaction and returns one result per
    item (an Exception instance for an item refused on its own)."""

    _all: weakref.WeakSet[GroupCommitter] = weakref.WeakSet()  # type: ignore[type-arg]

    def __init__(self, run_batch: Callable[[Sequence[T]], Sequence[R | Exception]], *,
                 max_batch: int = 500, idle_seconds: float = 5.0, name: str = "group-commit"):
        self._run_batch = run_batch
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self.name = name
        self._queue: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # figures for the benchmark and the logs
        self.items = 0
        self._pending = 0  # submitted, not yet answered
        GroupCommitter._all.add(self)

    def submit(self, item: T) -> Future[R]:
        """Queue an item; its future resolves once its batch has committed."""
        future: Future[R] = Future()
        future.add_done_callback(self._answered)
        with self._lock:
            self._pending += 1
            self._queue.put((item, future))
            if self._thread is None:  # the writer stops when idle and starts on demand
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._thread.start()
        return future

    def _answered(self, _future: Future[R]) -> None:
        with self._lock:
            self._pending -= 1

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted item is answered (a clean stop, and tests)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._pending

    @classmethod
    def wait_all_idle(cls, timeout: float = 10.0) -> bool:
        """Every writer of this process idle: nothing handed in is still on its way."""
        deadline = time.monotonic() + timeout
        return all(w.wait_idle(max(0.0, deadline - time.monotonic())) for w in list(cls._all))

    def __call__(self, item: T, *, timeout: float | None = 30.0) -> R:
        return self.submit(item).result(timeout)

    def _work(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._store(batch)
            except Exception as exc:  # never leave a caller waiting on a dead writer
                log.exception("%s: storing a batch failed", self.name)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    def _store(self, batch: list[tuple[T, Future[R]]]) -> None:
        live = [(item, future) for item, future in batch if future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self._run_batch([item for item, _ in live])
        except Exception as exc:  # the whole transaction failed: try each alone
            if len(live) == 1:
                live[0][1].set_exception(exc)
                return
            log.warning("%s: a batch of %d failed (%s); storing them one by one",
                        self.name, len(live), exc)
            for item, future in live:
                try:
                    _resolve(future, self._run_batch([item])[0])
                except Exception as one:
                    future.set_exception(one)
            return
        if len(results) != len(live):
            raise RuntimeError(f"{self.name}: {len(results)} results for {len(live)} items")
        self.batches += 1
        self.items += len(live)
        for (_, future), result in zip(live, results):
            _resolve(future, result)


def _resolve(future: Future[R], result: R | Exception) -> None:
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
