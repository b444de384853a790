"""What the location link's services need from outside: its repository, an SMS sender and
a photo cleaner (adapters implement them; bootstrap hands them to the handlers)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from siaga112.domain.location_links import LocationLink


class SmsStatus(StrEnum):
    SENT = "sent"  # the gateway or gammu-smsd's spool took it
    FAILED = "failed"  # the adapter said no, or could not be reached
    NOT_CONFIGURED = "not_configured"  # the center has no SMS adapter
    NO_NUMBER = "no_number"  # the call has no number to send to (withheld, short code)
    SKIPPED = "skipped"  # the call-taker did not ask for an SMS


@dataclass(frozen=True)
class SmsResult:
    status: SmsStatus
    error: str | None = None
    reference: str | None = None  # the gateway's answer, the spool file's name
    http_status: int | None = None


class SmsSender(Protocol):
    name: str  # "http", "gammu", "none"

    def send(self, number: str, text: str) -> SmsResult: ...


@dataclass(frozen=True, kw_only=True)
class SmsSend:
    """One row of the SMS log."""

    id: uuid.UUID
    link_id: uuid.UUID | None
    call_id: uuid.UUID | None
    adapter: str
    recipient: str | None  # masked
    status: str
    error: str | None
    reference: str | None
    http_status: int | None
    started_at: datetime
    duration_ms: int
    sent_by: str | None


@dataclass(frozen=True, kw_only=True)
class LinkPhoto:
    id: uuid.UUID
    link_id: uuid.UUID
    call_id: uuid.UUID
    media_type: str
    width: int
    height: int
    size_bytes: int
    content: bytes
    received_at: datetime


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes  # re-encoded: no EXIF, GPS, maker notes or ICC data
    media_type: str
    width: int
    height: int


class PhotoRefused(ValueError):
    """Not an image we take (kind, size); the message says why."""


class PhotoCleaner(Protocol):
    def __call__(self, data: bytes, *, max_side_px: int, quality: int) -> CleanPhoto: ...


class LocationLinkRepository(Protocol):
    def add(self, link: LocationLink) -> None: ...
    def save(self, link: LocationLink) -> None: ...
    def get(self, link_id: uuid.UUID, *, for_update: bool = False) -> LocationLink | None: ...
    def by_token_hash(self, digest: str, *,
                      for_update: bool = False) -> LocationLink | None: ...
    def latest_for_call(self, call_id: uuid.UUID) -> LocationLink | None: ...
    def open_for_call(self, call_id: uuid.UUID) -> Sequence[LocationLink]: ...
    def count_since(self, call_id: uuid.UUID, since: datetime) -> int: ...
    def due_to_expire(self, now: datetime, *, limit: int = 500) -> Sequence[LocationLink]: ...
    def caller_number(self, call_id: uuid.UUID) -> str | None: ...
    def add_sms_send(self, send: SmsSend) -> None: ...
    def sms_sends(self, *, limit: int = 100,
                  call_id: uuid.UUID | None = None) -> Sequence[SmsSend]: ...
    def add_photo(self, photo: LinkPhoto) -> None: ...
    def photo_of_link(self, link_id: uuid.UUID) -> uuid.UUID | None: ...
    def photo(self, photo_id: uuid.UUID) -> LinkPhoto | None: ...
    def photos_of_calls(self, call_ids: Sequence[uuid.UUID]) -> Sequence[LinkPhoto]: ...
    def purge_photos(self, *, before: datetime | None) -> int: ...
