"""The database schema (SQLAlchemy Core). Alembic migrations are checked against it."""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.types import UtcDateTime, enum_column
from siaga112.domain.accounts import Role
from siaga112.domain.calls import CallState, Channel, Disposition
from siaga112.domain.incidents import IncidentStatus, Priority, VerificationMethod
from siaga112.domain.locations import LocationMethod, LocationSource
from siaga112.domain.positions import PositionState
from siaga112.domain.units import UnitStatus

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite keys are INTEGER

agencies = sa.Table(
    "agencies", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("phone", sa.String(40)),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
)

stations = sa.Table(
    "stations", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False, index=True),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("address", sa.String(400)),
    sa.Column("phone", sa.String(40)),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("source", sa.String(400)),
)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("type_code", sa.String(40), nullable=False, index=True),
    sa.Column("subtype_code", sa.String(40)),
    sa.Column("priority", enum_column(Priority), nullable=False),
    sa.Column("status", enum_column(IncidentStatus), nullable=False, index=True),
    sa.Column("location_lat", sa.Float),
    sa.Column("location_lon", sa.Float),
    sa.Column("address", sa.String(400)),
    sa.Column("kelurahan", sa.String(40)),
    sa.Column("kecamatan", sa.String(40)),
    sa.Column("description", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("verified_at", UtcDateTime),
    sa.Column("verified_by", sa.String(80)),
    sa.Column("verification_method", enum_column(VerificationMethod)),
    sa.Column("dispatched_at", UtcDateTime),
    sa.Column("on_scene_at", UtcDateTime),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("cancelled_at", UtcDateTime),
    sa.Column("version", sa.Integer, nullable=False),
)

incident_notes = sa.Table(
    "incident_notes", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# One row per (prefix, year): the running number of incidents, gapless in committed rows.
incident_counters = sa.Table(
    "incident_counters", metadata,
    sa.Column("prefix", sa.String(8), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last_value", sa.Integer, nullable=False),
)

calls = sa.Table(
    "calls", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("channel", enum_column(Channel), nullable=False),
    sa.Column("caller_raw", sa.String(400)),
    sa.Column("caller_number", sa.String(32), index=True),
    sa.Column("external_id", sa.String(200), unique=True),
    sa.Column("state", enum_column(CallState), nullable=False, index=True),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
    sa.Column("screening_at", UtcDateTime),
    sa.Column("queued_at", UtcDateTime),
    sa.Column("offered_at", UtcDateTime),
    sa.Column("connected_at", UtcDateTime),
    sa.Column("released_at", UtcDateTime),
    sa.Column("abandoned_at", UtcDateTime),
    sa.Column("interrupted_at", UtcDateTime),
    sa.Column("offer_count", sa.Integer, nullable=False, default=0),
    sa.Column("position_code", sa.String(40)),
    sa.Column("call_taker", sa.String(80)),
    sa.Column("disposition", enum_column(Disposition)),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), index=True),
    # The location the call-taker chose (never set automatically); a fix's id.
    sa.Column("chosen_location_id", sa.Uuid),
    sa.Column("version", sa.Integer, nullable=False),
)

# The trail of caller locations from every source; call_id is empty for fixes that matched
# no call (listed for the supervisor).
location_fixes = sa.Table(
    "location_fixes", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("call_id", sa.ForeignKey("calls.id"), index=True),
    sa.Column("caller_number", sa.String(32), index=True),
    sa.Column("source", enum_column(LocationSource), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("radius_m", sa.Float),
    sa.Column("confidence", sa.Float),
    sa.Column("method", enum_column(LocationMethod), nullable=False),
    sa.Column("fixed_at", UtcDateTime, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
    sa.Column("outside_area", sa.Boolean, nullable=False, default=False),
    sa.Column("detail", sa.Text),
)

units = sa.Table(
    "units", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False, index=True),
    sa.Column("station_code", sa.ForeignKey("stations.code")),
    sa.Column("unit_type", sa.String(40), nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("status", enum_column(UnitStatus), nullable=False),
    sa.Column("status_since", UtcDateTime),
    sa.Column("incident_id", sa.ForeignKey("incidents.id")),
    sa.Column("last_lat", sa.Float),
    sa.Column("last_lon", sa.Float),
    sa.Column("last_position_at", UtcDateTime),
    sa.Column("version", sa.Integer, nullable=False),
)

positions = sa.Table(
    "positions", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("sip_uri", sa.String(200)),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("state", enum_column(PositionState), nullable=False),
    sa.Column("state_since", UtcDateTime),
    sa.Column("operator", sa.String(80)),
    sa.Column("not_ready_reason", sa.String(200)),
    sa.Column("idle_since", UtcDateTime),  # the queue offers to the longest idle (0003_telephony)
)

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("role", enum_column(Role), nullable=False),
    sa.Column("password_hash", sa.String(400), nullable=False),
    sa.Column("agency_code", sa.ForeignKey("agencies.code")),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", UtcDateTime),
)

# Machines (SIP nodes, AML/SMS gateways, agency systems): a hashed token and its scopes.
service_accounts = sa.Table(
    "service_accounts", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("scopes_text", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code")),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UtcDateTime),
    sa.Column("created_by", sa.String(80)),
    # An AML HTTPS sender's HMAC-SHA1 key (docs/location.md); migration 0005_location.
    sa.Column("hmac_key", sa.String(200)),
)

# Sessions are stored server-side so that logging out or disabling a user takes effect at once.
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

# Append-only: every state change, who, when, why. The audit trail and the source of intervals.
# Tamper-evident: each row's hash covers its content and the previous row's hash; ids are
# gapless (given by audit_head), so an edited, inserted or deleted row shows.
event_log = sa.Table(
    "event_log", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False, index=True),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("aggregate", sa.String(20), nullable=False),
    sa.Column("aggregate_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(60), nullable=False),
    sa.Column("before", sa.String(200)),
    sa.Column("after", sa.String(200)),
    sa.Column("actor", sa.String(80)),
    sa.Column("reason", sa.String(400)),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_event_log_aggregate", "aggregate", "aggregate_id"),
)

# One row: the last id and hash of the event log. Locking it orders concurrent appends.
audit_head = sa.Table(
    "audit_head", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_id", BigId, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

# Reports (reports/call_counts.py) read every call of a period from this index alone
# (SQLite and PostgreSQL both scan it instead of the wider table); repeat callers come
# from the second one, already grouped by number. Migration 0007_reports.
sa.Index("ix_calls_report", calls.c.received_at, calls.c.connected_at, calls.c.released_at,
         calls.c.interrupted_at, calls.c.state, calls.c.disposition)
sa.Index("ix_calls_caller_received", calls.c.caller_number, calls.c.received_at)

from siaga112.adapters.db import tables_telephony  # noqa: E402,F401
from siaga112.adapters.db import tables_dispatch  # noqa: E402,F401
from siaga112.adapters.db import tables_knowledge  # noqa: E402,F401
from siaga112.adapters.db import tables_nodes  # noqa: E402,F401
from siaga112.adapters.db import tables_location_link  # noqa: E402,F401
from siaga112.adapters.db import tables_nuisance  # noqa: E402,F401
from siaga112.adapters.db import tables_recordings  # noqa: E402,F401
from siaga112.adapters.db import tables_reports  # noqa: E402,F401
