"""nuisance: temporary blocks of nuisance numbers, each call's screening before the queue, and
an index of calls by number and disposition

Revision ID: 0010_nuisance
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_nuisance"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nuisance_blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column("open_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_calls", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=80), nullable=True),
        sa.Column("lift_note", sa.String(length=400), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nuisance_blocks")),
        sa.UniqueConstraint("open_number", name=op.f("uq_nuisance_blocks_open_number")),
    )
    op.create_index(op.f("ix_nuisance_blocks_caller_number"), "nuisance_blocks",
                    ["caller_number"], unique=False)
    op.create_index(op.f("ix_nuisance_blocks_created_at"), "nuisance_blocks", ["created_at"],
                    unique=False)
    op.create_table(
        "call_screenings",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("facts", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("place_in_line", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announcement", sa.String(length=40), nullable=True),
        sa.Column("block_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_screenings")),
    )
    op.create_index(op.f("ix_call_screenings_block_id"), "call_screenings", ["block_id"],
                    unique=False)
    op.create_index("ix_calls_caller_disposition", "calls",
                    ["caller_number", "disposition", "received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_caller_disposition", table_name="calls")
    op.drop_index(op.f("ix_call_screenings_block_id"), table_name="call_screenings")
    op.drop_table("call_screenings")
    op.drop_index(op.f("ix_nuisance_blocks_created_at"), table_name="nuisance_blocks")
    op.drop_index(op.f("ix_nuisance_blocks_caller_number"), table_name="nuisance_blocks")
    op.drop_table("nuisance_blocks")
