"""The admin policy API against a real database: tokens and roles, validate, publish with optimistic
locking, history, diff, rollback, the audit log, bad input, and the preview."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.policy.validate import validate_files
from bot.policy.versions import read_policy_dir
from bot.store.admin_tokens import create_token
from tests.conftest import KEY, ROOT, SHOP

COUPON = "limit: {percent: 10, max_amount: 25.00}"  # the rude-support-coupon rule's limit in remedies.yml
LOWER = "limit: {percent: 5, max_amount: 25.00}"


def lower_coupon(text: str) -> str:
    head, rule, tail = text.partition("- id: rude-support-coupon")
    assert rule, "remedies.yml has no rude-support-coupon rule"
    return head + rule + tail.replace(COUPON, LOWER, 1)


async def token(rt: Runtime, name: str, role: str) -> str:
    async with rt.sessions() as session, session.begin():
        return await create_token(session, SHOP, name, role, rt.clock.now())


async def confirmed(client: httpx.AsyncClient, method: str, url: str, body: dict, **kw: object) -> httpx.Response:
    """Publish or roll back as the admin page does: the first request shows the diff (428, nothing applied),
    the second carries its `confirm` token and applies."""
    first = await client.request(method, url, json=body, **kw)  # type: ignore[arg-type]
    if first.status_code != 428:
        return first
    assert first.json()["error"] == "confirm_needed" and first.json()["confirm"], first.text
    return await client.request(method, url, json={**body, "confirm": first.json()["confirm"]}, **kw)  # type: ignore[arg-type]


async def publish_edit(client: httpx.AsyncClient, rt: Runtime, name: str, old: str, new: str) -> int:
    """Publish one edit of policy file `name` through the admin API, as an admin would; the new version."""
    admin = {"Authorization": f"Bearer {await token(rt, 'alice', 'admin')}"}
    current = (await client.get("/api/policies", headers=admin)).json()
    assert old in current["files"][name], f"{name} has no {old!r}"
    files = {name: current["files"][name].replace(old, new, 1)}
    r = await confirmed(
        client, "PUT", "/api/policies", {"base_version": current["version"], "files": files}, headers=admin
    )
    assert r.status_code == 201, r.text
    return r.json()["version"]


@pytest.fixture
async def api(rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=rt, run_scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mediator.test") as c:
        c.headers["Authorization"] = f"Bearer {await token(rt, 'alice', 'admin')}"
        yield c


async def test_seeded_policy_is_version_one_with_every_file(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/policies")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 1 and body["author"] == "file" and body["you"] == {"name": "alice", "role": "admin"}
    assert body["files"] == read_policy_dir(ROOT / "policies")
    assert "messages/pl.yml" in body["files"] and "remedies.yml" in body["files"]


async def test_tokens_and_roles(rt: Runtime, api: httpx.AsyncClient) -> None:
    anonymous = await api.get("/api/policies", headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.json()["field"] == "Authorization"
    wrong = await api.get("/api/policies", headers={"Authorization": "Bearer mat_nope"})
    assert wrong.status_code == 401
    staff = {"Authorization": f"Bearer {await token(rt, 'sam', 'staff')}"}
    assert (await api.get("/api/policies", headers=staff)).status_code == 200
    assert (await api.get("/api/policies/history", headers=staff)).status_code == 200
    files = {"remedies.yml": lower_coupon((await api.get("/api/policies")).json()["files"]["remedies.yml"])}
    refused = await api.put("/api/policies", headers=staff, json={"base_version": 1, "files": files})
    assert refused.status_code == 403 and "staff" in refused.json()["message"]
    rollback = await api.post("/api/policies/rollback", headers=staff, json={"to_version": 1, "base_version": 1})
    assert rollback.status_code == 403
    assert (await api.get("/api/policies")).json()["version"] == 1
    with pytest.raises(ValueError, match="role"):
        await token(rt, "eve", "owner")


async def test_the_shops_api_key_does_not_open_admin_and_says_so(api: httpx.AsyncClient) -> None:
    """Admins sign in as themselves (issue 21.2): the integration's key is refused by name, sent either way."""
    for headers, field in [
        ({"Authorization": "", "X-Api-Key": KEY}, "X-Api-Key"),
        ({"Authorization": f"Bearer {KEY}"}, "Authorization"),
    ]:
        for method, url in [("POST", "/admin/login"), ("GET", "/api/policies")]:
            r = await api.request(method, url, headers=headers)
            body = r.json()
            assert r.status_code == 401 and body["error"] == "not_an_admin_token" and body["field"] == field, r.text
            assert "integration API key" in body["message"] and "mediator admin token create" in body["fix"]
    assert (await api.post("/admin/login")).json()["name"] == "alice"  # the admin's own token opens it


async def test_publish_history_diff_rollback_and_audit(api: httpx.AsyncClient) -> None:
    v1 = (await api.get("/api/policies")).json()
    files = {"remedies.yml": lower_coupon(v1["files"]["remedies.yml"])}
    dry = await api.post("/api/policies/validate", json={"base_version": 1, "files": files})
    assert dry.json()["ok"] is True and dry.json()["issues"] == []
    assert "-    limit: {percent: 10" in dry.json()["diff"] and "+    limit: {percent: 5" in dry.json()["diff"]
    assert (await api.get("/api/policies")).json()["version"] == 1  # a dry run changes nothing

    # Issue 21: publishing takes two requests. The first shows the diff and applies nothing; only the second,
    # carrying the token of exactly this change, publishes. A token for another change is refused.
    body = {"base_version": 1, "files": files, "comment": "smaller coupons"}
    ask = await api.put("/api/policies", json=body)
    assert ask.status_code == 428 and ask.json()["error"] == "confirm_needed" and ask.json()["field"] == "confirm"
    assert "+    limit: {percent: 5" in ask.json()["diff"] and "publish version 2" in ask.json()["message"]
    assert (await api.get("/api/policies")).json()["version"] == 1  # nothing applied yet
    other = {**body, "comment": "something else", "confirm": ask.json()["confirm"]}
    wrong = await api.put("/api/policies", json=other)
    assert wrong.status_code == 428 and "does not match" in wrong.json()["message"]
    assert (await api.get("/api/policies")).json()["version"] == 1
    r = await api.put("/api/policies", json={**body, "confirm": ask.json()["confirm"]})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and r.json()["changed"] == ["remedies.yml"]
    v2 = (await api.get("/api/policies")).json()
    assert v2["version"] == 2 and v2["author"] == "alice" and v2["comment"] == "smaller coupons"
    assert v2["files"]["remedies.yml"] == files["remedies.yml"]
    assert v2["files"]["mediation.yml"] == v1["files"]["mediation.yml"]

    diff = (await api.get("/api/policies/diff", params={"from": 1, "to": 2})).json()["diff"]
    assert diff.startswith("--- a/remedies.yml\n+++ b/remedies.yml\n") and "+    " + LOWER in diff

    ask = await api.post("/api/policies/rollback", json={"to_version": 1, "base_version": 2})
    assert ask.status_code == 428 and "-    limit: {percent: 5" in ask.json()["diff"]
    assert (await api.get("/api/policies")).json()["version"] == 2  # nothing applied yet
    back = await confirmed(api, "POST", "/api/policies/rollback", {"to_version": 1, "base_version": 2})
    assert back.status_code == 201 and back.json()["version"] == 3 and back.json()["rolled_back_to"] == 1
    assert (await api.get("/api/policies")).json()["files"] == v1["files"]
    old = (await api.get("/api/policies/versions/2")).json()
    assert old["files"]["remedies.yml"] == files["remedies.yml"]

    history = (await api.get("/api/policies/history")).json()["versions"]
    assert [(h["version"], h["kind"], h["author"]) for h in history] == [
        (3, "rollback", "alice"),
        (2, "publish", "alice"),
        (1, "seed", "file"),
    ]
    actions = [(e["action"], e["actor"]) for e in (await api.get("/api/policies/audit")).json()["entries"]]
    assert actions[:3] == [("rollback", "alice"), ("publish", "alice"), ("token_created", "cli")]


async def test_two_admins_publishing_at_once_the_second_is_told_to_reload(rt: Runtime, api: httpx.AsyncClient) -> None:
    bob = {"Authorization": f"Bearer {await token(rt, 'bob', 'admin')}"}
    base = (await api.get("/api/policies")).json()
    mine = {"remedies.yml": lower_coupon(base["files"]["remedies.yml"])}
    theirs = {
        "mediation.yml": base["files"]["mediation.yml"].replace("staff_reminder_after: 2h", "staff_reminder_after: 1h")
    }
    # Both saw their diff on version 1; both confirm at once.
    ask_a = (await api.put("/api/policies", json={"base_version": 1, "files": mine})).json()["confirm"]
    ask_b = (await api.put("/api/policies", headers=bob, json={"base_version": 1, "files": theirs})).json()["confirm"]
    a, b = await asyncio.gather(
        api.put("/api/policies", json={"base_version": 1, "files": mine, "confirm": ask_a}),
        api.put("/api/policies", headers=bob, json={"base_version": 1, "files": theirs, "confirm": ask_b}),
    )
    assert sorted([a.status_code, b.status_code]) == [201, 409], (a.text, b.text)
    loser = a if a.status_code == 409 else b
    assert loser.json()["error"] == "reload" and loser.json()["field"] == "base_version"
    assert "reload" in loser.json()["fix"]
    now = (await api.get("/api/policies")).json()
    assert now["version"] == 2
    # Exactly one of the two edits is published, never a mix.
    assert (now["files"]["remedies.yml"] == mine["remedies.yml"]) != (
        now["files"]["mediation.yml"] == theirs["mediation.yml"]
    )
    stale = await api.put("/api/policies", json={"base_version": 1, "files": mine})
    assert stale.status_code == 409


BAD_DRAFTS = {
    "invalid YAML": (
        "mediation.yml",
        lambda t: t.replace("window: 21d", "window: [21d"),
        "mediation.yml",
        "invalid YAML",
    ),
    "unknown key": ("mediation.yml", lambda t: t + "\ncolour: blue\n", "mediation.yml", "unknown key"),
    "cite that quotes nothing": (
        "remedies.yml",
        lambda t: t.replace("heading: Lost parcels}", "heading: parcels}"),
        "remedies.yml",
        "no section of shipping.md is headed 'parcels'",
    ),
    "wrong type": (
        "conversation.yml",
        lambda t: t.replace("max_turns: 2", "max_turns: many"),
        "conversation.yml",
        "deescalation.max_turns",
    ),
    "unknown template variable": (
        "messages/en.yml",
        lambda t: t.replace("{problem} is not what you paid for", "{problm} is not what you paid for"),
        "messages/en.yml",
        "problm",
    ),
    "message missing in one language": (
        "messages/sv.yml",
        lambda t: t.replace("  deescalate:", "  deescalate_x:", 1),
        "messages/sv.yml",
        "deescalate",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DRAFTS))
async def test_bad_input_is_refused_with_file_line_and_reason_and_nothing_changes(
    case: str, api: httpx.AsyncClient
) -> None:
    name, edit, file, words = BAD_DRAFTS[case]
    base = (await api.get("/api/policies")).json()
    files = {name: edit(base["files"][name])}
    assert files[name] != base["files"][name]
    dry = (await api.post("/api/policies/validate", json={"files": files})).json()
    assert dry["ok"] is False
    assert any(i["file"] == file and words in i["message"] and i["line"] >= 1 for i in dry["issues"]), dry["issues"]
    r = await api.put("/api/policies", json={"base_version": 1, "files": files})
    assert r.status_code == 422 and r.json()["error"] == "invalid_policy" and r.json()["issues"] == dry["issues"]
    assert (await api.get("/api/policies")).json()["version"] == 1
    audit = (await api.get("/api/policies/audit")).json()["entries"]
    assert audit[0]["action"] == "publish_refused"


async def test_request_shape_errors_name_the_field(api: httpx.AsyncClient) -> None:
    r = await api.put("/api/policies", json={"files": {}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "base_version"
    r = await api.put("/api/policies", json={"base_version": 1, "files": {"../etc/passwd": "x"}})
    assert r.status_code == 422 and "not a policy file name" in r.json()["issues"][0]["message"]
    r = await api.put("/api/policies", json={"base_version": 1, "files": {}})
    assert r.status_code == 422 and r.json()["error"] == "nothing_changed"
    r = await api.post("/api/policies/rollback", json={"to_version": 7, "base_version": 1})
    assert r.status_code == 404 and r.json()["field"] == "to_version"
    r = await api.post("/api/policies/validate", json={"base_version": 9, "files": {}})
    assert r.status_code == 404 and r.json()["field"] == "base_version"
    r = await api.post("/api/policies/preview", json={"files": {}})
    assert r.status_code == 422 and r.json()["field"] == "scenario"
    r = await api.post("/api/policies/preview", json={"scenario": "no_such_thing"})
    assert r.status_code == 404


async def test_restart_keeps_an_admin_edit_and_seeds_a_file_changed_on_disk(
    rt: Runtime, api: httpx.AsyncClient, tmp_path
) -> None:
    base = (await api.get("/api/policies")).json()
    files = {"remedies.yml": lower_coupon(base["files"]["remedies.yml"])}
    assert (await confirmed(api, "PUT", "/api/policies", {"base_version": 1, "files": files})).status_code == 201
    await rt.seed_policies()  # a restart with the same files on disk
    assert (await api.get("/api/policies")).json()["version"] == 2
    folder = tmp_path / "policies"
    import shutil

    shutil.copytree(ROOT / "policies", folder)
    mediation = (folder / "mediation.yml").read_text().replace("staff_reminder_after: 2h", "staff_reminder_after: 3h")
    (folder / "mediation.yml").write_text(mediation)
    rt.settings.policies_dir = folder
    await rt.seed_policies()
    now = (await api.get("/api/policies")).json()
    assert now["version"] == 3 and now["author"] == "file"
    assert now["files"]["mediation.yml"] == mediation and now["files"]["remedies.yml"] == files["remedies.yml"]


async def test_preview_shows_the_lower_coupon_beside_the_published_one(api: httpx.AsyncClient) -> None:
    names = [s["name"] for s in (await api.get("/api/policies/scenarios")).json()["scenarios"]]
    assert "en_rude_support_coupon" in names
    base = (await api.get("/api/policies")).json()
    files = {"remedies.yml": lower_coupon(base["files"]["remedies.yml"])}
    r = await api.post("/api/policies/preview", json={"scenario": "en_rude_support_coupon", "files": files})
    assert r.status_code == 200, r.text

    def offers(run: dict) -> list[str]:
        return [t["remedy"]["amount"] for t in run["turns"] if t.get("action") == "propose_remedy"]

    assert offers(r.json()["active"]) == ["12.00"] and offers(r.json()["draft"]) == ["6.00"]
    assert (await api.get("/api/policies")).json()["version"] == 1  # a preview publishes nothing


async def test_preview_of_a_typed_conversation(api: httpx.AsyncClient) -> None:
    body = {
        "conversation": {
            "review": "Your support agent was rude and hung up on me.",
            "messages": ["Yes, the agent was really rude and hung up on me"],
        }
    }
    r = await api.post("/api/policies/preview", json=body)
    assert r.status_code == 200, r.text
    for run in (r.json()["active"], r.json()["draft"]):
        assert [t["role"] for t in run["turns"]][:2] == ["bot", "buyer"] and run["turns"][0][
            "action"
        ] == "first_contact"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["mediation.yml", "remedies.yml", "messages/en.yml", "channels.yml"]),
    text=st.text(max_size=300),
)
def test_any_text_in_a_draft_gets_issues_or_passes_never_crashes(name: str, text: str) -> None:
    files = {**BASE_FILES, name: text}
    issues = validate_files(files)
    assert all(i.file and i.line >= 1 and i.message for i in issues)
    if name != "channels.yml":
        assert issues  # random text is never a valid policy file


BASE_FILES = read_policy_dir(ROOT / "policies")


def test_cli_token_publish_diff_history_rollback(tmp_path: Path, config: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from bot.app.cli.main import app

    cli = CliRunner()
    # No shop yet: a clear one-line refusal.
    r = cli.invoke(app, ["admin", "token", "create", "--name", "alice", "--shop", "nosuch"])
    assert r.exit_code == 2 and "mediator shop create" in r.output and len(r.output.strip().splitlines()) == 1
    r = cli.invoke(app, ["shop", "create", "demo"])
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["admin", "token", "create", "--name", "alice", "--role", "boss"])
    assert r.exit_code == 2 and "role" in r.output
    r = cli.invoke(app, ["admin", "token", "create", "--name", "alice", "--role", "staff"])
    assert r.exit_code == 0 and "mat_" in r.output

    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    (folder / "remedies.yml").write_text(lower_coupon((folder / "remedies.yml").read_text()))
    r = cli.invoke(app, ["policy", "diff", "--dir", str(folder)])
    assert r.exit_code == 0 and "+    " + LOWER in r.output
    r = cli.invoke(app, ["policy", "publish", str(folder), "--author", "bob", "--comment", "smaller"])
    assert r.exit_code == 0 and "published version 2 (remedies.yml)" in r.output, r.output
    r = cli.invoke(app, ["policy", "publish", str(folder), "--base", "1"])
    assert r.exit_code == 2 and "--base 2" in r.output  # optimistic locking from the shell too
    r = cli.invoke(app, ["policy", "diff", "--from", "1", "--to", "2"])
    assert r.exit_code == 0 and "-    " + COUPON in r.output

    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    (bad / "mediation.yml").write_text((bad / "mediation.yml").read_text().replace('start: "21:00"', 'start: "23:30"'))
    r = cli.invoke(app, ["policy", "validate", str(bad)])
    text = (folder / "mediation.yml").read_text()
    line = text[: text.index("\nquiet_hours:")].count("\n") + 2
    assert r.exit_code == 2 and f"mediation.yml:{line}:" in r.output
    r = cli.invoke(app, ["policy", "publish", str(bad)])
    assert r.exit_code == 2 and "nothing was published" in r.output

    r = cli.invoke(app, ["policy", "rollback", "1", "--author", "bob"])
    assert r.exit_code == 0 and "version 3 publishes version 1 again" in r.output
    r = cli.invoke(app, ["policy", "rollback", "9"])
    assert r.exit_code == 2 and "no version 9" in r.output
    r = cli.invoke(app, ["policy", "history", "--json"])
    import json

    rows = [json.loads(line) for line in r.stdout.strip().splitlines()]
    assert [(x["version"], x["kind"], x["author"]) for x in rows] == [
        (3, "rollback", "bob"),
        (2, "publish", "bob"),
        (1, "seed", "file"),
    ]


async def test_the_admin_pages_first_read_checks_the_published_messages_in_the_background(
    api: httpx.AsyncClient,
) -> None:
    """The admin's first draft check in a process took ~20 s: reading the policy starts it on the published files,
    so each message file's issues are kept (guardrails._checked_messages) before the admin checks a draft."""
    from bot.policy import guardrails
    from bot.web.routes import policies

    policies._warmed = False
    guardrails._checked_messages.clear()
    files = (await api.get("/api/policies")).json()["files"]
    messages = {name for name in files if name.startswith("messages/")}
    for _ in range(1200):  # the check runs in a thread; up to two minutes on a loaded machine
        if {name for name, *_ in guardrails._checked_messages} >= messages:
            break
        await asyncio.sleep(0.1)
    assert {name for name, *_ in guardrails._checked_messages} >= messages
    before = len(guardrails._checked_messages)
    await api.get("/api/policies")  # once per process: a second read starts nothing
    await asyncio.sleep(0.5)
    assert len(guardrails._checked_messages) == before
