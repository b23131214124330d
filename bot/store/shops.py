"""Shops and their API keys. Keys are random, high-entropy secrets, so a plain SHA-256 is the right
hash: it is what makes a lookup per request cheap, and a slow password hash buys nothing for them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Shop


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return "mk_" + secrets.token_urlsafe(32)


async def ensure_shop(session: AsyncSession, shop_id: str, name: str, api_key: str, now: datetime) -> Shop:
    """Create the shop, or set its name and key if it exists (idempotent)."""
    shop = await session.get(Shop, shop_id)
    if shop is None:
        shop = Shop(id=shop_id, shop_id=shop_id, name=name, api_key_hash=hash_key(api_key), created_at=now)
        session.add(shop)
    else:
        shop.name, shop.api_key_hash = name, hash_key(api_key)
    await session.flush()
    return shop


async def shop_for_key(session: AsyncSession, api_key: str) -> Shop | None:
    return (await session.execute(select(Shop).where(Shop.api_key_hash == hash_key(api_key)))).scalar_one_or_none()
