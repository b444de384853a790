"""Call recordings through the API: a finished rtpengine recording (pcap + metadata in the
spool, as the daemon leaves them) becomes a WAV linked to its call; supervisors and admins
play it, every playback is in the audit log with who played it; other roles are refused;
retention deletes file and row."""

from __future__ import annotations

import shutil
import uuid

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_recordings import recordings
from siaga112.adapters.media.wiring import recording_store
from siaga112.config_media import MediaConfig
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.services import commands as c
from tests.support.audio import PCAPS


@pytest.fixture
def kendari(kendari, tmp_path):
    return kendari.model_copy(update={"media": MediaConfig(
        spool_dir=str(tmp_path / "spool"), recordings_dir=str(tmp_path / "recordings"))})


def _recorded_call(siaga, tmp_path) -> uuid.UUID:
    """A call, and the files rtpengine leaves when that call's recording is finished."""
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    (tmp_path / "spool" / "pcaps").mkdir(parents=True)
    (tmp_path / "spool" / "metadata").mkdir()
    pcap = tmp_path / "spool" / "pcaps" / f"{call_id}-0123abcd.pcap"
    shutil.copy(PCAPS / "g711a.pcap", pcap)
    (tmp_path / "spool" / "metadata" / f"rtpengine-meta-{call_id}-0123abcd.txt").write_text(
        f"{pcap}\n\n\ncall start time: x\n")
    assert recording_store(siaga).collect() == [call_id]
    return call_id


def _playbacks(siaga, call_id):
    e = tables.event_log.c
    with siaga.engine.connect() as conn:
        return conn.execute(sa.select(e.actor, e.after).where(
            e.event_type == "PersonalDataViewed", e.aggregate_id == str(call_id))).all()


def test_a_supervisor_plays_a_recording_and_the_playback_is_logged(siaga, login, tmp_path):
    call_id = _recorded_call(siaga, tmp_path)
    supervisor = login(Role.SUPERVISOR)

    listed = supervisor.get("/api/v1/recordings")
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["call_id"] == str(call_id) and row["seconds"] == pytest.approx(7.1, abs=0.1)
    assert "081234567890" not in listed.text  # no numbers in the list
    assert _playbacks(siaga, call_id) == []  # listing is not playing

    played = supervisor.get(f"/api/v1/calls/{call_id}/recording")
    assert played.status_code == 200
    assert played.headers["content-type"] == "audio/wav"
    assert played.content[:4] == b"RIFF" and played.content[8:12] == b"WAVE"
    assert len(played.content) == row["size_bytes"]
    assert _playbacks(siaga, call_id) == [("citra", "recording_played")]

    assert login(Role.ADMIN).get(f"/api/v1/calls/{call_id}/recording").status_code == 200
    assert _playbacks(siaga, call_id) == [("citra", "recording_played"),
                                          ("admin", "recording_played")]


def test_other_roles_are_refused_and_missing_recordings_are_404(siaga, login, tmp_path):
    call_id = _recorded_call(siaga, tmp_path)
    for role in (Role.CALL_TAKER, Role.DISPATCHER, Role.AGENCY):
        client = login(role)
        assert client.get(f"/api/v1/calls/{call_id}/recording").status_code == 403
        assert client.get("/api/v1/recordings").status_code == 403
    assert _playbacks(siaga, call_id) == []
    supervisor = login(Role.SUPERVISOR)
    assert supervisor.get(f"/api/v1/calls/{uuid.uuid4()}/recording").status_code == 404
    assert supervisor.get("/api/v1/calls/not-a-call/recording").status_code == 422


def test_retention_deletes_old_recordings(siaga, clock, tmp_path):
    call_id = _recorded_call(siaga, tmp_path)
    store = recording_store(siaga)
    found = store.get(call_id)
    assert found is not None and found.file.is_file()
    days = siaga.center.retention.recordings_days

    assert store.purge(days=days) == 0
    clock.advance((days + 1) * 86400)
    assert store.purge(days=days) == 1

    assert not found.file.exists() and store.get(call_id) is None
    with siaga.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(recordings)).scalar() == 0
        assert conn.execute(sa.select(tables.event_log.c.data).where(
            tables.event_log.c.event_type == "PersonalDataViewed",
            tables.event_log.c.aggregate_id == "retention")).scalar() == {
                "recordings_deleted": 1}
