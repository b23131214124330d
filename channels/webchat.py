"""Web chat: a signed link per case, a plain HTML+JS page, a WebSocket, and an HTTP fallback.

POST /api/cases/{id}/chat-link   (shop API key)  → {"url", "token", "expires_at"}
GET  /chat/{token}                               → the page
GET  /chat/{token}/history?after=ID              → messages so far (the page polls for bot-initiated ones)
POST /chat/{token}/messages {"text", "id"?, "photo"?} → {"replies": [{"text", "action"}], "stage"}
POST /chat/{token}/photos?id=ID  (the image)     → {"photo"}: channels/webchat_photos.py
WS   /chat/{token}/ws                            → the same, over one connection

Behind the channel interface (channels/base.py) the web chat is `WebchatChannel`: its replies go back
synchronously, and the outbox marks them delivered; bot-initiated messages wait in the history the page
polls, or reach the buyer as a link by SMS when the shop's channel order says so (`WebchatLinks.link`).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select

from bot.inbox.inbox import take_inline
from bot.platform.config import Settings
from bot.platform.vocab import Outcome, Stage
from bot.policy.bundle import active_bundle
from bot.store import photos
from bot.store.models import Case, Message
from bot.web.deps import runtime, shop_id
from bot.web.errors import ApiError, over_limit
from bot.web.limits import loads_json
from channels.base import Inbound, WebchatChannel
from channels.tokens import TokenError, TokenExpired, sign, verify

if TYPE_CHECKING:  # the runtime is built by the composition root, which imports this module
    from bot.app.runtime import Runtime

CHANNEL = "webchat"
PURPOSE = "chat"
PAGE = (Path(__file__).with_name("webchat.html")).read_text(encoding="utf-8")
router = APIRouter(tags=["web chat"])


def chat_link(rt: Runtime, case: Case) -> dict[str, str]:
    return _link(rt.settings, rt.clock.now(), case)


class WebchatLinks(WebchatChannel):
    """The web-chat adapter with what the outbox asks of it: the buyer's link, sent by SMS when the shop's
    channel order says so."""

    def __init__(self, settings: Settings):
        self._settings = settings

    def link(self, case: Case, now: datetime) -> str:
        return _link(self._settings, now, case)["url"]


def _link(settings: Settings, now: datetime, case: Case) -> dict[str, str]:
    expires = now + timedelta(days=settings.webchat.link_ttl_days)
    token = sign(settings.secret_key(), PURPOSE, {"c": case.id, "s": case.shop_id}, expires)
    return {"url": f"{settings.public_url}/chat/{token}", "token": token, "expires_at": expires.isoformat()}


@router.post("/api/cases/{case_id}/chat-link", summary="A signed, expiring web-chat link for the buyer")
async def create_chat_link(case_id: int, request: Request, shop: str = Depends(shop_id)) -> dict[str, str]:
    rt = runtime(request)
    async with rt.sessions() as session:
        case = (
            await session.execute(select(Case).where(Case.id == case_id, Case.shop_id == shop))
        ).scalar_one_or_none()
    if case is None:
        raise ApiError(404, "not_found", f"no case {case_id} for this shop", field="case_id")
    return chat_link(rt, case)


def _case_for(rt: Runtime, token: str) -> tuple[int, str]:
    try:
        claims = verify(rt.settings.secret_key(), PURPOSE, token, rt.clock.now())
    except TokenError as exc:
        raise ApiError(403, "invalid_link", str(exc), field="token", fix="ask the shop for a new chat link") from None
    return int(claims["c"]), str(claims["s"])


@router.get("/chat/{token}", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(token: str, request: Request) -> HTMLResponse:
    """The chat page; a refused link gets the page with its reason, which the page words in the buyer's
    language (issue 21): the case's for an expired or closed one, the browser's for a forged one."""
    rt = runtime(request)
    try:
        claims = verify(rt.settings.secret_key(), PURPOSE, token, rt.clock.now())
    except TokenExpired as exc:
        language = await _case_language(rt, exc.claims)
        return HTMLResponse(_page({"code": "expired", "text": str(exc), "language": language}), status_code=403)
    except TokenError as exc:
        return HTMLResponse(_page({"code": "invalid", "text": str(exc), "language": None}), status_code=403)
    try:
        await _refuse_if_closed(rt, int(claims["c"]), str(claims["s"]))
    except ApiError as exc:
        language = await _case_language(rt, claims)
        return HTMLResponse(
            _page({"code": exc.error, "text": exc.message, "language": language}), status_code=exc.status
        )
    return HTMLResponse(_page(None, rt.settings.webchat.max_photo_bytes, rt.settings.webchat.max_message_chars))


async def _case_language(rt: Runtime, claims: dict[str, Any]) -> str | None:
    async with rt.sessions() as session:
        case = await session.get(Case, int(claims.get("c", 0)))
    return case.language if case is not None and case.shop_id == claims.get("s") else None


def _page(error: dict[str, Any] | None, photo_limit: int = 0, message_limit: int = 0) -> str:
    # JSON-encoded (and "<" escaped) so no error text can ever break out of the page's script.
    page = PAGE.replace("{{PHOTO_LIMIT}}", str(int(photo_limit))).replace("{{MESSAGE_LIMIT}}", str(int(message_limit)))
    return page.replace("{{ERROR}}", json.dumps(error).replace("<", "\\u003c"))


@router.get("/chat/{token}/history")
async def history(token: str, request: Request, after: int = 0) -> dict[str, Any]:
    rt = runtime(request)
    case_id, shop = _case_for(rt, token)
    # A read-only session: every open page polls this, and on SQLite it must not queue for the write gate that
    # buyers' turns take (nor hold it while the shop's policy bundle is looked up).
    async with rt.reads() as session:
        case = await session.get(Case, case_id)
        # The header names the shop the buyer bought from (issue 21.4): "Customer care" alone could be anyone.
        # Sent with the first page of history only: the name does not change under an open page.
        shop_name = (await active_bundle(session, shop)).shop.name if after == 0 else None
        rows = (
            (
                await session.execute(
                    select(Message)
                    .where(Message.case_id == case_id, Message.id > after)
                    .order_by(Message.id)
                    .limit(500)
                )
            )
            .scalars()
            .all()
        )
    return {
        "stage": case.stage if case else None,
        "language": case.language if case else None,
        **({"shop_name": shop_name} if shop_name else {}),
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "text": m.text,
                "action": m.action,
                "at": m.created_at.isoformat(),
                **({"photo": m.meta["photo"]} if (m.meta or {}).get("photo") else {}),
            }
            for m in rows
        ],
    }


async def _refuse_if_closed(rt: Runtime, case_id: int, shop: str) -> None:
    """A link stops taking messages when its case closes (review L6): it is a bearer credential for weeks, and
    every post to a closed case stored a message and drew a reply. 403 in the buyer's language. A read-only
    session: on SQLite it does not queue for the one writer, as every chat message would otherwise."""
    async with rt.reads() as session:
        case = await session.get(Case, case_id)
        if case is None or case.shop_id != shop or case.stage != Stage.CLOSED:
            return
        if case.outcome == Outcome.OPTED_OUT:
            return  # still recorded, never answered: a START must reach the opt-out ledger (PLAYBOOK rule 11)
        bundle = await active_bundle(session, shop)
    text = bundle.catalog.render("closed_case", case.language or "en", {"shop_name": bundle.shop.name})
    raise ApiError(403, "conversation_closed", text, field="token", fix="contact the shop for a new conversation")


async def _turn(rt: Runtime, token: str, body: Any) -> dict[str, Any]:
    case_id, shop = _case_for(rt, token)
    await _refuse_if_closed(rt, case_id, shop)
    if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
        raise ApiError(422, "invalid_message", 'send {"text": "..."}', field="text")
    text = body.get("text", "").strip()
    limit = rt.settings.webchat.max_message_chars
    photo = body.get("photo")
    if photo is not None and (not isinstance(photo, int) or isinstance(photo, bool)):
        raise ApiError(422, "invalid_photo", "photo is the id an upload returned", field="photo")
    if not text and photo is None:
        raise ApiError(422, "empty_message", "the message is empty", field="text", fix="type a message")
    if len(text) > limit:
        raise over_limit(
            "the message", len(text), limit, "characters", field="text", status=422, fix="send it in shorter parts"
        )
    client_id = body.get("id")
    # The page numbers its messages; a resent one (a flaky connection) is the same message. The id is the
    # case's own: two buyers' pages both sending "1" are two messages.
    message_id = client_id if isinstance(client_id, str) and client_id else secrets.token_hex(8)
    provider_id = provider_id_of(case_id, message_id)
    if photo is not None:
        await _check_photo(rt, shop, case_id, photo, provider_id)
    inbound = Inbound(CHANNEL, provider_id, str(case_id), text=text, photo=photo)
    result = await take_inline(rt.worker.ctx, shop, inbound)
    if result is None:
        raise ApiError(404, "not_found", "this conversation no longer exists", field="token")
    return {"replies": [{"text": r.text, "action": r.action} for r in result.replies], "stage": result.stage}


def provider_id_of(case_id: int, message_id: str) -> str:
    """A web-chat message's provider id: the page's own id for it, within its case."""
    return f"web:{case_id}:{message_id}"[:120]


async def _check_photo(rt: Runtime, shop: str, case_id: int, photo_id: int, provider_id: str) -> None:
    """A message's photo must be this case's, uploaded for this very message (the same id): one photo per
    message, and no message can show another case's photo."""
    async with rt.reads() as session:
        found = await photos.of_case(session, shop, case_id, photo_id)
    if found is None or found.provider_id != provider_id:
        raise ApiError(
            422,
            "unknown_photo",
            f"no photo {photo_id} was uploaded for this message",
            field="photo",
            fix="upload it to /chat/{token}/photos?id=<the message's id> first, then send the message with that id",
        )


@router.post("/chat/{token}/messages", summary="Send a buyer message; the bot's replies come back")
async def post_message(token: str, request: Request) -> JSONResponse:
    _case_for(runtime(request), token)  # a wrong token is refused before its body is read
    body = loads_json(await request.body(), fix='send {"text": "..."}')
    return JSONResponse(await _turn(runtime(request), token, body))


@router.websocket("/chat/{token}/ws")
async def chat_socket(websocket: WebSocket, token: str) -> None:
    rt: Runtime = websocket.app.state.runtime
    try:
        _case_for(rt, token)
    except ApiError as exc:
        await websocket.close(code=4403, reason=exc.message)
        return
    await websocket.accept()
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                body = loads_json(raw.encode(), fix='send {"text": "..."}')
                await websocket.send_json({"type": "replies", **await _turn(rt, token, body)})
            except ApiError as exc:
                await websocket.send_json({"type": "error", **exc.body()})
    except WebSocketDisconnect:
        return
