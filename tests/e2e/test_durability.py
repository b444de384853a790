"""A call acknowledged to its sender survives the server being killed (kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.bootstrap import bootstrap
from siaga112.config import Settings
from siaga112.domain.accounts import Role
from siaga112.services import commands as c
from tests.support.server import free_port

SIAGA112 = str(Path(sys.executable).with_name("siaga112"))


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([SIAGA112, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def test_calls_acknowledged_before_a_kill_9_are_all_there_after(database_url):
    siaga = bootstrap(Settings(database_url=database_url, env="test"))
    siaga.bus.handle(c.CreateUser(username="ani", full_name="Ani", role=Role.CALL_TAKER,
                                  password="correct horse 112", must_change_password=False))
    siaga.engine.dispose()
    env = {**os.environ, "SIAGA112_DATABASE_URL": database_url,
           "SIAGA112_SIP_PORT": str(free_port())}  # `serve` listens for SIP too
    port = free_port()
    proc = _start(env, port)
    acknowledged = []
    try:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{base}/api/v1/auth/login",
                           json={"username": "ani", "password": "correct horse 112"}).json()["token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            for i in range(25):
                response = client.post("/api/v1/calls", json={"caller": f"08120000{i:04d}"})
                assert response.status_code == 201
                acknowledged.append(response.json()["id"])
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no flush: a crash
        proc.wait(timeout=10)

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = {str(r) for r in conn.execute(sa.select(tables.calls.c.id)).scalars()}
        events = conn.execute(sa.select(sa.func.count()).select_from(tables.event_log)
                              .where(tables.event_log.c.aggregate == "call")).scalar()
    engine.dispose()
    assert set(acknowledged) <= stored and len(acknowledged) == 25
    assert events == 50  # received + queued, for each call

    proc = _start(env, port)  # and the node comes back on the same data
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
