"""Every route has an access rule, and every rule holds for every role."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest
import websockets
from fastapi.routing import APIWebSocketRoute, iter_route_contexts

from siaga112.domain.accounts import Role, Scope
from siaga112.entrypoints.web.access import PUBLIC, ROUTE_POLICY, allowed
from siaga112.entrypoints.web.app import create_app
from siaga112.services.handlers import service_accounts

UNCHECKED = {"/api/v1/openapi.json"}  # the API's public description


def app_routes(siaga) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(create_app(siaga).routes):
        if isinstance(route.original_route, APIWebSocketRoute):
            found.add(("WS", route.path))
            continue
        if route.path in UNCHECKED or not route.methods:  # static mounts have no methods
            continue
        found |= {(m, route.path) for m in route.methods if m != "HEAD"}
    return found


def test_every_route_declares_who_may_use_it_and_no_rule_is_stale(siaga):
    routes = app_routes(siaga)
    undeclared = routes - ROUTE_POLICY.keys()
    assert not undeclared, f"routes without a line in access.ROUTE_POLICY: {sorted(undeclared)}"
    stale = ROUTE_POLICY.keys() - routes
    assert not stale, f"ROUTE_POLICY lines for routes that do not exist: {sorted(stale)}"


def test_a_route_without_a_rule_is_refused_even_to_an_admin(login, monkeypatch):
    monkeypatch.delitem(ROUTE_POLICY, ("GET", "/api/v1/agencies"))
    response = login(Role.ADMIN).get("/api/v1/agencies")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "no access rule is declared for this route"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "en" if m.group(0) == "{lang}" else str(uuid.uuid4()),
                  path)


def _denied(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303, 307) and "/login" in response.headers.get(
        "location", "")


def _ws_denied(server: str, path: str, client: httpx.Client) -> bool:
    """Open the WebSocket with the client's credentials: refused at the handshake or not."""
    url = server.replace("http://", "ws://") + _concrete(path)
    headers = {k: v for k, v in client.headers.items() if k.lower() == "authorization"}

    async def attempt() -> bool:
        try:
            async with websockets.connect(url, additional_headers=headers, open_timeout=30):
                return False
        except websockets.InvalidStatus as refused:
            return refused.response.status_code in (401, 403)

    return asyncio.run(attempt())


@pytest.fixture
def database_url(tmp_path) -> str:
    """Access rules do not depend on the database: one backend is enough here."""
    return f"sqlite:///{tmp_path / 'access.sqlite3'}"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_each_role_is_allowed_exactly_what_the_policy_says(server, login, role):
    mismatches = []
    client = login(role) if role is not None else httpx.Client(base_url=server, timeout=60)
    # Logging out ends the session: it goes last.
    for method, path in sorted(ROUTE_POLICY, key=lambda k: k[1] == "/api/v1/auth/logout"):
        if method == "WS":
            if _ws_denied(server, path, client) == allowed(method, path, role):
                mismatches.append(f"WS {path} (policy says "
                                  f"{'allow' if allowed(method, path, role) else 'deny'})")
            continue
        response = client.request(method, _concrete(path), json={}, follow_redirects=False)
        expect_allowed = allowed(method, path, role)
        if _denied(response) == expect_allowed:
            mismatches.append(f"{method} {path}: {response.status_code} "
                              f"(policy says {'allow' if expect_allowed else 'deny'})")
    client.close()
    assert not mismatches, "\n".join(mismatches)


def test_public_routes_are_few_and_named():
    public = {key for key, roles in ROUTE_POLICY.items() if roles is PUBLIC}
    api_public = {key for key in public if key[1].startswith("/api/")}
    assert api_public == {("POST", "/api/v1/auth/login"),
                          # the transparency summary (reports): counts only, no personal data
                          ("GET", "/api/v1/public/summary"), ("GET", "/api/v1/public/summary.json"),
                          ("GET", "/api/v1/public/summary.csv")}


@pytest.mark.parametrize("scope", list(Scope), ids=lambda s: s.value)
def test_each_machine_scope_is_allowed_exactly_what_the_policy_says(siaga, server, scope):
    token = service_accounts.create_service_account(
        siaga.uow(), name=f"m-{scope.value.replace('_', '-')}", scopes=frozenset({scope}),
        agency_code="damkar" if scope is Scope.AGENCY_SYSTEM else None, by="test",
        clock=siaga.clock)
    mismatches = []
    with httpx.Client(base_url=server, timeout=60, headers={"Authorization": f"Bearer {token}"}) as machine:
        for method, path in sorted(ROUTE_POLICY):
            if method == "WS":
                if _ws_denied(server, path, machine) == allowed(method, path, {scope}):
                    mismatches.append(f"WS {path}")
                continue
            response = machine.request(method, _concrete(path), json={}, follow_redirects=False)
            if _denied(response) == allowed(method, path, {scope}):
                mismatches.append(f"{method} {path}: {response.status_code}")
    assert not mismatches, "\n".join(mismatches)


def test_a_revoked_machine_token_is_refused_at_once(siaga, server):
    token = service_accounts.create_service_account(
        siaga.uow(), name="sip-node-1", scopes=frozenset({Scope.SIP_NODE}), agency_code=None,
        by="test", clock=siaga.clock)
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{server}/api/v1/calls", json={"caller": "081234567890"},
                         headers=headers)
    assert created.status_code == 201
    assert created.json()["caller_number"] == "+6281******890"  # a machine sees no full number
    service_accounts.revoke_service_account(siaga.uow(), name="sip-node-1")
    refused = httpx.post(f"{server}/api/v1/calls", json={"caller": "0812"}, headers=headers)
    assert refused.status_code == 401
