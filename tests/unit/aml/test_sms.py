"""AML SMS, versions 1 and 2: exact values, the lt/lg trap, clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from siaga112.adapters.aml import AmlError, parse_any, parse_sms

# A handset in Kendari (near Puskesmas Mata), our own example from the standard's fields.
V1_KENDARI = ('A"ML=1;lt=-3.97474;lg=122.60057;rd=12;top=20251128032005;lc=68;pm=G;'
              'si=510101234567890;ei=353472104343540;mcc=510;mnc=10;ml=127')
V2_KENDARI = ('A"ML=2;en=112;et=1764300000;lo=-3.97474,122.60057,8.5;lt=-4;lc=68;'
              'lz=12.5,3.0;ls=F;ei=353472104343540;nc=51010;hc=51011;lg=id-ID')
# The public examples quoted in shared/research/standards.md.
V1_PUBLIC = ('A"ML=1;lt=48.82639;lg=-2.36619;rd=52;top=20191112112928;lc=68;pm=G;'
             'si=208201771948415;ei=353472104343540;mcc=208;mnc=20;ml=128')
V2_PUBLIC = ('A"ML=2;en=+15555555555;et=1593187189;lo=-37.42175,-122.08461,2000.1;lt=-9999;'
             'lc=68;lz=-100.1,100.1;ls=G;ei=358239059042542;nc=310260;hc=310260;lg=en-US')


def test_version_1_gives_exact_values():
    m = parse_sms(V1_KENDARI)
    assert (m.format, m.version, m.latitude, m.longitude) == ("sms-v1", "1", -3.97474, 122.60057)
    assert (m.radius, m.confidence, m.method) == (12.0, 68.0, "gnss")
    assert m.time == datetime(2025, 11, 28, 3, 20, 5, tzinfo=UTC)
    assert m.device == {"imsi": "510101234567890", "imei": "353472104343540"}
    assert m.network == {"mcc": "510", "mnc": "10"}
    assert m.warnings == ()  # ml=127 is the text's own length
    assert m.as_dict()["time"] == "2025-11-28T03:20:05Z"


def test_version_2_reads_lt_as_time_offset_and_lg_as_language():
    m = parse_sms(V2_KENDARI)
    assert (m.format, m.latitude, m.longitude, m.radius) == ("sms-v2", -3.97474, 122.60057, 8.5)
    assert m.call_started_at == datetime(2025, 11, 28, 3, 20, tzinfo=UTC)  # et=1764300000
    assert m.time == datetime(2025, 11, 28, 3, 19, 56, tzinfo=UTC)  # et + lt (-4 s)
    assert (m.confidence, m.method, m.altitude, m.vertical_accuracy) == (68.0, "fused", 12.5, 3.0)
    assert m.emergency_number == "112"
    assert m.device == {"imei": "353472104343540", "languages": "id-ID"}
    assert m.network == {"mcc": "510", "mnc": "10", "home_mcc": "510", "home_mnc": "11"}
    assert m.warnings == ()


def test_the_public_examples_parse_with_their_known_quirks():
    v1 = parse_sms(V1_PUBLIC)
    assert (v1.latitude, v1.longitude, v1.radius) == (48.82639, -2.36619, 52.0)
    assert v1.time == datetime(2019, 11, 12, 11, 29, 28, tzinfo=UTC)
    # Its ml disagrees with its own length: kept, with a warning, never refused.
    assert v1.warnings == ("ml: the message says 128 characters but has 126",)
    v2 = parse_sms(V2_PUBLIC)
    assert (v2.latitude, v2.longitude, v2.radius) == (-37.42175, -122.08461, 2000.1)
    assert v2.call_started_at == datetime.fromtimestamp(1593187189, UTC)
    assert v2.time == datetime.fromtimestamp(1593187189 - 9999, UTC)
    assert v2.device["languages"] == "en-US" and v2.network["home_mnc"] == "260"
    assert v2.warnings == ("lt: the position was taken 9999 s before the call started",)


def test_as_dict_is_what_the_cli_prints():
    d = parse_sms(V1_KENDARI).as_dict()
    assert list(d)[:8] == ["format", "version", "latitude", "longitude", "radius", "time",
                           "confidence", "method"]
    assert d["device"]["imei"] == "353472104343540" and d["warnings"] == []


def test_tolerated_variations():
    curly = parse_sms(V1_KENDARI.replace('A"ML', "A\u201dML") + "\r\n")
    assert curly.latitude == -3.97474 and curly.warnings == ()
    bare = parse_sms('A"ML=1;lt=-3.9;lg=122.5')
    assert (bare.radius, bare.time, bare.confidence, bare.method) == (None, None, None, "unknown")
    odd = parse_sms('A"ML=1;lt=-3.9;lg=122.5;pm=X;ei=12;zz=hello')
    assert odd.method == "unknown" and odd.device == {} and odd.extra == {"zz": "hello"}
    assert any("pm" in w for w in odd.warnings) and any("ei" in w for w in odd.warnings)
    assert parse_sms(b'A"ML=2;lo=-3.9,122.5').radius is None  # bytes, no accuracy


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty message"),
    ("halo, tolong", "not an AML message"),
    ('A"ML=3;lt=1;lg=1', "version 3 is not supported"),
    ('A"ML=1;rd=10', "no position: version 1 needs lt"),
    ('A"ML=1;lo=-3.9,122.5,10', "looks like version 2"),
    ('A"ML=2;lt=-3.97;lg=122.6', "version 2 needs lo="),
    ('A"ML=1;lt=-91;lg=122.6', "lt: -91 is outside -90..90"),
    ('A"ML=1;lt=nan;lg=122.6', "lt: 'nan' is not a decimal number"),
    ('A"ML=1;lt=1e3;lg=122.6', "is not a decimal number"),
    ('A"ML=1;lt=-3.9;lg=122.6;rd=-5', "rd: -5 is outside"),
    ('A"ML=1;lt=-3.9;lg=122.6;lc=150', "lc: 150 is outside 0..100"),
    ('A"ML=1;lt=-3.9;lg=122.6;top=20251332000000', "not a real date"),
    ('A"ML=1;lt=-3.9;lt=-3.8;lg=122.6', "field 'lt' appears twice"),
    ('A"ML=1;lt=-3.9;lg', "field 'lg' has no '='"),
    ('A"ML=2;lo=-3.9', "must be latitude,longitude,accuracy"),
    ('A"ML=2;lo=-3.9,122.6;et=99', "not between 2000 and 2100"),
    ('A"ML=2;lo=-3.9,122.6;et=1764300000;lt=200000', "more than a day away"),
    (b"\xff\xfeA", "not UTF-8"),
])
def test_bad_messages_are_refused_with_the_reason(text, reason):
    with pytest.raises(AmlError) as refused:
        parse_sms(text)
    assert reason in str(refused.value)


def test_parse_any_tells_sms_from_https():
    assert parse_any(V1_KENDARI).format == "sms-v1"
    assert parse_any("location_latitude=-3.9&location_longitude=122.5").format == "https"
    crash_first = "adr_carcrash_time=1&location_latitude=1&location_longitude=2"
    assert parse_any(crash_first).format == "https"
    with pytest.raises(AmlError, match="expected text or bytes"):
        parse_any(42)  # type: ignore[arg-type]
