"""`mediator policy validate|diff|publish|rollback|history` and `mediator admin token create|revoke`.

The same store as the admin API (bot/policy/versions.py): a publish from the shell is a version like any other,
with its author and comment, checked by the same validator and guard rails, and written to the audit log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.cli.common import err, fail, out, settings

policy_app = typer.Typer(help="Check, publish and roll back the conversation policies.", no_args_is_help=True)
admin_app = typer.Typer(help="Admin tokens for the policy API and the /admin pages.", no_args_is_help=True)
token_app = typer.Typer(help="Create or revoke admin tokens.", no_args_is_help=True)
admin_app.add_typer(token_app, name="token")


Shop = Annotated[str, typer.Option("--shop", help="Shop id")]
Author = Annotated[str, typer.Option("--author", help="Who makes the change (shown in the history)")]
Comment = Annotated[str, typer.Option("--comment", help="Why (shown in the history)")]
Base = Annotated[
    int | None, typer.Option("--base", help="The version you edited from; refused if another was published since")
]


@asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    from bot.store.db import async_url, make_engine, make_sessionmaker
    from bot.store.migrate import upgrade

    s = settings()
    base = s.resolve(Path("."))
    await upgrade(async_url(s.database_url, base))
    engine = make_engine(s.database_url, base)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


def _run(work: Callable[[AsyncSession], Coroutine[Any, Any, Any]]) -> Any:
    async def go() -> Any:
        async with _session() as session:
            return await work(session)

    return asyncio.run(go())


def _now() -> datetime:
    return datetime.now(UTC)


def _folder(directory: Path | None) -> Path:
    s = settings()
    return directory or s.resolve(s.policies_dir)


def _knowledge_dir() -> Path:
    """The folder the remedy rules' cites must quote from (the config's knowledge settings)."""
    return settings().knowledge_settings().knowledge_dir


@policy_app.command("validate")
def validate(directory: Annotated[Path | None, typer.Argument(help="Policies folder")] = None) -> None:
    """Check every policy file and the PLAYBOOK guard rails; print `file:line: message` per problem, exit 2 if any."""
    from bot.policy.validate import validate_policies

    issues = validate_policies(_folder(directory), _knowledge_dir())
    for issue in issues:
        err.print(str(issue), markup=False, highlight=False, soft_wrap=True)
    if issues:
        raise typer.Exit(2)
    out.print("policies OK")


@policy_app.command("diff")
def diff(
    shop: Shop = "demo",
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the one before --to)")
    ] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version (default: the published one)")] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Compare the published version with this folder")
    ] = None,
) -> None:
    """A unified diff between two published versions, or between the published version and a folder."""
    from bot.policy.versions import diff_files, files_of, head_version, read_policy_dir

    async def work(session: AsyncSession) -> str:
        head = await head_version(session, shop)
        if head is None:
            fail(f"shop {shop!r} has no published policy: run `mediator serve` or `mediator demo` once")
        if directory is not None:
            if not directory.is_dir():
                fail(f"--dir {directory}: no such folder")
            return diff_files(await files_of(session, shop, head), read_policy_dir(directory))
        to_v = to_version or head
        from_v = from_version if from_version is not None else to_v - 1
        texts = []
        for v in (from_v, to_v):
            try:
                texts.append(await files_of(session, shop, v) if v > 0 else {})
            except LookupError as exc:
                fail(f"{exc}; see `mediator policy history`")
        return diff_files(*texts)

    out.print(_run(work) or "(no differences)", markup=False, highlight=False, soft_wrap=True)


@policy_app.command("publish")
def publish_cmd(
    directory: Annotated[Path | None, typer.Argument(help="Policies folder to publish (default: policies_dir)")] = None,
    shop: Shop = "demo",
    author: Author = "cli",
    comment: Comment = "",
    base: Base = None,
) -> None:
    """Validate a folder of policy files and publish it as the shop's next version (applies at once)."""
    from bot.policy.validate import validate_files
    from bot.policy.versions import head_version, publish, read_policy_dir

    folder = _folder(directory)
    if not folder.is_dir():
        fail(f"{folder}: no such folder; point at a policies/ folder")
    files = read_policy_dir(folder)
    issues = validate_files(files, _knowledge_dir())
    if issues:
        for issue in issues:
            err.print(f"{folder}/{issue}", markup=False, highlight=False, soft_wrap=True)
        fail(f"{len(issues)} problem(s); nothing was published")

    async def work(session: AsyncSession) -> Any:
        head = await head_version(session, shop)
        return await _new_version(
            session,
            shop,
            author,
            "publish",
            publish(
                session,
                shop,
                files,
                base_version=head if base is None else base,
                author=author,
                comment=comment or None,
                now=_now(),
            ),
            stale_fix="check `mediator policy diff --dir` and publish again with",
            audit=lambda release: {"changed": release.changed, "comment": comment},
        )

    release = _run(work)
    out.print(f"shop {shop}: published version {release.version} ({', '.join(release.changed)})", highlight=False)


@policy_app.command("rollback")
def rollback_cmd(
    version: Annotated[int, typer.Argument(help="The version to publish again")],
    shop: Shop = "demo",
    author: Author = "cli",
    comment: Comment = "",
    base: Base = None,
) -> None:
    """Publish an earlier version again, as the next version."""
    from bot.policy.versions import get_release, head_version, rollback

    async def work(session: AsyncSession) -> Any:
        head = await head_version(session, shop)
        if await get_release(session, shop, version) is None:
            fail(f"shop {shop!r} has no version {version}; see `mediator policy history`")
        return await _new_version(
            session,
            shop,
            author,
            "rollback",
            rollback(
                session,
                shop,
                version,
                base_version=head if base is None else base,
                author=author,
                comment=comment or None,
                now=_now(),
            ),
            stale_fix="publish again with",
            unchanged=f"version {version} is what is published already",
            audit=lambda _release: {"to_version": version},
        )

    release = _run(work)
    out.print(f"shop {shop}: version {release.version} publishes version {version} again", highlight=False)


async def _new_version(
    session: AsyncSession,
    shop: str,
    author: str,
    action: str,
    making: Awaitable[Any],
    *,
    stale_fix: str,
    audit: Callable[[Any], dict[str, Any]],
    unchanged: str | None = None,
) -> Any:
    """Await a publish or rollback; turn a stale base or a no-op into a clear failure, else audit it."""
    from bot.policy.versions import NothingChanged, StaleVersion
    from bot.store.audit import record

    try:
        release = await making
    except StaleVersion as exc:
        fail(f"{exc}: {stale_fix} --base {exc.head}")
    except NothingChanged as exc:
        fail(unchanged or str(exc))
    data = {**audit(release), "via": "cli"}
    record(session, shop, author, "admin", action, _now(), target=f"version {release.version}", data=data)
    return release


@policy_app.command("history")
def history_cmd(shop: Shop = "demo", as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The shop's published versions, newest first."""
    from bot.policy.versions import history

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        return [
            {
                "version": r.version,
                "kind": r.kind,
                "author": r.author,
                "comment": r.comment,
                "changed": r.changed,
                "created_at": r.created_at.isoformat(),
            }
            for r in await history(session, shop)
        ]

    for row in _run(work):
        line = (
            json.dumps(row, ensure_ascii=False)
            if as_json
            else (
                f"{row['version']:>4}  {row['created_at'][:19]}  {row['kind']:<8} {row['author']:<12} "
                f"{', '.join(row['changed'])}  {row['comment'] or ''}"
            )
        )
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Who the token is for (shown in the audit log)")],
    shop: Shop = "demo",
    role: Annotated[str, typer.Option("--role", help="admin (may edit) or staff (may only read)")] = "admin",
) -> None:
    """Issue an admin token and print it once."""
    from bot.store.admin_tokens import create_token

    async def work(session: AsyncSession) -> str:
        try:
            return await create_token(session, shop, name, role, _now())
        except ValueError as exc:
            fail(str(exc))

    token = _run(work)
    out.print(f"{role} token for {name} (shop {shop}): {token}  (shown once; store it now)", highlight=False)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Option("--name")], shop: Shop = "demo") -> None:
    """Revoke every token issued to a name."""
    from bot.store.admin_tokens import revoke_tokens

    count = _run(lambda session: revoke_tokens(session, shop, name, _now()))
    if not count:
        fail(f"no active token for {name!r} in shop {shop!r}")
    out.print(f"revoked {count} token(s) of {name}", highlight=False)
