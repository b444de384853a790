"""The FastAPI application: API under /api/v1, its OpenAPI document, errors as JSON."""

from __future__ import annotations

from fastapi import FastAPI

from siaga112 import __version__
from siaga112.bootstrap import Siaga
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.errors import install_error_handlers
from siaga112.entrypoints.web.hardening import HardeningMiddleware, RateLimiter
from siaga112.entrypoints.web.routes import auth, calls, health, incidents, resources
from siaga112.entrypoints.web.routes import staffing



def create_app(siaga: Siaga) -> FastAPI:
    app = FastAPI(
        title="Siaga112", version=__version__,
        description="112 emergency call handling and dispatch",
        openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    app.state.siaga = siaga
    settings = siaga.settings
    app.state.limits = {"login": RateLimiter(settings.rate_login),
                        "public": RateLimiter(settings.rate_public),
                        "machine": RateLimiter(settings.rate_machine)}
    app.add_middleware(HardeningMiddleware)
    install_error_handlers(app)
    # Each router carries its full prefix: the access check reads the route's own path.
    for module in (health, auth, calls, incidents, resources):
        app.include_router(module.router)
    app.include_router(staffing.router)
    _mount_pages(app)
    return app


def _mount_pages(app: FastAPI) -> None:
    """The consoles' pages and static assets, when present (see pages.py)."""
    try:
        from siaga112.entrypoints.web import pages
    except ImportError:
        return
    pages.mount(app)
