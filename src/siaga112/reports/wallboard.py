"""The supervisor's wallboard: the queue now, the positions, and today's service in figures.

"Today" is the center's day (midnight to midnight in its zone, WITA for Kendari). The day's
figures come from the reports' own two passes over the calls (call_counts.py), so the
wallboard and the evaluation report never disagree: the share answered within 15 s and
20 s is a share of the calls offered (answered + abandoned in queue), as NENA-STA-020.1
states its targets; the prank/silent share is a share of the answered calls, as in the
report's daily breakdown. Six queries, all aggregates, whatever the day's volume.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import snapshot
from siaga112.adapters.db.tables import calls, incidents, positions
from siaga112.config import CenterConfig
from siaga112.domain.calls import CallState, Disposition
from siaga112.domain.incidents import ACTIVE_STATUSES
from siaga112.domain.positions import PositionState
from siaga112.reports import call_counts
from siaga112.reports.period import Period
from siaga112.reports.service_level import service_levels
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import share

# A caller waits for a call-taker from arrival until the answer (screening is the machine's).
WAITING_STATES = (CallState.RECEIVED, CallState.QUEUED, CallState.OFFERED)


def wallboard(*, engine: Engine, center: CenterConfig, now: datetime) -> dict[str, Any]:
    day = now.astimezone(center.zone).date()
    period = Period(day, day, center.zone)
    thresholds = center.thresholds
    with snapshot(engine) as conn:
        ts = TimeSql(conn.dialect.name, period.offsets())
        hours = call_counts.hourly_counts(conn, period=period, ts=ts,
                                          valid_call_seconds=thresholds.valid_call_seconds)
        buckets = call_counts.answer_histogram(conn, period=period, ts=ts)
        waiting, oldest = conn.execute(
            sa.select(sa.func.count(), sa.func.min(calls.c.received_at))
            .where(calls.c.state.in_(WAITING_STATES))).one()
        by_state = dict(conn.execute(
            sa.select(positions.c.state, sa.func.count()).group_by(positions.c.state)).all())
        by_type = conn.execute(
            sa.select(incidents.c.type_code, sa.func.count())
            .where(incidents.c.status.in_(sorted(ACTIVE_STATUSES)))
            .group_by(incidents.c.type_code)
            .order_by(sa.func.count().desc(), incidents.c.type_code)).all()
    totals = call_counts.total(h.counts for h in hours)
    service = service_levels(hours=hours, buckets=buckets,
                             thresholds=thresholds.service_level_seconds,
                             targets=thresholds.service_level_targets)
    overall = service["overall"]
    prank, silent = (totals.by_disposition[d.value] for d in (Disposition.PRANK, Disposition.SILENT))
    oldest_at = oldest if waiting else None
    return {
        "now": now.isoformat(),
        "day": day.isoformat(),
        "queue": {
            "waiting": int(waiting),
            "oldest_received_at": oldest_at.isoformat() if oldest_at else None,
            "longest_wait_seconds": (max(0.0, round((now - oldest_at).total_seconds(), 1))
                                     if oldest_at else None),
        },
        "positions": {state.value: int(by_state.get(state, 0)) for state in PositionState},
        "today": {
            "calls": totals.calls,
            "offered": overall["offered"],
            "answered": totals.answered,
            "abandoned_in_queue": totals.abandoned_in_queue,
            "abandonment_rate": overall["abandonment_rate"],
            "answered_within": overall["answered_within"],
            "targets": service["targets"],
            "meets_target": overall["meets_target"],
            "prank": prank,
            "silent": silent,
            "prank_silent_share": share(prank + silent, totals.answered),
        },
        "incidents": {
            "open": sum(int(n) for _, n in by_type),
            "by_type": [{"type": code, "count": int(n)} for code, n in by_type],
        },
    }
