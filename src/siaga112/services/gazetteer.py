"""The center's gazetteer, built once from its configuration; search by name with typos.

Names are compared on their Indonesian name keys (domain/gazetteer.py: no hyphens or
spaces, doubled letters single, old spellings modernised), scored with RapidFuzz.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from rapidfuzz import fuzz

from siaga112.config import CenterConfig
from siaga112.domain.gazetteer import (
    Area, Gazetteer, Kecamatan, Kelurahan, Place, display_name, name_key, office_hull,
)
from siaga112.domain.geo import GeoPoint

MIN_SCORE = 70.0
KIND_ORDER = {"kelurahan": 0, "kecamatan": 1, "facility": 2}
_cache: OrderedDict[int, tuple[CenterConfig, Gazetteer]] = OrderedDict()
_lock = threading.Lock()


def build_gazetteer(center: CenterConfig) -> Gazetteer:
    cfg = center.gazetteer
    kecamatan = {k.code: Kecamatan(k.code, display_name(k.name)) for k in cfg.kecamatan}
    kelurahan = [Kelurahan(code=k.code, name=display_name(k.name),
                           kecamatan=kecamatan[k.kecamatan],
                           office=GeoPoint(k.lat, k.lon),
                           polygon=tuple(GeoPoint(lat, lon) for lat, lon in k.polygon))
                 for k in cfg.kelurahan]
    facilities = [Place(kind="facility", code=s.code, name=s.name, point=GeoPoint(s.lat, s.lon))
                  for s in center.stations]
    loc = center.location
    if loc.area:
        area = Area(polygons=(tuple(GeoPoint(lat, lon) for lat, lon in loc.area),))
    elif any(k.polygon for k in kelurahan):
        area = Area(polygons=tuple(k.polygon for k in kelurahan if len(k.polygon) >= 3))
    elif kelurahan:
        area = Area(polygons=(office_hull(kelurahan),), margin_m=loc.area_margin_km * 1000)
    else:  # no gazetteer: a circle around the map's centre
        area = Area(centre=GeoPoint(*center.center.map_center))
    return Gazetteer(kelurahan=kelurahan, facilities=facilities, area=area)


def gazetteer_for(center: CenterConfig) -> Gazetteer:
    """The gazetteer of a loaded center, built on first use (a few centers per process)."""
    key = id(center)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is center:
            _cache.move_to_end(key)
            return hit[1]
    built = build_gazetteer(center)
    with _lock:
        _cache[key] = (center, built)
        while len(_cache) > 8:
            _cache.popitem(last=False)
    return built


@dataclass(frozen=True)
class Hit:
    place: Place
    score: float


def _score(query: str, place: Place) -> float:
    best = fuzz.ratio(query, place.key)
    if len(query) >= 3 and place.key.startswith(query):
        best = max(best, 80.0 + 10.0 * len(query) / len(place.key))  # still typing
    for word in place.words:
        if word != place.key:  # one word of a longer name ("Puskesmas Mata")
            best = max(best, 0.9 * fuzz.ratio(query, word))
    return best


def search(gazetteer: Gazetteer, text: str, *, limit: int = 10,
           min_score: float = MIN_SCORE) -> list[Hit]:
    """Places whose name is like `text`, best first (then kelurahan before kecamatan
    before facilities, then by name)."""
    query = name_key(text)
    if not query:
        return []
    hits = [Hit(p, round(s, 1)) for p in gazetteer.places
            if (s := _score(query, p)) >= min_score]
    hits.sort(key=lambda h: (-h.score, KIND_ORDER.get(h.place.kind, 9), h.place.name))
    return hits[:limit]
