"""The call-taker console in a real Chromium: a call from the API rings the ready call-taker
within a second, is taken and disposed by keyboard; an emergency with triage, a duplicate
joined, verification and hand-over to dispatch; the demo's caller speaking as text."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import Page, expect

from siaga112.demo.callers import CallerSimulator, install
from siaga112.domain.accounts import Scope
from siaga112.domain.calls import CallState, Disposition
from siaga112.domain.incidents import IncidentStatus, Priority
from siaga112.services.handlers import service_accounts

if TYPE_CHECKING:
    from tests.browser.conftest import Center

pytestmark = pytest.mark.browser
CONSOLE = "/console/call-taker"
LIVE_WITHIN_MS = 1000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "consoles"  # git-ignored


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full_page)


@pytest.fixture(scope="module")
def gateway(center: Center) -> str:
    """A machine that sends calls in through the API (an SMS or web gateway)."""
    return service_accounts.create_service_account(
        center.siaga.uow(), name="web-gateway", scopes=frozenset({Scope.SMS_GATEWAY}),
        agency_code=None, by="test", clock=center.siaga.clock)


@pytest.fixture(scope="module")
def simulator(center: Center) -> CallerSimulator:
    """Demo mode: simulated callers, placed by the test (no arrivals of their own)."""
    simulator = CallerSimulator(center.siaga, callers_per_minute=0, speed=4.0, seed=112)
    install(center.siaga, simulator)
    return simulator


def open_console(page: Page, center: Center) -> None:
    center.log_in(page, center.call_taker)
    expect(page).not_to_have_url(f"{center.base}/login")  # a call-taker lands on the console
    if not page.url.endswith(CONSOLE):
        page.goto(f"{center.base}{CONSOLE}")
    expect(page.locator("body")).to_have_attribute("data-console-ready", "true")


def log_in_ready(page: Page, position: str) -> None:
    """Log in to a position and set ready, by keyboard once the form has the position."""
    expect(page.locator("#position-login")).to_be_visible()
    page.select_option("#position-select", position)
    page.press("#position-select", "Tab")
    page.keyboard.press("Enter")  # the focused "log in" button
    expect(page.locator("#position-state")).to_have_attribute("data-state", "not_ready")
    expect(page.locator("#position-reason")).to_have_text("· baru masuk")
    page.keyboard.press("r")
    expect(page.locator("#position-state")).to_have_attribute("data-state", "ready")
    expect(page.locator("#position-state-text")).to_have_text("Siap")


def call_state(center: Center, call_id: str) -> tuple[CallState, Disposition | None]:
    with center.siaga.uow() as uow:
        call = uow.calls.get(uuid.UUID(call_id))
    assert call is not None
    return call.state, call.disposition


def test_a_call_from_the_api_rings_at_once_and_is_taken_and_disposed_by_keyboard(
        page: Page, center: Center, gateway: str) -> None:
    open_console(page, center)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1.console-title")).to_have_text("Konsol operator")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "on")
    log_in_ready(page, "pos-01")
    expect(page.locator("#queue-empty")).to_be_visible()

    started = time.monotonic()
    created = httpx.post(f"{center.base}/api/v1/calls", json={"channel": "sms",
                                                              "caller": "081234567890"},
                         headers={"Authorization": f"Bearer {gateway}"}, timeout=10)
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    offer = page.locator("#offer")
    expect(offer).to_be_visible(timeout=LIVE_WITHIN_MS)
    shown_after = time.monotonic() - started
    expect(page.locator("#offer-number")).to_have_text("+6281******890")
    expect(page.locator("#offer-title")).to_have_text("Panggilan masuk")
    assert shown_after < LIVE_WITHIN_MS / 1000, shown_after
    print(f"call on the console {shown_after * 1000:.0f} ms after the API answered")

    page.keyboard.press("a")  # answer
    expect(page.locator("#call-state")).to_have_text("Tersambung")
    expect(page.locator("#call-number")).to_have_text("+6281******890")
    expect(page.locator("#position-state")).to_have_attribute("data-state", "on_call")
    expect(page.locator("#history-summary")).to_have_text("0 panggilan sebelumnya")
    expect(page.locator("#fixes-empty")).to_be_visible()
    assert "6281234567890" not in page.content()  # the number is never shown in full
    expect(page.locator("#location-link")).to_have_attribute("data-call-id", call_id)

    page.keyboard.press("3")  # a prank: recorded, and the call ends with it
    expect(page.locator("#call-state")).to_have_text("Selesai")
    expect(page.locator("#call-done")).to_have_text("Selesai. Siap untuk panggilan berikutnya.")
    expect(page.locator("[data-disposition=prank]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#position-state")).to_have_attribute("data-state", "wrap_up")
    expect(page.locator("#position-timer")).to_have_text(re.compile(r"^0:(0\d|10)$"))
    assert call_state(center, call_id) == (CallState.RELEASED, Disposition.PRANK)
    page.keyboard.press("r")  # wrap-up ended early
    expect(page.locator("#position-state")).to_have_attribute("data-state", "ready")

    # Not ready with a reason, by keyboard; then leaving the position.
    page.keyboard.press("n")
    expect(page.locator("#not-ready-reason")).to_be_focused()
    page.select_option("#not-ready-reason", "break")
    page.keyboard.press("Enter")
    expect(page.locator("#position-reason")).to_have_text("· Istirahat")
    screenshot(page, "call-taker-not-ready")
    page.click("#btn-position-logout")
    expect(page.locator("#position-login")).to_be_visible()


def test_an_emergency_with_triage_a_duplicate_joined_and_sent_to_dispatch(
        page: Page, center: Center, simulator: CallerSimulator) -> None:
    open_console(page, center)
    expect(page.locator("#demo-banner")).to_be_visible()
    log_in_ready(page, "pos-02")

    first = simulator.place_call("emergency", incident_type="fire", subtype="building")
    expect(page.locator("#offer")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#call-state")).to_have_text("Tersambung")
    # The caller speaks (as text): the first line, then the next ones.
    lines = page.locator("#caller-lines li")
    expect(lines.first).to_contain_text("Tolong! Ada kebakaran rumah di dekat")
    expect(lines).to_have_count(3, timeout=8000)
    # The network fix with its accuracy circle on the map.
    expect(page.locator("#fixes li")).to_have_count(1)
    expect(page.locator("#fixes li").first).to_contain_text("Jaringan")
    expect(page.locator("#map path.leaflet-interactive, #map svg path")).not_to_have_count(0)

    page.keyboard.press("1")  # emergency: the incident form, the type first
    expect(page.locator("#incident-type")).to_be_focused()
    page.select_option("#incident-type", "fire")
    page.select_option("#incident-subtype", "building")
    expect(page.locator("#priority-shown")).to_have_text("P2")  # the type's default
    page.select_option("#triage select[data-question=people_inside]", "unknown")
    expect(page.locator("#priority-shown")).to_have_text("P1")
    page.keyboard.press("Escape")
    page.keyboard.press("l")  # the caller's location becomes the call's and the incident's
    expect(page.locator("#fixes li[data-chosen=true]")).to_have_count(1)
    expect(page.locator("#place-shown")).to_contain_text("Kel.")
    expect(page.locator("#duplicates")).to_be_hidden()
    page.fill("#incident-notes", "Api besar, pemilik rumah belum terlihat.")
    page.keyboard.press("Control+Enter")
    number = page.locator("#incident-number")
    expect(number).to_have_text(re.compile(r"^KDI-\d{4}-\d{6}$"))
    expect(page.locator("#incident-priority-shown")).to_have_text("P1")
    expect(page.locator("#btn-verify")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("v")  # verify and send to dispatch
    expect(page.locator("#incident-sent")).to_be_visible()
    expect(page.locator("#incident-status")).to_have_text("Terverifikasi")
    incident_number = number.inner_text()
    with center.siaga.uow() as uow:
        incident = uow.incidents.by_number(incident_number)
    assert incident is not None
    assert (incident.status, incident.priority, incident.type_code) == (
        IncidentStatus.VERIFIED, Priority.P1, "fire")
    assert incident.kelurahan is not None and incident.location_lat is not None
    assert call_state(center, str(first)) == (CallState.CONNECTED, Disposition.EMERGENCY)
    page.keyboard.press("e")  # end the call: done
    expect(page.locator("#call-done")).to_be_visible()
    assert call_state(center, str(first))[0] is CallState.RELEASED
    expect(page.locator("#position-state")).to_have_attribute("data-state", "wrap_up")
    page.keyboard.press("r")
    expect(page.locator("#position-state")).to_have_attribute("data-state", "ready")

    # A neighbour calls about the same fire: the console warns, and the call joins it.
    second = simulator.place_call(again=True)
    expect(page.locator("#offer")).to_be_visible()
    page.keyboard.press("a")
    expect(page.locator("#caller-lines li").first).to_contain_text("saya tetangga")
    page.keyboard.press("1")
    expect(page.locator("#incident-type")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("l")
    duplicate = page.locator("#duplicate-list li")
    expect(duplicate).to_have_count(1)
    expect(duplicate.first).to_contain_text(incident_number)
    screenshot(page, "call-taker-duplicate")
    page.keyboard.press("j")
    expect(page.locator("#incident-number")).to_have_text(incident_number)
    expect(page.locator("#incident-sent")).to_be_visible()  # already with the dispatcher
    with center.siaga.uow() as uow:
        joined = uow.calls.get(second)
    assert joined is not None and joined.incident_id == incident.id
    page.keyboard.press("e")
    expect(page.locator("#call-done")).to_be_visible()

    # English on request: the same console, the caller still in Indonesian with a gloss.
    page.click("a.lang-option[data-lang=en]")
    expect(page.locator("h1.console-title")).to_have_text("Call-taker console")
    expect(page.locator("#position-state-text")).to_have_text("Wrap-up")
    screenshot(page, "call-taker-english")
