"""Operators' endpoints on a real server: /readyz names what keeps the node from taking
calls, /metrics (Prometheus) counts the queue, SIP traffic (real sipp), the dispatch
recommendation's time and failed event handlers. On SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import time

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from siaga112.domain.accounts import Role, Scope
from siaga112.domain.clock import SystemClock
from siaga112.domain.events import CallReceived
from siaga112.entrypoints.sip import start_telephony
from siaga112.operations.node import NodeSettings, attach_telephony, node_status
from siaga112.services.handlers import service_accounts
from tests.sip.conftest import SCENARIOS, free_port

ABELI = {"lat": -3.9950, "lon": 122.5860, "address": "Jl. Pelabuhan Nusantara"}


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()  # sipp and "today" run in real time


@pytest.fixture
def telephony(siaga):
    node_status(siaga, NodeSettings(node_name="node-test", sip_enabled=True))
    running = start_telephony(siaga, host="127.0.0.1", port=0)
    attach_telephony(siaga, running)
    yield running
    running.stop()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_readyz_is_200_when_ready_and_503_naming_each_problem(siaga, telephony, server):
    ready = httpx.get(f"{server}/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready" and body["node"] == "node-test"
    assert body["checks"]["database"] == body["checks"]["migrations"] == "ok"
    assert body["checks"]["sip"] == "ok (UDP and TCP)"
    assert httpx.get(f"{server}/healthz").status_code == 200

    telephony.stop()  # the SIP listener is gone: not ready, though the web still answers
    gone = httpx.get(f"{server}/readyz")
    assert gone.status_code == 503
    assert gone.json()["problems"] == ["sip: the SIP listener stopped"]

    node_status(siaga, NodeSettings(node_name="web-1", sip_enabled=False))  # a web-only node
    assert httpx.get(f"{server}/readyz").json()["checks"]["sip"] == "disabled on this node"

    with siaga.engine.begin() as conn:  # a schema one migration behind the code
        head = conn.scalar(sa.text("SELECT max(version_num) FROM alembic_version"))
        conn.execute(sa.text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": head})
    behind = httpx.get(f"{server}/readyz")
    assert behind.status_code == 503
    assert f"migrations: not at the newest schema (missing {head}" in behind.json()["problems"][0]

    with siaga.engine.begin() as conn:  # reachable, but the calls' tables are not usable
        conn.execute(sa.text("ALTER TABLE positions RENAME TO positions_lost"))
    broken = httpx.get(f"{server}/readyz")
    assert broken.status_code == 503
    assert broken.json()["problems"][0].startswith("database: unreachable or unusable")
    with siaga.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE positions_lost RENAME TO positions"))


def test_metrics_need_the_metrics_scope_and_count_queue_sip_dispatch_and_failures(
        siaga, telephony, server, login, tmp_path, monkeypatch, request):
    monkeypatch.setattr("siaga112.operations.metrics.SERVICE_LEVEL_CACHE_SECONDS", 0.0)
    token = service_accounts.create_service_account(
        siaga.uow(), name="prometheus", scopes=frozenset({Scope.METRICS}), agency_code=None,
        by="test", clock=siaga.clock)
    scraper = httpx.Client(base_url=server, timeout=30,
                           headers={"Authorization": f"Bearer {token}"})
    request.addfinalizer(scraper.close)
    assert httpx.get(f"{server}/metrics").status_code == 401
    assert login(Role.CALL_TAKER).get("/metrics").status_code == 403
    assert login(Role.ADMIN).get("/metrics").status_code == 200

    def broken_subscriber(event: object) -> None:
        raise RuntimeError("a console push that fails")

    siaga.bus.subscribe(CallReceived, broken_subscriber)
    before = samples(scraper.get("/metrics").text)

    # A caller waits in the queue (nobody is ready) and hangs up after 1.5 s.
    caller = subprocess.Popen(
        [shutil.which("sipp") or "sipp", f"127.0.0.1:{telephony.node.port}",
         "-sf", str(SCENARIOS / "caller_cancels.xml"), "-key", "caller", "081234567890",
         "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1", "-nostdin",
         "-timeout", "20s", "-timeout_error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    deadline, waiting = time.monotonic() + 5, None
    while time.monotonic() < deadline:
        waiting = samples(scraper.get("/metrics").text)
        if value(waiting, "siaga112_calls_waiting", state="queued") == 1:
            break
        time.sleep(0.1)
    assert value(waiting, "siaga112_calls_waiting", state="queued") == 1
    assert 0 <= value(waiting, "siaga112_calls_longest_wait_seconds") < 5
    assert caller.wait(20) == 0

    dispatcher = login(Role.DISPATCHER)
    incident = dispatcher.post("/api/v1/incidents", json={"type": "fire", "priority": "P1",
                                                          "location": ABELI})
    assert incident.status_code == 201, incident.text
    recommended = dispatcher.get(
        f"/api/v1/dispatch/incidents/{incident.json()['id']}/recommendation")
    assert recommended.status_code == 200, recommended.text

    time.sleep(0.3)  # the writer's last commit (abandoned) a moment after sipp ends
    after = samples(scraper.get("/metrics").text)
    assert value(after, "siaga112_sip_requests_total", direction="in", method="INVITE") == 1
    assert value(after, "siaga112_sip_requests_total", direction="in", method="CANCEL") == 1
    for status, method in (("180", "INVITE"), ("487", "INVITE"), ("200", "CANCEL")):
        assert value(after, "siaga112_sip_responses_total", direction="out", method=method,
                     status=status) == 1, (status, method)
    assert value(after, "siaga112_sip_received_total") == 1
    assert value(after, "siaga112_sip_listener_up") == 1
    assert value(after, "siaga112_calls_waiting", state="queued") == 0
    assert value(after, "siaga112_calls_offered_today") == 1
    assert value(after, "siaga112_calls_abandoned_today") == 1
    assert value(after, "siaga112_service_level_today", threshold_seconds="15") == 0.0
    assert value(after, "siaga112_database_up") == 1
    assert value(after, "siaga112_dispatch_recommendation_seconds_count") == 1
    assert value(after, "siaga112_http_request_duration_seconds_count", method="POST",
                 route="/api/v1/incidents") == 1
    failures = ("siaga112_event_handler_failures_total", {"event": "CallReceived"})
    assert (value(after, failures[0], **failures[1])
            - value(before, failures[0], **failures[1])) == 1
