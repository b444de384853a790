"""Tables of the telephony issue: callback tasks and what a SIP call arrived with.

Registered by one import line at the end of tables.py; migration 0003_telephony.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata
from siaga112.adapters.db.types import UtcDateTime, enum_column
from siaga112.domain.callbacks import CallbackReason, CallbackStatus

# One open task per number: `open_number` holds the number while the task is open and is
# emptied when it is closed; the unique constraint lets the database enforce the rule.
callback_tasks = sa.Table(
    "callback_tasks", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("caller_number", sa.String(32), nullable=False, index=True),
    sa.Column("open_number", sa.String(32), unique=True),
    sa.Column("reason", enum_column(CallbackReason), nullable=False),
    sa.Column("status", enum_column(CallbackStatus), nullable=False, index=True),
    sa.Column("first_call_id", sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("last_call_id", sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("missed_calls", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("done_at", UtcDateTime),
    sa.Column("done_by", sa.String(80)),
    sa.Column("note", sa.String(1000)),
)

# The signalling facts of a call that came over SIP: the caller's identity header as it
# arrived (personal data: masked by retention with the call's number), where it came from,
# what became of its location, and the answer it got when it was not queued.
sip_calls = sa.Table(
    "sip_calls", metadata,
    sa.Column("call_id", sa.ForeignKey("calls.id"), primary_key=True),
    sa.Column("sip_call_id", sa.String(200), nullable=False),
    sa.Column("identity_header", sa.String(40)),  # p-asserted-identity or from
    sa.Column("identity_raw", sa.String(1000)),
    sa.Column("remote", sa.String(80)),
    sa.Column("location_status", sa.String(200)),
    sa.Column("refused_with", sa.Integer),  # e.g. 503 beyond the admission limit
)
