"""Dependencies of the routes, as typed aliases: the running center, and the checked user."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from siaga112.bootstrap import Siaga
from siaga112.domain.accounts import User
from siaga112.entrypoints.web.access import PUBLIC, ROUTE_POLICY
from siaga112.entrypoints.web.errors import ApiError
from siaga112.services.handlers import accounts

SESSION_COOKIE = "siaga112_session"
CSRF_COOKIE = "siaga112_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_siaga(request: Request) -> Siaga:
    return request.app.state.siaga  # type: ignore[no-any-return]


SiagaDep = Annotated[Siaga, Depends(get_siaga)]


def session_token(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (then CSRF applies)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, False
    return request.cookies.get(SESSION_COOKIE), True


def optional_user(request: Request, siaga: SiagaDep) -> User | None:
    token, _ = session_token(request)
    if not token:
        return None
    return accounts.session_user(siaga.uow(), token=token, clock=siaga.clock)


def authorize(request: Request, siaga: SiagaDep) -> User | None:
    """Apply this route's line of ROUTE_POLICY; refuse routes that have none."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    policy = ROUTE_POLICY.get((request.method, path or ""))
    if policy is None:
        raise ApiError(403, "forbidden", "no access rule is declared for this route")
    user = optional_user(request, siaga)
    if policy is PUBLIC:
        return user
    if user is None:
        raise ApiError(401, "not_authenticated", "log in first")
    if user.role not in policy:
        raise ApiError(403, "forbidden", f"role '{user.role.value}' may not do this")
    _check_csrf(request)
    return user


def _check_csrf(request: Request) -> None:
    """Double-submit token for cookie sessions: another site cannot read our cookie."""
    _, from_cookie = session_token(request)
    if request.method in SAFE_METHODS or not from_cookie:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not secrets.compare_digest(cookie, header):
        raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")


def require_user(user: Annotated[User | None, Depends(authorize)]) -> User:
    if user is None:  # only on public routes, which do not ask for this
        raise ApiError(401, "not_authenticated", "log in first")
    return user


Principal = Annotated[User, Depends(require_user)]
Authorized = Depends(authorize)

