"""Every error leaves as JSON `{"error": {"code", "message"}}`; bad input is a 4xx, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from siaga112.domain import errors as domain_errors

log = logging.getLogger(__name__)

DOMAIN_STATUS: dict[type[domain_errors.DomainError], int] = {
    domain_errors.NotFound: 404,
    domain_errors.Conflict: 409,
    domain_errors.IllegalTransition: 409,
    domain_errors.TimeWentBackwards: 409,
    domain_errors.InvalidValue: 422,
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error: `{"error": {"code", "message"}}`."""

    error: ErrorDetail


# Declared on every API route, so the OpenAPI document tells clients every answer they can get.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (401, "Not logged in, or the session or token is no longer valid"),
        (403, "Not allowed for this role or scope"),
        (404, "No such thing"),
        (409, "Not possible in the current state"),
        (413, "Request body too large"),
        (422, "Invalid input; the message names the field"),
        (429, "Too many requests or failed logins"),
    )
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _status_for(exc: domain_errors.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 422


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(domain_errors.DomainError)
    async def _domain(_: Request, exc: domain_errors.DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=_status_for(exc))

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # Someone else changed the same record between our read and our write.
        return JSONResponse(error_body("conflict", "changed by someone else meanwhile: "
                                       "reload and try again"), status_code=409)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]}
                   for e in exc.errors()]
        message = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
        return JSONResponse(error_body("invalid_request", message, details=details),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(error_body("internal_error", "internal error; it has been logged"),
                            status_code=500)
