"""Accounts: create users, log in and out with server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from siaga112.domain.accounts import Role, User
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.services import commands as c
from siaga112.services.ports import PasswordHasher, UnitOfWork

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{1,79}$")
MIN_PASSWORD = 10


def create_user(cmd: c.CreateUser, uow: UnitOfWork, *, clock: Clock,
                hasher: PasswordHasher) -> User:
    if not USERNAME.fullmatch(cmd.username):
        raise InvalidValue("username: 2-80 characters, lower-case letters, digits, . _ -")
    if len(cmd.password) < MIN_PASSWORD:
        raise InvalidValue(f"password: at least {MIN_PASSWORD} characters")
    if (cmd.role is Role.AGENCY) != (cmd.agency_code is not None):
        raise InvalidValue("an agency user needs exactly one agency; other roles none")
    with uow:
        if uow.users.get(cmd.username) is not None:
            raise Conflict(f"user '{cmd.username}' exists")
        if cmd.agency_code and uow.organization.agency(cmd.agency_code) is None:
            raise InvalidValue(f"unknown agency '{cmd.agency_code}'")
        user = User(username=cmd.username, full_name=cmd.full_name, role=cmd.role,
                    password_hash=hasher.hash(cmd.password), agency_code=cmd.agency_code,
                    must_change_password=cmd.must_change_password, demo=cmd.demo,
                    created_at=clock.now())
        uow.users.add(user)
        uow.commit()
        return user


def token_hash(token: str) -> str:
    """Only a hash of the session token is stored: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(uow: UnitOfWork, *, username: str, password: str, clock: Clock,
           hasher: PasswordHasher, hours: float) -> tuple[User, str] | None:
    """A new session token for right credentials; None otherwise (same answer either way)."""
    with uow:
        user = uow.users.get(username)
        if user is None or not user.active or not hasher.verify(user.password_hash, password):
            return None
        token = secrets.token_urlsafe(32)
        now = clock.now()
        uow.users.add_session(token_hash=token_hash(token), username=user.username,
                              created_at=now, expires_at=now + timedelta(hours=hours))
        uow.commit()
        return user, token


def session_user(uow: UnitOfWork, *, token: str, clock: Clock) -> User | None:
    with uow:
        return uow.users.session_user(token_hash(token), now=clock.now())


def log_out(uow: UnitOfWork, *, token: str) -> None:
    with uow:
        uow.users.delete_session(token_hash(token))
        uow.commit()
