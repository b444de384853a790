"""API schemas, named by purpose and kept apart from the domain and the tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from siaga112.domain.accounts import FULL_NUMBER_ROLES, ServiceAccount, User
from siaga112.domain.calls import Call, CallState, Channel, Disposition
from siaga112.domain.incidents import Incident, IncidentStatus, Priority, VerificationMethod
from siaga112.domain.phone import mask_number

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_In):
    username: ShortText
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PasswordChange(_In):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SessionPublic(BaseModel):
    username: str
    full_name: str
    role: str
    agency: str | None
    must_change_password: bool
    token: str | None = None
    csrf_token: str | None = None


class CallCreate(_In):
    channel: Channel = Channel.WEB
    caller: Annotated[str | None, StringConstraints(max_length=200)] = None
    external_id: Annotated[str | None, StringConstraints(min_length=1, max_length=200)] = None


class CallAnswer(_In):
    position: Annotated[str | None, StringConstraints(max_length=40)] = None


class DispositionSet(_In):
    disposition: Disposition


class CallPublic(BaseModel):
    id: uuid.UUID
    channel: Channel
    state: CallState
    caller_number: str | None
    caller_raw: str | None
    withheld: bool
    received_at: datetime
    queued_at: datetime | None
    offered_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    wait_seconds: float | None
    talk_seconds: float | None
    position: str | None
    call_taker: str | None
    disposition: Disposition | None
    valid: bool
    incident_id: uuid.UUID | None

    @classmethod
    def of(cls, call: Call, *, viewer: User | ServiceAccount, valid_call_seconds: float,
           reveal: bool = False) -> CallPublic:
        # The full number only on an explicit, logged look by a role that needs it.
        full = reveal and viewer.role in FULL_NUMBER_ROLES
        return cls(
            id=call.id, channel=call.channel, state=call.state,
            caller_number=call.caller_number if full else mask_number(call.caller_number),
            caller_raw=call.caller_raw if full else None, withheld=call.caller_number is None,
            received_at=call.received_at, queued_at=call.queued_at, offered_at=call.offered_at,
            connected_at=call.connected_at, ended_at=call.ended_at,
            wait_seconds=call.wait_seconds, talk_seconds=call.talk_seconds,
            position=call.position_code, call_taker=call.call_taker,
            disposition=call.disposition, valid=call.is_valid(valid_call_seconds),
            incident_id=call.incident_id)


class LocationIn(_In):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: Annotated[str | None, StringConstraints(max_length=400)] = None
    kelurahan: Annotated[str | None, StringConstraints(max_length=40)] = None
    kecamatan: Annotated[str | None, StringConstraints(max_length=40)] = None


class IncidentCreate(_In):
    type: Annotated[str, StringConstraints(max_length=40)]
    subtype: Annotated[str | None, StringConstraints(max_length=40)] = None
    priority: Priority | None = None
    triage: dict[Annotated[str, StringConstraints(max_length=40)],
                 Annotated[str, StringConstraints(max_length=40)]] = {}
    location: LocationIn = LocationIn()
    description: Annotated[str | None, StringConstraints(max_length=4000)] = None
    call_id: uuid.UUID | None = None


class IncidentVerify(_In):
    method: VerificationMethod


class NoteCreate(_In):
    text: NoteText


class CallLink(_In):
    call_id: uuid.UUID


class NotePublic(BaseModel):
    id: uuid.UUID
    at: datetime
    author: str
    text: str


class IncidentPublic(BaseModel):
    id: uuid.UUID
    number: str
    type: str
    subtype: str | None
    priority: Priority
    status: IncidentStatus
    location: dict[str, float | str | None]
    description: str | None
    created_at: datetime
    created_by: str
    verified_at: datetime | None
    verified_by: str | None
    verification_method: VerificationMethod | None
    notes: list[NotePublic]
    call_ids: list[uuid.UUID]

    @classmethod
    def of(cls, incident: Incident, call_ids: list[uuid.UUID]) -> IncidentPublic:
        loc = incident.location
        return cls(
            id=incident.id, number=incident.number, type=incident.type_code,
            subtype=incident.subtype_code, priority=incident.priority, status=incident.status,
            location={"lat": loc.lat, "lon": loc.lon, "address": loc.address,
                      "kelurahan": loc.kelurahan, "kecamatan": loc.kecamatan},
            description=incident.description, created_at=incident.created_at,
            created_by=incident.created_by, verified_at=incident.verified_at,
            verified_by=incident.verified_by, verification_method=incident.verification_method,
            notes=[NotePublic(id=n.id, at=n.at, author=n.author, text=n.text)
                   for n in incident.notes],
            call_ids=call_ids)


class IncidentOpened(BaseModel):
    id: uuid.UUID
    number: str


class AgencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    kind: str
    phone: str | None


class StationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    agency_code: str
    lat: float
    lon: float
    address: str | None
    phone: str | None
    demo: bool
    source: str | None


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    agency_code: str
    station_code: str | None
    unit_type: str
    status: str
    incident_id: uuid.UUID | None
    last_lat: float | None
    last_lon: float | None
    demo: bool
