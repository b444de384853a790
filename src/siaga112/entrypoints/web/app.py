"""The FastAPI application: API under /api/v1, its OpenAPI document, errors as JSON."""

from __future__ import annotations

from fastapi import FastAPI

from siaga112 import __version__
from siaga112.bootstrap import Siaga
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web import pages
from siaga112.entrypoints.web.errors import ERROR_RESPONSES, install_error_handlers
from siaga112.entrypoints.web.hardening import HardeningMiddleware, RateLimiter
from siaga112.entrypoints.web.routes import auth, calls, health, incidents, resources
from siaga112.entrypoints.web.routes import staffing
from siaga112.entrypoints.web.routes import positions
from siaga112.entrypoints.web.routes import reports  # evaluation, exports, public summary
from siaga112.entrypoints.web.routes import aml, gazetteer, locations  # caller location
from siaga112.entrypoints.web.routes import dispatch  # recommend, send, follow, EIDO


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
    for router in (health.router, auth.router, calls.router, incidents.router,
                   resources.router, staffing.router, positions.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(reports.router, responses=ERROR_RESPONSES)
    for router in (aml.router, locations.router, gazetteer.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    for router in (dispatch.router, dispatch.incident_router):
        app.include_router(router, responses=ERROR_RESPONSES)
    pages.mount(app)
    return app
