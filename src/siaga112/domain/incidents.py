"""An incident: what happened, where, how urgent, and its way from report to close."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.errors import DomainError, InvalidValue
from siaga112.domain.geo import GeoPoint
from siaga112.domain.lifecycle import check_aware, check_not_before, check_transition


class IncidentStatus(StrEnum):
    NEW = "new"
    VERIFIED = "verified"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    FALSE_ALARM = "false_alarm"


S = IncidentStatus
INCIDENT_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.NEW: frozenset({S.VERIFIED, S.CANCELLED, S.FALSE_ALARM}),
    # Resolved straight from verified: handled on the phone, no unit needed.
    S.VERIFIED: frozenset({S.DISPATCHED, S.RESOLVED, S.CANCELLED, S.FALSE_ALARM}),
    S.DISPATCHED: frozenset({S.ON_SCENE, S.RESOLVED, S.CANCELLED, S.FALSE_ALARM}),
    S.ON_SCENE: frozenset({S.RESOLVED, S.FALSE_ALARM}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FALSE_ALARM: frozenset(),
}
ACTIVE_STATUSES = frozenset({S.NEW, S.VERIFIED, S.DISPATCHED, S.ON_SCENE})


class Priority(StrEnum):
    """P1 is immediate danger to life; P4 can wait."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class VerificationMethod(StrEnum):
    CALLER_CONFIRMED = "caller_confirmed"
    CALLBACK = "callback"
    SECOND_CALLER = "second_caller"
    CCTV = "cctv"
    AGENCY_ON_SCENE = "agency_on_scene"


@dataclass(frozen=True)
class IncidentLocation:
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None


@dataclass(eq=False, kw_only=True)
class IncidentNote:
    id: uuid.UUID
    at: datetime
    author: str
    text: str


def format_incident_number(prefix: str, year: int, sequence: int) -> str:
    """`KDI-2025-000123`: prefix of the center, year of opening, running number."""
    return f"{prefix}-{year:04d}-{sequence:06d}"


@dataclass(eq=False, kw_only=True)
class Incident:
    id: uuid.UUID
    number: str
    type_code: str
    subtype_code: str | None
    priority: Priority
    created_at: datetime
    created_by: str
    status: IncidentStatus = IncidentStatus.NEW
    location_lat: float | None = None
    location_lon: float | None = None
    address: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    description: str | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    verification_method: VerificationMethod | None = None
    dispatched_at: datetime | None = None
    on_scene_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    notes: list[IncidentNote] = field(default_factory=list)
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def open(
        cls, *, number: str, type_code: str, subtype_code: str | None, priority: Priority,
        location: IncidentLocation, description: str | None, by: str, at: datetime,
    ) -> Incident:
        check_aware(at)
        incident = cls(
            id=uuid.uuid4(), number=number, type_code=type_code, subtype_code=subtype_code,
            priority=priority, created_at=at, created_by=by, description=description,
        )
        incident._set_location(location)
        incident.events.append(events.IncidentOpened(
            aggregate_id=str(incident.id), at=at, actor=by, after=IncidentStatus.NEW.value,
            data={"number": number, "type": type_code, "subtype": subtype_code,
                  "priority": priority.value}))
        return incident

    @property
    def location(self) -> IncidentLocation:
        return IncidentLocation(self.location_lat, self.location_lon, self.address,
                                self.kelurahan, self.kecamatan)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def verify(self, *, by: str, method: VerificationMethod, at: datetime) -> None:
        self._move(IncidentStatus.VERIFIED, at, actor=by, reason=method.value)
        self.verified_at, self.verified_by, self.verification_method = at, by, method

    def mark_dispatched(self, *, by: str, at: datetime) -> None:
        self._move(IncidentStatus.DISPATCHED, at, actor=by)
        self.dispatched_at = at

    def mark_on_scene(self, *, by: str, at: datetime) -> None:
        self._move(IncidentStatus.ON_SCENE, at, actor=by)
        self.on_scene_at = at

    def resolve(self, *, by: str, at: datetime, reason: str | None = None) -> None:
        self._move(IncidentStatus.RESOLVED, at, actor=by, reason=reason)
        self.resolved_at = at

    def close(self, *, by: str, at: datetime) -> None:
        self._move(IncidentStatus.CLOSED, at, actor=by)
        self.closed_at = at

    def cancel(self, *, by: str, at: datetime, reason: str, false_alarm: bool = False) -> None:
        if not reason.strip():
            raise InvalidValue("a cancellation needs a reason")
        target = IncidentStatus.FALSE_ALARM if false_alarm else IncidentStatus.CANCELLED
        self._move(target, at, actor=by, reason=reason)
        self.cancelled_at = at

    def classify(self, *, type_code: str, subtype_code: str | None, priority: Priority,
                 by: str, at: datetime) -> None:
        if not self.active:
            raise DomainError(f"incident: cannot reclassify a '{self.status.value}' incident")
        check_not_before("incident", at, self._latest_step())
        before = f"{self.type_code}/{self.subtype_code or ''}/{self.priority.value}"
        self.type_code, self.subtype_code, self.priority = type_code, subtype_code, priority
        self.events.append(events.IncidentClassified(
            aggregate_id=str(self.id), at=at, actor=by, before=before,
            after=f"{type_code}/{subtype_code or ''}/{priority.value}"))

    def relocate(self, location: IncidentLocation, *, by: str, at: datetime) -> None:
        check_not_before("incident", at, self._latest_step())
        self._set_location(location)
        self.add_note(f"location: {location.lat},{location.lon} {location.address or ''}".strip(),
                      by=by, at=at)

    def add_note(self, text: str, *, by: str, at: datetime) -> IncidentNote:
        if not text.strip():
            raise InvalidValue("a note cannot be empty")
        check_not_before("incident", at, self._latest_step())
        note = IncidentNote(id=uuid.uuid4(), at=at, author=by, text=text.strip())
        self.notes.append(note)
        self.events.append(events.IncidentNoteAdded(
            aggregate_id=str(self.id), at=at, actor=by, data={"note_id": str(note.id)}))
        return note

    def _set_location(self, location: IncidentLocation) -> None:
        if (location.lat is None) != (location.lon is None):
            raise InvalidValue("a location needs both latitude and longitude, or neither")
        if location.lat is not None and location.lon is not None:
            GeoPoint(location.lat, location.lon)  # validates the range
        self.location_lat, self.location_lon = location.lat, location.lon
        self.address, self.kelurahan, self.kecamatan = (
            location.address, location.kelurahan, location.kecamatan)

    def _latest_step(self) -> datetime:
        steps = [self.created_at, self.verified_at, self.dispatched_at, self.on_scene_at,
                 self.resolved_at, self.closed_at, self.cancelled_at,
                 *(n.at for n in self.notes),
                 # A reclassification sets no timestamp field of its own.
                 *(e.at for e in self.events)]
        return max(s for s in steps if s is not None)

    def _move(self, target: IncidentStatus, at: datetime, *, actor: str,
              reason: str | None = None) -> None:
        check_transition("incident", INCIDENT_TRANSITIONS, self.status, target)
        check_not_before("incident", at, self._latest_step())
        before, self.status = self.status, target
        self.events.append(events.IncidentStatusChanged(
            aggregate_id=str(self.id), at=at, actor=actor, reason=reason,
            before=before.value, after=target.value))
