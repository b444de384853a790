"""Which call a fix belongs to: the live call from its number, else the most recent one
within the window (default 30 minutes, edges included); numbers compared normalized."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siaga112.domain.locations import DEFAULT_MATCH_WINDOW, CallSpan, gap, matching_call
from siaga112.domain.phone import normalize_number

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def span(start_min: float, end_min: float | None) -> CallSpan:
    return CallSpan(call_id=uuid.uuid4(), received_at=T0 + start_min * MIN,
                    ended_at=None if end_min is None else T0 + end_min * MIN)


def test_the_default_window_is_thirty_minutes():
    assert DEFAULT_MATCH_WINDOW == timedelta(minutes=30)


def test_a_live_call_takes_a_fix_however_long_it_has_lasted():
    live = span(0, None)
    assert matching_call([live], at=T0 + 180 * MIN) == live.call_id


@pytest.mark.parametrize(("after_end", "matched"), [
    (timedelta(0), True), (30 * MIN - timedelta(seconds=1), True), (30 * MIN, True),
    (30 * MIN + timedelta(seconds=1), False), (2 * 60 * MIN, False),
])
def test_an_ended_call_takes_fixes_up_to_the_window_after_its_end(after_end, matched):
    ended = span(0, 2)
    found = matching_call([ended], at=ended.ended_at + after_end)
    assert (found == ended.call_id) is matched


@pytest.mark.parametrize(("before_start", "matched"), [
    (30 * MIN, True), (30 * MIN + timedelta(seconds=1), False),
])
def test_a_fix_that_came_before_its_call_joins_within_the_window(before_start, matched):
    call = span(40, None)
    assert (matching_call([call], at=call.received_at - before_start) == call.call_id) is matched


def test_the_live_call_wins_then_the_most_recent():
    older, newer, live = span(0, 1), span(10, 12), span(5, None)
    assert matching_call([older, newer, live], at=T0 + 15 * MIN) == live.call_id
    assert matching_call([older, newer], at=T0 + 15 * MIN) == newer.call_id
    assert matching_call([], at=T0) is None


def test_a_window_can_be_configured():
    ended = span(0, 1)
    assert matching_call([ended], at=T0 + 20 * MIN, window=timedelta(minutes=10)) is None
    assert matching_call([ended], at=T0 + 20 * MIN, window=timedelta(minutes=60)) == ended.call_id


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.one_of(st.none(), st.integers(0, 60))),
                max_size=6), st.integers(-60, 400), st.integers(1, 120))
def test_the_match_is_always_a_near_call_and_none_only_when_none_is_near(calls, at_min, window):
    spans = [span(s, None if d is None else s + d) for s, d in calls]
    at, width = T0 + at_min * MIN, window * MIN
    found = matching_call(spans, at=at, window=width)
    near = [s for s in spans if gap(s, at) <= width]
    assert (found is None) == (not near)
    if found is not None:
        chosen = next(s for s in spans if s.call_id == found)
        assert chosen in near
        assert all(chosen.received_at >= s.received_at for s in near
                   if (gap(s, at) == timedelta(0)) == (gap(chosen, at) == timedelta(0)))


@pytest.mark.parametrize("raw", ["+6281234567890", "6281234567890", "081234567890",
                                 "+62 812-3456-7890", "0062 812 3456 7890"])
def test_the_same_caller_however_the_sender_writes_the_number(raw):
    assert normalize_number(raw) == "+6281234567890"
