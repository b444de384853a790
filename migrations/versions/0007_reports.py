"""reports: covering indexes for the evaluation report

Revision ID: 0007_reports
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op

revision = "0007_reports"
down_revision = "0001"
branch_labels = None
depends_on = None

REPORT_COLUMNS = ["received_at", "connected_at", "released_at", "interrupted_at", "state",
                  "disposition"]


def upgrade() -> None:
    op.create_index("ix_calls_report", "calls", REPORT_COLUMNS, unique=False)
    op.create_index("ix_calls_caller_received", "calls", ["caller_number", "received_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_caller_received", table_name="calls")
    op.drop_index("ix_calls_report", table_name="calls")
