"""Staff accounts: who answers buyers in /staff (issue 21.2, security review L11).

Each person has an account of their own, created with `mediator staff add SHOP NAME`, which prints a token
once. The token signs them in to /staff (or goes in `Authorization: Bearer` from a script); the shop's
integration API key never does. The account's name is what the buyer sees ("Maja from the team has joined")
and what events and the audit log record, so nobody can type someone else's name.

Like admin tokens (bot/store/admin_tokens.py), the database keeps only the token's SHA-256: a random
high-entropy secret needs no slow hash. Removing an account keeps the row (past events still name it) and
revokes its browser sessions in the same transaction, so a removed person is signed out everywhere at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.audit import record
from bot.store.models import Shop, StaffAccount, WebSession

TOKEN_PREFIX = "mst_"
# Shown to buyers in their chat: letters of any script, spaces, and the punctuation names carry.
NAME = re.compile(r"^[^\W\d_][\w .'\-]{0,59}$")


@dataclass(frozen=True)
class Account:
    id: int
    shop_id: str
    name: str
    created_at: datetime
    removed_at: datetime | None = None

    @property
    def staff_id(self) -> str:
        """The id the case's owner and the events keep: stable even if two shops have a Maja."""
        return f"account:{self.id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str) -> str:
    """The name with its spaces tidied; ValueError names what is wrong with it."""
    tidy = " ".join(name.split())
    if not NAME.match(tidy):
        raise ValueError(
            "name: 1-60 characters starting with a letter; letters, digits, spaces and . ' - only "
            "(it is shown to buyers, e.g. 'Maja' or 'Jonas B.')"
        )
    return tidy


def _account(row: StaffAccount) -> Account:
    return Account(row.id, row.shop_id, row.name, row.created_at, row.removed_at)


async def _active(session: AsyncSession, shop_id: str, name: str) -> StaffAccount | None:
    return (
        await session.execute(
            select(StaffAccount).where(
                StaffAccount.shop_id == shop_id,
                func.lower(StaffAccount.name) == name.lower(),
                StaffAccount.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def add_account(
    session: AsyncSession, shop_id: str, name: str, now: datetime, by: str = "cli", token: str | None = None
) -> str:
    """Create an account and return its token (the only time it is visible). ValueError names a bad argument.
    `token` is for the demo only, whose staff tokens are published like its API key (bot/app/demo.py)."""
    name = clean_name(name)
    if await session.get(Shop, shop_id) is None:
        raise ValueError(f"shop {shop_id!r} does not exist: create it with `mediator shop create {shop_id}`")
    if await _active(session, shop_id, name) is not None:
        raise ValueError(
            f"name: shop {shop_id!r} already has a staff account {name!r}; buyers could not tell two apart. "
            f"Use another name (e.g. with an initial), or `mediator staff remove {shop_id} {name!r}` first"
        )
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffAccount(shop_id=shop_id, name=name, token_hash=hash_token(token), created_at=now)
    session.add(row)
    await session.flush()
    record(session, shop_id, by, "admin", "staff_account_added", now, target=name, data={"account": row.id})
    return token


async def list_accounts(session: AsyncSession, shop_id: str | None = None, removed: bool = False) -> list[Account]:
    query = select(StaffAccount).order_by(StaffAccount.shop_id, StaffAccount.name, StaffAccount.id)
    if shop_id is not None:
        query = query.where(StaffAccount.shop_id == shop_id)
    if not removed:
        query = query.where(StaffAccount.removed_at.is_(None))
    return [_account(r) for r in (await session.execute(query)).scalars()]


async def remove_account(session: AsyncSession, shop_id: str, name: str, now: datetime, by: str = "cli") -> int:
    """Remove the account and end its sessions; returns how many sessions ended. ValueError: no such account."""
    row = await _active(session, shop_id, " ".join(name.split()))
    if row is None:
        raise ValueError(f"name: shop {shop_id!r} has no staff account {name!r}; `mediator staff list` shows them")
    row.removed_at = now
    ended = await session.execute(
        update(WebSession)
        .where(WebSession.staff_account_id == row.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    record(
        session, shop_id, by, "admin", "staff_account_removed", now, target=row.name, data={"sessions": ended.rowcount}
    )
    await session.flush()
    return int(ended.rowcount or 0)


async def account_for_token(session: AsyncSession, token: str) -> Account | None:
    """The live account behind a token, or None (unknown, or removed)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        await session.execute(
            select(StaffAccount).where(StaffAccount.token_hash == hash_token(token), StaffAccount.removed_at.is_(None))
        )
    ).scalar_one_or_none()
    return _account(row) if row else None


async def token_known(session: AsyncSession, token: str) -> bool:
    """Whether any account, removed ones included, was issued this token."""
    found = await session.execute(select(StaffAccount.id).where(StaffAccount.token_hash == hash_token(token)))
    return found.first() is not None


async def account_by_id(session: AsyncSession, account_id: int) -> Account | None:
    row = await session.get(StaffAccount, account_id)
    return _account(row) if row is not None and row.removed_at is None else None
