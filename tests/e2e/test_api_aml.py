"""The AML receiver through the real server: signed HTTPS and gateway SMS accepted and
attached, every refusal a clear 4xx that stores nothing, and the call-taker's trail."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siaga112.adapters.aml import sign_body
from siaga112.domain.accounts import Role, Scope
from siaga112.domain.phone import mask_number
from siaga112.services.handlers.aml_senders import set_hmac_key
from siaga112.services.handlers.service_accounts import create_service_account
from tests.conftest import new_database_url
from tests.unit.aml.test_sms import V1_KENDARI, V2_KENDARI

KEY = "kunci-operator-telkomsel-112"
CALLER = "081234567890"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def https_fields(number: str = "+6281234567890", lat: str = "-3.97474",
                 accuracy: str = "9.5") -> str:
    return urlencode({"v": "3", "emergency_number": "112", "source": "call",
                      "time": "1764300000000", "location_latitude": lat,
                      "location_longitude": "122.60057", "location_time": "1764300004000",
                      "location_source": "gps", "location_accuracy": accuracy,
                      "location_confidence": "68", "device_number": number,
                      "device_imei": "353472104343540", "device_languages": "id-ID"})


def machine(siaga, server, name: str, *scopes: Scope, key: str | None = None) -> httpx.Client:
    token = create_service_account(siaga.uow(), name=name, scopes=frozenset(scopes),
                                   agency_code=None, by="test", clock=siaga.clock)
    if key is not None:
        set_hmac_key(siaga.uow(), name=name, key=key, by="test", clock=siaga.clock)
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """SQLite unless a test asks for both (tests/integration covers both databases)."""
    return new_database_url(getattr(request, "param", "sqlite"), tmp_path, request)


@pytest.fixture
def operator(siaga, server):
    with machine(siaga, server, "aml-telkomsel", Scope.AML_GATEWAY, key=KEY) as client:
        yield client


@pytest.fixture
def gateway(siaga, server):
    with machine(siaga, server, "sms-gateway-1", Scope.SMS_GATEWAY) as client:
        yield client


def _refused(response: httpx.Response, status: int, code: str | None = None) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and (code is None or error["code"] == code)
    return str(error["message"])


def _nothing_stored(siaga) -> None:
    with siaga.uow() as uow:
        assert uow.locations.unmatched() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_signed_https_is_accepted_attached_and_shown_in_the_trail(login, operator):
    ct = login(Role.CALL_TAKER)
    call = ct.post("/api/v1/calls", json={"caller": CALLER}).json()["id"]
    accepted = operator.post("/api/v1/aml/https", content=sign_body(https_fields(), KEY.encode()),
                             headers=FORM)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["matched"] is True and body["outside_area"] is False and body["format"] == "https"
    trail = ct.get(f"/api/v1/calls/{call}/locations").json()
    [fix] = trail["fixes"]
    assert fix["id"] == body["fix_id"] == trail["suggested_fix_id"]
    assert (fix["source"], fix["lat"], fix["radius_m"]) == ("aml", -3.97474, 9.5)
    assert fix["method"] == "gnss" and fix["format"] == "https" and fix["warnings"] == []
    assert fix["suggested"] is True and fix["chosen"] is False and trail["chosen_fix_id"] is None
    assert fix["place"]["kelurahan"]["name"] == "Kasilampe"
    assert fix["place"]["kecamatan"]["name"] == "Kendari" and fix["place"]["distance_m"] > 0


def test_gateway_sms_unmatched_list_manual_fix_choice_and_gazetteer(login, gateway, server):
    ct = login(Role.CALL_TAKER)
    call = ct.post("/api/v1/calls", json={"caller": CALLER}).json()["id"]
    other = ct.post("/api/v1/calls", json={"caller": "081211112222"}).json()["id"]
    for text in (V1_KENDARI, V2_KENDARI):  # the sender's number, as gateways write it
        r = gateway.post("/api/v1/aml/sms", json={"sender": "6281234567890", "text": text})
        assert r.status_code == 200 and r.json()["matched"] is True, r.text
    trail = ct.get(f"/api/v1/calls/{call}/locations").json()
    assert {f["format"] for f in trail["fixes"]} == {"sms-v1", "sms-v2"}
    # The test clock is in June 2025; the handsets say November: a clock ahead is not believed.
    assert all(f["fixed_at"] == f["received_at"] for f in trail["fixes"])
    aml_fix = trail["suggested_fix_id"]

    # A fix from a number with no call: kept, listed for the supervisor, number masked.
    stray = gateway.post("/api/v1/aml/sms", json={"sender": "085299998888", "text": V1_KENDARI})
    assert stray.json()["matched"] is False
    [listed] = login(Role.SUPERVISOR).get("/api/v1/locations/unmatched").json()
    assert listed["id"] == stray.json()["fix_id"]
    assert listed["caller_number"] == mask_number("+6285299998888") != "+6285299998888"
    assert listed["place"]["kelurahan"]["name"] == "Kasilampe"
    assert ct.get("/api/v1/locations/unmatched").status_code == 403

    # The call-taker places the caller and chooses; only this call's fixes can be chosen.
    placed = ct.post(f"/api/v1/calls/{call}/locations",
                     json={"lat": -3.9720, "lon": 122.5998, "label": "Kasilampe", "choose": True})
    assert placed.status_code == 201, placed.text
    manual = next(f for f in placed.json()["fixes"] if f["source"] == "manual")
    assert manual["chosen"] and placed.json()["chosen_fix_id"] == manual["id"]
    assert manual["label"] == "Kasilampe" and manual["method"] == "manual"
    back = ct.post(f"/api/v1/calls/{call}/location", json={"fix_id": aml_fix})
    assert back.json()["chosen_fix_id"] == aml_fix
    foreign = ct.post(f"/api/v1/calls/{other}/location", json={"fix_id": aml_fix})
    assert "not one of this call's locations" in _refused(foreign, 422)
    _refused(ct.get(f"/api/v1/calls/{uuid.uuid4()}/locations"), 404)
    _refused(ct.post(f"/api/v1/calls/{call}/locations", json={"lat": 91, "lon": 0}), 422)
    assert login(Role.DISPATCHER).post(f"/api/v1/calls/{call}/location",
                                       json={"fix_id": aml_fix}).status_code == 403

    # The gazetteer, for anyone logged in.
    agency = login(Role.AGENCY)
    hits = agency.get("/api/v1/gazetteer/search", params={"q": "wuawua"}).json()
    assert [(h["kind"], h["name"]) for h in hits[:2]] == [("kelurahan", "Wua-wua"),
                                                          ("kecamatan", "Wua-Wua")]
    puwatu = agency.get("/api/v1/gazetteer/search", params={"q": "puwatu"}).json()
    assert puwatu[0]["name"] == "Puuwatu"
    here = agency.get("/api/v1/gazetteer/reverse", params={"lat": -3.974734, "lon": 122.600568})
    assert here.json()["place"]["kelurahan"]["name"] == "Kasilampe"
    assert here.json()["outside_area"] is False
    _refused(agency.get("/api/v1/gazetteer/reverse", params={"lat": 91, "lon": 0}), 422)
    _refused(agency.get("/api/v1/gazetteer/search", params={"q": ""}), 422)
    _refused(httpx.get(f"{server}/api/v1/gazetteer/search", params={"q": "mata"}), 401)


def test_bad_hmac_wrong_tokens_and_wrong_scopes_are_refused_storing_nothing(
        siaga, server, login, operator, gateway):
    wrong_key = sign_body(https_fields(), b"not-the-operators-key")
    assert _refused(operator.post("/api/v1/aml/https", content=wrong_key, headers=FORM),
                    401, "invalid_signature") == (
        "hmac does not match: the body was changed or signed with another key")
    changed = sign_body(https_fields(), KEY.encode()).replace(b"-3.97474", b"-3.97000")
    _refused(operator.post("/api/v1/aml/https", content=changed, headers=FORM), 401)
    unsigned = https_fields().encode()
    assert "no hmac field" in _refused(
        operator.post("/api/v1/aml/https", content=unsigned, headers=FORM), 401)
    with machine(siaga, server, "aml-keyless", Scope.AML_GATEWAY) as keyless:
        message = _refused(keyless.post("/api/v1/aml/https", headers=FORM,
                                        content=sign_body(https_fields(), KEY.encode())),
                           403, "hmac_key_missing")
    assert "siaga112 aml set-key aml-keyless" in message
    signed = sign_body(https_fields(), KEY.encode())
    sms = {"sender": CALLER, "text": V1_KENDARI}
    for token in ("s112s_not-a-real-token", "not-even-a-service-token"):
        stranger = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"})
        _refused(stranger.post("/api/v1/aml/https", content=signed, headers=FORM), 401)
        _refused(stranger.post("/api/v1/aml/sms", json=sms), 401)
        stranger.close()
    _refused(httpx.post(f"{server}/api/v1/aml/sms", json=sms), 401)  # no token at all
    _refused(gateway.post("/api/v1/aml/https", content=signed, headers=FORM), 403, "forbidden")
    with machine(siaga, server, "sip-node-1", Scope.SIP_NODE) as sip:
        _refused(sip.post("/api/v1/aml/sms", json=sms), 403)
    _refused(login(Role.CALL_TAKER).post("/api/v1/aml/sms", json=sms), 403)
    _nothing_stored(siaga)


HTTPS_REFUSALS = [
    (b"", "empty body"),
    (b"{}", "not URL-encoded form data"),
    (b"location_latitude=-3.9", "location_latitude and location_longitude are needed"),
    (b"location_latitude=95&location_longitude=122.6&hmac=" + b"0" * 40,
     "location_latitude: 95 is outside -90..90"),
    (b"location_latitude=%E0%A4&location_longitude=1", "bad %-escapes"),
]
SMS_REFUSALS = [
    ({"sender": CALLER, "text": "Tolong, rumah saya kebakaran"}, "invalid_aml",
     "not an AML message"),
    ({"sender": CALLER, "text": 'A"ML=2;lt=-3.97;lg=122.6'}, "invalid_aml",
     "version 2 needs lo="),
    ({"sender": CALLER, "text": 'A"ML=1;lt=-3.97;lg=122.6;lc=250'}, "invalid_aml",
     "lc: 250 is outside 0..100"),
    ({"text": V1_KENDARI}, "invalid_request", "sender"),
    ({"sender": CALLER, "text": V1_KENDARI, "colour": "red"}, "invalid_request", "colour"),
    ({"sender": CALLER, "text": "x" * 3000}, "invalid_request", "text"),
]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_malformed_bodies_get_a_clear_422_and_store_nothing(siaga, operator, gateway):
    for body, reason in HTTPS_REFUSALS:
        message = _refused(operator.post("/api/v1/aml/https", content=body, headers=FORM),
                           422, "invalid_aml")
        assert reason in message, (body, message)
    for payload, code, reason in SMS_REFUSALS:
        message = _refused(gateway.post("/api/v1/aml/sms", json=payload), 422, code)
        assert reason in message, (payload, message)
    broken = gateway.post("/api/v1/aml/sms", content=b"{not json",
                          headers={"content-type": "application/json"})
    _refused(broken, 422, "invalid_request")
    _nothing_stored(siaga)


def test_both_endpoints_fuzzed_never_answer_5xx(siaga, server, operator, gateway):
    bodies = st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.dictionaries(st.sampled_from(["location_latitude", "location_longitude",
                                         "location_accuracy", "location_time", "hmac",
                                         "device_number", "location_confidence", "v"]),
                        st.text(max_size=20), max_size=8)
        .map(lambda d: sign_body(urlencode(d), KEY.encode()) if d else b""))
    sms = st.fixed_dictionaries({"sender": st.text(max_size=50), "text": st.one_of(
        st.text(max_size=300), st.text(max_size=40).map(lambda t: 'A"ML=1;lt=-3.9;lg=' + t),
        st.text(max_size=40).map(lambda t: 'A"ML=2;lo=' + t))})
    seen: set[int] = set()

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=bodies, payload=sms)
    def explore(body, payload):
        for response in (operator.post("/api/v1/aml/https", content=body, headers=FORM),
                         gateway.post("/api/v1/aml/sms", json=payload)):
            seen.add(response.status_code)
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert response.json()["error"]["message"]

    explore()
    assert seen <= {200, 401, 422} and 422 in seen
