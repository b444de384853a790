"""Quick answers: the versioned knowledge base, question calls' topics, answers sent by SMS.

The SMS goes through the center's SMS adapter (the location link's `sender_for`, configured
in `[location_link]`), between two short transactions: a slow gateway holds no lock.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from siaga112.config import CenterConfig
from siaga112.domain.calls import Call, Disposition
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, InvalidValue, NotFound
from siaga112.domain.events import CallTopicSet, KnowledgeEntryChanged, QuickAnswerSmsAttempted
from siaga112.domain.knowledge import (
    CallTopic, KnowledgeVersion, first_version, next_version, sms_parts, sms_text,
)
from siaga112.services import commands as c
# The location link's SMS: the same adapter, the same rule for a number that can get one.
from siaga112.services.handlers.location_links import SenderFor, _sendable
from siaga112.services.location_link_ports import SmsResult, SmsStatus
from siaga112.services.quick_answer_ports import KnowledgeUnitOfWork

log = logging.getLogger(__name__)
SEED_AUTHOR = "siaga112"


def _changed(version: KnowledgeVersion, before: int | None) -> KnowledgeEntryChanged:
    return KnowledgeEntryChanged(
        aggregate_id=version.code, at=version.edited_at, actor=version.edited_by,
        reason=version.note, before=None if before is None else str(before),
        after=str(version.version),
        data={"title": version.content.title, "active": version.content.active})


def save_entry(cmd: c.SaveKnowledgeEntry, uow: KnowledgeUnitOfWork, *,
               clock: Clock) -> KnowledgeVersion:
    with uow:
        now = clock.now()
        current = uow.knowledge.current(cmd.code, for_update=True)
        if cmd.base_version is None:
            if current is not None:
                raise Conflict(f"knowledge: '{cmd.code}' exists already (version "
                               f"{current.version}): edit it instead")
            version = first_version(code=cmd.code, content=cmd.content, by=cmd.by, at=now,
                                    note=cmd.note)
        else:
            if current is None:
                raise NotFound(f"no quick answer '{cmd.code}'")
            version = next_version(current, content=cmd.content, by=cmd.by, at=now,
                                   base_version=cmd.base_version, note=cmd.note)
        uow.knowledge.add_version(version)
        uow.record(_changed(version, current.version if current else None))
        uow.commit()
        return version


def seed_knowledge_base(cmd: c.SeedKnowledgeBase, uow: KnowledgeUnitOfWork, *, clock: Clock,
                        center: CenterConfig) -> int:
    """The center file's starter entries, once: a knowledge base with any entry is kept."""
    starter = center.information.starter
    with uow:
        if not starter or not uow.knowledge.is_empty():
            return 0
        now = clock.now()
        try:
            for entry in starter:
                version = first_version(code=entry.code, content=entry.content(),
                                        by=SEED_AUTHOR, at=now,
                                        note="starter set from the center file")
                uow.knowledge.add_version(version)
                uow.record(_changed(version, None))
        except Conflict:  # another node, starting at the same moment, seeded it
            return 0
        uow.commit()
        return len(starter)


def _call(uow: KnowledgeUnitOfWork, call_id: uuid.UUID, *, for_update: bool = False) -> Call:
    call = uow.calls.get(call_id, for_update=for_update)
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


def _live_topic(uow: KnowledgeUnitOfWork, code: str) -> KnowledgeVersion:
    entry = uow.knowledge.current(code)
    if entry is None:
        raise NotFound(f"no quick answer '{code}'")
    if not entry.content.active:
        raise Conflict(f"the quick answer '{code}' is retired")
    return entry


def dispose_with_topic(cmd: c.DisposeWithTopic, uow: KnowledgeUnitOfWork, *,
                       clock: Clock) -> CallTopic:
    with uow:
        call = _call(uow, cmd.call_id, for_update=True)
        entry = _live_topic(uow, cmd.topic)
        now = clock.now()
        before = uow.knowledge.topic_of(call.id)
        if call.disposition is not Disposition.NON_EMERGENCY:
            call.dispose(Disposition.NON_EMERGENCY, by=cmd.by, at=now)  # answered calls only
        topic = CallTopic(call_id=call.id, code=entry.code, version=entry.version,
                          set_by=cmd.by, set_at=now)
        uow.knowledge.set_topic(topic)
        uow.record(CallTopicSet(aggregate_id=str(call.id), at=now, actor=cmd.by,
                                before=before.code if before else None, after=entry.code,
                                data={"version": entry.version}))
        uow.commit()
        return topic


def sms_signature(center: CenterConfig) -> str:
    return center.information.sms_signature or center.center.name


@dataclass(frozen=True)
class QuickAnswerSms:
    result: SmsResult
    text: str
    parts: int
    topic: str
    version: int


def send_quick_answer(cmd: c.SendQuickAnswer, uow: KnowledgeUnitOfWork, *, clock: Clock,
                      center: CenterConfig,
                      sender_for: SenderFor | None = None) -> QuickAnswerSms:
    with uow:
        call = _call(uow, cmd.call_id)
        if not call.answered:
            raise InvalidValue("a quick answer goes to a caller who was answered")
        entry = _live_topic(uow, cmd.topic)
    if entry.content.to_check:
        raise Conflict(f"the quick answer '{entry.code}' is an example still to be checked "
                       "by the center: read it out if it fits, but it is not sent by SMS")
    text = sms_text(entry.content, signature=sms_signature(center))
    sender = sender_for(center.location_link) if sender_for else None
    t0 = time.monotonic()
    if sender is None:
        result = SmsResult(SmsStatus.NOT_CONFIGURED,
                           "no SMS gateway is configured for this center: read the answer out")
    elif not _sendable(call.caller_number):
        result = SmsResult(SmsStatus.NO_NUMBER, "the call has no number to send an SMS to")
    else:
        try:
            result = sender.send(call.caller_number, text)  # type: ignore[arg-type]
        except Exception as exc:  # an adapter's bug must not lose the log entry
            log.exception("SMS adapter %s failed", sender.name)
            result = SmsResult(SmsStatus.FAILED, f"{type(exc).__name__}: {exc}"[:400])
    with uow:
        uow.record(QuickAnswerSmsAttempted(
            aggregate_id=str(call.id), at=clock.now(), actor=cmd.by, after=result.status.value,
            data={"topic": entry.code, "version": entry.version, "parts": sms_parts(text),
                  "adapter": sender.name if sender else "none",
                  "duration_ms": int((time.monotonic() - t0) * 1000),
                  "error": (result.error or "")[:200] or None}))
        uow.commit()
    return QuickAnswerSms(result=result, text=text, parts=sms_parts(text), topic=entry.code,
                          version=entry.version)
