"""Straight-line ETAs by hand, an OSRM client against a fake OSRM server on 127.0.0.1,
and the fallback a center gets when its router does not answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from siaga112.adapters.routing.factory import WithFallback, travel_time_provider
from siaga112.adapters.routing.osm_graph import OsmTravelTimes
from siaga112.adapters.routing.osrm import OsrmTravelTimes, RoutingUnavailable
from siaga112.adapters.routing.straight_line import StraightLineTravelTimes
from siaga112.config import RoutingConfig
from siaga112.domain.geo import GeoPoint
from tests.unit.routing.town import L

ORIGIN, DEST = GeoPoint(0.0, 0.0), GeoPoint(0.0, 0.01)  # 10 L = 1,111.95 m apart


def test_straight_line_is_distance_times_circuity_at_the_average_speed():
    router = StraightLineTravelTimes(circuity=1.5, speed_kmh=36.0)  # 10 m/s
    [est] = router.travel_to([ORIGIN], DEST)
    assert est.meters == pytest.approx(15 * L)
    assert est.seconds == pytest.approx(1.5 * L)
    assert est.method == "straight_line"
    with pytest.raises(ValueError):
        StraightLineTravelTimes(circuity=0.9)


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table like OSRM: 100 s and 1,000 m per origin index; `null` for index 2."""

    requests: list[str] = []
    fail = False

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        FakeOsrm.requests.append(self.path)
        query = parse_qs(self.path.partition("?")[2])
        if FakeOsrm.fail:
            body, status = {"code": "InvalidQuery", "message": "broken"}, 400
        else:
            sources = [int(s) for s in query["sources"][0].split(";")]
            body, status = {"code": "Ok",
                            "durations": [[None if s == 2 else 100.0 * s] for s in sources],
                            "distances": [[None if s == 2 else 1000.0 * s] for s in sources]}, 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[str]:
    FakeOsrm.requests, FakeOsrm.fail = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_osrm_table_one_request_for_all_units(osrm):
    router = OsrmTravelTimes(osrm, profile="driving")
    origins = [GeoPoint(-3.97, 122.5), GeoPoint(-3.98, 122.51), GeoPoint(-3.99, 122.52)]
    got = router.travel_to(origins, GeoPoint(-3.96, 122.6))
    assert [(e.seconds, e.meters) if e else None for e in got] == [
        (100.0, 1000.0), None, (300.0, 3000.0)]
    assert got[0].method == "osrm"
    [path] = FakeOsrm.requests
    route, _, query_text = path.partition("?")
    # The destination first, then the origins, as lon,lat (OSRM's order).
    assert route == ("/table/v1/driving/122.600000,-3.960000;122.500000,-3.970000;"
                        "122.510000,-3.980000;122.520000,-3.990000")
    query = parse_qs(query_text)
    assert (query["sources"], query["destinations"]) == (["1;2;3"], ["0"])


def test_an_osrm_error_falls_back_to_the_straight_line(osrm):
    FakeOsrm.fail = True
    with pytest.raises(RoutingUnavailable, match="InvalidQuery"):
        OsrmTravelTimes(osrm).travel_to([ORIGIN], DEST)
    router = travel_time_provider(RoutingConfig(provider="osrm", osrm_url=osrm, circuity=1.5,
                                                speed_kmh=36.0))
    [est] = router.travel_to([ORIGIN], DEST)
    assert est.seconds == pytest.approx(1.5 * L)
    assert est.method == "straight_line (fallback: osrm failed)"


def test_an_osrm_server_that_is_down_falls_back_too():
    router = travel_time_provider(RoutingConfig(provider="osrm", osrm_url="http://127.0.0.1:9",
                                                timeout_seconds=1))
    [est] = router.travel_to([ORIGIN], DEST)
    assert est.method.startswith("straight_line (fallback")


def test_the_provider_follows_the_center_file(tmp_path):
    assert travel_time_provider(RoutingConfig()).name == "straight_line"
    osm = travel_time_provider(RoutingConfig(provider="osm", osm_file="town.osm.pbf"),
                               base_dir=tmp_path)
    assert isinstance(osm, WithFallback) and isinstance(osm.primary, OsmTravelTimes)
    assert osm.primary.path == tmp_path / "town.osm.pbf"  # relative to the center file
    # A missing OSM file does not stop dispatching: the straight line answers.
    osm.warm()  # at start: logged, not fatal
    [est] = osm.travel_to([ORIGIN], DEST)
    assert est.method == "straight_line (fallback: osm failed)"
    with pytest.raises(ValueError, match="osm_file"):
        RoutingConfig(provider="osm")
