"""Machines' accounts: a scoped token each, shown once, stored hashed, revocable."""

from __future__ import annotations

import secrets

from siaga112.domain.accounts import Scope, ServiceAccount
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, InvalidValue, NotFound
from siaga112.services.handlers.accounts import USERNAME, token_hash
from siaga112.services.ports import UnitOfWork

SERVICE_TOKEN_PREFIX = "s112s_"  # tells a machine's token from a person's session at a glance


def is_service_token(token: str) -> bool:
    return token.startswith(SERVICE_TOKEN_PREFIX)


def create_service_account(uow: UnitOfWork, *, name: str, scopes: frozenset[Scope],
                           agency_code: str | None, by: str, clock: Clock) -> str:
    """Create the account and return its token; only its hash is kept."""
    if not USERNAME.fullmatch(name):
        raise InvalidValue("name: 2-80 characters, lower-case letters, digits, . _ -")
    if not scopes:
        raise InvalidValue("a service account needs at least one scope")
    if (Scope.AGENCY_SYSTEM in scopes) != (agency_code is not None):
        raise InvalidValue("an agency system needs its agency; other machines none")
    token = SERVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with uow:
        if uow.users.service_account(name) is not None:
            raise Conflict(f"service account '{name}' exists")
        if agency_code and uow.organization.agency(agency_code) is None:
            raise InvalidValue(f"unknown agency '{agency_code}'")
        uow.users.add(ServiceAccount(
            name=name, scopes_text=",".join(sorted(s.value for s in scopes)),
            token_hash=token_hash(token), agency_code=agency_code, created_at=clock.now(),
            created_by=by))
        uow.commit()
    return token


def revoke_service_account(uow: UnitOfWork, *, name: str) -> None:
    with uow:
        account = uow.users.service_account(name)
        if account is None:
            raise NotFound(f"no service account '{name}'")
        account.active = False
        uow.commit()


def service_account_for(uow: UnitOfWork, *, token: str) -> ServiceAccount | None:
    with uow:
        return uow.users.service_account_by_token(token_hash(token))
