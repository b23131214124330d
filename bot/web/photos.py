"""A buyer's photo as an HTTP answer, for the buyer's chat page (channels/webchat_photos.py) and /staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.responses import Response

from bot.store import photos
from bot.web.errors import ApiError

if TYPE_CHECKING:  # built by the composition root
    from bot.app.runtime import Runtime


async def photo_response(rt: Runtime, shop: str, case_id: int | None, photo_id: int) -> Response:
    """The image, only to whoever holds this shop's case (a chat link) or this shop (staff); anyone else gets
    the same 404 as for a photo that does not exist."""
    async with rt.reads() as session:
        if case_id is None:
            photo = await photos.of_shop(session, shop, photo_id)
        else:
            photo = await photos.of_case(session, shop, case_id, photo_id)
    if photo is None:
        raise ApiError(404, "unknown_photo", f"there is no photo {photo_id} here", field="photo_id")
    # Private (it shows a buyer's parcel, maybe their home): never kept by a shared cache; nosniff so a
    # browser renders it only as the image type we checked.
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(photo.data, media_type=photo.content_type, headers=headers)
