"""The location link in a real Chromium: a phone-sized browser with an emulated position opens
the link sent from the call-taker's panel; a phone that refuses; links that cannot be used.

Until the call-taker console includes the panel, a small page made here includes
`_location_link.html` the way the console will (the lead wires the console itself).
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import Request
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from siaga112.adapters.db.tables_location_link import location_links
from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.entrypoints.web import i18n, pages
from siaga112.entrypoints.web.app import create_app
from siaga112.services import commands as c

pytestmark = pytest.mark.browser

PASSWORD = "kendari-112-test"
WHERE = {"latitude": -3.9721, "longitude": 122.5148, "accuracy": 8}
PANEL_SCRIPTS = ("common.js", "location_link.js")
HARNESS = """<!doctype html><html lang="{{ locale }}"><head><meta charset="utf-8">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/siaga112.css"></head><body>
<main id="console"><div id="location-link" data-call-id="">
{% include "_location_link.html" %}</div></main>
<script type="application/json" id="siaga-messages">{{ messages|tojson }}</script>
{% for s in scripts %}<script src="/static/{{ s }}"></script>{% endfor %}
</body></html>"""


@dataclass
class LinkCenter:
    base: str
    siaga: Siaga
    token: str  # a call-taker's bearer token, for the API checks
    shots: Path
    api: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.api = httpx.Client(base_url=self.base, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}"})

    def new_call(self) -> str:
        return str(self.siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE,
                                                       caller="081234567890")))

    def link_state(self, call: str) -> dict:
        return self.api.get(f"/api/v1/calls/{call}/location-link").json()


def _harness(request: Request) -> HTMLResponse:
    """What the call-taker console will do: include the partial, list its scripts."""
    siaga = request.app.state.siaga
    env = pages._environment("id", siaga.center.center.timezone)
    html = env.from_string(HARNESS).render(locale="id", scripts=PANEL_SCRIPTS,
                                           messages=i18n.script_messages("id", PANEL_SCRIPTS))
    return HTMLResponse(html, headers={
        "Content-Security-Policy": pages._content_security_policy(None)})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def link_center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LinkCenter]:
    tmp = tmp_path_factory.mktemp("location-link")
    siaga = bootstrap(Settings(database_url=f"sqlite:///{tmp}/l.sqlite3", env="test"))
    siaga.bus.handle(c.CreateUser(username="ani", full_name="Ani Operator", password=PASSWORD,
                                  role=Role.CALL_TAKER, must_change_password=False))
    app = create_app(siaga)
    app.add_api_route("/test/location-link-panel", _harness, methods=["GET"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    token = httpx.post(f"{base}/api/v1/auth/login",
                       json={"username": "ani", "password": PASSWORD}).json()["token"]
    center = LinkCenter(base=base, siaga=siaga, token=token, shots=tmp)
    yield center
    center.api.close()
    server.should_exit = True
    thread.join(timeout=10)
    siaga.engine.dispose()


@dataclass
class Watched:
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # answers >= 400, to name them
    bytes_loaded: int = 0

    def check(self, allowed_status: tuple[int, ...] = ()) -> None:
        errors = [e for e in self.errors
                  if not any(f"status of {code}" in e for code in allowed_status)]
        assert self.foreign == [], f"the page asked another host: {self.foreign}"
        assert errors == [], f"errors in the browser: {errors} ({self.failed})"


def _watch(context: BrowserContext, base: str) -> Watched:
    watched = Watched(context, context.new_page())

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    def on_response(response) -> None:
        if response.status >= 400:
            watched.failed.append(f"{response.status} {response.url}")
        try:
            watched.bytes_loaded += len(response.body())
        except Exception:  # a redirect or an aborted request has no body
            pass

    watched.page.on("console", on_console)
    watched.page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    watched.page.on("request", lambda r: None if r.url.startswith(base + "/")
                    else watched.foreign.append(r.url))
    watched.page.on("response", on_response)
    return watched


def phone(browser: Browser, base: str, *, allow_location: bool) -> Watched:
    """A phone-sized browser; the position is emulated, the permission given or not."""
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="id-ID", geolocation=WHERE,
        permissions=["geolocation"] if allow_location else [])
    context.set_default_timeout(10_000)
    return _watch(context, base)


def test_a_phone_shares_its_position_and_the_call_taker_sees_it(browser: Browser,
                                                                link_center: LinkCenter):
    center = link_center
    call = center.new_call()
    desk = _watch(browser.new_context(viewport={"width": 1280, "height": 800}), center.base)
    try:
        logged_in = desk.context.request.post(  # the session cookies, as the login page gets them
            f"{center.base}/api/v1/auth/login", data={"username": "ani", "password": PASSWORD})
        assert logged_in.ok
        desk.page.goto(f"{center.base}/test/location-link-panel")
        holder = desk.page.locator("#location-link")  # as in the call-taker console
        panel = holder.locator("[data-location-link]")
        send = panel.locator("[data-role=send]")
        expect(send).to_be_disabled()  # no call yet
        holder.evaluate("(el, id) => el.setAttribute('data-call-id', id)", call)
        expect(panel.locator("[data-role=state]")).to_have_text(
            "Belum ada tautan lokasi untuk panggilan ini.")
        expect(send).to_have_text("Kirim tautan lokasi")
        send.click()
        expect(panel.locator("[data-role=sms]")).to_have_text(
            "Gateway SMS belum diatur: bacakan tautannya.")
        url = panel.locator("[data-role=url]").input_value()
        assert re.fullmatch(re.escape(center.base) + r"/l/[A-Za-z0-9_-]{22}", url)
        spelled = panel.locator("[data-role=spelled]").inner_text()
        assert spelled.replace(" ", "") == url.rsplit("/", 1)[1]

        caller = phone(browser, center.base, allow_location=True)
        try:
            caller.page.goto(url)
            expect(caller.page.locator("h1")).to_have_text("Bagikan lokasi Anda kepada 112")
            expect(caller.page.locator(".what")).to_contain_text("Call Center 112")
            assert caller.bytes_loaded < 50_000, f"{caller.bytes_loaded} bytes: too heavy"
            print(f"the caller's page loaded {caller.bytes_loaded} bytes")
            caller.page.screenshot(path=str(center.shots / "phone-before.png"))
            expect(panel.locator("[data-role=state]")).to_have_text(
                "Penelepon membuka tautan", timeout=5_000)
            caller.page.click("#share")
            started = time.monotonic()
            fixes: list[dict] = []
            while not fixes and time.monotonic() - started < 2.0:
                fixes = center.api.get(f"/api/v1/calls/{call}/locations").json()["fixes"]
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            assert fixes, "no fix reached the call within 2 s"
            fix = fixes[0]
            assert (fix["source"], fix["radius_m"]) == ("link", 8)
            assert abs(fix["lat"] - WHERE["latitude"]) < 1e-6
            assert abs(fix["lon"] - WHERE["longitude"]) < 1e-6
            assert fix["place"]["kelurahan"]["name"]  # named after its kelurahan
            assert center.link_state(call)["state"] == "shared"
            expect(caller.page.locator("#status")).to_contain_text("Lokasi terkirim")
            caller.page.screenshot(path=str(center.shots / "phone-shared.png"))
            expect(panel.locator("[data-role=state]")).to_contain_text(
                "Lokasi dibagikan oleh penelepon", timeout=5_000)
            expect(panel.locator("[data-role=expiry]")).to_have_text(
                re.compile(r"^Berlaku (29|30) menit lagi$"))
            desk.page.screenshot(path=str(center.shots / "call-taker-panel.png"))
            caller.check()
        finally:
            caller.context.close()

        other = center.new_call()  # the panel follows the console's current call
        holder.evaluate("(el, id) => el.setAttribute('data-call-id', id)", other)
        expect(panel.locator("[data-role=state]")).to_have_text(
            "Belum ada tautan lokasi untuk panggilan ini.")
        expect(panel.locator("[data-role=url-box]")).to_be_hidden()
        desk.check()
    finally:
        desk.context.close()
    print(f"first fix stored {elapsed:.2f} s after the caller pressed the button")


def test_a_phone_that_refuses_is_told_kindly_and_the_call_taker_sees_it(browser: Browser,
                                                                          link_center: LinkCenter):
    center = link_center
    call = center.new_call()
    made = center.api.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False})
    caller = phone(browser, center.base, allow_location=False)
    try:
        caller.page.goto(made.json()["url"])
        caller.page.click("#share")
        expect(caller.page.locator("#status")).to_contain_text(
            "Anda tidak mengizinkan akses lokasi. Tidak apa-apa")
        expect(caller.page.locator("#share")).to_be_enabled()  # may try again
        deadline = time.monotonic() + 5
        while center.link_state(call)["state"] != "refused":
            assert time.monotonic() < deadline, center.link_state(call)
            time.sleep(0.05)
        assert center.link_state(call)["reason"] == "denied"
        caller.page.screenshot(path=str(center.shots / "phone-refused.png"))
        caller.check()
    finally:
        caller.context.close()


def test_expired_and_used_links_show_a_kind_page(browser: Browser, link_center: LinkCenter):
    center = link_center
    call = center.new_call()
    used = center.api.post(f"/api/v1/calls/{call}/location-link", json={"send_sms": False})
    used_url = used.json()["url"]
    with httpx.Client(base_url=center.base, headers={"Origin": center.base}) as web:
        web.post(f"/l/{used_url.rsplit('/', 1)[1]}/position", json={"lat": -3.97, "lon": 122.51})
        web.post(f"/l/{used_url.rsplit('/', 1)[1]}/status", json={"status": "done"})
    second = center.new_call()
    stale = center.api.post(f"/api/v1/calls/{second}/location-link", json={"send_sms": False})
    with center.siaga.engine.begin() as conn:  # its half hour is over
        conn.execute(sa.update(location_links)
                     .where(location_links.c.id == uuid.UUID(stale.json()["link_id"]))
                     .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    caller = phone(browser, center.base, allow_location=True)
    try:
        for url, status, says in [
            (used_url, 410, "Lokasi Anda sudah dibagikan lewat tautan ini."),
            (stale.json()["url"], 410, "Masa berlakunya sudah habis."),
            (f"{center.base}/l/NoSuchLinkNoSuchLink00", 404, "Tautan ini tidak dikenal."),
        ]:
            response = caller.page.goto(url)
            assert response is not None and response.status == status
            expect(caller.page.locator("h1")).to_have_text("Tautan ini sudah tidak dapat dipakai")
            expect(caller.page.locator("#gone")).to_contain_text(says)
            expect(caller.page.locator("a[href='tel:112']")).to_be_visible()
        caller.page.screenshot(path=str(center.shots / "phone-gone.png"))
        assert center.link_state(second)["state"] == "expired"
        caller.check(allowed_status=(404, 410))
    finally:
        caller.context.close()
