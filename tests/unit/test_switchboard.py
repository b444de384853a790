"""The switchboard's decisions, on fakes: what the caller hears, whom it rings, what it
records, in which order; including the races between a caller, a phone and the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.clock import FixedClock
from siaga112.domain.positions import PositionState as S
from siaga112.services import commands as c
from siaga112.services.switchboard import Arrival, Switchboard


class Timer:
    def __init__(self, delay, fn, args):
        self.delay, self.fn, self.args, self.cancelled = delay, fn, args, False

    def cancel(self):
        self.cancelled = True


class Fakes:
    def __init__(self):
        self.said: list[tuple] = []  # what the signalling adapter was told
        self.commands: list[c.Command] = []
        self.timers: list[Timer] = []
        self.pending: list[tuple] = []  # submitted, not yet committed

    # Signalling
    def ring(self, ref):
        self.said.append(("ring", ref))

    def offer(self, ref, target, uri, *, caller=None, call_id=None):
        self.said.append(("offer", ref, target))

    def cancel_offer(self, ref, target):
        self.said.append(("cancel", ref, target))

    def refuse(self, ref, status, retry_after=None):
        self.said.append(("refuse", ref, status, retry_after))

    def hang_up(self, ref):
        self.said.append(("hang_up", ref))

    # Scheduler
    def call_later(self, delay, fn, *args):
        self.timers.append(Timer(delay, fn, args))
        return self.timers[-1]

    def call_from_thread(self, fn, *args):
        fn(*args)

    def fire(self, fn_name):
        for t in [t for t in self.timers if not t.cancelled and t.fn.__name__ == fn_name]:
            t.cancelled = True
            t.fn(*t.args)

    # the writer
    def submit(self, command, done):
        self.commands.append(command)
        self.pending.append((command, done))

    def commit(self, error=None):
        pending, self.pending = self.pending, []
        for command, done in pending:
            if done is not None:
                done(uuid.uuid4() if isinstance(command, c.TakeSipCall) else None, error)

    def kinds(self):
        return [type(x).__name__ for x in self.commands]


@pytest.fixture
def board():
    center = load_center(CENTERS_DIR / "kendari.toml")
    center = center.model_copy(update={"telephony": center.telephony.model_copy(
        update={"wrap_up_seconds": 0, "overflow_after_seconds": 30,
                "overflow_uri": "sip:112@10.9.9.9"})})
    fakes = Fakes()
    clock = FixedClock(datetime(2025, 6, 10, 1, tzinfo=UTC))
    sb = Switchboard(center=center, clock=clock, submit=fakes.submit, signalling=fakes,
                     scheduler=fakes)
    sb.uris = {p.code: p.sip_uri for p in center.positions}
    return sb, fakes, clock


def ready(sb, clock, *codes):
    for code in codes:
        clock.advance(1)
        sb.position_changed(code, S.READY, clock.now())


def test_the_caller_hears_ringing_only_after_the_commit_then_the_position_rings(board):
    sb, f, clock = board
    ready(sb, clock, "pos-02", "pos-01")
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    assert f.said == [] and f.kinds() == ["TakeSipCall"]
    f.commit()
    assert f.said == [("ring", "a"), ("offer", "a", "pos-02")]  # pos-02: longest idle
    assert f.kinds() == ["TakeSipCall", "OfferCall"]


def test_a_ring_timeout_passes_the_call_to_the_next_position(board):
    sb, f, clock = board
    ready(sb, clock, "pos-01", "pos-02")
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit()
    f.fire("_ring_timeout")
    assert f.said[-2:] == [("cancel", "a", "pos-01"), ("offer", "a", "pos-02")]
    assert f.kinds()[-2:] == ["PositionNoAnswer", "OfferCall"]
    assert sb.queue.desks["pos-01"].state is S.NOT_READY


def test_a_caller_gone_before_the_commit_is_abandoned_once_stored(board):
    sb, f, _ = board
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    sb.caller_gone("a")
    f.commit()
    assert f.said == [] and f.kinds() == ["TakeSipCall", "EndSipCall"]
    assert f.commands[-1].by == "caller"


def test_a_call_failing_before_the_commit_is_interrupted_once_stored(board):
    sb, f, _ = board
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    sb.call_failed("a", "max_call_seconds")
    f.commit()
    assert f.kinds() == ["TakeSipCall", "InterruptCall"] and "a" not in sb.live


def test_a_call_that_cannot_be_stored_is_refused_so_the_trunk_can_reroute_it(board):
    sb, f, _ = board
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit(error=RuntimeError("database down"))
    assert f.said == [("refuse", "a", 503, 5)]


def test_over_the_admission_limit_the_call_is_stored_then_refused(board):
    sb, f, _ = board
    sb.arrived("a", Arrival(caller="0812"), refused_with=503)
    assert f.commands[0].refused_with == 503 and f.said == []
    f.commit()
    assert f.said == [("refuse", "a", 503, 5)]


def test_a_ringing_position_set_not_ready_through_the_api_gives_the_call_back(board):
    sb, f, clock = board
    ready(sb, clock, "pos-01", "pos-02")
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit()
    sb.position_changed("pos-01", S.NOT_READY, clock.now())
    assert f.said[-2:] == [("cancel", "a", "pos-01"), ("offer", "a", "pos-02")]
    assert f.kinds()[-2:] == ["WithdrawOffer", "OfferCall"]


def test_after_the_call_the_position_is_ready_again_and_takes_the_next(board):
    sb, f, clock = board
    ready(sb, clock, "pos-01")
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    sb.arrived("b", Arrival(caller="0813"), refused_with=None)
    f.commit()
    sb.offer_answered("a", "pos-01")
    assert ("offer", "b", "pos-01") not in f.said  # busy
    sb.call_ended("a", "caller")
    assert f.said[-1] == ("offer", "b", "pos-01")
    assert f.kinds()[-3:] == ["ConnectCall", "EndSipCall", "OfferCall"]


def test_a_call_waiting_past_the_overflow_time_is_offered_to_the_backup_too(board):
    sb, f, clock = board
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit()
    clock.advance(31)
    sb._overflow_tick()
    assert f.said[-1] == ("offer", "a", "overflow")
    assert f.kinds()[-1] == "RecordOverflowOffer"
    sb.offer_answered("a", "overflow")
    assert isinstance(f.commands[-1], c.ConnectCall) and f.commands[-1].position_code is None
