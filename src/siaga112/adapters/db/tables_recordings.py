"""Recordings of connected calls: one WAV file per call (docs/recordings.md).

The row links the call to its file; retention (`[retention] recordings_days`) deletes the
file and the row. Registered by one import line at the end of tables.py; migration
0012_recordings.
"""

from __future__ import annotations

import sqlalchemy as sa

from siaga112.adapters.db.tables import metadata
from siaga112.adapters.db.types import UtcDateTime

recordings = sa.Table(
    "recordings", metadata,
    sa.Column("call_id", sa.ForeignKey("calls.id"), primary_key=True),
    sa.Column("path", sa.String(500), nullable=False),  # relative to the recordings folder
    sa.Column("format", sa.String(16), nullable=False),  # "wav": 8 kHz 16-bit mono
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False, index=True),  # the call's end
)
