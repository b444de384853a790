"""Response intervals: call received -> answered -> verified -> dispatched -> on scene -> clear.

Per verified emergency of the period: *received* and *answered* are those of its first
linked call, then the incident's own `verified_at`, `dispatched_at` (first unit
dispatched), `on_scene_at` and `resolved_at` (clear). Each step counts where both ends
are known and in order; p50/p90 are nearest-rank percentiles of whole seconds rounded
up, per step, overall, per incident type and per agency (attribution.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, incidents
from siaga112.config import CenterConfig
from siaga112.reports.attribution import incident_agencies
from siaga112.reports.incident_counts import verified
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import rank

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
        # `is not None` first: a few percent of the calls have an incident, and saying so
        # lets PostgreSQL read them from ix_calls_incident_id instead of the whole year.
        .where(c.incident_id.is_not(None), c.incident_id.in_(chosen))
        .group_by(c.incident_id).subquery("first_call"))
    moments = {"received_at": first_call.c.received_at, "answered_at": first_call.c.answered_at,
               "verified_at": i.verified_at, "dispatched_at": i.dispatched_at,
               "on_scene_at": i.on_scene_at, "resolved_at": i.resolved_at}
    columns = []
    for _name, start, end in STEPS:
        a, b = moments[start], moments[end]
        known = a.is_not(None) & b.is_not(None) & (b >= a)
        columns += [sa.case((known, ts.whole_seconds_up(a, b))),
                    sa.case((known, ts.seconds(a, b)))]
    # One row per verified emergency (a few percent of the calls), its steps already
    # measured in SQL; the percentiles of a few thousand values are then cut in Python.
    # Ids as text: the same on both sides of the match below, and no UUID objects to build.
    rows = conn.execute(sa.select(sa.cast(i.id, sa.String), i.type_code, *columns)
                        .outerjoin(first_call, first_call.c.incident_id == i.id)
                        .where(verified(period))).all()
    attributed = incident_agencies(center)
    agencies: dict[str, list[str]] = defaultdict(list)
    for incident_id, agency in conn.execute(
            sa.select(sa.cast(attributed.c.incident_id, sa.String), attributed.c.agency_code)
            .where(attributed.c.incident_id.in_(chosen))).all():
        agencies[incident_id].append(agency)
    members: dict[tuple[str, str], list[int]] = defaultdict(list)  # group -> row numbers
    for n, row in enumerate(rows):
        members[("all", "")].append(n)
        members[("type", row[1])].append(n)
        for agency in agencies[row[0]]:
            members[("agency", agency)].append(n)
    # Each step as two arrays (whole seconds up, exact seconds; NaN where not measured):
    # a group's figures are then array slices, not Python loops over every incident.
    columns_of = [(_array([r[2 + 2 * k] for r in rows], whole=True),
                   _array([r[3 + 2 * k] for r in rows], whole=False))
                  for k in range(len(STEP_NAMES))]

    def figures(group: list[int]) -> dict[str, dict[str, Any]]:
        index = np.asarray(group, dtype=np.intp)
        result = {}
        for name, (ups, exact) in zip(STEP_NAMES, columns_of, strict=True):
            mine = ups[index]
            measured = ~np.isnan(mine)
            result[name] = _figures([int(v) for v in np.sort(mine[measured])],
                                    float(exact[index][measured].sum()))
        return result

    result: dict[str, Any] = {
        "steps": list(STEP_NAMES),
        "overall": figures(members[("all", "")]),
        "by_agency": {}, "by_type": {},
    }
    for (dim, key), group in sorted(members.items()):
        if dim != "all":
            result["by_agency" if dim == "agency" else "by_type"][key] = figures(group)
    return result


def _array(values: list[Any], *, whole: bool) -> np.ndarray:
    """NULL as NaN; whole seconds clipped at 0 (a step measured backwards is not negative)."""
    array = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    return np.maximum(array, 0.0) if whole else array


def _figures(ordered: list[int], total: float) -> dict[str, Any]:
    """count, mean and nearest-rank p50/p90 of one step's sorted whole seconds."""
    n = len(ordered)
    if n == 0:
        return _empty()
    return {"count": n, "mean_seconds": round(total / n, 1),
            "p50_seconds": ordered[rank(0.5, n) - 1], "p90_seconds": ordered[rank(0.9, n) - 1]}
