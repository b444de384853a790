"""Every route has an access rule, and every rule holds for every role."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from siaga112.domain.accounts import Role
from siaga112.entrypoints.web.access import PUBLIC, ROUTE_POLICY, allowed
from siaga112.entrypoints.web.app import create_app

UNCHECKED = {"/api/v1/openapi.json"}  # the API's public description


def app_routes(siaga) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(create_app(siaga).routes):
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


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_each_role_is_allowed_exactly_what_the_policy_says(server, login, role):
    mismatches = []
    for method, path in sorted(ROUTE_POLICY):
        # Logging out ends the session, so it gets a client of its own.
        client = login(role) if role is not None else httpx.Client(base_url=server)
        with client:
            response = client.request(method, _concrete(path), json={},
                                      follow_redirects=False)
        expect_allowed = allowed(method, path, role)
        if _denied(response) == expect_allowed:
            mismatches.append(f"{method} {path}: {response.status_code} "
                              f"(policy says {'allow' if expect_allowed else 'deny'})")
    assert not mismatches, "\n".join(mismatches)


def test_public_routes_are_few_and_named():
    public = {key for key, roles in ROUTE_POLICY.items() if roles is PUBLIC}
    api_public = {key for key in public if key[1].startswith("/api/")}
    assert api_public == {("POST", "/api/v1/auth/login")}
