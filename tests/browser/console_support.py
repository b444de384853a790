"""What the consoles' browser tests share: a center with the people they need, incidents
brought to a given point (answered call, opened, verified, units sent), and screenshots
kept as test artifacts under test-artifacts/consoles/ (git-ignored)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page

from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import CenterConfig, Settings
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.domain.incidents import IncidentLocation, Priority, VerificationMethod
from siaga112.services import commands as c
from tests.browser.conftest import AGENCY_USER, CALL_TAKER, PASSWORD, Center, DemoUser
from tests.support.server import running_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "consoles"
DISPATCHER = DemoUser("budi", "Budi Dispatcher (demo)", Role.DISPATCHER)
SUPERVISOR = DemoUser("citra", "Citra Supervisor (demo)", Role.SUPERVISOR)
POLICE_USER = DemoUser("polresta1", "Petugas Polresta (demo)", Role.AGENCY, "polresta")
MANDONGA = IncidentLocation(lat=-3.9700, lon=122.5150, address="Jl. Contoh No. 1 (demo)",
                            kelurahan="Mandonga", kecamatan="mandonga")


class ShiftedClock:
    """The real time, or (while seeding) some seconds in the past: an incident answered
    minutes ago shows a late timer without the test waiting for it."""

    def __init__(self) -> None:
        self.back_seconds = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=self.back_seconds)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    return path


@contextmanager
def console_center(tmp: Path, *, users: tuple[DemoUser, ...], config: CenterConfig | None = None,
                   clock: ShiftedClock | None = None) -> Iterator[Center]:
    """Kendari (or `config`) on a fresh SQLite file, served on a free port, with these people."""
    siaga = bootstrap(Settings(database_url=f"sqlite:///{tmp}/consoles.sqlite3", env="test"),
                      center=config, clock=clock)
    for user in (CALL_TAKER, AGENCY_USER, *users):
        siaga.bus.handle(c.CreateUser(username=user.username, full_name=user.full_name,
                                      role=user.role, password=PASSWORD,
                                      agency_code=user.agency, must_change_password=False,
                                      demo=True))
    try:
        with running_server(siaga) as base:
            yield Center(base=base, siaga=siaga)
    finally:
        if siaga.notifier is not None:
            siaga.notifier.close()
        siaga.engine.dispose()


def answered_incident(siaga: Siaga, *, type_code: str = "fire", subtype: str | None = "building",
                      priority: Priority = Priority.P1, verify: bool = True,
                      location: IncidentLocation = MANDONGA) -> tuple[uuid.UUID, str]:
    """A 112 call answered by the call-taker, an incident opened from it (and verified)."""
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker=CALL_TAKER.username))
    opened = siaga.bus.handle(c.OpenIncident(
        type_code=type_code, subtype_code=subtype, priority=priority, call_id=call,
        location=location, by=CALL_TAKER.username))
    if verify:
        siaga.bus.handle(c.VerifyIncident(incident_id=opened.id, by=CALL_TAKER.username,
                                          method=VerificationMethod.CALLER_CONFIRMED))
    return opened.id, opened.number


def dispatched_incident(siaga: Siaga, units: tuple[str, ...], **incident: object
                        ) -> tuple[uuid.UUID, str]:
    incident_id, number = answered_incident(siaga, **incident)  # type: ignore[arg-type]
    siaga.bus.handle(c.DispatchUnits(incident_id=incident_id, unit_codes=units,
                                     by=DISPATCHER.username))
    return incident_id, number
