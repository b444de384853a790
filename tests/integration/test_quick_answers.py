"""Quick answers on SQLite and PostgreSQL: the versioned knowledge base, a question call's topic,
the SMS through the center's adapter, and the weekly top topics."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from siaga112.adapters.db.tables import event_log
from siaga112.adapters.db.tables_knowledge import call_topics
from siaga112.config_location_link import LocationLinkConfig, SmsGammuConfig
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.errors import Conflict, DomainError, NotFound
from siaga112.reports.period import Period
from siaga112.reports.topics import weekly_topics
from siaga112.services import commands as c
from siaga112.services.knowledge_search import KnowledgeSearch
from siaga112.services.location_link_ports import SmsStatus


def answered_call(siaga, clock, *, talk: float = 0, caller: str | None = "081234567890",
                  by: str = "ani") -> uuid.UUID:
    call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=caller))
    clock.advance(3)
    siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker=by))
    if talk:
        clock.advance(talk)
        siaga.bus.handle(c.ReleaseCall(call_id=call_id, actor=by))
    return call_id


def events_of(siaga, event_type: str) -> list[dict]:
    with siaga.engine.connect() as conn:
        rows = conn.execute(sa.select(event_log).where(event_log.c.event_type == event_type)
                            .order_by(event_log.c.id)).mappings()
        return [dict(r) for r in rows]


def test_the_starter_set_is_loaded_once_and_never_over_an_edited_base(siaga, clock) -> None:
    with siaga.uow() as uow:
        entries = uow.knowledge.all_current()
    starter = siaga.center.information.starter
    assert [e.code for e in sorted(entries, key=lambda e: e.code)] == sorted(
        e.code for e in starter)
    assert {(e.version, e.edited_by) for e in entries} == {(1, "siaga112")}
    pln = next(e for e in entries if e.code == "listrik-padam")
    assert pln.content.referrals[0].phone == "123" and pln.content.source.startswith("PLN")
    assert len(events_of(siaga, "KnowledgeEntryChanged")) == len(starter)
    assert siaga.bus.handle(c.SeedKnowledgeBase()) == 0  # a second start adds nothing


def test_every_edit_is_a_new_version_and_history_is_kept(siaga, clock) -> None:
    with siaga.uow() as uow:
        v1 = uow.knowledge.current("listrik-padam")
    clock.advance(60)
    v2 = siaga.bus.handle(c.SaveKnowledgeEntry(
        code="listrik-padam", by="citra", base_version=1, note="PLN Mobile first",
        content=replace(v1.content, answer="Laporkan lewat aplikasi PLN Mobile atau 123.")))
    assert (v2.version, v2.edited_by, v2.edited_at) == (2, "citra", clock.now())
    # Someone who opened version 1 before that save cannot overwrite it unseen.
    with pytest.raises(Conflict, match="version 2"):
        siaga.bus.handle(c.SaveKnowledgeEntry(
            code="listrik-padam", by="dewi", base_version=1,
            content=replace(v1.content, title="Listrik mati")))
    clock.advance(60)
    siaga.bus.handle(c.SaveKnowledgeEntry(code="listrik-padam", by="dewi", base_version=2,
                                          content=replace(v2.content, active=False),
                                          note="PLN runs its own line now"))
    with siaga.uow() as uow:
        history = uow.knowledge.versions("listrik-padam")
        active = {e.code for e in uow.knowledge.all_current()}
        everything = {e.code for e in uow.knowledge.all_current(include_retired=True)}
    assert [(v.version, v.edited_by, v.content.active) for v in history] == [
        (3, "dewi", False), (2, "citra", True), (1, "siaga112", True)]
    assert history[2].content == v1.content  # the old text is still there, as it was
    assert "listrik-padam" not in active and "listrik-padam" in everything
    assert all(h.entry.code != "listrik-padam"
               for h in KnowledgeSearch().search(siaga.uow, "listrik padam"))
    changes = [e for e in events_of(siaga, "KnowledgeEntryChanged")
               if e["aggregate_id"] == "listrik-padam"]
    assert [(e["before"], e["after"], e["actor"]) for e in changes] == [
        (None, "1", "siaga112"), ("1", "2", "citra"), ("2", "3", "dewi")]

    # A new topic needs a free code; an edit needs a topic.
    with siaga.uow() as uow:
        content = uow.knowledge.current("air-pdam").content
    with pytest.raises(Conflict, match="exists already"):
        siaga.bus.handle(c.SaveKnowledgeEntry(code="air-pdam", content=content, by="citra"))
    made = siaga.bus.handle(c.SaveKnowledgeEntry(code="air-pdam-2", content=content, by="citra"))
    assert made.version == 1
    with pytest.raises(NotFound):
        siaga.bus.handle(c.SaveKnowledgeEntry(code="nope", content=content, by="citra",
                                              base_version=1))


def test_a_question_call_is_disposed_with_its_topic_in_one_step_or_not_at_all(
        siaga, clock) -> None:
    call_id = answered_call(siaga, clock)
    topic = siaga.bus.handle(c.DisposeWithTopic(call_id=call_id, topic="ktp-hilang", by="ani"))
    assert (topic.code, topic.version, topic.set_by) == ("ktp-hilang", 1, "ani")
    # The call-taker picks a better answer: the topic changes, the disposition stays.
    siaga.bus.handle(c.DisposeWithTopic(call_id=call_id, topic="kartu-keluarga", by="ani"))
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        stored = uow.knowledge.topic_of(call_id)
    assert call.disposition is Disposition.NON_EMERGENCY and stored.code == "kartu-keluarga"
    assert [e["after"] for e in events_of(siaga, "CallDisposed")] == ["non_emergency"]
    assert [(e["before"], e["after"], e["data"]) for e in events_of(siaga, "CallTopicSet")] == [
        (None, "ktp-hilang", {"version": 1}), ("ktp-hilang", "kartu-keluarga", {"version": 1})]

    # Nothing is recorded for a call not answered, a retired or an unknown topic.
    waiting = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    with pytest.raises(DomainError, match="answered call"):
        siaga.bus.handle(c.DisposeWithTopic(call_id=waiting, topic="ktp-hilang", by="ani"))
    with siaga.uow() as uow:
        sampah = uow.knowledge.current("sampah")
    siaga.bus.handle(c.SaveKnowledgeEntry(code="sampah", by="citra", base_version=1,
                                          content=replace(sampah.content, active=False)))
    answered = answered_call(siaga, clock)
    with pytest.raises(Conflict, match="retired"):
        siaga.bus.handle(c.DisposeWithTopic(call_id=answered, topic="sampah", by="ani"))
    with pytest.raises(NotFound):
        siaga.bus.handle(c.DisposeWithTopic(call_id=answered, topic="no-such", by="ani"))
    with siaga.engine.connect() as conn:  # the first call's topic only
        assert conn.execute(sa.select(sa.func.count()).select_from(call_topics)).scalar() == 1
    with siaga.uow() as uow:
        assert uow.calls.get(waiting).disposition is None
        assert uow.calls.get(answered).disposition is None


def test_weekly_top_topics_count_the_talk_time_of_calls_still_disposed_as_questions(
        siaga, clock) -> None:
    def question(topic: str, talk: float) -> uuid.UUID:
        call_id = answered_call(siaga, clock, talk=talk)
        siaga.bus.handle(c.DisposeWithTopic(call_id=call_id, topic=topic, by="ani"))
        return call_id

    # Week of Monday 9 June 2025 (the clock starts Tuesday 10 June, 09:00 WITA).
    question("listrik-padam", 120)
    question("listrik-padam", 60)
    question("air-pdam", 90)
    answered_call(siaga, clock, talk=300)  # an emergency call: talk time, no topic
    turned = question("ktp-hilang", 200)
    siaga.bus.handle(c.DisposeCall(call_id=turned, disposition=Disposition.EMERGENCY, by="ani"))
    clock.advance(7 * 24 * 3600)  # the next week
    question("air-pdam", 45)

    period = Period(date(2025, 6, 9), date(2025, 6, 22), siaga.center.zone)
    result = weekly_topics(siaga.engine, period)
    first, second = result["weeks"]
    assert (first["week"], second["week"]) == ("2025-06-09", "2025-06-16")
    assert first["answered"] == 5 and first["talk_seconds"] == pytest.approx(770, abs=0.01)
    assert [(t["code"], t["calls"], t["talk_seconds"]) for t in first["topics"]] == [
        ("listrik-padam", 2, 180.0), ("air-pdam", 1, 90.0)]
    assert first["topics"][0]["share_of_talk"] == pytest.approx(180 / 770, abs=1e-4)
    assert first["topics"][0]["mean_talk_seconds"] == 90.0
    assert first["question_calls"] == 3 and first["question_talk_seconds"] == 270.0
    assert [(t["code"], t["calls"]) for t in second["topics"]] == [("air-pdam", 1)]
    assert weekly_topics(siaga.engine, period, limit=1)["weeks"][0]["topics"][0]["code"] \
        == "listrik-padam"
    # A period with no calls still lists its weeks, empty.
    empty = weekly_topics(siaga.engine, Period(date(2025, 5, 1), date(2025, 5, 14),
                                               siaga.center.zone))
    assert [w["week"] for w in empty["weeks"]] == ["2025-04-28", "2025-05-05", "2025-05-12"]
    assert all(w["topics"] == [] and w["answered"] == 0 for w in empty["weeks"])


@pytest.fixture
def kendari(kendari, tmp_path):
    """Kendari with its SMS adapter: Gammu SMSD's outbox in a scratch folder."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    return kendari.model_copy(update={"location_link": LocationLinkConfig(
        sms_adapter="gammu", gammu=SmsGammuConfig(outbox_dir=str(outbox)))})


def test_the_answer_goes_to_the_caller_by_sms_and_only_the_outcome_is_logged(
        siaga, clock, tmp_path) -> None:
    call_id = answered_call(siaga, clock)
    sent = siaga.bus.handle(c.SendQuickAnswer(call_id=call_id, topic="listrik-padam", by="ani"))
    assert sent.result.status is SmsStatus.SENT and sent.parts <= 3
    [spooled] = list((tmp_path / "outbox").glob("OUT*.txt"))
    assert "_+6281234567890_" in spooled.name
    text = spooled.read_bytes()[2:].decode("utf-16-le")
    assert text == sent.text and "PLN" in text and text.endswith("(Call Center 112 Kota Kendari)")
    [logged] = events_of(siaga, "QuickAnswerSmsAttempted")
    assert (logged["after"], logged["actor"], logged["data"]["topic"]) == ("sent", "ani",
                                                                          "listrik-padam")
    assert "6281234567890" not in str(logged)  # no number in the audit trail

    withheld = answered_call(siaga, clock, caller="anonymous")
    assert siaga.bus.handle(c.SendQuickAnswer(call_id=withheld, topic="listrik-padam",
                                              by="ani")).result.status is SmsStatus.NO_NUMBER
    with pytest.raises(Conflict, match="still to be checked"):  # an unchecked example
        siaga.bus.handle(c.SendQuickAnswer(call_id=call_id, topic="air-pdam", by="ani"))
    assert len(list((tmp_path / "outbox").glob("OUT*.txt"))) == 1
