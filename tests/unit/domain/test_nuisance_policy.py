"""The nuisance policy (domain/nuisance.py, config_nuisance.py): who is warned, moved down,
blocked, gets through; withheld numbers never; blocks expire and are lifted with a note."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from siaga112.config_nuisance import NuisanceConfig
from siaga112.domain.calls import Disposition
from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.domain.events import NuisanceBlockChanged
from siaga112.domain.nuisance import (
    SIP_DECLINE, Announcement, BlockStatus, NuisanceBlock, NuisancePolicy, NumberFacts,
    ScreeningOutcome as O, block_due, screen_arrival,
)
from siaga112.domain.queue_priority import PriorityFact as F, PriorityRules

NOW = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
NUMBER = "+6281234567890"
POLICY = NuisancePolicy(warn_after=3, block_after=5, block_hours=24, break_through_calls=3)
RULES = PriorityRules(weights={F.CALLBACK_RETURN: 1, F.NUISANCE: -2}, seconds_per_level=30)
BLOCK = uuid.uuid4()


def screen(facts: NumberFacts, *, number: str | None = NUMBER, policy: NuisancePolicy = POLICY,
           can_refuse: bool = True):
    return screen_arrival(number=number, at=NOW, facts=facts, policy=policy, rules=RULES,
                          can_refuse=can_refuse)


def test_a_number_below_the_threshold_is_queued_at_its_arrival():
    s = screen(NumberFacts(counted_calls=2))
    assert (s.outcome, s.announcement, s.level, s.refuse_with) == (O.QUEUED, None, 0, None)
    assert s.place_in_line == NOW and not s.noteworthy


def test_past_the_threshold_the_caller_is_warned_and_moved_down():
    s = screen(NumberFacts(counted_calls=3))
    assert s.outcome is O.WARNED and s.announcement is Announcement.NUISANCE_WARNING
    assert s.facts == {F.NUISANCE} and s.level == -2
    assert s.place_in_line == NOW + timedelta(seconds=60) and s.noteworthy


def test_a_blocked_number_is_refused_with_603_until_it_calls_again_and_again():
    first = screen(NumberFacts(counted_calls=5, active_block=BLOCK, blocked_attempts=0))
    second = screen(NumberFacts(counted_calls=5, active_block=BLOCK, blocked_attempts=1))
    third = screen(NumberFacts(counted_calls=5, active_block=BLOCK, blocked_attempts=2))
    assert first.outcome is second.outcome is O.BLOCKED
    assert first.refuse_with == SIP_DECLINE == 603 and first.block_id == BLOCK
    assert third.outcome is O.BROKE_THROUGH and third.refuse_with is None
    assert third.announcement is Announcement.NUISANCE_WARNING and F.NUISANCE in third.facts


def test_a_call_through_the_api_is_never_refused_only_warned():
    s = screen(NumberFacts(active_block=BLOCK), can_refuse=False)
    assert s.outcome is O.WARNED and s.refuse_with is None and s.block_id == BLOCK


def test_blocks_switched_off_are_not_applied_even_if_one_is_stored():
    s = screen(NumberFacts(counted_calls=1, active_block=BLOCK),
               policy=NuisancePolicy(warn_after=3))
    assert s.outcome is O.QUEUED and s.block_id is None


@given(st.builds(NumberFacts, counted_calls=st.integers(0, 1000), open_callback=st.booleans(),
                 verified_emergency=st.booleans(), fresh_location=st.booleans(),
                 active_block=st.just(BLOCK), blocked_attempts=st.integers(0, 10)),
       st.sampled_from([None, "112", "119", "110"]))
def test_withheld_numbers_and_short_codes_are_never_blocked_or_warned(facts, number):
    s = screen(facts, number=number)
    assert s.outcome is O.QUEUED and s.refuse_with is None and s.announcement is None
    assert s.place_in_line == NOW and s.facts == frozenset()


def test_good_facts_move_a_call_up():
    s = screen(NumberFacts(open_callback=True, verified_emergency=True))
    assert s.facts == {F.CALLBACK_RETURN, F.VERIFIED_EMERGENCY}
    assert s.level == 1 and s.place_in_line == NOW - timedelta(seconds=30)  # no weight: 0


def test_when_a_block_is_due():
    due = dict(number=NUMBER, counted_calls=5, verified_emergency=False, has_active_block=False,
               policy=POLICY)
    assert block_due(**due)
    assert not block_due(**{**due, "counted_calls": 4})
    assert not block_due(**{**due, "verified_emergency": True})  # it reported a real one
    assert not block_due(**{**due, "has_active_block": True})
    assert not block_due(**{**due, "number": None})  # withheld
    assert not block_due(**{**due, "number": "112"})
    assert not block_due(**{**due, "policy": NuisancePolicy(warn_after=3)})  # blocks off


def test_a_block_expires_by_itself_and_is_lifted_only_with_a_note():
    block = NuisanceBlock.impose(caller_number=NUMBER, counted_calls=5, call_id=uuid.uuid4(),
                                 at=NOW, policy=POLICY)
    assert block.status(NOW) is BlockStatus.ACTIVE
    assert block.status(NOW + timedelta(hours=24)) is BlockStatus.EXPIRED
    created = block.events[0]
    assert isinstance(created, NuisanceBlockChanged) and created.after == "active"
    assert NUMBER not in str(created)  # the audit log is append-only: no number in it
    with pytest.raises(InvalidValue):
        block.lift(by="citra", at=NOW, note="  ")
    block.lift(by="citra", at=NOW + timedelta(hours=1), note="school visited, parents told")
    assert block.status(NOW + timedelta(hours=2)) is BlockStatus.LIFTED
    lifted = block.events[-1]
    assert (lifted.before, lifted.after, lifted.actor) == ("active", "lifted", "citra")
    assert lifted.reason == "school visited, parents told"
    with pytest.raises(Conflict):
        block.lift(by="citra", at=NOW + timedelta(hours=2), note="again")
    expired = NuisanceBlock.impose(caller_number=NUMBER, counted_calls=5, call_id=uuid.uuid4(),
                                   at=NOW, policy=POLICY)
    with pytest.raises(Conflict):
        expired.lift(by="citra", at=NOW + timedelta(days=2), note="too late")


def test_a_withheld_number_cannot_be_blocked_at_all():
    with pytest.raises(InvalidValue):
        NuisanceBlock.impose(caller_number=None, counted_calls=9, call_id=uuid.uuid4(), at=NOW,
                             policy=POLICY)


def test_the_center_file_section_is_off_by_default_and_checked():
    default = NuisanceConfig()
    assert not default.screening_on
    assert not default.policy().warning_on and not default.policy().blocking_on
    assert default.policy().counted == {Disposition.PRANK}
    on = NuisanceConfig(warn_after=3, block_after=5, count=["prank", "silent"],
                        priority={"callback_return": 1, "nuisance": -2})
    assert on.screening_on and on.rules().starvation_bound_seconds == 90
    assert on.policy().counted == {Disposition.PRANK, Disposition.SILENT}
    for bad in ({"block_after": 1}, {"warn_after": 5, "block_after": 3},
                {"count": ["emergency"]}, {"break_through_calls": 0},
                {"priority": {"nuisance": 1}}, {"priority": {"seconds_per_level": 0}},
                {"surprise": 1}):
        with pytest.raises(ValidationError):
            NuisanceConfig(**bad)
