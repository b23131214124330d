"""Every error leaves as JSON that names the field and the fix, never as a stack trace; a browser opening a page
gets the same as a styled page (bot/web/pages.py)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web import pages

log = logging.getLogger("mediator.api")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        *,
        field: str | None = None,
        fix: str | None = None,
        details: dict[str, object] | None = None,
    ):
        super().__init__(message)
        self.status, self.error, self.message, self.field, self.fix = status, error, message, field, fix
        self.details = details or {}  # numbers a page words itself, in its own language (a photo's limit)

    def body(self) -> dict[str, object]:
        out: dict[str, object] = {"error": self.error, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.fix:
            out["fix"] = self.fix
        return {**out, **self.details}


def over_limit(what: str, size: int, limit: int, unit: str, *, field: str, fix: str, status: int = 413) -> ApiError:
    """The one shape of every size error: what was too big, by how much, and what to do."""
    return ApiError(
        status,
        f"{field.strip('()')}_too_large",
        f"{what} has {size} {unit}; the limit is {limit}",
        field=field,
        fix=fix,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_req: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("query", "path", "body", "header")),
                "message": e["msg"],
                "fix": "see the message",
            }
            for e in exc.errors()
        ]
        return JSONResponse({"error": "invalid_request", "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(req: Request, exc: StarletteHTTPException) -> Response:
        if pages.wants_page(req):  # a person typed or followed an address: a page, in the site's look
            return pages.http_error(req, exc.status_code, str(exc.detail))
        return JSONResponse({"error": "http_error", "message": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(req: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", req.method, req.url.path)
        if pages.wants_page(req):
            return pages.server_error()
        return JSONResponse(
            {"error": "internal_error", "message": "something went wrong on our side; it is logged"}, status_code=500
        )
