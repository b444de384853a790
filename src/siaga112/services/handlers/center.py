"""Keep the stored agencies, stations, units and positions in line with the center's file."""

from __future__ import annotations

from dataclasses import dataclass

from siaga112.config import CenterConfig
from siaga112.domain.organization import Agency, Station
from siaga112.domain.positions import Position
from siaga112.domain.units import Unit
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int


def sync_center(cmd: c.SyncCenter, uow: UnitOfWork, *, center: CenterConfig) -> SyncReport:
    """Add what is new and update names and places; never reset a unit's live status."""
    added = updated = 0

    def upsert(existing: object | None, new: object, fields: tuple[str, ...], add: object) -> None:
        nonlocal added, updated
        if existing is None:
            add(new)  # type: ignore[operator]
            added += 1
            return
        changed = False
        for name in fields:
            if getattr(existing, name) != getattr(new, name):
                setattr(existing, name, getattr(new, name))
                changed = True
        updated += changed

    with uow:
        org = uow.organization
        for a in center.agencies:
            upsert(org.agency(a.code), Agency(code=a.code, name=a.name, kind=a.kind, phone=a.phone),
                   ("name", "kind", "phone"), org.add)
        for s in center.stations:
            upsert(org.station(s.code),
                   Station(code=s.code, name=s.name, agency_code=s.agency, lat=s.lat, lon=s.lon,
                           address=s.address, phone=s.phone, demo=s.demo, source=s.source),
                   ("name", "agency_code", "lat", "lon", "address", "phone", "demo", "source"),
                   org.add)
        for u in center.units:
            upsert(uow.units.get(u.code),
                   Unit(code=u.code, name=u.name, agency_code=u.agency, station_code=u.station,
                        unit_type=u.type, demo=u.demo),
                   ("name", "agency_code", "station_code", "unit_type", "demo"), uow.units.add)
        for p in center.positions:
            upsert(uow.positions.get(p.code),
                   Position(code=p.code, name=p.name, sip_uri=p.sip_uri, demo=p.demo),
                   ("name", "sip_uri", "demo"), uow.positions.add)
        uow.commit()
    return SyncReport(added, updated)
