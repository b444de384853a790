"""Recommendation (ranking, exclusion reasons) and assignments' timelines, on plain objects."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.domain.dispatch import (
    Assignment, Exclusion, PositionSource, Step, TravelEstimate, locate, recommend,
)
from siaga112.domain.errors import Conflict
from siaga112.domain.geo import GeoPoint
from siaga112.domain.plans import UnitRequirement
from siaga112.domain.units import Unit, UnitStatus

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
STATION = GeoPoint(0.0, 0.0)
INCIDENT = GeoPoint(0.0, 0.01)


def unit(code, *, agency="damkar", type_="fire_engine", status=UnitStatus.AVAILABLE,
         fix=None, station="pos") -> Unit:
    u = Unit(code=code, name=code.title(), agency_code=agency, station_code=station,
             unit_type=type_, status=status)
    if status is UnitStatus.DISPATCHED:
        u.incident_id = uuid.UUID(int=7)
    if fix is not None:
        u.last_lat, u.last_lon = fix
    return u


class Router:
    """10 m/s in a straight line; None for points north of 0.5 (across the water)."""

    def __init__(self):
        self.calls = []

    def __call__(self, origins, destination, *, within_s=None):
        self.calls.append((list(origins), within_s))
        out = []
        for o in origins:
            seconds = o.distance_m(destination) / 10
            if o.lat > 0.5:
                out.append(None)
            elif within_s is not None and seconds > within_s:  # a bounded search stopped
                out.append(TravelEstimate(math.inf, math.inf, "test"))
            else:
                out.append(TravelEstimate(seconds, o.distance_m(destination), "test"))
        return out


def located(units):
    return {u.code: locate(u, STATION if u.station_code else None) for u in units}


def test_units_are_ranked_by_travel_time_and_the_plan_count_is_suggested():
    units = [unit("DMK-1", fix=(0.0, 0.005)), unit("DMK-2"), unit("DMK-3", fix=(0.0, 0.009)),
             unit("AMB-1", agency="dinkes", type_="ambulance", fix=(0.0, 0.02))]
    router = Router()
    reqs = [UnitRequirement("damkar", "fire_engine", 2), UnitRequirement("dinkes", "ambulance")]
    fire, ambulance = recommend(reqs, units, located(units), INCIDENT, router)
    assert [c.unit_code for c in fire.candidates] == ["DMK-3", "DMK-1", "DMK-2"]
    assert fire.suggested == ("DMK-3", "DMK-1") and fire.missing == 0
    assert fire.candidates[0].eta_seconds == pytest.approx(11.1, abs=0.1)  # 111 m at 10 m/s
    assert fire.candidates[2].position_source is PositionSource.STATION
    assert fire.candidates[0].position_source is PositionSource.LAST_FIX
    assert ambulance.suggested == ("AMB-1",)
    assert len(router.calls) == 1 and len(router.calls[0][0]) == 4  # one routing call for all


def test_every_other_unit_of_the_agency_says_why_it_is_left_out():
    units = [unit("DMK-1"), unit("DMK-BUSY", status=UnitStatus.DISPATCHED),
             unit("DMK-OOS", status=UnitStatus.OUT_OF_SERVICE),
             unit("DMK-RESCUE", type_="rescue_vehicle"), unit("DMK-NOWHERE", station=None),
             unit("DMK-ISLAND", fix=(0.9, 0.0)), unit("POL-1", agency="polresta")]
    [fire] = recommend([UnitRequirement("damkar", "fire_engine", 3)], units, located(units),
                       INCIDENT, Router())
    reasons = {e.unit_code: (e.reason, e.detail) for e in fire.excluded}
    assert reasons == {
        "DMK-BUSY": (Exclusion.BUSY, f"dispatched for incident {uuid.UUID(int=7)}"),
        "DMK-OOS": (Exclusion.OUT_OF_SERVICE, "out of service"),
        "DMK-RESCUE": (Exclusion.WRONG_TYPE,
                       "is a rescue_vehicle; the plan asks for a fire_engine"),
        "DMK-NOWHERE": (Exclusion.NO_POSITION, "no position fix and no station"),
        "DMK-ISLAND": (Exclusion.UNREACHABLE, "no road from its position to the incident"),
    }  # another agency's unit is not this requirement's business
    assert fire.suggested == ("DMK-1",) and fire.missing == 2


def test_a_returning_unit_can_be_sent_straight_on():
    units = [unit("DMK-1", status=UnitStatus.RETURNING, fix=(0.0, 0.008)), unit("DMK-2")]
    [fire] = recommend([UnitRequirement("damkar", "fire_engine")], units, located(units),
                       INCIDENT, Router())
    assert fire.suggested == ("DMK-1",) and fire.candidates[0].status is UnitStatus.RETURNING


def test_a_unit_is_suggested_for_one_requirement_only():
    units = [unit("DMK-1"), unit("DMK-2", fix=(0.0, 0.001))]
    reqs = [UnitRequirement("damkar", "fire_engine"), UnitRequirement("damkar", "fire_engine")]
    first, second = recommend(reqs, units, located(units), INCIDENT, Router())
    assert (first.suggested, second.suggested) == (("DMK-2",), ("DMK-1",))


def test_without_an_incident_location_units_are_listed_without_eta():
    units = [unit("DMK-2"), unit("DMK-1")]
    router = Router()
    [fire] = recommend([UnitRequirement("damkar", "fire_engine")], units, located(units), None,
                       router)
    assert [(c.unit_code, c.eta_seconds) for c in fire.candidates] == [("DMK-1", None),
                                                                       ("DMK-2", None)]
    assert router.calls == []


def test_a_search_radius_grows_until_each_requirement_has_its_units():
    # 10 m/s: DMK-1 is 11 s away, DMK-2 (station) 111 s, the ambulance 1,111 s.
    units = [unit("DMK-1", fix=(0.0, 0.009)), unit("DMK-2"),
             unit("AMB-1", agency="dinkes", type_="ambulance", fix=(0.0, 0.11))]
    router = Router()
    fire, ambulance = recommend(
        [UnitRequirement("damkar", "fire_engine"), UnitRequirement("dinkes", "ambulance")],
        units, located(units), INCIDENT, router, search_radius_s=60)
    # 60 s found no ambulance: 240 s, then 960 s, then 3,840 s did.
    assert [w for _, w in router.calls] == [60, 240, 960, 3840]
    assert ambulance.suggested == ("AMB-1",)
    assert fire.suggested == ("DMK-1",) and [c.unit_code for c in fire.candidates] == [
        "DMK-1", "DMK-2"]  # measured on the last, widest search


def test_units_past_the_radius_are_listed_as_farther():
    units = [unit("DMK-1", fix=(0.0, 0.009)), unit("DMK-2")]
    [fire] = recommend([UnitRequirement("damkar", "fire_engine")], units, located(units),
                       INCIDENT, Router(), search_radius_s=60)
    assert fire.suggested == ("DMK-1",)
    assert [(e.unit_code, e.reason, e.detail) for e in fire.excluded] == [
        ("DMK-2", Exclusion.FARTHER, "more than 1 min away: not measured")]


def assignment() -> Assignment:
    return Assignment(id=uuid.uuid4(), dispatch_id=uuid.uuid4(), incident_id=uuid.uuid4(),
                      unit_code="DMK-1", agency_code="damkar", dispatched_at=T0,
                      dispatched_by="budi")


def test_the_timeline_gives_the_response_intervals():
    a = assignment()
    at = lambda s: T0 + timedelta(seconds=s)  # noqa: E731
    assert a.acknowledge(by="damkar1", at=at(20)) is True
    assert a.acknowledge(by="damkar1", at=at(25)) is False  # once is enough
    a.record(UnitStatus.EN_ROUTE, at=at(90))
    a.record(UnitStatus.ON_SCENE, at=at(600))
    a.record(UnitStatus.RETURNING, at=at(2400))
    assert not a.active and a.end_status == "returning"
    a.record(UnitStatus.AVAILABLE, at=at(3000))
    assert [s for s, _ in a.timeline()] == [Step.DISPATCHED, Step.ACKNOWLEDGED, Step.EN_ROUTE,
                                            Step.ON_SCENE, Step.RETURNING, Step.CLEARED]
    assert a.intervals() == {"to_acknowledge": 20.0, "turnout": 90.0, "travel": 510.0,
                             "response": 600.0, "on_scene": 1800.0, "total": 3000.0}
    with pytest.raises(Conflict, match="has ended"):
        a.acknowledge(by="damkar1", at=at(3100))


def test_a_called_off_dispatch_ends_with_its_reason():
    a = assignment()
    a.record(UnitStatus.AVAILABLE, at=T0 + timedelta(seconds=30))
    assert (a.active, a.end_status, a.cleared_at) == (False, "available",
                                                      T0 + timedelta(seconds=30))
    assert a.intervals()["response"] is None
