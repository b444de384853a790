"""location links: share-my-location links (token hashes), SMS sends, callers' photos

Revision ID: 0008_location_links
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_location_links"
down_revision = "0001"
branch_labels = None
depends_on = None

LINK_STATES = ("created", "sent", "opened", "shared", "refused", "unavailable", "expired")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "location_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        _when("expires_at", nullable=False),
        sa.Column("state", sa.Enum(*LINK_STATES, name="linkstate", native_enum=False,
                                   length=24), nullable=False),
        _when("state_at"),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("sms_status", sa.String(length=20), nullable=True),
        sa.Column("sms_error", sa.String(length=400), nullable=True),
        _when("opened_at"),
        _when("shared_at"),
        _when("last_fix_at"),
        sa.Column("fixes", sa.Integer(), nullable=False),
        _when("ended_at"),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("photo_allowed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_location_links_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_location_links_token_hash")),
    )
    with op.batch_alter_table("location_links", schema=None) as batch_op:
        for column in ("call_id", "created_at", "expires_at"):
            batch_op.create_index(batch_op.f(f"ix_location_links_{column}"), [column],
                                  unique=False)
    op.create_table(
        "sms_sends",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=True),
        sa.Column("call_id", sa.Uuid(), nullable=True),
        sa.Column("adapter", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=400), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        _when("started_at", nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["location_links.id"],
                                name=op.f("fk_sms_sends_link_id_location_links")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_sms_sends_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_sends")),
    )
    with op.batch_alter_table("sms_sends", schema=None) as batch_op:
        for column in ("link_id", "call_id", "started_at"):
            batch_op.create_index(batch_op.f(f"ix_sms_sends_{column}"), [column], unique=False)
    op.create_table(
        "location_link_photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _when("received_at", nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["location_links.id"],
                                name=op.f("fk_location_link_photos_link_id_location_links")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_location_link_photos_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_link_photos")),
        sa.UniqueConstraint("link_id", name=op.f("uq_location_link_photos_link_id")),
    )
    with op.batch_alter_table("location_link_photos", schema=None) as batch_op:
        for column in ("call_id", "received_at"):
            batch_op.create_index(batch_op.f(f"ix_location_link_photos_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    with op.batch_alter_table("location_link_photos", schema=None) as batch_op:
        for column in ("received_at", "call_id"):
            batch_op.drop_index(batch_op.f(f"ix_location_link_photos_{column}"))
    op.drop_table("location_link_photos")
    with op.batch_alter_table("sms_sends", schema=None) as batch_op:
        for column in ("started_at", "call_id", "link_id"):
            batch_op.drop_index(batch_op.f(f"ix_sms_sends_{column}"))
    op.drop_table("sms_sends")
    with op.batch_alter_table("location_links", schema=None) as batch_op:
        for column in ("expires_at", "created_at", "call_id"):
            batch_op.drop_index(batch_op.f(f"ix_location_links_{column}"))
    op.drop_table("location_links")
