"""Maps the pure domain classes onto the tables from outside (the domain never knows)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry, relationship

from siaga112.adapters.db import orm_dispatch, tables
from siaga112.domain.accounts import ServiceAccount, User
from siaga112.domain.callbacks import CallbackTask
from siaga112.domain.calls import Call
from siaga112.domain.incidents import Incident, IncidentNote
from siaga112.domain.locations import LocationFix
from siaga112.domain.organization import Agency, Station
from siaga112.domain.positions import Position
from siaga112.domain.units import Unit

mapper_registry = registry(metadata=tables.metadata)
_started = False
AGGREGATES_WITH_EVENTS = (Call, Incident, Unit, Position, CallbackTask)


def start_mappers() -> None:
    """Idempotent: maps once per process."""
    global _started
    if _started:
        return
    _started = True
    m = mapper_registry.map_imperatively
    m(Agency, tables.agencies)
    m(Station, tables.stations)
    m(IncidentNote, tables.incident_notes)
    m(Incident, tables.incidents, version_id_col=tables.incidents.c.version, properties={
        "notes": relationship(IncidentNote, order_by=tables.incident_notes.c.at,
                              cascade="all, delete-orphan", lazy="selectin"),
    })
    m(Call, tables.calls, version_id_col=tables.calls.c.version)
    m(Unit, tables.units, version_id_col=tables.units.c.version)
    m(Position, tables.positions)
    m(LocationFix, tables.location_fixes)
    m(User, tables.users)
    m(ServiceAccount, tables.service_accounts)
    m(CallbackTask, tables.tables_telephony.callback_tasks)
    orm_dispatch.map_dispatch(m)
    for cls in AGGREGATES_WITH_EVENTS:
        event.listen(cls, "load", _fresh_event_list)


def _fresh_event_list(target: Any, _context: Any) -> None:
    # Loaded objects skip __init__, so they need their own list of new events.
    target.events = []
