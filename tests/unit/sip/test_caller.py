"""The caller's number: P-Asserted-Identity (sip: and tel:), else From; anonymous is withheld."""

from __future__ import annotations

import pytest

from siaga112.adapters.sip.caller import caller_identity
from siaga112.adapters.sip.message import parse


def invite(*headers: str) -> bytes:
    lines = ["INVITE sip:112@10.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKa",
             "To: <sip:112@10.0.0.1>", "Call-ID: c1", "CSeq: 1 INVITE", *headers,
             "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(("headers", "number", "header"), [
    (['From: "Ani" <sip:081234567890@telco.example>;tag=1'], "081234567890", "from"),
    (["From: <sip:trunk@telco>;tag=1", "P-Asserted-Identity: <sip:+6281234567890@telco;user=phone>"],
     "+6281234567890", "p-asserted-identity"),
    (["From: <sip:trunk@telco>;tag=1", "P-Asserted-Identity: <tel:+6281234567890>"],
     "+6281234567890", "p-asserted-identity"),
    # Both forms (RFC 3325 allows one of each): the tel: one is taken.
    (["From: <sip:x@telco>;tag=1",
      'P-Asserted-Identity: "Ani" <sip:0811@telco>, <tel:+6281234567890>'],
     "+6281234567890", "p-asserted-identity"),
    (["f: <sip:%2B6281299990000@telco>;tag=1"], "+6281299990000", "from"),
    (["From: sip:0812777@telco;tag=9"], "0812777", "from"),
])
def test_the_number_comes_from_pai_then_from(headers, number, header):
    identity = caller_identity(parse(invite(*headers)))
    assert (identity.number, identity.header) == (number, header)
    assert not identity.withheld


@pytest.mark.parametrize("headers", [
    ['From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', "Privacy: id"],
    ["From: <sip:anonymous@telco.example>;tag=1"],
    ["From: <sip:trunk@telco>;tag=1", "P-Asserted-Identity: <sip:anonymous@anonymous.invalid>"],
    ["From: <sip:Restricted@telco>;tag=1"],
    ["From: <sip:telco.example>;tag=1"],  # no user part at all
])
def test_anonymous_and_hidden_numbers_are_withheld(headers):
    identity = caller_identity(parse(invite(*headers)))
    assert identity.withheld and identity.number is None


def test_the_header_text_is_kept_exactly_as_it_arrived():
    raw = '"Ani Lestari" <tel:+62-812-3456-7890>;foo=bar'
    identity = caller_identity(parse(invite("From: <sip:t@x>;tag=1", f"P-Asserted-Identity: {raw}")))
    assert identity.raw == raw
    assert identity.number == "+62-812-3456-7890"  # normalized later, with the call
