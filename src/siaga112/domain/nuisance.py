"""Nuisance callers: which numbers are warned, moved down the queue or (only where the center
chooses it) blocked for a while; in pure Python (docs/nuisance-callers.md).

Kendari's first weeks: 1,222 of 3,744 answered calls were pranks, silence or instant
hang-ups while 2,238 callers gave up waiting. Every measure here costs genuine callers
something too (Romania's SMS warnings cut pranks 37% and genuine calls 39%), so:
- everything but the history is off until the center switches it on;
- a withheld number (or a short code) is never warned or blocked as a class: it has no
  history, and a person in danger may well hide the number;
- only the dispositions the center names count (pranks by default: silence may be someone
  who cannot speak);
- a number with a verified emergency in the window is never blocked;
- a block is temporary, logged, listed and lifted by a supervisor with a note;
- a blocked number that keeps calling breaks through (someone who calls three times in ten
  minutes may be in real trouble), and every blocked call is stored like any other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.calls import Disposition
from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.domain.lifecycle import check_aware
from siaga112.domain.queue_priority import PriorityFact, PriorityRules, place_in_line

SIP_DECLINE = 603  # what a blocked caller's phone gets (docs/nuisance-callers.md: why 603)
BLOCKED_REASON = "blocked_nuisance"  # the release reason of a blocked call
MIN_SCREENED_DIGITS = 8  # shorter (112, 119) is a short code, never a caller's own number


class ScreeningOutcome(StrEnum):
    QUEUED = "queued"
    WARNED = "warned"  # queued after the warning announcement (once the media path plays it)
    BLOCKED = "blocked"  # stored and released with SIP 603, never queued
    BROKE_THROUGH = "broke_through"  # blocked, but called again and again: queued, warned


class Announcement(StrEnum):
    NUISANCE_WARNING = "nuisance_warning"


class BlockStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    LIFTED = "lifted"


@dataclass(frozen=True, kw_only=True)
class NuisancePolicy:
    """A center's choices (config_nuisance.py); the defaults warn and block nobody."""

    counted: frozenset[Disposition] = frozenset({Disposition.PRANK})
    window_days: int = 30
    warn_after: int = 0  # counted calls in the window; 0: no warning, no nuisance priority
    block_after: int = 0  # counted calls in the window; 0: never blocked
    block_hours: float = 24.0
    break_through_calls: int = 3  # the Nth call within the minutes below is queued anyway
    break_through_minutes: float = 10.0

    @property
    def warning_on(self) -> bool:
        return self.warn_after > 0

    @property
    def blocking_on(self) -> bool:
        return self.block_after > 0

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(days=self.window_days)


def screenable(number: str | None) -> bool:
    """A caller's own number: never a withheld one (None) or a short code."""
    return number is not None and len(number) >= MIN_SCREENED_DIGITS


@dataclass(frozen=True, kw_only=True)
class NumberFacts:
    """What the stored calls say about the caller's number when a new call arrives."""

    counted_calls: int = 0  # counted dispositions in the window (since its last block)
    open_callback: bool = False
    verified_emergency: bool = False
    fresh_location: bool = False
    active_block: uuid.UUID | None = None
    blocked_attempts: int = 0  # calls refused under that block in the break-through minutes


@dataclass(frozen=True, kw_only=True)
class FactsAsked:
    """Which facts the center's rules use (the others are not read at all)."""

    fresh_location_minutes: float | None = None
    verified_emergency_days: int | None = None
    callback: bool = False


@dataclass(frozen=True, kw_only=True)
class Screening:
    """The decision for one arriving call: refuse it, or queue it at this place in line
    (and the announcement it should hear first, once the media path can play one)."""

    outcome: ScreeningOutcome
    facts: frozenset[PriorityFact]
    level: int
    place_in_line: datetime
    announcement: Announcement | None = None
    block_id: uuid.UUID | None = None

    @property
    def refuse_with(self) -> int | None:
        return SIP_DECLINE if self.outcome is ScreeningOutcome.BLOCKED else None

    @property
    def noteworthy(self) -> bool:
        """Worth a line in the audit log: something was decided about this call."""
        return self.outcome is not ScreeningOutcome.QUEUED or self.level != 0


def plain(at: datetime) -> Screening:
    """A call nothing is known about: queued at its arrival."""
    check_aware(at)
    return Screening(outcome=ScreeningOutcome.QUEUED, facts=frozenset(), level=0,
                     place_in_line=at)


def screen_arrival(*, number: str | None, at: datetime, facts: NumberFacts,
                   policy: NuisancePolicy, rules: PriorityRules,
                   can_refuse: bool = True) -> Screening:
    """Decide what happens to a new call before the queue.

    `can_refuse`: the channel can be answered "no" (a SIP INVITE); calls that came through
    the API are queued whatever their number's block says, warned and moved down instead.
    """
    if not screenable(number):
        return plain(at)
    found: set[PriorityFact] = set()
    if facts.fresh_location:
        found.add(PriorityFact.FRESH_LOCATION)
    if facts.open_callback:
        found.add(PriorityFact.CALLBACK_RETURN)
    if facts.verified_emergency:
        found.add(PriorityFact.VERIFIED_EMERGENCY)
    blocked = policy.blocking_on and facts.active_block is not None
    nuisance = blocked or (policy.warning_on and facts.counted_calls >= policy.warn_after)
    if nuisance:
        found.add(PriorityFact.NUISANCE)
    if blocked and can_refuse and facts.blocked_attempts + 1 < policy.break_through_calls:
        outcome = ScreeningOutcome.BLOCKED
    elif blocked and can_refuse:
        outcome = ScreeningOutcome.BROKE_THROUGH
    elif nuisance:
        outcome = ScreeningOutcome.WARNED
    else:
        outcome = ScreeningOutcome.QUEUED
    frozen = frozenset(found)
    return Screening(
        outcome=outcome, facts=frozen, level=rules.level(frozen),
        place_in_line=place_in_line(at, frozen, rules),
        announcement=Announcement.NUISANCE_WARNING if nuisance else None,
        block_id=facts.active_block if blocked else None)


def block_due(*, number: str | None, counted_calls: int, verified_emergency: bool,
              has_active_block: bool, policy: NuisancePolicy) -> bool:
    """After a counted disposition: does the number now get a temporary block?"""
    return (policy.blocking_on and screenable(number) and not has_active_block
            and not verified_emergency and counted_calls >= policy.block_after)


@dataclass(eq=False, kw_only=True)
class NuisanceBlock:
    id: uuid.UUID
    caller_number: str
    created_at: datetime
    expires_at: datetime
    counted_calls: int
    window_days: int
    created_by: str = "policy"
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_note: str | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def impose(cls, *, caller_number: str | None, counted_calls: int, call_id: uuid.UUID,
               at: datetime, policy: NuisancePolicy) -> NuisanceBlock:
        check_aware(at)
        if not screenable(caller_number):
            raise InvalidValue("a withheld number or a short code is never blocked")
        assert caller_number is not None
        block = cls(id=uuid.uuid4(), caller_number=caller_number, created_at=at,
                    expires_at=at + timedelta(hours=policy.block_hours),
                    counted_calls=counted_calls, window_days=policy.window_days)
        block.events.append(events.NuisanceBlockChanged(
            aggregate_id=str(block.id), at=at, actor=block.created_by,
            after=BlockStatus.ACTIVE.value,
            reason=f"{counted_calls} counted calls in {policy.window_days} days",
            data={"expires_at": block.expires_at.isoformat(), "counted_calls": counted_calls,
                  "window_days": policy.window_days, "call": str(call_id),
                  "counted": sorted(d.value for d in policy.counted)}))
        return block

    def status(self, now: datetime) -> BlockStatus:
        if self.lifted_at is not None:
            return BlockStatus.LIFTED
        return BlockStatus.ACTIVE if now < self.expires_at else BlockStatus.EXPIRED

    def lift(self, *, by: str, at: datetime, note: str) -> None:
        """A supervisor ends the block early; the note says why (it goes to the audit log)."""
        check_aware(at)
        note = note.strip()
        if len(note) < 3:
            raise InvalidValue("say why the block is lifted (at least 3 characters)")
        status = self.status(at)
        if status is not BlockStatus.ACTIVE:
            raise Conflict(f"the block is already {status.value}")
        self.lifted_at, self.lifted_by, self.lift_note = at, by, note[:400]
        self.events.append(events.NuisanceBlockChanged(
            aggregate_id=str(self.id), at=at, actor=by, before=BlockStatus.ACTIVE.value,
            after=BlockStatus.LIFTED.value, reason=self.lift_note))
