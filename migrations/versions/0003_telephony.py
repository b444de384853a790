"""telephony: callback tasks, SIP call facts, positions' idle time

Revision ID: 0003_telephony
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_telephony"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column("open_number", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Enum("abandoned", "interrupted", name="callbackreason",
                                    native_enum=False, length=24), nullable=False),
        sa.Column("status", sa.Enum("open", "done", "cancelled", name="callbackstatus",
                                    native_enum=False, length=24), nullable=False),
        sa.Column("first_call_id", sa.Uuid(), nullable=False),
        sa.Column("last_call_id", sa.Uuid(), nullable=False),
        sa.Column("missed_calls", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=80), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["first_call_id"], ["calls.id"],
                                name=op.f("fk_callback_tasks_first_call_id_calls")),
        sa.ForeignKeyConstraint(["last_call_id"], ["calls.id"],
                                name=op.f("fk_callback_tasks_last_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_tasks")),
        sa.UniqueConstraint("open_number", name=op.f("uq_callback_tasks_open_number")),
    )
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_tasks_caller_number"), ["caller_number"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_callback_tasks_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_tasks_created_at"), ["created_at"],
                              unique=False)
    op.create_table(
        "sip_calls",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("sip_call_id", sa.String(length=200), nullable=False),
        sa.Column("identity_header", sa.String(length=40), nullable=True),
        sa.Column("identity_raw", sa.String(length=1000), nullable=True),
        sa.Column("remote", sa.String(length=80), nullable=True),
        sa.Column("location_status", sa.String(length=200), nullable=True),
        sa.Column("refused_with", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_sip_calls_call_id_calls")),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_sip_calls")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idle_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_column("idle_since")
    op.drop_table("sip_calls")
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_tasks_created_at"))
        batch_op.drop_index(batch_op.f("ix_callback_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_callback_tasks_caller_number"))
    op.drop_table("callback_tasks")
