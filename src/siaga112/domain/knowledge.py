"""The center's quick answers to non-emergency questions: entries, their versions, the SMS.

Kendari's first 20 days: 2,522 of the 3,744 answered calls lasted over 10 s, mostly general
questions (electricity, water, ID papers, hospitals). Each entry is one topic: the question as
callers ask it, a short answer to read out, where to refer the caller, and the keywords that
find it. Every edit is a new version (who, when, why); nothing is overwritten or deleted, a
topic that no longer applies is retired (a version with `active = False`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.domain.lifecycle import check_aware, check_not_before

CODE = re.compile(r"^[a-z0-9][a-z0-9\-]{1,39}$")
LIMITS = {"title": 120, "question": 400, "answer": 800, "source": 400, "note": 400}
MAX_REFERRALS, MAX_KEYWORDS, MAX_KEYWORD = 8, 30, 60
# An SMS longer than three parts is split by some phones and dropped by some gateways.
SMS_MAX_PARTS = 3
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = set("^{}\\[~]|€")  # two septets each


@dataclass(frozen=True, kw_only=True)
class Referral:
    """Where the caller can go: a number to call, a place, or both."""

    name: str
    phone: str | None = None
    place: str | None = None
    note: str | None = None  # e.g. opening hours

    def as_text(self) -> str:
        parts = [self.name + (f" {self.phone}" if self.phone else "")]
        parts += [p for p in (self.place, self.note) if p]
        return ", ".join(parts)


@dataclass(frozen=True, kw_only=True)
class KnowledgeContent:
    """What a supervisor writes; a version freezes one state of it."""

    title: str
    question: str
    answer: str
    referrals: tuple[Referral, ...] = ()
    keywords: tuple[str, ...] = ()
    # Where the facts come from; without one, `to_check` says the entry is an example that
    # the center must check before relying on it.
    source: str | None = None
    to_check: bool = False
    active: bool = True

    def checked(self) -> KnowledgeContent:
        """The content trimmed and validated, or InvalidValue naming the field."""
        c = replace(self, title=self.title.strip(), question=self.question.strip(),
                    answer=self.answer.strip(), source=(self.source or "").strip() or None,
                    keywords=_keywords(self.keywords),
                    referrals=tuple(_referral(r) for r in self.referrals))
        for name in ("title", "question", "answer"):
            if not getattr(c, name):
                raise InvalidValue(f"knowledge: {name} is empty")
        for name, limit in LIMITS.items():
            value = getattr(c, name, None)
            if value and len(value) > limit:
                raise InvalidValue(f"knowledge: {name} is longer than {limit} characters")
        if len(c.referrals) > MAX_REFERRALS:
            raise InvalidValue(f"knowledge: at most {MAX_REFERRALS} referrals")
        if c.source is None and not c.to_check:
            raise InvalidValue("knowledge: name the source of the facts, or mark the entry "
                               "as an example to be checked (to_check)")
        return c


def _keywords(words: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in words:
        word = " ".join(word.split()).lower()
        if len(word) > MAX_KEYWORD:
            raise InvalidValue(f"knowledge: keyword longer than {MAX_KEYWORD} characters")
        if word:
            seen.setdefault(word)
    if len(seen) > MAX_KEYWORDS:
        raise InvalidValue(f"knowledge: at most {MAX_KEYWORDS} keywords")
    return tuple(seen)


def _referral(r: Referral) -> Referral:
    def clean(value: str | None, limit: int, what: str) -> str | None:
        value = (value or "").strip() or None
        if value and len(value) > limit:
            raise InvalidValue(f"knowledge: referral {what} longer than {limit} characters")
        return value

    name = clean(r.name, 120, "name")
    if name is None:
        raise InvalidValue("knowledge: a referral needs a name")
    checked = Referral(name=name, phone=clean(r.phone, 40, "phone"),
                       place=clean(r.place, 200, "place"), note=clean(r.note, 200, "note"))
    if checked.phone is None and checked.place is None:
        raise InvalidValue(f"knowledge: referral '{name}' needs a phone number or a place")
    return checked


@dataclass(frozen=True, kw_only=True)
class KnowledgeVersion:
    """One version of a topic: its content, who wrote it, when and why."""

    code: str
    version: int
    content: KnowledgeContent
    edited_by: str
    edited_at: datetime
    note: str | None = None


def first_version(*, code: str, content: KnowledgeContent, by: str, at: datetime,
                  note: str | None = None) -> KnowledgeVersion:
    if not CODE.match(code):
        raise InvalidValue(f"knowledge: code '{code}' must be 2-40 lower-case letters, "
                           "digits or hyphens")
    check_aware(at)
    return KnowledgeVersion(code=code, version=1, content=content.checked(), edited_by=by,
                            edited_at=at, note=_note(note))


def next_version(current: KnowledgeVersion, *, content: KnowledgeContent, by: str,
                 at: datetime, base_version: int, note: str | None = None) -> KnowledgeVersion:
    """The edit of someone who started from `base_version`: refused if another edit came
    in between (they would overwrite it unseen), or if nothing changed."""
    if base_version != current.version:
        raise Conflict(f"knowledge: '{current.code}' is at version {current.version} (by "
                       f"{current.edited_by}), not {base_version}: reload and edit again")
    check_not_before("knowledge", at, current.edited_at)
    checked = content.checked()
    if checked == current.content:
        raise InvalidValue(f"knowledge: nothing changed in '{current.code}'")
    return KnowledgeVersion(code=current.code, version=current.version + 1, content=checked,
                            edited_by=by, edited_at=at, note=_note(note))


def _note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > LIMITS["note"]:
        raise InvalidValue(f"knowledge: note longer than {LIMITS['note']} characters")
    return note


@dataclass(frozen=True, kw_only=True)
class CallTopic:
    """What a question call was about: the topic and the version read out."""

    call_id: uuid.UUID
    code: str
    version: int
    set_by: str
    set_at: datetime


# --- the SMS ----------------------------------------------------------------------------------
def sms_parts(text: str) -> int:
    """How many SMS a text takes: 160/153 GSM-7 characters, or 70/67 when any character
    needs UCS-2."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        septets = len(text) + sum(ch in _GSM7_EXTENDED for ch in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def sms_text(content: KnowledgeContent, *, signature: str) -> str:
    """The answer and where to go, signed by the center, in at most three SMS parts; a long
    answer is cut at a word (the referrals, which the caller needs, are kept whole)."""
    referrals = "; ".join(r.as_text() for r in content.referrals)
    tail = (f" {referrals}." if referrals else "") + f" ({signature})"
    words = content.answer.split()
    text = " ".join(words) + tail
    while sms_parts(text) > SMS_MAX_PARTS and len(words) > 3:
        words.pop()
        text = " ".join(words).rstrip(",.;:") + "..." + tail
    return text
