"""The supervisor's nuisance page in a real Chromium: the center's rules, a block reviewed and
lifted with a note, the numbers (masked), and the education report of a chosen period."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_nuisance import NuisanceConfig
from siaga112.domain.calls import Channel, Disposition
from siaga112.services import commands as c
from tests.browser.conftest import Center
from tests.browser.console_support import SUPERVISOR, console_center, screenshot

pytestmark = pytest.mark.browser
NUMBER = "081255550001"


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    config = load_center(CENTERS_DIR / "kendari.toml")
    config = config.model_copy(update={"nuisance": NuisanceConfig(
        warn_after=2, block_after=3, priority={"callback_return": 1, "nuisance": -2})})
    with console_center(tmp_path_factory.mktemp("nuisance"), users=(SUPERVISOR,),
                        config=config) as running:
        for disposition in (Disposition.PRANK, Disposition.PRANK, Disposition.SILENT,
                            Disposition.PRANK):
            call = running.siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
            running.siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
            running.siaga.bus.handle(c.DisposeCall(call_id=call, disposition=disposition,
                                                   by="ani"))
            running.siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))
        yield running


def test_a_supervisor_lifts_a_block_and_reads_when_pranks_come(page: Page, center: Center):
    center.log_in(page, SUPERVISOR)
    expect(page).to_have_url(f"{center.base}/supervisor/wallboard")
    page.goto(f"{center.base}/supervisor/nuisance")
    expect(page.locator("body")).to_have_attribute("data-nuisance-ready", "true")
    expect(page.locator("h1")).to_have_text("Penelepon iseng")
    rules = page.locator("#nz-rules")
    expect(rules.locator("[data-rule=block]")).to_contain_text(
        "Blokir sementara 24 jam setelah 3 panggilan terhitung dalam 30 hari")
    expect(rules.locator("[data-rule=bound]")).to_contain_text("90 detik")

    row = page.locator("#nz-blocks tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "active")
    expect(row.locator("td").first).to_have_text("+6281******001")  # masked
    expect(page.locator("#nz-numbers tbody tr td").nth(1)).to_have_text("3")  # pranks

    # The period of today: 3 pranks and 1 silent call, all in this hour.
    today = page.evaluate("new Date().toLocaleDateString('en-CA', {timeZone: 'Asia/Makassar'})")
    page.fill("#nz-from", today)
    page.fill("#nz-to", today)
    page.click("#nz-period button[type=submit]")
    expect(page.locator("#nz-totals")).to_contain_text("4 panggilan iseng dari 4 yang dijawab")
    hour = page.evaluate("Number(new Date().toLocaleString('en-GB', "
                         "{timeZone: 'Asia/Makassar', hour: '2-digit', hourCycle: 'h23'}))")
    expect(page.locator(f"#nz-by-hour .nz-row[data-key='{hour}'] .nz-count")).to_have_text("4")
    expect(page.locator("#nz-by-kelurahan .nz-row[data-key='unknown'] .nz-count")).to_have_text(
        "4")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "supervisor-nuisance")

    row.locator(".nz-review-button").click()
    calls = page.locator("#nz-review-calls li")  # the number's nuisance calls before the block
    expect(calls).to_have_count(4)
    expect(calls.filter(has_text="Iseng (prank)")).to_have_count(3)  # those that counted
    page.click("#nz-lift")
    expect(page.locator("#nz-review-problem")).to_contain_text("minimal 3 karakter")
    page.fill("#nz-lift-note", "Sekolah sudah dihubungi; orang tua diberi tahu.")
    page.click("#nz-lift")
    expect(page.locator("#nz-review-done")).to_have_text("Blokir dicabut.")
    expect(page.locator("#nz-blocks tbody tr")).to_have_count(0)  # no active block left
    expect(page.locator("#nz-review-meta")).to_contain_text("Dicabut oleh citra")
    page.select_option("#nz-block-filter", "all")
    expect(page.locator("#nz-blocks tbody tr")).to_have_attribute("data-status", "lifted")
    screenshot(page, "supervisor-nuisance-lifted")
