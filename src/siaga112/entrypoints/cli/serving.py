"""`siaga112 serve` and `siaga112 demo`."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import typer

from siaga112.bootstrap import Siaga

from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.services import commands as c

# Demo logins: printed at start, refused by production mode.
DEMO_PASSWORD = "siaga112-demo"
DEMO_USERS: tuple[tuple[str, str, Role, str | None], ...] = (
    ("operator1", "Operator Satu (demo)", Role.CALL_TAKER, None),
    ("dispatcher1", "Dispatcher Satu (demo)", Role.DISPATCHER, None),
    ("supervisor1", "Supervisor Diskominfo (demo)", Role.SUPERVISOR, None),
    ("damkar1", "Petugas Damkar (demo)", Role.AGENCY, "damkar"),
    ("admin1", "Admin (demo)", Role.ADMIN, None),
)


def _run(settings: Settings, host: str | None, port: int | None,
         demo_callers: Callable[[Siaga], Any] | None = None) -> None:
    import uvicorn

    from siaga112.bootstrap import bootstrap
    from siaga112.entrypoints.web.app import create_app

    # The node's own warnings and errors go to stderr (journald under systemd): without a
    # root handler, the metrics' failure counter on "siaga112" would be their only reader.
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("siaga112").setLevel(logging.INFO)
    siaga = bootstrap(settings)
    if settings.env == "production":
        problems = settings.production_problems()
        with siaga.uow() as uow:
            if any(u.demo for u in uow.users.list()):
                problems.append("demo users are present: remove them")
        http_sms = siaga.center.location_link.http
        if siaga.center.location_link.sms_adapter == "http" and http_sms is not None:
            problems += [f"location links: the SMS gateway's secret {name} is not set"
                         for name in http_sms.missing_secrets()]
        problems += [f"agency {a.code}: its webhook secret {a.webhook_secret_env} is not set"
                     for a in siaga.center.agencies
                     if a.webhook_url and not os.environ.get(a.webhook_secret_env or "")]
        if problems:
            for p in problems:
                typer.echo(f"refusing to start in production: {p}", err=True)
            raise typer.Exit(2)
    _start_daily_purge(siaga)
    if siaga.notifier is not None:
        siaga.notifier.resume_pending()  # agencies' webhooks a stopped server left unsent
    getattr(siaga.travel, "warm", lambda: None)()  # the road graph, built once, now
    # What start-up built lives as long as the server: keeping it out of the cyclic GC's
    # full collections removes their pauses (~40 ms) from requests (ADR 0006).
    gc.freeze()
    from siaga112.entrypoints.sip import start_telephony
    from siaga112.operations.node import NodeSettings, attach_telephony, node_status

    node = node_status(siaga, NodeSettings()).settings  # SIAGA112_NODE_NAME, _SIP_ENABLED...
    telephony = None
    if node.sip_enabled:
        try:  # the SIP listener, beside the web server
            telephony = start_telephony(siaga, node_name=node.node_name,
                                        positions=node.positions)
        except OSError as exc:
            typer.echo(f"cannot listen for SIP on {settings.sip_host}:{settings.sip_port}: "
                       f"{exc} (set SIAGA112_SIP_PORT)", err=True)
            raise typer.Exit(2) from None
        attach_telephony(siaga, telephony)
    watch = None
    if telephony is not None and node.positions is not None:  # several nodes: heartbeats
        from siaga112.operations.heartbeat import NodeWatch

        watch = NodeWatch(siaga, node.node_name, interval=node.node_heartbeat_seconds,
                          lost_after=node.node_lost_after_seconds)
        watch.start()
    from siaga112.entrypoints.web.live import hub_for
    from siaga112.entrypoints.web.live_relay import start_relay

    start_relay(hub_for(siaga), siaga.engine)  # PostgreSQL: consoles hear every node's events
    callers = demo_callers(siaga) if demo_callers else None  # the demo's simulated callers
    try:
        uvicorn.run(create_app(siaga), host=host or settings.http_host,
                    port=port or settings.http_port, log_level="info")
    finally:
        if callers is not None:
            callers.stop()
        if watch is not None:
            watch.stop()
        if telephony is not None:
            telephony.stop()


def _start_daily_purge(siaga: Siaga) -> None:
    """Retention runs a minute after start, then every 24 hours, in the background."""
    log = logging.getLogger("siaga112.retention")

    def loop() -> None:
        delay = 60.0
        while True:
            time.sleep(delay)
            delay = 24 * 3600.0
            try:
                report = siaga.purge_personal_data()
                log.info("retention purge: %s", report.as_dict())
            except Exception:  # the next day tries again; the server keeps taking calls
                log.exception("retention purge failed")

    threading.Thread(target=loop, name="retention", daemon=True).start()


def serve(host: str | None = typer.Option(None, help="default SIAGA112_HTTP_HOST"),
          port: int | None = typer.Option(None, help="default SIAGA112_HTTP_PORT")) -> None:
    _run(Settings(), host, port)


def demo(host: str | None = typer.Option(None, help="default SIAGA112_HTTP_HOST"),
         port: int | None = typer.Option(None, help="default SIAGA112_HTTP_PORT"),
         callers_per_minute: float = typer.Option(
             1.0, min=0, max=600, help="simulated callers a minute (0: none); docs/consoles.md"),
         speed: float = typer.Option(
             1.0, min=0.1, max=100, help="the simulated callers' time runs this much faster"),
         emergency_share: float | None = typer.Option(
             None, min=0, max=1, help="share of emergencies (default: Kendari's, 4.5 %)"),
         seed: int | None = typer.Option(None, help="the same callers on every run")) -> None:
    from siaga112.bootstrap import bootstrap
    from siaga112.demo.callers import start_demo_callers

    settings = Settings()
    if settings.env == "production":
        typer.echo("the demo never runs in production mode", err=True)
        raise typer.Exit(2)
    siaga = bootstrap(settings)
    with siaga.uow() as uow:
        existing = {u.username for u in uow.users.list()}
    for username, full_name, role, agency in DEMO_USERS:
        if username not in existing:
            siaga.bus.handle(c.CreateUser(username=username, full_name=full_name, role=role,
                                          password=DEMO_PASSWORD, agency_code=agency,
                                          must_change_password=False, demo=True))
    url = f"http://{host or settings.http_host}:{port or settings.http_port}/"
    typer.echo(f"\nSiaga112 demo: {siaga.center.center.name} ({siaga.center.center.timezone})")
    typer.echo(f"database: {settings.effective_database_url}")
    typer.echo(f"SIP (UDP and TCP): sip:112@{settings.sip_host}:{settings.sip_port}  "
               "(positions ring their sip_uri; see docs/telephony.md)")
    typer.echo(f"open {url}\n\ndemo logins (password '{DEMO_PASSWORD}' for all):")
    for username, full_name, role, _agency in DEMO_USERS:
        typer.echo(f"  {username:12} {role.value:11} {full_name}")
    typer.echo("")
    if callers_per_minute > 0:
        typer.echo(f"simulated callers: {callers_per_minute:g} a minute at {speed:g}x: take "
                   f"them at {url}console/call-taker (operator1; docs/consoles.md)\n")
    siaga.engine.dispose()
    _run(settings, host, port, demo_callers=partial(
        start_demo_callers, callers_per_minute=callers_per_minute, speed=speed,
        emergency_share=emergency_share, seed=seed) if callers_per_minute > 0 else None)
