from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from siaga112.domain import events
from siaga112.domain.calls import CALL_TRANSITIONS, Call, CallState, Channel, Disposition
from siaga112.domain.errors import DomainError, IllegalTransition, InvalidValue, TimeWentBackwards
from siaga112.domain.phone import CallerNumber

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def received(caller: str | None = "0812-3456-7890", *, when: float = 0) -> Call:
    return Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse(caller), at=at(when))


def talked(seconds: float, disposition: Disposition | None = None) -> Call:
    """A call answered at t=5 and released `seconds` later."""
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.connect(call_taker="budi", at=at(5))
    call.release(at=at(5 + seconds), actor="budi")
    if disposition is not None:
        call.dispose(disposition, by="budi", at=at(5 + seconds))
    return call


def test_receive_records_the_caller_and_an_event() -> None:
    call = received("0812-3456-7890")
    assert call.state is CallState.RECEIVED
    assert call.caller_raw == "0812-3456-7890"
    assert call.caller_number == "+6281234567890"
    assert call.received_at == at(0)
    [event] = call.events
    assert isinstance(event, events.CallReceived)
    assert event.after == "received" and event.before is None
    # The number stays out of the append-only log, so retention can purge it.
    assert event.data == {"channel": "voice", "withheld": False}


def test_a_withheld_caller_is_received_all_the_same() -> None:
    call = received("anonymous")
    assert call.caller_raw == "anonymous"
    assert call.caller_number is None


def test_receive_keeps_a_given_id_and_external_id() -> None:
    call_id = uuid.uuid4()
    call = Call.receive(channel=Channel.SMS, caller=CallerNumber.parse("112"), at=at(0),
                        call_id=call_id, external_id="sip-abc")
    assert call.id == call_id and call.external_id == "sip-abc"


def test_happy_path_received_queued_offered_connected_released() -> None:
    call = received()
    call.enqueue(at=at(1))
    assert call.state is CallState.QUEUED and call.queued_at == at(1)
    call.offer(position_code="pos-01", at=at(3))
    assert call.state is CallState.OFFERED
    assert call.position_code == "pos-01" and call.offer_count == 1 and call.offered_at == at(3)
    call.connect(call_taker="budi", position_code="pos-01", at=at(8))
    assert call.state is CallState.CONNECTED and call.call_taker == "budi"
    assert call.answered
    call.release(at=at(68), actor="budi")
    assert call.state is CallState.RELEASED
    assert call.ended_at == at(68)
    assert call.wait_seconds == 8.0
    assert call.talk_seconds == 60.0


def test_figures_are_unknown_while_the_call_goes_on() -> None:
    call = received()
    call.enqueue(at=at(1))
    assert call.wait_seconds is None and call.talk_seconds is None
    call.offer(position_code="pos-01", at=at(2))
    call.connect(call_taker="budi", at=at(4))
    assert call.wait_seconds == 4.0
    assert call.talk_seconds is None


def test_screening_then_queue() -> None:
    call = received()
    call.start_screening(at=at(0.5))
    call.enqueue(at=at(9))
    assert call.screening_at == at(0.5) and call.queued_at == at(9)


def test_screening_may_release_the_call_itself() -> None:
    call = received()
    call.start_screening(at=at(1))
    call.release(at=at(12), reason="no_answer_to_announcement")
    assert call.state is CallState.RELEASED
    assert not call.answered
    assert call.talk_seconds is None
    assert call.wait_seconds == 12.0


def test_unanswered_offer_goes_back_to_the_queue() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.enqueue(at=at(22), reason="ring_timeout")
    assert call.state is CallState.QUEUED
    assert call.position_code is None
    assert call.queued_at == at(1)  # the first time it joined the queue
    call.offer(position_code="pos-02", at=at(23))
    assert call.offer_count == 2 and call.position_code == "pos-02" and call.offered_at == at(23)
    call.connect(call_taker="sari", at=at(25))
    assert call.wait_seconds == 25.0
    requeue = call.events[3]
    assert isinstance(requeue, events.CallStateChanged)
    assert (requeue.before, requeue.after, requeue.reason) == ("offered", "queued", "ring_timeout")


def test_the_next_offer_cannot_be_before_the_requeue() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.enqueue(at=at(22))
    with pytest.raises(TimeWentBackwards):
        call.offer(position_code="pos-02", at=at(10))
    assert call.state is CallState.QUEUED and call.offer_count == 1


def test_connect_at_another_position_than_offered_is_refused() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    with pytest.raises(DomainError, match="pos-01.*pos-02"):
        call.connect(call_taker="sari", position_code="pos-02", at=at(3))
    assert call.state is CallState.OFFERED


def test_abandon_from_the_queue() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.abandon(at=at(40))
    assert call.state is CallState.ABANDONED
    assert call.abandoned_at == at(40) and call.ended_at == at(40)
    assert call.wait_seconds == 40.0
    assert call.talk_seconds is None
    assert not call.answered
    assert not call.is_valid()
    assert call.events[-1].reason == "caller_hung_up"


def test_interrupted_while_connected_keeps_the_talk_time() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.connect(call_taker="budi", at=at(4))
    call.interrupt(at=at(34), reason="trunk_lost")
    assert call.state is CallState.INTERRUPTED
    assert call.talk_seconds == 30.0
    assert call.events[-1].reason == "trunk_lost"


@pytest.mark.parametrize("ended", ["release", "abandon"])
def test_an_ended_call_never_goes_back_to_the_queue(ended: str) -> None:
    call = received()
    call.enqueue(at=at(1))
    if ended == "release":
        call.offer(position_code="pos-01", at=at(2))
        call.connect(call_taker="budi", at=at(3))
        call.release(at=at(30))
    else:
        call.abandon(at=at(30))
    with pytest.raises(IllegalTransition) as info:
        call.enqueue(at=at(31))
    message = str(info.value)
    assert f"'{call.state.value}'" in message and "'queued'" in message
    assert info.value.current is call.state and info.value.target is CallState.QUEUED


def test_illegal_move_names_both_states_released_to_queued() -> None:
    call = talked(30)
    with pytest.raises(IllegalTransition, match="call: cannot go from 'released' to 'queued'"):
        call.enqueue(at=at(100))
    assert call.state is CallState.RELEASED


@pytest.mark.parametrize("move", [
    lambda c: c.connect(call_taker="budi", at=at(5)),          # received -> connected
    lambda c: c.offer(position_code="pos-01", at=at(5)),       # received -> offered
    lambda c: c.release(at=at(5)),                             # received -> released
])
def test_steps_cannot_be_skipped(move) -> None:
    call = received()
    with pytest.raises(IllegalTransition, match="'received'"):
        move(call)
    assert call.state is CallState.RECEIVED and len(call.events) == 1


def test_time_going_backwards_is_refused() -> None:
    call = received(when=10)
    with pytest.raises(TimeWentBackwards, match="before the previous step"):
        call.enqueue(at=at(9))
    call.enqueue(at=at(10))  # the same instant is fine
    call.offer(position_code="pos-01", at=at(20))
    with pytest.raises(TimeWentBackwards):
        call.connect(call_taker="budi", at=at(19.999))
    assert call.state is CallState.OFFERED and call.connected_at is None


def test_other_time_zones_compare_by_instant() -> None:
    wita = timezone(timedelta(hours=8))
    call = received(when=0)
    call.enqueue(at=datetime(2025, 3, 1, 8, 0, 1, tzinfo=wita))  # 00:00:01 UTC
    with pytest.raises(TimeWentBackwards):
        call.offer(position_code="pos-01", at=datetime(2025, 3, 1, 7, 59, 59, tzinfo=wita))


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2025, 3, 1, 0, 0)
    with pytest.raises(InvalidValue, match="timezone-aware"):
        Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse("112"), at=naive)
    call = received()
    with pytest.raises(InvalidValue, match="timezone-aware"):
        call.enqueue(at=naive + timedelta(seconds=5))
    assert call.state is CallState.RECEIVED
    answered = talked(30)
    with pytest.raises(InvalidValue):
        answered.dispose(Disposition.EMERGENCY, by="budi", at=naive)
    with pytest.raises(InvalidValue):
        answered.link_incident(uuid.uuid4(), by="budi", at=naive)
    assert answered.disposition is None and answered.incident_id is None


@pytest.mark.parametrize("state", ["received", "queued", "offered", "abandoned"])
def test_a_disposition_needs_an_answered_call(state: str) -> None:
    call = received()
    if state != "received":
        call.enqueue(at=at(1))
    if state == "offered":
        call.offer(position_code="pos-01", at=at(2))
    if state == "abandoned":
        call.abandon(at=at(2))
    with pytest.raises(DomainError, match=f"answered call.*'{state}'"):
        call.dispose(Disposition.PRANK, by="budi", at=at(3))
    assert call.disposition is None


def test_disposition_is_recorded_and_may_be_changed() -> None:
    call = talked(30, Disposition.NON_EMERGENCY)
    call.dispose(Disposition.EMERGENCY, by="sari", at=at(40))
    assert call.disposition is Disposition.EMERGENCY
    first, second = [e for e in call.events if isinstance(e, events.CallDisposed)]
    assert (first.before, first.after, first.actor) == (None, "non_emergency", "budi")
    assert (second.before, second.after, second.actor) == ("non_emergency", "emergency", "sari")


def test_a_disposition_may_be_set_while_still_talking() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.connect(call_taker="budi", at=at(3))
    call.dispose(Disposition.EMERGENCY, by="budi", at=at(10))
    assert call.disposition is Disposition.EMERGENCY


def test_link_incident_records_before_and_after() -> None:
    call = talked(30, Disposition.EMERGENCY)
    first, second = uuid.uuid4(), uuid.uuid4()
    call.link_incident(first, by="budi", at=at(40))
    call.link_incident(second, by="budi", at=at(41))
    assert call.incident_id == second
    links = [e for e in call.events if isinstance(e, events.CallLinkedToIncident)]
    assert [(e.before, e.after) for e in links] == [(None, str(first)), (str(first), str(second))]


@pytest.mark.parametrize(("talk", "disposition", "valid"), [
    (10.0, None, False),                       # exactly the threshold: not more than it
    (10.5, None, True),
    (11.0, None, True),                        # no disposition: talk time decides
    (0.0, None, False),
    (60.0, Disposition.PRANK, False),          # a nuisance whatever its length
    (60.0, Disposition.SILENT, False),
    (60.0, Disposition.HANG_UP, False),
    (60.0, Disposition.EMERGENCY, True),
    (60.0, Disposition.NON_EMERGENCY, True),
    (60.0, Disposition.WRONG_NUMBER, True),
    (5.0, Disposition.EMERGENCY, False),       # too short, even if an emergency
])
def test_is_valid(talk: float, disposition: Disposition | None, valid: bool) -> None:
    assert talked(talk, disposition).is_valid() is valid


def test_valid_threshold_is_configurable() -> None:
    call = talked(15)
    assert call.is_valid()
    assert call.is_valid(valid_call_seconds=10)
    assert not call.is_valid(valid_call_seconds=15)
    assert not call.is_valid(valid_call_seconds=20)
    assert call.is_valid(valid_call_seconds=0)


def test_a_call_still_connected_is_not_yet_valid() -> None:
    call = received()
    call.enqueue(at=at(1))
    call.offer(position_code="pos-01", at=at(2))
    call.connect(call_taker="budi", at=at(3))
    assert not call.is_valid()


def test_events_are_received_then_one_state_change_per_move() -> None:
    call = talked(30)
    assert isinstance(call.events[0], events.CallReceived)
    changes = call.events[1:]
    assert all(isinstance(e, events.CallStateChanged) for e in changes)
    assert [(e.before, e.after) for e in changes] == [
        ("received", "queued"), ("queued", "offered"), ("offered", "connected"),
        ("connected", "released"),
    ]
    assert {e.aggregate_id for e in call.events} == {str(call.id)}
    assert [e.at for e in changes] == [at(1), at(2), at(5), at(35)]
    assert changes[1].data == {"position": "pos-01"}
    assert changes[2].actor == "budi"


def test_transition_table_ends_nowhere_after_the_end() -> None:
    for end in (CallState.RELEASED, CallState.ABANDONED, CallState.INTERRUPTED):
        assert CALL_TRANSITIONS[end] == frozenset()
    assert set(CALL_TRANSITIONS) == set(CallState)
