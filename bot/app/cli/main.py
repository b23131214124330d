"""The `mediator` command. Bad input exits with code 2 and one line that names the problem."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from bot.app.cli.common import err, fail, out, run, settings
from bot.platform.config import Settings

app = typer.Typer(
    help="Mediator: turns a low-rated review into a resolved customer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
shop_app = typer.Typer(help="Manage shops and their API keys.", no_args_is_help=True)
from bot.app.cli.policy import admin_app, policy_app  # noqa: E402

app.add_typer(policy_app, name="policy")
app.add_typer(admin_app, name="admin")
app.add_typer(shop_app, name="shop")
from bot.app.cli.knowledge import knowledge_app  # noqa: E402
from bot.app.cli.nlu import nlu_app  # noqa: E402

app.add_typer(knowledge_app, name="knowledge")
app.add_typer(nlu_app, name="nlu")
from bot.app.cli.report import report as report_command  # noqa: E402

app.command("report")(report_command)
from bot.app.cli.buyer import buyer_app  # noqa: E402

app.add_typer(buyer_app, name="buyer")
from bot.app.cli.staff import staff_app  # noqa: E402

app.add_typer(staff_app, name="staff")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind")] = None,
) -> None:
    """Migrate the database if needed, then serve the API, webhooks and the scheduler."""
    _serve(with_public_url(settings(), host, port), host, port)


@app.command()
def demo(
    load_only: Annotated[bool, typer.Option("--load-only", help="Load the demo shop and exit")] = False,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """Load the demo shop (idempotent), then serve it."""
    s = with_public_url(settings(), host, port)

    async def load() -> None:
        from bot.app.demo import DEMO_KEY, demo_chat_links, live_demo_admin, live_demo_staff, load_demo, ordered
        from bot.app.runtime import build_runtime

        rt = await build_runtime(s)
        try:
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("Loading the demo shop", total=None)
                results = await load_demo(rt, lambda n: bar.advance(task, n))
                task = bar.add_task("Indexing the shop's policy documents", total=None)
                report = await asyncio.to_thread(
                    rt.conversation.services.knowledge.index,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
            await rt.worker.run_due()  # first contacts that are due now
            links = await demo_chat_links(rt)
            staff = await live_demo_staff(rt)
            admin = await live_demo_admin(rt)
        finally:
            await rt.close()
        created = sum(r.status == "created" for r in results)
        cases = sum(1 for r in results if r.case_id)
        err.print(
            f"demo shop 'demo' ready: {len(results)} reviews ({created} new), {cases} mediation cases, "
            f"{report.added + report.unchanged} policy passages; API key: {DEMO_KEY}",
            highlight=False,
            soft_wrap=True,
        )
        for link in links:
            err.print(
                f"  chat as the buyer of case {link.case_id} ({link.language}), who ordered {ordered(link.items)}: "
                f"{link.url}",
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
        if staff:
            who = "; or ".join(f"as {name} with the token {token}" for name, token in staff)
            err.print(f"  answer as staff at {s.public_url}/staff: sign in {who}", highlight=False, soft_wrap=True)
        else:
            err.print("  answer as staff: `mediator staff add demo NAME` prints a token for /staff", highlight=False)
        if admin:
            err.print(
                f"  edit policies at {s.public_url}/admin and read reports at {s.public_url}/admin/reports: "
                f"sign in as {admin[0]} with the admin token {admin[1]}",
                highlight=False,
                soft_wrap=True,
            )
        else:
            err.print("  admin: `mediator admin token create --name NAME` prints a token for /admin", highlight=False)

    run(load())
    if not load_only:
        _serve(s, host, port)


def with_public_url(s: Settings, host: str | None, port: int | None) -> Settings:
    """Links we print and hand out must point where we listen, unless the operator set public_url."""
    if "public_url" in s.model_fields_set and s.public_url != Settings.model_fields["public_url"].default:
        return s
    host, port = host or s.server.host, port or s.server.port
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return s.model_copy(update={"public_url": f"http://{shown}:{port}"})


def _serve(s: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from bot.app.web import create_app

    host, port = host or s.server.host, port or s.server.port
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    for line in (
        "Mediator is starting. Open:",
        f"  {base}/            home",
        f"  {base}/docs        API reference",
        f"  {base}/api/cases   cases (send the header X-Api-Key)",
    ):
        err.print(line, highlight=False, soft_wrap=True, markup=False)
    from bot.web.limits import limit_for
    from bot.web.slow_clients import bounded_protocol

    # A WebSocket frame is not an HTTP body, so the body limit cannot see it: the chat socket gets the same cap.
    http = bounded_protocol(s.server.head_timeout, s.server.body_timeout, s.server.connections_per_client)
    uvicorn.run(create_app(s), host=host, port=port, log_level="info", ws_max_size=limit_for("/chat/"), http=http)


@app.command("import")
def import_reviews(
    file: Path,
    shop: Annotated[str, typer.Option(help="Shop id")] = "demo",
    batch: Annotated[int, typer.Option(min=1, max=5000)] = 500,
) -> None:
    """Import reviews from a .jsonl or .csv file, in batches, with a progress bar."""
    from bot.intake.files import ImportFileError, UnreadableLine, read_records

    if not file.is_file():
        fail(f"{file}: no such file")
    s = settings()
    try:
        records = list(read_records(file))
    except (ImportFileError, UnicodeDecodeError, OSError) as exc:
        fail(f"{file}: {exc}")

    async def go() -> dict[str, int]:
        from bot.app.runtime import build_runtime
        from bot.store.models import Shop

        rt = await build_runtime(s)
        counts = {"created": 0, "duplicate": 0, "error": 0}
        async with rt.sessions() as session:
            if await session.get(Shop, shop) is None:
                await rt.close()
                fail(f"shop {shop!r} does not exist: create it with `mediator shop create {shop}`")
        try:
            with Progress(console=err) as bar:
                task = bar.add_task(f"Importing {file.name}", total=len(records))
                for start in range(0, len(records), batch):
                    chunk = records[start : start + batch]
                    readable = [(line, r) for line, r in chunk if not isinstance(r, UnreadableLine)]
                    for line, r in chunk:
                        if isinstance(r, UnreadableLine):
                            counts["error"] += 1
                            err.print(f"{file}:{line}: {r}", markup=False, soft_wrap=True)
                    results = await rt.intake.ingest(shop, [r for _, r in readable])
                    for (line, _), result in zip(readable, results, strict=True):
                        counts[result.status] += 1
                        for problem in result.errors if result.status == "error" else []:
                            # Every problem of the line, so one pass over the file fixes it.
                            fix = f" (fix: {problem['fix']})" if problem.get("fix") else ""
                            where = problem["field"] or "(record)"
                            err.print(
                                f"{file}:{line}: {where}: {problem['message']}{fix}", markup=False, soft_wrap=True
                            )
                    bar.advance(task, len(chunk))
        except LookupError as exc:
            fail(str(exc))
        finally:
            await rt.close()
        return counts

    counts = run(go())
    out.print(json.dumps(counts))
    if counts["error"]:
        kept = counts["created"] + counts["duplicate"]
        err.print(
            f"error: {counts['error']} line(s) failed, listed above; the other {kept} were imported", markup=False
        )
        raise typer.Exit(2)


@app.command()
def triage(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = True) -> None:
    """Triage reviews from stdin (one JSON review, or JSON Lines) without storing anything."""
    from bot.intake.schema import validate_review
    from bot.intake.triage import load_triager
    from bot.platform.yaml_lines import PolicyFileError
    from bot.policy.mediation import load_mediation_policy

    s = settings()
    raw = sys.stdin.read()
    try:
        items = [json.loads(raw)]
    except json.JSONDecodeError:
        items = []
        for n, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    fail(f"stdin line {n}: not JSON ({exc.msg})")
    if not items:
        fail("no review on standard input: pipe one JSON review or JSON Lines")
    try:
        policy = load_mediation_policy(s.resolve(s.policies_dir) / "mediation.yml")
    except PolicyFileError as exc:
        fail(str(exc.issues[0]))
    reviews = []
    for n, item in enumerate(items, 1):
        review, errors = validate_review(item, max_text_chars=s.intake.max_text_chars)
        if review is None:
            fail(f"review {n}: {errors[0]['field']}: {errors[0]['message']}")
        reviews.append(review)
    from bot.platform.clock import SystemClock

    triager = load_triager(s.models_dir())
    keys = ("language", "topic", "kind", "severity", "mediate", "contact_plan")
    for result in triager.assess(reviews, policy, SystemClock().now()):
        d = result.as_dict()
        line = {k: d[k] for k in keys}
        out.print(
            json.dumps(line, ensure_ascii=False) if as_json else line, markup=False, highlight=False, soft_wrap=True
        )


@shop_app.command("create")
def shop_create(shop_id: str, name: Annotated[str, typer.Option(help="Display name")] = "") -> None:
    """Create a shop (or rotate its key) and print its new API key once.

    A new shop gets its own folder, shops/<id>/ (policies and knowledge from the deployment's as a
    template, with its name and without the template's Slack channels); the command lists what to fill in."""
    import re

    from bot.app.runtime import build_runtime
    from bot.app.shop_folder import write_shop_folder
    from bot.policy.validate import validate_policies
    from bot.store.shops import ensure_shop, new_api_key

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", shop_id):
        fail("shop id: use 1-64 lowercase letters, digits, - or _")
    name = name.strip() or shop_id
    if len(name) > 120 or any(c in name for c in '"\\\n\r\t'):
        fail("--name: use up to 120 characters, without quotes, backslashes or line breaks")
    s = settings()
    key = new_api_key()
    # The deployment's first shop is the deployment: it uses policies/ and knowledge/ as they are. Every
    # later shop gets its own folder, so it never speaks as the first one (review M3).
    outcome: dict[str, Any] = {}

    async def go() -> None:
        from sqlalchemy import select

        from bot.store.models import Shop

        rt = await build_runtime(s)
        try:
            async with rt.sessions() as session:
                others = (await session.execute(select(Shop.id).where(Shop.id != shop_id).limit(1))).first()
            folder = s.shop_dir(shop_id)
            if others is not None or folder.exists():
                folder, todo = write_shop_folder(s, shop_id, name)
                problems = validate_policies(folder / "policies", folder / "knowledge") if todo is not None else []
                if problems:
                    fail(f"{folder}/policies from the template does not validate: " + "; ".join(map(str, problems[:5])))
                outcome.update(folder=folder, todo=todo)
            async with rt.sessions() as session, session.begin():
                await ensure_shop(session, shop_id, name, key, rt.clock.now())
            await rt.seed_policies()
        finally:
            await rt.close()

    run(go())
    out.print(f"shop {shop_id}: API key {key}  (shown once; store it now)", highlight=False)
    if "folder" not in outcome:
        out.print("the deployment's first shop: it uses policies/ and knowledge/", highlight=False)
    elif outcome["todo"] is None:
        out.print(f"its folder {outcome['folder']} exists and was kept as it is", highlight=False)
    else:
        out.print(
            f"its own policies and knowledge: {outcome['folder']}; fill in before its first review:", highlight=False
        )
        for line in outcome["todo"]:
            out.print(f"  - {line}", highlight=False, markup=False)


@shop_app.command("list")
def shop_list() -> None:
    """List shops with their case counts."""
    from sqlalchemy import func, select

    from bot.app.runtime import build_runtime
    from bot.store.models import Case, Shop

    s = settings()

    async def go() -> list[tuple[str, str, int]]:
        rt = await build_runtime(s)
        try:
            async with rt.sessions() as session:
                rows = await session.execute(
                    select(Shop.id, Shop.name, func.count(Case.id))
                    .outerjoin(Case, Case.shop_id == Shop.id)
                    .group_by(Shop.id, Shop.name)
                )
                return [tuple(r) for r in rows]
        finally:
            await rt.close()

    table = Table("shop", "name", "cases")
    for shop_id, name, count in run(go()):
        table.add_row(shop_id, name, str(count))
    out.print(table)


@app.command()
def simulate(
    scenario: Path,
    as_json: Annotated[bool, typer.Option("--json", help="Print the transcript as JSON")] = False,
    database_url: Annotated[str | None, typer.Option(help="Run on this database (default: a temp SQLite)")] = None,
) -> None:
    """Run a scripted conversation through the real engine on a virtual clock."""
    from pydantic import ValidationError

    from bot.app.simulate import run_scenario
    from bot.conversation.scenario import load_scenario

    if not scenario.is_file():
        fail(f"{scenario}: no such file")
    try:
        parsed = load_scenario(scenario)
    except ValidationError as exc:
        e = exc.errors()[0]
        fail(f"{scenario}: {'.'.join(str(x) for x in e['loc'])}: {e['msg'].removeprefix('Value error, ')}")
    except Exception as exc:
        fail(f"{scenario}: {str(exc).splitlines()[0]}")
    try:
        result = run(run_scenario(parsed, settings(), database_url))
    except ValueError as exc:
        fail(f"{scenario}: {exc}")
    if as_json:
        out.print(json.dumps(result, ensure_ascii=False), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table("at", "who", "stage", "text", show_lines=True)
    for turn in result["turns"]:
        who = turn["role"] + (f" ({turn['action']})" if turn.get("action") else "")
        table.add_row(turn["at"][5:16].replace("T", " "), who, turn.get("stage") or "", turn["text"])
    out.print(table)
    out.print(f"outcome: {result['outcome']}  stage: {result['stage']}", markup=False)


@app.command()
def chat(case: Annotated[int, typer.Option("--case", help="Case id")]) -> None:
    """Talk to the bot as the buyer of a case, in the terminal (an empty line or Ctrl-D ends)."""
    s = settings()

    async def go() -> None:
        from bot.app.runtime import build_runtime
        from bot.conversation.engine import CaseNotFound

        rt = await build_runtime(s)
        try:
            while True:
                line = await asyncio.to_thread(sys.stdin.readline)
                if not line.strip():
                    break
                try:
                    result = await rt.conversation.buyer_message(case, line, channel="webchat")
                except CaseNotFound:
                    fail(f"case {case} does not exist: list cases with GET /api/cases")
                for reply in result.replies:
                    out.print(f"bot [{reply.action}]: {reply.text}", markup=False, highlight=False, soft_wrap=True)
                if result.stage == "closed" and not result.replies:
                    out.print("(the conversation is closed)", markup=False)
        finally:
            await rt.close()

    run(go())


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from bot.store.db import async_url
    from bot.store.migrate import upgrade

    s = settings()
    run(upgrade(async_url(s.database_url, s.resolve(Path(".")))))
    out.print("database is up to date")


if __name__ == "__main__":  # pragma: no cover
    app()
