"""The call-taker's side of the location link: make and send one, follow its state, see the
caller's photo; the SMS log for supervisors (docs/location-link.md)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from siaga112.adapters.db.repositories_location_link import SqlLocationLinkRepository
from siaga112.domain.events import PersonalDataViewed
from siaga112.domain.errors import NotFound
from siaga112.domain.location_links import LinkState
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep
from siaga112.entrypoints.web.errors import ApiError
from siaga112.entrypoints.web.schemas_location_link import (
    Channel, LocationLinkCreate, LocationLinkPublic, PhotoRef, SmsOutcome, SmsSendPublic,
)
from siaga112.services import commands as c
from siaga112.services.handlers.location_links import TooManyLinks, sms_text
from siaga112.services.location_link_ports import SmsStatus

router = APIRouter(prefix=API, tags=["location link"], dependencies=[Authorized])
JPEG_RESPONSE = {200: {"content": {"image/jpeg": {}}, "description": "The photo, as JPEG"}}


def link_url(request: Request, base_url: str | None, token: str) -> str:
    """Where the phone opens it: the center's public address, else the one in use here."""
    base = base_url or f"{request.url.scheme}://{request.url.netloc}"
    return f"{base.rstrip('/')}/l/{token}"


def _view(siaga: SiagaDep, call_id: uuid.UUID, *, again: bool = True) -> LocationLinkPublic:
    with siaga.uow() as uow:
        if uow.calls.get(call_id) is None:
            raise NotFound(f"no call {call_id}")
        repo = SqlLocationLinkRepository.of(uow)
        link = repo.latest_for_call(call_id)
        photo = next((p for p in repo.photos_of_calls([call_id])  # without their bytes
                      if link is not None and p.link_id == link.id), None)
    if again and link is not None and link.state is not LinkState.EXPIRED \
            and link.expires_at <= siaga.clock.now():
        siaga.bus.handle(c.ExpireLocationLinks())  # noticed now: the consoles hear of it
        return _view(siaga, call_id, again=False)
    return LocationLinkPublic.of(call_id, link, photo=photo)


@router.post("/calls/{call_id}/location-link", status_code=201)
def create_location_link(call_id: uuid.UUID, body: LocationLinkCreate, user: Person,
                         siaga: SiagaDep, request: Request) -> LocationLinkPublic:
    """A new link for the caller (an older one stops working), sent by SMS if asked. The
    answer holds the link's URL, once: read it out if the SMS did not go."""
    cfg = siaga.center.location_link
    try:
        made = siaga.bus.handle(c.CreateLocationLink(call_id=call_id, by=user.username))
    except TooManyLinks as exc:
        raise ApiError(429, exc.code, str(exc)) from None
    url = link_url(request, cfg.base_url, made.token)
    sms = SmsOutcome(status=SmsStatus.SKIPPED.value)
    if body.send_sms:
        result = siaga.bus.handle(c.SendLocationLinkSms(link_id=made.link.id, url=url,
                                                        by=user.username))
        sms = SmsOutcome(status=result.status.value, error=result.error)
    view = _view(siaga, call_id)
    return view.model_copy(update={"url": url, "sms": sms,
                                   "channels": _channels(siaga, call_id, url, user.username)})


def _channels(siaga: SiagaDep, call_id: uuid.UUID, url: str, username: str) -> list[Channel]:
    """The center's other ways to give the link, ready to open."""
    cfg = siaga.center.location_link
    if not cfg.channels:
        return []
    text = sms_text(cfg, url=url, center=siaga.center)
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        number = (call.caller_number or "").lstrip("+") if call else ""
        if number and any("{number}" in ch.url for ch in cfg.channels):
            uow.record(PersonalDataViewed(aggregate_id=str(call_id), at=siaga.clock.now(),
                                          actor=username, after="caller_number",
                                          reason="location_link_channel"))
            uow.commit()
    return [Channel(name=ch.name, url=ch.url.format(url=quote(url, safe=""),
                                                    text=quote(text, safe=""),
                                                    number=quote(number, safe="")))
            for ch in cfg.channels if number or "{number}" not in ch.url]


@router.get("/calls/{call_id}/location-link")
def location_link_state(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> LocationLinkPublic:
    """The call's newest link: its state, SMS outcome, positions received and photo."""
    return _view(siaga, call_id)


@router.get("/calls/{call_id}/photos")
def call_photos(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> list[PhotoRef]:
    with siaga.uow() as uow:
        if uow.calls.get(call_id) is None:
            raise NotFound(f"no call {call_id}")
        photos = SqlLocationLinkRepository.of(uow).photos_of_calls([call_id])
    return [PhotoRef.of(p) for p in photos]


@router.get("/incidents/{incident_id}/photos")
def incident_photos(incident_id: uuid.UUID, _: Person, siaga: SiagaDep) -> list[PhotoRef]:
    """The photos callers sent through links on the incident's calls."""
    with siaga.uow() as uow:
        if uow.incidents.get(incident_id) is None:
            raise NotFound(f"no incident {incident_id}")
        call_ids = [call.id for call in uow.calls.list(limit=1000, incident_id=incident_id)]
        photos = SqlLocationLinkRepository.of(uow).photos_of_calls(call_ids)
    return [PhotoRef.of(p) for p in photos]


@router.get("/photos/{photo_id}", response_class=Response, responses=JPEG_RESPONSE)
def photo(photo_id: uuid.UUID, user: Person, siaga: SiagaDep) -> Response:
    """The photo itself (JPEG, without metadata); every look is logged (personal data)."""
    with siaga.uow() as uow:
        found = SqlLocationLinkRepository.of(uow).photo(photo_id)
        if found is None:
            raise NotFound(f"no photo {photo_id}")
        uow.record(PersonalDataViewed(aggregate_id=str(found.call_id), at=siaga.clock.now(),
                                      actor=user.username, after="photo",
                                      data={"photo": str(photo_id)}))
        uow.commit()
    return Response(found.content, media_type=found.media_type,
                    headers={"Cache-Control": "no-store"})  # personal data on shared desks


@router.get("/location-links/sms")
def sms_log(_: Person, siaga: SiagaDep, call_id: uuid.UUID | None = None,
            limit: int = Query(default=100, ge=1, le=1000)) -> list[SmsSendPublic]:
    """Every SMS handed to the adapter, newest first, with its outcome (numbers masked)."""
    with siaga.uow() as uow:
        sends = SqlLocationLinkRepository.of(uow).sms_sends(limit=limit, call_id=call_id)
    return [SmsSendPublic.of(s) for s in sends]
