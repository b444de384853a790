"""node heartbeats: a node that stops beating loses its calls to the others (interrupted)

Revision ID: 0014_node_heartbeats
Revises: 0011_nodes
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_node_heartbeats"
down_revision = "0011_nodes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_node_heartbeats",
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lost_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_sip_node_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("sip_node_heartbeats")
