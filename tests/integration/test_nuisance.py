"""Nuisance callers on SQLite and PostgreSQL: a number's history, a block from its creation to
its end (audit log included), calls refused or let through, never a withheld number or one
that reported a verified emergency; the API's queue order; and the
education report checked against counts made by hand."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.group_commit import GroupCommitter as GroupCommitter_
from siaga112.adapters.db.repositories_console import SqlConsoleQueries
from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
from siaga112.adapters.db.tables_nuisance import nuisance_blocks
from siaga112.config_nuisance import NuisanceConfig
from siaga112.domain.callbacks import CallbackReason, CallbackTask
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.errors import Conflict
from siaga112.domain.events import CallReceived
from siaga112.domain.incidents import IncidentLocation, VerificationMethod
from siaga112.domain.locations import LocationFix, LocationMethod, LocationSource
from siaga112.domain.nuisance import BlockStatus, ScreeningOutcome as O
from siaga112.domain.queue_priority import PriorityFact, queue_order
from siaga112.reports.nuisance import nuisance_report
from siaga112.reports.period import Period
from siaga112.services import commands as c
from siaga112.services.batching import GroupCommitter
from siaga112.services.nuisance import ScreeningDesk, screen_sip_calls

PRANKSTER, OTHER, REPORTER = "081211110001", "081211110002", "081211110003"
PRANKSTER_E164 = "+6281211110001"
POLICY = NuisanceConfig(
    warn_after=2, block_after=3, block_hours=24, break_through_calls=3,
    break_through_minutes=10,
    priority={"callback_return": 1, "verified_emergency": 1, "fresh_location": 1,
              "nuisance": -2, "seconds_per_level": 30})


@pytest.fixture
def kendari(kendari):
    return kendari.model_copy(update={"nuisance": POLICY})


@pytest.fixture(autouse=True)
def background_writers_done(siaga):
    """New calls wake a writer that attaches waiting location fixes (locations.subscribe):
    let it finish what it was given before the test's database goes away."""
    yield
    for handler in siaga.bus.event_handlers.get(CallReceived, []):
        for cell in handler.__closure__ or ():
            if isinstance(cell.cell_contents, GroupCommitter):  # FIFO: a last item flushes
                cell.cell_contents.submit(uuid.uuid4()).exception(timeout=10)


def answered(siaga, clock, number, disposition=None, *, talk=5.0):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
    clock.advance(2)
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    clock.advance(talk)
    if disposition is not None:
        siaga.bus.handle(c.DisposeCall(call_id=call, disposition=Disposition(disposition),
                                       by="ani"))
    siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))
    clock.advance(60)
    return call


def events(siaga, event_type):
    e = tables.event_log.c
    with siaga.engine.connect() as conn:
        return list(conn.execute(sa.select(e).where(e.event_type == event_type).order_by(e.id)))


class SipIntake:
    """The SIP writer's TakeSipCall handler with screening, as start_telephony wires it."""

    def __init__(self, siaga, clock):
        self.siaga, self.clock, self.desk = siaga, clock, ScreeningDesk()
        self.handler = screen_sip_calls(
            siaga.bus.command_handlers[c.TakeSipCall], center=siaga.center, clock=clock,
            repo=SqlNuisanceRepository, desk=self.desk)

    def invite(self, number):
        call_id = self.handler(c.TakeSipCall(external_id=f"sip:{uuid.uuid4()}", caller=number,
                                             identity_header="from", at=self.clock.now()),
                               self.siaga.uow())
        self.clock.advance(30)
        return call_id, self.desk.take(call_id)


def test_a_number_is_blocked_after_its_pranks_refused_let_through_lifted_and_logged(
        siaga, clock):
    for _ in range(2):
        answered(siaga, clock, PRANKSTER, "prank")
    answered(siaga, clock, PRANKSTER, "silent")  # not counted (pranks only) but in the history
    answered(siaga, clock, OTHER, "hang_up")
    answered(siaga, clock, OTHER, "emergency")
    for _ in range(4):
        answered(siaga, clock, None, "prank")  # withheld: never blocked as a class
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        numbers = repo.numbers(since=clock.now() - timedelta(days=30), min_calls=1)
        history = repo.history(PRANKSTER_E164, since=clock.now() - timedelta(days=30))
        assert repo.blocks(status=None, now=clock.now()) == []
    assert [(n.caller_number, n.counts) for n in numbers] == [
        (PRANKSTER_E164, {"prank": 2, "silent": 1, "hang_up": 0}),
        ("+6281211110002", {"prank": 0, "silent": 0, "hang_up": 1})]
    assert [h.disposition for h in history] == ["silent", "prank", "prank"]

    third = answered(siaga, clock, PRANKSTER, "prank")  # the third prank: blocked
    answered(siaga, clock, PRANKSTER, "prank")  # already blocked: no second block
    with siaga.uow() as uow:
        blocks = SqlNuisanceRepository(uow.session).blocks(status=BlockStatus.ACTIVE,
                                                           now=clock.now())
    assert len(blocks) == 1
    block = blocks[0]
    assert block.caller_number == PRANKSTER_E164 and block.counted_calls == 3
    assert block.expires_at == block.created_at + timedelta(hours=24)
    created = events(siaga, "NuisanceBlockChanged")
    assert [(e.aggregate_id, e.after, e.actor) for e in created] == [
        (str(block.id), "active", "policy")]
    assert created[0].data["call"] == str(third) and created[0].data["counted_calls"] == 3
    assert "8121111" not in str(created[0]._mapping)  # no number in the audit log

    # A number that reported a verified emergency in the window is not blocked.
    reported = answered(siaga, clock, REPORTER, "emergency")
    incident = siaga.bus.handle(c.OpenIncident(type_code="fire", subtype_code="building",
                                               by="ani", call_id=reported))
    siaga.bus.handle(c.VerifyIncident(incident_id=incident.id, by="ani",
                                      method=VerificationMethod.CALLBACK))
    for _ in range(3):
        answered(siaga, clock, REPORTER, "prank")
    with siaga.uow() as uow:
        assert len(SqlNuisanceRepository(uow.session).blocks(status=None, now=clock.now())) == 1

    sip = SipIntake(siaga, clock)
    refused = [sip.invite(PRANKSTER) for _ in range(2)]
    through_id, through = sip.invite(PRANKSTER)  # the third within 10 minutes
    assert [s.outcome for _, s in refused] == [O.BLOCKED, O.BLOCKED]
    assert all(s.refuse_with == 603 for _, s in refused)
    assert through.outcome is O.BROKE_THROUGH and through.refuse_with is None
    with siaga.uow() as uow:
        stored = [uow.calls.get(call_id) for call_id, _ in refused]
        queued = uow.calls.get(through_id)
        sip_rows = [uow.sip_calls.get(call_id) for call_id, _ in refused]
        outcomes = SqlNuisanceRepository(uow.session).blocked_calls(block.id)
    assert all(s.state.value == "released" for s in stored)  # stored: nothing is lost
    assert [r["refused_with"] for r in sip_rows] == [603, 603]
    assert queued.state.value == "queued"
    # (and the API call of the fourth prank, never refused: warned under the block)
    assert outcomes == {"blocked": 2, "broke_through": 1, "warned": 1}
    released = [e for e in events(siaga, "CallStateChanged")
                if e.aggregate_id == str(stored[0].id) and e.after == "released"]
    assert released[0].reason == "blocked_nuisance"
    screened = [e for e in events(siaga, "CallScreened") if e.aggregate_id == str(stored[0].id)]
    assert screened[0].after == "blocked" and screened[0].data["block"] == str(block.id)

    # A withheld caller is never refused, whatever withheld calls did before.
    withheld_id, withheld = sip.invite("anonymous")
    assert withheld is None  # not screened at all: queued at its arrival
    with siaga.uow() as uow:
        assert uow.calls.get(withheld_id).state.value == "queued"

    # A supervisor lifts it with a note: logged; lifting again is a conflict.
    siaga.bus.handle(c.LiftNuisanceBlock(block_id=block.id, by="citra",
                                         note="spoke with the caller's school"))
    with pytest.raises(Conflict):
        siaga.bus.handle(c.LiftNuisanceBlock(block_id=block.id, by="citra", note="again"))
    lifted = events(siaga, "NuisanceBlockChanged")[-1]
    assert (lifted.before, lifted.after, lifted.actor, lifted.reason) == (
        "active", "lifted", "citra", "spoke with the caller's school")
    _, after_lift = sip.invite(PRANKSTER)
    assert after_lift.outcome is O.WARNED  # still past warn_after: warned and moved down
    assert PriorityFact.NUISANCE in after_lift.facts

    # The pranks that caused a block never cause another: three new ones do
    # (the fourth prank, received after the block began, is one of them).
    for expected_blocks in (1, 2):
        answered(siaga, clock, PRANKSTER, "prank")
        with siaga.uow() as uow:
            all_blocks = SqlNuisanceRepository(uow.session).blocks(status=None, now=clock.now())
        assert len(all_blocks) == expected_blocks
    assert all_blocks[0].status(clock.now()) is BlockStatus.ACTIVE
    clock.advance(24 * 3600 + 1)  # it expires by itself
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        assert repo.blocks(status=BlockStatus.ACTIVE, now=clock.now()) == []
        assert len(repo.blocks(status=BlockStatus.EXPIRED, now=clock.now())) == 1
    assert sip.invite(PRANKSTER)[1].outcome is O.WARNED

    # Past the numbers' retention, the retention purge masks the ended blocks' numbers too.
    clock.advance(siaga.center.retention.numbers_days * 24 * 3600 + 1)
    report = siaga.purge_personal_data()
    assert report.block_numbers_masked == 2
    with siaga.engine.connect() as conn:
        kept = conn.execute(sa.select(nuisance_blocks.c.caller_number)).scalars().all()
    assert kept == ["+6281******001"] * 2


def test_waiting_api_calls_are_listed_in_the_acds_order(siaga, clock):
    nuisance, callback, verified, located, plain = (f"0812000000{i}{i}" for i in range(1, 6))
    for _ in range(2):
        answered(siaga, clock, nuisance, "prank")
    reported = answered(siaga, clock, verified, "emergency")
    incident = siaga.bus.handle(c.OpenIncident(type_code="fire", subtype_code="building",
                                               by="ani", call_id=reported))
    siaga.bus.handle(c.VerifyIncident(incident_id=incident.id, by="ani",
                                      method=VerificationMethod.CALLBACK))
    missed = answered(siaga, clock, callback)
    with siaga.uow() as uow:
        uow.callbacks.add(CallbackTask.open(caller_number="+6281200000022", call_id=missed,
                                            reason=CallbackReason.ABANDONED, at=clock.now()))
        uow.locations.add(LocationFix.create(  # an AML fix that reached no call (yet)
            source=LocationSource.AML, lat=-3.97, lon=122.52, radius_m=20, confidence=68,
            method=LocationMethod.GNSS, fixed_at=clock.now(), received_at=clock.now(),
            caller_number="+6281200000044"))
        uow.commit()
    queued = {}
    for name, number in (("plain", plain), ("nuisance", nuisance), ("callback", callback),
                         ("verified", verified), ("located", located)):
        queued[siaga.bus.handle(c.ReceiveCall(channel=Channel.WEB, caller=number))] = name
        clock.advance(5)
    with siaga.uow() as uow:
        waiting = SqlConsoleQueries(uow.session).waiting_calls()
        rows = {call_id: SqlNuisanceRepository(uow.session).screening_of(call_id)
                for call_id in queued}
    listed = [queued[call.id] for call in waiting]
    assert listed == ["callback", "verified", "located", "plain", "nuisance"]
    assert rows[next(i for i, n in queued.items() if n == "plain")] is None  # nothing decided
    facts = {queued[i]: frozenset(PriorityFact(f) for f in (r or {"facts": ""})["facts"]
                                  .split(",") if f) for i, r in rows.items()}
    assert facts == {"plain": frozenset(), "nuisance": {PriorityFact.NUISANCE},
                     "callback": {PriorityFact.CALLBACK_RETURN},
                     "verified": {PriorityFact.VERIFIED_EMERGENCY},
                     "located": {PriorityFact.FRESH_LOCATION}}
    # The same order as the ACD's own function gives for these calls' facts and arrivals.
    assert listed == queue_order([(queued[c.id], c.queued_at, facts[queued[c.id]])
                                  for c in waiting], POLICY.rules())
    assert rows[next(i for i, n in queued.items() if n == "nuisance")]["outcome"] == "warned"


WITA = 8  # hours ahead of UTC


def at_wita(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of June 2025 in Kendari's time, as the UTC the clock keeps."""
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC) - timedelta(hours=WITA)


def test_the_education_report_matches_counts_made_by_hand(siaga, clock):
    def call_at(moment, number, disposition, *, chosen=None, incident_kelurahan=None):
        clock._now = moment  # noqa: SLF001 - the test sets the day and hour it needs
        call = answered(siaga, clock, number, disposition)
        if chosen is not None:
            fix = siaga.bus.handle(c.RecordLocationFix(
                call_id=call, source=LocationSource.MANUAL, lat=chosen[0], lon=chosen[1],
                method=LocationMethod.MANUAL))
            siaga.bus.handle(c.ChooseCallLocation(call_id=call, fix_id=fix, by="ani"))
        if incident_kelurahan is not None:
            incident = siaga.bus.handle(c.OpenIncident(
                type_code="fire", subtype_code="building", by="ani", call_id=call,
                location=IncidentLocation(kelurahan=incident_kelurahan)))
            assert incident is not None
        return call

    mandonga, kadia = (-3.969311, 122.518284), (-3.980312, 122.511572)
    # Tuesday 10 June 2025 (WITA):
    call_at(at_wita(10, 7, 30), "081300000001", "prank", chosen=mandonga)
    call_at(at_wita(10, 7, 45), "081300000001", "prank", chosen=mandonga)
    call_at(at_wita(10, 8, 15), "081300000001", "prank", chosen=mandonga)  # warned: 2 before
    call_at(at_wita(10, 13, 5), "081300000002", "silent", chosen=kadia)
    call_at(at_wita(10, 23, 59), "081300000003", "hang_up", incident_kelurahan="kambu")
    # Wednesday 11 June:
    call_at(at_wita(11, 0, 10), None, "silent")  # withheld: counted, place unknown
    call_at(at_wita(11, 7, 0), "081300000004", "prank", incident_kelurahan="kambu")
    call_at(at_wita(11, 9, 0), "081300000005", "emergency", chosen=mandonga)  # not nuisance
    # Outside the period (Monday 9 June, 23:59 WITA):
    call_at(at_wita(9, 23, 59), "081300000006", "prank", chosen=mandonga)
    clock._now = at_wita(12, 12)  # noqa: SLF001

    report = nuisance_report(engine=siaga.engine, center=siaga.center,
                             period=Period(date(2025, 6, 10), date(2025, 6, 11),
                                           siaga.center.zone))
    assert report["totals"] == {"answered": 8, "prank": 4, "silent": 2, "hang_up": 1,
                                "nuisance": 7, "nuisance_share": round(7 / 8, 4)}
    hours = {h["hour"]: (h["prank"], h["silent"], h["hang_up"]) for h in report["by_hour"]
             if h["total"]}
    assert hours == {7: (3, 0, 0), 8: (1, 0, 0), 13: (0, 1, 0), 23: (0, 0, 1), 0: (0, 1, 0)}
    weekdays = {d["weekday"]: d["total"] for d in report["by_weekday"] if d["total"]}
    assert weekdays == {"tue": 5, "wed": 2}
    places = [(p["code"], p["name"], p["prank"], p["silent"], p["hang_up"])
              for p in report["by_kelurahan"]]
    assert places == [("mandonga", "Mandonga", 3, 0, 0), ("kambu", "Kambu", 1, 0, 1),
                      ("kadia", "Kadia", 0, 1, 0), (None, None, 0, 1, 0)]
    assert report["located_by"] == {"chosen_location": 4, "incident": 2, "unknown": 1}
    assert report["screening"]["warned"] == 1  # 081300000001's third call: 2 pranks before


class BrokenFacts(SqlNuisanceRepository):
    """A screening query that fails in the database (on PostgreSQL it spoils the batch)."""

    def arrival_facts(self, number, **_kw):
        self.session.execute(sa.text("SELECT no_such_column FROM calls"))
        raise AssertionError("unreachable")


def test_a_failing_screening_never_costs_a_call_its_storing(siaga, clock):
    stored: list = []
    handlers = dict(siaga.bus.command_handlers)
    desk = ScreeningDesk()
    handlers[c.TakeSipCall] = screen_sip_calls(handlers[c.TakeSipCall], center=siaga.center,
                                               clock=clock, repo=BrokenFacts, desk=desk)
    writer = GroupCommitter_(engine=siaga.engine, clock=clock, handlers=handlers,
                             deliver=lambda fn, *args: fn(*args), publish=siaga.bus.publish)
    done = threading.Event()

    def on_done(result, error):
        stored.append((result, error))
        if len(stored) == 2:
            done.set()

    for n in range(2):  # in one batch: it fails, then each command runs alone
        writer.submit(c.TakeSipCall(external_id=f"sip:broken-{n}", caller=PRANKSTER,
                                    at=clock.now()), on_done)
    writer.start()
    try:
        assert done.wait(20)
    finally:
        writer.stop()
    assert [error for _, error in stored] == [None, None]
    with siaga.uow() as uow:
        states = [uow.calls.get(call_id).state.value for call_id, _ in stored]
    assert states == ["queued", "queued"]  # stored and queued at their arrival, unscreened
    assert [desk.take(call_id) for call_id, _ in stored] == [None, None]
