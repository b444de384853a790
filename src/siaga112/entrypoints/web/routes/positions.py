"""Positions (log in, ready, not ready, log out) and callback tasks, through the API.

A call-taker acts on the position they are logged in at (and may log in at a free one);
a supervisor acts on any. The consoles that use these come in a later issue.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from siaga112.domain.accounts import Role
from siaga112.domain.callbacks import CallbackStatus, CallbackTask
from siaga112.domain.errors import Conflict, NotFound
from siaga112.domain.events import PersonalDataViewed
from siaga112.domain.phone import mask_number
from siaga112.domain.positions import Position, PositionState
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.errors import ApiError
from siaga112.services import commands as c

router = APIRouter(prefix=API, tags=["positions"], dependencies=[Authorized])
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PositionLogin(_In):
    operator: Username | None = None  # a supervisor may name who sits there; else yourself


class PositionNotReady(_In):
    reason: Reason


class PositionPublic(BaseModel):
    code: str
    name: str
    state: PositionState
    state_since: datetime | None
    operator: str | None
    not_ready_reason: str | None
    idle_since: datetime | None
    has_phone: bool

    @classmethod
    def of(cls, p: Position) -> PositionPublic:
        return cls(code=p.code, name=p.name, state=p.state, state_since=p.state_since,
                   operator=p.operator, not_ready_reason=p.not_ready_reason,
                   idle_since=p.idle_since, has_phone=bool(p.sip_uri))


class CallbackClose(_In):
    done: bool = True  # false: cancelled (e.g. the number is a known prank line)
    note: Note | None = None


class CallbackPublic(BaseModel):
    id: uuid.UUID
    caller_number: str
    reason: str
    status: CallbackStatus
    missed_calls: int
    first_call_id: uuid.UUID
    last_call_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    done_by: str | None
    note: str | None

    @classmethod
    def of(cls, t: CallbackTask, *, reveal: bool = False) -> CallbackPublic:
        return cls(id=t.id, caller_number=t.caller_number if reveal else mask_number(
            t.caller_number), reason=t.reason.value, status=t.status,
            missed_calls=t.missed_calls, first_call_id=t.first_call_id,
            last_call_id=t.last_call_id, created_at=t.created_at, updated_at=t.updated_at,
            done_at=t.done_at, done_by=t.done_by, note=t.note)


def _position(siaga: SiagaDep, code: str) -> Position:
    with siaga.uow() as uow:
        position = uow.positions.get(code)
    if position is None:
        raise NotFound(f"no position '{code}'")
    return position


def _own(siaga: SiagaDep, code: str, user: Person) -> Position:
    position = _position(siaga, code)
    if user.role is Role.CALL_TAKER and position.operator != user.username:
        raise ApiError(403, "forbidden", f"position {code} is not yours")
    return position


@router.get("/positions")
def list_positions(_: Person, siaga: SiagaDep) -> list[PositionPublic]:
    with siaga.uow() as uow:
        return [PositionPublic.of(p) for p in uow.positions.list()]


@router.post("/positions/{code}/login")
def log_in(code: str, body: PositionLogin, user: Person, siaga: SiagaDep) -> PositionPublic:
    operator = user.username
    if body.operator and body.operator != user.username:
        if user.role is not Role.SUPERVISOR:
            raise ApiError(403, "forbidden", "only a supervisor logs in someone else")
        operator = body.operator
    with siaga.uow() as uow:
        elsewhere = [p.code for p in uow.positions.list() if p.operator == operator]
    if elsewhere:
        raise Conflict(f"'{operator}' is already logged in at position {elsewhere[0]}")
    siaga.bus.handle(c.LogInPosition(position_code=_position(siaga, code).code,
                                     operator=operator))
    return PositionPublic.of(_position(siaga, code))


@router.post("/positions/{code}/ready")
def set_ready(code: str, user: Person, siaga: SiagaDep) -> PositionPublic:
    siaga.bus.handle(c.SetPositionReady(position_code=_own(siaga, code, user).code))
    return PositionPublic.of(_position(siaga, code))


@router.post("/positions/{code}/not-ready")
def set_not_ready(code: str, body: PositionNotReady, user: Person,
                  siaga: SiagaDep) -> PositionPublic:
    siaga.bus.handle(c.SetPositionNotReady(position_code=_own(siaga, code, user).code,
                                           reason=body.reason))
    return PositionPublic.of(_position(siaga, code))


@router.post("/positions/{code}/logout")
def log_out(code: str, user: Person, siaga: SiagaDep) -> PositionPublic:
    siaga.bus.handle(c.LogOutPosition(position_code=_own(siaga, code, user).code))
    return PositionPublic.of(_position(siaga, code))


@router.get("/callbacks")
def list_callbacks(_: Person, siaga: SiagaDep, status: CallbackStatus | None = CallbackStatus.OPEN,
                   limit: int = Query(default=100, ge=1, le=1000)) -> list[CallbackPublic]:
    """Callers to call back, oldest first; numbers masked (open one task to see it)."""
    with siaga.uow() as uow:
        return [CallbackPublic.of(t) for t in uow.callbacks.list(status=status, limit=limit)]


@router.get("/callbacks/{task_id}")
def get_callback(task_id: uuid.UUID, user: Person, siaga: SiagaDep) -> CallbackPublic:
    """The full number to call back; every look is logged (UU 27/2022)."""
    with siaga.uow() as uow:
        task = uow.callbacks.get(task_id)
        if task is None:
            raise NotFound(f"no callback task {task_id}")
        uow.record(PersonalDataViewed(aggregate_id=str(task.id), at=siaga.clock.now(),
                                      actor=user.username, after="callback_number"))
        uow.commit()
    return CallbackPublic.of(task, reveal=True)


@router.post("/callbacks/{task_id}/close")
def close_callback(task_id: uuid.UUID, body: CallbackClose, user: Person,
                   siaga: SiagaDep) -> CallbackPublic:
    siaga.bus.handle(c.CloseCallbackTask(task_id=task_id, by=user.username, done=body.done,
                                         note=body.note))
    with siaga.uow() as uow:
        task = uow.callbacks.get(task_id)
    assert task is not None
    return CallbackPublic.of(task)
