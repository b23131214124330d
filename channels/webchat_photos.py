"""Photos in the web chat (issue 21.4): the bot asks for one ("a photo would help"), so the page can send one.

POST /chat/{token}/photos?id=ID   body: the image's bytes  → 201 {"photo", "bytes", "type"}
GET  /chat/{token}/photos/{photo} → the image, for the buyer's own page

Two steps, so the message itself stays the one JSON shape every path takes (HTTP, WebSocket, a resend): the
page uploads the photo under the id it gives the message, then sends the message with `"photo": <id>`
(channels/webchat.py checks the photo is this case's and this message's). The upload is committed before its
201, so a photo the server accepted is never lost; a resent upload of the same message is the same row.

The body is the image itself, not a multipart form: one less parser on an unauthenticated path, and its size
is the photo's size, refused by Content-Length before it is read (bot/web/limits.py) with the limit named. The
type is read from the bytes (bot/store/photos.py), whatever the file was called.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from bot.store import photos
from bot.web.deps import runtime
from bot.web.errors import ApiError
from bot.web.limits import photo_too_large
from bot.web.photos import photo_response
from channels.webchat import _case_for, _refuse_if_closed, provider_id_of

router = APIRouter(tags=["web chat"])


@router.post("/chat/{token}/photos", status_code=201, summary="Upload the photo of a message the page will send")
async def upload_photo(
    token: str, request: Request, id: str = Query(..., min_length=1, max_length=64)
) -> dict[str, object]:
    rt = runtime(request)
    case_id, shop = _case_for(rt, token)  # a wrong link is refused before the body is read
    await _refuse_if_closed(rt, case_id, shop)
    data = await _read(request, rt.settings.webchat.max_photo_bytes)
    sniffed = photos.sniff(data)
    if sniffed.content_type is None:
        raise ApiError(
            415,
            "not_a_photo",
            f"the file is {sniffed.seen}, not a photo; the chat takes {photos.ACCEPTED} images",
            field="photo",
            fix=f"choose a photo ({photos.ACCEPTED})",
            details={"seen": sniffed.seen},
        )
    async with rt.sessions() as session, session.begin():
        photo = await photos.store(
            session,
            shop_id=shop,
            case_id=case_id,
            provider_id=provider_id_of(case_id, id),
            content_type=sniffed.content_type,
            data=data,
            now=rt.clock.now(),
        )
    return {"photo": photo.id, "bytes": photo.size, "type": photo.content_type}


async def _read(request: Request, limit: int) -> bytes:
    """The body, stopped as soon as it passes the limit (a body sent without Content-Length)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise photo_too_large(None, limit)
    return bytes(data)


@router.get("/chat/{token}/photos/{photo_id}", summary="A photo of this conversation")
async def show_photo(token: str, photo_id: int, request: Request) -> Response:
    rt = runtime(request)
    case_id, shop = _case_for(rt, token)
    return await photo_response(rt, shop, case_id, photo_id)
