"""Whatever arrives, the parsers answer an AmlMessage or an AmlError, never another exception;
what they accept is always a usable position."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siaga112.adapters.aml import (
    AmlError, AmlMessage, AmlSignatureError, parse_any, parse_https, parse_sms, sign_body,
    verify_hmac,
)
from tests.unit.aml.test_https import FIELDS
from tests.unit.aml.test_sms import V1_KENDARI, V2_KENDARI, V2_PUBLIC

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
PARSERS = (parse_sms, parse_https, parse_any)
KEYS_V1 = ["lt", "lg", "rd", "top", "lc", "pm", "si", "ei", "mcc", "mnc", "ml"]
KEYS_V2 = ["en", "et", "lo", "lt", "lc", "lz", "ls", "ei", "nc", "hc", "lg"]
VALUE_CHARS = st.characters(codec="utf-8", categories=["Nd", "Lu", "Ll", "Po", "Pd", "Sm", "Cc"])


def _usable(message: AmlMessage) -> None:
    assert -90 <= message.latitude <= 90 and -180 <= message.longitude <= 180
    assert message.radius is None or message.radius >= 0
    assert message.confidence is None or 0 <= message.confidence <= 100
    for at in (message.time, message.call_started_at):
        assert at is None or at.utcoffset() == timedelta(0)
    json.dumps(message.as_dict())  # the CLI prints it


def _parse_all(data: str | bytes) -> None:
    for parse in PARSERS:
        try:
            _usable(parse(data))
        except AmlError as exc:
            assert str(exc)  # a reason, never an empty refusal


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_message_or_a_clear_error(text):
    _parse_all(text)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_message_or_a_clear_error(data):
    _parse_all(data)


def _mutated(base: str) -> st.SearchStrategy[str]:
    edit = st.tuples(st.integers(0, len(base)), st.integers(0, 6), st.text(max_size=6))
    return st.lists(edit, max_size=4).map(
        lambda edits: _apply(base, edits))


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for at, cut, insert in edits:
        text = text[:at] + insert + text[at + cut:]
    return text


@FUZZ
@given(st.one_of(_mutated(V1_KENDARI), _mutated(V2_KENDARI), _mutated(V2_PUBLIC),
                 _mutated(FIELDS), _mutated(FIELDS + "&hmac=" + "0" * 40)))
def test_damaged_valid_messages_give_a_message_or_a_clear_error(text):
    _parse_all(text)
    _parse_all(text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.sampled_from(["1", "2"]),
       st.lists(st.tuples(st.sampled_from(KEYS_V1 + KEYS_V2 + ["x", "LT", ""]),
                          st.text(VALUE_CHARS, max_size=24)), max_size=14))
def test_plausible_field_soup_gives_a_message_or_a_clear_error(version, fields):
    text = f'A"ML={version};' + ";".join(f"{k}={v}" for k, v in fields)
    _parse_all(text)


@FUZZ
@given(st.from_regex(r"-?[0-9]{1,2}\.[0-9]{1,6}", fullmatch=True),
       st.from_regex(r"-?1?[0-9]{1,2}\.[0-9]{1,6}", fullmatch=True),
       st.integers(0, 5000), st.integers(0, 100))
def test_every_valid_v1_position_is_read_back_exactly(lat, lon, rd, lc):
    text = f'A"ML=1;lt={lat};lg={lon};rd={rd};lc={lc};pm=W'
    if abs(float(lat)) > 90 or abs(float(lon)) > 180:
        return
    m = parse_sms(text)
    assert (m.latitude, m.longitude, m.radius, m.confidence, m.method) == (
        float(lat), float(lon), float(rd), float(lc), "wifi")
    assert m.time is None or m.time.tzinfo is UTC


@FUZZ
@given(st.binary(min_size=1, max_size=300), st.binary(min_size=1, max_size=64),
       st.data())
def test_hmac_accepts_only_the_right_key_and_untouched_bytes(body, key, data):
    signed_fields = body.replace(b"&hmac=", b"&h=").decode("latin-1").encode("ascii", "replace")
    signed = sign_body(signed_fields, key)
    verify_hmac(signed, key)
    at = data.draw(st.integers(0, len(signed_fields) - 1))
    flipped = bytearray(signed)
    flipped[at] = (flipped[at] + 1) % 128 or 1
    for tampered, with_key in ((bytes(flipped), key), (signed, key + b"x")):
        try:
            verify_hmac(tampered, with_key)
        except AmlSignatureError:
            continue
        raise AssertionError("a changed body or another key passed the HMAC check")


@FUZZ
@given(st.binary(max_size=300), st.binary(max_size=40))
def test_hmac_check_of_arbitrary_bytes_only_ever_refuses_clearly(body, key):
    try:
        verify_hmac(body, key)
    except AmlSignatureError as exc:
        assert str(exc)
