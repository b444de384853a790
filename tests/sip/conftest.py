"""SIP fixtures: the real SIP node on a free loopback port over a fresh database (SQLite
and PostgreSQL), and sipp as the callers and as the call-takers' phones.

sipp is required, never skipped: scripts/test installs Debian's sip-tester.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.domain.clock import SystemClock
from siaga112.entrypoints.sip import Telephony, start_telephony
from siaga112.services import commands as c
from siaga112.services.batching import GroupCommitter

SCENARIOS = Path(__file__).parent / "scenarios"
SIPP_TIMEOUT = 30  # seconds: no sipp run may outlive this


@pytest.fixture(scope="session")
def sipp_binary() -> str:
    found = shutil.which("sipp")
    if found is None:
        pytest.fail("sipp is missing: install Debian's sip-tester (scripts/test does)",
                    pytrace=False)
    return found


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()  # sipp runs in real time


@pytest.fixture
def kendari(kendari):
    """Kendari with a short ring timeout and no wrap-up, so that tests run in seconds."""
    return kendari.model_copy(update={
        "thresholds": kendari.thresholds.model_copy(update={"ring_timeout_seconds": 5}),
        "telephony": kendari.telephony.model_copy(update={"wrap_up_seconds": 0})})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sip:
    """The node under test, and helpers to drive it with sipp."""

    def __init__(self, siaga: Any, telephony: Telephony, sipp: str, tmp: Path) -> None:
        self.siaga, self.telephony, self.sipp, self.tmp = siaga, telephony, sipp, tmp
        self.port = telephony.node.port
        self._phones: list[subprocess.Popen[bytes]] = []

    def phone(self, position: str, scenario: str = "phone_answers.xml", *, calls: int = 1,
              extra: tuple[str, ...] = ()) -> int:
        """A sipp UAS playing this position's phone; the position's URI points at it."""
        port = free_port()
        proc = subprocess.Popen(
            [self.sipp, "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1", "-p", str(port),
             "-m", str(calls), "-nostdin", "-timeout", f"{SIPP_TIMEOUT}s", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp)
        self._phones.append(proc)
        self.point(position, f"sip:{position}@127.0.0.1:{port}")
        return port

    def point(self, position: str, uri: str) -> None:
        self.telephony.switchboard.uris[position] = uri  # the node's thread reads it later
        with self.siaga.engine.begin() as conn:
            conn.execute(sa.update(tables.positions).where(tables.positions.c.code == position)
                         .values(sip_uri=uri))

    def ready(self, *positions: str) -> None:
        for code in positions:
            self.siaga.bus.handle(c.LogInPosition(position_code=code, operator=f"op-{code}"))
            self.siaga.bus.handle(c.SetPositionReady(position_code=code))
            time.sleep(0.02)  # distinct idle times: the first one is the longest idle

    def call(self, scenario: str = "caller.xml", *, caller: str = "081234567890",
             calls: int = 1, hold_ms: int = 300, transport: str = "u1",
             extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        """sipp callers, run to the end (bounded in time)."""
        return subprocess.run(
            [self.sipp, f"127.0.0.1:{self.port}", "-sf", str(SCENARIOS / scenario),
             "-key", "caller", caller, "-i", "127.0.0.1", "-p", str(free_port()),
             "-m", str(calls), "-r", "5", "-d", str(hold_ms), "-t", transport, "-nostdin",
             "-timeout", f"{SIPP_TIMEOUT}s", "-timeout_error", "-trace_err",
             "-error_file", str(self.tmp / "sipp_errors.log"), *extra],
            capture_output=True, text=True, cwd=self.tmp, timeout=SIPP_TIMEOUT + 10)

    def phones_done(self) -> list[int]:
        codes = []
        for proc in self._phones:
            try:
                codes.append(proc.wait(SIPP_TIMEOUT))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(-9)
        return codes

    def stop_phones(self) -> None:
        for proc in self._phones:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)

    def rows(self, table: str, order_by: str | None = None, **where: Any) -> list[Any]:
        """Rows of a table (typed: aware datetimes, UUIDs), filtered by column values."""
        t = tables.metadata.tables[table]
        query = sa.select(t).where(*(t.c[k] == v for k, v in where.items()))
        if order_by:
            query = query.order_by(t.c[order_by])
        with self.siaga.engine.connect() as conn:
            return list(conn.execute(query))

    def steps(self, call_id: Any) -> list[str]:
        """The call's state steps in the audit log, in order."""
        e = tables.event_log.c
        with self.siaga.engine.connect() as conn:
            return list(conn.scalars(sa.select(e.after).where(
                e.aggregate == "call", e.aggregate_id == str(call_id),
                e.event_type.in_(["CallReceived", "CallStateChanged"])).order_by(e.id)))

    def wait_for(self, condition: Callable[[], Any], seconds: float = 10) -> Any:
        """The writer commits a moment after sipp ends: poll until it has."""
        deadline = time.monotonic() + seconds
        while True:
            value = condition()
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)


@contextmanager
def running_sip(siaga: Any, sipp: str, tmp: Path) -> Iterator[Sip]:
    telephony = start_telephony(siaga, host="127.0.0.1", port=0)
    sip = Sip(siaga, telephony, sipp, tmp)
    try:
        yield sip
    finally:
        sip.stop_phones()
        telephony.stop()
        _wait_for_background_writers()


def _wait_for_background_writers(seconds: float = 10) -> None:
    """New calls wake other writers (waiting location fixes join their call): let them
    finish before the test's database goes away."""
    GroupCommitter.wait_all_idle(seconds)


@pytest.fixture
def sip(siaga, sipp_binary, tmp_path) -> Iterator[Sip]:
    with running_sip(siaga, sipp_binary, tmp_path) as node:
        yield node
