"""API schemas of the call-taker console: desk calls, a caller's history, possible duplicates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from siaga112.domain.accounts import ServiceAccount, User
from siaga112.domain.caller_history import CallerFlag
from siaga112.domain.calls import Call, CallState, Channel, Disposition
from siaga112.domain.duplicates import PossibleDuplicate
from siaga112.domain.incidents import Incident, IncidentStatus, Priority
from siaga112.entrypoints.web.schemas import CallPublic

SIMULATED_PREFIX = "demo-caller:"  # external id of the demo's simulated callers (siaga112.demo)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeskCall(CallPublic):
    """A call as the console shows it; `phone`: it came over SIP and a desk phone carries its
    voice (answered and ended on the phone); `simulated`: a demo caller whose words are at
    GET /api/v1/demo/calls/{id}/caller."""

    phone: bool
    simulated: bool

    @classmethod
    def of_call(cls, call: Call, *, viewer: User | ServiceAccount, valid_call_seconds: float,
                phone: bool) -> DeskCall:
        base = CallPublic.of(call, viewer=viewer, valid_call_seconds=valid_call_seconds)
        return cls(**base.model_dump(), phone=phone,
                   simulated=(call.external_id or "").startswith(SIMULATED_PREFIX))


class TakeCall(_In):
    call_id: uuid.UUID | None = None  # None: the call that has waited longest


class EndCall(_In):
    call_id: uuid.UUID
    reason: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=80)] = None


class IncidentRef(BaseModel):
    id: uuid.UUID
    number: str
    type: str
    status: IncidentStatus

    @classmethod
    def of(cls, incident: Incident) -> IncidentRef:
        return cls(id=incident.id, number=incident.number, type=incident.type_code,
                   status=incident.status)


class PastCall(BaseModel):
    id: uuid.UUID
    channel: Channel
    state: CallState
    received_at: datetime
    wait_seconds: float | None
    talk_seconds: float | None
    disposition: Disposition | None
    incident: IncidentRef | None


class CallerHistory(BaseModel):
    """A number's earlier calls (newest first, at most 20) and what they add up to; the
    number itself only masked."""

    call_id: uuid.UUID
    caller_number: str | None
    withheld: bool
    calls: list[PastCall]
    counts: dict[str, int]  # "total", "abandoned" and one per disposition seen
    flags: list[CallerFlag]


class DuplicatePublic(BaseModel):
    id: uuid.UUID
    number: str
    type: str
    subtype: str | None
    priority: Priority
    status: IncidentStatus
    location: dict[str, float | str | None]
    description: str | None
    created_at: datetime
    distance_m: float
    age_minutes: float

    @classmethod
    def of(cls, found: PossibleDuplicate) -> DuplicatePublic:
        i, loc = found.incident, found.incident.location
        return cls(id=i.id, number=i.number, type=i.type_code, subtype=i.subtype_code,
                   priority=i.priority, status=i.status,
                   location={"lat": loc.lat, "lon": loc.lon, "address": loc.address,
                             "kelurahan": loc.kelurahan, "kecamatan": loc.kecamatan},
                   description=i.description, created_at=i.created_at,
                   distance_m=round(found.distance_m, 1),
                   age_minutes=round(found.age_minutes, 1))


class DuplicateCheck(BaseModel):
    """Open incidents of the type within `distance_m` opened in the last `minutes`."""

    distance_m: float
    minutes: float
    incidents: list[DuplicatePublic]
