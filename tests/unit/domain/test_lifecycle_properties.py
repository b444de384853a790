"""Random command sequences against the four lifecycles (call, incident, unit, position).

Each machine keeps its own small model of what must happen (the transition table, the
latest step's time) and checks, after every command, that:
- a refused command raised a DomainError and left the object exactly as it was;
- an accepted one recorded one event whose before/after match the move;
- the lifecycle's invariants hold.
Time moves forward by random steps; some commands are sent with an earlier time.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from siaga112.domain import events
from siaga112.domain.calls import (
    CALL_TRANSITIONS,
    ENDED_STATES,
    Call,
    CallState,
    Channel,
    Disposition,
)
from siaga112.domain.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    InvalidValue,
    TimeWentBackwards,
)
from siaga112.domain.geo import GeoPoint
from siaga112.domain.incidents import (
    INCIDENT_TRANSITIONS,
    Incident,
    IncidentLocation,
    IncidentStatus,
    Priority,
    VerificationMethod,
)
from siaga112.domain.phone import CallerNumber
from siaga112.domain.positions import POSITION_TRANSITIONS, Position, PositionState
from siaga112.domain.units import ASSIGNED_STATUSES, UNIT_TRANSITIONS, Unit, UnitStatus

T0 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
SETTINGS = settings(max_examples=200, stateful_step_count=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Mostly forward (including "at the same instant"), about one step in four backwards.
time_steps = st.integers(min_value=-20, max_value=60)


def snapshot(obj: Any) -> dict[str, Any]:
    """Every field's value; lists (events, notes) by length, they only ever grow."""
    return {f.name: (len(v) if isinstance(v := getattr(obj, f.name), list) else v)
            for f in dataclasses.fields(obj)}


class Lifecycle(RuleBasedStateMachine):
    """Shared bookkeeping: a clock, the expected outcome of a command, the refusal check."""

    def __init__(self) -> None:
        super().__init__()
        self.now = T0

    def when(self, step: int) -> datetime:
        at = self.now + timedelta(seconds=step)
        self.now = max(self.now, at)
        return at

    @staticmethod
    def unguarded_clock(since: datetime | None, at: datetime) -> tuple[type[DomainError], ...]:
        """Units' and positions' status clocks are not guarded (yet): a step back dated
        before the current status may be accepted or refused with TimeWentBackwards."""
        return (TimeWentBackwards,) if since is not None and at < since else ()

    def attempt(self, obj: Any, command: Callable[[], object],
                expected: type[DomainError] | None,
                also_allowed: tuple[type[DomainError], ...] = ()) -> bool:
        """Run `command`; True if it succeeded. It must fail exactly when expected to."""
        before = snapshot(obj)
        try:
            command()
        except DomainError as error:
            if not isinstance(error, also_allowed):
                assert expected is not None, f"refused unexpectedly: {error!r}"
                assert isinstance(error, expected), f"expected {expected.__name__}, got {error!r}"
            assert snapshot(obj) == before, "a refused command changed the object"
            return False
        assert expected is None, f"expected {expected.__name__}, but the command was accepted"
        return True


# --- call -----------------------------------------------------------------------------
CALL_COMMANDS: dict[str, CallState | None] = {
    "screen": CallState.SCREENING, "enqueue": CallState.QUEUED, "offer": CallState.OFFERED,
    "connect": CallState.CONNECTED, "connect_elsewhere": CallState.CONNECTED,
    "release": CallState.RELEASED, "abandon": CallState.ABANDONED,
    "interrupt": CallState.INTERRUPTED, "dispose": None,
}
CALL_TIMES = ("received_at", "screening_at", "queued_at", "offered_at", "connected_at")


class CallMachine(Lifecycle):
    @initialize(caller=st.sampled_from(["0812-3456-7890", "anonymous", "112", None]))
    def receive(self, caller: str | None) -> None:
        self.call = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse(caller), at=T0)
        self.latest = T0
        self.moves = 0
        self.offers = 0
        self.ended: CallState | None = None

    # Ending moves are drawn less often, so that calls live long enough to be re-queued.
    @rule(command=st.sampled_from([*sorted(CALL_COMMANDS), "enqueue", "offer", "offer"]),
          step=time_steps,
          choice=st.integers(0, len(Disposition) - 1))
    def command(self, command: str, step: int, choice: int) -> None:
        call, at = self.call, self.when(step)
        position, disposition = f"pos-0{choice % 2 + 1}", list(Disposition)[choice]
        actions: dict[str, Callable[[], object]] = {
            "screen": lambda: call.start_screening(at=at),
            "enqueue": lambda: call.enqueue(at=at, reason="ring_timeout"),
            "offer": lambda: call.offer(position_code=position, at=at),
            "connect": lambda: call.connect(call_taker="budi", at=at),
            "connect_elsewhere": lambda: call.connect(
                call_taker="budi", at=at, position_code=f"not-{call.position_code}"),
            "release": lambda: call.release(at=at, actor="budi"),
            "abandon": lambda: call.abandon(at=at),
            "interrupt": lambda: call.interrupt(at=at, reason="node_crash"),
            "dispose": lambda: call.dispose(disposition, by="budi", at=at),
        }
        target, state, count = CALL_COMMANDS[command], call.state, len(call.events)
        expected: type[DomainError] | None
        if command == "dispose":
            expected = None if call.connected_at is not None else DomainError
        elif command == "connect_elsewhere":
            expected = DomainError
        elif target not in CALL_TRANSITIONS[state]:
            expected = IllegalTransition
        elif at < self.latest:
            expected = TimeWentBackwards
        else:
            expected = None
        if not self.attempt(call, actions[command], expected):
            return
        if command == "dispose":
            assert call.disposition is disposition
            assert isinstance(call.events[-1], events.CallDisposed)
            assert len(call.events) == count + 1
            return
        self.latest, self.moves = at, self.moves + 1
        self.offers += command == "offer"
        assert call.state is target
        assert len(call.events) == count + 1
        event = call.events[-1]
        assert isinstance(event, events.CallStateChanged)
        assert (event.before, event.after, event.at) == (state.value, target.value, at)
        if target in ENDED_STATES:
            self.ended = target

    @invariant()
    def an_ended_call_stays_ended(self) -> None:
        if self.ended is not None:
            assert self.call.state is self.ended
            assert self.call.state is not CallState.QUEUED

    @invariant()
    def timestamps_follow_the_lifecycle(self) -> None:
        call = self.call
        stamps = [getattr(call, name) for name in CALL_TIMES] + [call.ended_at]
        seen = [s for s in stamps if s is not None]
        assert seen == sorted(seen)
        assert all(s >= call.received_at for s in seen)
        ends = [call.released_at, call.abandoned_at, call.interrupted_at]
        assert sum(e is not None for e in ends) == (call.state in ENDED_STATES)
        if call.wait_seconds is not None:
            assert call.wait_seconds >= 0
        if call.talk_seconds is not None:
            assert call.talk_seconds >= 0

    @invariant()
    def one_state_change_per_move(self) -> None:
        call = self.call
        assert isinstance(call.events[0], events.CallReceived)
        changes = [e for e in call.events if isinstance(e, events.CallStateChanged)]
        assert len(changes) == self.moves
        chain = ["received"] + [c.after for c in changes]
        assert [c.before for c in changes] == chain[:-1]
        assert chain[-1] == call.state.value
        assert [c.at for c in changes] == sorted(c.at for c in changes)
        assert call.offer_count == self.offers


# --- incident -------------------------------------------------------------------------
S = IncidentStatus
INCIDENT_COMMANDS: dict[str, IncidentStatus | None] = {
    "verify": S.VERIFIED, "dispatched": S.DISPATCHED, "on_scene": S.ON_SCENE,
    "resolve": S.RESOLVED, "close": S.CLOSED, "cancel": S.CANCELLED,
    "false_alarm": S.FALSE_ALARM, "cancel_without_reason": S.CANCELLED,
    "classify": None, "note": None, "empty_note": None,
}
INCIDENT_TIMES = ("created_at", "verified_at", "dispatched_at", "on_scene_at", "resolved_at",
                  "closed_at")
TERMINAL = frozenset(s for s, targets in INCIDENT_TRANSITIONS.items() if not targets)


class IncidentMachine(Lifecycle):
    @initialize()
    def open(self) -> None:
        self.incident = Incident.open(
            number="KDI-2025-000001", type_code="fire", subtype_code=None, priority=Priority.P2,
            location=IncidentLocation(lat=-3.97, lon=122.59), description=None, by="budi", at=T0)
        self.latest = T0
        self.terminal: IncidentStatus | None = None

    @rule(command=st.sampled_from(sorted(INCIDENT_COMMANDS)), step=time_steps)
    def command(self, command: str, step: int) -> None:
        incident, at = self.incident, self.when(step)
        priority = list(Priority)[step % len(Priority)]
        actions: dict[str, Callable[[], object]] = {
            "verify": lambda: incident.verify(by="s", method=VerificationMethod.CALLBACK, at=at),
            "dispatched": lambda: incident.mark_dispatched(by="d", at=at),
            "on_scene": lambda: incident.mark_on_scene(by="d", at=at),
            "resolve": lambda: incident.resolve(by="d", at=at),
            "close": lambda: incident.close(by="d", at=at),
            "cancel": lambda: incident.cancel(by="s", at=at, reason="duplicate"),
            "false_alarm": lambda: incident.cancel(by="s", at=at, reason="x", false_alarm=True),
            "cancel_without_reason": lambda: incident.cancel(by="s", at=at, reason=" "),
            "classify": lambda: incident.classify(type_code="fire", subtype_code=None,
                                                  priority=priority, by="s", at=at),
            "note": lambda: incident.add_note("update", by="s", at=at),
            "empty_note": lambda: incident.add_note("", by="s", at=at),
        }
        target, status, count = INCIDENT_COMMANDS[command], incident.status, len(incident.events)
        expected: type[DomainError] | None
        if command in ("cancel_without_reason", "empty_note"):
            expected = InvalidValue
        elif command == "classify" and not incident.active:
            expected = DomainError
        elif target is not None and target not in INCIDENT_TRANSITIONS[status]:
            expected = IllegalTransition
        elif at < self.latest:
            expected = TimeWentBackwards
        else:
            expected = None
        if not self.attempt(incident, actions[command], expected):
            return
        self.latest = at
        assert len(incident.events) == count + 1
        assert incident.events[-1].at == at
        if target is not None:
            event = incident.events[-1]
            assert isinstance(event, events.IncidentStatusChanged)
            assert (event.before, event.after) == (status.value, target.value)
            assert incident.status is target
            if target in TERMINAL:
                self.terminal = target

    @invariant()
    def a_finished_incident_stays_finished(self) -> None:
        if self.terminal is not None:
            assert self.incident.status is self.terminal
        assert self.incident.active == (self.incident.status in (S.NEW, S.VERIFIED, S.DISPATCHED,
                                                                 S.ON_SCENE))

    @invariant()
    def timestamps_never_go_backwards(self) -> None:
        incident = self.incident
        seen = [t for name in INCIDENT_TIMES if (t := getattr(incident, name)) is not None]
        assert seen == sorted(seen)
        if incident.cancelled_at is not None:
            assert incident.status in (S.CANCELLED, S.FALSE_ALARM)
            assert incident.cancelled_at >= max(seen)
        times = [e.at for e in incident.events]
        assert times == sorted(times)
        assert [n.at for n in incident.notes] == sorted(n.at for n in incident.notes)
        assert all(n.at >= incident.created_at for n in incident.notes)


# --- unit -----------------------------------------------------------------------------
class UnitMachine(Lifecycle):
    @initialize()
    def make(self) -> None:
        self.unit = Unit(code="DMK-01", name="Damkar 01", agency_code="damkar",
                         station_code="damkar_mako", unit_type="fire_engine")

    @rule(step=time_steps)
    def dispatch(self, step: int) -> None:
        unit, at, status = self.unit, self.when(step), self.unit.status
        if status in ASSIGNED_STATUSES:
            expected: type[DomainError] | None = Conflict
        elif UnitStatus.DISPATCHED not in UNIT_TRANSITIONS[status]:
            expected = IllegalTransition
        else:
            expected = None
        incident = uuid.uuid4()
        if self.attempt(unit, lambda: unit.dispatch(incident, by="dewi", at=at), expected,
                        also_allowed=self.unguarded_clock(unit.status_since, at)):
            self.moved(status, UnitStatus.DISPATCHED, at)
            assert unit.incident_id == incident

    @rule(new_status=st.sampled_from(list(UnitStatus)), step=time_steps)
    def report(self, new_status: UnitStatus, step: int) -> None:
        unit, at, status, target = self.unit, self.when(step), self.unit.status, new_status
        if target is UnitStatus.DISPATCHED:
            expected: type[DomainError] | None = DomainError
        elif target not in UNIT_TRANSITIONS[status]:
            expected = IllegalTransition
        else:
            expected = None
        incident = unit.incident_id
        if self.attempt(unit, lambda: unit.report(target, by="DMK-01", at=at), expected,
                        also_allowed=self.unguarded_clock(unit.status_since, at)):
            self.moved(status, target, at)
            if target in ASSIGNED_STATUSES:
                assert unit.incident_id == incident  # still the same job

    @rule(step=time_steps, lat=st.floats(-5, -3), lon=st.floats(122, 123))
    def gps_fix(self, step: int, lat: float, lon: float) -> None:
        unit, at = self.unit, self.when(step)
        previous = (unit.last_lat, unit.last_lon, unit.last_position_at)
        unit.update_position(GeoPoint(lat, lon), at=at)
        if previous[2] is not None and at < previous[2]:
            assert (unit.last_lat, unit.last_lon, unit.last_position_at) == previous
        else:
            assert (unit.last_lat, unit.last_lon, unit.last_position_at) == (lat, lon, at)

    def moved(self, before: UnitStatus, after: UnitStatus, at: datetime) -> None:
        event = self.unit.events[-1]
        assert isinstance(event, events.UnitStatusChanged)
        assert (event.before, event.after, event.at) == (before.value, after.value, at)
        assert self.unit.status is after and self.unit.status_since == at

    @invariant()
    def an_assigned_unit_has_an_incident_an_available_one_none(self) -> None:
        if self.unit.status in ASSIGNED_STATUSES:
            assert self.unit.incident_id is not None
        else:
            assert self.unit.incident_id is None

    @invariant()
    def events_chain(self) -> None:
        chain = [e for e in self.unit.events if isinstance(e, events.UnitStatusChanged)]
        assert [e.before for e in chain] == ["available", *(e.after for e in chain)][:len(chain)]
        assert (chain[-1].after if chain else "available") == self.unit.status.value


# --- position -------------------------------------------------------------------------
P = PositionState
POSITION_COMMANDS: dict[str, PositionState] = {
    "log_in": P.NOT_READY, "ready": P.READY, "not_ready": P.NOT_READY,
    "not_ready_blank": P.NOT_READY, "ring": P.RINGING, "answer": P.ON_CALL,
    "wrap_up": P.WRAP_UP, "log_out": P.LOGGED_OUT,
}


class PositionMachine(Lifecycle):
    @initialize()
    def make(self) -> None:
        self.position = Position(code="pos-01", name="Meja 1")

    @rule(command=st.sampled_from(sorted(POSITION_COMMANDS)), step=time_steps)
    def command(self, command: str, step: int) -> None:
        position, at = self.position, self.when(step)
        operator = ("budi", "sari")[step % 2]
        actions: dict[str, Callable[[], object]] = {
            "log_in": lambda: position.log_in(operator, at=at),
            "ready": lambda: position.set_ready(at=at),
            "not_ready": lambda: position.set_not_ready("istirahat", at=at),
            "not_ready_blank": lambda: position.set_not_ready("  ", at=at),
            "ring": lambda: position.ring(at=at),
            "answer": lambda: position.answer(at=at),
            "wrap_up": lambda: position.wrap_up(at=at),
            "log_out": lambda: position.log_out(at=at),
        }
        target, state, count = POSITION_COMMANDS[command], position.state, len(position.events)
        expected: type[DomainError] | None
        if command == "not_ready_blank":
            expected = InvalidValue
        elif command == "log_in":
            expected = None if state is P.LOGGED_OUT else Conflict
        elif command == "not_ready" and state is P.LOGGED_OUT:
            expected = IllegalTransition  # only log_in leaves logged_out
        elif target not in POSITION_TRANSITIONS[state]:
            expected = IllegalTransition
        else:
            expected = None
        if not self.attempt(position, actions[command], expected,
                            also_allowed=self.unguarded_clock(position.state_since, at)):
            return
        assert position.state is target and position.state_since == at
        assert len(position.events) == count + 1
        event = position.events[-1]
        assert isinstance(event, events.PositionStateChanged)
        assert (event.before, event.after) == (state.value, target.value)
        if command == "log_in":
            assert position.operator == operator

    @invariant()
    def an_operator_exactly_when_logged_in(self) -> None:
        assert (self.position.operator is None) == (self.position.state is P.LOGGED_OUT)

    @invariant()
    def a_reason_exactly_when_not_ready(self) -> None:
        assert (self.position.not_ready_reason is not None) == (self.position.state is P.NOT_READY)


TestCallLifecycle = SETTINGS(CallMachine).TestCase
TestIncidentLifecycle = SETTINGS(IncidentMachine).TestCase
TestUnitLifecycle = SETTINGS(UnitMachine).TestCase
TestPositionLifecycle = SETTINGS(PositionMachine).TestCase
