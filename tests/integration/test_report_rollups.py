"""Rolled-up hours (reports/rollup.py): the report gives the same numbers with them as from
the calls alone, and a call changed, imported late or deleted in a rolled-up hour is in the
very next report, whichever path wrote it. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from siaga112.adapters.cdr.asterisk import read_asterisk
from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.bulk import insert_rows
from siaga112.adapters.db.history import SqlCallHistoryStore
from siaga112.adapters.db.reading import snapshot
from siaga112.adapters.db.tables_reports import report_hour_changes, report_hours
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.clock import FixedClock
from siaga112.reports import rollup
from siaga112.reports.period import Period
from siaga112.reports.report import build_report, report_from
from siaga112.services import commands as c
from siaga112.services.history import import_history
from tests.support.report_seed import WITA

FIRST = datetime(2025, 6, 10, tzinfo=WITA)  # 9 June 16:00 UTC
DAYS = 4
GENERATED = datetime(2025, 7, 1, tzinfo=UTC)


def _history(n: int = 1200, seed: int = 7) -> list[dict[str, object]]:
    """Every kind of call, at any microsecond, some a hair before an hour ends."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        received = FIRST + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        if i % 50 == 0:  # 0.1 ms before the hour ends: its own hour, on both databases
            received = received.replace(minute=59, second=59, microsecond=999_900)
        kind = rng.random()
        row: dict[str, object] = {
            "id": uuid.uuid4(), "channel": "voice", "caller_number": f"+62812{i % 300:07d}",
            "received_at": received, "screening_at": None, "queued_at": received,
            "connected_at": None, "released_at": None, "abandoned_at": None,
            "interrupted_at": None, "state": "released", "disposition": None,
            "offer_count": 0, "version": 1}
        if kind < 0.35:
            row.update(state="abandoned", abandoned_at=received + timedelta(seconds=20))
        elif kind < 0.38:
            row.update(state="interrupted", interrupted_at=received + timedelta(seconds=9))
        elif kind < 0.40:
            row.update(screening_at=received, queued_at=None,
                       released_at=received + timedelta(seconds=3))  # screened out
        elif kind < 0.41:
            row.update(state="queued")  # still waiting
        else:
            connected = received + timedelta(microseconds=rng.randrange(0, 40_000_000))
            talk = rng.choice([10.0, 10.001, 9.5, rng.uniform(1, 300)])
            ended = connected + timedelta(seconds=talk)
            row.update(connected_at=connected, offer_count=1,
                       disposition=rng.choice([None, *Disposition]))
            if rng.random() < 0.05:
                row.update(state="interrupted", interrupted_at=ended)
            else:
                row.update(released_at=ended)
        rows.append(row)
    return rows


def _report(engine, center, *, rollups=True, first="2025-06-10", last="2025-06-13"):
    return build_report(engine=engine, center=center, rollups=rollups,
                        period=Period.parse(first, last, center.zone), generated_at=GENERATED)


def _from_snapshot(engine, center, *, first="2025-06-10", last="2025-06-13"):
    """The report from the rollups as they stand: no building before it."""
    with snapshot(engine) as conn:
        return report_from(conn, center=center, period=Period.parse(first, last, center.zone),
                           generated_at=GENERATED)


@pytest.fixture
def db(engine):
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def history(db):
    with db.begin() as conn:
        insert_rows(conn, tables.calls, _history())
    return db


def _rolled_up(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(report_hours)).scalar_one()


def test_the_report_is_the_same_from_rollups_as_from_the_calls(history, kendari, monkeypatch):
    from_calls = _report(history, kendari, rollups=False)
    assert _rolled_up(history) == 0
    first_time = _report(history, kendari)  # builds the rollups of the period's 96 hours
    assert _rolled_up(history) == DAYS * 24
    counted = []
    monkeypatch.setattr(rollup, "_count_from_calls", lambda *a: counted.append(a))
    from_rollups = _report(history, kendari)
    assert counted == []  # every hour came from its rollup
    assert from_rollups == first_time == from_calls
    assert from_calls["total_calls"] == 1200 and from_calls["still_waiting"] > 0
    assert from_calls["screened_out"] > 0 and from_calls["abandoned_by_fault"] > 0
    # A period cut differently reads the same rolled-up hours.
    assert (_report(history, kendari, first="2025-06-11", last="2025-06-11")
            == _report(history, kendari, first="2025-06-11", last="2025-06-11", rollups=False))


def test_a_late_disposition_an_import_and_a_deletion_are_in_the_next_report(history, kendari):
    _report(history, kendari)  # every hour rolled up
    calls = tables.calls.c
    with history.begin() as conn:
        answered = conn.execute(sa.select(calls.id).where(
            calls.connected_at.is_not(None), calls.disposition.is_(None)).limit(1)).scalar_one()
        conn.execute(sa.update(tables.calls).where(calls.id == answered)
                     .values(disposition="prank"))
        gone = conn.execute(sa.select(calls.id).where(calls.connected_at.is_(None))
                            .order_by(calls.received_at).limit(1)).scalar_one()
        conn.execute(sa.delete(tables.calls).where(calls.id == gone))
    # Two PBX calls of 11 June 10:00 WITA, a rolled-up hour, imported late.
    cdr = "".join(
        f'"","08123456780{k}","112","from-trunk","","SIP/t-{k}","SIP/201-{k}","Queue","q112",'
        f'"2025-06-11 10:0{k}:00","2025-06-11 10:0{k}:05","2025-06-11 10:0{k}:35",35,30,'
        f'"ANSWERED","DOCUMENTATION","1749607200.{k}",""\n' for k in (1, 2))
    imported = import_history(
        rows=read_asterisk(io.StringIO(cdr, newline=""), zone=WITA),
        store=SqlCallHistoryStore(history), source="asterisk:Master.csv",
        clock=FixedClock(GENERATED))
    assert imported.imported == 2

    stale = _from_snapshot(history, kendari)  # the changed hours counted from the calls
    fresh = _report(history, kendari)  # the changed hours rolled up again first
    from_calls = _report(history, kendari, rollups=False)
    assert stale == fresh == from_calls
    assert from_calls["total_calls"] == 1200 - 1 + 2
    assert from_calls["by_disposition"]["prank"] == _prank_count(history)


def _prank_count(engine) -> int:
    calls = tables.calls.c
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).where(
            calls.disposition == "prank", calls.received_at >= FIRST,
            calls.received_at < FIRST + timedelta(days=DAYS))).scalar_one()


def test_a_call_moved_to_another_hour_leaves_both_hours_right(history, kendari):
    _report(history, kendari)
    calls = tables.calls.c
    with history.begin() as conn:
        moved = conn.execute(sa.select(calls.id, calls.received_at)
                             .order_by(calls.received_at).limit(1)).one()
        conn.execute(sa.update(tables.calls).where(calls.id == moved.id)
                     .values(received_at=moved.received_at + timedelta(hours=30)))
    assert _from_snapshot(history, kendari) == _report(history, kendari, rollups=False)


def test_without_the_triggers_no_rollup_is_trusted(history, kendari):
    _report(history, kendari)
    with history.begin() as conn:
        if history.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER calls_report_hour_update ON calls")
        else:
            conn.exec_driver_sql("DROP TRIGGER calls_report_hour_update")
        conn.execute(sa.update(tables.calls).where(tables.calls.c.connected_at.is_not(None))
                     .values(disposition="silent"))
    assert _report(history, kendari) == _report(history, kendari, rollups=False)
    assert _report(history, kendari)["by_disposition"]["silent"] == _answered(history)


def _answered(engine) -> int:
    calls = tables.calls.c
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).where(
            calls.connected_at.is_not(None), calls.received_at >= FIRST,
            calls.received_at < FIRST + timedelta(days=DAYS))).scalar_one()


def test_hours_still_open_are_never_rolled_up(history, kendari):
    period = Period.parse("2025-06-10", "2025-06-13", kendari.zone)
    now = datetime(2025, 6, 11, 10, 30, tzinfo=UTC)
    built = rollup.refresh(history, period=period, valid_call_seconds=10.0, now=now)
    # From 9 June 16:00 UTC to the hour that ended at 09:00, an hour and a half before now.
    assert built == _rolled_up(history) == 8 + 24 + 9
    with history.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(report_hours.c.hour))).scalar_one()
    assert datetime.fromtimestamp((last + 1) * 3600, UTC) <= now - rollup.SETTLE
    assert _from_snapshot(history, kendari) == _report(history, kendari, rollups=False)


def test_a_disposition_given_through_the_console_after_release(siaga, clock, kendari):
    """The path a call-taker takes: the call ends, its disposition follows."""
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    clock.advance(4)
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    clock.advance(40)
    siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))
    before = _report(siaga.engine, kendari, first="2025-06-10", last="2025-06-10")
    assert (before["answered"], before["by_disposition"]["none"]) == (1, 1)
    clock.advance(120)
    siaga.bus.handle(c.DisposeCall(call_id=call, disposition=Disposition.PRANK, by="ani"))
    after = _from_snapshot(siaga.engine, kendari, first="2025-06-10", last="2025-06-10")
    assert (after["by_disposition"]["prank"], after["valid"], after["invalid"]) == (1, 0, 1)
    assert after == _report(siaga.engine, kendari, first="2025-06-10", last="2025-06-10")


@pytest.mark.parametrize(("zone", "first", "last", "shift"), [
    ("Asia/Makassar", date(2025, 6, 10), date(2025, 6, 30), 8),
    ("Asia/Jayapura", date(2025, 1, 1), date(2025, 12, 31), 9),
    ("Asia/Kolkata", date(2025, 6, 10), date(2025, 6, 10), None),  # +05:30
    ("Europe/Berlin", date(2025, 3, 1), date(2025, 4, 30), None),  # summer time begins
    ("Europe/Berlin", date(2025, 5, 1), date(2025, 5, 31), 2),
])
def test_only_whole_hour_offsets_map_utc_hours_onto_the_centers(zone, first, last, shift):
    assert rollup.hour_shift(Period(first, last, ZoneInfo(zone))) == shift


def test_the_command_rolls_up_a_period_ahead_of_its_report(tmp_path, kendari):
    from siaga112.adapters.db.engine import create_db_engine
    from tests.e2e.test_cli import run

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        insert_rows(conn, tables.calls, _history(200))
    env = {"SIAGA112_DATABASE_URL": url}
    first = run("report", "--from", "2025-06-10", "--to", "2025-06-13", "--refresh-rollups",
                env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "rolled up 96 hours of 2025-06-10 - 2025-06-13"
    assert _rolled_up(engine) == 96
    period = Period.parse("2025-06-10", "2025-06-13", kendari.zone)
    assert rollup.refresh(engine, period=period, valid_call_seconds=10.0) == 0  # all done
    engine.dispose()


def test_without_a_second_connection_the_report_reads_on_its_own(tmp_path, request, kendari,
                                                                 monkeypatch, caplog):
    """PostgreSQL reads the repeat callers and the emergencies beside the rest, on more
    connections in the same snapshot; when none can be had, the report is the same."""
    from siaga112.adapters.db import reading
    from siaga112.adapters.db.engine import create_db_engine
    from tests.conftest import new_database_url

    engine = create_db_engine(new_database_url("postgresql", tmp_path, request))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        insert_rows(conn, tables.calls, _history(300))
    expected = _report(engine, kendari)
    nowhere = sa.create_engine(engine.url.set(host="127.0.0.1", port=1),
                               poolclass=sa.pool.NullPool)
    monkeypatch.setattr(reading, "_beside", lambda _engine: nowhere)
    assert _report(engine, kendari) == expected
    assert "no second connection for a report's read" in caplog.text
    nowhere.dispose()
    engine.dispose()


def test_the_calls_being_taken_fire_no_trigger_and_their_hours_stay_unrolled(db, kendari):
    now = datetime.now(UTC)
    rows = [dict(_history(1)[0], id=uuid.uuid4(), received_at=moment, queued_at=moment,
                 state="abandoned", abandoned_at=moment + timedelta(seconds=5),
                 connected_at=None, released_at=None, disposition=None)
            for moment in (now - timedelta(minutes=5), now - timedelta(hours=3))]
    with db.begin() as conn:
        insert_rows(conn, tables.calls, rows)
    today = now.astimezone(kendari.zone).date()
    first, last = (today - timedelta(days=1)).isoformat(), today.isoformat()
    assert _report(db, kendari, first=first, last=last) == _report(
        db, kendari, first=first, last=last, rollups=False)
    hour_now = int(now.timestamp()) // 3600
    with db.connect() as conn:
        built = set(conn.execute(sa.select(report_hours.c.hour)).scalars())
    assert hour_now - 3 in built and not {hour_now - 1, hour_now} & built
    with db.begin() as conn:  # the call of a minute ago ends; no trigger, nothing to count
        conn.execute(sa.update(tables.calls).where(tables.calls.c.id == rows[0]["id"])
                     .values(state="interrupted", interrupted_at=now))
        counted = conn.execute(sa.select(sa.func.sum(report_hour_changes.c.changes))).scalar()
    assert counted == 0
    report = _report(db, kendari, first=first, last=last)
    assert report == _report(db, kendari, first=first, last=last, rollups=False)
    assert report["abandoned_by_fault"] == 1
