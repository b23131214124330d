"""Policy versions in the database, seeded from `policies/`, published, diffed and rolled back.

Two levels, so that both an admin and an audit can read them:
  - `policy_versions`: every version of every file (mediation.yml, messages/pl.yml, channels.yml, ...), with
    its author and comment. The store is generic: any `*.yml` under policies/ is versioned.
  - `policy_releases`: one published state of ALL of a shop's files, numbered 1, 2, 3 per shop. That number
    is "the policy version": every case event records it, and `policy_heads` holds the current one.

Publishing is optimistic: an update names the version it was based on, and the head moves only if it is
still that version (`UPDATE policy_heads ... WHERE version = base`), so of two admins publishing at the
same moment the second is told to reload. Nothing is ever deleted: a rollback publishes an old state again
as a new version, so the history reads top to bottom.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import PolicyHead, PolicyRelease, PolicyVersion

SEED_AUTHOR = "file"
MEDIATION = "mediation.yml"
# What may be stored: `name.yml` at the top of policies/, or `messages/<lang>.yml`.
FILE_NAME = re.compile(r"^(messages/)?[a-z0-9][a-z0-9_-]{0,60}\.yml$")
MAX_FILE_CHARS = 200_000


class StaleVersion(Exception):
    """The draft was based on a version that is no longer the published one: reload and redo the edit."""

    def __init__(self, base: int | None, head: int | None):
        self.base, self.head = base, head
        super().__init__(f"the draft is based on version {base}, but version {head} has been published since")


class NothingChanged(ValueError):
    pass


def policy_files(policies_dir: Path) -> list[Path]:
    return sorted(p for p in policies_dir.rglob("*.yml") if p.is_file())


def read_policy_dir(policies_dir: Path) -> dict[str, str]:
    """Every policy file under a folder, by its name relative to the folder."""
    return {p.relative_to(policies_dir).as_posix(): p.read_text(encoding="utf-8") for p in policy_files(policies_dir)}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ── reading ──────────────────────────────────────────────────────────────────────────────────────────


async def head_version(session: AsyncSession, shop_id: str) -> int | None:
    return (await session.execute(select(PolicyHead.version).where(PolicyHead.shop_id == shop_id))).scalar_one_or_none()


async def head_of(session: AsyncSession, shop_id: str) -> tuple[int, str] | None:
    """The published version and its digest: the one small query a turn makes about policies."""
    row = (await session.execute(_HEAD_QUERY, {"shop_id": shop_id})).one_or_none()
    return (row.version, row.digest) if row else None


# Built once: the statement is on every turn's path.
_HEAD_QUERY = select(PolicyHead.version, PolicyHead.digest).where(PolicyHead.shop_id == bindparam("shop_id"))


def digest(files: dict[str, str]) -> str:
    return sha256("\n".join(f"{name}\0{sha256(content)}" for name, content in sorted(files.items())))


async def get_release(session: AsyncSession, shop_id: str, version: int) -> PolicyRelease | None:
    return (
        await session.execute(
            select(PolicyRelease).where(PolicyRelease.shop_id == shop_id, PolicyRelease.version == version)
        )
    ).scalar_one_or_none()


async def release_files(session: AsyncSession, release: PolicyRelease) -> dict[str, str]:
    ids = list(release.files.values())
    rows = await session.execute(select(PolicyVersion.name, PolicyVersion.content).where(PolicyVersion.id.in_(ids)))
    return dict(sorted((name, content) for name, content in rows.all()))


async def files_of(session: AsyncSession, shop_id: str, version: int) -> dict[str, str]:
    release = await get_release(session, shop_id, version)
    if release is None:
        raise LookupError(f"shop {shop_id!r} has no policy version {version}")
    return await release_files(session, release)


async def history(session: AsyncSession, shop_id: str, limit: int = 100) -> list[PolicyRelease]:
    rows = await session.execute(
        select(PolicyRelease)
        .where(PolicyRelease.shop_id == shop_id)
        .order_by(PolicyRelease.version.desc())
        .limit(limit)
    )
    return list(rows.scalars())


def diff_files(old: dict[str, str], new: dict[str, str]) -> str:
    """A unified diff of every file that differs, in file-name order (empty when nothing does)."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        out += difflib.unified_diff(
            (a or "").splitlines(keepends=True),
            (b or "").splitlines(keepends=True),
            fromfile=f"a/{name}" if a is not None else "/dev/null",
            tofile=f"b/{name}" if b is not None else "/dev/null",
        )
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return "".join(out)


# ── writing ──────────────────────────────────────────────────────────────────────────────────────────


async def publish(
    session: AsyncSession,
    shop_id: str,
    files: dict[str, str],
    *,
    base_version: int | None,
    author: str,
    comment: str | None,
    now: datetime,
    kind: str = "publish",
    rolled_back_to: int | None = None,
) -> PolicyRelease:
    """Make `files` (the complete set) the shop's policy, as version head + 1. Validate before calling.

    Raises StaleVersion when `base_version` is not the published version, NothingChanged when the files
    equal it."""
    head = await head_version(session, shop_id)
    if head != base_version:
        raise StaleVersion(base_version, head)
    current = await files_of(session, shop_id, head) if head is not None else {}
    changed = sorted(name for name in set(files) | set(current) if files.get(name) != current.get(name))
    if head is not None and not changed:
        raise NothingChanged("the draft is the same as the published version: nothing to publish")
    ids = await _file_ids(session, shop_id, files, current, head, author=author, comment=comment, now=now)
    version = (head or 0) + 1
    if head is None:
        try:
            async with session.begin_nested():
                session.add(PolicyHead(shop_id=shop_id, version=version, digest=digest(files), updated_at=now))
        except IntegrityError:
            raise StaleVersion(base_version, await head_version(session, shop_id)) from None
    else:
        moved = await session.execute(
            update(PolicyHead)
            .where(PolicyHead.shop_id == shop_id, PolicyHead.version == head)
            .values(version=version, digest=digest(files), updated_at=now)
        )
        if moved.rowcount != 1:  # another publish got there first
            raise StaleVersion(base_version, await head_version(session, shop_id))
    release = PolicyRelease(
        shop_id=shop_id,
        version=version,
        kind=kind,
        author=author,
        comment=comment,
        files=ids,
        changed=changed,
        diff=diff_files(current, files),
        rolled_back_to=rolled_back_to,
        created_at=now,
    )
    session.add(release)
    session.info.pop(("policy_bundle", shop_id), None)  # this transaction's turns see the new version
    # Keep the per-file `active` flag true to the head, for anyone reading policy_versions directly.
    await session.execute(update(PolicyVersion).where(PolicyVersion.shop_id == shop_id).values(active=False))
    await session.execute(update(PolicyVersion).where(PolicyVersion.id.in_(list(ids.values()))).values(active=True))
    await session.flush()
    return release


async def _file_ids(
    session: AsyncSession,
    shop_id: str,
    files: dict[str, str],
    current: dict[str, str],
    head: int | None,
    *,
    author: str,
    comment: str | None,
    now: datetime,
) -> dict[str, int]:
    """The policy_versions row of each file: the head's own row when unchanged, else a new version row
    (or an existing row with the same content, so a rollback does not copy text it already has)."""
    head_ids = (await get_release(session, shop_id, head)).files if head is not None else {}  # type: ignore[union-attr]
    ids: dict[str, int] = {}
    for name, content in sorted(files.items()):
        if name in head_ids and current.get(name) == content:
            ids[name] = head_ids[name]
            continue
        sha = sha256(content)
        same = (
            await session.execute(
                select(PolicyVersion.id)
                .where(PolicyVersion.shop_id == shop_id, PolicyVersion.name == name, PolicyVersion.sha256 == sha)
                .order_by(PolicyVersion.version.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if same is not None:
            ids[name] = same
            continue
        latest = (
            await session.execute(
                select(func.max(PolicyVersion.version)).where(
                    PolicyVersion.shop_id == shop_id, PolicyVersion.name == name
                )
            )
        ).scalar()
        row = PolicyVersion(
            shop_id=shop_id,
            name=name,
            version=(latest or 0) + 1,
            content=content,
            sha256=sha,
            author=author,
            comment=comment,
            active=False,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        ids[name] = row.id
    return ids


async def rollback(
    session: AsyncSession,
    shop_id: str,
    to_version: int,
    *,
    base_version: int | None,
    author: str,
    comment: str | None,
    now: datetime,
) -> PolicyRelease:
    """Publish the files of an earlier version again, as a new version."""
    files = await files_of(session, shop_id, to_version)
    return await publish(
        session,
        shop_id,
        files,
        base_version=base_version,
        author=author,
        comment=comment or f"rollback to version {to_version}",
        now=now,
        kind="rollback",
        rolled_back_to=to_version,
    )


async def seed_from_files(session: AsyncSession, shop_id: str, policies_dir: Path, now: datetime) -> list[str]:
    """Publish policy files changed on disk since they were last seeded; return the names that changed.

    A file is compared with its latest version seeded from a file, not with the latest version: an admin's
    edit through the API must survive a restart that finds the same file on disk as before."""
    on_disk = read_policy_dir(policies_dir)
    head = await head_version(session, shop_id)
    current = await files_of(session, shop_id, head) if head is not None else {}
    draft = dict(current)
    changed = []
    for name, content in on_disk.items():
        seeded = (
            await session.execute(
                select(PolicyVersion.sha256)
                .where(
                    PolicyVersion.shop_id == shop_id, PolicyVersion.name == name, PolicyVersion.author == SEED_AUTHOR
                )
                .order_by(PolicyVersion.version.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if seeded == sha256(content) and name in current:
            continue  # unchanged on disk since it was seeded: keep the published text (maybe an admin's edit)
        draft[name] = content
        if current.get(name) != content:
            changed.append(name)
    if not draft or (head is not None and not changed):
        return []
    try:
        await publish(
            session,
            shop_id,
            draft,
            base_version=head,
            author=SEED_AUTHOR,
            comment="seeded from policies/: " + ", ".join(changed),
            now=now,
            kind="seed",
        )
    except (StaleVersion, NothingChanged):
        return []  # another worker seeded the same files a moment ago
    return changed
