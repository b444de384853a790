"""The HTTP API as a client sees it: calls, dispositions, incidents, resources."""

from __future__ import annotations

from siaga112.domain.accounts import Role


def test_a_call_taker_takes_a_call_from_queue_to_incident(login):
    ct = login(Role.CALL_TAKER)
    call = ct.post("/api/v1/calls", json={"channel": "voice", "caller": "0812 3456 7890"})
    assert call.status_code == 201
    body = call.json()
    assert (body["state"], body["caller_number"], body["caller_raw"]) == (
        "queued", "+6281******890", None)  # lists and answers show a masked number
    call_id = body["id"]
    looked = ct.get(f"/api/v1/calls/{call_id}").json()  # the explicit, logged look
    assert (looked["caller_number"], looked["caller_raw"]) == ("+6281234567890", "0812 3456 7890")
    answered = ct.post(f"/api/v1/calls/{call_id}/answer", json={"position": "pos-02"}).json()
    assert (answered["state"], answered["position"], answered["call_taker"]) == (
        "connected", "pos-02", "ani")
    disposed = ct.post(f"/api/v1/calls/{call_id}/disposition", json={"disposition": "emergency"})
    assert disposed.json()["disposition"] == "emergency"
    opened = ct.post("/api/v1/incidents", json={
        "type": "medical", "subtype": "ambulance", "triage": {"conscious": "no"},
        "location": {"lat": -3.9747, "lon": 122.6006, "address": "Jl. Yos Sudarso"},
        "call_id": call_id})
    assert opened.status_code == 201
    number, incident_id = opened.json()["number"], opened.json()["id"]
    assert number.startswith("KDI-2025-")
    verified = ct.post(f"/api/v1/incidents/{incident_id}/verify",
                       json={"method": "caller_confirmed"}).json()
    assert (verified["status"], verified["priority"], verified["verified_by"]) == (
        "verified", "P1", "ani")
    note = ct.post(f"/api/v1/incidents/{incident_id}/notes", json={"text": "  Pasien sesak  "})
    assert note.status_code == 201 and note.json()["text"] == "Pasien sesak"
    incident = ct.get(f"/api/v1/incidents/{incident_id}").json()
    assert incident["call_ids"] == [call_id]
    assert incident["notes"][0]["author"] == "ani"
    released = ct.post(f"/api/v1/calls/{call_id}/release").json()
    assert released["state"] == "released" and released["incident_id"] == incident_id


def test_a_second_call_joins_an_existing_incident(login):
    ct = login(Role.CALL_TAKER)
    first = ct.post("/api/v1/calls", json={"caller": "081111111111"}).json()["id"]
    second = ct.post("/api/v1/calls", json={"caller": "082222222222"}).json()["id"]
    incident = ct.post("/api/v1/incidents", json={"type": "fire", "priority": "P2",
                                                   "call_id": first}).json()["id"]
    linked = ct.post(f"/api/v1/incidents/{incident}/calls", json={"call_id": second}).json()
    assert sorted(linked["call_ids"]) == sorted([first, second])


def test_an_illegal_move_is_a_409_naming_both_states(login):
    ct = login(Role.CALL_TAKER)
    call_id = ct.post("/api/v1/calls", json={"caller": "0811"}).json()["id"]
    response = ct.post(f"/api/v1/calls/{call_id}/release")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "illegal_transition", "message": "call: cannot go from 'queued' to 'released'"}
    early = ct.post(f"/api/v1/calls/{call_id}/disposition", json={"disposition": "prank"})
    assert early.status_code == 422 and "answered" in early.json()["error"]["message"]


def test_an_abandoned_call_counts_as_unanswered(login):
    ct = login(Role.CALL_TAKER)
    call_id = ct.post("/api/v1/calls", json={"caller": "085200000000"}).json()["id"]
    body = ct.post(f"/api/v1/calls/{call_id}/abandon").json()
    assert body["state"] == "abandoned" and body["connected_at"] is None
    assert body["valid"] is False


def test_resources_of_the_center_are_listed(login):
    dispatcher = login(Role.DISPATCHER)
    agencies = {a["code"] for a in dispatcher.get("/api/v1/agencies").json()}
    assert agencies == {"damkar", "dinkes", "satpolpp", "polresta", "bpbd", "basarnas", "pmi",
                        "dishub", "pln"}
    puskesmas = dispatcher.get("/api/v1/stations", params={"agency": "dinkes"}).json()
    assert len(puskesmas) == 15 and all(not s["demo"] and s["source"] for s in puskesmas)
    units = dispatcher.get("/api/v1/units").json()
    assert len(units) == 24 and all(u["status"] == "available" and u["demo"] for u in units)
    center = dispatcher.get("/api/v1/center").json()
    assert center["center"]["timezone"] == "Asia/Makassar"
    assert len(center["gazetteer"]["kelurahan"]) == 63


def test_an_agency_user_sees_only_its_own_units(login):
    agency = login(Role.AGENCY)
    units = agency.get("/api/v1/units", params={"agency": "polresta"}).json()
    assert units and {u["agency_code"] for u in units} == {"damkar"}


def test_health_reports_the_database(server):
    import httpx

    body = httpx.get(f"{server}/healthz").json()
    assert body["status"] == "ok" and body["database"] in {"sqlite", "postgresql"}
    assert body["center"] == "kendari"
