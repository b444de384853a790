"""A node restarted under an open console: the console notices, tries again with a growing
pause (live.js: 1 s, doubling), reconnects by itself when the node is back, and shows what
arrived while it was away. A real `siaga112 serve` process, killed with -9 and started
again on the same port; a real Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from siaga112.bootstrap import bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.services import commands as c
from tests.support.server import free_port

pytestmark = pytest.mark.browser
SIAGA112 = str(Path(sys.executable).with_name("siaga112"))
PASSWORD = "kendari-112-reconnect"
TINY = str(Path(__file__).resolve().parents[2] / "src" / "siaga112" / "centers" / "tiny.toml")
# When the page opened each live socket, in its own clock (Playwright's events reach the
# test late, in bursts): injected before the page's scripts, so CSP does not apply.
COUNT_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__liveOpened = [];
  window.WebSocket = function (url, protocols) {
    if (String(url).endsWith("/ws/live")) window.__liveOpened.push(performance.now());
    return protocols === undefined ? new Native(url) : new Native(url, protocols);
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""


class Node:
    """`siaga112 serve` (web only) on one port, started and killed at will."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SIAGA112_DATABASE_URL": f"sqlite:///{tmp / 'n.sqlite3'}",
                    "SIAGA112_HTTP_HOST": "127.0.0.1", "SIAGA112_HTTP_PORT": str(self.port),
                    "SIAGA112_SIP_ENABLED": "false", "SIAGA112_DATA_DIR": str(tmp),
                    "SIAGA112_CENTER": TINY}  # a small center starts faster
        self.log = tmp / "node.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([SIAGA112, "serve"], env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the node did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    running = Node(tmp_path)
    siaga = bootstrap(Settings(database_url=running.env["SIAGA112_DATABASE_URL"], center=TINY,
                               env="test"))
    siaga.bus.handle(c.CreateUser(username="ani", full_name="Ani", role=Role.CALL_TAKER,
                                  password=PASSWORD, must_change_password=False))
    siaga.engine.dispose()
    running.start()
    yield running
    running.stop()


def test_a_console_reconnects_by_itself_after_its_node_restarts(browser: Browser, node: Node):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.add_init_script(COUNT_SOCKETS)
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # While the node is down the page's sockets and reads fail, and it says so.
        if message.type == "error" and not any(
                s in message.text for s in ("WebSocket connection", "ERR_CONNECTION_REFUSED",
                                            "Failed to fetch", "Failed to load resource")):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{node.base}/login")
        page.fill("#username", "ani")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("body")).to_have_attribute("data-console-ready", "true",
                                                      timeout=15_000)
        status = page.locator("[data-live-status]")
        expect(status).to_have_attribute("data-live-status", "on", timeout=15_000)
        expect(page.locator("#queue-empty")).to_be_visible()

        node.kill()
        opened_before = len(page.evaluate("window.__liveOpened"))
        killed_at = page.evaluate("performance.now()") / 1000
        expect(status).to_have_attribute("data-live-status", "off", timeout=5_000)
        # A call arrives while the console is cut off (stored by another node, say).
        siaga = bootstrap(Settings(database_url=node.env["SIAGA112_DATABASE_URL"], center=TINY,
                                   env="test"))
        siaga.bus.handle(c.ReceiveCall(caller="081234567890", channel=Channel.VOICE))
        siaga.engine.dispose()
        node.start()  # the same port, a new process: a node restarted by systemd

        expect(status).to_have_attribute("data-live-status", "on", timeout=20_000)
        expect(page.locator("#queue li[data-call-id]")).to_have_count(1)
        expect(page.locator("#queue-count")).to_have_text("1")

        # It tried again on its own, pausing longer each time (1 s, 2 s, 4 s...).
        retries = page.evaluate("window.__liveOpened")[opened_before:]
        # 1 s, 3 s, 7 s... after the loss; the node takes seconds to start again.
        assert len(retries) >= 2 and retries[0] / 1000 >= killed_at + 0.5, (killed_at, retries)
        pauses = [(b - a) / 1000 for a, b in zip(retries, retries[1:])]
        assert pauses[0] >= 1.5 and all(b > a * 1.5 for a, b in zip(pauses, pauses[1:])), pauses
        assert errors == [], errors
    finally:
        context.close()
