"""Accounts: create users, log in and out with server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from siaga112.domain.accounts import Role, User
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.domain.events import AccountChanged
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
        uow.record(AccountChanged(aggregate_id=user.username, at=clock.now(), after="created",
                                  data={"role": cmd.role.value, "agency": cmd.agency_code}))
        uow.commit()
        return user


def token_hash(token: str) -> str:
    """Only a hash of the session token is stored: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Locked:
    until: datetime


# Verified against when the user does not exist, so both answers take as long.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$Gnwz1BWr4wI7OzvZe77bNQ$4fgLCye8VfZQ0sJILypykgMVRk58QJy6R4TsP86Wpgg"


def log_in(uow: UnitOfWork, *, username: str, password: str, clock: Clock,
           hasher: PasswordHasher, hours: float) -> tuple[User, str] | Locked | None:
    """A new session for right credentials; None for wrong ones (same answer either way);
    Locked after too many failures in a row."""
    with uow:
        now = clock.now()
        user = uow.users.get(username)
        if user is None or not user.active:
            hasher.verify(_DUMMY_HASH, password)
            return None
        if user.locked(now):
            return Locked(user.locked_until)  # type: ignore[arg-type]
        if not hasher.verify(user.password_hash, password):
            user.record_failed_login(now)
            if user.locked_until is not None:
                uow.record(AccountChanged(aggregate_id=user.username, at=now, after="locked",
                                          reason="too many failed logins"))
            uow.commit()
            return None
        user.record_login()
        token = secrets.token_urlsafe(32)
        uow.users.add_session(token_hash=token_hash(token), username=user.username,
                              created_at=now, expires_at=now + timedelta(hours=hours))
        uow.commit()
        return user, token


def change_password(uow: UnitOfWork, *, username: str, current: str, new: str, clock: Clock,
                    hasher: PasswordHasher) -> None:
    if len(new) < MIN_PASSWORD:
        raise InvalidValue(f"password: at least {MIN_PASSWORD} characters")
    if new == current:
        raise InvalidValue("the new password must differ from the current one")
    with uow:
        user = uow.users.get(username)
        if user is None or not hasher.verify(user.password_hash, current):
            raise InvalidValue("the current password is wrong")
        user.password_hash = hasher.hash(new)
        user.must_change_password = False
        uow.record(AccountChanged(aggregate_id=username, at=clock.now(), actor=username,
                                  after="password_changed"))
        uow.commit()


def session_user(uow: UnitOfWork, *, token: str, clock: Clock) -> User | None:
    with uow:
        return uow.users.session_user(token_hash(token), now=clock.now())


def log_out(uow: UnitOfWork, *, token: str) -> None:
    with uow:
        uow.users.delete_session(token_hash(token))
        uow.commit()
