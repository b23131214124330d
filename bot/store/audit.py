"""The audit log: who changed what, when. Every policy change and every admin token issued goes here,
in the same transaction as the change itself, so the log can never miss one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEntry


def record(
    session: AsyncSession,
    shop_id: str,
    actor: str,
    role: str,
    action: str,
    at: datetime,
    *,
    target: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(shop_id=shop_id, actor=actor, role=role, action=action, target=target, data=data or {}, at=at)
    )


async def entries(session: AsyncSession, shop_id: str, limit: int = 100) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(AuditEntry).where(AuditEntry.shop_id == shop_id).order_by(AuditEntry.id.desc()).limit(limit)
    )
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "role": e.role,
            "action": e.action,
            "target": e.target,
            "data": e.data,
        }
        for e in rows.scalars()
    ]
