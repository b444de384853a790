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
from siaga112.entrypoints.web.routes import location_links  # location link: call-taker's side
from siaga112.entrypoints.web import location_link_page  # location link: the caller's page
from siaga112.entrypoints.web.routes import live
from siaga112.entrypoints.web.routes import operations  # readiness, Prometheus metrics
from siaga112.entrypoints.web.routes import consoles  # dispatcher, agency, wallboard
from siaga112.entrypoints.web.routes import call_taking, demo_callers  # call-taker console
from siaga112.entrypoints.web import console_call_taker
from siaga112.entrypoints.web.routes import knowledge  # quick answers (API)
from siaga112.entrypoints.web import quick_answers_page  # /supervisor/quick-answers
from siaga112.entrypoints.web.routes import nuisance  # nuisance callers (API)
from siaga112.entrypoints.web import nuisance_page  # /supervisor/nuisance
from siaga112.entrypoints.web.routes import recordings  # call recordings (media relay)
from siaga112.entrypoints.web import recordings_page  # /supervisor/recordings


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
    # The call-taker console first: its fixed paths (/calls/waiting, /incidents/duplicates)
    # must be matched before /calls/{call_id} and /incidents/{incident_id}.
    for router in (call_taking.router, demo_callers.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(console_call_taker.router)  # /console/call-taker
    # Each router carries its full prefix: the access check reads the route's own path.
    for router in (health.router, auth.router, calls.router, incidents.router,
                   resources.router, staffing.router, positions.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(reports.router, responses=ERROR_RESPONSES)
    for router in (aml.router, locations.router, gazetteer.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    for router in (dispatch.router, dispatch.incident_router):
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(live.router)  # /ws/live: the consoles' live channel
    operations.install(app)  # /readyz, /metrics and the timing of every request
    app.include_router(consoles.router, responses=ERROR_RESPONSES)
    app.include_router(location_links.router, responses=ERROR_RESPONSES)
    app.include_router(location_link_page.router)  # /l/{token}: the caller's page
    app.include_router(knowledge.router, responses=ERROR_RESPONSES)  # quick answers
    app.include_router(quick_answers_page.router)  # /supervisor/quick-answers
    for router in (nuisance.router, nuisance.calls, nuisance.reports):  # nuisance callers
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(nuisance_page.router)  # /supervisor/nuisance
    app.include_router(recordings.router, responses=ERROR_RESPONSES)  # call recordings
    app.include_router(recordings_page.router)  # /supervisor/recordings
    pages.mount(app)
    return app
