"""Queue priority with ageing (domain/queue_priority.py): facts move a call, waiting moves it up,
a call never loses its place by waiting, and no call waits behind newer ones forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from siaga112.domain.queue import CallQueue
from siaga112.domain.queue_priority import (
    PriorityFact as F, PriorityRules, effective_priority, place_in_line, queue_order,
)

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
KENDARI_LIKE = PriorityRules(weights={F.FRESH_LOCATION: 1, F.CALLBACK_RETURN: 1,
                                      F.VERIFIED_EMERGENCY: 1, F.NUISANCE: -2},
                             seconds_per_level=30)

facts = st.frozensets(st.sampled_from(list(F)))
rules = st.builds(
    lambda up1, up2, up3, down, seconds: PriorityRules(
        weights={F.FRESH_LOCATION: up1, F.CALLBACK_RETURN: up2, F.VERIFIED_EMERGENCY: up3,
                 F.NUISANCE: down}, seconds_per_level=seconds),
    st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(-5, 0),
    st.sampled_from([1, 5, 15, 30, 60, 120]))
seconds = st.integers(min_value=0, max_value=3600)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


@given(rules, facts, seconds, seconds)
def test_waiting_longer_never_lowers_a_calls_priority(r, f, a, b):
    shorter, longer = sorted((a, b))
    assert effective_priority(f, longer, r) >= effective_priority(f, shorter, r)


@settings(max_examples=300)
@given(rules, facts, facts, seconds, seconds, st.lists(seconds, min_size=2, max_size=5))
def test_two_waiting_calls_never_swap_places_as_time_goes_on(r, fa, fb, ta, tb, later):
    """A call's rank never gets worse by waiting: whoever is ahead stays ahead."""
    start = max(ta, tb)
    orders = {tuple(queue_order([("a", at(ta), fa), ("b", at(tb), fb)], r))}
    for extra in later:  # the order the ACD uses is the same whenever it is asked
        now = start + extra
        pa = effective_priority(fa, now - ta, r)
        pb = effective_priority(fb, now - tb, r)
        if abs(pa - pb) > 1e-9:  # a tie goes to the earlier arrival, as queue_order does
            orders.add(("a", "b") if pa > pb else ("b", "a"))
    assert len(orders) == 1


@settings(max_examples=300)
@given(rules, facts, facts, seconds, st.integers(0, 600))
def test_no_call_starves_it_is_ahead_of_every_newer_call_after_the_bound(r, old, new, t, gap):
    """After waiting `starvation_bound_seconds` a call is ahead of any call that arrives later,
    whatever the facts of either."""
    bound = r.starvation_bound_seconds
    newer_at = t + max(bound + gap, 1)  # arrives later (at the same instant it is no newer)
    assert queue_order([("new", at(newer_at), new), ("old", at(t), old)], r) == ["old", "new"]


@given(rules, st.lists(st.tuples(seconds, facts), min_size=1, max_size=12), st.integers(0, 900))
def test_the_place_in_line_orders_calls_as_their_priority_at_any_moment(r, calls, wait):
    """Sorting by the fixed place in line equals sorting by the highest effective priority
    now (then the earliest arrival), so the ACD need not recompute anything as time goes."""
    now = max(t for t, _ in calls) + wait
    by_place = queue_order([(str(i), at(t), f) for i, (t, f) in enumerate(calls)], r)
    by_priority = sorted(range(len(calls)), key=lambda i: (  # rounded: equal in exact terms
        round(-effective_priority(calls[i][1], now - calls[i][0], r), 9), calls[i][0], i))
    assert by_place == [str(i) for i in by_priority]


def test_facts_move_a_call_by_their_levels_and_waiting_catches_up():
    # A callback return that arrived 20 s after a plain call is ahead of it (one level = 30 s)...
    order = queue_order([("plain", at(0), frozenset()),
                         ("callback", at(20), frozenset({F.CALLBACK_RETURN}))], KENDARI_LIKE)
    assert order == ["callback", "plain"]
    # ...but not one that arrived 40 s after it: by then the plain call has waited its level.
    order = queue_order([("plain", at(0), frozenset()),
                         ("callback", at(40), frozenset({F.CALLBACK_RETURN}))], KENDARI_LIKE)
    assert order == ["plain", "callback"]
    # A nuisance number waits behind calls up to 60 s newer, never more.
    nuisance = frozenset({F.NUISANCE})
    assert queue_order([("n", at(0), nuisance), ("p", at(59), frozenset())],
                       KENDARI_LIKE) == ["p", "n"]
    assert queue_order([("n", at(0), nuisance), ("p", at(61), frozenset())],
                       KENDARI_LIKE) == ["n", "p"]
    assert KENDARI_LIKE.starvation_bound_seconds == (3 + 2) * 30
    assert place_in_line(at(100), {F.VERIFIED_EMERGENCY, F.FRESH_LOCATION},
                         KENDARI_LIKE) == at(40)


def test_the_acd_offers_by_place_in_line_and_a_call_that_rang_out_keeps_its_place():
    q = CallQueue(ring_timeout_seconds=20)
    q.set_ready("pos-1", idle_since=at(0))
    q.add("plain", at=at(1), place=place_in_line(at(1), frozenset(), KENDARI_LIKE))
    q.add("nuisance", at=at(2), place=place_in_line(at(2), {F.NUISANCE}, KENDARI_LIKE))
    q.add("callback", at=at(3), place=place_in_line(at(3), {F.CALLBACK_RETURN}, KENDARI_LIKE))
    assert [w.ref for w in q.waiting()] == ["callback", "plain", "nuisance"]
    assert [o.ref for o in q.next_offers(now=at(4))] == ["callback"]
    q.no_answer("callback")  # rang out at pos-1
    q.set_ready("pos-2", idle_since=at(30))
    assert [o.ref for o in q.next_offers(now=at(30))] == ["callback"]
    q.answered("callback")
    q.set_ready("pos-3", idle_since=at(31))
    q.set_ready("pos-4", idle_since=at(32))
    assert [o.ref for o in q.next_offers(now=at(33))] == ["plain", "nuisance"]


def test_without_rules_the_queue_is_first_come_first_served():
    plain = PriorityRules()
    assert not plain.active and plain.starvation_bound_seconds == 0
    assert queue_order([("b", at(5), frozenset({F.NUISANCE})), ("a", at(1), frozenset()),
                        ("c", at(9), frozenset({F.CALLBACK_RETURN}))], plain) == ["a", "b", "c"]
