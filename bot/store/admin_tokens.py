"""Admin tokens: who may read or edit a shop's policies.

Roles: `admin` may edit (validate, preview, publish, roll back); `staff` may only read. A token is a random
secret shown once; the database keeps only its SHA-256 (like shop API keys, bot/store/shops.py: a random
high-entropy secret needs no slow hash). Tokens come from `mediator admin token create`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.audit import record
from bot.store.models import AdminToken, Shop

TOKEN_PREFIX = "mat_"
NAME = re.compile(r"^[\w .@+-]{1,120}$")


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


@dataclass(frozen=True)
class Admin:
    shop_id: str
    name: str
    role: Role
    token_id: int | None = None  # the admin_tokens row: a dashboard session names it (bot/store/web_sessions.py)

    @property
    def can_edit(self) -> bool:
        return self.role == Role.ADMIN


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    session: AsyncSession, shop_id: str, name: str, role: str, now: datetime, *, token: str | None = None
) -> str:
    """Issue a token and return it (the only time it is visible). ValueError names a bad argument. `token` is
    for the demo's public one (bot/app/demo.py); everyone else gets a random one."""
    if role not in {r.value for r in Role}:
        raise ValueError(f"role {role!r} is not known: use admin (may edit) or staff (may only read)")
    if not NAME.match(name):
        raise ValueError("name: 1-120 letters, digits, spaces or . @ + - _ (it is shown in the audit log)")
    if await session.get(Shop, shop_id) is None:
        raise ValueError(f"shop {shop_id!r} does not exist: create it with `mediator shop create {shop_id}`")
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError(f"token: an admin token starts with {TOKEN_PREFIX}")
    session.add(AdminToken(shop_id=shop_id, name=name, role=role, token_hash=hash_token(token), created_at=now))
    record(session, shop_id, "cli", "admin", "token_created", now, target=name, data={"role": role})
    await session.flush()
    return token


async def revoke_tokens(session: AsyncSession, shop_id: str, name: str, now: datetime) -> int:
    result = await session.execute(
        update(AdminToken)
        .where(AdminToken.shop_id == shop_id, AdminToken.name == name, AdminToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if result.rowcount:
        record(session, shop_id, "cli", "admin", "token_revoked", now, target=name, data={"count": result.rowcount})
    return result.rowcount


async def token_issued(session: AsyncSession, token: str) -> bool:
    """Whether this token was ever issued, revoked ones included (a revoked demo token stays revoked)."""
    found = await session.execute(select(AdminToken.id).where(AdminToken.token_hash == hash_token(token)))
    return found.first() is not None


async def admin_for_token(session: AsyncSession, token: str) -> Admin | None:
    row = (
        await session.execute(
            select(AdminToken.id, AdminToken.shop_id, AdminToken.name, AdminToken.role).where(
                AdminToken.token_hash == hash_token(token), AdminToken.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    return Admin(row.shop_id, row.name, Role(row.role), row.id) if row else None
