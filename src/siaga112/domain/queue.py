"""The queue of waiting calls and the desks they are offered to (ACD), in pure Python.

Rules (docs/telephony.md):
- Waiting calls are offered by their place in line: their arrival, first come, first
  served, unless the center's priority rules moved it (domain/queue_priority.py); a call
  that was offered and not answered keeps its place.
- A call goes to the ready position that has been idle the longest.
- A position that lets an offer ring out (no answer) becomes not ready, and the call is
  offered to the next ready position.
- A call that has waited `overflow_after` seconds is offered also to the backup
  destination (another center), once.

The telephony service owns one CallQueue, on one thread; it persists the decisions
through commands. Times are timezone-aware datetimes from the injected clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from siaga112.domain.errors import Conflict, NotFound
from siaga112.domain.lifecycle import check_aware
from siaga112.domain.positions import PositionState


@dataclass
class Desk:
    """A position as the queue sees it: can it take a call now, and since when idle."""

    code: str
    state: PositionState = PositionState.LOGGED_OUT
    idle_since: datetime | None = None
    call: str | None = None  # the call ringing or connected here


@dataclass
class Waiting:
    ref: str
    queued_at: datetime
    offered_to: str | None = None
    offer_deadline: datetime | None = None
    overflowed: bool = False
    not_answered_by: list[str] = field(default_factory=list)
    place: datetime | None = None  # set by the priority rules; None: its arrival

    @property
    def place_in_line(self) -> tuple[datetime, datetime]:
        return (self.place or self.queued_at, self.queued_at)


@dataclass(frozen=True)
class Offer:
    ref: str
    position: str
    deadline: datetime


class CallQueue:
    def __init__(self, *, ring_timeout_seconds: float,
                 overflow_after_seconds: float | None = None) -> None:
        self.ring_timeout = timedelta(seconds=ring_timeout_seconds)
        self.overflow_after = (timedelta(seconds=overflow_after_seconds)
                               if overflow_after_seconds is not None else None)
        self.desks: dict[str, Desk] = {}
        self.calls: dict[str, Waiting] = {}  # insertion order = arrival order

    # -- positions -------------------------------------------------------------
    def desk(self, code: str) -> Desk:
        return self.desks.setdefault(code, Desk(code))

    def set_ready(self, code: str, *, idle_since: datetime) -> None:
        """The position can take a call (logged in and ready, or wrap-up ended)."""
        check_aware(idle_since)
        desk = self.desk(code)
        if desk.call is not None:
            raise Conflict(f"position {code} still has call {desk.call}")
        desk.state, desk.idle_since = PositionState.READY, idle_since

    def set_unavailable(self, code: str, state: PositionState) -> str | None:
        """Not ready or logged out. Returns a call that was ringing there (back in line)."""
        desk = self.desk(code)
        ringing = desk.call if desk.state is PositionState.RINGING else None
        if ringing is not None:
            self._back_in_line(ringing)
        elif desk.call is not None:
            raise Conflict(f"position {code} is on call {desk.call}")
        desk.state, desk.call = state, None
        return ringing

    def ready_desks(self) -> list[Desk]:
        """Ready positions, longest idle first (ties by code, so the order is stable)."""
        ready = [d for d in self.desks.values() if d.state is PositionState.READY]
        return sorted(ready, key=lambda d: (d.idle_since, d.code))

    # -- calls -----------------------------------------------------------------
    def add(self, ref: str, *, at: datetime, place: datetime | None = None) -> None:
        check_aware(at)
        if ref in self.calls:
            raise Conflict(f"call {ref} is already in the queue")
        self.calls[ref] = Waiting(ref, at, place=place)

    def move_ahead(self, ref: str, *, place: datetime) -> None:
        """A call earns an earlier place in line (e.g. its caller answered the screening);
        a place is never made later by this."""
        check_aware(place)
        waiting = self.calls.get(ref)
        if waiting is not None and place < waiting.place_in_line[0]:
            waiting.place = place

    def waiting(self) -> list[Waiting]:
        """Calls not offered to anyone now, in the order they will be offered: arrival (the
        order they were added), or by place in line once the priority rules placed any
        (a stable sort: equal places keep their order of arrival)."""
        waiting = [w for w in self.calls.values() if w.offered_to is None]
        if any(w.place is not None for w in waiting):
            waiting.sort(key=lambda w: w.place_in_line)
        return waiting

    def next_offers(self, *, now: datetime) -> list[Offer]:
        """Match waiting calls (by place in line) with ready positions (longest idle first)."""
        check_aware(now)
        offers: list[Offer] = []
        desks = self.ready_desks()
        if not desks:  # nothing to match: spare the sort of a long queue
            return offers
        for waiting, desk in zip(self.waiting(), desks):
            waiting.offered_to, waiting.offer_deadline = desk.code, now + self.ring_timeout
            desk.state, desk.call = PositionState.RINGING, waiting.ref
            offers.append(Offer(waiting.ref, desk.code, waiting.offer_deadline))
        return offers

    def answered(self, ref: str) -> str:
        """The position answered: the call leaves the queue; returns the position."""
        waiting = self._get(ref)
        if waiting.offered_to is None:
            raise Conflict(f"call {ref} is not offered to any position")
        desk = self.desks[waiting.offered_to]
        desk.state = PositionState.ON_CALL
        del self.calls[ref]
        return desk.code

    def answered_elsewhere(self, ref: str) -> str | None:
        """The backup destination answered: the call leaves; a ringing position is freed."""
        waiting = self._get(ref)
        del self.calls[ref]
        return self._free_ringing(waiting)

    def no_answer(self, ref: str) -> str:
        """The offer rang out or was refused: that position becomes not ready."""
        waiting = self._get(ref)
        code = waiting.offered_to
        if code is None:
            raise Conflict(f"call {ref} is not offered to any position")
        desk = self.desks[code]
        desk.state, desk.call = PositionState.NOT_READY, None
        waiting.not_answered_by.append(code)
        waiting.offered_to = waiting.offer_deadline = None
        return code

    def remove(self, ref: str) -> str | None:
        """The caller hung up (or the call failed) while waiting: returns a freed position."""
        waiting = self.calls.pop(ref, None)
        return None if waiting is None else self._free_ringing(waiting)

    def call_ended(self, code: str) -> None:
        """The connected call at this position ended: wrap-up until set ready."""
        desk = self.desk(code)
        desk.state, desk.call = PositionState.WRAP_UP, None

    def offers_due(self, *, now: datetime) -> list[str]:
        """Calls whose offer has rung for the whole ring timeout."""
        return [w.ref for w in self.calls.values()
                if w.offer_deadline is not None and w.offer_deadline <= now]

    def overflow_due(self, *, now: datetime) -> list[str]:
        """Calls that waited long enough to be offered to the backup destination too."""
        if self.overflow_after is None:
            return []
        due = [w for w in self.calls.values()
               if not w.overflowed and now - w.queued_at >= self.overflow_after]
        for w in due:
            w.overflowed = True
        return [w.ref for w in due]

    # -- internals -------------------------------------------------------------
    def _get(self, ref: str) -> Waiting:
        waiting = self.calls.get(ref)
        if waiting is None:
            raise NotFound(f"call {ref} is not in the queue")
        return waiting

    def _free_ringing(self, waiting: Waiting) -> str | None:
        code = waiting.offered_to
        if code is None:
            return None
        desk = self.desks[code]
        # It rang without fault of its own: ready again, keeping its place by idle time.
        desk.state, desk.call = PositionState.READY, None
        return code

    def _back_in_line(self, ref: str) -> None:
        waiting = self.calls[ref]
        waiting.offered_to = waiting.offer_deadline = None
