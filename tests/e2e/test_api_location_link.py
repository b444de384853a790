"""The location link over HTTP: the call-taker's API with a real HTTP SMS gateway stand-in,
the caller's public page and POSTs (token, same origin, JSON), kind refusals, photos."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_location_link import PhotoConfig, SmsHttpConfig
from siaga112.domain.accounts import Role
from tests.support.sms_gateway import Gateway, running_gateway


@pytest.fixture
def database_url(tmp_path) -> str:
    """The lifecycle runs on both databases in tests/integration; HTTP needs one."""
    return f"sqlite:///{tmp_path / 'link.sqlite3'}"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with running_gateway() as gw:
        yield gw


@pytest.fixture
def kendari(gateway, monkeypatch):
    monkeypatch.setenv("SIAGA112_TEST_SMS_TOKEN", "gw-secret")
    base = load_center(CENTERS_DIR / "kendari.toml")
    link = base.location_link.model_copy(update={
        "sms_adapter": "http", "photo": PhotoConfig(enabled=True),
        "http": SmsHttpConfig(url=gateway.url, auth="bearer", token_env="SIAGA112_TEST_SMS_TOKEN",
                              fields={"to": "{number}", "text": "{text}"})})
    return base.model_copy(update={"location_link": link})


def new_call(client: httpx.Client) -> str:
    response = client.post("/api/v1/calls", json={"caller": "081234567890"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def phone(server: str) -> httpx.Client:
    """The caller's browser: no session, its page's own origin."""
    return httpx.Client(base_url=server, timeout=30, headers={"Origin": server})


def test_a_link_sent_by_sms_is_opened_and_shared_and_its_state_followed(server, login, gateway):
    taker = login(Role.CALL_TAKER)
    call = new_call(taker)
    made = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": True})
    assert made.status_code == 201, made.text
    body = made.json()
    token = body["url"].rsplit("/", 1)[1]
    assert body["url"] == f"{server}/l/{token}" and len(token) >= 22
    assert (body["state"], body["sms"]) == ("sent", {"status": "sent", "error": None})
    assert body["expires_at"] and body["call_id"] == call
    [sms] = gateway.received
    assert sms.headers["authorization"] == "Bearer gw-secret"
    assert sms.body.decode().count(body["url"]) == 1 and "+6281234567890" in sms.body.decode()

    state = taker.get(f"/api/v1/calls/{call}/location-link").json()
    assert (state["state"], state["url"]) == ("sent", None)  # only its hash is kept

    with phone(server) as caller:
        page = caller.get(f"/l/{token}")
        assert page.status_code == 200 and "Bagikan lokasi saya" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        for secret in (call, "081234567890", "+6281234567890", "890"):
            assert secret not in page.text  # nothing about the call or the caller
        assert caller.post(f"/l/{token}/status", json={"status": "opened"}).status_code == 200
        assert taker.get(f"/api/v1/calls/{call}/location-link").json()["state"] == "opened"
        shared = caller.post(f"/l/{token}/position", json={
            "lat": -3.9905, "lon": 122.525, "accuracy": 7.5, "timestamp": None,
            "altitude": None, "altitude_accuracy": None, "heading": None, "speed": None})
        assert shared.status_code == 200 and shared.json() == {"ok": True, "share_seconds": None}
        trail = taker.get(f"/api/v1/calls/{call}/locations").json()["fixes"]
        assert [(f["source"], f["radius_m"]) for f in trail] == [("link", 7.5)]
        state = taker.get(f"/api/v1/calls/{call}/location-link").json()
        assert (state["state"], state["fixes"]) == ("shared", 1)

        # The token alone decides the call; other sites and other shapes are refused.
        other = new_call(taker)
        named = caller.post(f"/l/{token}/position", json={"lat": 1, "lon": 2, "call_id": other})
        assert named.status_code == 422
        evil = caller.post(f"/l/{token}/position", json={"lat": 1, "lon": 2},
                           headers={"Origin": "https://evil.example"})
        assert (evil.status_code, evil.json()["error"]["code"]) == (403, "cross_origin")
        fetched = caller.post(f"/l/{token}/position", json={"lat": 1, "lon": 2},
                              headers={"Sec-Fetch-Site": "cross-site"})
        assert fetched.status_code == 403
        form = caller.post(f"/l/{token}/position", content=b"lat=1&lon=2",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert form.status_code == 415
        assert taker.get(f"/api/v1/calls/{other}/locations").json()["fixes"] == []
        assert len(taker.get(f"/api/v1/calls/{call}/locations").json()["fixes"]) == 1

    dispatcher, agency = login(Role.DISPATCHER), login(Role.AGENCY)
    assert dispatcher.get(f"/api/v1/calls/{call}/location-link").json()["state"] == "shared"
    assert dispatcher.post(f"/api/v1/calls/{call}/location-link", json={}).status_code == 403
    assert agency.get(f"/api/v1/calls/{call}/location-link").status_code == 403
    log = login(Role.SUPERVISOR).get("/api/v1/location-links/sms").json()
    assert [(s["adapter"], s["status"], s["recipient"], s["http_status"]) for s in log] == \
        [("http", "sent", "+6281******890", 200)]
    assert taker.get("/api/v1/location-links/sms").status_code == 403


def test_a_failing_gateway_is_shown_and_the_link_can_still_be_read_out(server, login, gateway):
    gateway.status, gateway.answer = 500, b"gateway down"
    taker = login(Role.CALL_TAKER)
    call = new_call(taker)
    body = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": True}).json()
    assert body["state"] == "created" and body["url"]
    assert body["sms"] == {"status": "failed",
                           "error": "the SMS gateway answered HTTP 500: gateway down"}
    assert taker.get(f"/api/v1/calls/{call}/location-link").json()["sms"]["status"] == "failed"
    quiet = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False}).json()
    assert quiet["sms"] == {"status": "skipped", "error": None} and len(gateway.received) == 1
    assert taker.post("/api/v1/calls/00000000-0000-0000-0000-000000000000/location-link",
                      json={}).status_code == 404


def test_unknown_used_and_expired_links_get_a_kind_page(server, login, siaga):
    taker = login(Role.CALL_TAKER)
    call = new_call(taker)
    url = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False}).json()["url"]
    token = url.rsplit("/", 1)[1]
    with phone(server) as caller:
        unknown = caller.get("/l/ThisTokenDoesNotExist0")
        assert unknown.status_code == 404 and "Tautan ini tidak dikenal" in unknown.text
        assert caller.post("/l/ThisTokenDoesNotExist0/position",
                           json={"lat": 1, "lon": 2}).status_code == 404
        caller.post(f"/l/{token}/position", json={"lat": -3.99, "lon": 122.52, "accuracy": 20})
        assert caller.post(f"/l/{token}/status", json={"status": "done"}).status_code == 200
        used = caller.get(f"/l/{token}")
        assert used.status_code == 410 and "sudah dibagikan lewat tautan ini" in used.text
        again = caller.post(f"/l/{token}/position", json={"lat": -3.99, "lon": 122.52})
        assert (again.status_code, again.json()["error"]["code"]) == (410, "link_used")

        fresh = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False})
        fresh_token = fresh.json()["url"].rsplit("/", 1)[1]
        siaga.clock.advance(31 * 60)
        caller.cookies.set("lang", "en")
        expired = caller.get(f"/l/{fresh_token}")
        assert expired.status_code == 410 and "Its time is over" in expired.text
        assert taker.get(f"/api/v1/calls/{call}/location-link").json()["state"] == "expired"
        for _ in range(30):  # guessing tokens: 30 misses a minute, then no more answers
            caller.get("/l/GuessedTokenGuessedToken")
        assert caller.get("/l/GuessedTokenGuessedToken").status_code == 429


def _photo_data_url() -> str:
    exif = Image.Exif()
    exif[0x0110] = "SecretPhoneModel"
    raw = io.BytesIO()
    Image.new("RGB", (800, 600), "blue").save(raw, "JPEG", exif=exif.tobytes())
    return "data:image/jpeg;base64," + base64.b64encode(raw.getvalue()).decode()


def test_the_callers_photo_is_kept_with_the_call_and_its_incident(server, login):
    taker = login(Role.CALL_TAKER)
    call = new_call(taker)
    url = taker.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False}).json()["url"]
    token = url.rsplit("/", 1)[1]
    with phone(server) as caller:
        assert caller.post(f"/l/{token}/photo", json={"image": "data:text/plain;base64,aGk="}
                           ).status_code == 422
        assert caller.post(f"/l/{token}/photo", json={"image": _photo_data_url()}
                           ).status_code == 200
        assert caller.post(f"/l/{token}/photo", json={"image": _photo_data_url()}
                           ).status_code == 409  # one photo per link
    state = taker.get(f"/api/v1/calls/{call}/location-link").json()
    photo = state["photo"]
    assert (photo["width"], photo["height"]) == (800, 600)
    image = taker.get(photo["url"])
    assert image.headers["content-type"] == "image/jpeg"
    assert b"SecretPhoneModel" not in image.content
    incident = taker.post("/api/v1/incidents", json={
        "type": "fire", "subtype": "building", "call_id": call})
    assert incident.status_code == 201, incident.text
    listed = taker.get(f"/api/v1/incidents/{incident.json()['id']}/photos").json()
    assert [p["id"] for p in listed] == [photo["id"]]
    assert login(Role.AGENCY).get(photo["url"]).status_code == 403
