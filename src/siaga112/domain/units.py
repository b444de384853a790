"""Units of the agencies (fire engines, ambulances, patrols) and their status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.errors import Conflict, DomainError
from siaga112.domain.geo import GeoPoint
from siaga112.domain.lifecycle import check_aware, check_transition


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    TRANSPORTING = "transporting"
    RETURNING = "returning"
    OUT_OF_SERVICE = "out_of_service"


U = UnitStatus
UNIT_TRANSITIONS: dict[UnitStatus, frozenset[UnitStatus]] = {
    U.AVAILABLE: frozenset({U.DISPATCHED, U.OUT_OF_SERVICE}),
    # A dispatch may be called off at any point before the unit is back.
    U.DISPATCHED: frozenset({U.EN_ROUTE, U.AVAILABLE, U.OUT_OF_SERVICE}),
    U.EN_ROUTE: frozenset({U.ON_SCENE, U.RETURNING, U.AVAILABLE, U.OUT_OF_SERVICE}),
    U.ON_SCENE: frozenset({U.TRANSPORTING, U.RETURNING, U.AVAILABLE}),
    U.TRANSPORTING: frozenset({U.RETURNING, U.AVAILABLE}),
    # A returning unit can be sent straight on to a new incident.
    U.RETURNING: frozenset({U.AVAILABLE, U.DISPATCHED, U.OUT_OF_SERVICE}),
    U.OUT_OF_SERVICE: frozenset({U.AVAILABLE}),
}
ASSIGNED_STATUSES = frozenset({U.DISPATCHED, U.EN_ROUTE, U.ON_SCENE, U.TRANSPORTING})


@dataclass(eq=False, kw_only=True)
class Unit:
    code: str
    name: str
    agency_code: str
    station_code: str | None
    unit_type: str
    demo: bool = False
    status: UnitStatus = UnitStatus.AVAILABLE
    status_since: datetime | None = None
    incident_id: uuid.UUID | None = None
    last_lat: float | None = None
    last_lon: float | None = None
    last_position_at: datetime | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    def dispatch(self, incident_id: uuid.UUID, *, by: str, at: datetime) -> None:
        """Assign the unit; one unit serves one active incident at a time."""
        if self.incident_id is not None and self.status in ASSIGNED_STATUSES:
            raise Conflict(f"unit {self.code} is already assigned to another incident")
        self._move(UnitStatus.DISPATCHED, at, actor=by, data={"incident": str(incident_id)})
        self.incident_id = incident_id

    def report(self, status: UnitStatus, *, by: str, at: datetime) -> None:
        if status is UnitStatus.DISPATCHED:
            raise DomainError("unit: use dispatch() to assign a unit to an incident")
        self._move(status, at, actor=by)
        if status in (UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE, UnitStatus.RETURNING):
            self.incident_id = None

    def update_position(self, point: GeoPoint, *, at: datetime) -> None:
        check_aware(at)
        if self.last_position_at is not None and at < self.last_position_at:
            return  # a late fix never overwrites a newer one
        self.last_lat, self.last_lon, self.last_position_at = point.lat, point.lon, at

    def _move(self, target: UnitStatus, at: datetime, *, actor: str,
              data: dict[str, str] | None = None) -> None:
        check_aware(at)
        check_transition("unit", UNIT_TRANSITIONS, self.status, target)
        before, self.status, self.status_since = self.status, target, at
        self.events.append(events.UnitStatusChanged(
            aggregate_id=self.code, at=at, actor=actor, before=before.value,
            after=target.value, data=dict(data or {})))
