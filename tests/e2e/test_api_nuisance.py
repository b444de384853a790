"""Nuisance callers over HTTP: a supervisor reviews and lifts a block (nobody else may), sees
the numbers and the education report; bad input is a clear 4xx; `siaga112 nuisance report`
gives Kendari's seeded figures."""

from __future__ import annotations

import json
import uuid

import pytest

from siaga112.adapters.db import migrate
from siaga112.adapters.db.engine import create_db_engine
from siaga112.config_nuisance import NuisanceConfig
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel, Disposition
from siaga112.services import commands as c
from tests.e2e.test_cli import run
from tests.support.report_seed import seed_kendari

NUMBER = "081277770001"


@pytest.fixture
def kendari(kendari):
    return kendari.model_copy(update={"nuisance": NuisanceConfig(
        warn_after=2, block_after=3, priority={"nuisance": -2})})


@pytest.fixture
def database_url(tmp_path) -> str:
    """The rules do not depend on the database (tests/integration covers both): SQLite."""
    return f"sqlite:///{tmp_path / 'nuisance.sqlite3'}"


def prank(siaga, clock, number=NUMBER) -> uuid.UUID:
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
    clock.advance(3)
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    clock.advance(4)
    siaga.bus.handle(c.DisposeCall(call_id=call, disposition=Disposition.PRANK, by="ani"))
    siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))
    clock.advance(120)
    return call


def test_a_supervisor_reviews_and_lifts_a_block_and_reads_the_report(siaga, clock, login):
    calls = [prank(siaga, clock) for _ in range(3)]
    supervisor, taker, admin = login(Role.SUPERVISOR), login(Role.CALL_TAKER), login(Role.ADMIN)

    blocks = supervisor.get("/api/v1/nuisance/blocks", params={"status": "active"})
    assert blocks.status_code == 200, blocks.text
    [block] = blocks.json()
    assert block["caller_number"] == "+6281******001"  # masked, even for a supervisor
    assert (block["status"], block["counted_calls"], block["refused_calls"]) == ("active", 3, 0)
    review = supervisor.get(f"/api/v1/nuisance/blocks/{block['id']}").json()
    assert sorted(call["id"] for call in review["calls"]) == sorted(map(str, calls))
    assert {call["disposition"] for call in review["calls"]} == {"prank"}

    numbers = supervisor.get("/api/v1/nuisance/numbers").json()
    assert [(n["caller_number"], n["prank"], n["warned"], n["active_block"]) for n in numbers] == [
        ("+6281******001", 3, True, block["id"])]

    # A fourth call through the API is never refused: warned and moved down the queue.
    fourth = siaga.bus.handle(c.ReceiveCall(channel=Channel.WEB, caller=NUMBER))
    screening = taker.get(f"/api/v1/calls/{fourth}/screening").json()
    assert (screening["outcome"], screening["facts"], screening["level"]) == (
        "warned", ["nuisance"], -2)
    assert (screening["counted_calls"], screening["block_id"]) == (3, block["id"])

    lift = f"/api/v1/nuisance/blocks/{block['id']}/lift"
    for who in (taker, admin):  # only a supervisor lifts a block
        assert who.post(lift, json={"note": "not mine to lift"}).status_code == 403
    assert taker.get("/api/v1/nuisance/blocks").status_code == 403
    assert supervisor.post(lift, json={"note": "x"}).status_code == 422  # say why
    lifted = supervisor.post(lift, json={"note": "Parents called back; child warned."})
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["status"], lifted.json()["lifted_by"]) == ("lifted", "citra")
    again = supervisor.post(lift, json={"note": "Parents called back; child warned."})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    audit = supervisor.get(f"/api/v1/calls/{calls[-1]}/events").json()
    assert any(e["after"] == "prank" for e in audit)

    today = clock.now().astimezone(siaga.center.zone).date().isoformat()
    report = supervisor.get("/api/v1/reports/nuisance", params={"from": today, "to": today})
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["totals"]["prank"], r["totals"]["answered"]) == (3, 3)
    assert sum(h["prank"] for h in r["by_hour"]) == 3
    assert r["screening"]["warned"] == 2  # the third prank call (two before it) and the fourth
    assert login(Role.DISPATCHER).get("/api/v1/reports/nuisance").status_code == 403


BAD_INPUT = [
    ("/api/v1/nuisance/blocks", {"status": "forever"}),
    ("/api/v1/nuisance/blocks/not-a-uuid", {}),
    ("/api/v1/nuisance/numbers", {"days": 0}),
    ("/api/v1/nuisance/numbers", {"limit": 100000}),
    ("/api/v1/reports/nuisance", {"from": "2025-13-01"}),
    ("/api/v1/reports/nuisance", {"from": "2025-06-30", "to": "2025-06-01"}),
]


def test_bad_input_is_a_clear_4xx_and_unknown_ids_a_404(login):
    supervisor = login(Role.SUPERVISOR)
    for path, params in BAD_INPUT:
        response = supervisor.get(path, params=params)
        assert response.status_code == 422, (path, params, response.text)
        assert response.json()["error"]["code"]
    missing = uuid.uuid4()
    assert supervisor.get(f"/api/v1/nuisance/blocks/{missing}").status_code == 404
    assert supervisor.post(f"/api/v1/nuisance/blocks/{missing}/lift",
                           json={"note": "no such block"}).status_code == 404
    assert supervisor.get(f"/api/v1/calls/{missing}/screening").status_code == 404
    assert supervisor.post(f"/api/v1/nuisance/blocks/{missing}/lift",
                           json={"note": "ok", "extra": 1}).status_code == 422


def test_the_cli_report_gives_kendaris_seeded_nuisance_figures(tmp_path, kendari):
    url = f"sqlite:///{tmp_path / 'seed.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    seed_kendari(engine, kendari)
    engine.dispose()
    result = run("nuisance", "report", "--from", "2025-06-10", "--to", "2025-06-30",
                 "--format", "json", env={"SIAGA112_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    t = r["totals"]
    assert (t["answered"], t["prank"], t["silent"], t["hang_up"]) == (3744, 420, 480, 180)
    assert sum(h["total"] for h in r["by_hour"]) == sum(d["total"] for d in r["by_weekday"]) \
        == 1080
    table = run("nuisance", "report", "--from", "2025-06-10", "--to", "2025-06-30",
                env={"SIAGA112_DATABASE_URL": url})
    assert table.returncode == 0 and "prank 420, silent 480, hang-up 180" in table.stdout
    bad = run("nuisance", "report", "--from", "2025-06-30", "--to", "2025-06-01",
              env={"SIAGA112_DATABASE_URL": url})
    assert bad.returncode == 2 and "before it starts" in bad.stderr
