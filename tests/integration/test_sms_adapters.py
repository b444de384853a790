"""The location link's SMS adapters against what is really on the other side: a local HTTP
gateway stand-in that records what it receives, and Debian's gammu-smsd reading our
spool file (files backend, its dummy phone driver: no modem)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from siaga112.adapters.sms import sender_for
from siaga112.adapters.sms.gammu import GammuOutbox, outbox_content, outbox_name
from siaga112.adapters.sms.http import HttpSmsGateway
from siaga112.config_location_link import LocationLinkConfig, SmsGammuConfig, SmsHttpConfig
from siaga112.services.location_link_ports import SmsStatus
from tests.support.server import free_port
from tests.support.sms_gateway import Gateway, running_gateway

NUMBER = "+6281234567890"
TEXT = "112 Kota Kendari: bagikan lokasi Anda ke petugas: https://112.example/l/AbCd_-123"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with running_gateway() as gw:
        yield gw


def http_gateway(url: str, environ: dict[str, str] | None = None, **settings) -> HttpSmsGateway:
    return HttpSmsGateway(SmsHttpConfig(url=url, **settings), environ=environ or {})


def test_json_with_a_bearer_token_from_the_environment(gateway):
    sender = http_gateway(gateway.url, {"SMS_TOKEN": "s3cret"}, auth="bearer",
                          token_env="SMS_TOKEN", number_format="national",
                          fields={"to": "{number}", "message": "{text}", "from": "112KDI"})
    result = sender.send(NUMBER, TEXT)
    assert (result.status, result.http_status) == (SmsStatus.SENT, 200)
    assert result.reference == '{"message_id": "gw-42"}'
    [got] = gateway.received
    assert (got.method, got.path) == ("POST", "/api/send")
    assert got.headers["authorization"] == "Bearer s3cret"
    assert got.headers["content-type"] == "application/json"
    assert json.loads(got.body) == {"to": "081234567890", "message": TEXT, "from": "112KDI"}


def test_a_form_with_basic_auth_and_a_query_with_an_api_key_header(gateway):
    form = http_gateway(gateway.url, {"SMS_PW": "pw"}, auth="basic", username="kendari",
                        password_env="SMS_PW", body="form", number_format="digits")
    assert form.send(NUMBER, TEXT).status is SmsStatus.SENT
    query = http_gateway(gateway.url, {"SMS_KEY": "k-1"}, auth="header", token_env="SMS_KEY",
                         header_name="X-Api-Key", method="GET", body="query",
                         fields={"phone": "{number}", "msg": "{text}"})
    assert query.send(NUMBER, TEXT).status is SmsStatus.SENT
    posted, asked = gateway.received
    assert posted.headers["authorization"] == "Basic " + base64.b64encode(b"kendari:pw").decode()
    assert parse_qs(posted.body.decode()) == {"to": ["6281234567890"], "text": [TEXT]}
    assert asked.method == "GET" and asked.headers["x-api-key"] == "k-1"
    assert asked.query == {"phone": [NUMBER], "msg": [TEXT]}


def test_refusals_and_failures_say_why_and_never_pretend_it_was_sent(gateway):
    gateway.status, gateway.answer = 503, b"quota exceeded"
    refused = http_gateway(gateway.url).send(NUMBER, TEXT)
    assert refused.status is SmsStatus.FAILED and refused.http_status == 503
    assert refused.error == "the SMS gateway answered HTTP 503: quota exceeded"
    unreachable = http_gateway(f"http://127.0.0.1:{free_port()}/send", timeout_seconds=2)
    result = unreachable.send(NUMBER, TEXT)
    assert result.status is SmsStatus.FAILED and "could not reach the SMS gateway" in result.error
    no_secret = http_gateway(gateway.url, {}, auth="bearer", token_env="SIAGA112_SMS_TOKEN")
    result = no_secret.send(NUMBER, TEXT)
    assert result.error == "environment variable SIAGA112_SMS_TOKEN is not set"
    assert len(gateway.received) == 1  # nothing went out without the secret


def test_the_center_setting_picks_the_adapter(tmp_path):
    assert sender_for(LocationLinkConfig()) is None
    http = LocationLinkConfig(sms_adapter="http", http=SmsHttpConfig(url="https://gw.example/"))
    assert sender_for(http).name == "http"
    gammu = LocationLinkConfig(sms_adapter="gammu", gammu=SmsGammuConfig(outbox_dir=str(tmp_path)))
    assert sender_for(gammu).name == "gammu"


def test_the_gammu_spool_file_is_named_and_encoded_as_its_files_backend_reads():
    name = outbox_name(NUMBER, priority="A", at=datetime(2025, 6, 10, 1, 2, 3, tzinfo=UTC),
                       serial=7, note="siaga112-0a1b2c3d")
    assert name == "OUTA20250610_010203_07_+6281234567890_siaga112-0a1b2c3d.txt"
    assert outbox_content("Halo") == b"\xff\xfeH\x00a\x00l\x00o\x00"
    with pytest.raises(ValueError):
        outbox_name("112", priority="A", at=datetime.now(UTC), serial=0, note="x")


def test_gammu_smsd_sends_what_we_spool(tmp_path):
    daemon = shutil.which("gammu-smsd")
    assert daemon, "gammu-smsd is missing: scripts/setup installs Debian's gammu-smsd"
    folders = {name: tmp_path / name for name in ("outbox", "sent", "error", "inbox", "phone")}
    for folder in folders.values():
        folder.mkdir()
    outbox = GammuOutbox(SmsGammuConfig(outbox_dir=str(folders["outbox"])))
    result = outbox.send(NUMBER, TEXT)
    assert result.status is SmsStatus.SENT
    assert [p.name for p in folders["outbox"].iterdir()] == [result.reference]
    log = tmp_path / "smsd.log"
    config = tmp_path / "smsdrc"
    config.write_text(f"""[gammu]
device = {folders['phone']}
model = dummy
connection = none

[smsd]
service = files
outboxpath = {folders['outbox']}/
sentsmspath = {folders['sent']}/
errorsmspath = {folders['error']}/
inboxpath = {folders['inbox']}/
logfile = {log}
debuglevel = 1
loopsleep = 1
commtimeout = 1
statusfrequency = 0
checksecurity = 0
checkbattery = 0
checksignal = 0
hangupcalls = 0
""", encoding="utf-8")
    process = subprocess.Popen([daemon, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (folders["sent"] / result.reference).exists():
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = log.read_text(errors="replace")
    assert f'Found 1 sms to "{NUMBER}" with text "{TEXT}"' in text
    assert re.search(rf"Transmitted {re.escape(result.reference)} .* to {re.escape(NUMBER)}", text)
    assert not any(folders["error"].iterdir())


def test_a_missing_spool_is_a_failure_the_call_taker_sees(tmp_path):
    result = GammuOutbox(SmsGammuConfig(outbox_dir=str(tmp_path / "nowhere"))).send(NUMBER, TEXT)
    assert result.status is SmsStatus.FAILED
    assert "cannot write to the gammu-smsd outbox" in result.error
