"""The supervisor's wallboard in a real Chromium: the numbers follow calls as they arrive and
are answered (live), in large type; English on request."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from siaga112.domain.calls import Channel, Disposition
from siaga112.services import commands as c
from tests.browser.conftest import Center
from tests.browser.console_support import SUPERVISOR, console_center, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    with console_center(tmp_path_factory.mktemp("wallboard"), users=(SUPERVISOR,)) as running:
        yield running


def test_the_wallboard_follows_a_call_from_arrival_to_answer(page: Page, center: Center) -> None:
    siaga = center.siaga
    # Today so far: one call answered and found a prank.
    prank = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081200000001"))
    siaga.bus.handle(c.AnswerCall(call_id=prank, call_taker="ani"))
    siaga.bus.handle(c.DisposeCall(call_id=prank, disposition=Disposition.PRANK, by="ani"))

    center.log_in(page, SUPERVISOR)
    expect(page).to_have_url(f"{center.base}/supervisor/wallboard")  # a supervisor's landing page
    expect(page.locator("body")).to_have_attribute("data-wallboard-ready", "true")
    expect(page.locator("h1.wb-title")).to_have_text("Papan pantau")
    expect(page.locator("#wb-waiting")).to_have_text("0")
    expect(page.locator("#wb-longest")).to_have_text("–")
    expect(page.locator("#wb-calls")).to_have_text("1")
    expect(page.locator("#wb-sl-15")).to_have_text("100,0%")
    expect(page.locator("#wb-prank")).to_have_text("100,0%")
    expect(page.locator("#wb-positions [data-state=logged_out] dd")).to_have_text(
        str(len(siaga.center.positions)))
    # Readable across a room: the figures are large, light on black.
    size = page.locator("#wb-waiting").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 64

    # A call arrives: the board shows it waiting, and its wait ticks.
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081200000002"))
    expect(page.locator("#wb-waiting")).to_have_text("1")
    expect(page.locator("#wb-calls")).to_have_text("2")
    expect(page.locator("#wb-longest")).to_have_text(re.compile(r"^00:0[1-9]$"))
    screenshot(page, "wallboard")

    # Answered: nobody waits, and the share answered and the prank share move.
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    expect(page.locator("#wb-waiting")).to_have_text("0")
    expect(page.locator("#wb-answered")).to_have_text("2")
    expect(page.locator("#wb-prank")).to_have_text("50,0%")
    expect(page.locator("#wb-prank-count")).to_have_text("1 iseng · 0 diam · dari 2 terjawab")

    page.click("a.lang-option[data-lang=en]")
    expect(page.locator("h1.wb-title")).to_have_text("Wallboard")
    expect(page.locator("[data-tile=sl-20] h2")).to_have_text("Answered within 20 s today")
    expect(page.locator("#wb-sl-20")).to_have_text("100.0%")
