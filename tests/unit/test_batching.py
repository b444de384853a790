"""The group-commit writer: batches from many threads, answers after the batch, isolates a
failing item, stops when idle and starts again."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from siaga112.services.batching import GroupCommitter


def test_items_from_many_threads_are_stored_in_batches_and_each_gets_its_answer():
    stored: list[list[int]] = []

    def run(items):
        time.sleep(0.005)  # a commit
        stored.append(list(items))
        return [i * 10 for i in items]

    writer = GroupCommitter(run, idle_seconds=0.2)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: writer(i, timeout=10), range(200)))
    assert answers == [i * 10 for i in range(200)]
    assert sorted(i for batch in stored for i in batch) == list(range(200))
    assert writer.batches == len(stored) < 200 and writer.items == 200  # batched


def test_an_answer_comes_only_after_its_batch_has_run():
    committed = threading.Event()

    def run(items):
        time.sleep(0.05)
        committed.set()
        return list(items)

    future = GroupCommitter(run).submit(1)
    assert future.result(5) == 1 and committed.is_set()


def test_a_failing_batch_is_retried_item_by_item_so_only_the_bad_one_fails():
    gate = threading.Event()

    def run(items):
        gate.wait(5)
        if 13 in items:
            raise RuntimeError("the database refused 13")
        return [ValueError("refused alone") if i == 7 else i for i in items]

    writer = GroupCommitter(run)
    futures = [writer.submit(i) for i in (1, 7, 13, 20)]
    gate.set()
    assert futures[0].result(5) == 1 and futures[3].result(5) == 20
    with pytest.raises(ValueError, match="refused alone"):
        futures[1].result(5)
    with pytest.raises(RuntimeError, match="refused 13"):
        futures[2].result(5)


def test_the_writer_stops_when_idle_and_starts_again_on_demand():
    writer = GroupCommitter(lambda items: list(items), idle_seconds=0.05)
    assert writer(1) == 1
    deadline = time.monotonic() + 5
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer._thread is None
    assert writer(2) == 2


def test_a_broken_batch_function_never_leaves_a_caller_waiting():
    writer = GroupCommitter(lambda items: [])  # wrong number of answers
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        writer(1, timeout=5)
