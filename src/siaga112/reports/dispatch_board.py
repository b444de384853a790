"""The dispatcher board's read model: the active incidents with their timers and units, and
the webhook deliveries that failed, in four queries whatever the number of incidents.

The answer-to-dispatch timer runs from the first linked call's answer (else, for an incident
opened without a call, from its opening) to its first unit sent; each priority has its target
(`[thresholds]` `answer_to_dispatch_seconds`, `answer_to_dispatch_by_priority`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import snapshot
from siaga112.adapters.db.tables import calls, incidents, units
from siaga112.adapters.db.tables_dispatch import unit_assignments, webhook_deliveries
from siaga112.config import Thresholds
from siaga112.domain.incidents import ACTIVE_STATUSES
from siaga112.domain.notifications import DeliveryStatus

PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}
FAILED_SHOWN = 50


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def dispatch_board(*, engine: Engine, thresholds: Thresholds) -> dict[str, Any]:
    i, c, a, u, d = (incidents.c, calls.c, unit_assignments.c, units.c, webhook_deliveries.c)
    active = i.status.in_(sorted(ACTIVE_STATUSES))
    with snapshot(engine) as conn:
        rows = conn.execute(sa.select(
            i.id, i.number, i.type_code, i.subtype_code, i.priority, i.status, i.created_at,
            i.verified_at, i.dispatched_at, i.on_scene_at, i.location_lat, i.location_lon,
            i.address, i.kelurahan, i.kecamatan).where(active)).all()
        first_calls = {row.incident_id: row for row in conn.execute(
            sa.select(c.incident_id, sa.func.min(c.received_at).label("received_at"),
                      sa.func.min(c.connected_at).label("answered_at"))
            .where(c.incident_id.in_(sa.select(i.id).where(active)))
            .group_by(c.incident_id))}
        serving: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(
                sa.select(a.incident_id, a.unit_code, a.agency_code, u.status,
                          a.acknowledged_at, a.dispatched_at, a.eta_seconds)
                .join(units, units.c.code == a.unit_code)
                .where(a.active_unit.is_not(None))  # active: its unique index finds them
                .order_by(a.dispatched_at, a.unit_code)):
            serving[row.incident_id].append({
                "unit": row.unit_code, "agency": row.agency_code, "status": str(row.status),
                "acknowledged": row.acknowledged_at is not None,
                "dispatched_at": _iso(row.dispatched_at), "eta_seconds": row.eta_seconds})
        failed = conn.execute(
            sa.select(d.id, d.incident_id, i.number, d.agency_code, d.attempts,
                      d.last_attempt_at, d.last_status_code, d.last_error)
            .join(incidents, i.id == d.incident_id)
            .where(d.status == DeliveryStatus.FAILED)
            .order_by(d.created_at.desc()).limit(FAILED_SHOWN)).all()
    failed_by_incident: dict[Any, int] = defaultdict(int)
    for row in failed:
        failed_by_incident[row.incident_id] += 1
    board = []
    for row in rows:
        first = first_calls.get(row.id)
        answered = first.answered_at if first is not None else None
        board.append({
            "id": str(row.id), "number": row.number, "type": row.type_code,
            "subtype": row.subtype_code, "priority": str(row.priority),
            "status": str(row.status), "created_at": _iso(row.created_at),
            "received_at": _iso(first.received_at if first is not None else None),
            "answered_at": _iso(answered), "timer_from": _iso(answered or row.created_at),
            "verified_at": _iso(row.verified_at), "dispatched_at": _iso(row.dispatched_at),
            "on_scene_at": _iso(row.on_scene_at),
            "target_seconds": thresholds.dispatch_target(str(row.priority)),
            "location": {"lat": row.location_lat, "lon": row.location_lon,
                         "address": row.address, "kelurahan": row.kelurahan,
                         "kecamatan": row.kecamatan},
            "units": serving.get(row.id, []),
            "failed_deliveries": failed_by_incident.get(row.id, 0),
        })
    # The most urgent first, then the one waiting longest.
    board.sort(key=lambda x: (PRIORITY_ORDER.get(x["priority"], 9), x["created_at"]))
    return {
        "incidents": board,
        "failed_deliveries": [{
            "id": str(r.id), "incident_id": str(r.incident_id), "number": r.number,
            "agency": r.agency_code, "attempts": r.attempts,
            "last_attempt_at": _iso(r.last_attempt_at), "last_status_code": r.last_status_code,
            "last_error": r.last_error} for r in failed],
    }
