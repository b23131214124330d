"""Policy versions in the database, seeded from `policies/`.

Every case event records the policy version it was decided under, so an audit can tell which rules
applied. The files seed the store: a file whose content differs from its latest version seeded from
file becomes a new active version (so editing the file and restarting takes effect). Admin editing
through the API (issue 7) adds versions with other authors on top of this.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.mediation_policy import MediationPolicy
from bot.models import PolicyVersion
from bot.policy_files import load_model_text

SEED_AUTHOR = "file"
MEDIATION = "mediation.yml"


def policy_files(policies_dir: Path) -> list[Path]:
    return sorted(p for p in policies_dir.rglob("*.yml") if p.is_file())


async def seed_from_files(session: AsyncSession, shop_id: str, policies_dir: Path, now: datetime) -> list[str]:
    """Record changed policy files as new active versions; return the names that changed."""
    changed = []
    for path in policy_files(policies_dir):
        name = path.relative_to(policies_dir).as_posix()
        content = path.read_text(encoding="utf-8")
        sha = hashlib.sha256(content.encode()).hexdigest()
        latest = (
            await session.execute(
                select(PolicyVersion)
                .where(PolicyVersion.shop_id == shop_id, PolicyVersion.name == name)
                .order_by(PolicyVersion.version.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if latest is not None and latest.sha256 == sha:
            continue
        await session.execute(
            update(PolicyVersion)
            .where(PolicyVersion.shop_id == shop_id, PolicyVersion.name == name)
            .values(active=False)
        )
        session.add(
            PolicyVersion(
                shop_id=shop_id,
                name=name,
                version=(latest.version + 1) if latest else 1,
                content=content,
                sha256=sha,
                author=SEED_AUTHOR,
                comment=f"seeded from policies/{name}",
                active=True,
                created_at=now,
            )
        )
        changed.append(name)
    await session.flush()
    return changed


@dataclass(frozen=True)
class ActiveMediationPolicy:
    policy: MediationPolicy
    version_id: int


# Parsed policies by version row id: a version's content never changes, so this cache is always valid.
_parsed: dict[int, MediationPolicy] = {}


async def active_mediation_policy(session: AsyncSession, shop_id: str) -> ActiveMediationPolicy:
    row = (
        await session.execute(
            select(PolicyVersion.id, PolicyVersion.content).where(
                PolicyVersion.shop_id == shop_id, PolicyVersion.name == MEDIATION, PolicyVersion.active.is_(True)
            )
        )
    ).one_or_none()
    if row is None:
        raise LookupError(f"shop {shop_id!r} has no active {MEDIATION}: run `mediator serve` or `mediator demo`")
    if row.id not in _parsed:
        _parsed[row.id] = load_model_text(row.content, MediationPolicy, f"{MEDIATION} (version {row.id})")
    return ActiveMediationPolicy(_parsed[row.id], row.id)
