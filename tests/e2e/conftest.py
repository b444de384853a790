"""End-to-end fixtures: the real server over HTTP, with a logged-in client per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from siaga112.domain.accounts import Role
from siaga112.services import commands as c
from tests.support.server import running_server

PASSWORD = "correct horse 112"
USERS = {
    Role.CALL_TAKER: ("ani", None),
    Role.DISPATCHER: ("budi", None),
    Role.SUPERVISOR: ("citra", None),
    Role.AGENCY: ("damkar1", "damkar"),
    Role.ADMIN: ("admin", None),
}


@pytest.fixture
def server(siaga) -> Iterator[str]:
    for role, (username, agency) in USERS.items():
        siaga.bus.handle(c.CreateUser(username=username, full_name=username.title(), role=role,
                                      password=PASSWORD, agency_code=agency,
                                      must_change_password=False))
    with running_server(siaga) as base:
        yield base


@pytest.fixture
def login(server) -> Iterator[Callable[[Role], httpx.Client]]:
    """A client holding a bearer token for a user of the given role."""
    clients: list[httpx.Client] = []

    def _login(role: Role) -> httpx.Client:
        username, _ = USERS[role]
        response = httpx.post(f"{server}/api/v1/auth/login",
                              json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        # Generous: a loaded CI machine can make a report route slow; the tests check answers.
        client = httpx.Client(base_url=server, timeout=60,
                              headers={"Authorization": f"Bearer {response.json()['token']}"})
        clients.append(client)
        return client

    yield _login
    for client in clients:
        client.close()
