"""Route times on a road network read from an OSM file, against times computed by hand."""

from __future__ import annotations

import pytest

from siaga112.adapters.routing.osm_graph import (
    OsmTravelTimes, RoadNetworkError, load_road_graph, read_osm,
)
from siaga112.domain.geo import GeoPoint
from tests.unit.routing.town import A, B, C, E, F, G, L, SPEEDS, write_osm_pbf, write_osm_xml


@pytest.fixture(params=["osm", "osm.pbf"])
def town_file(request, tmp_path):
    """The same town through both readers: OSM XML and PBF (written with osmium)."""
    if request.param == "osm":
        return write_osm_xml(tmp_path / "town.osm")
    return write_osm_pbf(tmp_path / "town.osm.pbf")


@pytest.fixture
def router(town_file):
    # Access legs (from a point to its road) at 18 km/h = 5 m/s, like a residential street.
    return OsmTravelTimes(town_file, speeds_kmh=SPEEDS, access_speed_kmh=18.0, max_snap_m=500)


def eta(router, origin, destination):
    [est] = router.travel_to([GeoPoint(*origin)], GeoPoint(*destination))
    return est


def test_the_graph_keeps_roads_with_a_speed_and_drops_the_footway(town_file):
    graph = read_osm(town_file, SPEEDS)
    assert graph.node_count == 8  # A..H; the footway adds no node of its own
    # A-B, B-C, A-E, C-D, G-H both ways (10 edges) and F<-D, E<-F one way (2 edges).
    assert graph.edge_count == 12


def test_a_one_way_street_is_taken_only_in_its_direction(router):
    # C -> E: C-D (L at 5 m/s) then along the one-way D-F-E (2L at 10 m/s) = 0.4 L s.
    to_e = eta(router, C, E)
    assert to_e.seconds == pytest.approx(0.4 * L, rel=1e-4)
    assert to_e.meters == pytest.approx(3 * L, rel=1e-4)
    # E -> C may not use it against the flow: E-A (L/5) then A-B-C (2L/5) = 0.6 L s.
    to_c = eta(router, E, C)
    assert to_c.seconds == pytest.approx(0.6 * L, rel=1e-4)
    assert to_c.method == "osm"
    # E is also the end of the one-way: reached straight from A (L at 5 m/s), whichever
    # of its streets it is snapped to.
    assert eta(router, A, E).seconds == pytest.approx(0.2 * L, rel=1e-4)


def test_a_footway_is_no_shortcut_for_a_vehicle(router):
    # F -> B: the footway is L long, but a car goes F-E (L/10), E-A (L/5), A-B (L/5).
    assert eta(router, F, B).seconds == pytest.approx(0.5 * L, rel=1e-4)


def test_points_are_snapped_to_the_nearest_road_and_the_walk_to_it_counts(router):
    # Halfway along A-B: 0.5 L to B at 5 m/s, then B-C: 0.1 L + 0.2 L.
    assert eta(router, (0.0, 0.0005), C).seconds == pytest.approx(0.3 * L, rel=1e-4)
    # 0.1 L north of that point (still nearest to A-B): plus 0.1 L at 5 m/s to the road.
    off = eta(router, (0.0001, 0.0005), C)
    assert off.seconds == pytest.approx(0.32 * L, rel=1e-4)
    assert off.meters == pytest.approx(1.6 * L, rel=1e-4)


def test_unit_and_incident_on_the_same_street_go_straight_along_it(router):
    assert eta(router, (0.0, 0.0002), (0.0, 0.0008)).seconds == pytest.approx(0.12 * L, rel=1e-4)


def test_no_road_between_them_or_too_far_from_any_road_is_no_estimate(router):
    assert eta(router, G, C) is None  # G-H is a road on its own
    assert eta(router, (0.5, 0.5), C) is None  # 55 km from the nearest road
    many = router.travel_to([GeoPoint(*A), GeoPoint(*G), GeoPoint(*E)], GeoPoint(*C))
    assert [m is None for m in many] == [False, True, False]
    assert many[0].seconds == pytest.approx(0.4 * L, rel=1e-4)


def test_a_bounded_search_leaves_farther_units_unmeasured(router):
    # To E: from A 0.2 L = 22 s (measured), from C 0.4 L = 44 s (past 30 s: infinite).
    from_a, from_c = router.travel_to([GeoPoint(*A), GeoPoint(*C)], GeoPoint(*E), within_s=30)
    assert from_a.seconds == pytest.approx(0.2 * L, rel=1e-4)
    assert from_c.seconds == float("inf")
    assert router.travel_to([GeoPoint(*C)], GeoPoint(*E), within_s=60)[0].seconds == \
        pytest.approx(0.4 * L, rel=1e-4)


def test_the_graph_is_built_once_and_kept(town_file):
    first = load_road_graph(town_file, SPEEDS)
    assert load_road_graph(town_file, SPEEDS) is first
    assert load_road_graph(town_file, {**SPEEDS, "primary": 50.0}) is not first


def test_an_unreadable_or_roadless_file_is_a_clear_error(tmp_path):
    with pytest.raises(RoadNetworkError, match="no such OSM file"):
        read_osm(tmp_path / "missing.osm.pbf", SPEEDS)
    garbage = tmp_path / "garbage.osm"
    garbage.write_text("<osm><node id='1' lat='0' lon='0'/></osm>", encoding="utf-8")
    with pytest.raises(RoadNetworkError, match="cannot read OSM data"):
        read_osm(garbage, SPEEDS)
    roadless = tmp_path / "roadless.osm"
    roadless.write_text("<osm version='0.6'><node id='1' version='1' lat='0' lon='0'/></osm>",
                        encoding="utf-8")
    with pytest.raises(RoadNetworkError, match="no drivable road"):
        read_osm(roadless, SPEEDS)
