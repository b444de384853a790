"""Response intervals: call received -> answered -> verified -> dispatched -> on scene -> clear.

Per verified emergency of the period: *received* and *answered* are those of its first
linked call, then the incident's own `verified_at`, `dispatched_at` (first unit
dispatched), `on_scene_at` and `resolved_at` (clear). Each step counts where both ends
are known and in order; p50/p90 are nearest-rank percentiles of whole seconds rounded
up, per step, overall, per incident type and per agency (attribution.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, incidents
from siaga112.config import CenterConfig
from siaga112.reports.attribution import incident_agencies
from siaga112.reports.incident_counts import Attribution, verified
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


UNKNOWN = -1  # a step not measured (an end missing, or out of order); measured ones are >= 0


@dataclass(frozen=True)
class Emergencies:
    """The period's verified emergencies, read once (one row each): local day, type,
    agencies (attribution.py), and each step in whole seconds up and exact seconds."""

    days: list[int]
    types: list[str]
    agencies: list[list[str]]
    whole: np.ndarray  # (emergencies, steps); UNKNOWN where not measured
    exact: np.ndarray

    def attribution(self) -> Attribution:
        return Attribution(dict(enumerate(self.days)), dict(enumerate(self.agencies)))


def read_emergencies(conn: sa.Connection, *, period: Period, ts: TimeSql,
                     center: CenterConfig) -> Emergencies:
    i, c = incidents.c, calls.c
    chosen = sa.select(i.id).where(verified(period))
    first_call = (
        sa.select(c.incident_id, sa.func.min(c.received_at).label("received_at"),
                  sa.func.min(c.connected_at).label("answered_at"))
        # `is not None` first: a few percent of the calls have an incident, and saying so
        # lets PostgreSQL read them from ix_calls_incident_id instead of the whole year.
        .where(c.incident_id.is_not(None), c.incident_id.in_(chosen))
        .group_by(c.incident_id).subquery("first_call"))
    attributed = incident_agencies(center)
    codes = attributed.c.agency_code
    joined = (sa.func.string_agg(codes, sa.literal_column("','")) if ts.postgresql
              else sa.func.group_concat(codes, ","))  # codes are [a-z0-9_-]: no comma
    agencies = (sa.select(attributed.c.incident_id, joined.label("codes"))
                .where(attributed.c.incident_id.in_(chosen))
                .group_by(attributed.c.incident_id).subquery("agencies"))
    moments = {"received_at": first_call.c.received_at, "answered_at": first_call.c.answered_at,
               "verified_at": i.verified_at, "dispatched_at": i.dispatched_at,
               "on_scene_at": i.on_scene_at, "resolved_at": i.resolved_at}
    whole, exact = [], []
    for _name, start, end in STEPS:
        a, b = moments[start], moments[end]
        known = a.is_not(None) & b.is_not(None) & (b >= a)
        whole.append(sa.case((known, ts.whole_seconds_up(a, b)), else_=UNKNOWN))
        exact.append(sa.case((known, ts.seconds(a, b)), else_=UNKNOWN))
    # One row per verified emergency (a few percent of the calls), its steps already
    # measured in SQL; the percentiles of a few thousand values are then cut in Python.
    rows = conn.execute(
        sa.select(ts.hour_index(i.created_at) // 24, i.type_code, agencies.c.codes,
                  *whole, *exact)
        .outerjoin(first_call, first_call.c.incident_id == i.id)
        .outerjoin(agencies, agencies.c.incident_id == i.id)
        .where(verified(period))).all()
    steps = len(STEPS)
    numbers = np.array([row[3:] for row in rows], dtype=float).reshape(len(rows), 2 * steps)
    return Emergencies(days=[int(row[0]) for row in rows], types=[row[1] for row in rows],
                       agencies=[row[2].split(",") if row[2] else [] for row in rows],
                       whole=numbers[:, :steps], exact=numbers[:, steps:])


def response_intervals(conn: sa.Connection, *, period: Period, ts: TimeSql,
                       center: CenterConfig,
                       emergencies: Emergencies | None = None) -> dict[str, Any]:
    """`emergencies`: read_emergencies' rows, if the caller already has them."""
    found = emergencies or read_emergencies(conn, period=period, ts=ts, center=center)
    members: dict[tuple[str, str], list[int]] = defaultdict(list)  # group -> row numbers
    members[("all", "")] = list(range(len(found.types)))
    for n, (type_code, codes) in enumerate(zip(found.types, found.agencies, strict=True)):
        members[("type", type_code)].append(n)
        for agency in codes:
            members[("agency", agency)].append(n)

    # A group's figures are array slices, not Python loops over every incident.
    def figures(group: list[int]) -> dict[str, dict[str, Any]]:
        index = np.asarray(group, dtype=np.intp)
        whole, exact = found.whole[index], found.exact[index]
        result = {}
        for k, name in enumerate(STEP_NAMES):
            measured = whole[:, k] >= 0
            result[name] = _figures(whole[measured, k], float(exact[measured, k].sum()))
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


def _figures(values: np.ndarray, total: float) -> dict[str, Any]:
    """count, mean and nearest-rank p50/p90 of one step's whole seconds."""
    n = len(values)
    if n == 0:
        return _empty()
    p50, p90 = rank(0.5, n) - 1, rank(0.9, n) - 1
    ranked = np.partition(values, [p50, p90])  # those two in their sorted places, no sort
    return {"count": n, "mean_seconds": round(total / n, 1),
            "p50_seconds": int(ranked[p50]), "p90_seconds": int(ranked[p90])}
