"""The duplicate rule: open incidents of the same type, near and recent, nearest first."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.domain.duplicates import DuplicateRule, possible_duplicates, search_box
from siaga112.domain.errors import InvalidValue
from siaga112.domain.geo import GeoPoint
from siaga112.domain.incidents import Incident, IncidentLocation, Priority, VerificationMethod

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
HERE = GeoPoint(-3.9700, 122.5150)  # near pasar Mandonga
M_PER_DEG_LAT = 111_195.0  # on the mean sphere


def north(metres: float) -> GeoPoint:
    return GeoPoint(HERE.lat + metres / M_PER_DEG_LAT, HERE.lon)


def incident(number: str, *, type_code: str = "fire", at: datetime = T0,
             point: GeoPoint | None = HERE) -> Incident:
    location = IncidentLocation(point.lat, point.lon) if point else IncidentLocation()
    return Incident.open(number=number, type_code=type_code, subtype_code=None,
                         priority=Priority.P2, location=location, description=None,
                         by="ani", at=at)


def numbers(found) -> list[str]:
    return [d.incident.number for d in found]


def test_the_same_type_near_and_recent_is_a_possible_duplicate_nearest_first() -> None:
    far_ok = incident("A", point=north(450))
    near = incident("B", point=north(100), at=T0 + timedelta(minutes=5))
    found = possible_duplicates([far_ok, near], type_code="fire", point=HERE,
                                now=T0 + timedelta(minutes=10))
    assert numbers(found) == ["B", "A"]
    assert found[0].distance_m == pytest.approx(100, abs=0.5)
    assert found[0].age_minutes == pytest.approx(5)
    assert found[1].age_minutes == pytest.approx(10)


@pytest.mark.parametrize(("metres", "minutes", "shown"), [
    (499.9, 30, True),   # both limits are inclusive
    (501, 10, False),    # a little too far
    (10, 30.1, False),   # a little too old
    (0, 0, True),
])
def test_the_default_limits_are_500_m_and_30_minutes(metres, minutes, shown) -> None:
    found = possible_duplicates([incident("A", point=north(metres))], type_code="fire",
                                point=HERE, now=T0 + timedelta(minutes=minutes))
    assert bool(found) is shown


def test_other_types_closed_ones_and_ones_without_a_place_are_left_out() -> None:
    other = incident("A", type_code="medical")
    nowhere = incident("B", point=None)
    verified = incident("C")
    verified.verify(by="ani", method=VerificationMethod.CALLER_CONFIRMED, at=T0)
    cancelled = incident("D")
    cancelled.cancel(by="ani", at=T0, reason="caller mistaken")
    resolved = incident("E")
    resolved.verify(by="ani", method=VerificationMethod.CALLER_CONFIRMED, at=T0)
    resolved.resolve(by="ani", at=T0)
    found = possible_duplicates([other, nowhere, verified, cancelled, resolved],
                                type_code="fire", point=HERE, now=T0)
    assert numbers(found) == ["C"]  # verified or dispatched: still open, still the same fire


def test_a_center_sets_its_own_limits_and_nonsense_is_refused() -> None:
    wide = DuplicateRule(distance_m=2000, minutes=120)
    found = possible_duplicates([incident("A", point=north(1500))], type_code="fire",
                                point=HERE, now=T0 + timedelta(minutes=90), rule=wide)
    assert numbers(found) == ["A"]
    for distance, minutes in ((0, 30), (500, 0), (-1, 30), (float("nan"), 30)):
        with pytest.raises(InvalidValue):
            DuplicateRule(distance_m=distance, minutes=minutes)
    with pytest.raises(InvalidValue):
        possible_duplicates([], type_code="fire", point=HERE, now=T0.replace(tzinfo=None))


def test_an_incident_opened_a_moment_after_the_clock_reads_counts_as_new() -> None:
    found = possible_duplicates([incident("A", at=T0 + timedelta(seconds=2))],
                                type_code="fire", point=HERE, now=T0)
    assert numbers(found) == ["A"] and found[0].age_minutes == 0


@pytest.mark.parametrize("lat", [-3.97, 0.0, 60.0, -89.99])
def test_the_search_box_holds_every_point_within_the_distance(lat) -> None:
    centre = GeoPoint(lat, 122.5)
    box = search_box(centre, 500)
    for bearing in range(0, 360, 15):  # a point 499 m away along each bearing
        d = 499 / 6_371_008.8
        b = math.radians(bearing)
        p1, l1 = math.radians(lat), math.radians(122.5)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                             math.cos(d) - math.sin(p1) * math.sin(p2))
        point = GeoPoint(math.degrees(p2), math.degrees(l2))
        assert centre.distance_m(point) == pytest.approx(499, abs=0.5)
        assert box.min_lat <= point.lat <= box.max_lat
        assert box.min_lon <= point.lon <= box.max_lon
