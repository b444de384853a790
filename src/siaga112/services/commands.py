"""Commands: what a user or a machine asks the center to do (imperative names)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.incidents import IncidentLocation, Priority, VerificationMethod
from siaga112.domain.locations import LocationMethod, LocationSource


class Command:
    pass


@dataclass(frozen=True, kw_only=True)
class ReceiveCall(Command):
    channel: Channel
    caller: str | None
    external_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerCall(Command):
    call_id: uuid.UUID
    call_taker: str
    position_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseCall(Command):
    call_id: uuid.UUID
    actor: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AbandonCall(Command):
    call_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DisposeCall(Command):
    call_id: uuid.UUID
    disposition: Disposition
    by: str


@dataclass(frozen=True, kw_only=True)
class OpenIncident(Command):
    type_code: str
    subtype_code: str | None
    by: str
    priority: Priority | None = None  # else from the triage answers, else the protocol's default
    triage_answers: dict[str, str] = field(default_factory=dict)
    location: IncidentLocation = IncidentLocation()
    description: str | None = None
    call_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class VerifyIncident(Command):
    incident_id: uuid.UUID
    by: str
    method: VerificationMethod


@dataclass(frozen=True, kw_only=True)
class AddIncidentNote(Command):
    incident_id: uuid.UUID
    text: str
    by: str


@dataclass(frozen=True, kw_only=True)
class LinkCallToIncident(Command):
    call_id: uuid.UUID
    incident_id: uuid.UUID
    by: str


@dataclass(frozen=True, kw_only=True)
class CreateUser(Command):
    username: str
    full_name: str
    role: Role
    password: str
    agency_code: str | None = None
    must_change_password: bool = True
    demo: bool = False


@dataclass(frozen=True, kw_only=True)
class SyncCenter(Command):
    """Bring agencies, stations, units and positions in line with the center's file."""


@dataclass(frozen=True, kw_only=True)
class RecordLocationFix(Command):
    """A fix for a known call (network PIDF-LO, the call-taker's pick)."""

    call_id: uuid.UUID
    source: LocationSource
    lat: float
    lon: float
    radius_m: float | None = None
    confidence: float | None = None
    method: LocationMethod = LocationMethod.UNKNOWN
    fixed_at: datetime | None = None  # None: now
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChooseCallLocation(Command):
    """The call-taker takes a fix as the call's location (never done automatically)."""

    call_id: uuid.UUID
    fix_id: uuid.UUID
    by: str
