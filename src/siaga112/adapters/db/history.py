"""Imported call history into the calls table, in bulk, with one event-log row per call.

Each batch is one transaction: the ids already stored are looked up, the new calls go
in with their historical times and end state (COPY on PostgreSQL), and each gets a
`CallImported` row in the event log's hash chain saying where it came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.adapters.db.audit import append_events
from siaga112.adapters.db.bulk import insert_rows
from siaga112.domain.calls import CallState, Channel
from siaga112.domain.phone import CallerNumber
from siaga112.services.history import CallImported, HistoricCall, Outcome

IMPORT_ACTOR = "import"
LOOKUP_CHUNK = 500


class SqlCallHistoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, calls: Sequence[HistoricCall], *, source: str,
              recorded_at: datetime) -> int:
        with Session(self.engine) as session, session.begin():
            conn = session.connection()
            known = self._known(conn, [c.external_id for c in calls])
            new = [(uuid.uuid4(), c) for c in calls if c.external_id not in known]
            insert_rows(conn, tables.calls, (call_row(call_id, c) for call_id, c in new))
            append_events(session, [imported(call_id, c, source=source) for call_id, c in new],
                          recorded_at=recorded_at)
        return len(new)

    @staticmethod
    def _known(conn: sa.Connection, ids: list[str]) -> set[str]:
        external = tables.calls.c.external_id
        found: set[str] = set()
        for i in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[i:i + LOOKUP_CHUNK]
            found.update(conn.execute(sa.select(external).where(external.in_(chunk))).scalars())
        return found


def call_row(call_id: uuid.UUID, c: HistoricCall) -> dict[str, Any]:
    caller = CallerNumber.parse(c.caller_raw)
    answered = c.answered_at is not None
    row: dict[str, Any] = {
        "id": call_id, "channel": Channel.VOICE, "caller_raw": c.caller_raw,
        "caller_number": caller.normalized, "external_id": c.external_id,
        "received_at": c.received_at, "screening_at": None, "queued_at": c.received_at,
        "offered_at": c.answered_at, "connected_at": c.answered_at, "released_at": None,
        "abandoned_at": None, "interrupted_at": None, "offer_count": 1 if answered else 0,
        "position_code": c.position_code if answered else None, "call_taker": None,
        "disposition": c.disposition, "incident_id": None, "version": 1,
    }
    if c.outcome is Outcome.SCREENED_OUT:
        row.update(state=CallState.RELEASED, screening_at=c.received_at, queued_at=None,
                   released_at=c.ended_at)
    elif c.outcome is Outcome.INTERRUPTED:
        row.update(state=CallState.INTERRUPTED, interrupted_at=c.ended_at)
    elif answered:
        row.update(state=CallState.RELEASED, released_at=c.ended_at)
    else:
        row.update(state=CallState.ABANDONED, abandoned_at=c.ended_at)
    return row


def imported(call_id: uuid.UUID, c: HistoricCall, *, source: str) -> CallImported:
    """Where the call came from; never the caller's number (that stays in the calls table)."""
    return CallImported(aggregate_id=str(call_id), at=c.ended_at, actor=IMPORT_ACTOR,
                        after=c.outcome.value,
                        data={"source": source, "external_id": c.external_id, "line": c.line})
