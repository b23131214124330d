"""Input limits every route gets before its own code runs (security review M1, L1, L2, L4).

Several routes, the unauthenticated webhooks among them, read the whole body before checking anything;
100 MB bodies from eight clients at once cost 1.25 GB. This ASGI middleware refuses a body by its
Content-Length before reading it, and stops a body without one as soon as it passes the route's limit.
Routes keep their own stricter checks (the review batch counts reviews, the chat counts characters).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.errors import ApiError

log = logging.getLogger("mediator.api")

KIB, MIB = 1024, 1024 * 1024
# Longest prefix wins. Sized to the largest honest body with room to spare: a Twilio form is a few KB,
# a chat message is at most 10,000 characters, a policy draft is a few files of at most 200,000 characters.
LIMITS: dict[str, int] = {
    "/admin/reports/sign-in": 4 * KIB,
    "/staff/sign-in": 4 * KIB,
    "/webhooks/twilio": 64 * KIB,
    "/webhooks/telegram": 1 * MIB,
    "/webhooks/slack": 1 * MIB,
    "/chat/": 64 * KIB,
    "/staff/api/": 64 * KIB,
    "/api/reviews": 20 * MIB,
    "/api/policies": 8 * MIB,
}
DEFAULT_LIMIT = 1 * MIB
# A web-chat photo upload (/chat/{token}/photos): its limit is the deployment's setting
# (webchat.max_photo_bytes), and a refusal names it as the photo's, which the page words for the buyer.
PHOTO_PATH = re.compile(r"^/chat/[^/]+/photos$")
# SQLite and PostgreSQL integers are 64-bit: a larger id in a path or query is refused, not a 500.
MAX_INT = 2**63 - 1


def limit_for(path: str) -> int:
    best = ""
    for prefix in LIMITS:
        if path.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return LIMITS[best] if best else DEFAULT_LIMIT


class BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` once a body passes its limit. An HTTPException so FastAPI's body parsing passes it
    on instead of turning it into a generic 400."""

    def __init__(self, size: int, limit: int):
        super().__init__(413)
        self.size, self.limit = size, limit


def _too_large(size: int | None, limit: int) -> ApiError:
    what = f"the body has {size} bytes" if size is not None else "the body is longer than the limit"
    return ApiError(
        413,
        "body_too_large",
        f"{what}; the limit for this address is {limit} bytes",
        field="(body)",
        fix="send a smaller body (split a review batch; shorten the message)",
    )


def photo_too_large(size: int | None, limit: int) -> ApiError:
    """A photo over the limit: both sizes in words and in numbers (the page says it in the buyer's language)."""
    has = f"the photo has {size} bytes ({size / MIB:.1f} MB)" if size is not None else "the photo is larger than that"
    return ApiError(
        413,
        "photo_too_large",
        f"{has}; the limit is {limit / MIB:g} MB ({limit} bytes)",
        field="photo",
        fix="send a smaller photo (a screenshot, or the camera's smaller size)",
        details={"limit_bytes": limit, **({"size_bytes": size} if size is not None else {})},
    )


class BodyLimit:
    """Pure ASGI, so the body is never buffered here: the app reads it chunk by chunk through `receive`."""

    def __init__(self, app: ASGIApp, photo_limit: int = 8 * MIB) -> None:
        self.app = app
        self.photo_limit = photo_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        photo = PHOTO_PATH.match(scope["path"]) is not None
        limit = self.photo_limit if photo else limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_json(send, photo_too_large(declared, limit) if photo else _too_large(declared, limit))
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(seen, limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge as exc:  # a route that let it through its own handlers
            if not started:
                await _send_json(send, photo_too_large(None, exc.limit) if photo else _too_large(None, exc.limit))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_json(send: Send, err: ApiError) -> None:
    body = json.dumps(err.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # The rest of the body is not read: tell the client the connection will not be reused.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def loads_json(body: bytes, *, fix: str) -> Any:
    """json.loads for a request body: not JSON, not UTF-8 or nested past Python's recursion limit is a 400."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"body is not JSON: {exc}", field="(body)", fix=fix) from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "body is nested too deeply", field="(body)", fix=fix) from None


def _out_of_range(request: HTTPConnection) -> str | None:
    """The first path or query parameter that is an integer too large for the database."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in params:
        text = str(value).strip().lstrip("+-")
        if text.isdigit() and len(text) > 18 and int(text) > MAX_INT:
            return name
    return None


def install_limits(app: FastAPI, photo_limit: int = 8 * MIB) -> None:
    app.add_middleware(BodyLimit, photo_limit=photo_limit)

    @app.exception_handler(BodyTooLarge)
    async def _body_too_large(req: Request, exc: BodyTooLarge) -> JSONResponse:
        photo = PHOTO_PATH.match(req.url.path) is not None
        err = photo_too_large(None, exc.limit) if photo else _too_large(None, exc.limit)
        return JSONResponse(err.body(), status_code=413, headers={"connection": "close"})

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _exc: ClientDisconnect) -> JSONResponse:
        # Nobody is there to read this; the point is one log line instead of a traceback per dropped client.
        log.info("client disconnected mid-body on %s %s", request.method, request.scope.get("route_path", "?"))
        return JSONResponse({"error": "client_disconnected", "message": "the body was not received"}, 400)

    # Before routes are included: include_router copies the router's dependencies onto every route.
    app.router.dependencies.append(Depends(refuse_huge_ids))


def refuse_huge_ids(request: HTTPConnection) -> None:
    """A dependency: 422 for an integer path or query parameter beyond 64 bits, before the database sees it
    (SQLite raises OverflowError, PostgreSQL a DataError: both were 500s). HTTPConnection, not Request, so
    WebSocket routes take it too."""
    name = _out_of_range(request)
    if name is not None:
        raise ApiError(
            422, "out_of_range", f"{name} is larger than {MAX_INT}", field=name, fix="use an id from a listing"
        )
