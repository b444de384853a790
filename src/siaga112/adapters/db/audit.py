"""The hash chain over the event log: append in order, and verify it end to end."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.domain.events import DomainEvent

GENESIS = "0" * 64
HASHED_FIELDS = ("id", "occurred_at", "recorded_at", "aggregate", "aggregate_id", "event_type",
                 "before", "after", "actor", "reason", "data")


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    content = json.dumps([_canonical(row[f]) for f in HASHED_FIELDS], sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def append_events(session: Session, events: Sequence[DomainEvent], *, recorded_at: datetime) -> None:
    """Append rows after the chain's head; the head row is locked until commit."""
    if not events:
        return
    head = tables.audit_head.c
    last_id, last_hash = session.execute(
        sa.select(head.last_id, head.last_hash).where(head.id == 1).with_for_update()).one()
    rows = []
    for event in events:
        last_id += 1
        prev_hash = last_hash
        row = {"id": last_id, "occurred_at": event.at, "recorded_at": recorded_at,
               "aggregate": event.aggregate, "aggregate_id": event.aggregate_id,
               "event_type": type(event).__name__, "before": event.before, "after": event.after,
               "actor": event.actor, "reason": event.reason, "data": event.data}
        last_hash = row_hash(last_hash, row)
        rows.append({**row, "prev_hash": prev_hash, "hash": last_hash})
    session.execute(sa.insert(tables.event_log), rows)
    session.execute(sa.update(tables.audit_head).where(head.id == 1)
                    .values(last_id=last_id, last_hash=last_hash))


@dataclass(frozen=True)
class Finding:
    row_id: int
    problem: str  # "edited", "inserted", "deleted", "head"

    def __str__(self) -> str:
        return f"event log row {self.row_id}: {self.problem}"


def verify_chain(conn: Connection, *, batch: int = 5000) -> tuple[int, Finding | None]:
    """Walk the log in id order; return rows checked and the first problem found."""
    e = tables.event_log.c
    expected_prev, expected_id, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = conn.execute(sa.select(tables.event_log).where(e.id > last_id)
                            .order_by(e.id).limit(batch)).mappings().all()
        if not rows:
            break
        for row in rows:
            finding = _check(dict(row), expected_id, expected_prev)
            if finding:
                return checked, finding
            expected_prev, expected_id, last_id = row["hash"], row["id"] + 1, row["id"]
            checked += 1
    head = conn.execute(sa.select(tables.audit_head).where(tables.audit_head.c.id == 1)).one()
    if head.last_id != last_id or head.last_hash != expected_prev:
        return checked, Finding(last_id + 1, "deleted (the log ends before its recorded head)")
    return checked, None


def _check(row: dict[str, Any], expected_id: int, expected_prev: str) -> Finding | None:
    content_ok = row_hash(row["prev_hash"], row) == row["hash"]
    if row["id"] != expected_id:
        return Finding(expected_id, f"deleted (next row present is {row['id']})")
    if not content_ok:
        return Finding(row["id"], "edited (its content no longer matches its hash)")
    if row["prev_hash"] != expected_prev:
        return Finding(row["id"], "inserted or re-chained (it does not follow the previous row)")
    return None
