"""Callback tasks: a caller who was not answered (hung up in the queue, or the call was cut
by a fault) is called back. One open task per number; more missed calls add to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from siaga112.domain import events
from siaga112.domain.errors import InvalidValue
from siaga112.domain.lifecycle import check_aware, check_transition


class CallbackStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


CALLBACK_TRANSITIONS = {
    CallbackStatus.OPEN: frozenset({CallbackStatus.DONE, CallbackStatus.CANCELLED}),
    CallbackStatus.DONE: frozenset(),
    CallbackStatus.CANCELLED: frozenset(),
}


class CallbackReason(StrEnum):
    ABANDONED = "abandoned"  # hung up while waiting in the queue
    INTERRUPTED = "interrupted"  # a fault ended the call (restart, overload, lost dialog)


@dataclass(eq=False, kw_only=True)
class CallbackTask:
    id: uuid.UUID
    caller_number: str
    reason: CallbackReason
    first_call_id: uuid.UUID
    last_call_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    missed_calls: int = 1
    status: CallbackStatus = CallbackStatus.OPEN
    # Equals caller_number while open, empty after: a unique column, so the database
    # itself keeps one open task per number.
    open_number: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    note: str | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, *, caller_number: str, call_id: uuid.UUID, reason: CallbackReason,
             at: datetime) -> CallbackTask:
        check_aware(at)
        if not caller_number:
            raise InvalidValue("a callback needs the caller's number")
        task = cls(id=uuid.uuid4(), caller_number=caller_number, reason=reason,
                   first_call_id=call_id, last_call_id=call_id, created_at=at, updated_at=at,
                   open_number=caller_number)
        task.events.append(events.CallbackTaskChanged(
            aggregate_id=str(task.id), at=at, after=CallbackStatus.OPEN.value,
            reason=reason.value, data={"call": str(call_id)}))
        return task

    def add_missed_call(self, call_id: uuid.UUID, *, at: datetime) -> None:
        check_aware(at)
        self.last_call_id, self.updated_at = call_id, at
        self.missed_calls += 1
        self.events.append(events.CallbackTaskChanged(
            aggregate_id=str(self.id), at=at, before=self.status.value, after=self.status.value,
            reason="another_missed_call", data={"call": str(call_id)}))

    def close(self, status: CallbackStatus, *, by: str, at: datetime,
              note: str | None = None) -> None:
        check_aware(at)
        check_transition("callback", CALLBACK_TRANSITIONS, self.status, status)
        before, self.status = self.status, status
        self.open_number, self.done_at, self.done_by, self.note = None, at, by, note
        self.updated_at = at
        self.events.append(events.CallbackTaskChanged(
            aggregate_id=str(self.id), at=at, actor=by, before=before.value, after=status.value))
