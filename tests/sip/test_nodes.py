"""Several SIP nodes on one database (operations/cluster.py): each call belongs to the node
that took it, a node that starts again interrupts only its own calls, and a desk's commands
are refused on a node that does not ring it. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import time

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_nodes import sip_call_nodes
from siaga112.domain.errors import Conflict
from siaga112.entrypoints.sip import start_telephony
from siaga112.services import commands as c
from tests.sip.conftest import SCENARIOS, SIPP_TIMEOUT, free_port

NODE_A, NODE_B = frozenset({"pos-01", "pos-02"}), frozenset({"pos-03", "pos-04"})


def test_a_restarting_node_interrupts_only_its_own_calls(siaga, sipp_binary, tmp_path):
    node_a = start_telephony(siaga, host="127.0.0.1", port=0, node_name="node-a",
                             positions=NODE_A)
    # Nobody is ready: the caller waits in node-a's queue.
    caller = subprocess.Popen(
        [sipp_binary, f"127.0.0.1:{node_a.node.port}", "-sf", str(SCENARIOS / "caller_waits.xml"),
         "-key", "caller", "081234567890", "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1",
         "-nostdin", "-timeout", f"{SIPP_TIMEOUT}s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        call_id = _wait_for_queued_call(siaga)
        with siaga.engine.connect() as conn:
            assert conn.execute(sa.select(sip_call_nodes.c.node).where(
                sip_call_nodes.c.call_id == call_id)).scalar() == "node-a"
        with pytest.raises(Conflict, match="rung by another SIP node"):
            siaga.bus.handle(c.LogInPosition(position_code="pos-03", operator="op"))
    finally:
        node_a.stop()  # as if node-a died: its dialog is gone, the row still says queued
        caller.kill()
        caller.wait(10)

    node_b = start_telephony(siaga, host="127.0.0.1", port=0, node_name="node-b",
                             positions=NODE_B)
    node_b.stop()
    assert _state(siaga, call_id) == "queued"  # node-b's start left node-a's call alone

    again = start_telephony(siaga, host="127.0.0.1", port=0, node_name="node-a",
                            positions=NODE_A)
    again.stop()
    assert _state(siaga, call_id) == "interrupted"  # node-a's own start ended it
    with siaga.uow() as uow:
        task = uow.callbacks.open_for("+6281234567890")
        assert task is not None and task.last_call_id == call_id


def _wait_for_queued_call(siaga, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with siaga.engine.connect() as conn:
            found = conn.execute(sa.select(tables.calls.c.id)
                                 .where(tables.calls.c.state == "queued")).scalar()
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError("no call was queued")


def _state(siaga, call_id) -> str:
    with siaga.uow() as uow:
        return uow.calls.get(call_id).state.value
