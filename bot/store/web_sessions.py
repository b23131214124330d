"""Sign-in sessions for the browser pages (/staff, /admin/reports): security review L5.

The cookie carries a random 256-bit id; the table keeps only its SHA-256 (like admin tokens: a random
high-entropy secret needs no slow hash), the shop, who signed in, and when the session ends. A stolen
database therefore holds no usable session, and signing out (or expiry) ends a session for good.

A session lives no longer than what it was opened with: a /staff session ends when its staff account is removed
(bot/store/staff_accounts.py), a reports session when its admin token is revoked. A reports session that names
no admin token was opened with the shop's API key, which the dashboard no longer takes: it is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AdminToken, WebSession

KINDS = ("staff", "reports")
LIFETIME = timedelta(hours=12)  # one working day; then the page asks to sign in again


@dataclass(frozen=True)
class SignedIn:
    shop_id: str
    name: str
    staff_account_id: int | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(
    session: AsyncSession,
    shop_id: str,
    kind: str,
    name: str,
    now: datetime,
    staff_account_id: int | None = None,
    admin_token_id: int | None = None,
) -> str:
    """A new session; returns the id for the cookie (the only time it exists outside the browser). A /staff
    session names its staff account, whose removal ends it (bot/store/staff_accounts.py); a reports session
    its admin token, whose revocation ends it."""
    if kind not in KINDS:
        raise ValueError(f"session kind {kind!r}: use one of {', '.join(KINDS)}")
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            shop_id=shop_id,
            token_hash=_hash(token),
            kind=kind,
            name=name[:120],
            created_at=now,
            expires_at=now + LIFETIME,
            staff_account_id=staff_account_id,
            admin_token_id=admin_token_id,
        )
    )
    await session.flush()
    return token


async def signed_in(session: AsyncSession, token: str, kind: str, now: datetime) -> SignedIn | None:
    """Who holds this session id, if it is live and of this kind (a reports session does not open /staff)."""
    if not token:
        return None
    query = select(WebSession.shop_id, WebSession.name, WebSession.staff_account_id).where(
        WebSession.token_hash == _hash(token),
        WebSession.kind == kind,
        WebSession.revoked_at.is_(None),
        WebSession.expires_at > now,
    )
    if kind == "reports":  # only while the admin token it was opened with is live (see the module's note)
        query = query.join(AdminToken, AdminToken.id == WebSession.admin_token_id).where(
            AdminToken.revoked_at.is_(None), AdminToken.shop_id == WebSession.shop_id
        )
    row = (await session.execute(query)).one_or_none()
    return SignedIn(row.shop_id, row.name, row.staff_account_id) if row else None


async def close_session(session: AsyncSession, token: str, now: datetime) -> bool:
    """Sign out: the session id stops working everywhere at once."""
    if not token:
        return False
    result = await session.execute(
        update(WebSession)
        .where(WebSession.token_hash == _hash(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
