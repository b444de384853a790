"""Silent-call screening with real media (docs/screening.md): sipp callers send RTP (speech
made by espeak-ng, silence, RFC 4733 digits) through Debian's rtpengine to the node's tap;
the node answers them itself, listens, plays the announcement, and queues or releases them.
Genuine callers (who speak or press 5 5) are never released, and never wait for screening:
a free position takes a call that is still being screened."""

from __future__ import annotations

import time
import wave

import pytest

from siaga112.config_media import MediaConfig
from siaga112.config_screening import ScreeningConfig
from tests.support.audio import rtp_pcap, rtp_pcap_with_digits, speech_alaw
from tests.support.rtpengine import running_rtpengine

LISTEN, RESPONSE = 1.0, 3.0


@pytest.fixture(scope="module")
def announcements(tmp_path_factory):
    from siaga112.adapters.media.announcements import ensure_announcements

    folder = tmp_path_factory.mktemp("announcements")
    ensure_announcements(folder)  # espeak-ng and sox, as `siaga112 media announcements`
    return folder


@pytest.fixture
def relay(tmp_path):
    with running_rtpengine(tmp_path / "rtpengine") as engine:
        yield engine


@pytest.fixture
def kendari(kendari, relay, tmp_path, announcements):
    return kendari.model_copy(update={
        "media": MediaConfig(relay="rtpengine", rtpengine_ng=relay.ng,
                             spool_dir=str(relay.spool),
                             recordings_dir=str(tmp_path / "recordings"),
                             collect_interval_seconds=0.2),
        "screening": ScreeningConfig(silent_calls=True, listen_seconds=LISTEN,
                                     response_seconds=RESPONSE,
                                     announcements_dir=str(announcements))})


def _announcement_seconds(folder) -> float:
    with wave.open(str(folder / "screening.wav")) as wav:
        return wav.getnframes() / wav.getframerate()


def _only_call(sip, state=None):
    rows = sip.wait_for(lambda: [r for r in sip.rows("calls")
                                 if state is None or r.state == state], seconds=20)
    assert len(rows) == 1, [(r.state, r.released_at) for r in sip.rows("calls")]
    return rows[0]


def _reasons(sip, call_id) -> list[str | None]:
    import sqlalchemy as sa

    from siaga112.adapters.db import tables

    e = tables.event_log.c
    with sip.siaga.engine.connect() as conn:
        return [f"{after}:{reason}" if reason else after for after, reason in conn.execute(
            sa.select(e.after, e.reason).where(
                e.aggregate == "call", e.aggregate_id == str(call_id),
                e.event_type.in_(["CallReceived", "CallStateChanged"])).order_by(e.id))]


def test_a_caller_who_speaks_is_queued_ahead_and_answered(sip, tmp_path):
    rtp_pcap(speech_alaw("Tolong, rumah saya terbakar di Jalan Saranani", tmp_path),
             tmp_path / "caller_audio.pcap")
    sip.phone("pos-01", "phone_hangs_up.xml", extra=("-d", "500"))
    started = time.monotonic()
    import threading

    result = {}
    caller = threading.Thread(target=lambda: result.setdefault(
        "run", sip.call("caller_screened.xml", hold_ms=0)))
    caller.start()
    call = _only_call(sip, "queued")  # no position yet: it waits, screened meanwhile
    queued_after = time.monotonic() - started
    sip.ready("pos-01")
    caller.join(40)

    run = result["run"]
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert queued_after < LISTEN + 3, queued_after  # heard speaking: no announcement
    done = _only_call(sip, "released")
    assert done.id == call.id and done.connected_at is not None
    assert _reasons(sip, call.id)[:3] == ["received", "screening", "queued:screening_speech"]
    assert sip.telephony.node.tap.stats["speech"] >= 1


def test_a_silent_caller_hears_the_announcement_and_is_released_as_silent(sip, tmp_path,
                                                                        announcements):
    rtp_pcap(b"\xd5" * 160 * 50, tmp_path / "caller_audio.pcap")  # 1 s of silence, then none
    started = time.monotonic()

    run = sip.call("caller_screened.xml", hold_ms=0)

    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]  # the node's BYE
    call = _only_call(sip, "released")
    assert call.connected_at is None  # never reached a person: screened out
    assert _reasons(sip, call.id) == ["received", "screening", "released:silent"]
    # Listened, played the whole announcement, waited for an answer: then released.
    assert took >= LISTEN + _announcement_seconds(announcements) + RESPONSE - 0.5, took
    from siaga112.reports.period import Period
    from siaga112.reports.report import build_report

    zone = sip.siaga.center.zone
    day = call.received_at.astimezone(zone).date()
    report = build_report(engine=sip.siaga.engine, center=sip.siaga.center,
                          period=Period.parse(day, day, zone))
    assert report["screened_out"] == 1
    assert report["abandoned_in_queue"] == 0


def test_digits_5_5_after_silence_queue_the_caller(sip, tmp_path):
    rtp_pcap_with_digits(tmp_path / "caller_audio.pcap", silence_s=LISTEN + 1.5, digits="55")
    sip.phone("pos-01", "phone_hangs_up.xml", extra=("-d", "300"))
    import threading

    result = {}
    caller = threading.Thread(target=lambda: result.setdefault(
        "run", sip.call("caller_screened.xml", hold_ms=0)))
    caller.start()
    call = _only_call(sip, "queued")
    sip.ready("pos-01")
    caller.join(40)

    assert result["run"].returncode == 0, result["run"].stdout[-2000:]
    assert _reasons(sip, call.id)[:3] == ["received", "screening", "queued:screening_digits"]
    assert _only_call(sip, "released").connected_at is not None
    assert sip.telephony.node.tap.stats["speech"] == 0


def test_a_free_position_takes_a_call_still_being_screened_at_once(sip, tmp_path):
    rtp_pcap(b"\xd5" * 160 * 50, tmp_path / "caller_audio.pcap")  # silent, but not waited for
    sip.phone("pos-01", "phone_hangs_up.xml", extra=("-d", "300"))
    sip.ready("pos-01")

    run = sip.call("caller_screened.xml", hold_ms=0)

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    call = _only_call(sip, "released")
    assert call.connected_at is not None
    assert (call.connected_at - call.received_at).total_seconds() < LISTEN  # not delayed
    assert _reasons(sip, call.id)[:4] == ["received", "screening", "queued:screening_offered",
                                          "offered"]
