"""The public transparency summary: what the city may see without logging in.

No number, name, place finer than the month's count by type, or anything about one
caller or one call: calls per day, the share answered, answer time, the prank and
silent share, and verified emergencies by type per month. Open data, as JSON and CSV.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import snapshot
from siaga112.config import CenterConfig
from siaga112.domain.calls import Disposition
from siaga112.reports import call_counts, incident_counts, rollup
from siaga112.reports.breakdowns import per_day
from siaga112.reports.monthly import month_of
from siaga112.reports.period import Period
from siaga112.reports.service_level import service_levels
from siaga112.reports.exports import table_csv
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import share

DAY_COLUMNS = ("date", "calls", "answered", "answered_share", "mean_answer_seconds",
               "prank_silent_share", "emergencies_verified")
EMERGENCY_COLUMNS = ("month", "type", "name", "count")
LICENSE = "CC BY 4.0"
CACHE_SECONDS = 60.0
_cache: dict[tuple[str, str, str, str], tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def public_summary(*, engine: Engine, center: CenterConfig, period: Period,
                   locale: str = "id") -> dict[str, Any]:
    """The summary, computed at most once a minute per period (the page is public)."""
    key = (engine.url.render_as_string(hide_password=True), period.first_day.isoformat(), period.last_day.isoformat(), locale)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
    summary = _summary(engine=engine, center=center, period=period, locale=locale)
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, summary)
    return summary


def _summary(*, engine: Engine, center: CenterConfig, period: Period,
             locale: str) -> dict[str, Any]:
    with snapshot(engine) as conn:
        ts = TimeSql(conn.dialect.name, period.offsets())
        # The hours rolled up by the reports, if any (this public page builds none).
        hours, buckets = rollup.call_figures(
            conn, period=period, ts=ts, valid_call_seconds=center.thresholds.valid_call_seconds)
        emergencies = incident_counts.verified_by_day(conn, period, ts)
        by_type = incident_counts.verified_by_day_and(
            conn, period, ts, incident_counts.incidents.c.type_code)
    totals = call_counts.total(h.counts for h in hours)
    service = service_levels(hours=hours, buckets=buckets,
                             thresholds=center.thresholds.service_level_seconds,
                             targets=center.thresholds.service_level_targets)["overall"]
    per_month: dict[tuple[str, str], int] = defaultdict(int)
    for day_index, counts in by_type.items():
        for type_code, n in counts.items():
            per_month[(month_of(day_index), type_code)] += n
    type_names = {t.code: t.name.get(locale) for t in center.incident_types}
    nuisance = (totals.by_disposition[Disposition.PRANK.value]
                + totals.by_disposition[Disposition.SILENT.value])
    return {
        "center": {"name": center.center.name, "city": center.center.city,
                   "zone": center.center.timezone},
        "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                   "days": period.days},
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "license": LICENSE,
        "totals": {
            "calls": totals.calls, "answered": totals.answered,
            "answered_share": share(totals.answered, totals.calls),
            "answered_within": service["answered_within"],
            "mean_answer_seconds": service["mean_answer_seconds"],
            "prank_silent_share": share(nuisance, totals.answered),
            "emergencies_verified": sum(emergencies.values()),
        },
        "days": [{k: row[k] for k in DAY_COLUMNS} for row in per_day(hours, period, emergencies)],
        "emergencies_by_type_per_month": [
            {"month": month, "type": code, "name": type_names.get(code, code), "count": n}
            for (month, code), n in sorted(per_month.items())],
    }


def summary_csv(summary: dict[str, Any], table: str = "days") -> str:
    if table == "emergencies":
        return table_csv(list(EMERGENCY_COLUMNS),
                         [[r[k] for k in EMERGENCY_COLUMNS]
                          for r in summary["emergencies_by_type_per_month"]])
    return table_csv(list(DAY_COLUMNS), [[r[k] for k in DAY_COLUMNS] for r in summary["days"]])


def default_period(center: CenterConfig, now: datetime, days: int = 30) -> Period:
    """The last `days` whole days before today, in the center's zone."""
    today = now.astimezone(center.zone).date()
    return Period(today - timedelta(days=days), today - timedelta(days=1), center.zone)
