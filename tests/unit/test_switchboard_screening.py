"""The switchboard with nuisance screening, on fakes: a blocked number is refused (603) and never
rings or queues; other calls are offered by their place in line, not their arrival."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.clock import FixedClock
from siaga112.domain.nuisance import (
    Announcement, NumberFacts, NuisancePolicy, plain, screen_arrival,
)
from siaga112.domain.positions import PositionState as S
from siaga112.domain.queue_priority import PriorityFact as F, PriorityRules
from siaga112.services import commands as c
from siaga112.services.nuisance import ScreeningDesk
from siaga112.services.switchboard import Arrival, Switchboard
from tests.unit.test_switchboard import Fakes

RULES = PriorityRules(weights={F.CALLBACK_RETURN: 1, F.NUISANCE: -2}, seconds_per_level=30)
POLICY = NuisancePolicy(warn_after=3, block_after=5)


class ScreeningFakes(Fakes):
    """The writer's side: each stored call gets the screening the test planned for it."""

    def __init__(self, desk: ScreeningDesk, clock: FixedClock) -> None:
        super().__init__()
        self.desk, self.clock = desk, clock
        self.planned: dict[str, NumberFacts | None] = {}

    def commit(self, error=None):
        pending, self.pending = self.pending, []
        for command, done in pending:
            call_id = None
            if isinstance(command, c.TakeSipCall):
                call_id = uuid.uuid4()
                facts = self.planned.get(command.caller or "")
                self.desk.put(call_id, plain(command.at) if facts is None else screen_arrival(
                    number=command.caller, at=command.at, facts=facts, policy=POLICY,
                    rules=RULES))
            if done is not None:
                done(call_id, error)


@pytest.fixture
def board():
    center = load_center(CENTERS_DIR / "kendari.toml")
    center = center.model_copy(update={"telephony": center.telephony.model_copy(
        update={"wrap_up_seconds": 0})})
    clock = FixedClock(datetime(2025, 6, 10, 1, tzinfo=UTC))
    desk = ScreeningDesk()
    fakes = ScreeningFakes(desk, clock)
    sb = Switchboard(center=center, clock=clock, submit=fakes.submit, signalling=fakes,
                     scheduler=fakes, screening=desk)
    sb.uris = {p.code: p.sip_uri for p in center.positions}
    return sb, fakes, clock


def arrive(sb, fakes, clock, ref: str, number: str, facts: NumberFacts | None = None):
    clock.advance(1)
    fakes.planned[number] = facts
    sb.arrived(ref, Arrival(caller=number), refused_with=None)
    fakes.commit()


def test_a_blocked_number_is_refused_with_603_and_never_rings_or_queues(board):
    sb, f, clock = board
    clock.advance(1)
    sb.position_changed("pos-01", S.READY, clock.now())
    arrive(sb, f, clock, "blocked", "+6281111111111", NumberFacts(active_block=uuid.uuid4()))
    assert f.said == [("refuse", "blocked", 603, None)]
    assert "blocked" not in sb.live and not sb.queue.calls
    assert sb.queue.desks["pos-01"].state is S.READY  # nobody's phone rang
    arrive(sb, f, clock, "through", "+6281111111111",
           NumberFacts(active_block=uuid.uuid4(), blocked_attempts=2))
    assert f.said[-2:] == [("ring", "through"), ("offer", "through", "pos-01")]


def test_waiting_calls_are_offered_by_their_place_in_line(board):
    sb, f, clock = board
    arrive(sb, f, clock, "nuisance", "+6282222222222", NumberFacts(counted_calls=4))
    arrive(sb, f, clock, "plain", "+6283333333333")
    arrive(sb, f, clock, "callback", "+6284444444444", NumberFacts(open_callback=True))
    assert [w.ref for w in sb.queue.waiting()] == ["callback", "plain", "nuisance"]
    # The warning the media path will play (docs/nuisance-callers.md) stays with the call.
    assert sb.live["nuisance"].screening.announcement is Announcement.NUISANCE_WARNING
    assert sb.live["plain"].screening.announcement is None
    for code in ("pos-01", "pos-02", "pos-03"):
        clock.advance(1)
        sb.position_changed(code, S.READY, clock.now())
    offered = [said[1] for said in f.said if said[0] == "offer"]
    assert offered == ["callback", "plain", "nuisance"]
    # A withheld caller has no history: queued at its arrival, like any unknown number.
    arrive(sb, f, clock, "withheld", "anonymous")
    assert sb.queue.calls["withheld"].place_in_line[0] == clock.now()
