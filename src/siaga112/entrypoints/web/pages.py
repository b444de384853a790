"""The consoles' pages: login and the center overview, in the user's language, plus static assets.

Access follows ROUTE_POLICY like the API, but answers as a browser expects: no session is a
303 to /login, a role without access a translated 403 page (never JSON).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import xstatic.pkg.leaflet as leaflet
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from siaga112.domain.accounts import Role, User
from siaga112.entrypoints.web import i18n
from siaga112.entrypoints.web.access import ROUTE_POLICY, allowed
from siaga112.entrypoints.web.deps import SiagaDep, optional_user

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LOGIN, HOME, PASSWORD = "/login", "/center", "/account/password"
LANG_COOKIE_SECONDS = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)  # full paths: ROUTE_POLICY is keyed by them


class _LoginFirst(Exception):
    def __init__(self, back_to: str) -> None:
        self.back_to = back_to


class _ChangePasswordFirst(_LoginFirst):
    pass


class _PageRefused(Exception):
    def __init__(self, status: int, user: User | None) -> None:
        self.status, self.user = status, user


def page_user(request: Request, siaga: SiagaDep) -> User | None:
    """This page's line of ROUTE_POLICY, answered with a redirect or an error page."""
    rule = (request.method, getattr(request.scope.get("route"), "path", ""))
    user = optional_user(request, siaga)
    if allowed(*rule, user.role if user else None):
        if user is not None and user.must_change_password and rule[1] not in (PASSWORD, LOGIN):
            raise _ChangePasswordFirst(request.url.path)
        return user
    if user is None and rule in ROUTE_POLICY:
        raise _LoginFirst(request.url.path)
    raise _PageRefused(403, user)


Viewer = Annotated[User | None, Depends(page_user)]
NextPath = Annotated[str | None, Query(alias="next")]  # checked by safe_next


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to, or None: never another host (`//evil`, `/\\evil`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


# --- rendering ------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _environment(locale: str, zone_name: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    zone = ZoneInfo(zone_name)
    env.filters["localtime"] = lambda moment, seconds=False: i18n.localtime(moment, zone,
                                                                            seconds=seconds)
    return env


def _locale(request: Request) -> str:
    siaga = request.app.state.siaga
    return i18n.choose_locale(request.cookies.get(i18n.LANG_COOKIE), siaga.center.center.languages)


def page_basics(request: Request) -> dict[str, Any]:
    """What every page's script needs to show times: its language and the center's zone."""
    siaga = request.app.state.siaga
    now = siaga.clock.now()
    return {"locale": _locale(request), "zone": siaga.center.center.timezone,
            "zoneAbbreviation": i18n.zone_abbreviation(now.astimezone(siaga.center.zone))}


def _here(request: Request) -> str:
    """This page's path and query: where the language switch comes back to."""
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def _content_security_policy(tile_url: str | None) -> str:
    """Everything from this server; map tiles also from the configured tile server."""
    images = "'self' data:"
    if tile_url and urlsplit(tile_url).netloc:
        parts = urlsplit(tile_url)
        images += f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {images}; connect-src 'self'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


def render(request: Request, template: str, *, status: int = 200, scripts: tuple[str, ...] = (),
           **context: Any) -> HTMLResponse:
    """A page in the request's language; `scripts` get their words as a JSON block."""
    siaga = request.app.state.siaga
    center = siaga.center.center
    locale = _locale(request)
    page = _environment(locale, center.timezone).get_template(template)
    html = page.render(locale=locale, languages=center.languages, center=center,
                       here=_here(request), now=siaga.clock.now(), status=status,
                       scripts=scripts, messages=i18n.script_messages(locale, scripts),
                       **context)
    return HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": _content_security_policy(center.tile_url),
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    })


# --- pages ----------------------------------------------------------------------------------
# Each role lands on its own console; admins (and anyone else) on the center overview.
LANDING = {Role.CALL_TAKER: "/console/call-taker", Role.DISPATCHER: "/console/dispatch",
           Role.AGENCY: "/console/agency", Role.SUPERVISOR: "/supervisor/wallboard"}


@router.get("/")
def home(user: Viewer) -> RedirectResponse:
    return RedirectResponse(LANDING.get(user.role, HOME) if user else HOME, status_code=303)


@router.get(LOGIN)
def login_page(request: Request, user: Viewer, back: NextPath = None) -> Response:
    back_to = safe_next(back) or "/"  # "/" sends each role to its console
    if user is not None:
        return RedirectResponse(back_to, status_code=303)
    return render(request, "login.html", page={"next": back_to},
                  scripts=("common.js", "login.js"))


@router.get(HOME)
def center_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # ANY_USER: page_user has refused everyone else
    center = siaga.center.center
    locale, now = _locale(request), siaga.clock.now()
    page = {
        "locale": locale, "zone": center.timezone,
        "zoneAbbreviation": i18n.zone_abbreviation(now.astimezone(siaga.center.zone)),
        "serverNow": int(now.timestamp() * 1000),
        "mapCenter": list(center.map_center), "mapZoom": center.map_zoom,
        "tileUrl": center.tile_url,
        "canReadIncidents": allowed("GET", "/api/v1/incidents", user.role),
        "incidentTypes": {t.code: t.name.get(locale) for t in siaga.center.incident_types},
    }
    return render(request, "center.html", user=user, page=page,
                  scripts=("common.js", "center.js"))


@router.get(PASSWORD)
def password_page(request: Request, user: Viewer, back: NextPath = None) -> HTMLResponse:
    return render(request, "password.html", user=user,
                  page={"next": safe_next(back) or "/"}, scripts=("common.js", "password.js"))


@router.get("/lang/{lang}")
def choose_language(request: Request, lang: str, back: NextPath = None) -> Response:
    if lang not in i18n.LOCALES:
        return render(request, "error.html", status=404, user=None)
    response = RedirectResponse(safe_next(back) or "/", status_code=303)
    response.set_cookie(i18n.LANG_COOKIE, lang, max_age=LANG_COOKIE_SECONDS, path="/",
                        samesite="lax", secure=request.url.scheme == "https")
    return response


# --- wiring ---------------------------------------------------------------------------------
def mount(app: FastAPI) -> None:
    app.include_router(router)
    # The more specific mount first: /static would otherwise answer for the vendor folder.
    app.mount("/static/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR),
              name="leaflet")
    app.mount("/static", StaticFiles(directory=i18n.STATIC_DIR), name="static")

    @app.exception_handler(_LoginFirst)
    async def _login_first(_: Request, exc: _LoginFirst) -> RedirectResponse:
        target = LOGIN if exc.back_to in ("/", HOME) else f"{LOGIN}?next={quote(exc.back_to)}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(_ChangePasswordFirst)
    async def _password_first(_: Request, exc: _ChangePasswordFirst) -> RedirectResponse:
        return RedirectResponse(f"{PASSWORD}?next={quote(exc.back_to)}", status_code=303)

    @app.exception_handler(_PageRefused)
    async def _refused(request: Request, exc: _PageRefused) -> HTMLResponse:
        return render(request, "error.html", status=exc.status, user=exc.user)
