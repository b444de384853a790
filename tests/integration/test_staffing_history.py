"""The staffing planner on the center's own history, on SQLite and PostgreSQL, and its command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.migrate import upgrade
from siaga112.domain.calls import Channel, Disposition
from siaga112.planning.plan import PlanOptions
from siaga112.planning.staffing import NoHistory, plan_period
from siaga112.services import commands as c
from tests.support.call_history import (
    ABANDONED,
    ANSWERED,
    INVALID,
    OFFERED,
    insert_rows,
    kendari_rows,
)

SIAGA112 = str(Path(sys.executable).with_name("siaga112"))
JUNE_10, JUNE_29 = date(2025, 6, 10), date(2025, 6, 29)


def test_seed_kendari_20_days_staffing_and_what_screening_saves(siaga):
    """Kendari's 5,982 calls in 20 days (2,238 abandoned, 1,222 of the answered invalid):
    the call-takers that would have answered 90% within 15 s, and what screening saves."""
    insert_rows(siaga.engine, kendari_rows())
    plan = plan_period(engine=siaga.engine, center=siaga.center, first_day=JUNE_10,
                       last_day=JUNE_29, options=PlanOptions(simulated_weeks=1))
    h = plan.history
    assert (h.offered, h.abandoned, h.answered, h.invalid) == (OFFERED, ABANDONED, ANSWERED,
                                                               INVALID)
    assert round(h.handle_seconds, 1) == 95.5 and round(h.patience.mean_seconds, 1) == 38.8
    hourly = plan.hourly()
    required = [row["required"] for row in hourly]
    # One call-taker is enough in the small hours, two by day, three at the evening peaks.
    assert set(required[2:6]) == {1} and set(required[7:16]) == {2} and max(required) == 3
    assert sum(required) == 303 and plan.roster.shifts == 42 and plan.roster.staff_hours == 336
    assert all(row["scheduled"] >= row["required"] for row in hourly)
    assert plan.scheduled_week.service_level >= 0.9
    saved = plan.savings("screen_all_invalid")
    # Screening removes 1/3 of the calls but only 11 s of talk each: a few hours of work,
    # and no 8-hour shift, since most hours already run on the fewest call-takers that can
    # answer 90% within 15 s.
    assert saved == {"workload_hours": 7.8, "required_hours": 5.0, "staff_hours": 0.0,
                     "shifts": 0}
    assert plan.savings("screen_half_invalid")["required_hours"] == 4.0
    assert plan.check is not None and plan.check.agrees, plan.check.to_dict()


def test_calls_handled_through_the_bus_are_counted_by_the_centers_day(siaga, clock):
    """Waits, talk and validity as the calls lived them; a call after midnight WITA belongs
    to the next day even though it is still the same day in UTC."""
    clock._now = datetime(2025, 6, 10, 15, 30, tzinfo=UTC)  # 23:30 WITA on 10 June

    def call(*, wait: float, talk: float | None, disposition: Disposition | None = None) -> None:
        call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
        clock.advance(wait)
        if talk is None:
            siaga.bus.handle(c.AbandonCall(call_id=call_id))
            return
        siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker="ani"))
        clock.advance(talk)
        if disposition:
            siaga.bus.handle(c.DisposeCall(call_id=call_id, disposition=disposition, by="ani"))
        siaga.bus.handle(c.ReleaseCall(call_id=call_id, actor="ani"))
        clock.advance(60)

    call(wait=4, talk=120, disposition=Disposition.EMERGENCY)
    call(wait=20, talk=None)
    call(wait=2, talk=8)  # too short to be valid
    call(wait=6, talk=40, disposition=Disposition.PRANK)
    clock.advance(1800)  # now past midnight WITA, still 10 June in UTC
    call(wait=3, talk=90)
    plan = plan_period(engine=siaga.engine, center=siaga.center, first_day=JUNE_10,
                       last_day=JUNE_10, wrap_up_seconds=0)
    h = plan.history
    assert (h.offered, h.answered, h.abandoned, h.invalid) == (4, 3, 1, 2)
    assert h.talk_seconds == pytest.approx((120 + 8 + 40) / 3)
    assert h.patience.mean_seconds == pytest.approx(4 + 20 + 2 + 6)  # all waiting / 1 hang-up
    assert h.arrivals[1 * 24 + 23] == 4  # Tuesday 23:00 WITA, the one day in the period
    with pytest.raises(NoHistory):
        plan_period(engine=siaga.engine, center=siaga.center, first_day=date(2025, 6, 12),
                    last_day=date(2025, 6, 12))


def test_wrap_up_is_measured_from_the_positions_event_log(siaga, clock):
    insert_rows(siaga.engine, kendari_rows()[:50])
    clock._now = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
    with siaga.uow() as uow:
        desk = uow.positions.get("pos-01", for_update=True)
        desk.log_in("ani", at=clock.now())
        desk.set_ready(at=clock.advance(5))
        for wrap_up in (20, 40):
            desk.ring(at=clock.advance(60))
            desk.answer(at=clock.advance(3))
            desk.wrap_up(at=clock.advance(90))
            desk.set_ready(at=clock.advance(wrap_up))
        uow.commit()
    plan = plan_period(engine=siaga.engine, center=siaga.center, first_day=JUNE_10,
                       last_day=JUNE_10)
    assert plan.history.wrap_up_measured and plan.history.wrap_up_seconds == 30
    assert plan.history.handle_seconds == pytest.approx(plan.history.talk_seconds + 30)


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([SIAGA112, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL)


def test_the_staffing_command_in_each_format_and_its_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    engine = create_db_engine(url)
    upgrade(engine)
    insert_rows(engine, kendari_rows())
    engine.dispose()
    env = {"SIAGA112_DATABASE_URL": url}
    period = ("--from", "2025-06-10", "--to", "2025-06-29")
    as_json = run("staffing", *period, "--format", "json", "--simulate-weeks", "0", env=env)
    assert as_json.returncode == 0, as_json.stderr
    figures = json.loads(as_json.stdout)
    assert figures["history"]["abandoned"] == ABANDONED
    assert figures["roster"]["staff_hours"] == 336 and len(figures["hourly"]) == 168
    table = run("staffing", *period, "--target-sl", "0.8", "--target-seconds", "20",
                "--simulate-weeks", "1", env=env)
    assert table.returncode == 0, table.stderr
    assert "target 80.0% answered within 20 s" in table.stdout
    assert "Simulation (1 weeks" in table.stdout and "agree" in table.stdout
    book = tmp_path / "plan.xlsx"
    xlsx = run("staffing", *period, "--format", "xlsx", "--output", str(book),
               "--simulate-weeks", "0", env=env)
    assert xlsx.returncode == 0, xlsx.stderr
    assert load_workbook(book).sheetnames == ["Summary", "Intervals", "Roster", "What-ifs"]
    bad = run("staffing", "--from", "2025-06-31", "--to", "2025-06-29", env=env)
    assert bad.returncode == 2 and "'2025-06-31' is not a date" in bad.stderr
    empty = run("staffing", "--from", "2024-01-01", "--to", "2024-01-31", env=env)
    assert empty.returncode == 1
    assert "no answered or abandoned call from 2024-01-01 to 2024-01-31" in empty.stderr
    (tmp_path / "empty.sqlite3").touch()
    unmigrated = run("staffing", *period, env={"SIAGA112_DATABASE_URL":
                                               f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    assert unmigrated.returncode == 1 and "siaga112 migrate" in unmigrated.stderr

