"""Browser fixtures: the real server in a thread, and a real Chromium driven by Playwright.

Chromium is the Debian package (never `playwright install`); its path can be changed with
SIAGA112_TEST_CHROMIUM. A missing browser fails the tests: CI must install it, not skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (Browser, BrowserContext, ConsoleMessage, Page, Request,
                                  sync_playwright, expect)

from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.domain.incidents import IncidentLocation, Priority
from siaga112.services import commands as c
from tests.support.server import running_server

CHROMIUM = os.environ.get("SIAGA112_TEST_CHROMIUM", "/usr/bin/chromium")
# Assertions wait up to 15 s (Playwright's default is 5 s): a shared 2-core machine running
# the suite beside a server and a browser can take longer than 5 s to draw 100 markers.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PASSWORD = "kendari-112-test"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    agency: str | None = None


CALL_TAKER = DemoUser("ani", "Ani Operator (demo)", Role.CALL_TAKER)
AGENCY_USER = DemoUser("damkar1", "Petugas Damkar (demo)", Role.AGENCY, "damkar")


@dataclass
class Center:
    """The running center: its base URL, its wiring, and who may log in."""

    base: str
    siaga: Siaga
    call_taker: DemoUser = CALL_TAKER
    agency_user: DemoUser = AGENCY_USER
    password: str = PASSWORD

    def log_in(self, page: Page, user: DemoUser, password: str | None = None) -> None:
        """Fill and send the login form (the page then shows an error or moves on)."""
        page.goto(f"{self.base}/login")
        page.fill("#username", user.username)
        page.fill("#password", password or self.password)
        page.click("#login-submit")


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    tmp = tmp_path_factory.mktemp("browser-db")
    siaga = bootstrap(Settings(database_url=f"sqlite:///{tmp}/b.sqlite3", env="test"))
    for user in (CALL_TAKER, AGENCY_USER):
        siaga.bus.handle(c.CreateUser(username=user.username, full_name=user.full_name,
                                      role=user.role, password=PASSWORD,
                                      agency_code=user.agency, must_change_password=False,
                                      demo=True))
    # One active incident: readers see it on the map, agency users do not.
    siaga.bus.handle(c.OpenIncident(
        type_code="fire", subtype_code="building", priority=Priority.P1, by=CALL_TAKER.username,
        location=IncidentLocation(lat=-3.9700, lon=122.5150, address="Jl. Contoh No. 1 (demo)",
                                  kelurahan="Mandonga", kecamatan="mandonga")))
    with running_server(siaga) as base:
        yield Center(base=base, siaga=siaga)
    siaga.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` "
                    "(scripts/setup does) or point SIAGA112_TEST_CHROMIUM at one", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What the page did that it should not: script errors, requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Browser, center: Center) -> Iterator[Page]:
    """A fresh browser profile (no cookies) that fails the test on any error or foreign request."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = Watch()

    def on_console(message: ConsoleMessage) -> None:
        # A refused login or form is an answer the page shows, not an error of the page.
        if message.type == "error" and not any(f"status of {code}" in message.text
                                               for code in (401, 422)):
            watch.errors.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith((center.base + "/", "data:")):
            watch.foreign.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    page.on("request", on_request)
    yield page
    context.close()
    assert watch.foreign == [], f"the page asked another host (no CDN allowed): {watch.foreign}"
    assert watch.errors == [], f"errors in the browser: {watch.errors}"



@pytest.fixture
def open_page(browser: Browser, center: Center) -> Iterator[Callable[..., Page]]:
    """More pages, each in its own browser profile (a phone, a second console), watched like
    `page`: `open_page(viewport={"width": 390, "height": 844}, geolocation=..., permissions=[...])`
    takes Playwright's context options."""
    opened: list[tuple[BrowserContext, Watch]] = []

    def _open(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1440, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        new = context.new_page()
        watch = Watch()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not any(f"status of {code}" in message.text
                                                   for code in (401, 422)):
                watch.errors.append(message.text)

        def on_request(request: Request) -> None:
            if not request.url.startswith((center.base + "/", "data:")):
                watch.foreign.append(request.url)

        new.on("console", on_console)
        new.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        new.on("request", on_request)
        opened.append((context, watch))
        return new

    yield _open
    for context, _ in opened:
        context.close()
    for _, watch in opened:
        assert watch.foreign == [], f"a page asked another host (no CDN allowed): {watch.foreign}"
        assert watch.errors == [], f"errors in the browser: {watch.errors}"
