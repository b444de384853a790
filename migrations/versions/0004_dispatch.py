"""dispatch: units' assignments to incidents, webhook deliveries to agencies and their attempts

Revision ID: 0004_dispatch
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_dispatch"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "unit_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dispatch_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("unit_code", sa.String(length=40), nullable=False),
        sa.Column("active_unit", sa.String(length=40), nullable=True),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        _at("dispatched_at", nullable=False),
        sa.Column("dispatched_by", sa.String(length=80), nullable=False),
        sa.Column("eta_seconds", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        _at("acknowledged_at"),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=True),
        _at("en_route_at"), _at("on_scene_at"), _at("transporting_at"), _at("returning_at"),
        _at("cleared_at"), _at("ended_at"),
        sa.Column("end_status", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_unit_assignments_incident_id_incidents")),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"],
                                name=op.f("fk_unit_assignments_unit_code_units")),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"],
                                name=op.f("fk_unit_assignments_agency_code_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_assignments")),
        sa.UniqueConstraint("active_unit", name=op.f("uq_unit_assignments_active_unit")),
    )
    with op.batch_alter_table("unit_assignments", schema=None) as batch_op:
        for column in ("dispatch_id", "incident_id", "unit_code", "dispatched_at"):
            batch_op.create_index(batch_op.f(f"ix_unit_assignments_{column}"), [column],
                                  unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dispatch_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=400), nullable=True),
        sa.Column("status", sa.Enum("pending", "delivered", "failed", name="deliverystatus",
                                    native_enum=False, length=24), nullable=False),
        _at("created_at", nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("last_attempt_at"),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=400), nullable=True),
        _at("delivered_at"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_webhook_deliveries_incident_id_incidents")),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"],
                                name=op.f("fk_webhook_deliveries_agency_code_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("dispatch_id", "agency_code",
                            name=op.f("uq_webhook_deliveries_dispatch_id")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_incident_id"), ["incident_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_status"), ["status"],
                              unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        _at("at", nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=400), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"],
                                name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_attempts_delivery_id"), ["delivery_id"],
                              unique=False)


def downgrade() -> None:
    for table, columns in (("webhook_attempts", ["delivery_id"]),
                           ("webhook_deliveries", ["status", "incident_id"]),
                           ("unit_assignments", ["dispatched_at", "unit_code", "incident_id",
                                                 "dispatch_id"])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
