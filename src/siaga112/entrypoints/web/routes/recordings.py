"""Recordings of connected calls (docs/recordings.md): the list and the WAV of one call,
for supervisors and admins. Every playback or download is logged in the audit log, as a
look at a caller's full number is (PersonalDataViewed, `recording_played`)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_recordings import recordings
from siaga112.adapters.media.wiring import recording_store
from siaga112.domain.errors import NotFound
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep

router = APIRouter(prefix=API, tags=["recordings"], dependencies=[Authorized])


class RecordingPublic(BaseModel):
    call_id: uuid.UUID
    received_at: str
    state: str
    seconds: float
    size_bytes: int
    recorded_at: str
    url: str


@router.get("/recordings")
def list_recordings(_user: Person, siaga: SiagaDep,
                    limit: int = Query(default=50, ge=1, le=500)) -> list[RecordingPublic]:
    """The newest recordings (no caller numbers: open the call for that, logged)."""
    r, calls = recordings.c, tables.calls.c
    query = (sa.select(r.call_id, r.seconds, r.size_bytes, r.recorded_at, calls.received_at,
                       calls.state)
             .join(tables.calls, calls.id == r.call_id)
             .order_by(r.recorded_at.desc()).limit(limit))
    with siaga.engine.connect() as conn:
        rows = list(conn.execute(query))
    return [RecordingPublic(call_id=row.call_id, received_at=row.received_at.isoformat(),
                            state=str(getattr(row.state, "value", row.state)),
                            seconds=round(row.seconds, 1), size_bytes=row.size_bytes,
                            recorded_at=row.recorded_at.isoformat(),
                            url=f"{API}/calls/{row.call_id}/recording") for row in rows]


@router.get("/calls/{call_id}/recording", response_class=FileResponse)
def play_recording(call_id: uuid.UUID, user: Person, siaga: SiagaDep) -> FileResponse:
    store = recording_store(siaga)
    found = store.get(call_id)
    if found is None or not found.file.is_file():
        raise NotFound(f"no recording of call {call_id}")
    store.played(call_id, user.username)
    return FileResponse(found.file, media_type="audio/wav", filename=f"{call_id}.wav",
                        headers={"Cache-Control": "no-store"})
