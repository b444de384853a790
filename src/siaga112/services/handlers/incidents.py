"""Handlers for incidents: open (from a call), verify, annotate, link calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from siaga112.config import CenterConfig
from siaga112.domain.clock import Clock
from siaga112.domain.errors import InvalidValue, NotFound
from siaga112.domain.incidents import Incident, IncidentNote, format_incident_number
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


@dataclass(frozen=True)
class OpenedIncident:
    id: uuid.UUID
    number: str


def _check_type(center: CenterConfig, type_code: str, subtype_code: str | None) -> None:
    itype = center.incident_type(type_code)
    if itype is None:
        raise InvalidValue(f"unknown incident type '{type_code}'")
    if subtype_code is not None and subtype_code not in {s.code for s in itype.subtypes}:
        raise InvalidValue(f"incident type '{type_code}' has no subtype '{subtype_code}'")


def open_incident(cmd: c.OpenIncident, uow: UnitOfWork, *, clock: Clock,
                  center: CenterConfig) -> OpenedIncident:
    _check_type(center, cmd.type_code, cmd.subtype_code)
    protocol = center.triage_protocols.get(cmd.type_code)
    if cmd.priority is not None:
        priority = cmd.priority
    elif protocol is not None:
        priority = protocol.evaluate(cmd.triage_answers)
    else:
        raise InvalidValue(f"incident type '{cmd.type_code}' has no triage: give a priority")
    with uow:
        call = None
        if cmd.call_id is not None:
            call = uow.calls.get(cmd.call_id, for_update=True)
            if call is None:
                raise NotFound(f"no call {cmd.call_id}")
        now = clock.now()
        year = now.astimezone(center.zone).year  # the center's year, not UTC's, at New Year
        prefix = center.center.incident_prefix
        number = format_incident_number(prefix, year, uow.incidents.next_number(prefix, year))
        incident = Incident.open(number=number, type_code=cmd.type_code,
                                 subtype_code=cmd.subtype_code, priority=priority,
                                 location=cmd.location, description=cmd.description,
                                 by=cmd.by, at=now)
        uow.incidents.add(incident)
        if call is not None:
            call.link_incident(incident.id, by=cmd.by, at=now)
        uow.commit()
        return OpenedIncident(incident.id, number)


def _incident(uow: UnitOfWork, incident_id: uuid.UUID) -> Incident:
    incident = uow.incidents.get(incident_id, for_update=True)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def verify_incident(cmd: c.VerifyIncident, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _incident(uow, cmd.incident_id).verify(by=cmd.by, method=cmd.method, at=clock.now())
        uow.commit()


def add_incident_note(cmd: c.AddIncidentNote, uow: UnitOfWork, *, clock: Clock) -> IncidentNote:
    with uow:
        note = _incident(uow, cmd.incident_id).add_note(cmd.text, by=cmd.by, at=clock.now())
        uow.commit()
        return note


def link_call(cmd: c.LinkCallToIncident, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        incident = _incident(uow, cmd.incident_id)
        call = uow.calls.get(cmd.call_id, for_update=True)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        call.link_incident(incident.id, by=cmd.by, at=clock.now())
        uow.commit()
