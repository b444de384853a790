"""People who use the system and what their role lets them do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
