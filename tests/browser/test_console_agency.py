"""The agency console on a phone (390x844, geolocation allowed): acknowledge, unit status,
the unit's position; the dispatcher's board follows live; another agency sees nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from siaga112.domain.incidents import Priority
from tests.browser.conftest import Center
from tests.browser.console_support import (
    DISPATCHER, POLICE_USER, console_center, dispatched_incident, screenshot,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
WHERE = {"latitude": -3.9815, "longitude": 122.5204, "accuracy": 12}  # Kendari, near Mandonga


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    with console_center(tmp_path_factory.mktemp("agency"),
                        users=(DISPATCHER, POLICE_USER)) as running:
        yield running


@pytest.fixture(scope="module")
def fire(center: Center) -> tuple[uuid.UUID, str]:
    """A building fire (P2: one fire engine) with Damkar's DMK-01 sent to it."""
    return dispatched_incident(center.siaga, ("DMK-01",), type_code="fire", subtype="building",
                               priority=Priority.P2)


def test_agency_acknowledges_sets_status_and_shares_position_on_a_phone(
        open_page: Callable[..., Page], center: Center, fire: tuple[uuid.UUID, str]) -> None:
    _, number = fire
    board = open_page()
    center.log_in(board, DISPATCHER)
    expect(board).to_have_url(f"{center.base}/console/dispatch")
    dmk01 = board.locator("#unit-board [data-unit='DMK-01']")
    expect(dmk01).to_have_attribute("data-status", "dispatched")

    phone = open_page(**PHONE, geolocation=WHERE, permissions=["geolocation"])
    center.log_in(phone, center.agency_user)
    expect(phone).to_have_url(f"{center.base}/console/agency")  # an agency's landing page
    expect(phone.locator("body")).to_have_attribute("data-agency-ready", "true")
    job = phone.locator(".job-card[data-unit='DMK-01']")
    expect(job.locator(".job-number")).to_have_text(number)
    expect(job.locator(".job-status")).to_have_text("Ditugaskan")
    expect(phone.locator("#incidents > li")).to_have_count(1)

    # Big touch targets, and nothing wider than the phone.
    sizes = job.locator("button").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    assert len(sizes) == 5 and all(w >= 120 and h >= 48 for w, h in sizes), sizes
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    job.locator(".job-ack").tap()
    expect(job.locator(".job-acknowledged")).to_have_text("Sudah dikonfirmasi")
    expect(board.locator(f"#incident-list > li[data-incident='{number}'] .unit-chip")).to_have_class(
        "unit-chip siaga-status-chip--dispatched is-acknowledged")

    steps = job.locator(".status-button")
    expect(steps).to_have_text(["Dalam perjalanan", "Di lokasi", "Mengangkut korban", "Selesai"])
    expect(job.locator(".status-button[data-status=on_scene]")).to_be_disabled()
    job.locator(".status-button[data-status=en_route]").tap()
    expect(job.locator(".job-status")).to_have_text("Dalam perjalanan")
    expect(dmk01).to_have_attribute("data-status", "en_route")  # live on the dispatcher's board
    expect(dmk01.locator(".unit-status")).to_have_text("Dalam perjalanan")

    # The phone's position becomes the unit's position (the fire engine's, chosen by default).
    expect(phone.locator("#my-unit")).to_have_value("DMK-01")
    phone.locator("#share-position").tap()
    expect(phone.locator("#position-state")).to_have_attribute("data-shared", "true")
    expect(phone.locator("#position-state")).to_contain_text("DMK-01: posisi dibagikan pada")
    with center.siaga.uow() as uow:
        unit = uow.units.get("DMK-01")
    assert unit is not None
    assert (unit.last_lat, unit.last_lon) == (WHERE["latitude"], WHERE["longitude"])

    job.locator(".status-button[data-status=on_scene]").tap()
    expect(job.locator(".job-status")).to_have_text("Di lokasi")
    expect(dmk01).to_have_attribute("data-status", "on_scene")
    screenshot(phone, "agency-phone")

    job.locator(".status-button[data-status=available]").tap()
    expect(phone.locator(".job-card")).to_have_count(0)
    expect(phone.locator("#no-jobs")).to_be_visible()
    expect(dmk01).to_have_attribute("data-status", "available")


def test_another_agency_sees_nothing_of_the_incident(
        page: Page, center: Center, fire: tuple[uuid.UUID, str]) -> None:
    incident_id, number = fire
    center.log_in(page, POLICE_USER)
    expect(page).to_have_url(f"{center.base}/console/agency")
    expect(page.locator("body")).to_have_attribute("data-agency-ready", "true")
    expect(page.locator("#agency-name")).to_have_text("Polresta Kendari")
    expect(page.locator("#no-incidents")).to_be_visible()
    expect(page.locator("#incidents > li")).to_have_count(0)
    expect(page.locator("#units > li")).to_have_count(3)  # POL-01..03, its own only
    assert number not in page.content()
    for path in (f"/api/v1/incidents/{incident_id}", f"/api/v1/dispatch/incidents/{incident_id}",
                 f"/api/v1/incidents/{incident_id}/eido"):
        assert page.request.get(f"{center.base}{path}").status == 404, path
    assert page.request.get(f"{center.base}/api/v1/incidents?active=true").json() == []
    refused = page.request.post(f"{center.base}/api/v1/dispatch/units/DMK-01/position",
                                data={"lat": -3.9, "lon": 122.5},
                                headers={"X-CSRF-Token": _csrf(page)})
    assert refused.status == 403


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "siaga112_csrf")
