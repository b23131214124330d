"""The admin policy API at /api/policies: get, validate (a dry run), update, history, diff, rollback,
preview and the audit log. Every request carries an admin token (bot/store/admin_tokens.py); `staff` tokens may
only read, and every change is written to the audit log in the transaction that makes it.

An update sends the version it was based on (`base_version`) and the files it changes; the files not sent
stay as they are. If another admin published meanwhile, the answer is 409 `reload`, and nothing changes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.conversation.scenario import Typed, list_scenarios, load_named_scenario, typed_scenario
from bot.platform.yaml_lines import PolicyIssue, YamlTooCostly, compose_bounded
from bot.policy.bundle import active_bundle
from bot.policy.forms import Edit, FormError, apply_edits, form_values
from bot.policy.validate import validate_files
from bot.policy.versions import (
    NothingChanged,
    StaleVersion,
    diff_files,
    files_of,
    get_release,
    head_version,
    history,
    publish,
    rollback,
)
from bot.store import audit
from bot.store.admin_tokens import Admin
from bot.store.models import PolicyRelease
from bot.web.auth import current_admin, editor
from bot.web.confirm import confirm_needed, confirm_token, confirmed
from bot.web.deps import runtime
from bot.web.errors import ApiError

router = APIRouter(tags=["policies"])
log = logging.getLogger(__name__)
# A draft's first check in a process took ~20 s (the message files' rule-10 check and the meaning model it loads), the
# later ones ~3 s: guardrails keeps each message file's issues by its text. The admin page's first read of the policy
# starts that first check on the published files in a background thread, once per process, while the admin is still
# reading and editing; a daemon thread, so a server that stops meanwhile does not wait for it.
_warming = threading.Lock()
_warmed = False


class Draft(BaseModel):
    """Files to change, by name (`remedies.yml`, `messages/pl.yml`); null removes an optional file."""

    model_config = ConfigDict(extra="forbid")
    base_version: int | None = Field(None, description="The published version this draft was edited from")
    files: dict[str, str | None] = Field(default_factory=dict, max_length=200)


class Update(Draft):
    base_version: int = Field(description="The published version this draft was edited from")  # type: ignore[assignment]
    comment: str = Field("", max_length=2000)
    confirm: str | None = Field(
        None, max_length=100, description="The token of the 428 answer that showed this change's diff"
    )


class Rollback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_version: int = Field(ge=1)
    base_version: int
    comment: str = Field("", max_length=2000)
    confirm: str | None = Field(
        None, max_length=100, description="The token of the 428 answer that showed this rollback's diff"
    )


def issue_json(issues: list[PolicyIssue]) -> list[dict[str, Any]]:
    return [{"file": i.file, "line": i.line, "message": i.message} for i in issues]


def release_json(r: PolicyRelease) -> dict[str, Any]:
    return {
        "version": r.version,
        "kind": r.kind,
        "author": r.author,
        "comment": r.comment,
        "changed": r.changed,
        "rolled_back_to": r.rolled_back_to,
        "created_at": r.created_at.isoformat(),
    }


def reload_error(exc: StaleVersion) -> ApiError:
    return ApiError(
        409,
        "reload",
        f"version {exc.head} was published after version {exc.base}, which this draft was based on",
        field="base_version",
        fix="reload the policy, redo your change on the new version, and publish again",
    )


async def warm(request: Request, shop_id: str) -> None:
    """Parse the version just published in this worker now, so its next live turn does not wait for it."""
    async with runtime(request).sessions() as session:
        await active_bundle(session, shop_id)


async def _published(request: Request, shop_id: str) -> tuple[int | None, dict[str, str]]:
    async with runtime(request).sessions() as session:
        version = await head_version(session, shop_id)
        return version, (await files_of(session, shop_id, version) if version is not None else {})


def _refuse_costly(files: dict[str, str | None]) -> None:
    """413 for a file over the YAML budget (size, alias expansion), before any validator walks it: any admin
    token, a read-only one too, may send a draft, and 330 bytes of nested aliases once took 3 GB (review H4)."""
    for name, content in files.items():
        if not isinstance(content, str):
            continue
        try:
            compose_bounded(content, name)
        except YamlTooCostly as exc:
            raise ApiError(
                413,
                "policy_too_costly",
                str(exc.issues[0]),
                field=f"files.{name}",
                fix="write the values out instead of nesting aliases (&name / *name); keep each file short",
            ) from None
        except yaml.YAMLError:
            continue  # ordinary bad YAML: the dry run reports it with its line


def _unknown_version(version: object, field: str, fix: str = "see GET /api/policies/history") -> ApiError:
    return ApiError(404, "unknown_version", f"there is no version {version}", field=field, fix=fix)


def _already_published(version: int) -> ApiError:
    return ApiError(
        422,
        "nothing_changed",
        f"version {version} is what is published already",
        field="to_version",
        fix="pick an earlier version",
    )


async def draft_files(request: Request, shop_id: str, draft: Draft) -> tuple[int | None, dict[str, str]]:
    """The complete file set a draft stands for: its base version with the draft's files applied."""
    await asyncio.to_thread(_refuse_costly, draft.files)
    head, files = await _published(request, shop_id)
    base = draft.base_version if draft.base_version is not None else head
    if base is not None and base != head:
        async with runtime(request).sessions() as session:
            if await get_release(session, shop_id, base) is None:
                raise _unknown_version(base, "base_version", fix=f"use the published version, {head}")
            files = await files_of(session, shop_id, base)
    merged = dict(files)
    for name, content in draft.files.items():
        if content is None:
            merged.pop(name, None)
        else:
            merged[name] = content
    return base, merged


def _knowledge_dir(request: Request) -> Path:
    """The folder the remedy rules' cites must quote from: a draft citing a section it lacks is refused."""
    return runtime(request).settings.knowledge_settings().knowledge_dir


@router.get("/api/policies", summary="The published policy: its version and every file")
async def get_policies(request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    async with runtime(request).sessions() as session:
        version = await head_version(session, admin.shop_id)
        if version is None:
            raise ApiError(404, "no_policy", "this shop has no published policy yet", fix="restart to seed it")
        release = await get_release(session, admin.shop_id, version)
        files = await files_of(session, admin.shop_id, version)
    assert release is not None
    _warm_checks(files, _knowledge_dir(request))
    return {**release_json(release), "files": files, "you": {"name": admin.name, "role": admin.role.value}}


def _warm_checks(files: dict[str, str], knowledge_dir: Path) -> None:
    """Check the published files once in the background, so the admin's first draft check reads them from cache."""
    global _warmed
    with _warming:
        if _warmed:
            return
        _warmed = True

    def check() -> None:
        try:
            validate_files(files, knowledge_dir)
        except Exception:  # a warm-up only: the admin's own check reports whatever is wrong
            log.exception("warming the policy check failed")

    threading.Thread(target=check, name="policy-check-warm-up", daemon=True).start()


@router.get("/api/policies/versions/{version}", summary="One version's files")
async def get_version(version: int, request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    async with runtime(request).sessions() as session:
        release = await get_release(session, admin.shop_id, version)
        if release is None:
            raise _unknown_version(version, "version")
        files = await files_of(session, admin.shop_id, version)
    return {**release_json(release), "files": files, "diff": release.diff}


@router.post("/api/policies/validate", summary="Dry run: would this draft publish? Issues with file and line")
async def validate(draft: Draft, request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    base, files = await draft_files(request, admin.shop_id, draft)
    issues = await asyncio.to_thread(validate_files, files, _knowledge_dir(request))
    _head, published = await _published(request, admin.shop_id)
    return {"ok": not issues, "base_version": base, "issues": issue_json(issues), "diff": diff_files(published, files)}


@router.put("/api/policies", status_code=201, summary="Publish a draft as the next version")
async def update(body: Update, request: Request, admin: Admin = Depends(editor)) -> JSONResponse:
    rt = runtime(request)
    base, files = await draft_files(request, admin.shop_id, body)
    issues = await asyncio.to_thread(validate_files, files, _knowledge_dir(request))
    if not issues:
        # Nothing takes effect on one click: the first request shows the diff, the second (with its token) applies.
        head, published = await _published(request, admin.shop_id)
        if head is not None and base != head:
            raise reload_error(StaleVersion(base, head))
        if files == published:
            raise ApiError(
                422, "nothing_changed", "the draft equals the published version", field="files", fix="edit a file first"
            )
        token = confirm_token(
            rt.settings.secret_key(), admin.shop_id, "publish", base, {"files": files, "comment": body.comment}
        )
        if not confirmed(body.confirm, token):
            return confirm_needed(
                token, diff_files(published, files), f"publish version {(head or 0) + 1}", wrong=bool(body.confirm)
            )
    async with rt.sessions() as session, session.begin():
        if issues:
            audit.record(
                session,
                admin.shop_id,
                admin.name,
                admin.role,
                "publish_refused",
                rt.clock.now(),
                data={"base_version": base, "issues": [str(i) for i in issues[:20]]},
            )
        else:
            try:
                release = await publish(
                    session,
                    admin.shop_id,
                    files,
                    base_version=body.base_version,
                    author=admin.name,
                    comment=body.comment or None,
                    now=rt.clock.now(),
                )
            except StaleVersion as exc:
                raise reload_error(exc) from None
            except NothingChanged as exc:
                raise ApiError(422, "nothing_changed", str(exc), field="files", fix="edit a file first") from None
            audit.record(
                session,
                admin.shop_id,
                admin.name,
                admin.role,
                "publish",
                rt.clock.now(),
                target=f"version {release.version}",
                data={"base_version": body.base_version, "changed": release.changed, "comment": body.comment},
            )
    if not issues:
        await warm(request, admin.shop_id)
    if issues:
        return JSONResponse(
            {
                "error": "invalid_policy",
                "message": f"{len(issues)} problem(s); nothing was published",
                "issues": issue_json(issues),
                "fix": "correct each file:line and validate again",
            },
            status_code=422,
        )
    return JSONResponse({**release_json(release), "diff": release.diff}, status_code=201)


@router.get("/api/policies/history", summary="Published versions, newest first")
async def get_history(
    request: Request, admin: Admin = Depends(current_admin), limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    async with runtime(request).sessions() as session:
        releases = await history(session, admin.shop_id, limit)
    return {"versions": [release_json(r) for r in releases]}


@router.get("/api/policies/diff", summary="Unified diff between two versions")
async def diff(
    request: Request,
    admin: Admin = Depends(current_admin),
    from_version: int | None = Query(None, alias="from"),
    to_version: int | None = Query(None, alias="to"),
) -> dict[str, Any]:
    async with runtime(request).sessions() as session:
        head = await head_version(session, admin.shop_id)
        to_v = to_version if to_version is not None else head
        from_v = from_version if from_version is not None else (to_v or 1) - 1
        texts = []
        for name, v in (("to", to_v), ("from", from_v)):
            if v == 0:
                texts.append({})
                continue
            if v is None or await get_release(session, admin.shop_id, v) is None:
                raise _unknown_version(v, name)
            texts.append(await files_of(session, admin.shop_id, v))
    return {"from": from_v, "to": to_v, "diff": diff_files(texts[1], texts[0])}


@router.post("/api/policies/rollback", status_code=201, summary="Publish an earlier version again")
async def post_rollback(body: Rollback, request: Request, admin: Admin = Depends(editor)) -> JSONResponse:
    rt = runtime(request)
    async with rt.sessions() as session, session.begin():
        if await get_release(session, admin.shop_id, body.to_version) is None:
            raise _unknown_version(body.to_version, "to_version")
        head = await head_version(session, admin.shop_id)
        if head is not None and body.base_version != head:
            raise reload_error(StaleVersion(body.base_version, head))
        token = confirm_token(rt.settings.secret_key(), admin.shop_id, "rollback", body.base_version, body.to_version)
        if not confirmed(body.confirm, token):
            if body.to_version == head:
                raise _already_published(body.to_version)
            published = await files_of(session, admin.shop_id, head) if head is not None else {}
            target = await files_of(session, admin.shop_id, body.to_version)
            return confirm_needed(
                token,
                diff_files(published, target),
                f"publish version {body.to_version} again as version {(head or 0) + 1}",
                wrong=bool(body.confirm),
            )
        try:
            release = await rollback(
                session,
                admin.shop_id,
                body.to_version,
                base_version=body.base_version,
                author=admin.name,
                comment=body.comment or None,
                now=rt.clock.now(),
            )
        except StaleVersion as exc:
            raise reload_error(exc) from None
        except NothingChanged:
            raise _already_published(body.to_version) from None
        audit.record(
            session,
            admin.shop_id,
            admin.name,
            admin.role,
            "rollback",
            rt.clock.now(),
            target=f"version {release.version}",
            data={"to_version": body.to_version, "base_version": body.base_version},
        )
    await warm(request, admin.shop_id)
    return JSONResponse({**release_json(release), "diff": release.diff}, status_code=201)


@router.get("/api/policies/audit", summary="The audit log of policy changes and admin tokens")
async def get_audit(
    request: Request, admin: Admin = Depends(current_admin), limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    async with runtime(request).sessions() as session:
        return {"entries": await audit.entries(session, admin.shop_id, limit)}


class Preview(Draft):
    scenario: str | None = Field(None, description="A scenario name from data/scenarios/")
    conversation: Typed | None = Field(None, description="Or a conversation typed on the spot")


@router.get("/api/policies/scenarios", summary="Scenarios the preview can run (data/scenarios/)")
async def scenarios(request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    return {"scenarios": list_scenarios(runtime(request).base_dir)}


@router.post("/api/policies/preview", summary="Run a scenario under the draft and under the published policy")
async def post_preview(body: Preview, request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    rt = runtime(request)
    if (body.scenario is None) == (body.conversation is None):
        raise ApiError(
            422,
            "invalid_preview",
            "give either a scenario or a typed conversation",
            field="scenario",
            fix='send {"scenario": "<name>"} or {"conversation": {"messages": [...]}}',
        )
    if body.conversation is not None:
        scenario = typed_scenario(body.conversation)
    else:
        try:
            scenario = load_named_scenario(rt.base_dir, body.scenario or "")
        except LookupError:
            raise ApiError(
                404,
                "unknown_scenario",
                f"there is no scenario {body.scenario!r}",
                field="scenario",
                fix="pick one from GET /api/policies/scenarios",
            ) from None
        except ValueError as exc:
            raise ApiError(422, "invalid_scenario", str(exc), field="scenario") from None
    head, active = await _published(request, admin.shop_id)
    _base, files = await draft_files(request, admin.shop_id, body)
    issues = await asyncio.to_thread(validate_files, files, _knowledge_dir(request))
    if issues:
        raise ApiError(
            422,
            "invalid_policy",
            f"the draft has {len(issues)} problem(s): {issues[0]}",
            field="files",
            fix="correct the draft before previewing it (POST /api/policies/validate)",
        )
    try:
        # The composition root lends the preview runner (it builds a scratch runtime, which only it may do).
        runs = await request.app.state.preview(rt, scenario, active, files)
    except ValueError as exc:
        raise ApiError(422, "invalid_scenario", str(exc), field="scenario") from None
    return {"scenario": body.scenario or "typed", "active_version": head, **runs}


class FormEdits(Draft):
    edits: list[Edit] = Field(default_factory=list, max_length=200)


@router.post("/api/policies/forms", summary="The values the admin forms show, read from a draft")
async def forms(body: FormEdits, request: Request, admin: Admin = Depends(current_admin)) -> dict[str, Any]:
    """With `edits`, apply them to the draft first and return the changed files' new text as well."""
    _base, files = await draft_files(request, admin.shop_id, body)
    changed: dict[str, str] = {}
    if body.edits:
        try:
            edited = apply_edits(files, body.edits)
        except FormError as exc:
            raise ApiError(
                422, "invalid_edit", str(exc), field="edits", fix="fix the YAML in the editor, or check the value"
            ) from None
        changed = {name: text for name, text in edited.items() if files.get(name) != text}
        files = edited
    return {"values": form_values(files), "files": changed}
