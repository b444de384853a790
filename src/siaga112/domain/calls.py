"""A call to 112, from the moment it arrives to its end, and what it turned out to be."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.errors import DomainError
from siaga112.domain.lifecycle import check_aware, check_not_before, check_transition
from siaga112.domain.phone import CallerNumber


class CallState(StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    RELEASED = "released"
    ABANDONED = "abandoned"
    INTERRUPTED = "interrupted"


_FAULT_OR_HANGUP = frozenset({CallState.ABANDONED, CallState.INTERRUPTED})
CALL_TRANSITIONS: dict[CallState, frozenset[CallState]] = {
    CallState.RECEIVED: frozenset({CallState.SCREENING, CallState.QUEUED}) | _FAULT_OR_HANGUP,
    # Screening may end the call itself (no answer to "press 5 5": released as silent).
    CallState.SCREENING: frozenset({CallState.QUEUED, CallState.RELEASED}) | _FAULT_OR_HANGUP,
    CallState.QUEUED: frozenset({CallState.OFFERED}) | _FAULT_OR_HANGUP,
    # An offer not answered goes back to the queue, for the next position.
    CallState.OFFERED: frozenset({CallState.CONNECTED, CallState.QUEUED}) | _FAULT_OR_HANGUP,
    CallState.CONNECTED: frozenset({CallState.RELEASED, CallState.INTERRUPTED}),
    CallState.RELEASED: frozenset(),
    CallState.ABANDONED: frozenset(),
    CallState.INTERRUPTED: frozenset(),
}
ENDED_STATES = frozenset({CallState.RELEASED, CallState.ABANDONED, CallState.INTERRUPTED})


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    AML = "aml"
    WEB = "web"


class Disposition(StrEnum):
    EMERGENCY = "emergency"
    NON_EMERGENCY = "non_emergency"
    PRANK = "prank"
    SILENT = "silent"
    HANG_UP = "hang_up"
    WRONG_NUMBER = "wrong_number"
    TEST = "test"


# Dispositions that make a call "invalid" in the center's evaluation whatever its length.
NUISANCE_DISPOSITIONS = frozenset({Disposition.PRANK, Disposition.SILENT, Disposition.HANG_UP})
DEFAULT_VALID_CALL_SECONDS = 10.0


@dataclass(eq=False, kw_only=True)
class Call:
    id: uuid.UUID
    channel: Channel
    caller_raw: str | None
    caller_number: str | None
    received_at: datetime
    state: CallState = CallState.RECEIVED
    screening_at: datetime | None = None
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    connected_at: datetime | None = None
    released_at: datetime | None = None
    abandoned_at: datetime | None = None
    interrupted_at: datetime | None = None
    offer_count: int = 0
    position_code: str | None = None
    call_taker: str | None = None
    disposition: Disposition | None = None
    incident_id: uuid.UUID | None = None
    chosen_location_id: uuid.UUID | None = None
    external_id: str | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def receive(
        cls, *, channel: Channel, caller: CallerNumber, at: datetime,
        external_id: str | None = None, call_id: uuid.UUID | None = None,
    ) -> Call:
        check_not_before("call", at, None)
        call = cls(
            id=call_id or uuid.uuid4(), channel=channel, caller_raw=caller.raw,
            caller_number=caller.normalized, received_at=at, external_id=external_id,
        )
        call.events.append(events.CallReceived(
            aggregate_id=str(call.id), at=at, after=CallState.RECEIVED.value,
            # No number here: the audit log is append-only, personal data must stay purgeable.
            data={"channel": channel.value, "withheld": caller.withheld},
        ))
        return call

    # -- lifecycle -------------------------------------------------------
    def start_screening(self, *, at: datetime) -> None:
        self._move(CallState.SCREENING, at)
        self.screening_at = at

    def enqueue(self, *, at: datetime, reason: str | None = None) -> None:
        self._move(CallState.QUEUED, at, reason=reason)
        if self.queued_at is None:
            self.queued_at = at
        self.position_code = None

    def offer(self, *, position_code: str, at: datetime) -> None:
        self._move(CallState.OFFERED, at, data={"position": position_code})
        self.offered_at = at
        self.offer_count += 1
        self.position_code = position_code

    def connect(self, *, call_taker: str, at: datetime, position_code: str | None = None) -> None:
        if position_code is not None and position_code != self.position_code:
            raise DomainError(
                f"call: offered to position '{self.position_code}', not '{position_code}'")
        self._move(CallState.CONNECTED, at, actor=call_taker)
        self.connected_at = at
        self.call_taker = call_taker

    def release(self, *, at: datetime, actor: str | None = None, reason: str | None = None) -> None:
        self._move(CallState.RELEASED, at, actor=actor, reason=reason)
        self.released_at = at

    def abandon(self, *, at: datetime) -> None:
        """The caller hung up before a call-taker answered."""
        self._move(CallState.ABANDONED, at, reason="caller_hung_up")
        self.abandoned_at = at

    def interrupt(self, *, at: datetime, reason: str) -> None:
        """A system fault ended the call (node crash, trunk loss)."""
        self._move(CallState.INTERRUPTED, at, reason=reason)
        self.interrupted_at = at

    # -- what the call turned out to be -----------------------------------
    def dispose(self, disposition: Disposition, *, by: str, at: datetime) -> None:
        if self.connected_at is None:
            raise DomainError(
                f"call: a disposition needs an answered call; this one is '{self.state.value}'")
        check_aware(at)
        before = self.disposition.value if self.disposition else None
        self.disposition = disposition
        self.events.append(events.CallDisposed(
            aggregate_id=str(self.id), at=at, actor=by, before=before, after=disposition.value))

    def link_incident(self, incident_id: uuid.UUID, *, by: str, at: datetime) -> None:
        check_aware(at)
        before = str(self.incident_id) if self.incident_id else None
        self.incident_id = incident_id
        self.events.append(events.CallLinkedToIncident(
            aggregate_id=str(self.id), at=at, actor=by, before=before, after=str(incident_id)))

    # -- derived figures --------------------------------------------------
    @property
    def ended_at(self) -> datetime | None:
        return self.released_at or self.abandoned_at or self.interrupted_at

    @property
    def answered(self) -> bool:
        return self.connected_at is not None

    @property
    def wait_seconds(self) -> float | None:
        """From arrival to answer, or to the end for a call never answered."""
        end = self.connected_at or self.ended_at
        return None if end is None else (end - self.received_at).total_seconds()

    @property
    def talk_seconds(self) -> float | None:
        if self.connected_at is None:
            return None
        end = self.released_at or self.interrupted_at
        return None if end is None else (end - self.connected_at).total_seconds()

    def is_valid(self, valid_call_seconds: float = DEFAULT_VALID_CALL_SECONDS) -> bool:
        """The center's evaluation: answered, talked more than the threshold, not a nuisance."""
        talk = self.talk_seconds
        if talk is None or talk <= valid_call_seconds:
            return False
        return self.disposition not in NUISANCE_DISPOSITIONS

    def _latest_step(self) -> datetime:
        # The recorded moves count too: a re-queue sets no timestamp field of its own.
        steps = [self.received_at, self.screening_at, self.queued_at, self.offered_at,
                 self.connected_at, self.ended_at,
                 *(e.at for e in self.events if isinstance(e, events.CallStateChanged))]
        return max(s for s in steps if s is not None)

    def _move(self, target: CallState, at: datetime, *, actor: str | None = None,
              reason: str | None = None, data: dict[str, str] | None = None) -> None:
        check_transition("call", CALL_TRANSITIONS, self.state, target)
        check_not_before("call", at, self._latest_step())
        before, self.state = self.state, target
        self.events.append(events.CallStateChanged(
            aggregate_id=str(self.id), at=at, actor=actor, reason=reason,
            before=before.value, after=target.value, data=dict(data or {})))
