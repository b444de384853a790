"""`/healthz`: is this node able to take calls (can it reach its database)?"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from siaga112.entrypoints.web.deps import Authorized, SiagaDep

router = APIRouter(dependencies=[Authorized])


@router.get("/healthz", tags=["health"])
def healthz(siaga: SiagaDep) -> JSONResponse:
    try:
        with siaga.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return JSONResponse({"status": "error", "database": "unreachable",
                             "detail": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": siaga.engine.dialect.name,
                         "center": siaga.center.center.code})
