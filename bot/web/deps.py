"""Request dependencies: the runtime and the authenticated shop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Header, Request

from bot.store.shops import shop_for_key
from bot.web.errors import ApiError

if TYPE_CHECKING:  # the runtime is built by the composition root, which imports this module
    from bot.app.runtime import Runtime


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def shop_id(request: Request, x_api_key: str | None = Header(None, alias="X-Api-Key")) -> str:
    if not x_api_key:
        raise ApiError(
            401,
            "unauthorized",
            "missing API key",
            field="X-Api-Key",
            fix="send the shop's API key in the X-Api-Key header",
        )
    rt = runtime(request)
    async with rt.sessions() as session:
        shop = await shop_for_key(session, x_api_key)
    if shop is None:
        raise ApiError(
            401,
            "unauthorized",
            "unknown API key",
            field="X-Api-Key",
            fix="check the key; `mediator shop create` issues a new one",
        )
    return shop.id
