"""Log in and out. A session is a server-side row; the browser holds an HttpOnly cookie."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response

from siaga112.domain.accounts import User
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import (
    CSRF_COOKIE, SESSION_COOKIE, Authorized, Person, SiagaDep, session_token,
)
from siaga112.entrypoints.web.errors import ApiError
from siaga112.entrypoints.web.schemas import LoginRequest, PasswordChange, SessionPublic
from siaga112.services.handlers import accounts

router = APIRouter(prefix=f"{API}/auth", tags=["auth"], dependencies=[Authorized])


def _public(user: User, **extra: str | None) -> SessionPublic:
    return SessionPublic(username=user.username, full_name=user.full_name, role=user.role.value,
                         agency=user.agency_code, must_change_password=user.must_change_password,
                         **extra)


@router.post("/login")
def login(body: LoginRequest, request: Request, response: Response,
          siaga: SiagaDep) -> SessionPublic:
    result = accounts.log_in(siaga.uow(), username=body.username, password=body.password,
                             clock=siaga.clock, hasher=siaga.hasher,
                             hours=siaga.settings.session_hours)
    if isinstance(result, accounts.Locked):
        wait = max(1, int((result.until - siaga.clock.now()).total_seconds()))
        raise ApiError(429, "account_locked",
                       f"too many failed logins: try again in {wait // 60 + 1} minutes")
    if result is None:
        raise ApiError(401, "bad_credentials", "wrong username or password")
    user, token = result
    csrf = secrets.token_urlsafe(24)
    secure = request.url.scheme == "https"
    max_age = int(siaga.settings.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure,
                        max_age=max_age, path="/")
    # Readable by our own pages' script, which echoes it in X-CSRF-Token.
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure,
                        max_age=max_age, path="/")
    return _public(user, token=token, csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(_: Person, request: Request, response: Response, siaga: SiagaDep) -> Response:
    token, _from_cookie = session_token(request)
    if token:
        accounts.log_out(siaga.uow(), token=token)
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/password", status_code=204)
def change_password(body: PasswordChange, user: Person, siaga: SiagaDep) -> Response:
    accounts.change_password(siaga.uow(), username=user.username, current=body.current_password,
                             new=body.new_password, clock=siaga.clock, hasher=siaga.hasher)
    return Response(status_code=204)


@router.get("/me")
def me(user: Person) -> SessionPublic:
    return _public(user)
