"""NG112 location: Geolocation cid: into multipart/mixed with a PIDF-LO (RFC 6442/4119/5491)."""

from __future__ import annotations

import math

import pytest

from siaga112.adapters.sip.message import parse
from siaga112.adapters.sip.pidf import LocationError, location_of, parse_pidf
from siaga112.domain.locations import LocationMethod

# Kendari: the Tugu Persatuan (MTQ) square.
LAT, LON = -3.9732, 122.5154
PIDF = """<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:gml="http://www.opengis.net/gml" xmlns:gs="http://www.opengis.net/pidflo/1.0"
  xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
  xmlns:con="urn:ietf:params:xml:ns:geopriv:conf" entity="pres:caller@telco.example">
  <dm:device id="hp">
    <gp:geopriv>
      <gp:location-info>{shape}</gp:location-info>
      <gp:usage-rules/>
      <gp:method>{method}</gp:method>
    </gp:geopriv>
    <dm:timestamp>2025-06-10T01:00:05Z</dm:timestamp>
  </dm:device>
</presence>"""
POINT = f'<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{LAT} {LON}</gml:pos></gml:Point>'
CIRCLE = (f'<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{LAT} {LON}</gml:pos>'
          '<gs:radius uom="urn:ogc:def:uom:EPSG::9001">850</gs:radius></gs:Circle>'
          '<con:confidence pdf="normal">68</con:confidence>')


def pidf(shape: str, method: str = "GPS") -> bytes:
    return PIDF.format(shape=shape, method=method).encode()


def invite(body: bytes, *, geolocation: str = "<cid:loc1@telco.example>",
           content_id: str = "<loc1@telco.example>", boundary: str = "b0undary",
           part_type: str = "application/pidf+xml") -> bytes:
    sdp = b"v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n"
    parts = (f"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n".encode() + sdp +
             f"\r\n--{boundary}\r\nContent-Type: {part_type}\r\nContent-ID: "
             f"{content_id}\r\n\r\n".encode() + body + f"\r\n--{boundary}--\r\n".encode())
    head = ["INVITE urn:service:sos SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKa",
            "From: <sip:0812@telco>;tag=1", "To: <urn:service:sos>", "Call-ID: ng1",
            "CSeq: 1 INVITE", f"Geolocation: {geolocation}", "Geolocation-Routing: no",
            f"Content-Type: multipart/mixed;boundary={boundary}",
            f"Content-Length: {len(parts)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + parts


def test_a_point_is_read_exactly():
    loc = location_of(parse(invite(pidf(POINT))))
    assert loc is not None
    assert (loc.lat, loc.lon, loc.radius_m, loc.shape) == (LAT, LON, None, "Point")
    assert loc.method is LocationMethod.GNSS
    assert loc.fixed_at is not None and loc.fixed_at.isoformat() == "2025-06-10T01:00:05+00:00"


def test_a_circle_is_read_exactly_with_its_confidence():
    loc = location_of(parse(invite(pidf(CIRCLE, method="Cell"))))
    assert loc is not None
    assert (loc.lat, loc.lon, loc.radius_m, loc.shape) == (LAT, LON, 850.0, "Circle")
    assert loc.confidence == 68 and loc.method is LocationMethod.CELL


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * 6_371_008.8 * math.cos(math.radians(lat1))
    return math.hypot(x, math.radians(lat2 - lat1) * 6_371_008.8)


def test_a_polygon_becomes_its_centroid_and_a_radius_covering_it():
    d = 0.01  # a square of about 2.2 km around the point
    ring = " ".join(f"{a} {o}" for a, o in [(LAT - d, LON - d), (LAT - d, LON + d),
                                            (LAT + d, LON + d), (LAT + d, LON - d),
                                            (LAT - d, LON - d)])
    shape = (f'<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>'
             f'<gml:posList>{ring}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>')
    loc = parse_pidf(pidf(shape))
    assert _metres(loc.lat, loc.lon, LAT, LON) < 1
    corner = _metres(LAT, LON, LAT + d, LON + d)
    assert loc.shape == "Polygon" and abs(loc.radius_m - corner) < 5


@pytest.mark.parametrize(("shape", "radius"), [
    (f'<gs:Ellipse srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{LAT} {LON}</gml:pos>'
     '<gs:semiMajorAxis uom="urn:ogc:def:uom:EPSG::9001">1200</gs:semiMajorAxis>'
     '<gs:semiMinorAxis uom="urn:ogc:def:uom:EPSG::9001">300</gs:semiMinorAxis>'
     '<gs:orientation uom="urn:ogc:def:uom:EPSG::9102">40</gs:orientation></gs:Ellipse>', 1200),
    (f'<gs:Sphere srsName="urn:ogc:def:crs:EPSG::4979"><gml:pos>{LAT} {LON} 12</gml:pos>'
     '<gs:radius uom="urn:ogc:def:uom:EPSG::9001">40</gs:radius></gs:Sphere>', 40),
])
def test_ellipses_and_spheres_give_their_centre_and_largest_axis(shape, radius):
    loc = parse_pidf(pidf(shape))
    assert (loc.lat, loc.lon, loc.radius_m) == (LAT, LON, radius)


def test_an_arc_band_becomes_the_centroid_of_the_band():
    shape = (f'<gs:ArcBand srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{LAT} {LON}</gml:pos>'
             '<gs:innerRadius uom="urn:ogc:def:uom:EPSG::9001">1000</gs:innerRadius>'
             '<gs:outerRadius uom="urn:ogc:def:uom:EPSG::9001">2000</gs:outerRadius>'
             '<gs:startAngle uom="urn:ogc:def:uom:EPSG::9102">80</gs:startAngle>'
             '<gs:openingAngle uom="urn:ogc:def:uom:EPSG::9102">20</gs:openingAngle></gs:ArcBand>')
    loc = parse_pidf(pidf(shape))
    # Bearing 90 (east) at 1-2 km: the centroid lies east of the tower, about 1.5 km.
    assert loc.lat == pytest.approx(LAT, abs=0.001) and loc.lon > LON
    assert 1300 < _metres(LAT, LON, loc.lat, loc.lon) < 1600
    assert 400 < loc.radius_m < 800


def test_an_invite_without_location_has_none():
    raw = (b"INVITE sip:112@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nFrom: <sip:1@x>;tag=1"
           b"\r\nTo: <sip:112@x>\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    assert location_of(parse(raw)) is None


@pytest.mark.parametrize(("message", "why"), [
    (invite(pidf(POINT), geolocation="<cid:other@telco.example>"), "points to no"),
    (invite(pidf(POINT), geolocation="<https://lis.example/loc/1>", content_id="<x>",
            part_type="text/plain"), "by reference"),
    (invite(b"<presence><not-closed>"), "well-formed"),
    (invite(pidf("<gml:Point><gml:pos>91 122</gml:pos></gml:Point>")), "out of range"),
    (invite(pidf("<gml:Point><gml:pos>abc def</gml:pos></gml:Point>")), "not a number"),
    (invite(pidf('<gs:Circle><gml:pos>1 2</gml:pos><gs:radius uom="furlong">3</gs:radius>'
                 '</gs:Circle>')), "unit"),
    (invite(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'), "DOCTYPE"),
    (invite(pidf("<civicAddress/>")), "shape"),
])
def test_a_location_that_cannot_be_used_raises_location_error_only(message, why):
    with pytest.raises(LocationError, match=why):
        location_of(parse(message))
