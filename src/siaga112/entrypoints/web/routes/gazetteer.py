"""The center's gazetteer: find a place by name (typos and spelling variants welcome), and
name the kelurahan and kecamatan of a point."""

from __future__ import annotations

from fastapi import APIRouter, Query

from siaga112.domain.geo import GeoPoint
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.schemas_location import GazetteerHit, PlacePublic, ReversePublic
from siaga112.services.gazetteer import gazetteer_for, search

router = APIRouter(prefix=f"{API}/gazetteer", tags=["gazetteer"], dependencies=[Authorized])


@router.get("/search")
def search_places(_: Person, siaga: SiagaDep,
                  q: str = Query(min_length=1, max_length=100),
                  limit: int = Query(default=10, ge=1, le=50)) -> list[GazetteerHit]:
    """Kelurahan, kecamatan and facilities whose name is like `q`, best first."""
    return [GazetteerHit.of(h.place, h.score)
            for h in search(gazetteer_for(siaga.center), q, limit=limit)]


@router.get("/reverse")
def reverse(_: Person, siaga: SiagaDep, lat: float = Query(ge=-90, le=90),
            lon: float = Query(ge=-180, le=180)) -> ReversePublic:
    """The kelurahan and kecamatan of a point, with the distance to the kelurahan office."""
    gazetteer = gazetteer_for(siaga.center)
    point = GeoPoint(lat, lon)
    return ReversePublic(lat=lat, lon=lon, place=PlacePublic.of(gazetteer.reverse(point)),
                         outside_area=gazetteer.outside_area(point))
