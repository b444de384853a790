"""Where the caller was, and how soon the center knew: location links and first fixes.

Over the calls answered in the period (received in it, `connected_at` set):
- `links`: how many got a location link (`sent`: made for the call, whether sent by SMS
  or read out), how many SMS with one were taken by the adapter (`sms_sent`), whose link
  was opened on the phone (`opened`), and whose phone shared a position (`shared`); each
  also as a share of the answered calls.
- `time_to_first_fix`: per source (network, aml, link, manual), from the answer to the
  first fix of that source reaching the center: count, p50 and p90 in whole seconds
  rounded up (nearest rank, as everywhere in the reports). A fix that came before the
  answer (network location arrives with the call, AML often too) counts as 0 s.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, location_fixes
from siaga112.adapters.db.tables_location_link import location_links
from siaga112.domain.locations import LocationSource
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import rank, share

SOURCES = (LocationSource.NETWORK, LocationSource.AML, LocationSource.LINK,
           LocationSource.MANUAL)


def _answered(period: Period) -> sa.Subquery:
    c = calls.c
    return (sa.select(c.id, c.connected_at)
            .where(c.received_at >= period.start, c.received_at < period.end,
                   c.connected_at.is_not(None)).subquery("answered"))


def link_counts(conn: sa.Connection, period: Period) -> dict[str, Any]:
    answered = _answered(period)
    lk = location_links.c
    per_call = (sa.select(
        lk.call_id,
        sa.func.max(sa.case((lk.sms_status == "sent", 1), else_=0)).label("sms_sent"),
        sa.func.max(sa.case((lk.opened_at.is_not(None), 1), else_=0)).label("opened"),
        sa.func.max(sa.case((lk.shared_at.is_not(None), 1), else_=0)).label("shared"))
        .where(lk.call_id.in_(sa.select(answered.c.id))).group_by(lk.call_id).subquery())
    total = conn.execute(sa.select(sa.func.count()).select_from(answered)).scalar_one()
    row = conn.execute(sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(per_call.c.sms_sent), 0),
        sa.func.coalesce(sa.func.sum(per_call.c.opened), 0),
        sa.func.coalesce(sa.func.sum(per_call.c.shared), 0))).one()
    sent, sms_sent, opened, shared = (int(v) for v in row)
    return {"answered": int(total), "sent": sent, "sms_sent": sms_sent, "opened": opened,
            "shared": shared, "sent_share": share(sent, total),
            "opened_share": share(opened, total), "shared_share": share(shared, total)}


def time_to_first_fix(conn: sa.Connection, period: Period, ts: TimeSql) -> dict[str, Any]:
    answered = _answered(period)
    f = location_fixes.c
    first = (sa.select(f.call_id, f.source, sa.func.min(f.received_at).label("first_at"))
             .where(f.call_id.in_(sa.select(answered.c.id)))
             .group_by(f.call_id, f.source).subquery("first_fix"))
    rows = conn.execute(sa.select(first.c.source, ts.whole_seconds_up(
        answered.c.connected_at, first.c.first_at))
        .join(answered, answered.c.id == first.c.call_id)).all()
    seconds: dict[str, list[int]] = defaultdict(list)
    for source, value in rows:
        seconds[str(source)].append(max(0, int(value)))
    result = {}
    for source in SOURCES:
        ordered = sorted(seconds.get(source.value, []))
        n = len(ordered)
        result[source.value] = {
            "count": n,
            "p50_seconds": ordered[rank(0.5, n) - 1] if n else None,
            "p90_seconds": ordered[rank(0.9, n) - 1] if n else None,
        }
    return result


def caller_location(conn: sa.Connection, *, period: Period, ts: TimeSql) -> dict[str, Any]:
    return {"links": link_counts(conn, period),
            "time_to_first_fix": time_to_first_fix(conn, period, ts)}
