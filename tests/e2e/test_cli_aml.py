"""`siaga112 aml` as an administrator uses it: read a message, set a sender's HMAC key."""

from __future__ import annotations

import json

import sqlalchemy as sa

from siaga112.adapters.db import tables
from tests.e2e.test_cli import run
from tests.unit.aml.test_sms import V1_KENDARI, V2_PUBLIC


def test_aml_parse_prints_the_message_as_json():
    result = run("aml", "parse", V1_KENDARI)
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert {k: parsed[k] for k in ("latitude", "longitude", "radius", "time", "confidence",
                                   "method")} == {
        "latitude": -3.97474, "longitude": 122.60057, "radius": 12.0,
        "time": "2025-11-28T03:20:05Z", "confidence": 68.0, "method": "gnss"}
    assert parsed["device"] == {"imsi": "510101234567890", "imei": "353472104343540"}
    v2 = json.loads(run("aml", "parse", V2_PUBLIC).stdout)
    assert v2["device"]["languages"] == "en-US" and v2["time"] == "2020-06-26T13:13:10Z"


def test_aml_parse_exits_non_zero_with_the_reason():
    result = run("aml", "parse", 'A"ML=2;lt=-3.97;lg=122.6')
    assert result.returncode == 1 and result.stdout == ""
    assert "version 2 needs lo=latitude,longitude,accuracy" in result.stderr


def test_an_https_sender_gets_its_token_and_key_and_the_key_can_be_rotated(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    env = {"SIAGA112_DATABASE_URL": url}
    made = run("tokens", "create", "aml-op", "--scope", "aml_gateway",
               "--hmac-key", "kunci-awal-operator-112", env=env)
    assert made.returncode == 0, made.stderr
    refused = run("tokens", "create", "sip-1", "--scope", "sip_node", "--hmac-key",
                  "kunci-awal-operator-112", env=env)
    assert refused.returncode == 1 and "needs --scope aml_gateway" in refused.stderr
    rotated = run("aml", "set-key", "aml-op", env=env)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip().splitlines()[-1]
    assert len(new_key) == 64 and "shown only now" in rotated.stdout
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.service_accounts.c.hmac_key).where(
            tables.service_accounts.c.name == "aml-op")).scalar()
    engine.dispose()
    assert stored == new_key
