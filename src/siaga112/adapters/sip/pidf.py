"""NG112 location in the INVITE (RFC 6442): `Geolocation: <cid:...>` pointing into a
multipart/mixed body whose `application/pidf+xml` part is a PIDF-LO (RFC 4119, 5491).

Point and Circle are read exactly; other shapes (Polygon, Ellipse, ArcBand, Sphere,
Ellipsoid, Prism) become their centroid plus the radius that covers them. A location that
cannot be read raises LocationError: the caller logs it and the call goes on.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from siaga112.adapters.sip.message import SipMessage, addr_uri, split_commas
from siaga112.domain.locations import LocationMethod

GML = "{http://www.opengis.net/gml}"
GS = "{http://www.opengis.net/pidflo/1.0}"
GP = "{urn:ietf:params:xml:ns:pidf:geopriv10}"
PIDF = "{urn:ietf:params:xml:ns:pidf}"
DM = "{urn:ietf:params:xml:ns:pidf:data-model}"
CONF = "{urn:ietf:params:xml:ns:geopriv:conf}"
METRES = {"urn:ogc:def:uom:EPSG::9001", "", "m"}
DEGREES = {"urn:ogc:def:uom:EPSG::9102", "", "deg"}
MAX_PART_BYTES = 32_768
EARTH_RADIUS_M = 6_371_008.8
_BOUNDARY = re.compile(r'boundary\s*=\s*("([^"]+)"|[^;\s]+)', re.IGNORECASE)
METHODS = {"gps": LocationMethod.GNSS, "a-gps": LocationMethod.GNSS,
           "gnss": LocationMethod.GNSS, "cell": LocationMethod.CELL,
           "e-cid": LocationMethod.CELL, "otdoa": LocationMethod.CELL,
           "aoa": LocationMethod.CELL, "tdoa": LocationMethod.CELL,
           "wiremap": LocationMethod.MANUAL, "manual": LocationMethod.MANUAL,
           "802.11": LocationMethod.WIFI, "wifi": LocationMethod.WIFI,
           "wlan": LocationMethod.WIFI}


class LocationError(ValueError):
    pass


@dataclass(frozen=True)
class NetworkLocation:
    lat: float
    lon: float
    radius_m: float | None
    shape: str
    method: LocationMethod = LocationMethod.UNKNOWN
    confidence: float | None = None
    fixed_at: datetime | None = None


def location_of(msg: SipMessage) -> NetworkLocation | None:
    """The INVITE's location by value, None if it carries none. Raises LocationError."""
    refs = [addr_uri(v) for v in msg.values("geolocation")]
    cids = [unquote(r[4:]) for r in refs if r.lower().startswith("cid:")]
    parts = body_parts(msg)
    pidf = [p for p in parts if p[0].lower().startswith("application/pidf+xml")]
    if not cids and not pidf:
        if refs:
            raise LocationError(f"location by reference only ({refs[0][:60]}): not fetched")
        return None
    if cids:
        chosen = [p for p in pidf if p[1] in cids]
        if not chosen:
            raise LocationError("Geolocation points to no application/pidf+xml body part")
        pidf = chosen
    return parse_pidf(pidf[0][2])


def body_parts(msg: SipMessage) -> list[tuple[str, str, bytes]]:
    """(content type, content id without <>, body) of each part; one part if not multipart."""
    ctype = msg.get("content-type") or ""
    if not ctype.lower().startswith("multipart/"):
        return [(ctype, "", msg.body)] if msg.body else []
    match = _BOUNDARY.search(ctype)
    if not match:
        raise LocationError("multipart body without a boundary")
    boundary = (match.group(2) or match.group(1)).encode()
    chunks = msg.body.split(b"--" + boundary)
    if len(chunks) < 3:
        raise LocationError("multipart body without its parts or closing boundary")
    if not any(chunk.startswith(b"--") for chunk in chunks[2:]):
        raise LocationError("multipart body without its closing boundary")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, body = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = chunk.lstrip(b"\n").partition(b"\n\n")
        if not sep:
            raise LocationError("multipart part without headers")
        fields = {}
        for line in head.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        parts.append((fields.get("content-type", "text/plain"),
                      fields.get("content-id", "").strip("<>"), body.rstrip(b"\r\n")))
    return parts


def parse_pidf(xml: bytes) -> NetworkLocation:
    if len(xml) > MAX_PART_BYTES:
        raise LocationError("PIDF-LO part too large")
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        raise LocationError("PIDF-LO with a DOCTYPE or ENTITY is refused")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise LocationError(f"PIDF-LO is not well-formed XML: {exc}") from None
    info = next(root.iter(f"{GP}location-info"), None)
    if info is None:
        raise LocationError("PIDF-LO without location-info")
    shape = next((el for el in info if el.tag.startswith((GML, GS))), None)
    if shape is None:
        raise LocationError("location-info without a geodetic shape (civic only?)")
    lat, lon, radius, name = _shape(shape)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise LocationError(f"coordinates out of range: {lat}, {lon}")
    method_el = next(root.iter(f"{GP}method"), None)
    method = METHODS.get((method_el.text or "").strip().lower(), LocationMethod.UNKNOWN) \
        if method_el is not None else LocationMethod.UNKNOWN
    conf_el = info.find(f"{CONF}confidence")
    confidence = _float(conf_el.text, "confidence") if conf_el is not None else None
    if confidence is not None and not 0 <= confidence <= 100:
        raise LocationError(f"confidence {confidence} is not a percentage")
    return NetworkLocation(lat, lon, radius, name, method, confidence, _timestamp(root))


def _timestamp(root: ET.Element) -> datetime | None:
    for tag in (f"{PIDF}timestamp", f"{DM}timestamp"):
        el = next(root.iter(tag), None)
        if el is not None and el.text:
            try:
                at = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return at if at.tzinfo else at.replace(tzinfo=UTC)
    return None


def _float(text: str | None, what: str) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        raise LocationError(f"{what} is not a number: {(text or '')[:40]!r}") from None
    if not math.isfinite(value):
        raise LocationError(f"{what} is not finite")
    return value


def _pos(el: ET.Element | None, what: str = "pos") -> tuple[float, float]:
    if el is None or not el.text:
        raise LocationError(f"shape without its {what}")
    numbers = el.text.split()
    if len(numbers) not in (2, 3):
        raise LocationError(f"{what} needs 'lat lon' or 'lat lon alt'")
    return _float(numbers[0], "latitude"), _float(numbers[1], "longitude")


def _length(el: ET.Element | None, what: str) -> float:
    if el is None:
        raise LocationError(f"shape without its {what}")
    if el.get("uom", "") not in METRES:
        raise LocationError(f"{what} in an unknown unit {el.get('uom')!r} (metres expected)")
    value = _float(el.text, what)
    if value < 0:
        raise LocationError(f"{what} is negative")
    return value


def _shape(el: ET.Element) -> tuple[float, float, float | None, str]:
    name = el.tag.rsplit("}", 1)[1]
    if name == "Point":
        lat, lon = _pos(el.find(f"{GML}pos"))
        return lat, lon, None, name
    if name in ("Circle", "Sphere"):
        lat, lon = _pos(el.find(f"{GML}pos"))
        return lat, lon, _length(el.find(f"{GS}radius"), "radius"), name
    if name in ("Ellipse", "Ellipsoid"):
        lat, lon = _pos(el.find(f"{GML}pos"))
        return lat, lon, _length(el.find(f"{GS}semiMajorAxis"), "semiMajorAxis"), name
    if name == "ArcBand":
        return (*_arc_band(el), name)
    if name == "Polygon":
        return (*_polygon(el), name)
    if name == "Prism":
        base = el.find(f"{GS}base/{GML}Polygon")
        if base is None:
            raise LocationError("Prism without its base polygon")
        return (*_polygon(base), name)
    raise LocationError(f"unknown shape {name}")


def _polygon(el: ET.Element) -> tuple[float, float, float]:
    ring = el.find(f"{GML}exterior/{GML}LinearRing")
    if ring is None:
        raise LocationError("Polygon without an exterior LinearRing")
    pos_list = ring.find(f"{GML}posList")
    if pos_list is not None:
        numbers = [_float(n, "posList") for n in (pos_list.text or "").split()]
        dim = int(pos_list.get("srsDimension", "2") or 2)
        if dim not in (2, 3) or len(numbers) % dim:
            raise LocationError("posList length does not match its dimension")
        points = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), dim)]
    else:
        points = [_pos(p) for p in ring.findall(f"{GML}pos")]
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        raise LocationError("Polygon with fewer than 3 points")
    if any(not (-90 <= a <= 90 and -180 <= o <= 180) for a, o in points):
        raise LocationError("Polygon point out of range")
    lat0, lon0 = points[0]
    xy = [_local(lat0, lon0, a, o) for a, o in points]
    area2 = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1]):
        cross = x1 * y2 - x2 * y1
        area2 += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area2) < 1e-6:  # degenerate: the mean of the points
        cx, cy = sum(x for x, _ in xy) / len(xy), sum(y for _, y in xy) / len(xy)
    else:
        cx, cy = cx / (3 * area2), cy / (3 * area2)
    radius = max(math.hypot(x - cx, y - cy) for x, y in xy)
    lat, lon = _unlocal(lat0, lon0, cx, cy)
    return lat, lon, radius


def _arc_band(el: ET.Element) -> tuple[float, float, float]:
    lat0, lon0 = _pos(el.find(f"{GML}pos"))
    inner = _length(el.find(f"{GS}innerRadius"), "innerRadius")
    outer = _length(el.find(f"{GS}outerRadius"), "outerRadius")
    start = _angle(el.find(f"{GS}startAngle"), "startAngle")
    opening = _angle(el.find(f"{GS}openingAngle"), "openingAngle")
    if outer < inner:
        raise LocationError("ArcBand outer radius is smaller than the inner one")
    # Corners and the middle of both arcs; their centroid, and the radius covering them.
    samples = [(r, start + opening * k / 4) for r in (inner, outer) for k in range(5)]
    xy = [(r * math.sin(math.radians(b)), r * math.cos(math.radians(b))) for r, b in samples]
    cx, cy = sum(x for x, _ in xy) / len(xy), sum(y for _, y in xy) / len(xy)
    radius = max(math.hypot(x - cx, y - cy) for x, y in xy)
    lat, lon = _unlocal(lat0, lon0, cx, cy)
    return lat, lon, radius


def _angle(el: ET.Element | None, what: str) -> float:
    if el is None:
        raise LocationError(f"shape without its {what}")
    if el.get("uom", "") not in DEGREES:
        raise LocationError(f"{what} in an unknown unit {el.get('uom')!r} (degrees expected)")
    return _float(el.text, what)


def _local(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """Metres east and north of (lat0, lon0): exact enough for shapes of a few km."""
    x = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    return x, math.radians(lat - lat0) * EARTH_RADIUS_M


def _unlocal(lat0: float, lon0: float, x: float, y: float) -> tuple[float, float]:
    lat = lat0 + math.degrees(y / EARTH_RADIUS_M)
    cos = max(math.cos(math.radians(lat0)), 1e-9)
    return lat, lon0 + math.degrees(x / (EARTH_RADIUS_M * cos))


def geolocation_refs(msg: SipMessage) -> list[str]:
    return [addr_uri(v) for value in msg.get_all("geolocation") for v in split_commas(value)]
