"""Dispatch through the real server: recommend, send, race, follow, tell the agencies.

A small receiver on 127.0.0.1 plays the agencies' systems: it checks each webhook's
HMAC-SHA256 signature and keeps the EIDO documents, which are checked against the
standard's schema. Damkar's endpoint answers 200, Dinkes' fails twice first (retries with
backoff), Polresta's always fails (shown to the dispatcher)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import sqlalchemy as sa

from siaga112.adapters.db.tables_dispatch import webhook_attempts
from siaga112.adapters.notify.webhooks import verify
from siaga112.config import CENTERS_DIR, WebhooksConfig, load_center
from siaga112.domain.accounts import Role, Scope
from siaga112.services.handlers import service_accounts
from tests.support.eido import eido_problems

SECRETS = {"damkar": "damkar-secret-0123456789abcdef", "dinkes": "dinkes-secret-0123456789",
           "polresta": "polresta-secret-0123456789"}
ABELI = {"lat": -3.9950, "lon": 122.5860, "address": "Jl. Pelabuhan Nusantara"}


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    failures_left: dict[str, int] = {}

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        agency = self.path.strip("/")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = verify(SECRETS[agency], self.headers["X-Siaga112-Timestamp"], body,
                        self.headers["X-Siaga112-Signature"])
        Receiver.received.append({"agency": agency, "signed": signed, "body": body,
                                  "type": self.headers["Content-Type"],
                                  "delivery": self.headers["X-Siaga112-Delivery"]})
        left = Receiver.failures_left.get(agency, 0)
        if left:
            Receiver.failures_left[agency] = left - 1
        status = 500 if left or not signed else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no" if status == 500 else b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.failures_left = [], {"dinkes": 2, "polresta": 10 ** 6}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def kendari(receiver, monkeypatch):
    """Kendari, with Damkar, Dinkes and Polresta pointed at the receiver; fast retries."""
    center = load_center(CENTERS_DIR / "kendari.toml")
    agencies = []
    for agency in center.agencies:
        if agency.code in SECRETS:
            env = f"SIAGA112_TEST_WEBHOOK_{agency.code.upper()}"
            monkeypatch.setenv(env, SECRETS[agency.code])
            agency = agency.model_copy(update={"webhook_url": f"{receiver}/{agency.code}",
                                               "webhook_secret_env": env})
        agencies.append(agency)
    return center.model_copy(update={
        "agencies": agencies,
        "webhooks": WebhooksConfig(max_attempts=3, backoff_seconds=0.05, timeout_seconds=5)})



@pytest.fixture(autouse=True)
def stop_webhooks(siaga):
    """Deliveries still retrying when a test ends stop before its database is dropped."""
    yield
    siaga.notifier.close()


def open_verified(client: httpx.Client, type_: str = "fire", priority: str = "P1",
                  **extra) -> tuple[str, str]:
    opened = client.post("/api/v1/incidents", json={"type": type_, "priority": priority,
                                                    "location": ABELI, **extra})
    assert opened.status_code == 201, opened.text
    incident_id = opened.json()["id"]
    assert client.post(f"/api/v1/incidents/{incident_id}/verify",
                       json={"method": "caller_confirmed"}).status_code == 200
    return incident_id, opened.json()["number"]


def wait_for(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_dispatch_the_recommended_units_and_the_agencies_receive_signed_eido(login, siaga):
    ct, ds = login(Role.CALL_TAKER), login(Role.DISPATCHER)
    incident_id, number = open_verified(ct, description="Gudang terbakar")
    rec = ds.get(f"/api/v1/dispatch/incidents/{incident_id}/recommendation")
    assert rec.status_code == 200
    fire, ambulance = rec.json()["requirements"]
    assert (fire["agency"], fire["unit_type"], fire["suggested"]) == (
        "damkar", "fire_engine", ["DMK-03", "DMK-01"])
    assert fire["candidates"][0]["eta_seconds"] < fire["candidates"][1]["eta_seconds"]
    assert {e["unit"]: e["reason"] for e in fire["excluded"]} == {"DMK-R1": "wrong_type",
                                                                 "DMK-T1": "wrong_type"}
    assert ambulance["suggested"] == ["AMB-MATA"]

    sent = ds.post(f"/api/v1/dispatch/incidents/{incident_id}/units",
                   json={"units": fire["suggested"] + ambulance["suggested"]})
    assert sent.status_code == 201, sent.text
    assert {a["unit"]: a["status"] for a in sent.json()["assignments"]} == {
        "DMK-01": "dispatched", "DMK-03": "dispatched", "AMB-MATA": "dispatched"}
    assert ds.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "dispatched"

    def settled():
        view = ds.get(f"/api/v1/dispatch/incidents/{incident_id}").json()
        states = {d["agency"]: d["status"] for d in view["deliveries"]}
        return view if states == {"damkar": "delivered", "dinkes": "delivered"} else None

    view = wait_for(settled)
    assert view, "the deliveries did not settle"
    dinkes = next(d for d in view["deliveries"] if d["agency"] == "dinkes")
    assert (dinkes["attempts"], dinkes["last_status_code"]) == (3, 200)  # 500, 500, then 200
    with siaga.engine.connect() as conn:  # every attempt is logged
        codes = conn.execute(sa.select(webhook_attempts.c.status_code).where(
            webhook_attempts.c.delivery_id == uuid.UUID(dinkes["id"])).order_by(
            webhook_attempts.c.attempt)).scalars().all()
    assert codes == [500, 500, 200]

    by_agency = {}
    for r in Receiver.received:
        by_agency.setdefault(r["agency"], []).append(r)
    assert [len(by_agency["damkar"]), len(by_agency["dinkes"])] == [1, 3]  # one per agency
    assert len({r["delivery"] for r in by_agency["dinkes"]}) == 1  # retries: same delivery
    for r in Receiver.received:
        assert r["signed"], "the HMAC-SHA256 signature did not verify"
        assert r["type"] == "application/emergencyCallData.eido+json"
        doc = json.loads(r["body"])
        assert eido_problems(doc) == []
        assert doc["eidoVersion"] == "1.0"
        assert doc["incidentComponent"]["internalIncidentId"] == number
        assert doc["incidentComponent"]["incidentPriorityInternalText"] == "P1"
        resources = {e["emergencyResourceName"]: e for e in doc["emergencyResourceComponent"]}
        assert len(resources) == 3
        agencies = {a["$id"] for a in doc["agencyComponent"]}
        assert f"{r['agency']}.kendari.siaga112" in agencies
        assert "-3.995000 122.586000" in doc["locationComponent"][0]["locationByValue"]

    # Polresta's endpoint always fails: after its attempts the dispatcher sees it.
    crime, _ = open_verified(ct, "crime", "P2")
    started = time.monotonic()
    sent = ds.post(f"/api/v1/dispatch/incidents/{crime}/units", json={"units": ["POL-01"]})
    assert sent.status_code == 201
    assert time.monotonic() - started < 2.0  # the agency's trouble never holds the dispatcher

    def failed():
        rows = ds.get("/api/v1/dispatch/deliveries", params={"status": "failed"}).json()
        return [d for d in rows if d["incident_id"] == crime]

    [delivery] = wait_for(failed)
    assert (delivery["agency"], delivery["attempts"]) == ("polresta", 3)
    assert delivery["last_error"].startswith("HTTP 500")
    view = ds.get(f"/api/v1/dispatch/incidents/{crime}").json()
    assert view["failed_deliveries"] == 1
    assert view["assignments"][0]["status"] == "dispatched"  # the dispatch itself stands


def test_dispatchers_racing_for_one_unit_over_http_one_wins_the_rest_get_409(login):
    ct, ds = login(Role.CALL_TAKER), login(Role.DISPATCHER)
    incidents = [open_verified(ct, "medical", "P2")[0] for _ in range(22)]
    token = ds.headers["Authorization"]
    barrier = threading.Barrier(len(incidents))

    def dispatch(incident_id: str) -> httpx.Response:
        with httpx.Client(base_url=str(ds.base_url), headers={"Authorization": token},
                          timeout=60) as own:  # each dispatcher has their own connection
            barrier.wait()
            return own.post(f"/api/v1/dispatch/incidents/{incident_id}/units",
                            json={"units": ["AMB-LEPO"]})

    with ThreadPoolExecutor(len(incidents)) as pool:
        answers = list(pool.map(dispatch, incidents))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 21
    refused = next(a for a in answers if a.status_code == 409).json()["error"]
    assert refused["code"] == "conflict" and "AMB-LEPO is already assigned" in refused["message"]
    [winner] = [i for i, a in zip(incidents, answers, strict=True) if a.status_code == 201]
    units = {u["code"]: u for u in ds.get("/api/v1/units").json()}
    assert units["AMB-LEPO"]["incident_id"] == winner


def test_agencies_see_only_their_incidents_and_any_incident_exports_as_eido(login, siaga,
                                                                          server):
    ct, ds, damkar = login(Role.CALL_TAKER), login(Role.DISPATCHER), login(Role.AGENCY)
    token = service_accounts.create_service_account(
        siaga.uow(), name="damkar-system", scopes=frozenset({Scope.AGENCY_SYSTEM}),
        agency_code="damkar", by="test", clock=siaga.clock)
    system = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"})
    fire, _ = open_verified(ct, "fire", "P2")
    crime, _ = open_verified(ct, "crime", "P2")
    assert damkar.get("/api/v1/incidents").json() == []  # nothing dispatched to Damkar yet
    assert damkar.get(f"/api/v1/incidents/{fire}").status_code == 404
    ds.post(f"/api/v1/dispatch/incidents/{crime}/units", json={"units": ["POL-02"]})
    ds.post(f"/api/v1/dispatch/incidents/{fire}/units", json={"units": ["DMK-02"]})

    for agency in (damkar, system):
        assert [i["id"] for i in agency.get("/api/v1/incidents").json()] == [fire]
        assert agency.get(f"/api/v1/incidents/{fire}").status_code == 200
        assert agency.get(f"/api/v1/incidents/{fire}/eido").status_code == 200
        for path in (f"/api/v1/incidents/{crime}", f"/api/v1/incidents/{crime}/eido",
                     f"/api/v1/dispatch/incidents/{crime}"):
            assert agency.get(path).status_code == 404, path  # as if it did not exist
        view = agency.get(f"/api/v1/dispatch/incidents/{fire}").json()
        assert [a["unit"] for a in view["assignments"]] == ["DMK-02"]
    # The center's map page draws what /api/v1/incidents gives: the same filter applies.
    assert [i["id"] for i in damkar.get("/api/v1/incidents?active=true").json()] == [fire]
    assert {i["id"] for i in ds.get("/api/v1/incidents").json()} == {crime, fire}

    # Each agency reports for its own units only.
    ack = system.post("/api/v1/dispatch/units/DMK-02/acknowledge")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "svc:damkar-system"
    moving = damkar.post("/api/v1/dispatch/units/DMK-02/status", json={"status": "en_route"})
    assert moving.status_code == 200 and moving.json()["status"] == "en_route"
    other = damkar.post("/api/v1/dispatch/units/POL-02/status", json={"status": "en_route"})
    assert other.status_code == 403
    system.close()

    # The whole incident as EIDO, for anyone who may read it; never the caller's number.
    call_id = ct.post("/api/v1/calls", json={"channel": "voice", "caller": "0812 3456 7890"}
                      ).json()["id"]
    ct.post(f"/api/v1/calls/{call_id}/answer", json={"position": "pos-01"})
    incident_id, number = open_verified(ct, "medical", "P1", call_id=call_id)
    ct.post(f"/api/v1/incidents/{incident_id}/notes", json={"text": "Pasien <b>sesak</b>"})
    ds.post(f"/api/v1/dispatch/incidents/{incident_id}/units", json={"units": ["AMB-POASIA"]})
    exported = ds.get(f"/api/v1/incidents/{incident_id}/eido")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/emergencyCallData.eido+json")
    doc = exported.json()
    assert eido_problems(doc) == []
    assert doc["callComponent"][0]["callStateRegistryText"] == "callAnswered"
    assert "812" not in exported.text.replace(number, "")  # never the caller's number
    notes = [n["notesActionComments"] for n in doc["notesComponent"]]
    assert "<p>Pasien &lt;b&gt;sesak&lt;/b&gt;</p>" in notes  # text, escaped as HTML5
    assert ds.get("/api/v1/incidents/00000000-0000-0000-0000-000000000000/eido"
                  ).status_code == 404

    unit = "/api/v1/dispatch/units/AMB-POASIA/status"
    assert ds.post(unit, json={"status": "dispatched"}).status_code == 422
    assert ds.post(unit, json={"status": "flying"}).status_code == 422
    assert ds.post("/api/v1/dispatch/units/NOPE/status",
                   json={"status": "en_route"}).status_code == 404
    illegal = ds.post(unit, json={"status": "transporting"})
    assert illegal.status_code == 409
    assert illegal.json()["error"]["message"] == "unit: cannot go from 'dispatched' to 'transporting'"
    assert ds.post(f"/api/v1/dispatch/incidents/{incident_id}/units",
                   json={"units": []}).status_code == 422
