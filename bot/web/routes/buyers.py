"""DELETE /api/buyers/{id}: erase a buyer's personal data (bot/conversation/erasure.py says what goes and what
stays). Authenticated with the shop's API key like every /api route; another shop's buyer is a 404, the
same answer as an id that does not exist, so ids of other shops cannot be probed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from bot.conversation.erasure import erase_buyer
from bot.web.deps import runtime, shop_id
from bot.web.errors import ApiError

router = APIRouter(tags=["buyers"])


@router.delete("/api/buyers/{buyer_id}", summary="Erase a buyer's personal data (GDPR art. 17)")
async def delete_buyer(buyer_id: int, request: Request, shop: str = Depends(shop_id)) -> dict[str, Any]:
    """Removes the buyer's name, contacts and every message text of their cases; reports keep counting the
    cases. Idempotent: erasing again answers 200 with `already_erased: true`."""
    rt = runtime(request)
    async with rt.sessions() as session, session.begin():
        done = await erase_buyer(
            session,
            shop,
            buyer_id,
            rt.clock.now(),
            actor="api",
            role="shop",
            callback_url=rt.settings.callback_url(shop),
        )
    if done is None:
        raise ApiError(
            404,
            "not_found",
            f"no buyer {buyer_id} for this shop",
            field="buyer_id",
            fix="take the id from a case's buyer_id (GET /api/cases/{id})",
        )
    return {"erased": True, **done.as_dict()}
