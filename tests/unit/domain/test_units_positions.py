from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.domain import events
from siaga112.domain.errors import Conflict, DomainError, IllegalTransition, InvalidValue
from siaga112.domain.geo import GeoPoint
from siaga112.domain.positions import POSITION_TRANSITIONS, Position, PositionState
from siaga112.domain.units import ASSIGNED_STATUSES, UNIT_TRANSITIONS, Unit, UnitStatus

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fire_engine() -> Unit:
    return Unit(code="DMK-01", name="Damkar 01", agency_code="damkar",
                station_code="damkar_mako", unit_type="fire_engine", demo=True)


def desk() -> Position:
    return Position(code="pos-01", name="Meja 1")


# --- units ----------------------------------------------------------------------------
def test_unit_round_trip_from_dispatch_to_available() -> None:
    unit, incident = fire_engine(), uuid.uuid4()
    assert unit.status is UnitStatus.AVAILABLE and unit.incident_id is None
    unit.dispatch(incident, by="dewi", at=at(10))
    assert unit.status is UnitStatus.DISPATCHED and unit.incident_id == incident
    assert unit.status_since == at(10)
    unit.report(UnitStatus.EN_ROUTE, by="DMK-01", at=at(60))
    assert unit.status is UnitStatus.EN_ROUTE and unit.incident_id == incident
    unit.report(UnitStatus.ON_SCENE, by="DMK-01", at=at(600))
    assert unit.status is UnitStatus.ON_SCENE and unit.incident_id == incident
    unit.report(UnitStatus.RETURNING, by="DMK-01", at=at(3600))
    assert unit.status is UnitStatus.RETURNING and unit.incident_id is None
    unit.report(UnitStatus.AVAILABLE, by="DMK-01", at=at(4200))
    assert unit.status is UnitStatus.AVAILABLE and unit.incident_id is None
    assert unit.status_since == at(4200)
    changes = [e for e in unit.events if isinstance(e, events.UnitStatusChanged)]
    assert [(e.before, e.after) for e in changes] == [
        ("available", "dispatched"), ("dispatched", "en_route"), ("en_route", "on_scene"),
        ("on_scene", "returning"), ("returning", "available"),
    ]
    assert changes[0].data == {"incident": str(incident)} and changes[0].actor == "dewi"
    assert {e.aggregate_id for e in changes} == {"DMK-01"}


def test_ambulance_transporting_keeps_its_incident() -> None:
    unit, incident = Unit(code="AMB-1", name="Ambulans", agency_code="dinkes", station_code=None,
                          unit_type="ambulance"), uuid.uuid4()
    unit.dispatch(incident, by="dewi", at=at(0))
    unit.report(UnitStatus.EN_ROUTE, by="AMB-1", at=at(1))
    unit.report(UnitStatus.ON_SCENE, by="AMB-1", at=at(2))
    unit.report(UnitStatus.TRANSPORTING, by="AMB-1", at=at(3))
    assert unit.incident_id == incident
    unit.report(UnitStatus.AVAILABLE, by="AMB-1", at=at(4))
    assert unit.incident_id is None


@pytest.mark.parametrize("status", sorted(ASSIGNED_STATUSES))
def test_double_dispatch_raises_conflict(status: UnitStatus) -> None:
    unit, first = fire_engine(), uuid.uuid4()
    unit.dispatch(first, by="dewi", at=at(0))
    path = [UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.TRANSPORTING]
    for step in path[:[UnitStatus.DISPATCHED, *path].index(status)]:
        unit.report(step, by="DMK-01", at=at(1))
    with pytest.raises(Conflict, match="DMK-01"):
        unit.dispatch(uuid.uuid4(), by="dewi", at=at(2))
    assert unit.incident_id == first and unit.status is status


def test_a_returning_unit_can_be_sent_straight_on() -> None:
    unit = fire_engine()
    unit.dispatch(uuid.uuid4(), by="dewi", at=at(0))
    unit.report(UnitStatus.EN_ROUTE, by="DMK-01", at=at(1))
    unit.report(UnitStatus.RETURNING, by="DMK-01", at=at(2))
    second = uuid.uuid4()
    unit.dispatch(second, by="dewi", at=at(3))
    assert unit.status is UnitStatus.DISPATCHED and unit.incident_id == second


def test_a_dispatch_may_be_called_off() -> None:
    unit = fire_engine()
    unit.dispatch(uuid.uuid4(), by="dewi", at=at(0))
    unit.report(UnitStatus.AVAILABLE, by="dewi", at=at(1))
    assert unit.status is UnitStatus.AVAILABLE and unit.incident_id is None


def test_report_cannot_dispatch() -> None:
    unit = fire_engine()
    with pytest.raises(DomainError, match="dispatch"):
        unit.report(UnitStatus.DISPATCHED, by="DMK-01", at=at(0))
    assert unit.status is UnitStatus.AVAILABLE and unit.events == []


@pytest.mark.parametrize(("target", "message"), [
    (UnitStatus.ON_SCENE, "unit: cannot go from 'available' to 'on_scene'"),
    (UnitStatus.EN_ROUTE, "unit: cannot go from 'available' to 'en_route'"),
    (UnitStatus.RETURNING, "unit: cannot go from 'available' to 'returning'"),
])
def test_illegal_unit_moves_name_both_states(target: UnitStatus, message: str) -> None:
    unit = fire_engine()
    with pytest.raises(IllegalTransition) as info:
        unit.report(target, by="DMK-01", at=at(0))
    assert str(info.value) == message
    assert unit.status is UnitStatus.AVAILABLE


def test_out_of_service_and_back() -> None:
    unit = fire_engine()
    unit.report(UnitStatus.OUT_OF_SERVICE, by="damkar", at=at(0))
    with pytest.raises(IllegalTransition, match="'out_of_service' to 'dispatched'"):
        unit.dispatch(uuid.uuid4(), by="dewi", at=at(1))
    assert unit.incident_id is None
    unit.report(UnitStatus.AVAILABLE, by="damkar", at=at(2))
    assert unit.status is UnitStatus.AVAILABLE


def test_unit_refuses_naive_times() -> None:
    unit = fire_engine()
    with pytest.raises(InvalidValue):
        unit.dispatch(uuid.uuid4(), by="dewi", at=datetime(2025, 3, 1))
    assert unit.status is UnitStatus.AVAILABLE and unit.incident_id is None
    with pytest.raises(InvalidValue):
        unit.update_position(GeoPoint(-3.98, 122.51), at=datetime(2025, 3, 1))
    assert unit.last_position_at is None


def test_a_late_gps_fix_does_not_overwrite_a_newer_one() -> None:
    unit = fire_engine()
    unit.update_position(GeoPoint(-3.98, 122.51), at=at(100))
    unit.update_position(GeoPoint(-3.90, 122.40), at=at(50))   # arrives late
    assert (unit.last_lat, unit.last_lon, unit.last_position_at) == (-3.98, 122.51, at(100))
    unit.update_position(GeoPoint(-3.99, 122.52), at=at(100))  # same instant: the later report
    unit.update_position(GeoPoint(-4.00, 122.53), at=at(160))
    assert (unit.last_lat, unit.last_lon, unit.last_position_at) == (-4.00, 122.53, at(160))


def test_unit_transition_table_covers_every_status() -> None:
    assert set(UNIT_TRANSITIONS) == set(UnitStatus)
    # Only dispatch() leads into an assignment from outside one.
    for source, targets in UNIT_TRANSITIONS.items():
        if source not in ASSIGNED_STATUSES:
            assert targets & ASSIGNED_STATUSES <= {UnitStatus.DISPATCHED}


# --- positions ------------------------------------------------------------------------
def test_position_shift() -> None:
    position = desk()
    assert position.state is PositionState.LOGGED_OUT
    position.log_in("budi", at=at(0))
    assert position.state is PositionState.NOT_READY
    assert (position.operator, position.not_ready_reason) == ("budi", "logged_in")
    position.set_ready(at=at(5))
    assert position.state is PositionState.READY and position.not_ready_reason is None
    position.ring(at=at(10))
    assert position.state is PositionState.RINGING
    position.answer(at=at(12))
    assert position.state is PositionState.ON_CALL
    position.wrap_up(at=at(100))
    assert position.state is PositionState.WRAP_UP
    position.set_ready(at=at(130))
    assert position.state is PositionState.READY and position.state_since == at(130)
    position.log_out(at=at(200))
    assert position.state is PositionState.LOGGED_OUT
    assert (position.operator, position.not_ready_reason) == (None, None)
    changes = [e for e in position.events if isinstance(e, events.PositionStateChanged)]
    assert [(e.before, e.after) for e in changes] == [
        ("logged_out", "not_ready"), ("not_ready", "ready"), ("ready", "ringing"),
        ("ringing", "on_call"), ("on_call", "wrap_up"), ("wrap_up", "ready"),
        ("ready", "logged_out"),
    ]
    assert changes[0].reason == "logged_in" and changes[0].actor == "budi"
    assert {e.aggregate_id for e in changes} == {"pos-01"}


def test_log_in_needs_an_operator() -> None:
    position = desk()
    with pytest.raises(InvalidValue, match="operator"):
        position.log_in("", at=at(0))
    assert position.state is PositionState.LOGGED_OUT


def test_a_position_in_use_cannot_be_logged_into() -> None:
    position = desk()
    position.log_in("budi", at=at(0))
    position.set_ready(at=at(1))
    with pytest.raises(Conflict, match="budi"):
        position.log_in("sari", at=at(2))
    assert position.state is PositionState.READY and position.operator == "budi"


@pytest.mark.parametrize("move", [
    lambda p: p.set_ready(at=at(1)),
    lambda p: p.set_not_ready("break", at=at(1)),
    lambda p: p.ring(at=at(1)),
])
def test_a_logged_out_position_must_log_in_first(move) -> None:
    position = desk()
    with pytest.raises(IllegalTransition, match="from 'logged_out'"):
        move(position)
    assert position.state is PositionState.LOGGED_OUT and position.operator is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_not_ready_needs_a_reason(reason: str) -> None:
    position = desk()
    position.log_in("budi", at=at(0))
    position.set_ready(at=at(1))
    with pytest.raises(InvalidValue, match="reason"):
        position.set_not_ready(reason, at=at(2))
    assert position.state is PositionState.READY
    position.set_not_ready("istirahat", at=at(3))
    assert position.state is PositionState.NOT_READY and position.not_ready_reason == "istirahat"


def test_an_unanswered_ring_makes_the_desk_not_ready() -> None:
    position = desk()
    position.log_in("budi", at=at(0))
    position.set_ready(at=at(1))
    position.ring(at=at(2))
    position.set_not_ready("ring_no_answer", at=at(22))
    assert position.state is PositionState.NOT_READY


@pytest.mark.parametrize(("prepare", "move", "message"), [
    (["log_in", "ready", "ring", "answer"], lambda p: p.log_out(at=at(9)),
     "position: cannot go from 'on_call' to 'logged_out'"),
    (["log_in", "ready", "ring", "answer"], lambda p: p.set_ready(at=at(9)),
     "position: cannot go from 'on_call' to 'ready'"),
    (["log_in"], lambda p: p.ring(at=at(9)), "position: cannot go from 'not_ready' to 'ringing'"),
    (["log_in", "ready"], lambda p: p.answer(at=at(9)),
     "position: cannot go from 'ready' to 'on_call'"),
    (["log_in", "ready"], lambda p: p.wrap_up(at=at(9)),
     "position: cannot go from 'ready' to 'wrap_up'"),
])
def test_illegal_position_moves_raise(prepare, move, message) -> None:
    position = desk()
    steps = {"log_in": lambda p, t: p.log_in("budi", at=t), "ready": lambda p, t: p.set_ready(at=t),
             "ring": lambda p, t: p.ring(at=t), "answer": lambda p, t: p.answer(at=t)}
    for n, name in enumerate(prepare):
        steps[name](position, at(n))
    state, count = position.state, len(position.events)
    with pytest.raises(IllegalTransition) as info:
        move(position)
    assert str(info.value) == message
    assert position.state is state and len(position.events) == count


def test_position_refuses_naive_times() -> None:
    position = desk()
    with pytest.raises(InvalidValue):
        position.log_in("budi", at=datetime(2025, 3, 1))
    assert position.state is PositionState.LOGGED_OUT


def test_position_transition_table_covers_every_state() -> None:
    assert set(POSITION_TRANSITIONS) == set(PositionState)
    assert POSITION_TRANSITIONS[PositionState.LOGGED_OUT] == {PositionState.NOT_READY}
