"""The center's places: kecamatan, kelurahan (office points, polygons when the center has
them) and facilities. Which kelurahan is a point in, is a point outside the center's area,
and the name keys that make Indonesian spellings comparable ("Wua-Wua" = "Wuawua",
"Puuwatu" = "Puwatu", "Anggoeya" = "Angguya")."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from siaga112.domain.geo import EARTH_RADIUS_M, GeoPoint

# --- names --------------------------------------------------------------------------------
# Words that say what a name is rather than which one (as data sources write them, typos too).
_ADMIN_PREFIX = re.compile(
    r"^(?:kantor\s+kelurahan|kantor\s+lurah|kator\s+lurah|kelurahan|kel\.|kecamatan|kec\.|"
    r"desa)\s*", re.IGNORECASE)
# Older and regional spellings of the same sounds (Ejaan lama and its habits).
_VARIANTS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))


def display_name(name: str) -> str:
    """The name without an administrative prefix: "Kantor lurah anaiwoi" -> "Anaiwoi"."""
    stripped = _ADMIN_PREFIX.sub("", name.strip())
    if not stripped or stripped == name.strip():
        return name.strip()
    return " ".join(w[:1].upper() + w[1:] for w in stripped.split())


def name_key(text: str) -> str:
    """A spelling-tolerant key: lower case, no accents, hyphens or spaces, old spellings
    modernised, doubled letters single ("Wua-Wua" and "wuawua" -> "wuawua")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = _ADMIN_PREFIX.sub("", plain.strip().lower())
    plain = re.sub(r"[^a-z0-9]+", "", plain)
    for old, new in _VARIANTS:
        plain = plain.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", plain)


def word_keys(text: str) -> tuple[str, ...]:
    """The key of each word ("Puskesmas Wua-Wua" -> ("puskesmas", "wuawua"))."""
    return tuple(k for k in (name_key(w) for w in display_name(text).split()) if k)


# --- places -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str


@dataclass(frozen=True)
class Kelurahan:
    code: str
    name: str
    kecamatan: Kecamatan
    office: GeoPoint  # the kantor lurah
    polygon: tuple[GeoPoint, ...] = ()  # the boundary, when the center supplies it


@dataclass(frozen=True)
class Place:
    """Something a call-taker can search for by name."""

    kind: str  # "kelurahan", "kecamatan" or "facility"
    code: str
    name: str
    point: GeoPoint
    kecamatan: Kecamatan | None = None
    key: str = field(default="", compare=False)
    words: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ReverseMatch:
    kelurahan: Kelurahan
    distance_m: float  # from the kelurahan office
    method: str  # "polygon" (inside its boundary) or "nearest_office"

    @property
    def kecamatan(self) -> Kecamatan:
        return self.kelurahan.kecamatan


# --- plane geometry around a point (a city is small enough for it) ------------------------
def _xy(origin: GeoPoint, p: GeoPoint) -> tuple[float, float]:
    """Metres east and north of `origin` (equirectangular)."""
    k = math.pi / 180 * EARTH_RADIUS_M
    return (p.lon - origin.lon) * k * math.cos(math.radians(origin.lat)), (p.lat - origin.lat) * k


def polygon_contains(polygon: Sequence[GeoPoint], point: GeoPoint) -> bool:
    """Ray casting; a point on the boundary may fall either way."""
    inside = False
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[i - 1]
        if (a.lat > point.lat) != (b.lat > point.lat):
            cross = (b.lon - a.lon) * (point.lat - a.lat) / (b.lat - a.lat) + a.lon
            if point.lon < cross:
                inside = not inside
    return inside


def _segment_distance(p: tuple[float, float], a: tuple[float, float],
                      b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy)
                                              / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def distance_to_polygon_m(polygon: Sequence[GeoPoint], point: GeoPoint) -> float:
    """Zero inside, else the distance to the nearest edge."""
    if len(polygon) >= 3 and polygon_contains(polygon, point):
        return 0.0
    corners = [_xy(point, v) for v in polygon]
    if len(corners) == 1:
        return math.hypot(*corners[0])
    return min(_segment_distance((0.0, 0.0), corners[i - 1], corners[i])
               for i in range(len(corners)))


def convex_hull(points: Iterable[GeoPoint]) -> tuple[GeoPoint, ...]:
    """Andrew's monotone chain, counter-clockwise, on (lon, lat)."""
    pts = sorted(set(points), key=lambda p: (p.lon, p.lat))
    if len(pts) <= 2:
        return tuple(pts)

    def cross(o: GeoPoint, a: GeoPoint, b: GeoPoint) -> float:
        return (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon)

    lower: list[GeoPoint] = []
    upper: list[GeoPoint] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return tuple(lower[:-1] + upper[:-1])


# --- the gazetteer ------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """The center's area: a boundary (exact, no margin) or the hull of its kelurahan
    offices with a margin (an approximation); without either, a circle."""

    polygons: tuple[tuple[GeoPoint, ...], ...] = ()
    margin_m: float = 0.0
    centre: GeoPoint | None = None
    radius_m: float = 40_000.0

    def contains(self, point: GeoPoint) -> bool:
        if self.polygons:
            return any(distance_to_polygon_m(p, point) <= self.margin_m for p in self.polygons)
        if self.centre is not None:
            return self.centre.distance_m(point) <= self.radius_m
        return True


class Gazetteer:
    def __init__(self, *, kelurahan: Sequence[Kelurahan], facilities: Sequence[Place] = (),
                 area: Area | None = None) -> None:
        self.kelurahan = tuple(kelurahan)
        self.area = area or Area()
        kecamatan: dict[str, list[Kelurahan]] = {}
        for k in self.kelurahan:
            kecamatan.setdefault(k.kecamatan.code, []).append(k)
        places = [_place("kelurahan", k.code, k.name, k.office, k.kecamatan)
                  for k in self.kelurahan]
        for members in kecamatan.values():
            middle = GeoPoint(sum(m.office.lat for m in members) / len(members),
                              sum(m.office.lon for m in members) / len(members))
            kec = members[0].kecamatan
            places.append(_place("kecamatan", kec.code, kec.name, middle, kec))
        places += [_place(f.kind, f.code, f.name, f.point, f.kecamatan) for f in facilities]
        self.places = tuple(places)

    def reverse(self, point: GeoPoint) -> ReverseMatch | None:
        """The kelurahan a point is in: by boundary when known, else the nearest office."""
        for k in self.kelurahan:
            if len(k.polygon) >= 3 and polygon_contains(k.polygon, point):
                return ReverseMatch(k, k.office.distance_m(point), "polygon")
        if not self.kelurahan:
            return None
        nearest = min(self.kelurahan, key=lambda k: k.office.distance_m(point))
        return ReverseMatch(nearest, nearest.office.distance_m(point), "nearest_office")

    def outside_area(self, point: GeoPoint) -> bool:
        return not self.area.contains(point)


def _place(kind: str, code: str, name: str, point: GeoPoint,
           kecamatan: Kecamatan | None) -> Place:
    shown = display_name(name)
    return Place(kind=kind, code=code, name=shown, point=point, kecamatan=kecamatan,
                 key=name_key(name), words=word_keys(name))


def office_hull(kelurahan: Sequence[Kelurahan]) -> tuple[GeoPoint, ...]:
    """The convex hull of the kelurahan offices (`Area` adds the margin around it)."""
    return convex_hull(k.office for k in kelurahan)
