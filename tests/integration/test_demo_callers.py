"""The demo's simulated callers: Kendari's mix, places inside the center, patience, hang-ups,
a second caller about the same emergency, and a clean start after a stop."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from siaga112.demo.callers import KENDARI_MIX, CallerSimulator, Identity, install, running_simulator
from siaga112.domain.calls import CallState, Channel
from siaga112.domain.positions import PositionState
from siaga112.services import commands as c


@pytest.fixture
def database_url(tmp_path) -> str:
    """The simulator only uses the bus: one backend is enough (the APIs run on both)."""
    return f"sqlite:///{tmp_path / 'demo.sqlite3'}"


def calls_of(siaga):
    with siaga.uow() as uow:
        return [call for call in uow.calls.list(limit=1000)
                if Identity.parse(call.external_id) is not None]


def test_callers_ring_at_the_rate_asked_with_kendaris_mix_from_inside_the_center(siaga, clock):
    simulator = CallerSimulator(siaga, callers_per_minute=30, seed=3)
    simulator.tick()
    assert calls_of(siaga) == []  # the first caller after 3 s
    clock.advance(3)
    simulator.tick()
    first = calls_of(siaga)
    assert len(first) == 1 and Identity.parse(first[0].external_id).kind == "emergency"
    clock.advance(120)
    simulator.tick()
    calls = calls_of(siaga)
    assert 40 <= len(calls) <= 85  # 30 a minute for two minutes, a Poisson process
    assert {call.channel for call in calls} == {Channel.VOICE}
    with siaga.uow() as uow:
        trails = [list(uow.locations.for_call(call.id)) for call in calls]
    assert all(len(t) == 1 and t[0].source.value == "network" and not t[0].outside_area
               for t in trails)
    # The mix, drawn many times: Kendari's shares.
    drawn = Counter(simulator._draw().kind for _ in range(4000))
    for kind, share in KENDARI_MIX.items():
        assert drawn[kind] / 4000 == pytest.approx(share, abs=0.025), kind
    # Everything a caller says is in Indonesian with the place filled in.
    for call in calls:
        lines = simulator.lines_of(Identity.parse(call.external_id))
        assert lines and not any("{" in line.text for line in lines)


def test_unanswered_callers_give_up_and_answered_ones_hang_up_as_their_kind_does(siaga, clock):
    simulator = CallerSimulator(siaga, callers_per_minute=0, speed=2, seed=5)
    siaga.bus.handle(c.LogInPosition(position_code="pos-01", operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code="pos-01"))
    waiting = simulator.place_call("question")
    hanging = simulator.place_call("hang_up")
    siaga.bus.handle(c.TakeWaitingCall(call_id=hanging, position_code="pos-01", call_taker="ani"))
    clock.advance(0.5)  # one simulated second: still on the line
    simulator.tick()
    with siaga.uow() as uow:
        assert uow.calls.get(hanging).state is CallState.CONNECTED
    clock.advance(1)  # three simulated seconds: gone
    simulator.tick()
    with siaga.uow() as uow:
        hung = uow.calls.get(hanging)
        assert (hung.state, hung.released_at is not None) == (CallState.RELEASED, True)
        assert uow.positions.get("pos-01").state is PositionState.WRAP_UP
        assert uow.calls.get(waiting).state is CallState.QUEUED
    clock.advance(3600)  # nobody answered the question in time
    simulator.tick()
    with siaga.uow() as uow:
        assert uow.calls.get(waiting).state is CallState.ABANDONED
    assert simulator.waiting == {} and simulator.connected == set()


def test_a_second_caller_reports_the_same_emergency_from_the_same_place(siaga, clock):
    simulator = CallerSimulator(siaga, callers_per_minute=0, seed=11)
    # A house fire (a burning power pole has no second caller in the script).
    first = simulator.place_call("emergency", incident_type="fire", subtype="building")
    clock.advance(90)
    second = simulator.place_call(again=True)
    with siaga.uow() as uow:
        a, b = uow.calls.get(first), uow.calls.get(second)
        fa, fb = uow.locations.for_call(first)[0], uow.locations.for_call(second)[0]
    ia, ib = Identity.parse(a.external_id), Identity.parse(b.external_id)
    assert (ib.kind, ib.index, ib.kelurahan, ib.again) == (ia.kind, ia.index, ia.kelurahan, True)
    assert fa.point.distance_m(fb.point) <= 120.5
    assert simulator.lines_of(ib) != simulator.lines_of(ia)
    assert a.caller_number != b.caller_number  # a neighbour, not the same caller


def test_a_restarted_demo_closes_the_calls_its_last_run_left_open(siaga, clock):
    old = CallerSimulator(siaga, callers_per_minute=0, seed=1)
    queued = old.place_call("question")
    taken = old.place_call("emergency")
    siaga.bus.handle(c.LogInPosition(position_code="pos-02", operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code="pos-02"))
    siaga.bus.handle(c.TakeWaitingCall(call_id=taken, position_code="pos-02", call_taker="ani"))
    plain = siaga.bus.handle(c.ReceiveCall(channel=Channel.WEB, caller="081234567890"))
    clock.advance(10)
    fresh = CallerSimulator(siaga, callers_per_minute=0, seed=2)
    assert fresh.close_leftovers() == 2
    with siaga.uow() as uow:
        assert uow.calls.get(queued).state is CallState.ABANDONED
        assert uow.calls.get(taken).state is CallState.RELEASED
        assert uow.calls.get(plain).state is CallState.QUEUED  # not the demo's
    assert running_simulator(siaga) is None
    install(siaga, fresh)
    assert running_simulator(siaga) is fresh


def test_bad_settings_are_refused(siaga):
    for kwargs in ({"callers_per_minute": -1}, {"speed": 0}, {"emergency_share": 1.5}):
        with pytest.raises(ValueError):
            CallerSimulator(siaga, **kwargs)
    with pytest.raises(ValueError, match="no simulated caller"):
        CallerSimulator(siaga, seed=1).place_call("emergency", incident_type="nope")
    trainees = CallerSimulator(siaga, emergency_share=0.5, seed=4)
    drawn = Counter(trainees._draw().kind for _ in range(2000))
    assert drawn["emergency"] / 2000 == pytest.approx(0.5, abs=0.04)
    assert timedelta(0) < timedelta(seconds=trainees._gap() + 1)
