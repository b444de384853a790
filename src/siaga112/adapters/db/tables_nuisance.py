"""Tables of nuisance callers and queue priority (docs/nuisance-callers.md): the temporary
blocks of numbers, and what screening decided for each call before the queue.

A number's history needs no table of its own: it is read from `calls` through the index
`ix_calls_caller_received` (caller_number, received_at). Registered by one import line at
the end of tables.py; migration 0010_nuisance.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, metadata
from siaga112.adapters.db.types import UtcDateTime

# One active block per number: `open_number` holds the number while the block may be active
# and is emptied when it is lifted or found expired; its unique constraint lets the database
# refuse a second block created at the same moment by another request.
nuisance_blocks = sa.Table(
    "nuisance_blocks", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("caller_number", sa.String(32), nullable=False, index=True),
    sa.Column("open_number", sa.String(32), unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("counted_calls", sa.Integer, nullable=False),
    sa.Column("window_days", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("lifted_at", UtcDateTime),
    sa.Column("lifted_by", sa.String(80)),
    sa.Column("lift_note", sa.String(400)),
)

# What screening decided for a call. No foreign key to `calls`: the SIP writer inserts this
# row in the same transaction but before its batch's executemany of the calls
# (write_behind.py). `place_in_line` is what the API's waiting list sorts by, as the ACD does.
call_screenings = sa.Table(
    "call_screenings", metadata,
    sa.Column("call_id", sa.Uuid, primary_key=True),
    sa.Column("screened_at", UtcDateTime, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("facts", sa.String(200), nullable=False),  # priority facts, comma-separated
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("place_in_line", UtcDateTime, nullable=False),
    sa.Column("announcement", sa.String(40)),
    sa.Column("block_id", sa.Uuid, index=True),
)

sa.Index("ix_calls_caller_disposition", calls.c.caller_number, calls.c.disposition,
         calls.c.received_at)
