"""The call-taker console's API over HTTP, on SQLite and PostgreSQL: taking and ending web
calls at a position, a caller's history, possible duplicates and joining them, and the
demo's simulated callers' words (only while the demo runs)."""

from __future__ import annotations

import uuid

from siaga112.demo.callers import CallerSimulator, install
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.incidents import IncidentLocation, VerificationMethod
from siaga112.services import commands as c

NUMBER = "081234567890"
MASKED = "+6281******890"
REPEATER, REPEATER_MASKED = "081377776666", "+6281******666"


def test_the_call_taker_console_api(siaga, login, clock):
    """One server per database (starting one costs seconds): the parts in turn."""
    ct, sv, agency = login(Role.CALL_TAKER), login(Role.SUPERVISOR), login(Role.AGENCY)
    taking_and_ending_web_calls(siaga, ct, sv, clock)
    history_duplicates_and_joining(siaga, ct, agency, clock)
    simulated_callers_words(siaga, ct, clock)


def taking_and_ending_web_calls(siaga, ct, sv, clock):
    assert ct.post("/api/v1/positions/pos-01/login", json={}).status_code == 200
    created = ct.post("/api/v1/calls", json={"channel": "web", "caller": NUMBER}).json()
    phone_call = siaga.bus.handle(c.TakeSipCall(external_id="sip:x1", caller="081299998888"))

    waiting = ct.get("/api/v1/calls/waiting").json()
    assert [w["id"] for w in waiting] == [created["id"]]  # the phone call rings desk phones
    assert waiting[0]["caller_number"] == MASKED and waiting[0]["phone"] is False
    assert NUMBER[1:] not in ct.get("/api/v1/calls/waiting").text

    not_ready = ct.post("/api/v1/positions/pos-01/take", json={})
    assert not_ready.status_code == 409  # logged in is not ready yet
    assert ct.post("/api/v1/positions/pos-01/ready").status_code == 200
    assert ct.post("/api/v1/positions/pos-02/take", json={}).status_code == 403  # not hers
    refused = ct.post("/api/v1/positions/pos-01/take", json={"call_id": str(phone_call)})
    assert refused.status_code == 409 and "phone" in refused.json()["error"]["message"]

    clock.advance(4)
    taken = ct.post("/api/v1/positions/pos-01/take", json={})
    assert taken.status_code == 200, taken.text
    call = taken.json()
    assert (call["id"], call["state"], call["position"], call["call_taker"], call["wait_seconds"]) \
        == (created["id"], "connected", "pos-01", "ani", 4.0)
    positions = {p["code"]: p for p in ct.get("/api/v1/positions").json()}
    assert positions["pos-01"]["state"] == "on_call"
    assert ct.get("/api/v1/calls/waiting").json() == []
    assert ct.post("/api/v1/positions/pos-01/take", json={}).status_code == 409  # on a call
    desk = ct.get("/api/v1/positions/pos-01/calls").json()
    assert [(d["id"], d["state"], d["phone"]) for d in desk] == [(created["id"], "connected", False)]

    clock.advance(30)
    assert ct.post(f"/api/v1/calls/{call['id']}/disposition",
                   json={"disposition": "non_emergency"}).status_code == 200
    ended = ct.post("/api/v1/positions/pos-01/end-call", json={"call_id": call["id"]})
    assert ended.status_code == 200, ended.text
    assert (ended.json()["state"], ended.json()["talk_seconds"]) == ("released", 30.0)
    positions = {p["code"]: p for p in ct.get("/api/v1/positions").json()}
    assert positions["pos-01"]["state"] == "wrap_up"  # Kendari: 10 s, ended by the console
    again = ct.post("/api/v1/positions/pos-01/end-call", json={"call_id": call["id"]})
    assert again.status_code == 409
    assert ct.post("/api/v1/positions/pos-01/ready").json()["state"] == "ready"
    # Nothing waits now; a phone call is not ended from the console.
    assert ct.post("/api/v1/positions/pos-01/take", json={}).status_code == 404
    assert sv.post("/api/v1/positions/pos-01/end-call",
                   json={"call_id": str(phone_call)}).status_code == 409
    # The ended call stays on the desk a while (the console follows it to its end).
    assert [d["state"] for d in ct.get("/api/v1/positions/pos-01/calls").json()] == ["released"]
    assert ct.get(f"/api/v1/positions/nope/calls").status_code == 404
    assert ct.post("/api/v1/positions/pos-01/take", json={"call_id": "x"}).status_code == 422


def _past_call(siaga, clock, disposition, *, number=REPEATER):
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
    siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker="ani"))
    clock.advance(20)
    siaga.bus.handle(c.DisposeCall(call_id=call_id, disposition=disposition, by="ani"))
    siaga.bus.handle(c.ReleaseCall(call_id=call_id))
    clock.advance(60)
    return call_id


def history_duplicates_and_joining(siaga, ct, agency, clock):
    for _ in range(3):
        _past_call(siaga, clock, Disposition.PRANK)
    first = _past_call(siaga, clock, Disposition.EMERGENCY)
    opened = siaga.bus.handle(c.OpenIncident(
        type_code="fire", subtype_code="building", by="ani", call_id=first,
        triage_answers={"people_inside": "yes"},
        location=IncidentLocation(lat=-3.9700, lon=122.5150, address="Pasar Mandonga",
                                  kelurahan="mandonga", kecamatan="mandonga")))
    siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081200000001"))  # someone else
    clock.advance(300)
    now_id = ct.post("/api/v1/calls", json={"caller": REPEATER}).json()["id"]

    history = ct.get(f"/api/v1/calls/{now_id}/history")
    assert history.status_code == 200, history.text
    h = history.json()
    assert h["caller_number"] == REPEATER_MASKED and not h["withheld"]
    assert REPEATER[1:] not in history.text
    assert h["counts"] == {"total": 4, "prank": 3, "emergency": 1, "abandoned": 0}
    assert h["flags"] == ["repeat_nuisance", "repeat_caller", "recent_emergency",
                          "active_incident"]  # four calls within the hour
    assert h["calls"][0]["id"] == str(first)  # newest first
    assert h["calls"][0]["incident"]["number"] == opened.number
    withheld = ct.post("/api/v1/calls", json={"caller": None}).json()["id"]
    assert ct.get(f"/api/v1/calls/{withheld}/history").json() == {
        "call_id": withheld, "caller_number": "—", "withheld": True, "calls": [],
        "counts": {"total": 0, "abandoned": 0}, "flags": []}
    assert agency.get(f"/api/v1/calls/{now_id}/history").status_code == 403
    assert ct.get(f"/api/v1/calls/{uuid.uuid4()}/history").status_code == 404

    # 200 m from the fire, 5 minutes later: a possible duplicate; far, other type: not.
    near = ct.get("/api/v1/incidents/duplicates",
                  params={"type": "fire", "lat": -3.9718, "lon": 122.5150})
    assert near.status_code == 200, near.text
    found = near.json()
    assert (found["distance_m"], found["minutes"]) == (500, 30)
    assert [(d["number"], d["status"]) for d in found["incidents"]] == [(opened.number, "new")]
    assert 190 < found["incidents"][0]["distance_m"] < 210
    assert found["incidents"][0]["age_minutes"] == 5.0
    far = {"type": "fire", "lat": -3.9781, "lon": 122.5150}  # 900 m
    assert ct.get("/api/v1/incidents/duplicates", params=far).json()["incidents"] == []
    other = {"type": "medical", "lat": -3.9718, "lon": 122.5150}
    assert ct.get("/api/v1/incidents/duplicates", params=other).json()["incidents"] == []
    bad = ct.get("/api/v1/incidents/duplicates", params={"type": "nope", "lat": 0, "lon": 0})
    assert bad.status_code == 422
    assert ct.get("/api/v1/incidents/duplicates",
                  params={"type": "fire", "lat": 95, "lon": 0}).status_code == 422
    assert agency.get("/api/v1/incidents/duplicates",
                      params={"type": "fire", "lat": 0, "lon": 0}).status_code == 403

    joined = ct.post(f"/api/v1/incidents/{opened.id}/calls", json={"call_id": now_id})
    assert joined.status_code == 200 and now_id in joined.json()["call_ids"]
    # Verified incidents are still open duplicates; too old or closed ones are not.
    siaga.bus.handle(c.VerifyIncident(incident_id=opened.id, by="ani",
                                      method=VerificationMethod.CALLER_CONFIRMED))
    assert len(ct.get("/api/v1/incidents/duplicates", params={
        "type": "fire", "lat": -3.9718, "lon": 122.5150}).json()["incidents"]) == 1
    clock.advance(26 * 60)
    assert ct.get("/api/v1/incidents/duplicates", params={
        "type": "fire", "lat": -3.9718, "lon": 122.5150}).json()["incidents"] == []


def simulated_callers_words(siaga, ct, clock):
    """pos-01 is ready again since the first part."""
    plain = ct.post("/api/v1/calls", json={"caller": NUMBER}).json()["id"]
    assert ct.get(f"/api/v1/demo/calls/{plain}/caller").status_code == 404  # not the demo

    simulator = CallerSimulator(siaga, callers_per_minute=0, speed=2.0, seed=7)
    install(siaga, simulator)
    assert ct.get(f"/api/v1/demo/calls/{plain}/caller").status_code == 404  # not simulated
    call_id = simulator.place_call("emergency", incident_type="fire")
    waiting = {w["id"]: w for w in ct.get("/api/v1/calls/waiting").json()}
    assert waiting[str(call_id)]["simulated"] and waiting[str(call_id)]["channel"] == "voice"
    trail = ct.get(f"/api/v1/calls/{call_id}/locations").json()
    assert [f["source"] for f in trail["fixes"]] == ["network"]
    assert trail["fixes"][0]["place"] is not None and not trail["fixes"][0]["outside_area"]

    before = ct.get(f"/api/v1/demo/calls/{call_id}/caller").json()
    assert before == {"said": [], "more": True, "next_in_seconds": None, "hung_up": False}
    ct.post("/api/v1/positions/pos-01/take", json={"call_id": str(call_id)})
    clock.advance(1)  # 2 simulated seconds: the first line (at 1 s), the next at 5 s
    words = ct.get(f"/api/v1/demo/calls/{call_id}/caller").json()
    assert len(words["said"]) == 1 and words["more"] and words["next_in_seconds"] == 1.5
    assert "Tolong" in words["said"][0]["text"] and words["said"][0]["translation"]
    clock.advance(60)
    words = ct.get(f"/api/v1/demo/calls/{call_id}/caller").json()
    assert not words["more"] and len(words["said"]) >= 2 and not words["hung_up"]
