"""A node when the database goes away. Its SIP writer holds the steps of stored calls and
stores them when the database is back, in order; a new call waits a moment, then is
refused (the node answers 503); a command that fails for its own reasons gets its error
back. Its heartbeat does not take a living peer's calls over just because the database
silenced every node at once.

PostgreSQL here is a private server of the test (tests/support/private_postgres.py),
stopped and started at will; never the one the other tests share."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.group_commit import DatabaseUnavailable, GroupCommitter
from siaga112.adapters.db.tables_nodes import sip_call_nodes, sip_node_heartbeats
from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import Settings
from siaga112.domain.calls import CallState
from siaga112.domain.errors import NotFound
from siaga112.operations.heartbeat import NodeWatch
from siaga112.services import commands as c
from tests.conftest import stop_background_workers
from tests.support.private_postgres import PrivatePostgres, private_postgres


class Outcomes:
    """What the writer handed back, by label, in the order it did."""

    def __init__(self) -> None:
        self.handed: queue.SimpleQueue[tuple[str, Any, BaseException | None]] = queue.SimpleQueue()

    def done(self, label: str):
        return lambda result, error: self.handed.put((label, result, error))

    def next(self, seconds: float = 10) -> tuple[str, Any, BaseException | None]:
        return self.handed.get(timeout=seconds)

    def none_within(self, seconds: float) -> bool:
        try:
            self.handed.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


def writer_for(siaga: Siaga) -> GroupCommitter:
    writer = GroupCommitter(engine=siaga.engine, clock=siaga.clock,
                            handlers=dict(siaga.bus.command_handlers),
                            deliver=lambda fn, *args: fn(*args), publish=lambda events: None)
    writer.start()
    return writer


def take(n: int) -> c.TakeSipCall:
    return c.TakeSipCall(external_id=f"sip:outage-{n}", caller=f"08120000000{n}")


def state_of(siaga: Siaga, call_id: uuid.UUID) -> CallState | None:
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
    return None if call is None else call.state


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        yield pg


@pytest.fixture
def center(server: PrivatePostgres, kendari, clock) -> Iterator[Siaga]:
    engine = create_db_engine(server.url)
    siaga = bootstrap(Settings(database_url=server.url, env="test"), center=kendari,
                      clock=clock, engine=engine)
    yield siaga
    stop_background_workers(siaga)
    engine.dispose()


def test_a_postgresql_restart_loses_no_step_and_new_calls_wait_then_are_refused(server, center):
    writer, out = writer_for(center), Outcomes()
    try:
        writer.submit(take(1), out.done("first call"))
        label, first, error = out.next()
        assert (label, error) == ("first call", None)

        # A restart shorter than the grace: everything waits, then is stored, in order.
        writer.refuse_new_after = 60
        server.stop()
        writer.submit(c.EndSipCall(call_id=first, by="caller"), out.done("first hangs up"))
        writer.submit(take(2), out.done("second call"))
        assert out.none_within(1.0)  # held, not failed: nothing handed back yet
        assert writer.pending() == 2 and writer.outages == 1
        server.start()
        assert out.next()[::2] == ("first hangs up", None)
        label, second, error = out.next()
        assert (label, error) == ("second call", None)
        assert state_of(center, first) is CallState.ABANDONED
        assert state_of(center, second) is CallState.QUEUED
        assert writer.pending() == 0

        # A longer outage: the new call is refused after the grace, the step is kept.
        writer.refuse_new_after = 0.3
        server.stop()
        writer.submit(c.EndSipCall(call_id=second, by="caller"), out.done("second hangs up"))
        writer.submit(take(3), out.done("third call"))
        label, third, error = out.next()
        assert label == "third call" and third is None
        assert isinstance(error, DatabaseUnavailable)
        assert out.none_within(0.5)  # the hang-up still waits for the database
        server.start()
        assert out.next()[::2] == ("second hangs up", None)
        assert state_of(center, second) is CallState.ABANDONED
        assert writer.refused == 1 and writer.outages == 2
        with center.uow() as uow:
            assert uow.calls.by_external_id("sip:outage-3") is None  # refused: never stored
    finally:
        writer.stop()


def test_a_command_that_fails_alone_gets_its_error_back(siaga):
    """Before, a batch of one that failed was only logged: the caller never got an answer."""
    writer, out = writer_for(siaga), Outcomes()
    try:
        writer.submit(c.EndSipCall(call_id=uuid.uuid4(), by="caller"), out.done("stranger"))
        label, result, error = out.next()
        assert label == "stranger" and result is None and isinstance(error, NotFound)
        writer.submit(take(4), out.done("next call"))
        assert out.next()[::2] == ("next call", None)  # the writer goes on
    finally:
        writer.stop()


def test_after_a_long_outage_a_living_peer_is_given_its_grace_before_it_is_lost(
        server, center, clock):
    """Every node is silent while the database is away: the first to beat again must not
    take the others' calls (they are alive and carrying them), only a peer that stays
    silent for a whole grace after the database came back."""
    call = center.bus.handle(take(5))
    with center.engine.begin() as conn:
        conn.execute(sa.insert(sip_call_nodes).values(call_id=call, node="node-b"))

    def peer_beats() -> None:
        with center.engine.begin() as conn:
            h = sip_node_heartbeats
            conn.execute(sa.delete(h).where(h.c.node == "node-b"))
            conn.execute(sa.insert(sip_node_heartbeats).values(node="node-b",
                                                               seen_at=clock.now()))

    peer_beats()
    watch = NodeWatch(center, "node-a", interval=5, lost_after=30)
    assert watch.beat_once() == []

    server.stop()  # 45 s without a database: nobody can beat
    clock.advance(20)
    with pytest.raises(sa.exc.OperationalError):
        watch.beat_once()
    clock.advance(25)
    server.start()
    assert watch.beat_once() == []  # node-b last beat 45 s ago, but so did we
    clock.advance(10)
    peer_beats()  # node-b is alive: it beats again within its grace
    clock.advance(25)
    assert watch.beat_once() == []
    assert state_of(center, call) is CallState.QUEUED

    clock.advance(31)  # now node-b stays silent past a whole grace: lost
    assert watch.beat_once() == ["node-b"]
    assert state_of(center, call) is CallState.INTERRUPTED
