"""`mediator knowledge index|search`: build and query the shop's policy index from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.platform.knowledge_config import KnowledgeSettings
from bot.retrieval.index import IndexReport, KnowledgeBase, KnowledgeConfigError, get_knowledge_base

knowledge_app = typer.Typer(
    help="Index the shop's policy documents (knowledge/) into Chroma and search them.",
    no_args_is_help=True,
)
_err = Console(stderr=True)


_ROOT = Path(__file__).resolve().parents[3]


def load_settings() -> KnowledgeSettings:
    """The `knowledge:` block of config.yml, paths made absolute, so the command works from anywhere."""
    from bot.platform.config import get_settings

    return get_settings().knowledge_settings()


def _fail(message: str) -> typer.Exit:
    # Configuration errors: one line, exit code 2, never a traceback (DESIGN.md conventions).
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _base() -> KnowledgeBase:
    try:
        return get_knowledge_base(load_settings())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _fail(f"knowledge.{where}: {first['msg']}") from exc
    except (KnowledgeConfigError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:
        # bot.platform.config.ConfigError already carries "file:line: key: fix"; anything else from loading
        # the config is still a configuration problem, reported in one line.
        raise _fail(str(exc) or type(exc).__name__) from exc


def _print_report(report: IndexReport) -> None:
    typer.echo(
        f"indexed {report.files} files: {report.added} chunks added, {report.unchanged} unchanged, "
        f"{report.removed} removed" + (" (rebuilt for a new embedding model)" if report.rebuilt else "")
    )
    for source, message in report.errors:
        typer.echo(f"{source}: {message}")
    if report.message:
        typer.echo(report.message)


def _index_with_progress(base: KnowledgeBase, console: Console) -> IndexReport:
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("embedding", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return base.index(progress=update)


@knowledge_app.command("index")
def index_command() -> None:
    """Index knowledge/ incrementally: only new or changed chunks are embedded."""
    base = _base()
    try:
        report = _index_with_progress(base, _err)
    except KnowledgeConfigError as exc:
        raise _fail(str(exc)) from exc
    # Broken files are reported, not fatal: the rest of the knowledge base is still usable.
    _print_report(report)


@knowledge_app.command("search")
def search_command(
    query: Annotated[str | None, typer.Argument(help="The question; omit to read one per line from stdin")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages")] = 3,
    language: Annotated[str | None, typer.Option("--language", help="Prefer passages in this language")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Search the policy passages that answer QUERY (auto-indexes an empty store)."""
    base = _base()
    try:
        # A fresh clone has no index yet: build it rather than answer "nothing found".
        if base.needs_index():
            report = base.index()
            for source, message in report.errors:
                typer.echo(f"{source}: {message}", err=True)
        queries = [query] if query is not None else (line.strip() for line in sys.stdin)
        for text in queries:
            if query is None and not text:
                continue
            results = base.search(text, k=k, language=language)
            if as_json or query is None:
                typer.echo(json.dumps([p.to_dict() for p in results], ensure_ascii=False))
            else:
                for rank, passage in enumerate(results, 1):
                    typer.echo(f"{rank}. [{passage.score:.3f}] {passage.source} — {passage.heading}")
                    typer.echo(f"   {passage.text.replace(chr(10), chr(10) + '   ')}")
            if results.message:
                typer.echo(results.message, err=True)
    except KnowledgeConfigError as exc:
        raise _fail(str(exc)) from exc
