"""The information messages of docs/quick-answers.md, played through the media relay to real
sipp callers: the waiting message to a caller waiting past the threshold, and the message
first to a number that lately called only with questions. Either way the caller keeps their
place in line and a position takes the call as usual."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest

from siaga112.config_information import MessageWords
from siaga112.config_media import MediaConfig
from siaga112.domain.calls import Call, Channel, Disposition
from siaga112.domain.phone import CallerNumber
from tests.support.audio import rtp_pcap, speech_alaw
from tests.support.rtpengine import running_rtpengine


@pytest.fixture(scope="module")
def announcements(tmp_path_factory):
    return tmp_path_factory.mktemp("announcements")  # made when the node starts


@pytest.fixture
def relay(tmp_path):
    with running_rtpengine(tmp_path / "rtpengine") as engine:
        yield engine


@pytest.fixture(params=["waiting", "questions_first"])
def kendari(request, kendari, relay, tmp_path, announcements):
    waiting = request.param == "waiting"
    return kendari.model_copy(update={
        "media": MediaConfig(relay="rtpengine", rtpengine_ng=relay.ng,
                             spool_dir=str(relay.spool),
                             recordings_dir=str(tmp_path / "recordings"),
                             collect_interval_seconds=0.2),
        "screening": kendari.screening.model_copy(update={
            "announcements_dir": str(announcements)}),
        "information": kendari.information.model_copy(update={
            "waiting_message": waiting, "waiting_after_seconds": 15,
            "question_callers_first": not waiting,
            "referral_number": "0401-3121-000",
            "message": MessageWords(id="Jika bukan darurat, hubungi 0401 3121 000.",
                                    en="If it is not an emergency, call 0401 3121 000.")})})


def _earlier_questions(siaga, number: str, count: int) -> None:
    """`count` answered calls from the number, each disposed as a question, days ago."""
    with siaga.uow() as uow:
        for day in range(1, count + 1):
            at = siaga.clock.now() - timedelta(days=day)
            call = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse(number), at=at)
            call.enqueue(at=at)
            call.offer(position_code="pos-02", at=at)
            call.connect(call_taker="op", at=at + timedelta(seconds=5), position_code="pos-02")
            call.release(at=at + timedelta(seconds=60))
            call.dispose(Disposition.NON_EMERGENCY, by="op", at=at + timedelta(seconds=61))
            uow.calls.add(call)
        uow.commit()


def _call_in_background(sip, number: str) -> tuple[threading.Thread, dict]:
    result: dict = {}
    caller = threading.Thread(target=lambda: result.setdefault("run", sip.call(
        "caller_screened.xml", caller=number, hold_ms=0)))
    caller.start()
    return caller, result


def _queued(sip):
    return sip.wait_for(lambda: [r for r in sip.rows("calls") if r.state == "queued"])


def test_the_message_plays_and_the_caller_keeps_their_place(request, siaga, sip, tmp_path,
                                                             caplog):
    caplog.set_level(logging.INFO, logger="siaga112.services.information_messages")
    waiting = request.node.callspec.params["kendari"] == "waiting"
    number = "081298765432"
    if not waiting:
        _earlier_questions(siaga, number, 3)
    rtp_pcap(speech_alaw("Halo, jam berapa kantor buka", tmp_path),
             tmp_path / "caller_audio.pcap")
    sip.phone("pos-01", "phone_hangs_up.xml", extra=("-d", "300"))
    started = time.monotonic()
    caller, result = _call_in_background(sip, number)

    queued = _queued(sip)
    expected = "heard the waiting message" if waiting else "heard the information message first"
    assert sip.wait_for(lambda: expected in caplog.text, seconds=25)
    took = time.monotonic() - started
    assert took >= 14.5 if waiting else took < 5, took
    assert [r.state for r in sip.rows("calls", id=queued[0].id)] == ["queued"]  # still in line
    sip.ready("pos-01")
    caller.join(40)

    assert result["run"].returncode == 0, result["run"].stdout[-2000:]
    answered = sip.wait_for(lambda: [r for r in sip.rows("calls", id=queued[0].id)
                                     if r.state == "released"])
    assert answered and answered[0].connected_at is not None


def test_a_caller_answered_at_once_with_no_question_history_hears_nothing(sip, caplog):
    caplog.set_level(logging.INFO, logger="siaga112.services.information_messages")
    sip.phone("pos-01")
    sip.ready("pos-01")

    run = sip.call("caller.xml", caller="081200001111")

    assert run.returncode == 0, run.stdout[-2000:]
    assert "heard the" not in caplog.text  # neither message
    assert sip.rows("calls")[0].connected_at is not None
