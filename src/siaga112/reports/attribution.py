"""Which agencies an incident counts for: the one rule, in one place.

Until dispatch records which agencies' units went to an incident, an incident counts
for every agency whose configured `incident_types` (the center file's `[[agencies]]`)
include the incident's type. An accident therefore counts for Dinkes, Polresta,
Basarnas and Dishub in Kendari's file, and the per-agency figures may add up to more
than the number of incidents. When dispatch exists, `incident_agencies` becomes a
select of (incident, agency) from its assignments, and every report follows.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import incidents
from siaga112.config import CenterConfig

RULE = "agency_incident_types"


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
    return (sa.select(incidents.c.id.label("incident_id"), declared.c.agency_code)
            .join_from(incidents, declared, declared.c.type_code == incidents.c.type_code)
            .subquery("incident_agencies"))
