"""Tables of the dispatch issue: units' assignments to incidents, and webhook deliveries.

Registered by one import line at the end of tables.py; migration 0004_dispatch.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import BigId, metadata
from siaga112.adapters.db.types import UtcDateTime, enum_column
from siaga112.domain.notifications import DeliveryStatus

# One row per unit sent to an incident, with its timeline. `active_unit` holds the unit's
# code while the assignment is active and is emptied when it ends: the unique constraint
# lets the database itself refuse a unit assigned to two incidents at once.
unit_assignments = sa.Table(
    "unit_assignments", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dispatch_id", sa.Uuid, nullable=False, index=True),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("unit_code", sa.ForeignKey("units.code"), nullable=False, index=True),
    sa.Column("active_unit", sa.String(40), unique=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("dispatched_at", UtcDateTime, nullable=False, index=True),
    sa.Column("dispatched_by", sa.String(80), nullable=False),
    sa.Column("eta_seconds", sa.Float),
    sa.Column("distance_m", sa.Float),
    sa.Column("acknowledged_at", UtcDateTime),
    sa.Column("acknowledged_by", sa.String(80)),
    sa.Column("en_route_at", UtcDateTime),
    sa.Column("on_scene_at", UtcDateTime),
    sa.Column("transporting_at", UtcDateTime),
    sa.Column("returning_at", UtcDateTime),
    sa.Column("cleared_at", UtcDateTime),
    sa.Column("ended_at", UtcDateTime),
    sa.Column("end_status", sa.String(24)),
)

# One delivery per agency and dispatch decision; its attempts below.
webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dispatch_id", sa.Uuid, nullable=False),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("url", sa.String(400)),
    sa.Column("status", enum_column(DeliveryStatus), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_attempt_at", UtcDateTime),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.String(400)),
    sa.Column("delivered_at", UtcDateTime),
    sa.UniqueConstraint("dispatch_id", "agency_code"),
)

webhook_attempts = sa.Table(
    "webhook_attempts", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.ForeignKey("webhook_deliveries.id"), nullable=False, index=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.String(400)),
    sa.Column("duration_ms", sa.Float, nullable=False),
)
