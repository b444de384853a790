"""Possible duplicates: a new report of what may be an incident the center already has.

Several people call about the same fire. When a call-taker is about to open an incident,
the open incidents of the same type that were opened nearby a short while ago are shown,
so that the call can join one of them instead of creating a second incident.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from siaga112.domain.errors import InvalidValue
from siaga112.domain.geo import EARTH_RADIUS_M, GeoPoint
from siaga112.domain.incidents import Incident
from siaga112.domain.lifecycle import check_aware

DEFAULT_DISTANCE_M = 500.0
DEFAULT_MINUTES = 30.0


@dataclass(frozen=True)
class DuplicateRule:
    """How near and how recent an open incident of the same type must be."""

    distance_m: float = DEFAULT_DISTANCE_M
    minutes: float = DEFAULT_MINUTES

    def __post_init__(self) -> None:
        if not (math.isfinite(self.distance_m) and self.distance_m > 0):
            raise InvalidValue(f"duplicate distance {self.distance_m} must be more than 0 m")
        if not (math.isfinite(self.minutes) and self.minutes > 0):
            raise InvalidValue(f"duplicate window {self.minutes} must be more than 0 minutes")


@dataclass(frozen=True)
class PossibleDuplicate:
    incident: Incident
    distance_m: float
    age_minutes: float


@dataclass(frozen=True)
class SearchBox:
    """A latitude/longitude box around a point that holds every point within a distance:
    what a database can narrow down with plain comparisons before the exact distance."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def search_box(point: GeoPoint, distance_m: float) -> SearchBox:
    angle = distance_m / EARTH_RADIUS_M  # the circle's angular radius
    dlat = math.degrees(angle)
    if abs(point.lat) + dlat >= 90.0 or angle >= math.pi / 2:
        dlon = 180.0  # the circle holds a pole: every longitude
    else:  # the widest longitude span of a circle on the sphere
        dlon = math.degrees(math.asin(min(1.0, math.sin(angle) /
                                          math.cos(math.radians(point.lat)))))
    # A circle across the antimeridian is cut at ±180 (no Indonesian center is there).
    return SearchBox(max(-90.0, point.lat - dlat), min(90.0, point.lat + dlat),
                     max(-180.0, point.lon - dlon), min(180.0, point.lon + dlon))


def possible_duplicates(incidents: Iterable[Incident], *, type_code: str, point: GeoPoint,
                        now: datetime, rule: DuplicateRule = DuplicateRule()
                        ) -> list[PossibleDuplicate]:
    """Open incidents of the same type, opened at most `rule.minutes` ago and at most
    `rule.distance_m` from the point; nearest first, then the most recent.

    Incidents without a place cannot be compared and are left out; so are closed ones
    (resolved, cancelled, false alarm): a new call about them is a new incident.
    """
    check_aware(now)
    found = []
    for incident in incidents:
        if incident.type_code != type_code or not incident.active:
            continue
        if incident.location_lat is None or incident.location_lon is None:
            continue
        age = max(0.0, (now - incident.created_at).total_seconds() / 60.0)
        if age > rule.minutes:
            continue
        distance = point.distance_m(GeoPoint(incident.location_lat, incident.location_lon))
        if distance <= rule.distance_m:
            found.append(PossibleDuplicate(incident, distance, age))
    found.sort(key=lambda d: (d.distance_m, d.age_minutes))
    return found
