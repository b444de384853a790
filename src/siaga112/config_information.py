"""The center file's `[information]` section: non-emergency questions (docs/quick-answers.md).

- the messages that keep the emergency queue for emergencies, all off by default;
- the signature of quick answers sent by SMS;
- `[[information.starter]]`: the knowledge base's first version, loaded once into an empty
  database; from then on supervisors edit it on /supervisor/quick-answers.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from siaga112.domain.information import InformationPolicy
from siaga112.domain.knowledge import KnowledgeContent, Referral


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MessageWords(_Strict):
    """The words of a recorded message, Indonesian first (what the recording says)."""

    id: str = Field(min_length=1, max_length=600)
    en: str | None = Field(default=None, max_length=600)


class StarterReferral(_Strict):
    name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    place: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=200)


class StarterEntry(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,39}$")]
    title: str = Field(min_length=1, max_length=120)
    question: str = Field(min_length=1, max_length=400)
    answer: str = Field(min_length=1, max_length=800)
    referrals: list[StarterReferral] = Field(default=[], max_length=8)
    keywords: list[str] = Field(default=[], max_length=30)
    source: str | None = Field(default=None, max_length=400)
    to_check: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> StarterEntry:
        if not self.source and not self.to_check:
            raise ValueError(f"entry '{self.code}': name its source, or set to_check = true "
                             "(an example the center must check)")
        return self

    def content(self) -> KnowledgeContent:
        return KnowledgeContent(
            title=self.title, question=self.question, answer=self.answer,
            referrals=tuple(Referral(**r.model_dump()) for r in self.referrals),
            keywords=tuple(self.keywords), source=self.source, to_check=self.to_check)


class InformationConfig(_Strict):
    # A caller already waiting this long hears, once: "if your call is not an emergency,
    # call <referral_number>..." and keeps their place.
    waiting_message: bool = False
    waiting_after_seconds: float = Field(default=60.0, ge=15, le=3600)
    # Numbers whose recent calls were all answered questions hear the message before they
    # join the queue (then are queued from their arrival, like any other caller).
    question_callers_first: bool = False
    question_calls_needed: int = Field(default=3, ge=2, le=100)
    lookback_days: int = Field(default=30, ge=1, le=365)
    referral_number: str | None = Field(default=None, max_length=40)
    message: MessageWords | None = None
    sms_signature: str | None = Field(default=None, max_length=40)  # default: the center's name
    starter: list[StarterEntry] = Field(default=[], max_length=500)

    @model_validator(mode="after")
    def _messages_have_words(self) -> InformationConfig:
        if (self.waiting_message or self.question_callers_first) and not (
                self.message and self.referral_number):
            raise ValueError("a message switched on needs `message` (its words) and "
                             "`referral_number` (where non-emergency callers should call)")
        codes = [e.code for e in self.starter]
        if len(codes) != len(set(codes)):
            dup = next(c for c in codes if codes.count(c) > 1)
            raise ValueError(f"starter: duplicate code '{dup}'")
        return self

    def policy(self) -> InformationPolicy:
        return InformationPolicy(
            waiting_message=self.waiting_message, waiting_after_seconds=self.waiting_after_seconds,
            question_callers_first=self.question_callers_first,
            question_calls_needed=self.question_calls_needed, lookback_days=self.lookback_days)
