"""A share-my-location link sent to a caller: one call, a secret token, a short life.

The caller opens the link on the phone and the page sends the phone's position as
location fixes of that call (source `link`). Only a hash of the token is kept: whoever
reads the database cannot open the links (docs/location-link.md).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain.lifecycle import check_aware

TOKEN_BYTES = 16  # 128 bits from the system's CSPRNG: 22 characters in the URL


class LinkState(StrEnum):
    CREATED = "created"  # made; given to the caller by reading it out or another channel
    SENT = "sent"  # the SMS gateway (or gammu-smsd's spool) took the SMS
    OPENED = "opened"  # the page ran on the caller's phone
    SHARED = "shared"  # at least one position arrived
    REFUSED = "refused"  # the caller did not allow the location
    UNAVAILABLE = "unavailable"  # the phone could not find its position (no GPS, timeout)
    EXPIRED = "expired"  # its time is over


# Forward only; a refusal or a failed position can still be followed by a share (the
# caller tries again), and nothing follows an expiry. A move not listed is ignored (an
# `opened` that comes after `shared` tells nothing new), never an error for the phone.
_AFTER_OPENING = frozenset({LinkState.SHARED, LinkState.REFUSED, LinkState.UNAVAILABLE,
                            LinkState.EXPIRED})
LINK_TRANSITIONS: dict[LinkState, frozenset[LinkState]] = {
    LinkState.CREATED: frozenset({LinkState.SENT, LinkState.OPENED}) | _AFTER_OPENING,
    LinkState.SENT: frozenset({LinkState.OPENED}) | _AFTER_OPENING,
    LinkState.OPENED: _AFTER_OPENING,
    LinkState.REFUSED: frozenset({LinkState.SHARED, LinkState.UNAVAILABLE, LinkState.EXPIRED}),
    LinkState.UNAVAILABLE: frozenset({LinkState.SHARED, LinkState.REFUSED, LinkState.EXPIRED}),
    LinkState.SHARED: frozenset({LinkState.EXPIRED}),
    LinkState.EXPIRED: frozenset(),
}


class PhoneReport(StrEnum):
    """What the page on the phone reports besides positions."""

    OPENED = "opened"
    DENIED = "denied"  # PERMISSION_DENIED
    UNAVAILABLE = "unavailable"  # POSITION_UNAVAILABLE: no GPS, no fix
    TIMEOUT = "timeout"  # no position in time
    UNSUPPORTED = "unsupported"  # a browser without geolocation
    DONE = "done"  # the sharing minute is over: the link is used up


REPORTED_STATE = {
    PhoneReport.OPENED: LinkState.OPENED,
    PhoneReport.DENIED: LinkState.REFUSED,
    PhoneReport.UNAVAILABLE: LinkState.UNAVAILABLE,
    PhoneReport.TIMEOUT: LinkState.UNAVAILABLE,
    PhoneReport.UNSUPPORTED: LinkState.UNAVAILABLE,
}


class LinkProblem(StrEnum):
    """Why a token cannot be used (the page says it kindly; the API answers 404 or 410)."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"  # its sharing session is over
    REPLACED = "replaced"  # a newer link was made for the same call


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored: SHA-256 of the token (128 random bits need no slow hash)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(eq=False, kw_only=True)
class LocationLink:
    id: uuid.UUID
    call_id: uuid.UUID
    token_hash: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    state: LinkState = LinkState.CREATED
    state_at: datetime | None = None
    reason: str | None = None  # what the phone reported with refused/unavailable
    sms_status: str | None = None  # the last SMS attempt's outcome (SmsStatus value)
    sms_error: str | None = None
    opened_at: datetime | None = None
    shared_at: datetime | None = None  # the first position
    last_fix_at: datetime | None = None
    fixes: int = 0
    ended_at: datetime | None = None  # used up or replaced before it expired
    end_reason: str | None = None  # LinkProblem.USED or REPLACED
    photo_allowed: bool = False  # the center's setting when the link was made

    @classmethod
    def create(cls, *, call_id: uuid.UUID, by: str, at: datetime, lifetime: timedelta,
               photo_allowed: bool = False) -> tuple[LocationLink, str]:
        """A new link and its token; the token is given out once and never stored."""
        check_aware(at)
        token = new_token()
        link = cls(id=uuid.uuid4(), call_id=call_id, token_hash=token_hash(token),
                   created_at=at, created_by=by, expires_at=at + lifetime, state_at=at,
                   photo_allowed=photo_allowed)
        return link, token

    def move(self, target: LinkState, at: datetime, *, reason: str | None = None) -> bool:
        """Go to `target` if the lifecycle allows it; False when it tells nothing new."""
        if target not in LINK_TRANSITIONS[self.state]:
            return False
        self.state, self.state_at = target, at
        self.reason = reason if target in (LinkState.REFUSED, LinkState.UNAVAILABLE) else None
        if target is LinkState.OPENED and self.opened_at is None:
            self.opened_at = at
        return True

    def problem(self, now: datetime, *, share_window: timedelta) -> LinkProblem | None:
        """None while the phone may use it; else why not."""
        if self.end_reason == LinkProblem.REPLACED:
            return LinkProblem.REPLACED
        if self.state is LinkState.EXPIRED or now >= self.expires_at:
            return LinkProblem.EXPIRED
        if self.ended_at is not None or (self.shared_at is not None
                                         and now > self.shared_at + share_window):
            return LinkProblem.USED
        return None

    def record_fix(self, at: datetime) -> bool:
        """A position arrived; True when this made the link `shared`."""
        self.fixes += 1
        self.last_fix_at = at
        if self.shared_at is None:
            self.shared_at = at
        if self.opened_at is None:
            self.opened_at = at
        return self.move(LinkState.SHARED, at)

    def end(self, at: datetime, why: LinkProblem) -> None:
        if self.ended_at is None:
            self.ended_at, self.end_reason = at, why.value
