"""Public POSTs protected by a secret in their URL (the location link's token), not by a
session: no session means no CSRF cookie, so they get a same-origin check instead.

deps.authorize lets PUBLIC routes through before its CSRF check (there is no session to
ride on). For the location link that is right, and these routes add what a session's
CSRF token would give: the request must come from our own pages. A browser's `Origin`
(sent by every current browser on a POST) or `Sec-Fetch-Site` must say so, and the body
must be JSON, which another site cannot send without a CORS preflight we never grant.
An old browser that sends neither header is let through: the token alone then guards
the route, as it guards the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from siaga112.entrypoints.web.errors import ApiError


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: Request) -> set[str]:
    own = {_origin_of(str(request.base_url))}
    base_url = request.app.state.siaga.center.location_link.base_url
    if base_url:
        own.add(_origin_of(base_url))
    return own


def same_origin_json(request: Request) -> None:
    """Refuse a POST that another site's page sent (403), or that is not JSON (415)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise ApiError(403, "cross_origin", "this request must come from the link's own page")
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in allowed_origins(request):
        raise ApiError(403, "cross_origin", "this request must come from the link's own page")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "send JSON (application/json)")
