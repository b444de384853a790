"""Keeping the emergency queue for emergencies: who hears which message, and when."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_information import InformationConfig
from siaga112.domain.calls import Call, Channel, Disposition
from siaga112.domain.information import (
    Announcement, InformationPolicy, QueuedCall, on_arrival, waiting_message_due,
)
from siaga112.domain.phone import CallerNumber

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
ON = InformationPolicy(waiting_message=True, waiting_after_seconds=60,
                       question_callers_first=True, question_calls_needed=3, lookback_days=30)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def test_by_default_nobody_hears_anything() -> None:
    kendari = load_center(CENTERS_DIR / "kendari.toml").information.policy()
    assert kendari == InformationPolicy()  # Kendari ships with every message off
    queue = [QueuedCall(ref="a", queued_at=ago(600))]
    assert waiting_message_due(queue, now=NOW, policy=kendari) == []
    decision = on_arrival(received_at=NOW, caller_number="+6281234567890",
                          earlier=[question(days_ago=d) for d in (1, 2, 3, 4)], policy=kendari)
    assert decision.announcement is None and decision.queue_from == NOW


def test_the_waiting_message_is_for_callers_waiting_past_the_threshold_once() -> None:
    queue = [
        QueuedCall(ref="long", queued_at=ago(75)),
        QueuedCall(ref="just", queued_at=ago(60)),  # the threshold itself counts
        QueuedCall(ref="short", queued_at=ago(59)),
        QueuedCall(ref="ringing", queued_at=ago(90), ringing=True),  # about to be answered
        QueuedCall(ref="heard", queued_at=ago(200), heard=frozenset({Announcement.WAITING})),
    ]
    assert waiting_message_due(queue, now=NOW, policy=ON) == ["long", "just"]
    assert waiting_message_due(queue, now=NOW, policy=replace(ON, waiting_message=False)) == []


def call(*, days_ago: float, disposition: Disposition | None, answered: bool = True) -> Call:
    start = NOW - timedelta(days=days_ago)
    c = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse("081234567890"), at=start)
    c.enqueue(at=start)
    if not answered:
        c.abandon(at=start + timedelta(seconds=20))
        return c
    c.offer(position_code="pos-01", at=start)
    c.connect(call_taker="ani", at=start + timedelta(seconds=5))
    c.release(at=start + timedelta(seconds=60), actor="ani")
    if disposition is not None:
        c.dispose(disposition, by="ani", at=start + timedelta(seconds=60))
    return c


def question(*, days_ago: float) -> Call:
    return call(days_ago=days_ago, disposition=Disposition.NON_EMERGENCY)


def first(earlier: list[Call], *, number: str | None = "+6281234567890",
          policy: InformationPolicy = ON) -> Announcement | None:
    decision = on_arrival(received_at=NOW, caller_number=number, earlier=earlier, policy=policy)
    assert decision.queue_from == NOW  # the message never costs the caller its place
    return decision.announcement


def test_a_number_that_only_asked_questions_lately_hears_the_information_first() -> None:
    three = [question(days_ago=d) for d in (1, 5, 20)]
    assert first(three) is Announcement.INFORMATION_FIRST
    assert first(three[:2]) is None  # not enough of them
    assert first(three + [question(days_ago=45)]) is Announcement.INFORMATION_FIRST
    assert first(three, policy=replace(ON, question_callers_first=False)) is None


@pytest.mark.parametrize("other", [
    call(days_ago=10, disposition=Disposition.EMERGENCY),
    call(days_ago=10, disposition=Disposition.PRANK),
    call(days_ago=10, disposition=None),  # answered, never disposed: unknown
    call(days_ago=10, disposition=None, answered=False),  # gave up waiting: unknown
], ids=["emergency", "prank", "undisposed", "abandoned"])
def test_any_other_recent_call_sends_the_number_straight_to_the_queue(other: Call) -> None:
    assert first([question(days_ago=d) for d in (1, 2, 3)] + [other]) is None


def test_an_emergency_long_ago_does_not_count_but_a_withheld_number_never_qualifies() -> None:
    three = [question(days_ago=d) for d in (1, 2, 3)]
    assert first(three + [call(days_ago=40, disposition=Disposition.EMERGENCY)]) \
        is Announcement.INFORMATION_FIRST
    assert first(three, number=None) is None


def test_a_message_switched_on_needs_its_words_and_a_referral_number() -> None:
    with pytest.raises(ValueError, match="referral_number"):
        InformationConfig(waiting_message=True)
    cfg = InformationConfig(waiting_message=True, referral_number="0401 123456",
                            message={"id": "Jika panggilan Anda bukan keadaan darurat..."})
    assert cfg.policy().waiting_message is True
    with pytest.raises(ValueError, match="greater than or equal to 15"):
        InformationConfig(waiting_after_seconds=5)
