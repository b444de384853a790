"""Which SIP node took which call, when several nodes share one database (docs/deployment.md).

A node that starts again interrupts only the calls it had taken itself: those of the other
nodes are still being carried. No foreign key to `calls`: the SIP writer inserts this row
in the same transaction but before its batch's executemany of the calls (write_behind.py).
Registered by one import line at the end of tables.py; migration 0011_nodes.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata

sip_call_nodes = sa.Table(
    "sip_call_nodes", metadata,
    sa.Column("call_id", sa.Uuid, primary_key=True),
    sa.Column("node", sa.String(64), nullable=False, index=True),
)
