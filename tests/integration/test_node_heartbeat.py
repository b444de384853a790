"""A node that dies and stays dead (kill -9, its machine gone) loses its calls to its peers:
interrupted, each with a callback task, by exactly one surviving node; calls the living nodes
carry are never touched (operations/heartbeat.py). On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_nodes import sip_call_nodes, sip_node_heartbeats
from siaga112.adapters.db.tables_telephony import callback_tasks
from siaga112.operations.heartbeat import NodeWatch
from siaga112.services import commands as c


def _sip_call(siaga, ref: str, node: str, number: str = "081234567890"):
    call_id = siaga.bus.handle(c.TakeSipCall(external_id=f"sip:{ref}", caller=number))
    with siaga.engine.begin() as conn:
        conn.execute(sa.insert(sip_call_nodes).values(call_id=call_id, node=node))
    return call_id


def _beat(siaga, node: str, seconds_ago: float) -> None:
    with siaga.engine.begin() as conn:
        conn.execute(sa.insert(sip_node_heartbeats).values(
            node=node, seen_at=siaga.clock.now() - timedelta(seconds=seconds_ago)))


def _state(siaga, call_id) -> str:
    with siaga.engine.connect() as conn:
        return conn.scalar(sa.select(tables.calls.c.state).where(tables.calls.c.id == call_id))


def _callbacks(siaga, call_id) -> int:
    with siaga.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(callback_tasks)
                           .where(callback_tasks.c.last_call_id == call_id))


def test_a_silent_node_loses_its_calls_to_one_peer_and_living_nodes_keep_theirs(siaga,
                                                                               caplog):
    dead = _sip_call(siaga, "on-dead-node", "node-b", "081200000001")
    alive = _sip_call(siaga, "on-living-node", "node-c", "081200000002")
    mine = _sip_call(siaga, "on-this-node", "node-a", "081200000003")
    _beat(siaga, "node-b", 45)  # killed 45 s ago
    _beat(siaga, "node-c", 4)

    first = NodeWatch(siaga, "node-a", interval=5, lost_after=30)
    second = NodeWatch(siaga, "node-d", interval=5, lost_after=30)

    assert first.beat_once() == ["node-b"]
    assert second.beat_once() == []  # already taken: its calls are not interrupted twice
    assert first.taken_over == {"node-b": 1}
    assert _state(siaga, dead) == "interrupted" and _callbacks(siaga, dead) == 1
    assert _state(siaga, alive) == "queued" and _callbacks(siaga, alive) == 0
    assert _state(siaga, mine) == "queued"

    # node-b comes back (restarted, or it had only paused): it is told, loudly.
    caplog.set_level(logging.ERROR, logger="siaga112.operations.heartbeat")
    NodeWatch(siaga, "node-b", interval=5, lost_after=30).beat_once()
    assert "node-b was declared lost by a peer" in caplog.text
    with siaga.engine.connect() as conn:
        lost_at = conn.scalar(sa.select(sip_node_heartbeats.c.lost_at)
                              .where(sip_node_heartbeats.c.node == "node-b"))
    assert lost_at is None  # beating again: it may be lost (and taken over) again later


def test_a_node_within_its_grace_is_not_lost(siaga):
    call = _sip_call(siaga, "slow-node", "node-b")
    _beat(siaga, "node-b", 29)
    assert NodeWatch(siaga, "node-a", interval=5, lost_after=30).beat_once() == []
    assert _state(siaga, call) == "queued"
