"""API schemas of the quick answers (routes/knowledge.py), apart from the domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from siaga112.domain.knowledge import (
    CallTopic, KnowledgeContent, KnowledgeVersion, Referral, sms_parts, sms_text,
)

TopicCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,39}$")]




def _words(max_length: int, *, required: bool = True) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1 if required else 0,
                             max_length=max_length)


Name = Annotated[str, _words(120)]
Question = Annotated[str, _words(400)]
Answer = Annotated[str, _words(800)]
Phone = Annotated[str | None, _words(40, required=False)]
Place = Annotated[str | None, _words(200, required=False)]
Long = Annotated[str | None, _words(400, required=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferralBody(_In):
    name: Name
    phone: Phone = None
    place: Place = None
    note: Place = None


class QuickAnswerContent(_In):
    title: Name
    question: Question
    answer: Answer
    referrals: list[ReferralBody] = Field(default=[], max_length=8)
    keywords: list[Annotated[str, StringConstraints(max_length=60)]] = Field(default=[],
                                                                             max_length=30)
    source: Long = None
    to_check: bool = False
    active: bool = True
    note: Long = None  # why it changed: kept with the version

    def content(self) -> KnowledgeContent:
        return KnowledgeContent(
            title=self.title, question=self.question, answer=self.answer,
            referrals=tuple(Referral(name=r.name, phone=r.phone, place=r.place, note=r.note)
                            for r in self.referrals),
            keywords=tuple(self.keywords), source=self.source, to_check=self.to_check,
            active=self.active)


class QuickAnswerCreate(QuickAnswerContent):
    code: TopicCode


class QuickAnswerUpdate(QuickAnswerContent):
    base_version: int = Field(ge=1, le=1_000_000, description="the version the edit started from")


class ReferralPublic(BaseModel):
    name: str
    phone: str | None
    place: str | None
    note: str | None


class QuickAnswerPublic(BaseModel):
    code: str
    version: int
    title: str
    question: str
    answer: str
    referrals: list[ReferralPublic]
    keywords: list[str]
    source: str | None
    to_check: bool
    active: bool
    edited_by: str
    edited_at: datetime
    note: str | None
    sms_text: str  # what "send by SMS" sends
    sms_parts: int

    @classmethod
    def of(cls, v: KnowledgeVersion, *, signature: str) -> QuickAnswerPublic:
        c = v.content
        text = sms_text(c, signature=signature)
        return cls(code=v.code, version=v.version, title=c.title, question=c.question,
                   answer=c.answer, referrals=[ReferralPublic(
                       name=r.name, phone=r.phone, place=r.place, note=r.note)
                       for r in c.referrals],
                   keywords=list(c.keywords), source=c.source, to_check=c.to_check,
                   active=c.active, edited_by=v.edited_by, edited_at=v.edited_at, note=v.note,
                   sms_text=text, sms_parts=sms_parts(text))


class QuickAnswerHit(BaseModel):
    score: float
    entry: QuickAnswerPublic


class TopicChoice(_In):
    topic: TopicCode


class CallTopicPublic(BaseModel):
    call_id: uuid.UUID
    topic: str
    version: int
    title: str | None
    set_by: str
    set_at: datetime
    disposition: str | None

    @classmethod
    def of(cls, topic: CallTopic, *, title: str | None,
           disposition: str | None) -> CallTopicPublic:
        return cls(call_id=topic.call_id, topic=topic.code, version=topic.version, title=title,
                   set_by=topic.set_by, set_at=topic.set_at, disposition=disposition)


class QuickAnswerSmsPublic(BaseModel):
    status: str  # sent (other outcomes are error answers)
    topic: str
    version: int
    text: str
    parts: int
