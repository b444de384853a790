"""A call from arrival to incident, through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.domain.calls import CallState, Channel, Disposition
from siaga112.domain.errors import IllegalTransition, InvalidValue, NotFound
from siaga112.domain.incidents import IncidentLocation, IncidentStatus, Priority, VerificationMethod
from siaga112.services import commands as c


def test_a_call_is_stored_and_queued_the_moment_it_arrives(siaga, clock):
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="0812-3456-7890"))
    with siaga.engine.connect() as conn:  # read straight from the table, outside the services
        row = conn.execute(sa.select(tables.calls).where(tables.calls.c.id == call_id)).one()
    assert row.state == CallState.QUEUED
    assert row.caller_raw == "0812-3456-7890" and row.caller_number == "+6281234567890"
    assert row.received_at == clock.now()


def test_the_whole_flow_keeps_every_step_and_its_time(siaga, clock):
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="+62 401 3126948"))
    clock.advance(12)
    siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker="ani", position_code="pos-01"))
    clock.advance(30)
    siaga.bus.handle(c.DisposeCall(call_id=call_id, disposition=Disposition.EMERGENCY, by="ani"))
    opened = siaga.bus.handle(c.OpenIncident(
        type_code="fire", subtype_code="building", by="ani", call_id=call_id,
        triage_answers={"people_inside": "yes"},
        location=IncidentLocation(-3.975, 122.593, "Jl. Ir. Soekarno", "kasilampe", "kendari")))
    clock.advance(20)
    siaga.bus.handle(c.VerifyIncident(incident_id=opened.id, by="ani",
                                      method=VerificationMethod.CALLER_CONFIRMED))
    siaga.bus.handle(c.AddIncidentNote(incident_id=opened.id, text="Api di lantai 2", by="ani"))
    clock.advance(5)
    siaga.bus.handle(c.ReleaseCall(call_id=call_id, actor="ani"))

    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        incident = uow.incidents.get(opened.id)
        log = uow.event_log.for_aggregate("call", str(call_id))
    assert call.state is CallState.RELEASED
    assert (call.wait_seconds, call.talk_seconds) == (12.0, 55.0)
    assert call.is_valid(10) and call.incident_id == incident.id
    assert opened.number == "KDI-2025-000001"  # the center's prefix and year (WITA)
    assert incident.priority is Priority.P1  # from the triage answer
    assert incident.status is IncidentStatus.VERIFIED
    assert (incident.verified_by, incident.verification_method) == ("ani", VerificationMethod.CALLER_CONFIRMED)
    assert [n.text for n in incident.notes] == ["Api di lantai 2"]
    assert [(r["before"], r["after"]) for r in log if r["event_type"] == "CallStateChanged"] == [
        ("received", "queued"), ("queued", "offered"), ("offered", "connected"),
        ("connected", "released")]
    assert log[-1]["actor"] == "ani" and log[-1]["occurred_at"] == clock.now()


def test_a_refused_command_changes_nothing(siaga):
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.WEB, caller=None))
    with pytest.raises(IllegalTransition, match="'queued' to 'released'"):
        siaga.bus.handle(c.ReleaseCall(call_id=call_id))
    with pytest.raises(NotFound):
        siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker="ani", position_code="pos-99"))
    with siaga.uow() as uow:
        assert uow.calls.get(call_id).state is CallState.QUEUED
        assert len(uow.event_log.for_aggregate("call", str(call_id))) == 2


def test_unknown_incident_type_or_subtype_is_refused(siaga):
    with pytest.raises(InvalidValue, match="unknown incident type 'alien'"):
        siaga.bus.handle(c.OpenIncident(type_code="alien", subtype_code=None, by="ani",
                                        priority=Priority.P3))
    with pytest.raises(InvalidValue, match="no subtype 'lava'"):
        siaga.bus.handle(c.OpenIncident(type_code="fire", subtype_code="lava", by="ani",
                                        priority=Priority.P3))


def test_incident_numbers_follow_the_centers_year_and_restart_each_year(siaga, clock):
    first = siaga.bus.handle(c.OpenIncident(type_code="medical", subtype_code=None, by="ani"))
    second = siaga.bus.handle(c.OpenIncident(type_code="medical", subtype_code=None, by="ani"))
    # 31 Dec 2025 16:30 UTC is already 1 Jan 2026 00:30 in Kendari (WITA).
    clock.advance((clock.now().replace(month=12, day=31, hour=16, minute=30)
                   - clock.now()).total_seconds())
    new_year = siaga.bus.handle(c.OpenIncident(type_code="medical", subtype_code=None, by="ani"))
    assert [first.number, second.number, new_year.number] == [
        "KDI-2025-000001", "KDI-2025-000002", "KDI-2026-000001"]


def test_concurrent_incidents_get_unique_gapless_numbers(siaga):
    numbers: list[str] = []
    errors: list[BaseException] = []

    def open_some() -> None:
        try:
            for _ in range(5):
                opened = siaga.bus.handle(c.OpenIncident(
                    type_code="crime", subtype_code=None, by="ani", priority=Priority.P3))
                numbers.append(opened.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_some) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"KDI-2025-{n:06d}" for n in range(1, 31)]


def test_center_sync_is_idempotent_and_keeps_live_unit_status(siaga, clock):
    with siaga.uow() as uow:
        unit = uow.units.get("DMK-01")
        unit.report(unit.status.OUT_OF_SERVICE, by="admin", at=clock.now() + timedelta(seconds=1))
        uow.commit()
    report = siaga.bus.handle(c.SyncCenter())
    assert (report.added, report.updated) == (0, 0)
    with siaga.uow() as uow:
        assert uow.units.get("DMK-01").status.value == "out_of_service"
        assert len(uow.units.list()) == 24
        assert len(uow.organization.stations(agency_code="dinkes")) == 15
        assert len(uow.positions.list()) == 4
