"""Quick answers over HTTP: search, the topic disposition, SMS, editing, weekly topics, access."""

from __future__ import annotations

import httpx
import pytest

from siaga112.domain.accounts import Role
from tests.e2e.conftest import PASSWORD, USERS

NEW_TOPIC = {
    "code": "jadwal-posyandu", "title": "Jadwal posyandu",
    "question": "Kapan posyandu di kelurahan saya?",
    "answer": "Jadwal posyandu diumumkan oleh kelurahan dan puskesmas setempat.",
    "referrals": [{"name": "Puskesmas Mata", "phone": "(0401) 3126948"}],
    "keywords": ["posyandu", "timbang bayi"], "source": "Puskesmas (psc-kendari, 2020)",
}


@pytest.fixture
def database_url(tmp_path) -> str:
    """Access and HTTP behaviour do not depend on the database: SQLite is enough here (the
    integration tests run both)."""
    return f"sqlite:///{tmp_path / 'qa.sqlite3'}"


def answered_call(ct: httpx.Client, caller: str = "0812 3456 7890") -> str:
    call_id = ct.post("/api/v1/calls", json={"channel": "voice", "caller": caller}).json()["id"]
    assert ct.post(f"/api/v1/calls/{call_id}/answer", json={}).status_code == 200
    return call_id


def test_a_call_taker_finds_the_answer_and_disposes_the_call_with_its_topic(login) -> None:
    ct = login(Role.CALL_TAKER)
    hits = ct.get("/api/v1/knowledge/search", params={"q": "listrk mati"})
    assert hits.status_code == 200
    best = hits.json()[0]
    assert best["entry"]["code"] == "listrik-padam" and best["score"] > 90
    assert best["entry"]["referrals"][0]["phone"] == "123"
    assert best["entry"]["sms_text"].endswith("(Call Center 112 Kota Kendari)")
    assert ct.get("/api/v1/knowledge/search", params={"q": ""}).json() == []

    call_id = answered_call(ct)
    assert ct.get(f"/api/v1/calls/{call_id}/topic").json() is None
    done = ct.post(f"/api/v1/calls/{call_id}/topic", json={"topic": "listrik-padam"})
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in ("topic", "version", "title", "set_by", "disposition")} == {
        "topic": "listrik-padam", "version": 1, "title": "Listrik padam / gangguan PLN",
        "set_by": "ani", "disposition": "non_emergency"}
    assert ct.get(f"/api/v1/calls/{call_id}").json()["disposition"] == "non_emergency"
    assert ct.get(f"/api/v1/calls/{call_id}/topic").json()["topic"] == "listrik-padam"
    # No SMS gateway in this center: a clear 503, and the attempt is in the call's log.
    sms = ct.post(f"/api/v1/calls/{call_id}/quick-answer-sms", json={"topic": "listrik-padam"})
    assert sms.status_code == 503 and sms.json()["error"]["code"] == "sms_unavailable"
    supervisor = login(Role.SUPERVISOR)
    logged = [e for e in supervisor.get(f"/api/v1/calls/{call_id}/events").json()
              if e["event_type"] in ("CallTopicSet", "QuickAnswerSmsAttempted")]
    assert [(e["event_type"], e["after"]) for e in logged] == [
        ("CallTopicSet", "listrik-padam"), ("QuickAnswerSmsAttempted", "not_configured")]
    for body in (hits.text, done.text, sms.text, str(logged)):
        assert "3456" not in body  # no caller number in any quick-answer answer

    # Wrong input is a clear 4xx, never a 500.
    waiting = ct.post("/api/v1/calls", json={"caller": "0811"}).json()["id"]
    cases = [
        (ct.post(f"/api/v1/calls/{call_id}/topic", json={"topic": "no-such-topic"}), 404),
        (ct.post(f"/api/v1/calls/{call_id}/topic", json={"topic": "Bad Code"}), 422),
        (ct.post(f"/api/v1/calls/{call_id}/topic", json={}), 422),
        (ct.post(f"/api/v1/calls/{waiting}/topic", json={"topic": "ktp-hilang"}), 422),
        (ct.post("/api/v1/calls/not-a-uuid/topic", json={"topic": "ktp-hilang"}), 422),
        (ct.post(f"/api/v1/calls/{call_id}/quick-answer-sms", json={"topic": "air-pdam"}), 409),
        (ct.get("/api/v1/knowledge/search", params={"q": "x" * 201}), 422),
        (ct.get("/api/v1/knowledge/entries/no-such-topic"), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert set(response.json()["error"]) >= {"code", "message"}


def test_a_supervisor_edits_and_reads_the_weekly_top_topics(login) -> None:
    sv = login(Role.SUPERVISOR)
    made = sv.post("/api/v1/knowledge/entries", json=NEW_TOPIC)
    assert made.status_code == 201, made.text
    assert (made.json()["version"], made.json()["edited_by"]) == (1, "citra")
    assert sv.post("/api/v1/knowledge/entries", json=NEW_TOPIC).status_code == 409
    edit = {k: v for k, v in NEW_TOPIC.items() if k != "code"}
    v2 = sv.put("/api/v1/knowledge/entries/jadwal-posyandu",
                json={**edit, "answer": "Tanyakan jadwal ke kelurahan.", "base_version": 1,
                      "note": "shorter"})
    assert v2.status_code == 200 and v2.json()["version"] == 2
    stale = sv.put("/api/v1/knowledge/entries/jadwal-posyandu",
                   json={**edit, "title": "Posyandu", "base_version": 1})
    assert stale.status_code == 409 and "version 2" in stale.json()["error"]["message"]
    history = sv.get("/api/v1/knowledge/entries/jadwal-posyandu/versions").json()
    assert [(v["version"], v["note"]) for v in history] == [(2, "shorter"), (1, None)]
    assert history[1]["answer"] == NEW_TOPIC["answer"]
    # Found by call-takers at once (the search index follows new versions).
    ct = login(Role.CALL_TAKER)
    assert ct.get("/api/v1/knowledge/search", params={"q": "posyandu"}).json()[0]["entry"][
        "version"] == 2
    for bad in ({**NEW_TOPIC, "code": "Bad Code"}, {**NEW_TOPIC, "code": "x2", "title": " "},
                {**NEW_TOPIC, "code": "x3", "source": None},  # no source and not marked
                {**NEW_TOPIC, "code": "x4", "referrals": [{"name": "PLN"}]},
                {**NEW_TOPIC, "code": "x5", "extra": 1}):
        response = sv.post("/api/v1/knowledge/entries", json=bad)
        assert response.status_code == 422, (bad, response.text)

    # The weekly top topics: what took the call-takers' time.
    call_id = answered_call(ct)
    ct.post(f"/api/v1/calls/{call_id}/topic", json={"topic": "bpjs-kesehatan"})
    ct.post(f"/api/v1/calls/{call_id}/release")
    weekly = sv.get("/api/v1/knowledge/topics/weekly",
                    params={"from": "2025-06-09", "to": "2025-06-15"})
    assert weekly.status_code == 200
    [week] = weekly.json()["weeks"]
    assert week["week"] == "2025-06-09" and week["topics"][0]["code"] == "bpjs-kesehatan"
    default = sv.get("/api/v1/knowledge/topics/weekly").json()
    assert len(default["weeks"]) == 8 and default["weeks"][-1]["week"] == "2025-06-09"
    backwards = sv.get("/api/v1/knowledge/topics/weekly",
                       params={"from": "2025-06-15", "to": "2025-06-09"})
    assert backwards.status_code == 422


ACCESS = [
    ("GET", "/api/v1/knowledge/search?q=pln", {Role.CALL_TAKER, Role.DISPATCHER,
                                               Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/knowledge/entries", {Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR,
                                          Role.ADMIN}),
    ("PUT", "/api/v1/knowledge/entries/listrik-padam", {Role.SUPERVISOR}),
    ("POST", "/api/v1/knowledge/entries", {Role.SUPERVISOR}),
    ("GET", "/api/v1/knowledge/entries/listrik-padam/versions", {Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/knowledge/topics/weekly", {Role.SUPERVISOR, Role.ADMIN}),
    ("POST", "/api/v1/calls/{call}/topic", {Role.CALL_TAKER, Role.SUPERVISOR}),
    ("POST", "/api/v1/calls/{call}/quick-answer-sms", {Role.CALL_TAKER, Role.SUPERVISOR}),
    ("GET", "/supervisor/quick-answers", {Role.SUPERVISOR, Role.ADMIN}),
]


def test_who_may_do_what_and_a_browser_needs_its_csrf_header(login, server) -> None:
    clients = {role: login(role) for role in Role}
    call_id = answered_call(clients[Role.CALL_TAKER])
    for method, path, allowed in ACCESS:
        path = path.replace("{call}", call_id)
        body = None if method == "GET" else {"topic": "ktp-hilang"}
        for role, client in clients.items():
            response = client.request(method, path, json=body)
            refused = response.status_code == 403
            assert refused == (role not in allowed), (role, method, path, response.status_code)
        anonymous = httpx.request(method, server + path, json=body)
        assert anonymous.status_code == 401 or "/login" in anonymous.headers.get("location", "")

    username, _ = USERS[Role.CALL_TAKER]
    with httpx.Client(base_url=server) as browser:
        assert browser.post("/api/v1/auth/login",
                            json={"username": username, "password": PASSWORD}).status_code == 200
        refused = browser.post(f"/api/v1/calls/{call_id}/topic", json={"topic": "ktp-hilang"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
