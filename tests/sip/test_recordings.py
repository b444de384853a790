"""Recording through a real media relay: sipp callers and a sipp phone send real speech
(RTP, A-law) through Debian's rtpengine, put in the call's path by the SIP node when the
center's `[media] relay = "rtpengine"`. The call is stored, one WAV file per call exists,
holds both parties' audio for about the time they spoke, and is linked to the call."""

from __future__ import annotations

import logging
import shutil
import wave
from array import array
from pathlib import Path

import pytest

from siaga112.config_media import MediaConfig
from tests.support.audio import PCAPS, rtp_pcap, speech_alaw
from tests.support.rtpengine import running_rtpengine


@pytest.fixture
def relay(tmp_path):
    with running_rtpengine(tmp_path / "rtpengine") as engine:
        yield engine


@pytest.fixture
def kendari(kendari, relay, tmp_path):
    return kendari.model_copy(update={"media": MediaConfig(
        relay="rtpengine", rtpengine_ng=relay.ng, spool_dir=str(relay.spool),
        recordings_dir=str(tmp_path / "recordings"), collect_interval_seconds=0.2)})


def _rms(samples: array) -> float:
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def test_a_connected_call_is_recorded_through_the_relay(sip, tmp_path, relay, caplog):
    caplog.set_level(logging.INFO, logger="siaga112.adapters.media.store")
    shutil.copy(PCAPS / "g711a.pcap", tmp_path / "caller_audio.pcap")  # 7 s of speech
    rtp_pcap(speech_alaw("Ambulans segera datang", tmp_path), tmp_path / "phone_audio.pcap")
    sip.phone("pos-01", "phone_answers_audio.xml", extra=("-mp", "26100"))
    sip.ready("pos-01")

    run = sip.call("caller_audio.xml", hold_ms=3000, extra=("-mp", "26200"))

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert sip.phones_done() == [0]
    call = sip.wait_for(lambda: [r for r in sip.rows("calls") if r.state == "released"])[0]
    found = sip.wait_for(lambda: sip.rows("recordings", call_id=call.id), seconds=10)
    assert found, (relay.log.read_text()[-3000:], list(relay.spool.rglob("*")))
    recording = found[0]
    assert recording.format == "wav"
    file = tmp_path / "recordings" / recording.path
    assert file.is_file() and file.stat().st_size == recording.size_bytes
    with wave.open(str(file)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (1, 8000, 2)
        seconds = wav.getnframes() / 8000
        samples = array("h", wav.readframes(wav.getnframes()))
    assert 2.5 <= seconds <= 5.0, seconds  # the caller spoke ~3 s before hanging up
    assert abs(recording.seconds - seconds) < 0.01
    assert _rms(samples) > 300  # speech, not silence
    # Both parties are in it: the caller's stream and the phone's.
    assert f"recording of call {call.id}: " in caplog.text
    assert "2 streams" in caplog.text
    assert list(relay.spool.glob("metadata/*.txt")) == []  # collected, spool emptied
    assert list(relay.spool.glob("pcaps/*.pcap")) == []


def test_a_call_never_answered_leaves_no_recording(sip, relay):
    sip.phone("pos-01", "phone_no_answer.xml")
    sip.ready("pos-01")

    run = sip.call("caller_cancels.xml")

    assert run.returncode == 0, run.stdout[-2000:]
    sip.wait_for(lambda: [r for r in sip.rows("calls") if r.state == "abandoned"])
    sip.telephony.recordings.store.collect()
    assert sip.rows("recordings") == []
    assert sip.telephony.node.media is not None and sip.telephony.node.media.sessions == {}
