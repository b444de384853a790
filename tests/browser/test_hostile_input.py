"""Injection attempts in the browser: forms stay forms, stored text stays text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from siaga112.domain.incidents import IncidentLocation, Priority
from siaga112.services import commands as c

if TYPE_CHECKING:
    from tests.browser.conftest import Center

pytestmark = pytest.mark.browser

SQL = ["' OR '1'='1' --", "ani'; DROP TABLE users; --", '" OR ""="']
SCRIPT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.mark.parametrize("attempt", SQL)
def test_sql_injection_in_the_login_form_logs_nobody_in(page: Page, center: Center,
                                                        attempt: str) -> None:
    page.goto(f"{center.base}/login")
    page.fill("#username", attempt)
    page.fill("#password", attempt)
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Nama pengguna atau kata sandi salah.")
    expect(page).to_have_url(f"{center.base}/login")
    center.log_in(page, center.call_taker)  # the users table is still there
    expect(page).to_have_url(f"{center.base}/console/call-taker")


def test_script_in_the_login_form_is_not_run(page: Page, center: Center) -> None:
    page.goto(f"{center.base}/login")
    page.fill("#username", SCRIPT)
    page.fill("#password", SCRIPT)
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_be_visible()
    assert page.evaluate("window.__pwned") is None


def test_script_stored_in_an_incident_is_shown_as_text_on_the_map(page: Page,
                                                                  center: Center) -> None:
    center.siaga.bus.handle(c.OpenIncident(
        type_code="crime", subtype_code=None, priority=Priority.P2, by="ani",
        location=IncidentLocation(lat=-3.99, lon=122.52, address=SCRIPT, kelurahan=SCRIPT)))
    center.log_in(page, center.call_taker)
    expect(page).to_have_url(f"{center.base}/console/call-taker")
    page.goto(f"{center.base}/center")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "true")
    page.locator(".siaga-marker--incident[title*=Kriminal]").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(SCRIPT)
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".leaflet-popup-content img").count() == 0
