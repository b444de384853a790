"""Accounts and hardening as an attacker and a new user meet them."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.domain.accounts import Role
from siaga112.services import commands as c


def _login(server: str, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{server}/api/v1/auth/login", json={"username": username,
                                                          "password": password})


def test_five_wrong_passwords_lock_the_account_for_a_while(siaga, server, clock):
    for _ in range(5):
        assert _login(server, "ani", "guess-guess").status_code == 401
    locked = _login(server, "ani", "correct horse 112")  # even the right password now
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "account_locked"
    with siaga.engine.connect() as conn:
        logged = conn.execute(sa.select(tables.event_log.c.after).where(
            tables.event_log.c.aggregate == "user", tables.event_log.c.aggregate_id == "ani")
        ).scalars().all()
    assert "locked" in logged
    clock.advance(16 * 60)
    assert _login(server, "ani", "correct horse 112").status_code == 200


def test_a_new_password_must_be_changed_before_anything_else(siaga, server):
    siaga.bus.handle(c.CreateUser(username="baru", full_name="Baru", role=Role.CALL_TAKER,
                                  password="initial-pass-1", must_change_password=True))
    body = _login(server, "baru", "initial-pass-1").json()
    assert body["must_change_password"] is True
    client = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {body['token']}"})
    blocked = client.get("/api/v1/calls")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "password_change_required"
    wrong = client.post("/api/v1/auth/password", json={"current_password": "nope",
                                                       "new_password": "brand-new-pass-2"})
    assert wrong.status_code == 422
    same = client.post("/api/v1/auth/password", json={"current_password": "initial-pass-1",
                                                      "new_password": "initial-pass-1"})
    assert same.status_code == 422
    assert client.post("/api/v1/auth/password", json={
        "current_password": "initial-pass-1", "new_password": "brand-new-pass-2"}).status_code == 204
    assert client.get("/api/v1/calls").status_code == 200
    assert _login(server, "baru", "brand-new-pass-2").json()["must_change_password"] is False
    client.close()


def test_password_guessing_from_one_address_is_slowed(server):
    codes = [_login(server, f"nobody{i}", "x").status_code for i in range(22)]
    assert codes[:20] == [401] * 20 and codes[-1] == 429


def test_oversized_bodies_are_refused_before_they_are_read(login):
    ct = login(Role.CALL_TAKER)
    huge = ct.post("/api/v1/calls", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                   headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    assert ct.get("/api/v1/calls").json() == []


def test_every_api_response_carries_the_security_headers(server, login):
    for response in (httpx.get(f"{server}/healthz"), login(Role.DISPATCHER).get("/api/v1/units"),
                     httpx.get(f"{server}/api/v1/calls")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_looking_at_a_callers_full_number_is_logged_and_agencies_never_see_it(siaga, login):
    ct, supervisor = login(Role.CALL_TAKER), login(Role.SUPERVISOR)
    call_id = ct.post("/api/v1/calls", json={"caller": "081234567890"}).json()["id"]
    assert "******" in ct.get("/api/v1/calls").json()[0]["caller_number"]  # lists are masked
    assert supervisor.get(f"/api/v1/calls/{call_id}").json()["caller_number"] == "+6281234567890"
    with siaga.engine.connect() as conn:
        looks = conn.execute(sa.select(tables.event_log.c.actor).where(
            tables.event_log.c.aggregate == "personal_data",
            tables.event_log.c.aggregate_id == call_id)).scalars().all()
    assert looks == ["citra"]
    assert login(Role.AGENCY).get(f"/api/v1/calls/{call_id}").status_code == 403


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(server):
    # uvicorn trusts X-Forwarded-Proto from the local reverse proxy (127.0.0.1).
    response = httpx.post(f"{server}/api/v1/auth/login", headers={"X-Forwarded-Proto": "https"},
                          json={"username": "ani", "password": "correct horse 112"})
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("siaga112_session="))
    assert {"httponly", "secure", "samesite=strict"} <= {p.strip().lower() for p in session.split(";")}
    assert response.headers["strict-transport-security"].startswith("max-age=")
    plain = httpx.get(f"{server}/healthz")
    assert "strict-transport-security" not in plain.headers
