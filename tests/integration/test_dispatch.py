"""Dispatch through the services on SQLite and PostgreSQL: recommend, send, follow, and a
unit never assigned twice, even when two dozen dispatchers press the button at once."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from siaga112.adapters.db.tables_dispatch import unit_assignments
from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.notifications import DeliveryStatus
from siaga112.domain.errors import Conflict, IllegalTransition
from siaga112.domain.incidents import IncidentLocation, IncidentStatus, Priority, VerificationMethod
from siaga112.domain.units import UnitStatus
from siaga112.services import commands as c
from siaga112.services.recommendation import recommend_for_incident

@pytest.fixture
def kendari(monkeypatch):
    """Kendari, with PLN's webhook configured but its secret's variable not set."""
    monkeypatch.delenv("SIAGA112_TEST_PLN_SECRET", raising=False)
    center = load_center(CENTERS_DIR / "kendari.toml")
    agencies = [a.model_copy(update={"webhook_url": "http://127.0.0.1:9/pln",
                                     "webhook_secret_env": "SIAGA112_TEST_PLN_SECRET"})
                if a.code == "pln" else a for a in center.agencies]
    return center.model_copy(update={"agencies": agencies})



@pytest.fixture(autouse=True)
def stop_webhooks(siaga):
    """Deliveries still retrying when a test ends stop before its database is dropped."""
    yield
    siaga.notifier.close()


ABELI = IncidentLocation(-3.9950, 122.5860, "Jl. Pelabuhan Nusantara", None, None)


def verified_incident(siaga, *, type_code="fire", priority=Priority.P1, location=ABELI):
    opened = siaga.bus.handle(c.OpenIncident(type_code=type_code, subtype_code=None, by="ani",
                                             priority=priority, location=location))
    siaga.bus.handle(c.VerifyIncident(incident_id=opened.id, by="ani",
                                      method=VerificationMethod.CALLER_CONFIRMED))
    return opened.id


def recommend(siaga, incident_id):
    return recommend_for_incident(siaga.uow(), incident_id=incident_id, center=siaga.center,
                                  travel=siaga.travel)


def test_a_building_fire_gets_the_plan_s_nearest_units_and_their_timeline(siaga, clock):
    incident_id = verified_incident(siaga)
    rec = recommend(siaga, incident_id)
    fire, ambulance = rec.choices
    # Kendari's plan for fire P1: two fire engines of Damkar and an ambulance.
    assert (fire.requirement.unit_type, fire.requirement.count) == ("fire_engine", 2)
    assert fire.suggested == ("DMK-03", "DMK-01")  # Abeli's post first, then the HQ's
    assert {e.unit_code: e.reason.value for e in fire.excluded} == {
        "DMK-R1": "wrong_type", "DMK-T1": "wrong_type"}
    assert ambulance.suggested == ("AMB-MATA",)
    assert fire.candidates[0].eta_seconds < fire.candidates[1].eta_seconds
    assert rec.method == "straight_line"

    clock.advance(30)
    done = siaga.bus.handle(c.DispatchUnits(incident_id=incident_id, by="budi",
                                            unit_codes=("DMK-03", "DMK-01", "AMB-MATA")))
    assert len(done.assignments) == 3
    steps = [(c.AcknowledgeDispatch(unit_code="DMK-03", by="damkar1"), 15),
             (c.UpdateUnitStatus(unit_code="DMK-03", status=UnitStatus.EN_ROUTE, by="damkar1"), 45),
             (c.UpdateUnitStatus(unit_code="DMK-03", status=UnitStatus.ON_SCENE, by="damkar1"), 240),
             (c.UpdateUnitStatus(unit_code="DMK-03", status=UnitStatus.RETURNING, by="damkar1"), 1800),
             (c.UpdateUnitStatus(unit_code="DMK-03", status=UnitStatus.AVAILABLE, by="damkar1"), 600)]
    for command, wait in steps:
        clock.advance(wait)
        siaga.bus.handle(command)
    with siaga.uow() as uow:
        incident = uow.incidents.get(incident_id)
        [dmk03] = [a for a in uow.assignments.for_incident(incident_id) if a.unit_code == "DMK-03"]
        unit = uow.units.get("DMK-03")
        log = uow.event_log.for_aggregate("incident", str(incident_id))
    assert incident.status is IncidentStatus.ON_SCENE  # the first unit on scene moved it
    assert unit.status is UnitStatus.AVAILABLE and unit.incident_id is None
    assert [s.value for s, _ in dmk03.timeline()] == [
        "dispatched", "acknowledged", "en_route", "on_scene", "returning", "cleared"]
    assert dmk03.intervals() == {"to_acknowledge": 15.0, "turnout": 60.0, "travel": 240.0,
                                 "response": 300.0, "on_scene": 1800.0, "total": 2700.0}
    assert dmk03.eta_seconds == pytest.approx(fire.candidates[0].eta_seconds, abs=0.1)
    assert [r["event_type"] for r in log].count("UnitDispatched") == 3
    assert [r["after"] for r in log if r["event_type"] == "DispatchAcknowledged"] == ["DMK-03"]


def test_a_busy_unit_is_refused_and_a_refused_dispatch_changes_nothing(siaga):
    first, second = verified_incident(siaga), verified_incident(siaga)
    siaga.bus.handle(c.DispatchUnits(incident_id=first, unit_codes=("DMK-01",), by="budi"))
    with pytest.raises(Conflict, match="DMK-01 is already assigned"):
        # All or nothing: DMK-02 is free, but the dispatch fails as a whole.
        siaga.bus.handle(c.DispatchUnits(incident_id=second, unit_codes=("DMK-02", "DMK-01"),
                                         by="citra"))
    with siaga.uow() as uow:
        assert uow.units.get("DMK-02").status is UnitStatus.AVAILABLE
        assert uow.incidents.get(second).status is IncidentStatus.VERIFIED
        assert uow.assignments.for_incident(second) == []
    rec = recommend(siaga, second)
    busy = {e.unit_code: e for e in rec.choices[0].excluded}["DMK-01"]
    assert busy.reason.value == "busy" and str(first) in busy.detail


def test_an_unverified_or_closed_incident_gets_no_unit(siaga):
    opened = siaga.bus.handle(c.OpenIncident(type_code="fire", subtype_code=None, by="ani",
                                             priority=Priority.P2, location=ABELI))
    with pytest.raises(Conflict, match="not verified yet"):
        siaga.bus.handle(c.DispatchUnits(incident_id=opened.id, unit_codes=("DMK-01",), by="b"))
    with pytest.raises(IllegalTransition, match="'available' to 'on_scene'"):
        siaga.bus.handle(c.UpdateUnitStatus(unit_code="DMK-01", status=UnitStatus.ON_SCENE,
                                            by="damkar1"))
    with pytest.raises(Conflict, match="no active dispatch"):
        siaga.bus.handle(c.AcknowledgeDispatch(unit_code="DMK-01", by="damkar1"))


def test_twenty_four_dispatchers_racing_for_one_unit_one_wins(siaga):
    """Each thread sends DMK-04 to its own incident at the same moment (own transaction,
    own connection): exactly one wins, the others get Conflict, one assignment exists."""
    incidents = [verified_incident(siaga) for _ in range(24)]
    barrier = threading.Barrier(len(incidents))
    outcomes: dict[str, object] = {}

    def dispatcher(incident_id):
        barrier.wait()
        try:
            siaga.bus.handle(c.DispatchUnits(incident_id=incident_id, unit_codes=("DMK-04",),
                                             by=f"dispatcher-{incident_id.hex[:6]}"))
            outcomes[str(incident_id)] = "won"
        except Conflict as exc:
            outcomes[str(incident_id)] = exc

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in incidents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    winners = [i for i, o in outcomes.items() if o == "won"]
    assert len(outcomes) == 24 and len(winners) == 1
    assert all("DMK-04 is already assigned" in str(o) for o in outcomes.values() if o != "won")
    with siaga.engine.connect() as conn:
        rows = conn.execute(sa.select(unit_assignments.c.incident_id).where(
            unit_assignments.c.unit_code == "DMK-04")).all()
    assert [str(r.incident_id) for r in rows] == winners
    with siaga.uow() as uow:
        assert str(uow.units.get("DMK-04").incident_id) == winners[0]
        statuses = {uow.incidents.get(i).status for i in incidents}
    assert statuses == {IncidentStatus.DISPATCHED, IncidentStatus.VERIFIED}


def test_the_database_itself_refuses_a_second_active_assignment(siaga):
    """Even code that skipped the unit's own check could not double-book it."""
    first, second = verified_incident(siaga), verified_incident(siaga)
    siaga.bus.handle(c.DispatchUnits(incident_id=first, unit_codes=("SPP-01",), by="budi"))
    with siaga.engine.connect() as conn:
        row = conn.execute(sa.select(unit_assignments).where(
            unit_assignments.c.unit_code == "SPP-01")).one()._asdict()
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.insert(unit_assignments).values(
                {**row, "id": uuid.uuid4(), "incident_id": second}))
        conn.rollback()


def test_a_returning_unit_can_be_sent_on_and_its_first_job_keeps_its_times(siaga, clock):
    first, second = verified_incident(siaga), verified_incident(siaga)
    siaga.bus.handle(c.DispatchUnits(incident_id=first, unit_codes=("DMK-02",), by="budi"))
    for status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.RETURNING):
        clock.advance(60)
        siaga.bus.handle(c.UpdateUnitStatus(unit_code="DMK-02", status=status, by="damkar1"))
    clock.advance(60)
    siaga.bus.handle(c.DispatchUnits(incident_id=second, unit_codes=("DMK-02",), by="budi"))
    with siaga.uow() as uow:
        [old] = uow.assignments.for_incident(first)
        [new] = uow.assignments.for_incident(second)
        assert uow.units.get("DMK-02").incident_id == second
    assert (old.active, old.end_status, new.active) == (False, "returning", True)
    assert old.intervals()["response"] == 120.0


def test_a_webhook_without_its_secret_fails_at_once_and_says_why(siaga):
    incident_id = verified_incident(siaga, type_code="public_order", priority=Priority.P3)
    siaga.bus.handle(c.DispatchUnits(incident_id=incident_id, unit_codes=("PLN-01",), by="budi"))

    def settled():
        with siaga.uow() as uow:
            found = uow.deliveries.list(incident_id=incident_id)
        return found if found and found[0].status is not DeliveryStatus.PENDING else None

    deadline = time.monotonic() + 10
    while not (found := settled()) and time.monotonic() < deadline:
        time.sleep(0.05)
    [delivery] = found
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == ("no signing secret: environment variable "
                                   "SIAGA112_TEST_PLN_SECRET is not set")
    with siaga.uow() as uow:  # the dispatch itself stands
        assert uow.units.get("PLN-01").incident_id == incident_id
    assert siaga.notifier.resume_pending() == 0  # nothing left to send after a restart
