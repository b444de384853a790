"""knowledge: quick answers (versioned knowledge base) and the topics of question calls

Revision ID: 0009_knowledge
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_knowledge"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_knowledge_entries")),
    )
    op.create_table(
        "knowledge_versions",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("question", sa.String(length=400), nullable=False),
        sa.Column("answer", sa.String(length=800), nullable=False),
        sa.Column("referrals", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=True),
        sa.Column("to_check", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("edited_by", sa.String(length=80), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(["code"], ["knowledge_entries.code"],
                                name=op.f("fk_knowledge_versions_code_knowledge_entries")),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_knowledge_versions")),
    )
    op.create_table(
        "call_topics",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=False),
        sa.Column("topic_version", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_call_topics_call_id_calls")),
        sa.ForeignKeyConstraint(["topic_code"], ["knowledge_entries.code"],
                                name=op.f("fk_call_topics_topic_code_knowledge_entries")),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_topics")),
    )
    op.create_index(op.f("ix_call_topics_topic_code"), "call_topics", ["topic_code"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_call_topics_topic_code"), table_name="call_topics")
    op.drop_table("call_topics")
    op.drop_table("knowledge_versions")
    op.drop_table("knowledge_entries")
