"""Which units to send to an incident: the response plan's requirements, each answered by
the eligible units of its agency ranked by estimated travel time (read side, no commit)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from siaga112.config import CenterConfig
from siaga112.domain.dispatch import Located, RequirementChoice, locate, recommend
from siaga112.domain.errors import NotFound
from siaga112.domain.geo import GeoPoint
from siaga112.domain.incidents import Incident
from siaga112.domain.units import Unit
from siaga112.services.ports import TravelTimeProvider, UnitOfWork


@dataclass(frozen=True)
class Recommendation:
    incident: Incident
    plan_found: bool
    method: str
    choices: list[RequirementChoice]
    elapsed_ms: float

    @property
    def agencies(self) -> list[str]:
        return sorted({c.requirement.agency_code for c in self.choices})


def incident_point(incident: Incident) -> GeoPoint | None:
    if incident.location_lat is None or incident.location_lon is None:
        return None
    return GeoPoint(incident.location_lat, incident.location_lon)


def locate_units(uow: UnitOfWork, units: Sequence[Unit]) -> dict[str, Located]:
    stations = {s.code: GeoPoint(s.lat, s.lon) for s in uow.organization.stations()}
    return {u.code: locate(u, stations.get(u.station_code or "")) for u in units}


def recommend_for_incident(uow: UnitOfWork, *, incident_id: uuid.UUID, center: CenterConfig,
                           travel: TravelTimeProvider) -> Recommendation:
    started = time.perf_counter()
    with uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        plan = center.response_plan_book.plan_for(incident.type_code, incident.subtype_code,
                                                  incident.priority)
        requirements = plan.requirements if plan else ()
        agencies = {r.agency_code for r in requirements}
        units = [u for u in uow.units.list() if u.agency_code in agencies]
        located = locate_units(uow, units)
    minutes = center.routing.search_minutes
    choices = recommend(requirements, units, located, incident_point(incident),
                        travel.travel_to, search_radius_s=minutes * 60 if minutes else None)
    return Recommendation(incident=incident, plan_found=plan is not None, method=travel.name,
                          choices=choices,
                          elapsed_ms=round((time.perf_counter() - started) * 1000, 2))
