"""API schemas of dispatch: recommendations, assignments with their timeline, deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from siaga112.domain.dispatch import Assignment, Candidate, Excluded, RequirementChoice
from siaga112.domain.notifications import Delivery, DeliveryStatus
from siaga112.domain.units import Unit, UnitStatus
from siaga112.services.recommendation import Recommendation

UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispatchCreate(_In):
    units: list[UnitCode] = Field(min_length=1, max_length=50)


class UnitStatusSet(_In):
    status: UnitStatus


class CandidatePublic(BaseModel):
    unit: str
    name: str
    agency: str
    unit_type: str
    status: UnitStatus
    position_source: str
    lat: float
    lon: float
    eta_seconds: float | None
    distance_m: float | None
    method: str | None

    @classmethod
    def of(cls, c: Candidate) -> CandidatePublic:
        return cls(unit=c.unit_code, name=c.name, agency=c.agency_code, unit_type=c.unit_type,
                   status=c.status, position_source=c.position_source.value, lat=c.lat,
                   lon=c.lon, method=c.method,
                   eta_seconds=None if c.eta_seconds is None else round(c.eta_seconds, 1),
                   distance_m=None if c.meters is None else round(c.meters, 1))


class ExcludedPublic(BaseModel):
    unit: str
    name: str
    reason: str
    detail: str

    @classmethod
    def of(cls, e: Excluded) -> ExcludedPublic:
        return cls(unit=e.unit_code, name=e.name, reason=e.reason.value, detail=e.detail)


class RequirementPublic(BaseModel):
    agency: str
    unit_type: str
    count: int
    suggested: list[str]
    missing: int
    candidates: list[CandidatePublic]
    excluded: list[ExcludedPublic]

    @classmethod
    def of(cls, r: RequirementChoice) -> RequirementPublic:
        req = r.requirement
        return cls(agency=req.agency_code, unit_type=req.unit_type, count=req.count,
                   suggested=list(r.suggested), missing=r.missing,
                   candidates=[CandidatePublic.of(c) for c in r.candidates],
                   excluded=[ExcludedPublic.of(e) for e in r.excluded])


class RecommendationPublic(BaseModel):
    incident_id: uuid.UUID
    number: str
    type: str
    subtype: str | None
    priority: str
    lat: float | None
    lon: float | None
    plan_found: bool
    agencies: list[str]
    method: str
    elapsed_ms: float
    requirements: list[RequirementPublic]

    @classmethod
    def of(cls, r: Recommendation) -> RecommendationPublic:
        i = r.incident
        return cls(incident_id=i.id, number=i.number, type=i.type_code, subtype=i.subtype_code,
                   priority=i.priority.value, lat=i.location_lat, lon=i.location_lon,
                   plan_found=r.plan_found, agencies=r.agencies, method=r.method,
                   elapsed_ms=r.elapsed_ms,
                   requirements=[RequirementPublic.of(c) for c in r.choices])


class StepPublic(BaseModel):
    step: str
    at: datetime


class AssignmentPublic(BaseModel):
    id: uuid.UUID
    dispatch_id: uuid.UUID
    incident_id: uuid.UUID
    unit: str
    agency: str
    status: str  # the unit's status while it serves the incident, else how it ended
    active: bool
    dispatched_at: datetime
    dispatched_by: str
    acknowledged_by: str | None
    eta_seconds: float | None
    distance_m: float | None
    timeline: list[StepPublic]
    intervals: dict[str, float | None]

    @classmethod
    def of(cls, a: Assignment, unit: Unit | None) -> AssignmentPublic:
        status = (unit.status.value if a.active and unit is not None
                  else a.end_status or "dispatched")
        return cls(id=a.id, dispatch_id=a.dispatch_id, incident_id=a.incident_id,
                   unit=a.unit_code, agency=a.agency_code, status=status, active=a.active,
                   dispatched_at=a.dispatched_at, dispatched_by=a.dispatched_by,
                   acknowledged_by=a.acknowledged_by, eta_seconds=a.eta_seconds,
                   distance_m=a.distance_m,
                   timeline=[StepPublic(step=s.value, at=at) for s, at in a.timeline()],
                   intervals=a.intervals())


class DispatchPublic(BaseModel):
    dispatch_id: uuid.UUID
    assignments: list[AssignmentPublic]


class DeliveryPublic(BaseModel):
    id: uuid.UUID
    dispatch_id: uuid.UUID
    incident_id: uuid.UUID
    agency: str
    url: str | None
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryPublic:
        return cls(id=d.id, dispatch_id=d.dispatch_id, incident_id=d.incident_id,
                   agency=d.agency_code, url=d.url, status=d.status, attempts=d.attempts,
                   created_at=d.created_at, last_attempt_at=d.last_attempt_at,
                   last_status_code=d.last_status_code, last_error=d.last_error,
                   delivered_at=d.delivered_at)


class IncidentDispatchPublic(BaseModel):
    incident_id: uuid.UUID
    number: str
    status: str
    assignments: list[AssignmentPublic]
    deliveries: list[DeliveryPublic]  # empty for agencies: the center's own follow-up
    failed_deliveries: int
