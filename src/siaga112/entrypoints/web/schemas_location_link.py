"""API schemas of the location link: the call-taker's side and what the caller's phone posts."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from siaga112.domain.location_links import LocationLink
from siaga112.services.location_link_ports import LinkPhoto, SmsSend


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the call-taker's side ----------------------------------------------------------------
class LocationLinkCreate(_In):
    send_sms: bool = True  # false: only make the link, to read it out or give it otherwise


class SmsOutcome(BaseModel):
    """sent, failed, not_configured, no_number or skipped; `error` says why it was not sent."""

    status: str
    error: str | None = None


class PhotoRef(BaseModel):
    id: uuid.UUID
    url: str  # GET it with the session: image/jpeg
    width: int
    height: int
    size_bytes: int
    received_at: datetime
    call_id: uuid.UUID

    @classmethod
    def of(cls, photo: LinkPhoto) -> PhotoRef:
        return cls(id=photo.id, url=f"/api/v1/photos/{photo.id}", width=photo.width,
                   height=photo.height, size_bytes=photo.size_bytes,
                   received_at=photo.received_at, call_id=photo.call_id)


class Channel(BaseModel):
    name: str
    url: str


class LocationLinkPublic(BaseModel):
    """The call's newest link. `url` only in the answer that made it: only a hash of the
    token is kept. `state` is null while the call has no link."""

    call_id: uuid.UUID
    link_id: uuid.UUID | None = None
    url: str | None = None
    state: str | None = None  # created, sent, opened, shared, refused, unavailable, expired
    reason: str | None = None  # with refused/unavailable: denied, unavailable, timeout...
    ended: str | None = None  # used (the sharing is over) or replaced by a newer link
    created_at: datetime | None = None
    created_by: str | None = None
    expires_at: datetime | None = None
    opened_at: datetime | None = None
    shared_at: datetime | None = None
    last_fix_at: datetime | None = None
    fixes: int = 0
    sms: SmsOutcome | None = None
    photo_allowed: bool = False
    photo: PhotoRef | None = None
    channels: list[Channel] = []

    @classmethod
    def of(cls, call_id: uuid.UUID, link: LocationLink | None, *,
           photo: LinkPhoto | None = None) -> LocationLinkPublic:
        if link is None:
            return cls(call_id=call_id)
        return cls(
            call_id=call_id, link_id=link.id, state=link.state.value, reason=link.reason,
            ended=link.end_reason, created_at=link.created_at, created_by=link.created_by,
            expires_at=link.expires_at, opened_at=link.opened_at, shared_at=link.shared_at,
            last_fix_at=link.last_fix_at, fixes=link.fixes,
            sms=SmsOutcome(status=link.sms_status, error=link.sms_error)
            if link.sms_status else None,
            photo_allowed=link.photo_allowed, photo=PhotoRef.of(photo) if photo else None)


class SmsSendPublic(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID | None
    link_id: uuid.UUID | None
    adapter: str
    recipient: str | None  # masked
    status: str
    error: str | None
    reference: str | None
    http_status: int | None
    started_at: datetime
    duration_ms: int
    sent_by: str | None

    @classmethod
    def of(cls, send: SmsSend) -> SmsSendPublic:
        return cls(**{name: getattr(send, name) for name in cls.model_fields})


# --- what the caller's phone posts ----------------------------------------------------------
class PhonePosition(_In):
    """One position from the W3C Geolocation API (`coords` and `timestamp`). There is no
    field for a call: the link's token decides it."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0, le=1_000_000)  # metres, 95 %
    timestamp: float | None = Field(default=None, ge=0, le=1e14)  # ms since 1970
    altitude: float | None = Field(default=None, ge=-1000, le=100_000)
    altitude_accuracy: float | None = Field(default=None, ge=0, le=1_000_000)
    heading: float | None = Field(default=None, ge=0, le=360)
    speed: float | None = Field(default=None, ge=0, le=1000)

    def fixed_at(self) -> datetime | None:
        if not self.timestamp or self.timestamp < 946_684_800_000:  # before 2000: a bad clock
            return None
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)

    def extras(self) -> dict[str, float]:
        return {k: v for k, v in (("altitude", self.altitude),
                                  ("altitude_accuracy", self.altitude_accuracy),
                                  ("heading", self.heading), ("speed", self.speed))
                if v is not None}


class PhoneStatus(_In):
    status: Literal["opened", "denied", "unavailable", "timeout", "unsupported", "done"]


MAX_DATA_URL = 1_000_000  # under the 1 MiB body limit; the center's own limit is lower


class PhonePhoto(_In):
    """`data:image/...;base64,...` as the page's canvas makes it."""

    image: Annotated[str, StringConstraints(min_length=30, max_length=MAX_DATA_URL)]

    def content(self) -> bytes | None:
        head, _, payload = self.image.partition(",")
        if not (head.startswith("data:image/") and head.endswith(";base64")):
            return None
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            return None


class PhoneAnswer(BaseModel):
    """What the phone learns: nothing about the call."""

    ok: bool = True
    share_seconds: int | None = None
