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
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from siaga112.adapters.db.tables import calls, location_fixes
from siaga112.adapters.db.tables_location_link import location_links
from siaga112.domain.locations import LocationSource
from siaga112.reports.period import Period
from siaga112.reports.sql import TimeSql
from siaga112.reports.stats import rank, share

SOURCES = (LocationSource.NETWORK, LocationSource.AML, LocationSource.LINK,
           LocationSource.MANUAL)


def _answered_in(period: Period, dialect: str) -> sa.ColumnElement[bool]:
    """The call (joined by its key) was received in the period and answered.

    Every query here starts from the small tables (links, fixes) and looks each call up by
    its key: a year of a million calls is never scanned for a few thousand links. SQLite,
    without statistics (nothing runs ANALYZE), would rather walk the year's calls by
    their time index and probe the links for each (2 s on a million calls): there the
    time is written `+received_at`, which no index answers, so it starts from the links."""
    c = calls.c
    received: sa.ColumnElement[Any] = c.received_at
    if dialect == "sqlite":
        received = UnaryExpression(c.received_at, operator=operators.custom_op("+"),
                                   type_=c.received_at.type)
    return sa.and_(received >= period.start, received < period.end,
                   c.connected_at.is_not(None))


def link_counts(conn: sa.Connection, period: Period, answered: int) -> dict[str, Any]:
    lk, c = location_links.c, calls.c
    per_call = (sa.select(
        lk.call_id,
        sa.func.max(sa.case((lk.sms_status == "sent", 1), else_=0)).label("sms_sent"),
        sa.func.max(sa.case((lk.opened_at.is_not(None), 1), else_=0)).label("opened"),
        sa.func.max(sa.case((lk.shared_at.is_not(None), 1), else_=0)).label("shared"))
        .join(calls, c.id == lk.call_id).where(_answered_in(period, conn.dialect.name))
        .group_by(lk.call_id).subquery())
    row = conn.execute(sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(per_call.c.sms_sent), 0),
        sa.func.coalesce(sa.func.sum(per_call.c.opened), 0),
        sa.func.coalesce(sa.func.sum(per_call.c.shared), 0))).one()
    sent, sms_sent, opened, shared = (int(v) for v in row)
    return {"answered": answered, "sent": sent, "sms_sent": sms_sent, "opened": opened,
            "shared": shared, "sent_share": share(sent, answered),
            "opened_share": share(opened, answered), "shared_share": share(shared, answered)}


def time_to_first_fix(conn: sa.Connection, period: Period, ts: TimeSql) -> dict[str, Any]:
    f, c = location_fixes.c, calls.c
    rows = conn.execute(
        sa.select(f.source, ts.whole_seconds_up(c.connected_at, sa.func.min(f.received_at)))
        .join(calls, c.id == f.call_id).where(_answered_in(period, conn.dialect.name))
        .group_by(f.call_id, f.source, c.connected_at)).all()
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


def caller_location(conn: sa.Connection, *, period: Period, ts: TimeSql,
                    answered: int) -> dict[str, Any]:
    """`answered`: the period's answered calls (the report's own count, not counted again)."""
    return {"links": link_counts(conn, period, answered),
            "time_to_first_fix": time_to_first_fix(conn, period, ts)}
