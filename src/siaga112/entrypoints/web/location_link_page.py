"""The caller's side of the location link: the page at /l/{token} and what it posts.

PUBLIC routes (no login: the caller has none), guarded by the token, which alone decides
the call; the page and its answers say nothing about the call or the incident. The
POSTs also need our own origin and JSON (origin.py). Unknown tokens count against the
address: 30 a minute, then 429.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse

from siaga112.adapters.db.repositories_location_link import SqlLocationLinkRepository
from siaga112.domain.errors import DomainError, InvalidValue
from siaga112.domain.location_links import LinkProblem
from siaga112.entrypoints.web.deps import Authorized, SiagaDep
from siaga112.entrypoints.web.errors import ApiError, error_body
from siaga112.entrypoints.web.hardening import RateLimiter
from siaga112.entrypoints.web.origin import same_origin_json
from siaga112.entrypoints.web.pages import render
from siaga112.entrypoints.web.schemas_location_link import (
    PhoneAnswer, PhonePhoto, PhonePosition, PhoneStatus,
)
from siaga112.services import commands as c
from siaga112.services.handlers.location_links import (
    LinkUnusable, PhotoNotAllowed, TooManyPositions, check_link,
)
from siaga112.services.location_link_ports import PhotoRefused

PAGE = "/l/{token}"
SCRIPTS = ("share_location.js",)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MISSES_PER_MINUTE = 30
GONE_STATUS = {LinkProblem.UNKNOWN: 404}  # the others: 410 Gone

router = APIRouter(include_in_schema=False, dependencies=[Authorized])
Token = Annotated[str, Path()]  # its shape is checked by the route: a miss, a kind page


def _misses(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "location_link_misses", None)
    if limiter is None:
        limiter = request.app.state.location_link_misses = RateLimiter(MISSES_PER_MINUTE)
    return limiter  # type: ignore[no-any-return]


def _known_shape(request: Request, token: str) -> bool:
    """A token of the right shape; a malformed one counts as a miss like an unknown one."""
    if TOKEN_PATTERN.fullmatch(token):
        return True
    _missed(request)
    return False


def _missed(request: Request) -> None:
    address = request.client.host if request.client else "?"
    if not _misses(request).allow(address):
        raise ApiError(429, "rate_limited", "too many unknown links: wait a minute")


def _private(response: Any) -> Any:
    """The token is in the address: tell no other site, and keep it out of caches and search."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


def _gone_page(request: Request, problem: LinkProblem) -> HTMLResponse:
    return _private(render(request, "share_location_gone.html",
                           status=GONE_STATUS.get(problem, 410), problem=problem.value))


@router.get(PAGE, response_class=HTMLResponse)
def share_location_page(request: Request, token: Token, siaga: SiagaDep) -> HTMLResponse:
    if not _known_shape(request, token):
        return _gone_page(request, LinkProblem.UNKNOWN)
    try:
        link = check_link(token, siaga.uow(), clock=siaga.clock, center=siaga.center,
                          links=SqlLocationLinkRepository.of)
    except LinkUnusable as exc:
        if exc.problem is LinkProblem.UNKNOWN:
            _missed(request)
        return _gone_page(request, exc.problem)
    cfg = siaga.center.location_link
    photo = cfg.photo.enabled and link.photo_allowed
    page = {"shareSeconds": cfg.share_seconds, "photo": photo,
            "photoMaxBytes": cfg.photo.max_bytes, "photoMaxSide": min(cfg.photo.max_side_px, 1600)}
    return _private(render(request, "share_location.html", page=page, photo=photo,
                           share_seconds=cfg.share_seconds,
                           scripts=SCRIPTS))


def _phone_error(request: Request, exc: Exception) -> JSONResponse:
    """What the page needs to say it kindly; no detail about the call."""
    if isinstance(exc, LinkUnusable):
        if exc.problem is LinkProblem.UNKNOWN:
            _missed(request)
        return JSONResponse(error_body(f"link_{exc.problem.value}", str(exc)),
                            status_code=GONE_STATUS.get(exc.problem, 410))
    if isinstance(exc, TooManyPositions):
        return JSONResponse(error_body(exc.code, str(exc)), status_code=429)
    if isinstance(exc, PhotoNotAllowed):
        return JSONResponse(error_body(exc.code, str(exc)), status_code=403)
    if isinstance(exc, PhotoRefused):
        return JSONResponse(error_body("photo_refused", str(exc)), status_code=422)
    raise exc  # the app's handlers: Conflict 409, InvalidValue 422


PhoneGuard = Depends(same_origin_json)


@router.post(PAGE + "/status", dependencies=[PhoneGuard], response_model=PhoneAnswer)
def phone_status(request: Request, token: Token, body: PhoneStatus,
                 siaga: SiagaDep) -> Any:
    """The page opened, the caller refused, the phone found no position, or it is done."""
    if not _known_shape(request, token):
        return _phone_error(request, LinkUnusable(LinkProblem.UNKNOWN))
    try:
        siaga.bus.handle(c.ReportFromLinkPhone(token=token, report=body.status))
    except (DomainError, PhotoRefused) as exc:
        return _phone_error(request, exc)
    return PhoneAnswer(share_seconds=siaga.center.location_link.share_seconds)


@router.post(PAGE + "/position", dependencies=[PhoneGuard], response_model=PhoneAnswer)
def phone_position(request: Request, token: Token, body: PhonePosition,
                   siaga: SiagaDep) -> Any:
    """A position from the phone: a fix of the link's call, and only of it."""
    if not _known_shape(request, token):
        return _phone_error(request, LinkUnusable(LinkProblem.UNKNOWN))
    detail = {"via": "browser", **body.extras()}
    try:
        siaga.bus.handle(c.ShareLinkPosition(
            token=token, lat=body.lat, lon=body.lon, accuracy_m=body.accuracy,
            fixed_at=body.fixed_at(), detail=_json(detail)))
    except (DomainError, PhotoRefused) as exc:
        return _phone_error(request, exc)
    return PhoneAnswer()


@router.post(PAGE + "/photo", dependencies=[PhoneGuard], response_model=PhoneAnswer)
def phone_photo(request: Request, token: Token, body: PhonePhoto,
                siaga: SiagaDep) -> Any:
    """One photo of the scene, where the center takes them; stored re-encoded."""
    if not _known_shape(request, token):
        return _phone_error(request, LinkUnusable(LinkProblem.UNKNOWN))
    image = body.content()
    try:
        if image is None:
            raise InvalidValue("image: not a base64 data URL of an image")
        siaga.bus.handle(c.AttachLinkPhoto(token=token, image=image))
    except (DomainError, PhotoRefused) as exc:
        return _phone_error(request, exc)
    return PhoneAnswer()


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
