"""The monthly report as Indonesian 112 centers publish theirs.

Calls by kind (darurat, informasi, prank, ghost, terputus, and lainnya for the rest),
and verified emergencies by category (incident type), by OPD (agency, attribution.py)
and by kecamatan. `call_kinds` is the one mapping from Siaga112's dispositions to the
published kinds; the kinds of a month add up to its calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import incidents
from siaga112.config import CenterConfig
from siaga112.reports.call_counts import EPOCH_DAY, Counts, Hour
from siaga112.reports.incident_counts import Attribution, verified_by_day_and
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql

KINDS = ("darurat", "informasi", "prank", "ghost", "terputus", "lainnya")


def call_kinds(c: Counts) -> dict[str, int]:
    """darurat = emergency; informasi = non-emergency; prank; ghost = silent calls and
    calls screening ended (no voice); terputus = hung up at once, or abandoned in the
    queue; lainnya = wrong number, test, answered without a disposition, still waiting."""
    d = c.by_disposition
    return {
        "darurat": d["emergency"],
        "informasi": d["non_emergency"],
        "prank": d["prank"],
        "ghost": d["silent"] + c.screened_out,
        "terputus": d["hang_up"] + c.abandoned_in_queue,
        "lainnya": d["wrong_number"] + d["test"] + c.undisposed + c.still_waiting,
    }


@lru_cache(maxsize=4096)  # called for every hour of the period: a year is 8,760 calls
def month_of(day_index: int) -> str:
    return (EPOCH_DAY + timedelta(days=day_index)).strftime("%Y-%m")


def monthly(conn: sa.Connection, *, hours: Sequence[Hour], period: Period, ts: TimeSql,
            center: CenterConfig, attributed: Attribution) -> list[dict[str, Any]]:
    months: dict[str, Counts] = {}
    day = period.first_day
    while day <= period.last_day:  # every month of the period, also one without calls
        months.setdefault(day.strftime("%Y-%m"), Counts())
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    for h in hours:
        months.setdefault(month_of(h.index // 24), Counts()).add(h.counts)

    def by_month(per_day: dict[int, dict[str, int]]) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for day_index, values in per_day.items():
            for key, n in values.items():
                result[month_of(day_index)][key] += n
        return result

    i = incidents.c
    types = by_month(verified_by_day_and(conn, period, ts, i.type_code))
    kecamatan = by_month(verified_by_day_and(conn, period, ts, i.kecamatan))
    agencies = by_month(attributed.by_day_and_agency())
    rows = []
    for month, counts in sorted(months.items()):
        rows.append({
            "month": month, "calls": counts.calls, "kinds": call_kinds(counts),
            "emergencies_by_type": {t.code: types[month].get(t.code, 0)
                                    for t in center.incident_types},
            "emergencies_by_agency": {a.code: agencies[month].get(a.code, 0)
                                      for a in center.agencies},
            "emergencies_by_kecamatan": dict(sorted(kecamatan[month].items())),
        })
    return rows
