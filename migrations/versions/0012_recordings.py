"""recordings: one WAV file per connected call (media relay)

Revision ID: 0012_recordings
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_recordings"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_recordings_call_id_calls")),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_recordings")),
    )
    op.create_index(op.f("ix_recordings_recorded_at"), "recordings", ["recorded_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recordings_recorded_at"), table_name="recordings")
    op.drop_table("recordings")
