from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from siaga112.domain import events
from siaga112.domain.errors import DomainError, IllegalTransition, InvalidValue, TimeWentBackwards
from siaga112.domain.incidents import (
    INCIDENT_TRANSITIONS,
    Incident,
    IncidentLocation,
    IncidentStatus,
    Priority,
    VerificationMethod,
    format_incident_number,
)

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
KENDARI_CADDI = IncidentLocation(lat=-3.975432, lon=122.593312, address="Jl. Contoh 1",
                                 kelurahan="kendari_caddi", kecamatan="kendari")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def opened(location: IncidentLocation = KENDARI_CADDI, *, when: float = 0) -> Incident:
    return Incident.open(
        number="KDI-2025-000001", type_code="fire", subtype_code="building", priority=Priority.P2,
        location=location, description="Rumah terbakar", by="budi", at=at(when),
    )


def test_format_incident_number() -> None:
    assert format_incident_number("KDI", 2025, 123) == "KDI-2025-000123"
    assert format_incident_number("TST", 2026, 1) == "TST-2026-000001"
    assert format_incident_number("KDI", 2025, 1_234_567) == "KDI-2025-1234567"


def test_open_records_what_where_and_who() -> None:
    incident = opened()
    assert incident.status is IncidentStatus.NEW and incident.active
    assert (incident.type_code, incident.subtype_code, incident.priority) == (
        "fire", "building", Priority.P2)
    assert incident.created_at == at(0) and incident.created_by == "budi"
    assert incident.location == KENDARI_CADDI
    [event] = incident.events
    assert isinstance(event, events.IncidentOpened)
    assert event.after == "new" and event.actor == "budi"
    assert event.data == {"number": "KDI-2025-000001", "type": "fire", "subtype": "building",
                          "priority": "P2"}


def test_open_without_a_location() -> None:
    incident = opened(IncidentLocation())
    assert incident.location_lat is None and incident.location_lon is None


def test_open_refuses_a_naive_time() -> None:
    with pytest.raises(InvalidValue, match="timezone-aware"):
        Incident.open(number="X", type_code="fire", subtype_code=None, priority=Priority.P1,
                      location=IncidentLocation(), description=None, by="budi",
                      at=datetime(2025, 3, 1))


def test_full_lifecycle_to_closed() -> None:
    incident = opened()
    incident.verify(by="sari", method=VerificationMethod.CALLBACK, at=at(60))
    assert incident.status is IncidentStatus.VERIFIED
    assert (incident.verified_by, incident.verified_at, incident.verification_method) == (
        "sari", at(60), VerificationMethod.CALLBACK)
    incident.mark_dispatched(by="dewi", at=at(120))
    assert incident.status is IncidentStatus.DISPATCHED and incident.dispatched_at == at(120)
    incident.mark_on_scene(by="dewi", at=at(600))
    assert incident.status is IncidentStatus.ON_SCENE and incident.on_scene_at == at(600)
    assert incident.active
    incident.resolve(by="dewi", at=at(3600), reason="api padam")
    assert incident.status is IncidentStatus.RESOLVED and incident.resolved_at == at(3600)
    assert not incident.active
    incident.close(by="supervisor", at=at(7200))
    assert incident.status is IncidentStatus.CLOSED and incident.closed_at == at(7200)
    changes = [e for e in incident.events if isinstance(e, events.IncidentStatusChanged)]
    assert [(e.before, e.after) for e in changes] == [
        ("new", "verified"), ("verified", "dispatched"), ("dispatched", "on_scene"),
        ("on_scene", "resolved"), ("resolved", "closed"),
    ]
    assert changes[0].reason == "callback" and changes[0].actor == "sari"
    assert changes[3].reason == "api padam"


def test_resolved_on_the_phone_without_a_unit() -> None:
    incident = opened()
    incident.verify(by="sari", method=VerificationMethod.CALLER_CONFIRMED, at=at(10))
    incident.resolve(by="sari", at=at(20))
    assert incident.status is IncidentStatus.RESOLVED and incident.dispatched_at is None


def test_cancel_needs_a_reason() -> None:
    incident = opened()
    for blank in ("", "   "):
        with pytest.raises(InvalidValue, match="reason"):
            incident.cancel(by="sari", at=at(10), reason=blank)
    assert incident.status is IncidentStatus.NEW and incident.cancelled_at is None
    incident.cancel(by="sari", at=at(10), reason="duplicate of KDI-2025-000002")
    assert incident.status is IncidentStatus.CANCELLED and incident.cancelled_at == at(10)
    assert incident.events[-1].reason == "duplicate of KDI-2025-000002"


def test_false_alarm_even_from_the_scene() -> None:
    incident = opened()
    incident.verify(by="sari", method=VerificationMethod.SECOND_CALLER, at=at(10))
    incident.mark_dispatched(by="dewi", at=at(20))
    incident.mark_on_scene(by="dewi", at=at(30))
    incident.cancel(by="dewi", at=at(40), reason="no fire found", false_alarm=True)
    assert incident.status is IncidentStatus.FALSE_ALARM and incident.cancelled_at == at(40)
    assert not incident.active


def test_a_unit_on_scene_cannot_be_cancelled_only_false_alarm_or_resolved() -> None:
    incident = opened()
    incident.verify(by="sari", method=VerificationMethod.CCTV, at=at(10))
    incident.mark_dispatched(by="dewi", at=at(20))
    incident.mark_on_scene(by="dewi", at=at(30))
    with pytest.raises(IllegalTransition, match="from 'on_scene' to 'cancelled'"):
        incident.cancel(by="dewi", at=at(40), reason="x")


@pytest.mark.parametrize(("setup", "move", "current", "target"), [
    ([], lambda i: i.mark_dispatched(by="d", at=at(50)), "new", "dispatched"),
    ([], lambda i: i.close(by="d", at=at(50)), "new", "closed"),
    (["verify"], lambda i: i.mark_on_scene(by="d", at=at(50)), "verified", "on_scene"),
    (["verify", "resolve"], lambda i: i.mark_dispatched(by="d", at=at(50)), "resolved",
     "dispatched"),
    (["verify", "resolve", "close"], lambda i: i.resolve(by="d", at=at(50)), "closed", "resolved"),
    (["cancel"], lambda i: i.verify(by="d", method=VerificationMethod.CALLBACK, at=at(50)),
     "cancelled", "verified"),
])
def test_illegal_moves_name_both_states(setup, move, current, target) -> None:
    incident = opened()
    steps = {
        "verify": lambda i, t: i.verify(by="s", method=VerificationMethod.CALLBACK, at=t),
        "resolve": lambda i, t: i.resolve(by="s", at=t),
        "close": lambda i, t: i.close(by="s", at=t),
        "cancel": lambda i, t: i.cancel(by="s", at=t, reason="dup"),
    }
    for n, name in enumerate(setup, start=1):
        steps[name](incident, at(n))
    events_before = len(incident.events)
    with pytest.raises(IllegalTransition) as info:
        move(incident)
    assert str(info.value) == f"incident: cannot go from '{current}' to '{target}'"
    assert incident.status.value == current and len(incident.events) == events_before


def test_time_going_backwards_is_refused() -> None:
    incident = opened(when=100)
    with pytest.raises(TimeWentBackwards):
        incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(99))
    assert incident.status is IncidentStatus.NEW and incident.verified_at is None
    incident.add_note("caller called again", by="s", at=at(200))
    with pytest.raises(TimeWentBackwards):  # a note is a step too
        incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(150))


def test_a_reclassification_is_a_step_too() -> None:
    incident = opened()
    incident.classify(type_code="fire", subtype_code=None, priority=Priority.P1, by="s", at=at(50))
    with pytest.raises(TimeWentBackwards):
        incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(40))


def test_notes_have_author_and_time() -> None:
    incident = opened()
    note = incident.add_note("  Pemadam sudah di jalan  ", by="sari", at=at(30))
    assert (note.author, note.at, note.text) == ("sari", at(30), "Pemadam sudah di jalan")
    assert incident.notes == [note]
    event = incident.events[-1]
    assert isinstance(event, events.IncidentNoteAdded)
    assert event.actor == "sari" and event.data == {"note_id": str(note.id)}


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_note_is_refused(text: str) -> None:
    incident = opened()
    with pytest.raises(InvalidValue, match="empty"):
        incident.add_note(text, by="sari", at=at(30))
    assert incident.notes == [] and len(incident.events) == 1


def test_a_note_before_the_last_step_is_refused() -> None:
    incident = opened()
    incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(60))
    with pytest.raises(TimeWentBackwards):
        incident.add_note("late", by="s", at=at(30))


def test_classify_while_active() -> None:
    incident = opened()
    incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(10))
    incident.classify(type_code="rescue", subtype_code="trapped", priority=Priority.P1,
                      by="sari", at=at(20))
    assert (incident.type_code, incident.subtype_code, incident.priority) == (
        "rescue", "trapped", Priority.P1)
    event = incident.events[-1]
    assert isinstance(event, events.IncidentClassified)
    assert (event.before, event.after) == ("fire/building/P2", "rescue/trapped/P1")


@pytest.mark.parametrize("end", ["resolve", "cancel", "false_alarm"])
def test_classify_refused_once_no_longer_active(end: str) -> None:
    incident = opened()
    incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at(10))
    if end == "resolve":
        incident.resolve(by="s", at=at(20))
    else:
        incident.cancel(by="s", at=at(20), reason="x", false_alarm=end == "false_alarm")
    with pytest.raises(DomainError, match=f"'{incident.status.value}'"):
        incident.classify(type_code="medical", subtype_code=None, priority=Priority.P1,
                          by="s", at=at(30))
    assert incident.type_code == "fire" and incident.priority is Priority.P2


@pytest.mark.parametrize("location", [
    IncidentLocation(lat=-3.97), IncidentLocation(lon=122.5),
])
def test_a_location_needs_both_latitude_and_longitude(location: IncidentLocation) -> None:
    with pytest.raises(InvalidValue, match="both latitude and longitude"):
        opened(location)


@pytest.mark.parametrize(("lat", "lon", "word"), [
    (91.0, 122.5, "latitude"), (-90.5, 122.5, "latitude"), (-3.9, 180.1, "longitude"),
    (-3.9, -181.0, "longitude"), (float("nan"), 122.5, "latitude"),
    (-3.9, float("inf"), "longitude"),
])
def test_a_location_must_be_in_range(lat: float, lon: float, word: str) -> None:
    with pytest.raises(InvalidValue, match=word):
        opened(IncidentLocation(lat=lat, lon=lon))


def test_relocate_sets_the_location_and_leaves_a_note() -> None:
    incident = opened(IncidentLocation())
    new = IncidentLocation(lat=-3.99, lon=122.52, address="Jl. Baru", kelurahan="kambu",
                           kecamatan="kambu")
    incident.relocate(new, by="sari", at=at(40))
    assert incident.location == new
    assert incident.notes[-1].text == "location: -3.99,122.52 Jl. Baru"


def test_a_bad_relocation_changes_nothing() -> None:
    incident = opened()
    with pytest.raises(InvalidValue):
        incident.relocate(IncidentLocation(lat=100.0, lon=0.0), by="sari", at=at(40))
    assert incident.location == KENDARI_CADDI and incident.notes == []


def test_transition_table_covers_every_status() -> None:
    assert set(INCIDENT_TRANSITIONS) == set(IncidentStatus)
    for end in (IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.FALSE_ALARM):
        assert INCIDENT_TRANSITIONS[end] == frozenset()
