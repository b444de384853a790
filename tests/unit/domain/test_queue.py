"""The queue (ACD): first come first served, to the longest-idle ready position; a ring
not answered makes the position not ready and goes to the next; overflow after a wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from siaga112.domain.errors import Conflict
from siaga112.domain.positions import PositionState as S
from siaga112.domain.queue import CallQueue

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_oldest_call_goes_to_the_longest_idle_position():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-2", idle_since=at(5))
    q.set_ready("pos-1", idle_since=at(9))
    q.add("late", at=at(12))
    q.add("early", at=at(10))  # arrival order is insertion order: "late" came first here
    offers = q.next_offers(now=at(13))
    assert [(o.ref, o.position) for o in offers] == [("late", "pos-2"), ("early", "pos-1")]
    assert offers[0].deadline == at(33)


def test_no_answer_makes_the_position_not_ready_and_the_call_goes_to_the_next():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-1", idle_since=at(0))
    q.set_ready("pos-2", idle_since=at(1))
    q.add("c1", at=at(2))
    assert q.next_offers(now=at(2))[0].position == "pos-1"
    assert q.offers_due(now=at(21)) == []
    assert q.offers_due(now=at(22)) == ["c1"]
    assert q.no_answer("c1") == "pos-1"
    assert q.desks["pos-1"].state is S.NOT_READY
    assert [o.position for o in q.next_offers(now=at(22))] == ["pos-2"]
    assert q.answered("c1") == "pos-2" and "c1" not in q.calls


def test_a_call_that_rang_out_keeps_its_place_at_the_head_of_the_line():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-1", idle_since=at(0))
    q.add("first", at=at(1))
    q.next_offers(now=at(1))
    q.add("second", at=at(2))
    q.no_answer("first")
    q.set_ready("pos-2", idle_since=at(30))
    assert [o.ref for o in q.next_offers(now=at(30))] == ["first"]


def test_a_caller_hanging_up_while_ringing_frees_the_position_without_penalty():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-1", idle_since=at(0))
    q.set_ready("pos-2", idle_since=at(1))
    q.add("c1", at=at(2))
    q.next_offers(now=at(2))
    assert q.remove("c1") == "pos-1"
    q.add("c2", at=at(3))
    # pos-1 is ready again and still the longest idle.
    assert [o.position for o in q.next_offers(now=at(3))] == ["pos-1"]


def test_overflow_is_due_once_after_the_wait():
    q = CallQueue(ring_timeout_seconds=20, overflow_after_seconds=30)
    q.add("c1", at=at(0))
    assert q.overflow_due(now=at(29)) == []
    assert q.overflow_due(now=at(30)) == ["c1"]
    assert q.overflow_due(now=at(60)) == []


def test_a_position_on_a_call_cannot_be_set_ready_or_unavailable():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-1", idle_since=at(0))
    q.add("c1", at=at(0))
    q.next_offers(now=at(0))
    q.answered("c1")
    with pytest.raises(Conflict):
        q.set_unavailable("pos-1", S.NOT_READY)
    q.call_ended("pos-1")
    assert q.desks["pos-1"].state is S.WRAP_UP


class QueueMachine(RuleBasedStateMachine):
    """Random traffic: the queue never gives one position two calls, never leaves a
    call waiting beside a ready position after dispatch, and always picks fairly."""

    def __init__(self) -> None:
        super().__init__()
        self.q = CallQueue(ring_timeout_seconds=20)
        self.clock = 0.0
        self.calls = 0

    def now(self) -> datetime:
        self.clock += 1
        return at(self.clock)

    @rule()
    def call_arrives(self):
        self.calls += 1
        self.q.add(f"c{self.calls}", at=self.now())

    @rule(code=st.sampled_from(["p1", "p2", "p3", "p4"]))
    def position_ready(self, code):
        desk = self.q.desk(code)
        if desk.call is None and desk.state is not S.READY:
            self.q.set_ready(code, idle_since=self.now())

    @rule(code=st.sampled_from(["p1", "p2", "p3", "p4"]), state=st.sampled_from(
        [S.NOT_READY, S.LOGGED_OUT]))
    def position_leaves(self, code, state):
        desk = self.q.desk(code)
        if desk.state is not S.ON_CALL:
            ringing = self.q.set_unavailable(code, state)
            assert ringing is None or self.q.calls[ringing].offered_to is None

    @rule()
    def dispatch(self):
        ready = {d.code: d.idle_since for d in self.q.ready_desks()}
        waiting = [w.ref for w in self.q.waiting()]
        offers = self.q.next_offers(now=self.now())
        assert [o.ref for o in offers] == waiting[:len(offers)]  # oldest first
        longest = sorted(ready, key=lambda c: (ready[c], c))
        assert [o.position for o in offers] == longest[:len(offers)]  # longest idle first
        assert not self.q.waiting() or not self.q.ready_desks()  # nothing left idle

    @precondition(lambda self: any(w.offered_to for w in self.q.calls.values()))
    @rule(data=st.data(), answer=st.booleans())
    def offer_ends(self, data, answer):
        ref = data.draw(st.sampled_from(sorted(
            w.ref for w in self.q.calls.values() if w.offered_to)))
        if answer:
            code = self.q.answered(ref)
            assert self.q.desks[code].state is S.ON_CALL
        else:
            code = self.q.no_answer(ref)
            assert self.q.desks[code].state is S.NOT_READY and ref in self.q.calls

    @precondition(lambda self: bool(self.q.calls))
    @rule(data=st.data())
    def caller_hangs_up(self, data):
        self.q.remove(data.draw(st.sampled_from(sorted(self.q.calls))))

    @rule()
    def calls_end(self):
        for desk in list(self.q.desks.values()):
            if desk.state is S.ON_CALL:
                self.q.call_ended(desk.code)

    @invariant()
    def one_call_per_position_and_consistent_rings(self):
        ringing = {}
        for desk in self.q.desks.values():
            if desk.state is S.RINGING:
                assert desk.call is not None and self.q.calls[desk.call].offered_to == desk.code
                ringing[desk.call] = desk.code
            elif desk.state is not S.ON_CALL:
                assert desk.call is None
        offered = {w.ref: w.offered_to for w in self.q.calls.values() if w.offered_to}
        assert offered == ringing


TestQueueMachine = QueueMachine.TestCase
TestQueueMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
