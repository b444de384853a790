"""Hostile input: the parser raises SipError or nothing, and the node answers 400 or drops."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siaga112.adapters.sip import message as m
from siaga112.adapters.sip.caller import caller_identity
from siaga112.adapters.sip.pidf import LocationError, location_of
from tests.unit.sip.test_pidf import CIRCLE, invite, pidf

VALID = invite(pidf(CIRCLE))


def read_everything(data: bytes) -> None:
    """What the node does with a datagram; only SipError and LocationError may leave."""
    try:
        msg = m.parse(data)
    except m.SipError as exc:
        assert 400 <= exc.status < 600
        return
    caller_identity(msg)
    _ = (msg.call_id, msg.cseq, msg.branch)
    try:
        location_of(msg)
    except LocationError:
        pass


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_anything_else(data):
    read_everything(data)


@settings(max_examples=400)
@given(st.integers(0, len(VALID)), st.integers(0, len(VALID)), st.binary(max_size=40))
def test_a_valid_ng112_invite_cut_and_spliced_anywhere_never_raises_anything_else(a, b, junk):
    lo, hi = sorted((a, b))
    read_everything(VALID[:lo] + junk + VALID[hi:])


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_any_header_value_never_raises_anything_else(value):
    data = VALID.replace(b"Geolocation-Routing: no", b"X: y")
    for header in (b"From: <sip:0812@telco>;tag=1", b"Geolocation: <cid:loc1@telco.example>",
                   b"CSeq: 1 INVITE"):
        read_everything(data.replace(header, header.split(b":")[0] + b": " +
                                     value.encode("utf-8", "replace")))


HOSTILE = {
    "truncated before the end of headers": VALID[:120],
    "Content-Length larger than the body": VALID.replace(b"Content-Length: ", b"Content-Length: 9"),
    "Content-Length not a number": VALID.replace(b"Content-Length: ", b"Content-Length: x"),
    "huge header": VALID.replace(b"CSeq: 1 INVITE", b"CSeq: 1 INVITE\r\nX-Big: " + b"a" * 9000),
    "too many headers": VALID.replace(b"CSeq: 1 INVITE", b"CSeq: 1 INVITE\r\n" +
                                      b"X-H: 1\r\n" * 200),
    "CSeq method differs": VALID.replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"),
    "no Call-ID": VALID.replace(b"Call-ID: ng1\r\n", b""),
    "headers not UTF-8": VALID.replace(b"From: <sip:0812", b"From: <sip:\xff\xfe"),
    "over 64 KiB": VALID + b"x" * 70_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_message_is_a_sip_error(name):
    with pytest.raises(m.SipError):
        m.parse(HOSTILE[name])


def test_a_bad_multipart_body_is_a_location_problem_not_a_call_problem():
    msg = m.parse(VALID.replace(b"--b0undary--", b"").replace(b"Content-Length: ", b"X-Was: "))
    assert msg.method == "INVITE" and caller_identity(msg).number == "0812"
    with pytest.raises(LocationError):
        location_of(msg)
