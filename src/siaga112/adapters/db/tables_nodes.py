"""Which SIP node took which call, when several nodes share one database (docs/deployment.md).

A node that starts again interrupts only the calls it had taken itself: those of the other
nodes are still being carried. No foreign key to `calls`: the SIP writer inserts this row
in the same transaction but before its batch's executemany of the calls (write_behind.py).
Registered by one import line at the end of tables.py; migration 0011_nodes.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata
from siaga112.adapters.db.types import UtcDateTime

sip_call_nodes = sa.Table(
    "sip_call_nodes", metadata,
    sa.Column("call_id", sa.Uuid, primary_key=True),
    sa.Column("node", sa.String(64), nullable=False, index=True),
)

# Each node writes its heartbeat every few seconds; a node silent longer than the center's
# `node_lost_after_seconds` is declared lost by a peer, which interrupts its calls (with
# callbacks): their dialogs died with it. Migration 0014_node_heartbeats.
sip_node_heartbeats = sa.Table(
    "sip_node_heartbeats", metadata,
    sa.Column("node", sa.String(64), primary_key=True),
    sa.Column("seen_at", UtcDateTime, nullable=False),
    sa.Column("lost_at", UtcDateTime, nullable=True),
)
