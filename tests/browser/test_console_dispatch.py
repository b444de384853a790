"""The dispatcher board in a real Chromium: incidents by priority with their timers, the
recommendation with ETA and exclusions, sending and releasing units, failed notifications."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from siaga112.config import CENTERS_DIR, WebhooksConfig, load_center
from siaga112.domain.incidents import Priority
from tests.browser.conftest import Center
from tests.browser.console_support import (
    DISPATCHER, ShiftedClock, answered_incident, console_center, screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    """Kendari whose Dinkes has a webhook that cannot be delivered (its secret's variable is
    not set: it fails at the first attempt), with three incidents: a P3 crime answered 200 s
    ago (past its 180 s target), a P1 fire just answered, and a P2 medical not verified yet."""
    kendari = load_center(CENTERS_DIR / "kendari.toml")
    agencies = [a.model_copy(update={"webhook_url": "http://127.0.0.1:9/eido",
                                     "webhook_secret_env": "SIAGA112_TEST_UNSET_DINKES_SECRET"})
                if a.code == "dinkes" else a for a in kendari.agencies]
    config = kendari.model_copy(update={"agencies": agencies,
                                        "webhooks": WebhooksConfig(max_attempts=1)})
    clock = ShiftedClock()
    with console_center(tmp_path_factory.mktemp("dispatch"), users=(DISPATCHER,), config=config,
                        clock=clock) as running:
        clock.back_seconds = 200
        answered_incident(running.siaga, type_code="crime", subtype=None, priority=Priority.P3)
        clock.back_seconds = 0
        answered_incident(running.siaga, type_code="fire", subtype="building",
                          priority=Priority.P1)
        answered_incident(running.siaga, type_code="medical", subtype=None,
                          priority=Priority.P2, verify=False)
        yield running


def test_dispatcher_sends_the_recommended_units_and_releases_one(page: Page,
                                                                 center: Center) -> None:
    center.log_in(page, DISPATCHER)
    expect(page).to_have_url(f"{center.base}/console/dispatch")  # a dispatcher's landing page
    expect(page.locator("h1.console-title")).to_have_text("Papan dispatcher")
    expect(page.locator("body")).to_have_attribute("data-board-ready", "true")

    # Most urgent first; each with its answer-to-dispatch timer against its priority's target.
    cards = page.locator("#incident-list > li")
    expect(cards).to_have_count(3)
    expect(cards.locator(".prio")).to_have_text(["P1", "P2", "P3"])
    fire, medical, crime = cards.nth(0), cards.nth(1), cards.nth(2)
    expect(fire.locator(".incident-type")).to_contain_text("Kebakaran")
    expect(fire.locator(".timer-target")).to_have_text("target 01:00")
    expect(crime.locator(".timer-target")).to_have_text("target 03:00")
    expect(fire.locator(".dispatch-timer")).to_have_class(re.compile(r"\btimer-ok\b.*is-running"))
    expect(crime.locator(".dispatch-timer")).to_have_class(re.compile(r"\btimer-late\b"))
    expect(crime.locator(".timer-value")).to_have_text(re.compile(r"^03:[2-5]\d$"))

    # Not verified: the recommendation is shown, but nothing can be sent yet.
    medical.click()
    expect(page.locator("#detail-verify")).to_be_visible()
    expect(page.locator("#recommendation .requirement")).to_have_count(1)
    expect(page.locator("#dispatch-submit")).to_be_disabled()

    # The fire: two fire engines and an ambulance suggested, fastest first, with ETA and km;
    # the other Damkar units left out with their reason.
    fire.click()
    expect(page.locator("#detail-number")).to_have_text(fire.get_attribute("data-incident") or "")
    expect(page.locator("#detail-verify")).to_be_hidden()
    damkar = page.locator("#recommendation .requirement[data-agency=damkar]")
    expect(damkar.locator(".requirement-title")).to_have_text(
        "Dinas Pemadam Kebakaran dan Penyelamatan Kota Kendari: Mobil pemadam × 2")
    expect(damkar.locator(".candidate")).to_have_count(4)
    expect(damkar.locator(".candidate-pick:checked")).to_have_count(2)
    expect(damkar.locator(".candidate-eta").first).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    expect(damkar.locator(".candidate-distance").first).to_have_text(re.compile(r"^\d+,\d km$"))
    expect(damkar.locator(".excluded-unit[data-unit=DMK-T1]")).to_have_text(
        "DMK-T1berjenis Mobil tangki air; rencana meminta Mobil pemadam")
    chosen = [*damkar.locator(".candidate-pick:checked").evaluate_all("els => els.map(e => e.value)"),
              *page.locator("#recommendation .requirement[data-agency=dinkes] .candidate-pick:checked")
              .evaluate_all("els => els.map(e => e.value)")]
    assert len(chosen) == 3

    page.click("#dispatch-submit")
    expect(page.locator("#detail-message")).to_have_text(f"Dikirim: {', '.join(chosen)}")
    assignments = page.locator("#assignments > li.assignment[data-unit]")
    expect(assignments).to_have_count(3)
    expect(assignments.locator(".assignment-status")).to_have_text(["Ditugaskan"] * 3)
    expect(fire.locator(".unit-chip")).to_have_count(3)
    expect(fire.locator(".dispatch-timer")).not_to_have_class(re.compile("is-running"))
    # What was sent counts against the plan: nothing is ticked to be sent twice.
    expect(damkar.locator(".requirement-sent")).to_have_text("2 sudah dikirim")
    expect(damkar.locator(".candidate-pick:checked")).to_have_count(0)
    for code in chosen:
        expect(page.locator(f"#unit-board [data-unit='{code}']")).to_have_attribute(
            "data-status", "dispatched")

    # Dinkes' webhook failed: the dispatcher is told to call them.
    expect(page.locator("#failed-deliveries > li")).to_have_count(1)
    expect(page.locator("#failed-deliveries > li")).to_contain_text("Dinas Kesehatan")
    expect(fire.locator(".incident-failed")).to_have_text("1 notifikasi gagal")
    expect(page.locator("#assignments .delivery-failed")).to_contain_text(
        "beri tahu lewat radio atau telepon")

    # Releasing the ambulance makes it available again on every list.
    ambulance = chosen[-1]
    page.locator(f"#assignments > li[data-unit='{ambulance}'] .unit-release").click()
    expect(page.locator(f"#unit-board [data-unit='{ambulance}']")).to_have_attribute(
        "data-status", "available")
    expect(page.locator(f"#assignments > li[data-unit='{ambulance}']")).to_have_class(
        re.compile("is-ended"))
    expect(fire.locator(".unit-chip")).to_have_count(2)
    expect(page.locator(".leaflet-marker-pane .siaga-marker--incident")).to_have_count(3)
    screenshot(page, "dispatcher-board")

    page.click("a.lang-option[data-lang=en]")
    expect(page.locator("h1.console-title")).to_have_text("Dispatcher board")
    expect(page.locator("#incident-list > li").first.locator(".timer-label").first).to_have_text(
        "Answer → dispatch")
