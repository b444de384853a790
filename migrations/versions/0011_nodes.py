"""nodes: which SIP node took which call (several nodes behind a SIP proxy)

Revision ID: 0011_nodes
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_nodes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_call_nodes",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_sip_call_nodes")),
    )
    op.create_index(op.f("ix_sip_call_nodes_node"), "sip_call_nodes", ["node"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sip_call_nodes_node"), table_name="sip_call_nodes")
    op.drop_table("sip_call_nodes")
