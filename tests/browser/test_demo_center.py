"""The demo center in a real Chromium: login, the center overview and its map, languages, access."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import Page, expect

from siaga112.domain.accounts import Role
from siaga112.entrypoints.web import access

if TYPE_CHECKING:
    from tests.browser.conftest import Center

pytestmark = pytest.mark.browser

CLOCK = re.compile(r"^(\d{2}/\d{2}/\d{4} \d{2}:\d{2}):\d{2} WITA$")


def _expected_markers(center: Center) -> dict[str, int]:
    cfg = center.siaga.center
    puskesmas = sum(1 for s in cfg.stations if s.code.startswith("puskesmas"))
    return {"kelurahan": len(cfg.gazetteer.kelurahan), "puskesmas": puskesmas,
            "station": len(cfg.stations) - puskesmas, "unit": len(cfg.units), "incident": 1}


def test_login_then_center_in_indonesian(page: Page, center: Center, tmp_path: Path) -> None:
    page.goto(f"{center.base}/")
    expect(page).to_have_url(f"{center.base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Masuk")
    expect(page.locator("label[for=username]")).to_have_text("Nama pengguna")
    expect(page.locator("label[for=password]")).to_have_text("Kata sandi")

    center.log_in(page, center.call_taker, password="bukan-kata-sandinya")
    expect(page.locator("#login-error")).to_have_text("Nama pengguna atau kata sandi salah.")
    expect(page).to_have_url(f"{center.base}/login")

    center.log_in(page, center.call_taker)
    expect(page).to_have_url(f"{center.base}/console/call-taker")  # a role lands on its console
    page.goto(f"{center.base}/center")
    expect(page.locator(".brand-name")).to_have_text("Call Center 112 Kota Kendari")
    expect(page.locator("#user-name")).to_have_text(center.call_taker.full_name)
    expect(page.locator("#user-role")).to_have_text("Operator")
    expect(page.locator("#logout")).to_have_text("Keluar")

    # The clock is the center's time (WITA, UTC+8), whatever the zone of this machine.
    expect(page.locator("#clock")).to_have_text(CLOCK)
    shown = datetime.strptime(CLOCK.match(page.locator("#clock").inner_text())[1],
                              "%d/%m/%Y %H:%M")
    wita = center.siaga.center.zone
    assert abs(shown - datetime.now(wita).replace(tzinfo=None)) < timedelta(minutes=2)

    # The map: one marker per kelurahan office, puskesmas, other station, unit, incident.
    expected = _expected_markers(center)
    assert expected["kelurahan"] == 63 and expected["puskesmas"] == 15
    for layer, count in expected.items():
        expect(page.locator(f".leaflet-marker-pane .siaga-marker--{layer}")).to_have_count(count)
    expect(page.locator("body")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#map-status")).to_be_hidden()
    expect(page.locator("#map-note")).to_contain_text("Peta dasar belum dikonfigurasi")
    expect(page.locator(".leaflet-tile")).to_have_count(0)  # no tile server configured
    overlays = page.locator(".leaflet-control-layers-overlays label")
    expect(overlays).to_have_count(5)
    expect(overlays.nth(0)).to_contain_text("Kantor kelurahan 63")
    expect(overlays.nth(4)).to_contain_text("Kejadian aktif 1")

    # The side panel: counts and agencies from the API.
    expect(page.locator("[data-count=kelurahan]")).to_have_text("63")
    expect(page.locator("[data-count=puskesmas]")).to_have_text("15")
    expect(page.locator("[data-count=incidents]")).to_have_text("1")
    expect(page.locator("#agencies > li")).to_have_count(len(center.siaga.center.agencies))
    expect(page.locator("#unit-status [data-status=available] .status-name")).to_have_text("Tersedia")
    expect(page.locator("#unit-status [data-status=available] .status-count")).to_have_text(
        str(expected["unit"]))

    # A demo station says so in its popup; layers can be switched off.
    page.locator(".siaga-marker--station").first.click()
    expect(page.locator(".leaflet-popup-content .badge-demo")).to_have_text("demo")
    page.locator(".leaflet-control-layers-overlays input").nth(0).uncheck()
    expect(page.locator(".siaga-marker--kelurahan")).to_have_count(0)
    page.locator(".leaflet-control-layers-overlays input").nth(0).check()
    expect(page.locator(".siaga-marker--kelurahan")).to_have_count(63)
    page.locator(".leaflet-popup-close-button").click()
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    page.screenshot(path=tmp_path / "center.png")


def test_switch_to_english_and_back(page: Page, center: Center) -> None:
    page.goto(f"{center.base}/login")
    page.click("a[data-lang=en]")
    expect(page).to_have_url(f"{center.base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=username]")).to_have_text("Username")
    center.log_in(page, center.call_taker, password="not-the-password")
    expect(page.locator("#login-error")).to_have_text("Wrong username or password.")

    center.log_in(page, center.call_taker)
    expect(page).to_have_url(f"{center.base}/console/call-taker")
    page.goto(f"{center.base}/center")
    expect(page.locator("#user-role")).to_have_text("Call-taker")
    expect(page.locator("#logout")).to_have_text("Log out")
    expect(page.locator(".topbar-label")).to_have_text("Center time")
    expect(page.locator(".leaflet-control-layers-overlays label").nth(0)).to_contain_text(
        "Kelurahan offices 63")
    expect(page.locator("#unit-status [data-status=available] .status-name")).to_have_text("Available")
    expect(page.locator("#map-note")).to_contain_text("No base map is configured")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")

    page.click("a[data-lang=id]")
    expect(page).to_have_url(f"{center.base}/center")
    expect(page.locator("#logout")).to_have_text("Keluar")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Perbesar")


def test_logout_returns_to_login(page: Page, center: Center) -> None:
    center.log_in(page, center.call_taker)
    expect(page).to_have_url(f"{center.base}/console/call-taker")
    page.goto(f"{center.base}/center")
    page.click("#logout")
    expect(page).to_have_url(f"{center.base}/login")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "siaga112_session" not in cookies
    page.goto(f"{center.base}/center")
    expect(page).to_have_url(f"{center.base}/login")
    expect(page.locator("h1")).to_have_text("Masuk")


def test_agency_user_sees_no_incident_its_units_were_not_sent_to(page: Page,
                                                                 center: Center) -> None:
    center.log_in(page, center.agency_user)
    expect(page).to_have_url(f"{center.base}/console/agency")
    page.goto(f"{center.base}/center")
    expect(page.locator("#user-role")).to_have_text("Petugas OPD · damkar")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "true")
    expect(page.locator(".siaga-marker--kelurahan")).to_have_count(63)
    # The one active incident has no Damkar unit dispatched: the layer is there, empty
    # (docs/dispatch.md, agency isolation; the API test dispatches and checks both sides).
    expect(page.locator(".leaflet-control-layers-overlays label")).to_have_count(5)
    expect(page.locator(".siaga-marker--incident")).to_have_count(0)
    expect(page.locator("[data-count=incidents]")).to_have_text("0")
    own_units = [u for u in center.siaga.center.units if u.agency == "damkar"]
    expect(page.locator(".siaga-marker--unit")).to_have_count(len(own_units))


# --- the pages over plain HTTP: redirects, the 403 page, the language cookie ---------------
@pytest.fixture
def http(center: Center) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=center.base, follow_redirects=False) as client:
        yield client


def _logged_in(http: httpx.Client, center: Center) -> httpx.Client:
    answer = http.post("/api/v1/auth/login",
                       json={"username": center.call_taker.username, "password": center.password})
    assert answer.status_code == 200, answer.text
    return http


@pytest.mark.parametrize("path", ["/", "/center"])
def test_pages_send_strangers_to_login(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"


def test_a_refused_role_gets_a_translated_403_page(http: httpx.Client, center: Center,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(access.ROUTE_POLICY, ("GET", "/center"), frozenset({Role.ADMIN}))
    answer = _logged_in(http, center).get("/center")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "Akses ditolak" in answer.text and "Peran Anda (Operator)" in answer.text
    http.cookies.set("lang", "en")
    assert "Your role (Call-taker) may not open this page." in http.get("/center").text


def test_language_cookie_and_safe_redirect(http: httpx.Client) -> None:
    answer = http.get("/lang/en", params={"next": "/center"})
    assert answer.status_code == 303 and answer.headers["location"] == "/center"
    assert "lang=en" in answer.headers["set-cookie"]
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert http.get("/lang/id", params={"next": elsewhere}).headers["location"] == "/"
    assert http.get("/lang/xx").status_code == 404


def test_pages_allow_only_their_own_origin(http: httpx.Client) -> None:
    policy = http.get("/login").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
