"""Dispatch: recommend units, send them, follow their status, tell agencies (EIDO)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from siaga112.adapters.notify.eido import eido_for_incident
from siaga112.adapters.notify.webhooks import CONTENT_TYPE
from siaga112.domain.errors import NotFound
from siaga112.domain.notifications import DeliveryStatus
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.errors import ApiError
from siaga112.entrypoints.web.schemas import UnitPublic
from siaga112.entrypoints.web.schemas_dispatch import (
    AssignmentPublic, DeliveryPublic, DispatchCreate, DispatchPublic, IncidentDispatchPublic,
    RecommendationPublic, UnitStatusSet,
)
from siaga112.entrypoints.web.visibility import agency_of, ensure_served
from siaga112.services import commands as c
from siaga112.services.recommendation import recommend_for_incident

router = APIRouter(prefix=f"{API}/dispatch", tags=["dispatch"], dependencies=[Authorized])
incident_router = APIRouter(prefix=f"{API}/incidents", tags=["dispatch"],
                            dependencies=[Authorized])


@router.get("/incidents/{incident_id}/recommendation")
def recommendation(incident_id: uuid.UUID, _: Principal, siaga: SiagaDep) -> RecommendationPublic:
    """The response plan's units, each requirement's eligible units fastest first, and why
    the others are left out."""
    assert siaga.travel is not None
    return RecommendationPublic.of(recommend_for_incident(
        siaga.uow(), incident_id=incident_id, center=siaga.center, travel=siaga.travel))


@router.post("/incidents/{incident_id}/units", status_code=201)
def dispatch_units(incident_id: uuid.UUID, body: DispatchCreate, who: Principal,
                   siaga: SiagaDep) -> DispatchPublic:
    """All the units or none; a unit already serving an incident is a 409."""
    done = siaga.bus.handle(c.DispatchUnits(incident_id=incident_id,
                                            unit_codes=tuple(body.units), by=who.username))
    with siaga.uow() as uow:
        units = {u.code: u for u in uow.units.list()}
    return DispatchPublic(dispatch_id=done.dispatch_id, assignments=[
        AssignmentPublic.of(a, units.get(a.unit_code)) for a in done.assignments])


@router.get("/incidents/{incident_id}")
def incident_dispatch(incident_id: uuid.UUID, who: Principal,
                      siaga: SiagaDep) -> IncidentDispatchPublic:
    """Every unit sent, with its timeline and intervals; the center also sees its webhooks."""
    agency = agency_of(who)
    with siaga.uow() as uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        ensure_served(uow, incident_id, who)
        assignments = uow.assignments.for_incident(incident_id)
        units = {u.code: u for u in uow.units.list()}
        deliveries = [] if agency is not None else uow.deliveries.list(incident_id=incident_id)
    return IncidentDispatchPublic(
        incident_id=incident.id, number=incident.number, status=incident.status.value,
        assignments=[AssignmentPublic.of(a, units.get(a.unit_code)) for a in assignments],
        deliveries=[DeliveryPublic.of(d) for d in deliveries],
        failed_deliveries=sum(d.status is DeliveryStatus.FAILED for d in deliveries))


def _own_unit(siaga: SiagaDep, unit_code: str, who: Principal) -> None:
    """An agency (person or system) reports only for its own units."""
    agency = agency_of(who)
    with siaga.uow() as uow:
        unit = uow.units.get(unit_code)
    if unit is None:
        raise NotFound(f"no unit {unit_code}")
    if agency is not None and unit.agency_code != agency:
        raise ApiError(403, "forbidden", f"unit {unit_code} belongs to another agency")


@router.post("/units/{unit_code}/status")
def unit_status(unit_code: str, body: UnitStatusSet, who: Principal,
                siaga: SiagaDep) -> UnitPublic:
    _own_unit(siaga, unit_code, who)
    unit = siaga.bus.handle(c.UpdateUnitStatus(unit_code=unit_code, status=body.status,
                                               by=who.username))
    return UnitPublic.model_validate(unit)


@router.post("/units/{unit_code}/acknowledge")
def acknowledge(unit_code: str, who: Principal, siaga: SiagaDep) -> AssignmentPublic:
    _own_unit(siaga, unit_code, who)
    assignment = siaga.bus.handle(c.AcknowledgeDispatch(unit_code=unit_code, by=who.username))
    with siaga.uow() as uow:
        unit = uow.units.get(unit_code)
    return AssignmentPublic.of(assignment, unit)


@router.get("/deliveries")
def deliveries(_: Principal, siaga: SiagaDep, status: DeliveryStatus | None = None,
               agency: str | None = Query(default=None, max_length=40),
               limit: int = Query(default=100, ge=1, le=1000)) -> list[DeliveryPublic]:
    """Webhook deliveries to agencies, newest first; `status=failed`: the ones to follow up."""
    with siaga.uow() as uow:
        return [DeliveryPublic.of(d) for d in uow.deliveries.list(
            status=status, agency_code=agency, limit=limit)]


@incident_router.get("/{incident_id}/eido", response_class=JSONResponse,
                     responses={200: {"content": {CONTENT_TYPE: {}}}})
def export_eido(incident_id: uuid.UUID, who: Principal, siaga: SiagaDep) -> JSONResponse:
    """The incident as an EIDO document (NENA-STA-021), as agencies receive it."""
    with siaga.uow() as uow:
        if uow.incidents.get(incident_id) is None:
            raise NotFound(f"no incident {incident_id}")
        ensure_served(uow, incident_id, who)
    document: dict[str, Any] = eido_for_incident(siaga.uow(), incident_id=incident_id,
                                                 center=siaga.center, now=siaga.clock.now())
    return JSONResponse(document, media_type=CONTENT_TYPE)
