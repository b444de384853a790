"""Two nodes on one PostgreSQL: a console on one hears what the other node committed."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from siaga112.bootstrap import bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.entrypoints.web.live import hub_for
from siaga112.entrypoints.web.live_relay import start_relay
from siaga112.services import commands as c
from tests.conftest import new_database_url
from tests.support.server import running_server

PASSWORD = "kendari-112-test"


@pytest.fixture
def two_nodes(request, tmp_path, kendari, clock):
    """Node A and node B: each its own engine, bus, hub and relay; one database."""
    url = new_database_url("postgresql", tmp_path, request)
    nodes = [bootstrap(Settings(database_url=url, env="test"), center=kendari, clock=clock)
             for _ in range(2)]
    relays = [start_relay(hub_for(node), node.engine) for node in nodes]
    assert all(relay is not None and relay.listening.is_set() for relay in relays)
    nodes[0].bus.handle(c.CreateUser(username="ani", full_name="Ani", role=Role.CALL_TAKER,
                                     password=PASSWORD, must_change_password=False))
    yield nodes
    for relay, node in zip(relays, nodes, strict=True):
        relay.stop()
        hub_for(node).close()
        node.engine.dispose()


def test_a_console_on_node_b_hears_a_call_node_a_took(two_nodes):
    node_a, node_b = two_nodes
    with running_server(node_b) as base_b:
        token = httpx.post(f"{base_b}/api/v1/auth/login",
                           json={"username": "ani", "password": PASSWORD}).json()["token"]

        async def listen() -> list[dict]:
            url = base_b.replace("http://", "ws://") + "/ws/live"
            async with websockets.connect(
                    url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
                assert json.loads(await ws.recv()) == {"topic": "hello"}
                call = await asyncio.to_thread(node_a.bus.handle, c.ReceiveCall(
                    caller="081234567890", channel=Channel.VOICE))
                got = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
                return [call, got]

        call_id, received = asyncio.run(listen())
    assert [(m["event"], m["id"]) for m in received] == [
        ("CallReceived", str(call_id)), ("CallStateChanged", str(call_id))]
