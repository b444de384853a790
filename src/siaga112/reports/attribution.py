"""Which agencies an incident counts for: the one rule, in one place.

An incident counts for each agency whose units were dispatched to it (the dispatch
engine's assignments). An incident with no assignment at all (history imported from an
older system, or one handled before dispatch was recorded) falls back to the center
file: it counts for every agency whose `incident_types` include its type, so an accident
counts for Dinkes, Polresta, Basarnas and Dishub in Kendari's file. Either way the
per-agency figures may add up to more than the number of incidents.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import incidents
from siaga112.adapters.db.tables_dispatch import unit_assignments
from siaga112.config import CenterConfig

RULE = "dispatched_agencies_else_agency_incident_types"


def agency_type_pairs(center: CenterConfig) -> list[tuple[str, str]]:
    """(agency code, incident type) as the center file declares them."""
    return sorted((agency.code, type_code) for agency in center.agencies
                  for type_code in agency.incident_types)


def incident_agencies(center: CenterConfig) -> sa.Subquery:
    """A selectable of (incident_id, agency_code): each incident with each agency it counts for."""
    pairs = agency_type_pairs(center) or [("", "")]  # no pair: a row that joins nothing
    declared = sa.union_all(*[
        sa.select(sa.literal(agency, sa.String).label("agency_code"),
                  sa.literal(type_code, sa.String).label("type_code"))
        for agency, type_code in pairs]).subquery("declared")
    a = unit_assignments.c
    dispatched = sa.select(a.incident_id, a.agency_code).distinct()
    never_dispatched = ~sa.exists().where(a.incident_id == incidents.c.id)
    by_type = (sa.select(incidents.c.id.label("incident_id"), declared.c.agency_code)
               .join_from(incidents, declared, declared.c.type_code == incidents.c.type_code)
               .where(never_dispatched))
    return sa.union_all(dispatched, by_type).subquery("incident_agencies")
