"""A unit of work for the SIP node's writer: live calls and positions kept in memory.

While the SIP node runs, its writer is the only one that changes the state of SIP calls
and of positions (the API's position commands go through it too: entrypoints/sip.py), so
it can keep those aggregates in memory instead of loading them for every step. Handlers
run unchanged against cache-backed repositories; at the end of a batch one executemany
writes the telephony columns of every call and position the batch touched (never the
columns the API owns: disposition, incident, chosen location), before the single commit.

A failed batch restores every touched aggregate from the snapshot taken when the batch
first touched it, so memory never runs ahead of the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.adapters.db.repositories_telephony import (
    INSERT_SIP_CALL,
    SqlCallbackRepository,
    SqlSipCallRepository,
    sip_call_row,
)
from siaga112.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from siaga112.domain.calls import Call
from siaga112.domain.clock import Clock
from siaga112.domain.events import DomainEvent
from siaga112.domain.positions import Position

CALL_COLUMNS = ("state", "screening_at", "queued_at", "offered_at", "connected_at",
                "released_at", "abandoned_at", "interrupted_at", "offer_count",
                "position_code", "call_taker")
NEW_CALL_COLUMNS = ("id", "channel", "caller_raw", "caller_number", "external_id",
                    "received_at", *CALL_COLUMNS)
POSITION_COLUMNS = ("state", "state_since", "operator", "not_ready_reason", "idle_since")
_c, _p = tables.calls, tables.positions
UPDATE_CALL = (sa.update(_c).where(_c.c.id == sa.bindparam("b_id"))
               .values({**{n: sa.bindparam(f"b_{n}") for n in CALL_COLUMNS},
                        "version": _c.c.version + 1}))
INSERT_CALL = sa.insert(_c).values({**{n: sa.bindparam(f"b_{n}") for n in NEW_CALL_COLUMNS},
                                    "version": 1})
BY_EXTERNAL_ID = sa.select(_c.c.id).where(_c.c.external_id == sa.bindparam("b_external_id"))
UPDATE_POSITION = (sa.update(_p).where(_p.c.code == sa.bindparam("b_code"))
                   .values({n: sa.bindparam(f"b_{n}") for n in POSITION_COLUMNS}))


class LiveState:
    """The writer's memory: live SIP calls and every position."""

    def __init__(self) -> None:
        self.calls: dict[uuid.UUID, Call] = {}
        self.by_external: dict[str, uuid.UUID] = {}
        self.positions: dict[str, Position] = {}

    def load_positions(self, engine: Engine) -> None:
        with Session(engine, expire_on_commit=False) as session:
            for position in session.scalars(sa.select(Position)):
                self.positions[position.code] = position
            session.expunge_all()

    def forget_ended(self, calls: list[Call]) -> None:
        for call in calls:
            if call.ended_at is not None:
                self.calls.pop(call.id, None)
                if call.external_id:
                    self.by_external.pop(call.external_id, None)


class _Batch:
    """What one batch touched, and how it was before."""

    def __init__(self) -> None:
        self.calls: dict[uuid.UUID, tuple[Call, dict[str, Any] | None]] = {}
        self.positions: dict[str, tuple[Position, dict[str, Any]]] = {}

    def touch_call(self, call: Call, *, new: bool = False) -> Call:
        if call.id not in self.calls:
            self.calls[call.id] = (call, None if new else
                                   {n: getattr(call, n) for n in CALL_COLUMNS})
        return call

    def touch_position(self, position: Position) -> Position:
        if position.code not in self.positions:
            self.positions[position.code] = (position, {n: getattr(position, n)
                                                        for n in POSITION_COLUMNS})
        return position


class _LiveCalls:
    def __init__(self, uow: WriteBehindUnitOfWork) -> None:
        self.uow = uow
        self.seen: set[Any] = set()

    def get(self, call_id: uuid.UUID, *, for_update: bool = False) -> Call | None:
        live = self.uow.live
        call = live.calls.get(call_id)
        if call is None:  # not live here (ended, or from before the start): from the database
            call = self.uow.session.get(Call, call_id)
            if call is None:
                return None
            self.uow.session.expunge(call)
            live.calls[call.id] = call
        self.seen.add(call)
        return self.uow.batch.touch_call(call)

    def by_external_id(self, external_id: str) -> Call | None:
        known = self.uow.live.by_external.get(external_id)
        # In a batch the node guarantees one INVITE per Call-ID and the unique external id
        # backs it up: a duplicate fails the batch, and alone (thorough) it is looked up.
        if known is None and self.uow.thorough:
            known = self.uow.session.execute(BY_EXTERNAL_ID,
                                             {"b_external_id": external_id}).scalar()
        return None if known is None else self.get(known)

    def add(self, call: Call) -> None:
        # Inserted with the batch (before anything that refers to it), in one executemany.
        live = self.uow.live
        live.calls[call.id] = call
        if call.external_id:
            live.by_external[call.external_id] = call.id
        self.seen.add(call)
        self.uow.batch.touch_call(call, new=True)
        self.uow.batch_new.append(call)

    def list(self, **_kw: Any) -> Sequence[Call]:
        raise NotImplementedError("the SIP writer does not list calls")

    def purge_numbers(self, *, before: Any) -> int:
        raise NotImplementedError


class _DeferredSipCalls(SqlSipCallRepository):
    """Rows are written with the batch, after the calls they belong to."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.rows: list[dict[str, Any]] = []

    def add(self, **values: Any) -> None:
        self.rows.append(sip_call_row(**values))


class _DeferredCallbacks(SqlCallbackRepository):
    """Flushed with the batch, after the calls they refer to are inserted."""

    def add(self, item: Any) -> None:
        self.session.add(item)
        self.seen.add(item)


class _LivePositions:
    def __init__(self, uow: WriteBehindUnitOfWork) -> None:
        self.uow = uow
        self.seen: set[Any] = set()

    def get(self, code: str, *, for_update: bool = False) -> Position | None:
        position = self.uow.live.positions.get(code)
        if position is None:
            return None
        self.seen.add(position)
        return self.uow.batch.touch_position(position)

    def list(self) -> Sequence[Position]:
        return [p for p in (self.get(code) for code in sorted(self.uow.live.positions))
                if p is not None]

    def add(self, position: Position) -> None:
        raise NotImplementedError("positions are added by syncing the center's file")


class WriteBehindUnitOfWork(SqlAlchemyUnitOfWork):
    """One transaction for a batch of commands; `with uow` and `commit()` of each handler
    only collect its events."""

    def __init__(self, engine: Engine, clock: Clock, live: LiveState, *,
                 thorough: bool = False) -> None:
        super().__init__(engine, clock)
        self.live = live
        self.thorough = thorough

    def open(self) -> None:
        super().__enter__()
        self.session.autoflush = False
        self.batch = _Batch()
        self.batch_new: list[Call] = []
        self.batch_events: list[DomainEvent] = []
        self.calls = _LiveCalls(self)  # type: ignore[assignment]
        self.sip_calls = _DeferredSipCalls(self.session)  # type: ignore[assignment]
        self.callbacks = _DeferredCallbacks(self.session)
        self.positions = _LivePositions(self)  # type: ignore[assignment]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def commit(self) -> None:
        pending = self._recorded
        self._recorded = []
        for aggregate in self._tracked():
            pending.extend(getattr(aggregate, "events", []))
            aggregate.events = []  # type: ignore[attr-defined]
        pending.sort(key=lambda e: e.at)
        self.batch_events.extend(pending)
        for repo in (self.calls, self.positions, self.callbacks):
            repo.seen.clear()  # the batch remembers what it touched; the next command starts clean

    def commit_batch(self) -> list[DomainEvent]:
        new = [{f"b_{n}": getattr(call, n) for n in NEW_CALL_COLUMNS} for call in self.batch_new]
        if new:
            self.session.execute(INSERT_CALL, new)
        if self.sip_calls.rows:
            self.session.execute(INSERT_SIP_CALL, self.sip_calls.rows)
        calls = [{"b_id": call.id, **{f"b_{n}": getattr(call, n) for n in CALL_COLUMNS}}
                 for call, before in self.batch.calls.values() if before is not None]
        if calls:
            self.session.execute(UPDATE_CALL, calls)
        positions = [{"b_code": p.code, **{f"b_{n}": getattr(p, n) for n in POSITION_COLUMNS}}
                     for p, _ in self.batch.positions.values()]
        if positions:
            self.session.execute(UPDATE_POSITION, positions)
        self.session.flush()  # what went through the ORM: location fixes, callback tasks
        events, self.batch_events = self.batch_events, []
        self.event_log.append_all(events, recorded_at=self._clock.now())
        self.session.commit()
        self.live.forget_ended([call for call, _ in self.batch.calls.values()])
        return events

    def restore(self) -> None:
        """The batch failed: memory goes back to what the database still holds."""
        for call, before in self.batch.calls.values():
            call.events = []  # type: ignore[attr-defined]
            if before is None:
                self.live.calls.pop(call.id, None)
                if call.external_id:
                    self.live.by_external.pop(call.external_id, None)
            else:
                for name, value in before.items():
                    setattr(call, name, value)
        for position, before in self.batch.positions.values():
            position.events = []  # type: ignore[attr-defined]
            for name, value in before.items():
                setattr(position, name, value)
        for aggregate in self.callbacks.seen:
            aggregate.events = []

    def close(self) -> None:
        super().__exit__()
