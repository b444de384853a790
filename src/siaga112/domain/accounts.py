"""People who use the system and what their role lets them do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    CALL_TAKER = "call_taker"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    AGENCY = "agency"
    ADMIN = "admin"


# Roles that may see a caller's full number (UU 27/2022: only who needs it).
FULL_NUMBER_ROLES = frozenset({Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


@dataclass(eq=False, kw_only=True)
class User:
    username: str
    full_name: str
    role: Role
    password_hash: str
    agency_code: str | None = None
    active: bool = True
    must_change_password: bool = False
    demo: bool = False
    created_at: datetime | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def record_failed_login(self, now: datetime) -> None:
        self.failed_logins += 1
        if self.failed_logins >= MAX_FAILED_LOGINS:
            self.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
            self.failed_logins = 0

    def record_login(self) -> None:
        self.failed_logins, self.locked_until = 0, None


class Scope(StrEnum):
    """What a machine's API token may do; each machine gets only its own scope."""

    SIP_NODE = "sip_node"
    AML_GATEWAY = "aml_gateway"
    SMS_GATEWAY = "sms_gateway"
    AGENCY_SYSTEM = "agency_system"
    METRICS = "metrics"  # a Prometheus server: reads /metrics, nothing else


@dataclass(eq=False, kw_only=True)
class ServiceAccount:
    """A machine (SIP node, AML or SMS gateway, an agency's system) with a scoped token."""

    name: str
    scopes_text: str
    token_hash: str
    agency_code: str | None = None
    active: bool = True
    created_at: datetime | None = None
    created_by: str | None = None
    hmac_key: str | None = None  # an AML HTTPS sender signs its bodies with it

    @property
    def scopes(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes_text.split(",") if s)

    @property
    def username(self) -> str:
        return f"svc:{self.name}"

    role = None  # never a person's role: it acts only through its scopes
    must_change_password = False


# Failed logins before a temporary lockout, and how long it lasts.
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
