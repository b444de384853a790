"""The consoles' live channel over a real WebSocket: who hears what, and who is refused."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.domain.incidents import IncidentLocation, Priority, VerificationMethod
from siaga112.domain.units import UnitStatus
from siaga112.services import commands as c
from tests.e2e.conftest import PASSWORD, USERS


@pytest.fixture
def database_url(tmp_path) -> str:
    """Delivery does not depend on the database: one backend is enough here."""
    return f"sqlite:///{tmp_path / 'live.sqlite3'}"


def token(server: str, role: Role) -> str:
    response = httpx.post(f"{server}/api/v1/auth/login",
                          json={"username": USERS[role][0], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def ws_url(server: str) -> str:
    return server.replace("http://", "ws://") + "/ws/live"


async def collect(server: str, role: Role, act, *, settle: float = 1.0) -> list[dict]:
    """Connect as `role`, run `act` once the hello arrived, return what arrived after it."""
    headers = {"Authorization": f"Bearer {token(server, role)}", "Origin": server}
    async with websockets.connect(ws_url(server), additional_headers=headers) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"topic": "hello"}
        await asyncio.to_thread(act)
        received = []
        try:
            while True:
                received.append(json.loads(await asyncio.wait_for(ws.recv(), settle)))
        except TimeoutError:
            return received


def test_a_call_taker_hears_a_new_call_arrive_and_messages_carry_no_number(server, login):
    client = login(Role.CALL_TAKER)

    def new_call() -> None:
        assert client.post("/api/v1/calls", json={"caller": "081234567890"}).status_code == 201

    received = asyncio.run(collect(server, Role.CALL_TAKER, new_call))
    call_id = client.get("/api/v1/calls").json()[0]["id"]
    assert [(m["topic"], m["event"], m["id"], m["state"]) for m in received] == [
        ("call", "CallReceived", call_id, "received"), ("call", "CallStateChanged", call_id, "queued")]
    assert "1234567890" not in json.dumps(received)


def test_an_agency_hears_only_its_own_units_and_the_incidents_it_was_sent_to(server, siaga):
    def work() -> None:
        fire = siaga.bus.handle(c.OpenIncident(
            type_code="fire", subtype_code="building", priority=Priority.P1, by="ani",
            location=IncidentLocation(lat=-3.97, lon=122.515)))
        siaga.bus.handle(c.VerifyIncident(incident_id=fire.id, by="ani",
                                          method=VerificationMethod.CALLER_CONFIRMED))
        siaga.bus.handle(c.OpenIncident(type_code="medical", subtype_code=None, by="ani",
                                        priority=Priority.P2,
                                        location=IncidentLocation(lat=-3.98, lon=122.52)))
        siaga.bus.handle(c.ReceiveCall(caller="081200000001", channel=Channel.VOICE))
        siaga.bus.handle(c.DispatchUnits(incident_id=fire.id, unit_codes=("DMK-01",), by="budi"))
        siaga.bus.handle(c.UpdateUnitStatus(unit_code="DMK-01", status=UnitStatus.EN_ROUTE,
                                            by="damkar1"))
        siaga.bus.handle(c.UpdateUnitStatus(unit_code="AMB-MATA",
                                            status=UnitStatus.OUT_OF_SERVICE, by="budi"))
        work.fire = fire.id  # type: ignore[attr-defined]

    received = asyncio.run(collect(server, Role.AGENCY, work))
    topics = {m["topic"] for m in received}
    assert topics == {"incident", "unit"}  # no calls, no positions
    assert {m["id"] for m in received if m["topic"] == "incident"} == {str(work.fire)}
    assert {m["id"] for m in received if m["topic"] == "unit"} == {"DMK-01"}
    # The dispatch itself reached the agency, and the unit's new state with it.
    assert ("incident", "UnitDispatched") in {(m["topic"], m["event"]) for m in received}
    assert ("unit", "en_route") in {(m["topic"], m["state"]) for m in received}


def test_the_channel_refuses_strangers_other_sites_and_unchanged_passwords(server, siaga):
    async def refused(headers: dict[str, str]) -> int:
        with pytest.raises(websockets.InvalidStatus) as caught:
            async with websockets.connect(ws_url(server), additional_headers=headers):
                pass
        return caught.value.response.status_code

    assert asyncio.run(refused({})) == 403
    assert asyncio.run(refused({"Authorization": "Bearer not-a-session"})) == 403
    good = token(server, Role.DISPATCHER)
    evil = {"Authorization": f"Bearer {good}", "Origin": "http://evil.example"}
    assert asyncio.run(refused(evil)) == 403
    siaga.bus.handle(c.CreateUser(username="baru", full_name="Baru", role=Role.CALL_TAKER,
                                  password=PASSWORD, must_change_password=True))
    fresh = httpx.post(f"{server}/api/v1/auth/login",
                       json={"username": "baru", "password": PASSWORD}).json()["token"]
    assert asyncio.run(refused({"Authorization": f"Bearer {fresh}"})) == 403
