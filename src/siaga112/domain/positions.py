"""Operator positions (call-taker desks) and the state of the person at each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.errors import Conflict, IllegalTransition, InvalidValue
from siaga112.domain.lifecycle import check_aware, check_transition


class PositionState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


P = PositionState
POSITION_TRANSITIONS: dict[PositionState, frozenset[PositionState]] = {
    # Logging in always starts not ready (reason 'logged_in'); the operator then sets ready.
    P.LOGGED_OUT: frozenset({P.NOT_READY}),
    P.READY: frozenset({P.RINGING, P.NOT_READY, P.LOGGED_OUT}),
    P.NOT_READY: frozenset({P.READY, P.LOGGED_OUT}),
    # A ring not answered makes the desk not ready, so the queue skips it.
    P.RINGING: frozenset({P.ON_CALL, P.READY, P.NOT_READY}),
    P.ON_CALL: frozenset({P.WRAP_UP}),
    P.WRAP_UP: frozenset({P.READY, P.NOT_READY, P.LOGGED_OUT}),
}


@dataclass(eq=False, kw_only=True)
class Position:
    code: str
    name: str
    sip_uri: str | None = None
    demo: bool = False
    state: PositionState = PositionState.LOGGED_OUT
    state_since: datetime | None = None
    operator: str | None = None
    not_ready_reason: str | None = None
    idle_since: datetime | None = None  # since when ready without a call: the queue's order
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    def log_in(self, operator: str, *, at: datetime) -> None:
        if not operator:
            raise InvalidValue("a position needs an operator to log in")
        if self.state is not PositionState.LOGGED_OUT:
            raise Conflict(f"position {self.code} is already logged in by '{self.operator}'")
        self._move(PositionState.NOT_READY, at, actor=operator, reason="logged_in")
        self.operator, self.not_ready_reason = operator, "logged_in"

    def set_ready(self, *, at: datetime) -> None:
        self._move(PositionState.READY, at, actor=self.operator)
        self.not_ready_reason = None
        self.idle_since = at

    def withdraw_ring(self, *, at: datetime, reason: str) -> None:
        """The call ringing here went away (caller hung up, answered elsewhere): ready
        again, keeping its place in the line of idle positions."""
        if self.state is not PositionState.RINGING:
            raise IllegalTransition("position", self.state, PositionState.READY)
        self._move(PositionState.READY, at, actor=self.operator, reason=reason)

    def set_not_ready(self, reason: str, *, at: datetime) -> None:
        if not reason.strip():
            raise InvalidValue("not ready needs a reason")
        if self.state is PositionState.LOGGED_OUT:  # only log_in leaves logged_out
            raise IllegalTransition("position", self.state, PositionState.NOT_READY)
        self._move(PositionState.NOT_READY, at, actor=self.operator, reason=reason)
        self.not_ready_reason = reason

    def ring(self, *, at: datetime) -> None:
        self._move(PositionState.RINGING, at, actor=self.operator)

    def answer(self, *, at: datetime) -> None:
        self._move(PositionState.ON_CALL, at, actor=self.operator)

    def wrap_up(self, *, at: datetime) -> None:
        self._move(PositionState.WRAP_UP, at, actor=self.operator)

    def log_out(self, *, at: datetime) -> None:
        self._move(PositionState.LOGGED_OUT, at, actor=self.operator)
        self.operator, self.not_ready_reason = None, None

    def _move(self, target: PositionState, at: datetime, *, actor: str | None,
              reason: str | None = None) -> None:
        check_aware(at)
        check_transition("position", POSITION_TRANSITIONS, self.state, target)
        before, self.state, self.state_since = self.state, target, at
        self.events.append(events.PositionStateChanged(
            aggregate_id=self.code, at=at, actor=actor, reason=reason,
            before=before.value, after=target.value))
