"""Repositories of the telephony issue: callback tasks and the SIP facts of calls."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.repositories import _Tracking
from siaga112.adapters.db.tables_telephony import callback_tasks, sip_calls
from siaga112.domain.callbacks import CallbackStatus, CallbackTask
from siaga112.domain.calls import ENDED_STATES, CallState
from siaga112.domain.phone import mask_number


class SqlCallbackRepository(_Tracking):
    def get(self, task_id: uuid.UUID, *, for_update: bool = False) -> CallbackTask | None:
        return self._get(CallbackTask, task_id, for_update)

    def open_for(self, caller_number: str) -> CallbackTask | None:
        query = sa.select(CallbackTask).where(callback_tasks.c.open_number == caller_number)
        return self._track(self.session.scalars(query.with_for_update()).first())

    def purge_numbers(self, *, before: datetime | None) -> int:
        """Mask the number of closed tasks created before the cutoff."""
        if before is None:
            return 0
        t = callback_tasks.c
        rows = self.session.execute(sa.select(t.id, t.caller_number).where(
            t.created_at < before, t.status != CallbackStatus.OPEN.value,
            ~t.caller_number.contains("*"))).all()
        if rows:
            self.session.execute(
                sa.update(callback_tasks).where(t.id == sa.bindparam("row_id"))
                .values(caller_number=sa.bindparam("masked")),
                [{"row_id": r.id, "masked": mask_number(r.caller_number)} for r in rows])
        return len(rows)

    def list(self, *, status: CallbackStatus | None = CallbackStatus.OPEN,
             limit: int = 100) -> Sequence[CallbackTask]:
        query = sa.select(CallbackTask).order_by(callback_tasks.c.created_at).limit(limit)
        if status is not None:
            query = query.where(callback_tasks.c.status == status.value)
        return list(self.session.scalars(query))


LIVE_STATES = [s.value for s in CallState if s not in ENDED_STATES]
SIP_COLUMNS = ("call_id", "sip_call_id", "identity_header", "identity_raw", "remote",
               "location_status", "refused_with")
INSERT_SIP_CALL = sa.insert(sip_calls).values({n: sa.bindparam(f"b_{n}") for n in SIP_COLUMNS})


def sip_call_row(*, call_id: uuid.UUID, sip_call_id: str, identity_header: str | None,
                 identity_raw: str | None, remote: str | None, location_status: str | None,
                 refused_with: int | None = None) -> dict[str, Any]:
    return {"b_call_id": call_id, "b_sip_call_id": sip_call_id[:200],
            "b_identity_header": identity_header,
            "b_identity_raw": identity_raw[:1000] if identity_raw else None,
            "b_remote": remote[:80] if remote else None,
            "b_location_status": location_status[:200] if location_status else None,
            "b_refused_with": refused_with}


class SqlSipCallRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def add(self, *, call_id: uuid.UUID, sip_call_id: str, identity_header: str | None,
            identity_raw: str | None, remote: str | None, location_status: str | None,
            refused_with: int | None = None) -> None:
        self.session.execute(INSERT_SIP_CALL, sip_call_row(
            call_id=call_id, sip_call_id=sip_call_id, identity_header=identity_header,
            identity_raw=identity_raw, remote=remote, location_status=location_status,
            refused_with=refused_with))

    def get(self, call_id: uuid.UUID) -> dict[str, Any] | None:
        row = self.session.execute(sa.select(sip_calls).where(
            sip_calls.c.call_id == call_id)).mappings().first()
        return dict(row) if row else None

    def set_location_status(self, call_id: uuid.UUID, status: str) -> None:
        self.session.execute(sa.update(sip_calls).where(sip_calls.c.call_id == call_id)
                             .values(location_status=status[:200]))

    def live_call_ids(self) -> Sequence[uuid.UUID]:
        """SIP calls not ended: after a restart, their dialogs are gone."""
        c = tables.calls.c
        query = (sa.select(c.id).join(sip_calls, sip_calls.c.call_id == c.id)
                 .where(c.state.in_(LIVE_STATES)).order_by(c.received_at))
        return list(self.session.scalars(query))

    def purge_identities(self, *, before: datetime | None) -> int:
        """Forget the identity header of calls received before the cutoff."""
        if before is None:
            return 0
        old = sa.select(tables.calls.c.id).where(tables.calls.c.received_at < before)
        return int(self.session.execute(
            sa.update(sip_calls).where(sip_calls.c.call_id.in_(old),
                                       sip_calls.c.identity_raw.is_not(None))
            .values(identity_raw=None), execution_options={"synchronize_session": False}).rowcount)
