"""Tables of the location link: the links (token hashes only), every SMS sent with its
outcome, and the caller's photo of the scene.

Registered by one import line at the end of tables.py; migration 0008_location_links.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata
from siaga112.adapters.db.types import UtcDateTime, enum_column
from siaga112.domain.location_links import LinkState

location_links = sa.Table(
    "location_links", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("call_id", sa.ForeignKey("calls.id"), nullable=False, index=True),
    # SHA-256 of the token, hex: the token itself is never stored.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("state", enum_column(LinkState), nullable=False),
    sa.Column("state_at", UtcDateTime),
    sa.Column("reason", sa.String(40)),
    sa.Column("sms_status", sa.String(20)),
    sa.Column("sms_error", sa.String(400)),
    sa.Column("opened_at", UtcDateTime),
    sa.Column("shared_at", UtcDateTime),
    sa.Column("last_fix_at", UtcDateTime),
    sa.Column("fixes", sa.Integer, nullable=False, default=0),
    sa.Column("ended_at", UtcDateTime),
    sa.Column("end_reason", sa.String(20)),
    sa.Column("photo_allowed", sa.Boolean, nullable=False, default=False),
)

# Every SMS handed to an adapter, with what came of it. The number is kept masked only:
# the call holds the full one, and retention masks it there.
sms_sends = sa.Table(
    "sms_sends", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("link_id", sa.ForeignKey("location_links.id"), index=True),
    sa.Column("call_id", sa.ForeignKey("calls.id"), index=True),
    sa.Column("adapter", sa.String(20), nullable=False),
    sa.Column("recipient", sa.String(32)),  # masked
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("error", sa.String(400)),
    sa.Column("reference", sa.String(200)),  # the gateway's answer or the spool file's name
    sa.Column("http_status", sa.Integer),
    sa.Column("started_at", UtcDateTime, nullable=False, index=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("sent_by", sa.String(80)),
)

# The caller's photo, re-encoded as JPEG without metadata; kept with the call (and so with
# the incident the call is linked to).
location_link_photos = sa.Table(
    "location_link_photos", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("link_id", sa.ForeignKey("location_links.id"), nullable=False, unique=True),
    sa.Column("call_id", sa.ForeignKey("calls.id"), nullable=False, index=True),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
)
