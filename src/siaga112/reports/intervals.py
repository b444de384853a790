"""Response intervals: call received -> answered -> verified -> dispatched -> on scene -> clear.

Per verified emergency of the period: *received* and *answered* are those of its first
linked call, then the incident's own `verified_at`, `dispatched_at` (first unit
dispatched), `on_scene_at` and `resolved_at` (clear). Each step counts where both ends
are known and in order; p50/p90 are nearest-rank percentiles of whole seconds rounded
up, computed in SQL per step, overall, per incident type and per agency (attribution.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, incidents
from siaga112.config import CenterConfig
from siaga112.reports.attribution import incident_agencies
from siaga112.reports.incident_counts import verified
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import EPSILON

STEPS = (
    ("received_to_answered", "received_at", "answered_at"),
    ("answered_to_verified", "answered_at", "verified_at"),
    ("verified_to_dispatched", "verified_at", "dispatched_at"),
    ("dispatched_to_on_scene", "dispatched_at", "on_scene_at"),
    ("on_scene_to_clear", "on_scene_at", "resolved_at"),
    ("received_to_on_scene", "received_at", "on_scene_at"),
)
STEP_NAMES = tuple(name for name, _, _ in STEPS)


def _empty() -> dict[str, Any]:
    return {"count": 0, "mean_seconds": None, "p50_seconds": None, "p90_seconds": None}


def response_intervals(conn: sa.Connection, *, period: Period, ts: TimeSql,
                       center: CenterConfig) -> dict[str, Any]:
    i, c = incidents.c, calls.c
    chosen = sa.select(i.id).where(verified(period))
    first_call = (
        sa.select(c.incident_id, sa.func.min(c.received_at).label("received_at"),
                  sa.func.min(c.connected_at).label("answered_at"))
        .where(c.incident_id.in_(chosen)).group_by(c.incident_id).subquery("first_call"))
    base = (
        sa.select(i.id, i.type_code, first_call.c.received_at, first_call.c.answered_at,
                  i.verified_at, i.dispatched_at, i.on_scene_at, i.resolved_at)
        .outerjoin(first_call, first_call.c.incident_id == i.id)
        .where(verified(period)).cte("base"))
    steps = sa.union_all(*[
        sa.select(base.c.id, base.c.type_code, sa.literal(name, sa.String).label("step"),
                  ts.whole_seconds_up(base.c[start], base.c[end]).label("up"),
                  ts.seconds(base.c[start], base.c[end]).label("exact"))
        .where(base.c[start].is_not(None), base.c[end].is_not(None), base.c[end] >= base.c[start])
        for name, start, end in STEPS]).cte("steps")
    attributed = incident_agencies(center)
    grouped = sa.union_all(
        sa.select(sa.literal("all", sa.String).label("dim"), sa.literal("", sa.String).label("key"),
                  steps.c.step, steps.c.up, steps.c.exact),
        sa.select(sa.literal("type", sa.String), steps.c.type_code, steps.c.step, steps.c.up,
                  steps.c.exact),
        sa.select(sa.literal("agency", sa.String), attributed.c.agency_code, steps.c.step,
                  steps.c.up, steps.c.exact)
        .join_from(steps, attributed, attributed.c.incident_id == steps.c.id),
    ).subquery("grouped")
    g = grouped.c
    ranked = sa.select(g.dim, g.key, g.step, g.up, g.exact, sa.func.cume_dist().over(
        partition_by=[g.dim, g.key, g.step], order_by=g.up).label("cd")).subquery("ranked")
    r = ranked.c

    def at_least(p: float) -> sa.ColumnElement[Any]:
        return sa.func.min(sa.case((r.cd >= p - EPSILON, r.up)))

    rows = conn.execute(sa.select(r.dim, r.key, r.step, sa.func.count(), sa.func.sum(r.exact),
                                  at_least(0.5), at_least(0.9)).group_by(r.dim, r.key, r.step))
    result: dict[str, Any] = {
        "steps": list(STEP_NAMES),
        "overall": {name: _empty() for name in STEP_NAMES},
        "by_agency": {},
        "by_type": {},
    }
    for dim, key, step, n, exact, p50, p90 in rows:
        figures = {"count": int(n), "mean_seconds": round(float(exact) / n, 1),
                   "p50_seconds": int(p50), "p90_seconds": int(p90)}
        if dim == "all":
            result["overall"][step] = figures
        else:
            target = result["by_agency" if dim == "agency" else "by_type"]
            target.setdefault(key, {name: _empty() for name in STEP_NAMES})[step] = figures
    return result
