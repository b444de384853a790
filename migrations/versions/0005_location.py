"""location: AML HTTPS senders' HMAC keys on their service accounts

Revision ID: 0005_location
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_location"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hmac_key", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.drop_column("hmac_key")
