"""Hourly rollups of the calls for the reports (reports/rollup.py, ADR 0003).

- `report_hour_changes`: per UTC hour, a counter that a trigger on `calls` raises in the
  same transaction as every insert, delete, and update of a column the rollups read
  (received_at, connected_at, released_at, interrupted_at, state, disposition), whatever
  wrote it: repositories, the SIP writer, CDR import, the bulk loader, a purge. Written
  only by the triggers (migration 0013_report_rollups); never reset.
- `report_hours`: what became of one UTC hour's calls, as counted when the counter
  stood at `changes`; valid while the counter still stands there and `recipe` (the
  figures' definition, e.g. the valid-call threshold) is the report's.
- `report_hour_answers`: that hour's answered calls per answer time in whole seconds
  rounded up, built in the same transaction as its `report_hours` row.

Registered by one import line at the end of tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import BigId, metadata
from siaga112.domain.calls import Disposition

report_hour_changes = sa.Table(
    "report_hour_changes", metadata,
    sa.Column("hour", BigId, primary_key=True, autoincrement=False),  # UTC hours since 1970
    sa.Column("changes", sa.BigInteger, nullable=False),
)

report_hours = sa.Table(
    "report_hours", metadata,
    sa.Column("hour", BigId, primary_key=True, autoincrement=False),
    sa.Column("changes", sa.BigInteger, nullable=False),
    sa.Column("recipe", sa.String(80), nullable=False),
    sa.Column("calls", sa.Integer, nullable=False),
    sa.Column("answered", sa.Integer, nullable=False),
    sa.Column("abandoned_in_queue", sa.Integer, nullable=False),
    sa.Column("abandoned_by_fault", sa.Integer, nullable=False),
    sa.Column("screened_out", sa.Integer, nullable=False),
    sa.Column("valid", sa.Integer, nullable=False),
    sa.Column("answer_micros", sa.BigInteger, nullable=False),  # exact: sums in any order
    *[sa.Column(f"disposition_{d.value}", sa.Integer, nullable=False) for d in Disposition],
)

report_hour_answers = sa.Table(
    "report_hour_answers", metadata,
    sa.Column("hour", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seconds", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("calls", sa.Integer, nullable=False),
)
