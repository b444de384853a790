"""`/readyz` (may this node take calls?) and `/metrics` (Prometheus), for the operators.

Access (ROUTE_POLICY): `/readyz` is public like `/healthz`: probes carry no credentials and
the answer holds no personal data (which check failed, and why). `/metrics` needs a token
with the `metrics` scope (`siaga112 tokens create prometheus --scope metrics`), or an admin.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from siaga112.entrypoints.web.deps import Authorized, SiagaDep
from siaga112.entrypoints.web.errors import ERROR_RESPONSES
from siaga112.operations import readiness
from siaga112.operations.metrics import MetricsMiddleware, metrics_for
from siaga112.operations.node import node_status

router = APIRouter(dependencies=[Authorized], tags=["operations"])


@router.get("/readyz", responses={503: {"description": "not ready: `problems` names why"}})
def readyz(siaga: SiagaDep) -> JSONResponse:
    """200 when the database answers, its schema is the newest, and the SIP listener runs
    (where this node takes SIP); else 503 with the reasons."""
    result = readiness.check(siaga)
    body = {"status": "ready" if result.ready else "not_ready",
            "node": node_status(siaga).settings.node_name, "checks": result.checks}
    if not result.ready:
        body["problems"] = result.problems
    return JSONResponse(body, status_code=200 if result.ready else 503)


@router.get("/metrics", response_class=Response)
def metrics(siaga: SiagaDep) -> Response:
    """The node's metrics in Prometheus' text format (docs/operations.md lists them)."""
    return Response(metrics_for(siaga).exposition(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """The routes, and the timing of every request."""
    app.include_router(router, responses=ERROR_RESPONSES)
    app.add_middleware(MetricsMiddleware)
