"""Share-my-location links: made for a call, sent by SMS, used by the caller's phone to add
location fixes (source `link`) to that call and no other (docs/location-link.md).

The repository, the SMS sender and the photo cleaner come from bootstrap (`links`,
`sender_for`, `clean_photo`). The SMS is sent between two short transactions, never
inside one: a slow gateway holds no lock.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from siaga112.config import CenterConfig
from siaga112.config_location_link import LocationLinkConfig
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, DomainError, InvalidValue, NotFound
from siaga112.domain.events import (
    LocationLinkPhotoAdded, LocationLinkSmsAttempted, LocationLinkStateChanged,
)
from siaga112.domain.location_links import (
    REPORTED_STATE, LinkProblem, LinkState, LocationLink, PhoneReport, token_hash,
)
from siaga112.domain.locations import LocationFix, LocationMethod, LocationSource
from siaga112.domain.phone import mask_number
from siaga112.services import commands as c
from siaga112.services.handlers.locations import FUTURE_TOLERANCE, outside_area
from siaga112.services.handlers.locations import _recorded as fix_recorded
from siaga112.services.location_link_ports import (
    CleanPhoto, LinkPhoto, LocationLinkRepository, PhotoCleaner, PhotoRefused, SmsResult,
    SmsSend, SmsSender, SmsStatus,
)
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
Links = Callable[[UnitOfWork], LocationLinkRepository]
SenderFor = Callable[[LocationLinkConfig], SmsSender | None]
# After the page's sharing minute, a little longer for the last positions on a slow network.
SHARE_GRACE = timedelta(seconds=60)
LINKS_PER_CALL_WINDOW = timedelta(hours=1)
# The W3C Geolocation API gives `accuracy` as the radius of 95 % confidence.
BROWSER_CONFIDENCE = 95.0


class LinkUnusable(DomainError):
    """The token is unknown, expired, used up or replaced (404 or 410 for the phone)."""

    code = "link_unusable"

    def __init__(self, problem: LinkProblem) -> None:
        self.problem = problem
        super().__init__(f"this link cannot be used: {problem.value}")


class TooManyLinks(Conflict):
    code = "too_many_links"


class TooManyPositions(DomainError):
    code = "too_many_positions"


class LinksDisabled(Conflict):
    code = "location_link_disabled"


class PhotoNotAllowed(DomainError):
    code = "photo_not_allowed"


@dataclass(frozen=True)
class NewLink:
    link: LocationLink
    token: str  # given out once, in the answer to the call-taker; never stored


def share_window(cfg: LocationLinkConfig) -> timedelta:
    return timedelta(seconds=cfg.share_seconds) + SHARE_GRACE


def sms_text(cfg: LocationLinkConfig, *, url: str, center: CenterConfig) -> str:
    return cfg.message.format(url=url, minutes=f"{cfg.expiry_minutes:g}",
                              center=center.center.city)


def _changed(link: LocationLink, before: LinkState | None, at: datetime, *,
             actor: str | None = None, reason: str | None = None,
             **data: Any) -> LocationLinkStateChanged:
    # Into the hash-chained event log and, after commit, to the consoles (topic "call").
    return LocationLinkStateChanged(
        aggregate_id=str(link.call_id), at=at, actor=actor,
        before=before.value if before else None, after=link.state.value,
        reason=reason or link.reason, data={"link": str(link.id), **data})


# --- the call-taker's side --------------------------------------------------------------
def create_location_link(cmd: c.CreateLocationLink, uow: UnitOfWork, *, clock: Clock,
                         center: CenterConfig, links: Links) -> NewLink:
    cfg = center.location_link
    if not cfg.enabled:
        raise LinksDisabled("location links are switched off for this center")
    now = clock.now()
    with uow:
        call = uow.calls.get(cmd.call_id, for_update=True)  # orders two clicks on one call
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        repo = links(uow)
        if repo.count_since(call.id, now - LINKS_PER_CALL_WINDOW) >= cfg.max_links_per_call:
            raise TooManyLinks(f"already {cfg.max_links_per_call} links for this call within "
                               "an hour")
        for old in repo.open_for_call(call.id):  # one working link per call
            old.end(now, LinkProblem.REPLACED)
            repo.save(old)
            uow.record(_changed(old, old.state, now, actor=cmd.by, reason="replaced"))
        link, token = LocationLink.create(
            call_id=call.id, by=cmd.by, at=now,
            lifetime=timedelta(minutes=cfg.expiry_minutes), photo_allowed=cfg.photo.enabled)
        repo.add(link)
        uow.record(_changed(link, None, now, actor=cmd.by,
                            expires_at=link.expires_at.isoformat()))
        uow.commit()
    return NewLink(link, token)


def _sendable(number: str | None) -> bool:
    return bool(number) and number.startswith("+") and len(number) >= 9  # type: ignore[union-attr]


def send_location_link_sms(cmd: c.SendLocationLinkSms, uow: UnitOfWork, *, clock: Clock,
                           center: CenterConfig, links: Links,
                           sender_for: SenderFor) -> SmsResult:
    cfg = center.location_link
    with uow:
        link = links(uow).get(cmd.link_id)
        if link is None:
            raise NotFound(f"no location link {cmd.link_id}")
        number = links(uow).caller_number(link.call_id)
    sender = sender_for(cfg)
    started, t0 = clock.now(), time.monotonic()
    if sender is None:
        result = SmsResult(SmsStatus.NOT_CONFIGURED,
                           "no SMS gateway is configured for this center: read the link out")
    elif not _sendable(number):
        result = SmsResult(SmsStatus.NO_NUMBER, "the call has no number to send an SMS to")
    else:
        try:
            result = sender.send(number, sms_text(cfg, url=cmd.url, center=center))  # type: ignore[arg-type]
        except Exception as exc:  # an adapter's bug must not lose the log row
            log.exception("SMS adapter %s failed", sender.name)
            result = SmsResult(SmsStatus.FAILED, f"{type(exc).__name__}: {exc}"[:400])
    duration_ms = int((time.monotonic() - t0) * 1000)
    now = clock.now()
    with uow:
        repo = links(uow)
        link = repo.get(cmd.link_id, for_update=True)
        assert link is not None  # links are never deleted
        repo.add_sms_send(SmsSend(
            id=uuid.uuid4(), link_id=link.id, call_id=link.call_id,
            adapter=sender.name if sender else "none", recipient=mask_number(number)
            if number else None, status=result.status.value,
            error=result.error[:400] if result.error else None,
            reference=result.reference[:200] if result.reference else None,
            http_status=result.http_status, started_at=started, duration_ms=duration_ms,
            sent_by=cmd.by))
        link.sms_status, link.sms_error = result.status.value, result.error
        before = link.state
        if result.status is SmsStatus.SENT and link.move(LinkState.SENT, now):
            uow.record(_changed(link, before, now, actor=cmd.by))
        repo.save(link)
        uow.record(LocationLinkSmsAttempted(
            aggregate_id=str(link.call_id), at=now, actor=cmd.by, after=result.status.value,
            data={"link": str(link.id), "adapter": sender.name if sender else "none",
                  "error": (result.error or "")[:200] or None}))
        uow.commit()
    return result


def expire_location_links(cmd: c.ExpireLocationLinks, uow: UnitOfWork, *, clock: Clock,
                          links: Links) -> int:
    now = clock.now()
    with uow:
        repo = links(uow)
        due = list(repo.due_to_expire(now))
        for link in due:
            _expire(uow, repo, link, now)
        if due:
            uow.commit()
    return len(due)


def _expire(uow: UnitOfWork, repo: LocationLinkRepository, link: LocationLink,
            now: datetime) -> None:
    before = link.state
    if link.move(LinkState.EXPIRED, now):
        repo.save(link)
        uow.record(_changed(link, before, now))


# --- the caller's phone -----------------------------------------------------------------
def _usable(uow: UnitOfWork, repo: LocationLinkRepository, token: str, now: datetime,
            cfg: LocationLinkConfig, *, allow_used: bool = False) -> LocationLink:
    """The token's link, locked, if the phone may still use it; else LinkUnusable."""
    link = repo.by_token_hash(token_hash(token), for_update=True) if cfg.enabled else None
    if link is None:
        raise LinkUnusable(LinkProblem.UNKNOWN)
    problem = link.problem(now, share_window=share_window(cfg))
    if problem is LinkProblem.EXPIRED and link.state is not LinkState.EXPIRED:
        _expire(uow, repo, link, now)  # noticed now: the consoles hear of it
        uow.commit()
    if problem is not None and not (allow_used and problem is LinkProblem.USED):
        raise LinkUnusable(problem)
    return link


def check_link(cmd_token: str, uow: UnitOfWork, *, clock: Clock,
               center: CenterConfig, links: Links) -> LocationLink:
    """For the page: may this token be opened? (Expiry noticed here is recorded.)"""
    with uow:
        return _usable(uow, links(uow), cmd_token, clock.now(), center.location_link)


def report_from_link_phone(cmd: c.ReportFromLinkPhone, uow: UnitOfWork, *, clock: Clock,
                           center: CenterConfig, links: Links) -> LinkState:
    try:
        report = PhoneReport(cmd.report)
    except ValueError:
        raise InvalidValue(f"unknown report '{cmd.report}'") from None
    now = clock.now()
    with uow:
        repo = links(uow)
        link = _usable(uow, repo, cmd.token, now, center.location_link)
        before = link.state
        if report is PhoneReport.DONE:
            link.end(now, LinkProblem.USED)
            repo.save(link)
            uow.record(_changed(link, before, now, reason="used"))
        elif link.move(REPORTED_STATE[report], now, reason=report.value):
            repo.save(link)
            uow.record(_changed(link, before, now))
        uow.commit()
        return link.state


def share_link_position(cmd: c.ShareLinkPosition, uow: UnitOfWork, *, clock: Clock,
                        center: CenterConfig, links: Links) -> uuid.UUID:
    """The position becomes a fix of the link's call: the token decides the call, nothing
    the phone sends can name another."""
    cfg = center.location_link
    now = clock.now()
    with uow:
        repo = links(uow)
        link = _usable(uow, repo, cmd.token, now, cfg)
        if link.fixes >= cfg.max_fixes:
            raise TooManyPositions(f"this link has sent its {cfg.max_fixes} positions")
        call = uow.calls.get(link.call_id)
        if call is None:
            raise NotFound(f"no call {link.call_id}")
        fixed_at = cmd.fixed_at or now
        fix = LocationFix.create(
            source=LocationSource.LINK, lat=cmd.lat, lon=cmd.lon, radius_m=cmd.accuracy_m,
            confidence=BROWSER_CONFIDENCE if cmd.accuracy_m is not None else None,
            method=LocationMethod.UNKNOWN,
            fixed_at=now if fixed_at > now + FUTURE_TOLERANCE else fixed_at,
            received_at=now, call_id=call.id, caller_number=call.caller_number,
            detail=cmd.detail)
        fix.outside_area = outside_area(center, fix)
        uow.locations.add(fix)
        uow.record(fix_recorded(fix, now))
        before = link.state
        if link.record_fix(now):
            uow.record(_changed(link, before, now))
        repo.save(link)
        uow.commit()
        return fix.id


def attach_link_photo(cmd: c.AttachLinkPhoto, uow: UnitOfWork, *, clock: Clock,
                      center: CenterConfig, links: Links,
                      clean_photo: PhotoCleaner) -> uuid.UUID:
    cfg = center.location_link
    settings = cfg.photo
    with uow:  # the token first: no work on images for strangers
        link = _usable(uow, links(uow), cmd.token, clock.now(), cfg, allow_used=True)
    if not (settings.enabled and link.photo_allowed):
        raise PhotoNotAllowed("this center does not take photos through the link")
    if len(cmd.image) > settings.max_bytes:
        raise PhotoRefused(f"the photo is larger than {settings.max_bytes} bytes")
    clean: CleanPhoto = clean_photo(cmd.image, max_side_px=settings.max_side_px,
                                    quality=settings.jpeg_quality)
    now = clock.now()
    with uow:
        repo = links(uow)
        link = _usable(uow, repo, cmd.token, now, cfg, allow_used=True)
        if repo.photo_of_link(link.id) is not None:
            raise Conflict("this link has already sent its photo")
        photo = LinkPhoto(id=uuid.uuid4(), link_id=link.id, call_id=link.call_id,
                          media_type=clean.media_type, width=clean.width, height=clean.height,
                          size_bytes=len(clean.content), content=clean.content,
                          received_at=now)
        repo.add_photo(photo)
        uow.record(LocationLinkPhotoAdded(
            aggregate_id=str(link.call_id), at=now, after=str(photo.id),
            data={"link": str(link.id), "bytes": photo.size_bytes,
                  "width": photo.width, "height": photo.height}))
        uow.commit()
        return photo.id


# --- expiry on time ---------------------------------------------------------------------
def subscribe(bus: Any) -> None:
    """A link that is made gets a timer for its expiry, so the consoles hear of it on time
    (a restart loses the timers; expiry is then noticed at the next use or look)."""

    def on_change(event: LocationLinkStateChanged) -> None:
        if event.after != LinkState.CREATED.value or "expires_at" not in event.data:
            return
        expires = datetime.fromisoformat(event.data["expires_at"])
        delay = max(0.0, (expires - event.at).total_seconds()) + 1.0
        timer = threading.Timer(delay, _expire_quietly, args=(bus,))
        timer.daemon = True
        timer.start()

    bus.subscribe(LocationLinkStateChanged, on_change)


def _expire_quietly(bus: Any) -> None:
    try:
        bus.handle(c.ExpireLocationLinks())
    except Exception as exc:  # the database may be gone (shutdown); the next look catches up
        log.warning("location links not expired on time: %s", exc)
