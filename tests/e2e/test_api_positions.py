"""Positions and callback tasks through the API, as call-takers and supervisors use them."""

from __future__ import annotations

from siaga112.domain.accounts import Role
from siaga112.services import commands as c


def test_a_call_taker_logs_in_sets_ready_not_ready_and_logs_out(login):
    ct = login(Role.CALL_TAKER)
    logged = ct.post("/api/v1/positions/pos-01/login", json={})
    assert logged.status_code == 200, logged.text
    assert (logged.json()["state"], logged.json()["operator"]) == ("not_ready", "ani")
    ready = ct.post("/api/v1/positions/pos-01/ready").json()
    assert ready["state"] == "ready" and ready["idle_since"] is not None
    paused = ct.post("/api/v1/positions/pos-01/not-ready", json={"reason": "istirahat"}).json()
    assert (paused["state"], paused["not_ready_reason"]) == ("not_ready", "istirahat")
    assert ct.post("/api/v1/positions/pos-01/not-ready", json={"reason": " "}).status_code == 422
    out = ct.post("/api/v1/positions/pos-01/logout").json()
    assert (out["state"], out["operator"]) == ("logged_out", None)
    listed = {p["code"]: p for p in ct.get("/api/v1/positions").json()}
    assert listed["pos-01"]["state"] == "logged_out" and listed["pos-01"]["has_phone"]


def test_a_call_taker_acts_only_on_their_own_position_a_supervisor_on_any(login):
    ct, sv = login(Role.CALL_TAKER), login(Role.SUPERVISOR)
    assert ct.post("/api/v1/positions/pos-02/login", json={}).status_code == 200
    # One person, one position.
    assert ct.post("/api/v1/positions/pos-03/login", json={}).status_code == 409
    assert sv.post("/api/v1/positions/pos-03/login", json={"operator": "budi"}).status_code == 200
    refused = ct.post("/api/v1/positions/pos-03/ready")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert ct.post("/api/v1/positions/pos-03/login",
                   json={"operator": "someone"}).status_code == 403
    assert sv.post("/api/v1/positions/pos-02/ready").json()["state"] == "ready"
    assert sv.post("/api/v1/positions/pos-02/logout").json()["state"] == "logged_out"
    # A position that is not logged in cannot be made ready: a clear 409, not a 500.
    again = sv.post("/api/v1/positions/pos-02/ready")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert sv.post("/api/v1/positions/nope/ready").status_code == 404


def test_callback_tasks_are_listed_masked_opened_with_a_logged_look_and_closed(siaga, login):
    for external_id in ("sip:a", "sip:b"):  # two missed calls from the same number
        call_id = siaga.bus.handle(c.TakeSipCall(external_id=external_id, caller="081311112222"))
        siaga.bus.handle(c.EndSipCall(call_id=call_id, by="caller"))
    ct = login(Role.CALL_TAKER)
    tasks = ct.get("/api/v1/callbacks").json()
    assert len(tasks) == 1
    task = tasks[0]
    assert (task["caller_number"], task["missed_calls"], task["reason"]) == (
        "+6281******222", 2, "abandoned")
    full = ct.get(f"/api/v1/callbacks/{task['id']}").json()
    assert full["caller_number"] == "+6281311112222"
    with siaga.uow() as uow:
        looks = uow.event_log.for_aggregate("personal_data", task["id"])
    assert [(r["actor"], r["after"]) for r in looks] == [("ani", "callback_number")]
    done = ct.post(f"/api/v1/callbacks/{task['id']}/close", json={"note": "sudah ditelepon"})
    assert (done.json()["status"], done.json()["done_by"]) == ("done", "ani")
    assert ct.get("/api/v1/callbacks").json() == []
    assert ct.post(f"/api/v1/callbacks/{task['id']}/close", json={}).status_code == 409
    # A new missed call from that number opens a new task.
    call_id = siaga.bus.handle(c.TakeSipCall(external_id="sip:c", caller="081311112222"))
    siaga.bus.handle(c.EndSipCall(call_id=call_id, by="caller"))
    assert len(ct.get("/api/v1/callbacks").json()) == 1
    assert len(ct.get("/api/v1/callbacks", params={"status": "done"}).json()) == 1
