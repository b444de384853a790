"""Personal data: who looked is logged, retention purges on time, a caller gets their data."""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.config import Retention
from siaga112.domain.calls import Channel
from siaga112.domain.incidents import IncidentLocation, Priority
from siaga112.domain.locations import LocationSource
from siaga112.services import commands as c
from siaga112.services import personal_data

DAY = 24 * 3600
ZERO = {"numbers_masked": 0, "locations_coarsened": 0, "location_fixes_deleted": 0,
        "notes_blanked": 0, "photos_deleted": 0, "block_numbers_masked": 0}


def _old_and_new(siaga, clock):
    old_call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    old = siaga.bus.handle(c.OpenIncident(
        type_code="crime", subtype_code=None, by="ani", priority=Priority.P3, call_id=old_call,
        location=IncidentLocation(-3.974734, 122.600568, "Jl. Yos Sudarso No.36")))
    siaga.bus.handle(c.AddIncidentNote(incident_id=old.id, text="Pelapor: Ibu R, rumah biru",
                                       by="ani"))
    fix = siaga.bus.handle(c.RecordLocationFix(call_id=old_call, source=LocationSource.NETWORK,
                                               lat=-3.9747, lon=122.6005, radius_m=50))
    siaga.bus.handle(c.ChooseCallLocation(call_id=old_call, fix_id=fix, by="ani"))
    clock.advance(800 * DAY)
    new_call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    return old_call, old, new_call


def test_retention_masks_old_numbers_and_places_and_leaves_recent_ones(siaga, clock):
    old_call, old_incident, new_call = _old_and_new(siaga, clock)
    retention = Retention(numbers_days=730, locations_days=730, notes_days=730)
    dry = personal_data.purge(siaga.uow(), retention=retention, clock=clock, dry_run=True)
    assert dry.as_dict() == {"numbers_masked": 1, "locations_coarsened": 1,
                              "location_fixes_deleted": 1, "notes_blanked": 1,
                              "photos_deleted": 0, "block_numbers_masked": 0}
    report = personal_data.purge(siaga.uow(), retention=retention, clock=clock)
    assert report == dry
    with siaga.uow() as uow:
        old, new = uow.calls.get(old_call), uow.calls.get(new_call)
        incident = uow.incidents.get(old_incident.id)
    assert (old.caller_raw, old.caller_number) == (None, "+6281******890")
    assert (new.caller_raw, new.caller_number) == ("081234567890", "+6281234567890")
    assert (incident.address, incident.location_lat, incident.location_lon) == (None, -3.97, 122.6)
    assert [n.text for n in incident.notes] == ["[purged]"]
    assert old.chosen_location_id is None
    with siaga.uow() as uow:
        assert uow.locations.for_call(old_call) == []
    again = personal_data.purge(siaga.uow(), retention=retention, clock=clock)
    assert again.as_dict() == ZERO


def test_zero_days_keeps_everything(siaga, clock):
    _old_and_new(siaga, clock)
    keep = Retention(numbers_days=0, locations_days=0, notes_days=0)
    report = personal_data.purge(siaga.uow(), retention=keep, clock=clock)
    assert report.as_dict() == ZERO


def test_a_caller_gets_everything_on_their_number_and_the_export_is_logged(siaga, clock):
    old_call, old_incident, new_call = _old_and_new(siaga, clock)
    siaga.bus.handle(c.ReceiveCall(channel=Channel.SMS, caller="085299999999"))  # someone else
    data = personal_data.export_caller(siaga.uow(), number="0812-3456-7890", by="admin",
                                       clock=clock)
    assert data["number"] == "+6281234567890"
    assert {call["id"] for call in data["calls"]} == {str(old_call), str(new_call)}
    assert [i["number"] for i in data["incidents"]] == [old_incident.number]
    assert data["incidents"][0]["notes"][0]["text"] == "Pelapor: Ibu R, rumah biru"
    with siaga.engine.connect() as conn:
        logged = conn.execute(sa.select(tables.event_log.c.actor, tables.event_log.c.after).where(
            tables.event_log.c.aggregate == "personal_data")).all()
    assert ("admin", "exported") in logged


def test_the_audit_log_holds_no_caller_numbers(siaga):
    siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    with siaga.engine.connect() as conn:
        rows = conn.execute(sa.select(tables.event_log)).mappings().all()
    assert rows and not any("81234567890" in str(dict(r)) for r in rows)
