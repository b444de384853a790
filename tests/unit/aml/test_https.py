"""AML HTTPS: the form fields, exact values, and the HMAC-SHA1 over the raw body."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from siaga112.adapters.aml import AmlError, AmlSignatureError, parse_https, sign_body, verify_hmac

KEY = b"kunci-rahasia-operator-112"
FIELDS = ("v=3&emergency_number=112&source=call&time=1764300000000"
          "&location_latitude=-3.97474&location_longitude=122.60057&location_time=1764300004500"
          "&location_altitude=21.5&location_floor=2&location_source=gps&location_accuracy=9.5"
          "&location_vertical_accuracy=4&location_confidence=68&location_bearing=90"
          "&location_speed=0.5&device_number=%2B6281234567890&device_model=Pixel+7"
          "&device_imsi=510101234567890&device_imei=353472104343540"
          "&device_iccid=8962101234567890123&cell_home_mcc=510&cell_home_mnc=10"
          "&cell_network_mcc=510&cell_network_mnc=10&device_languages=id-ID%2Cen-US")


def test_every_field_gives_its_exact_value():
    m = parse_https(sign_body(FIELDS, KEY))
    assert (m.format, m.version, m.latitude, m.longitude) == ("https", "3", -3.97474, 122.60057)
    assert (m.radius, m.confidence, m.method) == (9.5, 68.0, "gnss")
    assert m.time == datetime(2025, 11, 28, 3, 20, 4, 500000, tzinfo=UTC)
    assert m.call_started_at == datetime(2025, 11, 28, 3, 20, tzinfo=UTC)
    assert (m.altitude, m.vertical_accuracy, m.floor) == (21.5, 4.0, "2")
    assert (m.bearing, m.speed) == (90.0, 0.5)
    assert (m.emergency_number, m.device_number, m.source) == ("112", "+6281234567890", "call")
    assert m.device == {"model": "Pixel 7", "imsi": "510101234567890",
                        "imei": "353472104343540", "iccid": "8962101234567890123",
                        "languages": "id-ID,en-US"}
    assert m.network == {"mcc": "510", "mnc": "10", "home_mcc": "510", "home_mnc": "10"}
    assert m.warnings == () and m.extra == {}
    assert m.as_dict()["time"] == "2025-11-28T03:20:04.500000Z"


def test_the_hmac_is_sha1_hex_over_the_raw_body_before_it():
    body = sign_body(FIELDS, KEY)
    expected = hmac.new(KEY, FIELDS.encode(), hashlib.sha1).hexdigest()
    assert body == FIELDS.encode() + b"&hmac=" + expected.encode()
    verify_hmac(body, KEY)
    verify_hmac(body.replace(expected.encode(), expected.upper().encode()), KEY)  # hex case


@pytest.mark.parametrize(("body", "reason"), [
    (sign_body(FIELDS, b"another-key-entirely"), "does not match"),
    (sign_body(FIELDS, KEY).replace(b"-3.97474", b"-3.97475"), "does not match"),
    (FIELDS.encode(), "has no hmac field"),
    (b"hmac=" + b"0" * 40, "nothing is signed"),
    (sign_body(FIELDS, KEY) + b"&v=4", "must be the last field"),
    (FIELDS.encode() + b"&hmac=xyz", "40 hexadecimal digits"),
    (FIELDS.encode() + b"&hmac=", "40 hexadecimal digits"),
])
def test_a_wrong_or_missing_hmac_is_refused(body, reason):
    with pytest.raises(AmlSignatureError) as refused:
        verify_hmac(body, KEY)
    assert reason in str(refused.value)


def test_variants_senders_write():
    certainty = parse_https("location_latitude=-3.9&location_longitude=122.5"
                            "&location_certainty=70&location_time=1764300004&v=1")
    assert certainty.confidence == 70.0
    assert certainty.time == datetime(2025, 11, 28, 3, 20, 4, tzinfo=UTC)  # seconds, not ms
    both = parse_https("location_latitude=1&location_longitude=2&location_confidence=60"
                       "&location_certainty=70&v=1")
    assert both.confidence == 60.0 and "location_certainty differs" in both.warnings[0]
    blank = parse_https("v=1&location_latitude=1&location_longitude=2&location_accuracy="
                        "&device_number=&location_source=")
    assert (blank.radius, blank.device_number, blank.method) == (None, None, "unknown")
    odd = parse_https("location_latitude=1&location_longitude=2&location_source=laser"
                      "&device_imei=12&location_bearing=400&colour=red")
    assert odd.method == "unknown" and odd.device == {} and odd.bearing is None
    assert odd.extra == {"colour": "red"} and len(odd.warnings) == 5  # + no version


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty body"),
    (b"{}", "not URL-encoded form data"),
    (b'{"location_latitude": 1}', "not URL-encoded form data"),
    (b"a=1&&b=2", "not URL-encoded form data"),
    (b"location_latitude=%FF&location_longitude=1", "bad %-escapes"),
    ("location_latitude=é".encode(), "non-ASCII"),
    (b"location_longitude=122.6", "location_latitude and location_longitude are needed"),
    (b"location_latitude=-3.9&location_latitude=-3.8&location_longitude=1", "appears twice"),
    (b"location_latitude=91&location_longitude=1", "location_latitude: 91 is outside"),
    (b"location_latitude=1&location_longitude=1&location_accuracy=-1", "location_accuracy"),
    (b"location_latitude=1&location_longitude=1&location_confidence=101", "0..100"),
    (b"location_latitude=1&location_longitude=1&location_time=5", "between 2000 and 2100"),
    (b"Location_Latitude=1&location_longitude=1", "is not a field name"),
    (b"x=" + b"1" * 20_000, "at most 16384"),
])
def test_bad_bodies_are_refused_with_the_reason(body, reason):
    with pytest.raises(AmlError) as refused:
        parse_https(body)
    assert reason in str(refused.value)
