"""The center's resources: its configuration summary, agencies, stations and units."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from siaga112.domain.accounts import Role
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.schemas import AgencyPublic, StationPublic, UnitPublic

router = APIRouter(prefix=API, tags=["resources"], dependencies=[Authorized])


@router.get("/center")
def center(_: Principal, siaga: SiagaDep) -> dict[str, Any]:
    """What a console needs to draw the center: name, zone, map, types, gazetteer."""
    cfg = siaga.center
    return {
        "center": cfg.center.model_dump(),
        "thresholds": cfg.thresholds.model_dump(),
        "incident_types": [t.model_dump() for t in cfg.incident_types],
        "gazetteer": cfg.gazetteer.model_dump(),
    }


@router.get("/agencies")
def agencies(_: Principal, siaga: SiagaDep) -> list[AgencyPublic]:
    with siaga.uow() as uow:
        return [AgencyPublic.model_validate(a) for a in uow.organization.agencies()]


@router.get("/stations")
def stations(_: Principal, siaga: SiagaDep, agency: str | None = None) -> list[StationPublic]:
    with siaga.uow() as uow:
        return [StationPublic.model_validate(s)
                for s in uow.organization.stations(agency_code=agency)]


@router.get("/units")
def units(user: Principal, siaga: SiagaDep, agency: str | None = None) -> list[UnitPublic]:
    if user.role is Role.AGENCY or getattr(user, "agency_code", None):
        agency = user.agency_code  # an agency (person or system) sees its own units only
    with siaga.uow() as uow:
        return [UnitPublic.model_validate(u) for u in uow.units.list(agency_code=agency)]
