"""The supervisor's recordings page in a real Chromium: a recorded call listed, played in
the page's <audio> player (the browser decodes the WAV), the playback in the audit log."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from siaga112.adapters.db import tables
from siaga112.adapters.media.wiring import recording_store
from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_media import MediaConfig
from siaga112.domain.calls import Channel
from siaga112.services import commands as c
from tests.browser.conftest import Center
from tests.browser.console_support import SUPERVISOR, console_center, screenshot
from tests.support.audio import PCAPS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    tmp = tmp_path_factory.mktemp("recordings")
    config = load_center(CENTERS_DIR / "kendari.toml").model_copy(update={"media": MediaConfig(
        spool_dir=str(tmp / "spool"), recordings_dir=str(tmp / "recordings"))})
    with console_center(tmp, users=(SUPERVISOR,), config=config) as running:
        call = running.siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE,
                                                      caller="081255550002"))
        for folder in ("pcaps", "metadata"):
            (tmp / "spool" / folder).mkdir(parents=True)
        pcap = tmp / "spool" / "pcaps" / f"{call}-1.pcap"
        shutil.copy(PCAPS / "g711a.pcap", pcap)  # as rtpengine leaves a finished recording
        (tmp / "spool" / "metadata" / f"rtpengine-meta-{call}-1.txt").write_text(f"{pcap}\n")
        assert recording_store(running.siaga).collect() == [call]
        running.call_id = call  # type: ignore[attr-defined]
        yield running


def test_a_supervisor_plays_a_recording_in_the_page(page: Page, center: Center):
    center.log_in(page, SUPERVISOR)
    expect(page).to_have_url(f"{center.base}/supervisor/wallboard")
    page.goto(f"{center.base}/supervisor/recordings")
    expect(page.locator("body")).to_have_attribute("data-recordings-ready", "true")
    expect(page.locator("h1")).to_have_text("Rekaman panggilan")
    row = page.locator(f"#rec-list tbody tr[data-call='{center.call_id}']")  # type: ignore
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("7.1 s")
    expect(row.locator("audio")).to_have_count(0)  # nothing loaded (nor logged) before Play

    row.locator("button").click()
    audio = row.locator("audio")
    expect(audio).to_have_count(1)
    # Polled from here: wait_for_function re-evaluates its text with eval(), which the
    # page's Content-Security-Policy (rightly) forbids.
    deadline = time.monotonic() + 15
    while page.evaluate("document.querySelector('audio').readyState") < 1:
        assert time.monotonic() < deadline, "the browser did not load the recording"
        page.wait_for_timeout(100)
    duration = page.evaluate("document.querySelector('audio').duration")
    assert duration == pytest.approx(7.08, abs=0.05)  # the browser decoded the WAV
    screenshot(page, "supervisor-recordings")

    e = tables.event_log.c
    with center.siaga.engine.connect() as conn:
        played = conn.execute(sa.select(e.actor, e.after).where(
            e.event_type == "PersonalDataViewed",
            e.aggregate_id == str(center.call_id))).all()  # type: ignore[attr-defined]
    assert played and set(played) == {("citra", "recording_played")}
