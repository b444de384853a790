"""Dependencies of the routes, as typed aliases: the running center, and the checked user."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from siaga112.bootstrap import Siaga
from siaga112.domain.accounts import ServiceAccount, User
from siaga112.entrypoints.web.access import PASSWORD_CHANGE_ROUTES, PUBLIC, ROUTE_POLICY, allowed
from siaga112.entrypoints.web.errors import ApiError
from siaga112.services.handlers import accounts, service_accounts

Principal_ = User | ServiceAccount

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
    """The person logged in through this request's session, if any."""
    token, _ = session_token(request)
    if not token or service_accounts.is_service_token(token):
        return None
    return accounts.session_user(siaga.uow(), token=token, clock=siaga.clock)


def _principal(request: Request, siaga: Siaga) -> Principal_ | None:
    token, _ = session_token(request)
    if token and service_accounts.is_service_token(token):
        return service_accounts.service_account_for(siaga.uow(), token=token)
    return optional_user(request, siaga)


def authorize(request: Request, siaga: SiagaDep) -> Principal_ | None:
    """Apply this route's line of ROUTE_POLICY; refuse routes that have none."""
    route = request.scope.get("route")
    key = (request.method, getattr(route, "path", None) or "")
    policy = ROUTE_POLICY.get(key)
    if policy is None:
        raise ApiError(403, "forbidden", "no access rule is declared for this route")
    principal = _principal(request, siaga)
    _rate_limit(request, key, policy, principal)
    if policy is PUBLIC:
        return principal
    if principal is None:
        raise ApiError(401, "not_authenticated", "log in first")
    who = principal.role if isinstance(principal, User) else principal.scopes
    if not allowed(request.method, key[1], who):
        raise ApiError(403, "forbidden", f"'{principal.username}' may not do this")
    if isinstance(principal, User) and principal.must_change_password \
            and key not in PASSWORD_CHANGE_ROUTES:
        raise ApiError(403, "password_change_required", "change your password first")
    _check_csrf(request)
    return principal


LOGIN_ROUTE = ("POST", "/api/v1/auth/login")


def _rate_limit(request: Request, key: tuple[str, str], policy: frozenset,
                principal: Principal_ | None) -> None:
    """Guessing passwords, hammering public pages, a runaway machine: each has its limit."""
    address = request.client.host if request.client else "?"
    if key == LOGIN_ROUTE:
        bucket, who = "login", address
    elif isinstance(principal, ServiceAccount):
        bucket, who = "machine", principal.name
    elif policy is PUBLIC and principal is None:
        bucket, who = "public", address
    else:
        return
    if not request.app.state.limits[bucket].allow(who):
        raise ApiError(429, "rate_limited", "too many requests: slow down and try again")


def _check_csrf(request: Request) -> None:
    """Double-submit token for cookie sessions: another site cannot read our cookie."""
    _, from_cookie = session_token(request)
    if request.method in SAFE_METHODS or not from_cookie:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not secrets.compare_digest(cookie, header):
        raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")


def require_principal(who: Annotated[Principal_ | None, Depends(authorize)]) -> Principal_:
    if who is None:  # only on public routes, which do not ask for this
        raise ApiError(401, "not_authenticated", "log in first")
    return who


def require_person(who: Annotated[Principal_ | None, Depends(authorize)]) -> User:
    if not isinstance(who, User):
        raise ApiError(403, "forbidden", "only a person's session may do this")
    return who


# Who is calling: a person (User) or a machine (ServiceAccount); both have .username.
Principal = Annotated[Principal_, Depends(require_principal)]
Person = Annotated[User, Depends(require_person)]
Authorized = Depends(authorize)

