"""Dispatch: send units to an incident (never one unit to two incidents), follow their
status, record the agency's acknowledgement.

Locks are taken in one order everywhere, incident first and then units by code, so two
dispatchers never deadlock; the loser of a race for a unit gets Conflict (HTTP 409).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from siaga112.domain.clock import Clock
from siaga112.domain.dispatch import Assignment, TravelEstimate
from siaga112.domain.errors import Conflict, InvalidValue, NotFound
from siaga112.domain.events import DispatchAcknowledged, UnitDispatched
from siaga112.domain.incidents import Incident, IncidentStatus
from siaga112.domain.units import Unit, UnitStatus
from siaga112.services import commands as c
from siaga112.services.ports import TravelTimeProvider, UnitOfWork
from siaga112.services.recommendation import incident_point, locate_units

MAX_UNITS_PER_DISPATCH = 50


@dataclass(frozen=True)
class Dispatched:
    dispatch_id: uuid.UUID
    assignments: tuple[Assignment, ...]


def _incident_to_dispatch(uow: UnitOfWork, incident_id: uuid.UUID) -> Incident:
    incident = uow.incidents.get(incident_id, for_update=True)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if incident.status is IncidentStatus.NEW:
        raise Conflict(f"incident {incident.number} is not verified yet: verify it first")
    if not incident.active:
        raise Conflict(f"incident {incident.number} is {incident.status.value}: "
                       f"no unit can be sent to it")
    return incident


def _estimates(uow: UnitOfWork, units: list[Unit], incident: Incident,
               travel: TravelTimeProvider) -> dict[str, TravelEstimate | None]:
    point = incident_point(incident)
    located = locate_units(uow, units)
    known = [u for u in units if located[u.code].point is not None]
    if point is None or not known:
        return {}
    found = travel.travel_to([located[u.code].point for u in known], point)  # type: ignore[misc]
    return {u.code: est for u, est in zip(known, found, strict=True)}


def dispatch_units(cmd: c.DispatchUnits, uow: UnitOfWork, *, clock: Clock,
                   travel: TravelTimeProvider) -> Dispatched:
    codes = sorted(set(cmd.unit_codes))
    if not codes:
        raise InvalidValue("name at least one unit to dispatch")
    if len(codes) > MAX_UNITS_PER_DISPATCH:
        raise InvalidValue(f"at most {MAX_UNITS_PER_DISPATCH} units in one dispatch")
    with uow:
        incident = _incident_to_dispatch(uow, cmd.incident_id)
        units = []
        for code in codes:  # in code order: two dispatchers never wait on each other in a circle
            unit = uow.units.get(code, for_update=True)
            if unit is None:
                raise NotFound(f"no unit {code}")
            units.append(unit)
        now = clock.now()
        estimates = _estimates(uow, units, incident, travel)
        dispatch_id = uuid.uuid4()
        assignments = []
        for unit in units:
            unit.dispatch(incident.id, by=cmd.by, at=now)  # Conflict if it serves another
            est = estimates.get(unit.code)
            assignment = Assignment(
                id=uuid.uuid4(), dispatch_id=dispatch_id, incident_id=incident.id,
                unit_code=unit.code, agency_code=unit.agency_code, dispatched_at=now,
                dispatched_by=cmd.by, eta_seconds=None if est is None else round(est.seconds, 1),
                distance_m=None if est is None else round(est.meters, 1))
            uow.assignments.add(assignment)  # the database refuses a second active one too
            assignments.append(assignment)
            uow.record(UnitDispatched(
                aggregate_id=str(incident.id), at=now, actor=cmd.by, after=unit.code,
                data={"unit": unit.code, "agency": unit.agency_code,
                      "dispatch": str(dispatch_id), "assignment": str(assignment.id),
                      "eta_seconds": assignment.eta_seconds}))
        if incident.status is IncidentStatus.VERIFIED:
            incident.mark_dispatched(by=cmd.by, at=now)
        uow.commit()
        return Dispatched(dispatch_id, tuple(assignments))


def update_unit_status(cmd: c.UpdateUnitStatus, uow: UnitOfWork, *, clock: Clock) -> Unit:
    with uow:
        incident_id = uow.assignments.active_incident_of(cmd.unit_code)
        incident = uow.incidents.get(incident_id, for_update=True) if incident_id else None
        unit = uow.units.get(cmd.unit_code, for_update=True)
        if unit is None:
            raise NotFound(f"no unit {cmd.unit_code}")
        assignment = uow.assignments.active_for_unit(unit.code)
        if (assignment.incident_id if assignment else None) != incident_id:
            raise Conflict(f"unit {unit.code} was dispatched elsewhere meanwhile: try again")
        now = clock.now()
        unit.report(cmd.status, by=cmd.by, at=now)  # IllegalTransition names both statuses
        if assignment is not None:
            assignment.record(cmd.status, at=now)
            if cmd.status is UnitStatus.ON_SCENE and incident is not None \
                    and incident.status is IncidentStatus.DISPATCHED:
                incident.mark_on_scene(by=cmd.by, at=now)
        elif cmd.status is UnitStatus.AVAILABLE:
            latest = uow.assignments.latest_for_unit(unit.code)
            if latest is not None:
                latest.record(cmd.status, at=now)  # back from returning: the job is clear
        uow.commit()
        return unit


def acknowledge_dispatch(cmd: c.AcknowledgeDispatch, uow: UnitOfWork, *,
                         clock: Clock) -> Assignment:
    with uow:
        unit = uow.units.get(cmd.unit_code, for_update=True)
        if unit is None:
            raise NotFound(f"no unit {cmd.unit_code}")
        assignment = uow.assignments.active_for_unit(unit.code)
        if assignment is None:
            raise Conflict(f"unit {unit.code} has no active dispatch to acknowledge")
        now = clock.now()
        if assignment.acknowledge(by=cmd.by, at=now):
            uow.record(DispatchAcknowledged(
                aggregate_id=str(assignment.incident_id), at=now, actor=cmd.by,
                after=unit.code, data={"unit": unit.code, "agency": unit.agency_code,
                                       "assignment": str(assignment.id)}))
        uow.commit()
        return assignment
