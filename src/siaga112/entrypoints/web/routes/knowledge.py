"""Quick answers through the API: the knowledge base, a question call's topic, SMS to the caller,
and the weekly top topics (docs/quick-answers.md). The supervisor's page is
quick_answers_page.py; the call-taker console includes templates/_quick_answers.html.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from siaga112.domain.errors import NotFound
from siaga112.domain.knowledge import KnowledgeVersion
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.errors import ApiError, ErrorBody
from siaga112.entrypoints.web.schemas_knowledge import (
    CallTopicPublic, QuickAnswerCreate, QuickAnswerHit, QuickAnswerPublic, QuickAnswerSmsPublic,
    QuickAnswerUpdate, TopicChoice, TopicCode,
)
from siaga112.reports.period import Period
from siaga112.reports.topics import weekly_topics
from siaga112.services import commands as c
from siaga112.services.handlers.knowledge import sms_signature
from siaga112.services.knowledge_search import KnowledgeSearch
from siaga112.services.location_link_ports import SmsStatus

knowledge = APIRouter(prefix=f"{API}/knowledge", tags=["quick answers"],
                      dependencies=[Authorized])
call_topics = APIRouter(prefix=f"{API}/calls", tags=["quick answers"], dependencies=[Authorized])
DEFAULT_WEEKS = 8
SMS_ERRORS: dict[SmsStatus, tuple[int, str]] = {
    SmsStatus.FAILED: (502, "sms_failed"),
    SmsStatus.NOT_CONFIGURED: (503, "sms_unavailable"),
    SmsStatus.NO_NUMBER: (422, "no_number"),
}


def _public(siaga: SiagaDep, version: KnowledgeVersion) -> QuickAnswerPublic:
    return QuickAnswerPublic.of(version, signature=sms_signature(siaga.center))


def search_index(request: Request) -> KnowledgeSearch:
    """One search index per running app (built lazily; a second one by a race is harmless)."""
    state = request.app.state
    if getattr(state, "knowledge_search", None) is None:
        state.knowledge_search = KnowledgeSearch()
    return state.knowledge_search  # type: ignore[no-any-return]


# --- the knowledge base ---------------------------------------------------------------------
@knowledge.get("/search")
def search(request: Request, _: Person, siaga: SiagaDep,
           q: Annotated[str, Query(max_length=200, description="what the caller asks")] = "",
           limit: Annotated[int, Query(ge=1, le=20)] = 8) -> list[QuickAnswerHit]:
    """Active quick answers like the words typed, best first; typos and old spellings too."""
    hits = search_index(request).search(siaga.uow, q, limit=limit)
    return [QuickAnswerHit(score=h.score, entry=_public(siaga, h.entry)) for h in hits]


@knowledge.get("/entries")
def list_entries(_: Person, siaga: SiagaDep, retired: bool = False) -> list[QuickAnswerPublic]:
    """The current version of every topic (with `retired=true` also the retired ones)."""
    with siaga.uow() as uow:
        entries = uow.knowledge.all_current(include_retired=retired)
    return [_public(siaga, e) for e in entries]


@knowledge.post("/entries", status_code=201)
def create_entry(body: QuickAnswerCreate, user: Person, siaga: SiagaDep) -> QuickAnswerPublic:
    version = siaga.bus.handle(c.SaveKnowledgeEntry(code=body.code, content=body.content(),
                                                    by=user.username, note=body.note))
    return _public(siaga, version)


@knowledge.get("/entries/{code}")
def get_entry(code: TopicCode, _: Person, siaga: SiagaDep) -> QuickAnswerPublic:
    with siaga.uow() as uow:
        entry = uow.knowledge.current(code)
    if entry is None:
        raise NotFound(f"no quick answer '{code}'")
    return _public(siaga, entry)


@knowledge.put("/entries/{code}")
def update_entry(code: TopicCode, body: QuickAnswerUpdate, user: Person,
                 siaga: SiagaDep) -> QuickAnswerPublic:
    """A new version; 409 when someone saved since `base_version` (reload, then edit)."""
    version = siaga.bus.handle(c.SaveKnowledgeEntry(
        code=code, content=body.content(), by=user.username, base_version=body.base_version,
        note=body.note))
    return _public(siaga, version)


@knowledge.get("/entries/{code}/versions")
def entry_versions(code: TopicCode, _: Person, siaga: SiagaDep) -> list[QuickAnswerPublic]:
    """Every version of the topic, newest first: who changed what, when and why."""
    with siaga.uow() as uow:
        versions = uow.knowledge.versions(code)
    if not versions:
        raise NotFound(f"no quick answer '{code}'")
    return [_public(siaga, v) for v in versions]


@knowledge.get("/topics/weekly")
def topics_weekly(
    _: Person, siaga: SiagaDep,
    first: Annotated[date | None, Query(alias="from", description="first day, local")] = None,
    last: Annotated[date | None, Query(alias="to", description="last day, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Per week (Monday to Sunday), the topics that took the most call-taker time: calls,
    talk time, its share of all answered talk time. Default: the last 8 weeks to today."""
    today = siaga.clock.now().astimezone(siaga.center.zone).date()
    last = last or today
    first = first or last - timedelta(days=last.weekday() + 7 * (DEFAULT_WEEKS - 1))
    return weekly_topics(siaga.engine, Period(first, last, siaga.center.zone), limit=limit)


# --- a call's topic and SMS -----------------------------------------------------------------
def _call_topic(siaga: SiagaDep, call_id: uuid.UUID) -> CallTopicPublic | None:
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        if call is None:
            raise NotFound(f"no call {call_id}")
        topic = uow.knowledge.topic_of(call_id)
        entry = uow.knowledge.current(topic.code) if topic else None
    if topic is None:
        return None
    return CallTopicPublic.of(topic, title=entry.content.title if entry else None,
                              disposition=call.disposition.value if call.disposition else None)


@call_topics.get("/{call_id}/topic")
def get_call_topic(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> CallTopicPublic | None:
    """The question topic the call was disposed with, or null."""
    return _call_topic(siaga, call_id)


@call_topics.post("/{call_id}/topic")
def set_call_topic(call_id: uuid.UUID, body: TopicChoice, user: Person,
                   siaga: SiagaDep) -> CallTopicPublic:
    """Dispose the answered call as `non_emergency` with this topic, in one transaction."""
    siaga.bus.handle(c.DisposeWithTopic(call_id=call_id, topic=body.topic, by=user.username))
    topic = _call_topic(siaga, call_id)
    assert topic is not None
    return topic


SMS_RESPONSES: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorBody, "description": "The SMS gateway refused it or could not be reached"},
    503: {"model": ErrorBody, "description": "No SMS gateway is configured for this center"},
}


@call_topics.post("/{call_id}/quick-answer-sms", responses=SMS_RESPONSES)
def send_quick_answer(call_id: uuid.UUID, body: TopicChoice, user: Person,
                      siaga: SiagaDep) -> QuickAnswerSmsPublic:
    """Send the topic's answer and referrals to the caller's number by SMS; every attempt
    is logged with the call (without the number)."""
    sent = siaga.bus.handle(c.SendQuickAnswer(call_id=call_id, topic=body.topic,
                                              by=user.username))
    if sent.result.status is not SmsStatus.SENT:
        status, code = SMS_ERRORS.get(sent.result.status, (502, "sms_failed"))
        raise ApiError(status, code, sent.result.error or "the SMS was not sent")
    return QuickAnswerSmsPublic(status=sent.result.status.value, topic=sent.topic,
                                version=sent.version, text=sent.text, parts=sent.parts)


router = APIRouter()
router.include_router(knowledge)
router.include_router(call_topics)
