"""Call-takers' positions: log in, ready, not ready (with a reason), log out; and the
callback tasks they work through."""

from __future__ import annotations

from siaga112.domain.callbacks import CallbackStatus
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, NotFound
from siaga112.domain.positions import Position, PositionState
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork


def _position(uow: UnitOfWork, code: str) -> Position:
    position = uow.positions.get(code, for_update=True)
    if position is None:
        raise NotFound(f"no position '{code}'")
    return position


def log_in_position(cmd: c.LogInPosition, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _position(uow, cmd.position_code).log_in(cmd.operator, at=clock.now())
        uow.commit()


def set_position_ready(cmd: c.SetPositionReady, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        position = _position(uow, cmd.position_code)
        if position.state is PositionState.RINGING:  # only the call's end frees a ring
            raise Conflict(f"position {position.code} is ringing: answer the call, or set "
                           "not ready to pass it on")
        position.set_ready(at=clock.now())
        uow.commit()


def set_position_not_ready(cmd: c.SetPositionNotReady, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _position(uow, cmd.position_code).set_not_ready(cmd.reason, at=clock.now())
        uow.commit()


def log_out_position(cmd: c.LogOutPosition, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        _position(uow, cmd.position_code).log_out(at=clock.now())
        uow.commit()


def close_callback_task(cmd: c.CloseCallbackTask, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        task = uow.callbacks.get(cmd.task_id, for_update=True)
        if task is None:
            raise NotFound(f"no callback task {cmd.task_id}")
        status = CallbackStatus.DONE if cmd.done else CallbackStatus.CANCELLED
        task.close(status, by=cmd.by, at=clock.now(), note=cmd.note)
        uow.commit()
