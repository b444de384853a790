"""Quick answers in a real Chromium: the supervisor edits a topic (a new version, its history),
adds one, then uses the call-takers' panel (_quick_answers.html) on a call: a search with
typos, Enter to pick, Enter to dispose, and the answer sent by SMS through the center's
Gammu spool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_location_link import LocationLinkConfig, SmsGammuConfig
from siaga112.domain.calls import Channel, Disposition
from siaga112.services import commands as c
from tests.browser.conftest import CALL_TAKER, Center
from tests.browser.console_support import SUPERVISOR, console_center, screenshot

pytestmark = pytest.mark.browser
PAGE = "/supervisor/quick-answers"


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gammu-outbox")


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory, outbox: Path) -> Iterator[Center]:
    """Kendari with a supervisor and an SMS adapter (Gammu SMSD's spool in a scratch folder)."""
    config = load_center(CENTERS_DIR / "kendari.toml").model_copy(update={
        "location_link": LocationLinkConfig(sms_adapter="gammu",
                                            gammu=SmsGammuConfig(outbox_dir=str(outbox)))})
    with console_center(tmp_path_factory.mktemp("qa-db"), users=(SUPERVISOR,),
                        config=config) as running:
        yield running


def test_the_supervisor_edits_and_the_panel_answers_a_call(page: Page, center: Center,
                                                           outbox: Path) -> None:
    center.log_in(page, SUPERVISOR)
    expect(page).not_to_have_url(f"{center.base}/login")
    page.goto(f"{center.base}{PAGE}")
    expect(page.locator("h1")).to_have_text("Jawaban cepat")

    # Edit a topic: a new version, the old one kept in the history.
    page.click("#qa-list button[data-code='listrik-padam']")
    expect(page.locator("#qa-meta")).to_contain_text("Versi 1, oleh siaga112")
    expect(page.locator("#qa-meta")).to_contain_text("WITA")
    page.fill("#qa-answer", "Laporkan gangguan listrik ke PLN: telepon 123 atau aplikasi "
                            "PLN Mobile, dengan ID pelanggan.")
    page.fill("#qa-note", "PLN Mobile lebih cepat")
    page.click("#qa-save")
    expect(page.locator("#qa-saved")).to_have_text("Tersimpan sebagai versi 2.")
    expect(page.locator("#qa-history li")).to_have_count(2)
    expect(page.locator("#qa-history li").first).to_contain_text("Versi 2")
    expect(page.locator("#qa-history li").first).to_contain_text("PLN Mobile lebih cepat")

    # A new topic.
    page.click("#qa-new")
    page.fill("#qa-code", "jadwal-posyandu")
    page.fill("#qa-title", "Jadwal posyandu")
    page.fill("#qa-question", "Kapan posyandu di kelurahan saya?")
    page.fill("#qa-answer", "Jadwal posyandu diumumkan oleh kelurahan dan puskesmas.")
    page.fill("#qa-referrals .qa-referral input[data-field='name']", "Puskesmas Mata")
    page.fill("#qa-referrals .qa-referral input[data-field='phone']", "(0401) 3126948")
    page.fill("#qa-keywords", "posyandu, timbang bayi")
    page.fill("#qa-source", "psc-kendari (2020)")
    page.click("#qa-save")
    expect(page.locator("#qa-saved")).to_have_text("Tersimpan sebagai versi 1.")
    expect(page.locator("#qa-list button[data-code='jadwal-posyandu']")).to_be_visible()

    # The call-takers' panel, on this page without a call: search with a typo, Enter picks.
    panel = page.locator("[data-quick-answers]")
    query = panel.locator("input[data-role='query']")
    query.fill("listrk mati")
    expect(panel.locator("[data-role='hits'] li").first).to_have_attribute(
        "data-code", "listrik-padam")
    query.press("Enter")
    expect(panel.locator("[data-role='read']")).to_contain_text("aplikasi PLN Mobile")  # v2
    expect(panel.locator("[data-role='dispose']")).to_be_disabled()  # no call here

    # A call answered by a call-taker: the console sets data-call-id; the panel follows it.
    call_id = center.siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE,
                                                    caller="081234567890"))
    center.siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker=CALL_TAKER.username))
    panel.evaluate("(root, id) => root.setAttribute('data-call-id', id)", str(call_id))
    expect(panel.locator("[data-role='dispose']")).to_be_enabled()
    query.fill("tjara bikin kk")
    expect(panel.locator("[data-role='hits'] li").first).to_have_attribute(
        "data-code", "kartu-keluarga")
    query.press("Enter")
    expect(panel.locator("[data-role='dispose']")).to_be_focused()
    page.keyboard.press("Enter")  # dispose as non-emergency with this topic
    status = panel.locator("[data-role='status']")
    expect(status).to_have_text(
        "Ditandai bukan darurat, topik: Kartu Keluarga baru atau perubahan.")
    with center.siaga.uow() as uow:
        assert uow.calls.get(call_id).disposition is Disposition.NON_EMERGENCY
        assert uow.knowledge.topic_of(call_id).code == "kartu-keluarga"

    expect(panel.locator("[data-role='sms']")).to_be_focused()
    page.keyboard.press("Enter")  # send by SMS
    expect(status).to_contain_text("SMS terkirim")
    [spooled] = list(outbox.glob("OUT*.txt"))
    assert "Disdukcapil" in spooled.read_bytes()[2:].decode("utf-16-le")

    # An example still to be checked is read out, never sent. (Typed and Enter at once: the
    # pick waits for the search of what was typed, never takes the previous list.)
    query.fill("pdam")
    query.press("Enter")
    expect(panel.locator("[data-role='title']")).to_have_text(
        "Air PDAM tidak mengalir / pipa bocor")
    expect(panel.locator("[data-role='to-check']")).to_be_visible()
    expect(panel.locator("[data-role='sms']")).to_be_disabled()

    # The week's top topics now hold the call.
    page.click("#qa-weeks-form button[type='submit']")
    expect(page.locator("#qa-weeks tr[data-topic='kartu-keluarga']").first).to_be_visible()
    screenshot(page, "quick-answers-supervisor")



def test_the_call_taker_console_carries_the_panel(page: Page, center: Center) -> None:
    center.log_in(page, center.call_taker)
    expect(page).not_to_have_url(f"{center.base}/login")
    page.goto(f"{center.base}/console/call-taker")
    panel = page.locator("[data-quick-answers]")
    expect(panel.locator("label span").first).to_have_text("Jawaban cepat untuk pertanyaan")
    panel.locator("input[data-role='query']").fill("gmn urus ktp yg ilang")
    expect(panel.locator("[data-role='hits'] li").first).to_have_attribute("data-code",
                                                                           "ktp-hilang")
    expect(panel.locator("[data-role='dispose']")).to_be_disabled()  # no call taken yet
    screenshot(page, "quick-answers-call-taker-console")
