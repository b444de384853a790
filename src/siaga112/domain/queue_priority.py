"""A waiting call's place in line: a few facts move it up or down, waiting moves it up
(pure Python; docs/nuisance-callers.md).

Every call starts at level 0. The center gives each fact a weight (config_nuisance.py):
a fresh location fix from the caller's phone, a return call from a number with an open
callback task, a number with verified earlier emergencies (up); a number past the nuisance
threshold (down). Waiting adds one level every `seconds_per_level` seconds, continuously:

    effective priority = level + seconds waited / seconds_per_level

Continuous, not in steps: with steps ("one level per full 30 s") two calls one level apart
would swap places back and forth as each crossed a step, so a call could lose its place just
by waiting longer. Continuously, the difference between two waiting calls' priorities never
changes, so their order never does, and the order equals sorting by one fixed time per call,
its *place in line*: `queued_at - level * seconds_per_level` (a call one level up queues as
if it had arrived `seconds_per_level` earlier). That is what the ACD (domain/queue.py) and
the API's list of waiting calls both sort by.

No call starves: a newer call can be ahead of an older one only while the older one has
waited less than `(highest level - lowest level) * seconds_per_level` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain.errors import InvalidValue
from siaga112.domain.lifecycle import check_aware


class PriorityFact(StrEnum):
    FRESH_LOCATION = "fresh_location"  # the caller's phone sent a fix lately (AML, PIDF-LO)
    CALLBACK_RETURN = "callback_return"  # the number has an open callback task
    VERIFIED_EMERGENCY = "verified_emergency"  # earlier calls led to verified emergencies
    NUISANCE = "nuisance"  # past the center's nuisance threshold


@dataclass(frozen=True)
class PriorityRules:
    """The weight of each fact (levels; negative moves down) and the ageing rate."""

    weights: Mapping[PriorityFact, int] = field(default_factory=dict)
    seconds_per_level: float = 30.0

    def __post_init__(self) -> None:
        if not self.seconds_per_level > 0:
            raise InvalidValue("seconds_per_level must be more than 0")

    @property
    def active(self) -> bool:
        """Does any fact move a call? Without one the queue is first come, first served."""
        return any(self.weights.values())

    def level(self, facts: Iterable[PriorityFact]) -> int:
        return sum(self.weights.get(f, 0) for f in set(facts))

    @property
    def highest_level(self) -> int:
        return sum(w for w in self.weights.values() if w > 0)

    @property
    def lowest_level(self) -> int:
        return sum(w for w in self.weights.values() if w < 0)

    @property
    def starvation_bound_seconds(self) -> float:
        """After waiting this long a call is ahead of every call that arrives after it."""
        return (self.highest_level - self.lowest_level) * self.seconds_per_level


def effective_priority(facts: Iterable[PriorityFact], waited_seconds: float,
                       rules: PriorityRules) -> float:
    """The call's priority after waiting this long: higher is answered first."""
    if waited_seconds < 0:
        raise InvalidValue("a call cannot have waited a negative time")
    return rules.level(facts) + waited_seconds / rules.seconds_per_level


def place_in_line(queued_at: datetime, facts: Iterable[PriorityFact],
                  rules: PriorityRules) -> datetime:
    """The fixed time the queue sorts by (earliest first): the same order as the highest
    effective priority first at any moment, ties going to the call that arrived first."""
    check_aware(queued_at)
    return queued_at - timedelta(seconds=rules.level(facts) * rules.seconds_per_level)


def queue_order(calls: Iterable[tuple[str, datetime, frozenset[PriorityFact]]],
                rules: PriorityRules) -> list[str]:
    """References of (ref, queued_at, facts) in the order they are offered."""
    ranked = sorted(calls, key=lambda c: (place_in_line(c[1], c[2], rules), c[1]))
    return [ref for ref, _, _ in ranked]
