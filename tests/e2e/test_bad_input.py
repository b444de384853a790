"""Bad input gets a clear JSON 4xx and loses nothing; never a 500."""

from __future__ import annotations

import uuid

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siaga112.domain.accounts import Role


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) >= {"code", "message"} and body["error"]["message"]
    return body["error"]


def test_malformed_and_wrong_bodies_are_422_with_the_field_named(login):
    ct = login(Role.CALL_TAKER)
    broken = ct.post("/api/v1/calls", content=b"{not json", headers={"content-type": "application/json"})
    assert _error(broken, 422)["code"] == "invalid_request"
    assert "caller" in _error(ct.post("/api/v1/calls", json={"caller": ["x"]}), 422)["message"]
    assert "colour" in _error(ct.post("/api/v1/calls", json={"colour": "red"}), 422)["message"]
    assert "channel" in _error(ct.post("/api/v1/calls", json={"channel": "pigeon"}), 422)["message"]
    too_long = ct.post("/api/v1/calls", json={"caller": "0" * 5000})
    assert _error(too_long, 422)["code"] == "invalid_request"
    far = ct.post("/api/v1/incidents", json={"type": "fire", "priority": "P1",
                                              "location": {"lat": 91, "lon": 0}})
    assert "lat" in _error(far, 422)["message"]
    assert _error(ct.post("/api/v1/incidents", json={"type": "fire", "priority": "P9"}), 422)


def test_unknown_things_are_404_and_wrong_methods_405(login):
    ct = login(Role.CALL_TAKER)
    assert _error(ct.get(f"/api/v1/calls/{uuid.uuid4()}"), 404)["code"] == "not_found"
    assert _error(ct.get("/api/v1/calls/not-a-uuid"), 422)["code"] == "invalid_request"
    assert _error(ct.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    assert _error(ct.delete("/api/v1/calls"), 405)["code"] == "method_not_allowed"


def test_bad_credentials_do_not_say_which_part_was_wrong(server):
    unknown = httpx.post(f"{server}/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    wrong = httpx.post(f"{server}/api/v1/auth/login", json={"username": "ani", "password": "x"})
    assert _error(unknown, 401) == _error(wrong, 401)


def test_a_cookie_session_needs_the_csrf_header_to_change_anything(server):
    with httpx.Client(base_url=server) as browser:
        login = browser.post("/api/v1/auth/login",
                             json={"username": "ani", "password": "correct horse 112"})
        assert "httponly" in login.headers["set-cookie"].lower()
        assert browser.get("/api/v1/calls").status_code == 200  # reading needs no token
        refused = browser.post("/api/v1/calls", json={"caller": "0811"})
        assert _error(refused, 403)["code"] == "csrf_failed"
        accepted = browser.post("/api/v1/calls", json={"caller": "0811"},
                                headers={"X-CSRF-Token": login.json()["csrf_token"]})
        assert accepted.status_code == 201
        assert len(browser.get("/api/v1/calls").json()) == 1  # the refused one left no trace


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12)
bodies = st.dictionaries(
    st.sampled_from(["caller", "channel", "external_id", "type", "subtype", "priority", "triage",
                     "location", "description", "call_id", "disposition", "method", "text"]),
    json_values, max_size=6)


def test_random_bodies_never_cause_a_server_error(login):
    ct = login(Role.SUPERVISOR)
    call_id = ct.post("/api/v1/calls", json={"caller": "0812"}).json()["id"]
    targets = ["/api/v1/calls", "/api/v1/incidents", f"/api/v1/calls/{call_id}/disposition",
               f"/api/v1/calls/{call_id}/answer", "/api/v1/auth/login"]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(target=st.sampled_from(targets), body=bodies)
    def post(target: str, body: dict) -> None:
        response = ct.post(target, json=body)
        assert response.status_code < 500, (target, body, response.text)
        assert "error" in response.json() or response.status_code < 400

    post()
