"""Incidents: open (from a call or not), verify, annotate, link further calls."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from siaga112.domain.errors import NotFound
from siaga112.domain.incidents import IncidentLocation
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, Principal, Principal_, SiagaDep
from siaga112.entrypoints.web.schemas import (
    CallLink, IncidentCreate, IncidentOpened, IncidentPublic, IncidentVerify, NoteCreate, NotePublic,
)
from siaga112.entrypoints.web.visibility import agency_of, ensure_served
from siaga112.services import commands as c

router = APIRouter(prefix=f"{API}/incidents", tags=["incidents"], dependencies=[Authorized])


def _load(siaga: SiagaDep, incident_id: uuid.UUID,
          who: Principal_ | None = None) -> IncidentPublic:
    with siaga.uow() as uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        if who is not None:
            ensure_served(uow, incident_id, who)  # an agency sees only what it was sent to
        call_ids = [call.id for call in uow.calls.list(incident_id=incident_id)]
        return IncidentPublic.of(incident, call_ids)


@router.post("", status_code=201)
def open_incident(body: IncidentCreate, user: Person, siaga: SiagaDep) -> IncidentOpened:
    loc = body.location
    opened = siaga.bus.handle(c.OpenIncident(
        type_code=body.type, subtype_code=body.subtype, priority=body.priority,
        triage_answers=body.triage, description=body.description, call_id=body.call_id,
        location=IncidentLocation(loc.lat, loc.lon, loc.address, loc.kelurahan, loc.kecamatan),
        by=user.username))
    return IncidentOpened(id=opened.id, number=opened.number)


@router.get("")
def list_incidents(who: Principal, siaga: SiagaDep, active: bool = False,
                   limit: int = Query(default=100, ge=1, le=1000)) -> list[IncidentPublic]:
    agency = agency_of(who)
    with siaga.uow() as uow:
        if agency is not None:  # an agency sees only the incidents its units were sent to
            incidents = uow.assignments.agency_incidents(agency, limit=limit, active_only=active)
        else:
            incidents = uow.incidents.list(limit=limit, active_only=active)
        return [IncidentPublic.of(i, [call.id for call in uow.calls.list(incident_id=i.id)])
                for i in incidents]


@router.get("/{incident_id}")
def get_incident(incident_id: uuid.UUID, who: Principal, siaga: SiagaDep) -> IncidentPublic:
    return _load(siaga, incident_id, who)


@router.post("/{incident_id}/verify")
def verify_incident(incident_id: uuid.UUID, body: IncidentVerify, user: Person,
                    siaga: SiagaDep) -> IncidentPublic:
    siaga.bus.handle(c.VerifyIncident(incident_id=incident_id, by=user.username,
                                      method=body.method))
    return _load(siaga, incident_id)


@router.post("/{incident_id}/notes", status_code=201)
def add_note(incident_id: uuid.UUID, body: NoteCreate, user: Person,
             siaga: SiagaDep) -> NotePublic:
    note = siaga.bus.handle(c.AddIncidentNote(incident_id=incident_id, text=body.text,
                                              by=user.username))
    return NotePublic(id=note.id, at=note.at, author=note.author, text=note.text)


@router.post("/{incident_id}/calls")
def link_call(incident_id: uuid.UUID, body: CallLink, user: Person,
              siaga: SiagaDep) -> IncidentPublic:
    siaga.bus.handle(c.LinkCallToIncident(call_id=body.call_id, incident_id=incident_id,
                                          by=user.username))
    return _load(siaga, incident_id)
