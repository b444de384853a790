"""Keeping the emergency queue for emergencies: which waiting caller hears the information
message, and when (pure Python; off unless the center switches it on).

Never a menu in front of an emergency caller: no key to press, nobody is moved back. Two
messages a center may switch on, each played while the caller keeps their place:
- the **waiting message**, once, to a caller already waiting longer than a threshold:
  "if your call is not an emergency, call <referral>; if it is, stay on the line";
- the **information message first**, to a number whose recent calls were all answered
  questions (never an emergency, a nuisance, an unanswered or unknown call), before it
  joins the queue. A caller who stays on is queued as usual: its place counts from its
  arrival, as for any unknown number that arrived at the same moment.

Playing the audio needs the media relay of issue 9; until then these decisions are what a
switchboard will ask (docs/quick-answers.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain.calls import Call, CallState, Disposition
from siaga112.domain.lifecycle import check_aware


class Announcement(StrEnum):
    WAITING = "waiting"
    INFORMATION_FIRST = "information_first"


@dataclass(frozen=True, kw_only=True)
class InformationPolicy:
    """A center's choices (config_information.py); the defaults play nothing."""

    waiting_message: bool = False
    waiting_after_seconds: float = 60.0
    question_callers_first: bool = False
    question_calls_needed: int = 3  # answered questions in the lookback, and nothing else
    lookback_days: int = 30


@dataclass(frozen=True, kw_only=True)
class QueuedCall:
    """A call in the queue as the policy sees it."""

    ref: str
    queued_at: datetime
    ringing: bool = False  # offered to a position now: it is about to be answered
    heard: frozenset[Announcement] = frozenset()


def waiting_message_due(queue: Iterable[QueuedCall], *, now: datetime,
                        policy: InformationPolicy) -> list[str]:
    """The calls that should hear the waiting message now: waiting (not ringing at a desk)
    at least the threshold, and not played to them before. Queue order is unchanged."""
    check_aware(now)
    if not policy.waiting_message:
        return []
    threshold = timedelta(seconds=policy.waiting_after_seconds)
    return [c.ref for c in queue
            if not c.ringing and Announcement.WAITING not in c.heard
            and now - c.queued_at >= threshold]


@dataclass(frozen=True, kw_only=True)
class ArrivalDecision:
    announcement: Announcement | None
    queue_from: datetime  # the caller's place in line: its arrival, message or not


def on_arrival(*, received_at: datetime, caller_number: str | None,
               earlier: Sequence[Call], policy: InformationPolicy) -> ArrivalDecision:
    """Whether a new call hears the information message before it joins the queue.

    `earlier`: the number's calls before this one (any age; the policy looks back
    `lookback_days`). A withheld number, or any earlier call that was not an answered
    question, and the call goes straight to the queue.
    """
    check_aware(received_at)
    place = received_at  # never behind an unknown number that arrived at the same moment
    if not policy.question_callers_first or caller_number is None:
        return ArrivalDecision(announcement=None, queue_from=place)
    since = received_at - timedelta(days=policy.lookback_days)
    recent = [c for c in earlier if since <= c.received_at < received_at]
    questions = [c for c in recent if c.answered and c.disposition is Disposition.NON_EMERGENCY
                 and c.incident_id is None and c.state is not CallState.INTERRUPTED]
    only_questions = len(questions) == len(recent)
    if only_questions and len(questions) >= policy.question_calls_needed:
        return ArrivalDecision(announcement=Announcement.INFORMATION_FIRST, queue_from=place)
    return ArrivalDecision(announcement=None, queue_from=place)
