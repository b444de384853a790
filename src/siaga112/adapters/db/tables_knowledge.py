"""Tables of the quick answers (docs/quick-answers.md); migration 0009_knowledge.

Registered by one import line at the end of tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata
from siaga112.adapters.db.types import UtcDateTime

# One row per topic: which version is current. Locked while a new version is written, so
# two supervisors' edits are ordered (the second one, started from an old version, is a 409).
knowledge_entries = sa.Table(
    "knowledge_entries", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Every version ever written, never changed: the history (who, when, why, what).
knowledge_versions = sa.Table(
    "knowledge_versions", metadata,
    sa.Column("code", sa.ForeignKey("knowledge_entries.code"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("question", sa.String(400), nullable=False),
    sa.Column("answer", sa.String(800), nullable=False),
    sa.Column("referrals", sa.JSON, nullable=False),  # [{name, phone, place, note}]
    sa.Column("keywords", sa.JSON, nullable=False),  # [text]
    sa.Column("source", sa.String(400)),
    sa.Column("to_check", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("edited_by", sa.String(80), nullable=False),
    sa.Column("edited_at", UtcDateTime, nullable=False),
    sa.Column("note", sa.String(400)),
)

# The topic of a call disposed as a question (non_emergency): one per call, the version
# that was read out. The weekly top topics count only calls still disposed non_emergency.
call_topics = sa.Table(
    "call_topics", metadata,
    sa.Column("call_id", sa.ForeignKey("calls.id"), primary_key=True),
    sa.Column("topic_code", sa.ForeignKey("knowledge_entries.code"), nullable=False, index=True),
    sa.Column("topic_version", sa.Integer, nullable=False),
    sa.Column("set_by", sa.String(80), nullable=False),
    sa.Column("set_at", UtcDateTime, nullable=False),
)
