"""`mediator nlu ...`: run the buyer-message NLU from a shell (mounted by bot/app/cli/main.py as `nlu`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

nlu_app = typer.Typer(help="Understand buyer messages: language, intent, emotion, entities.", no_args_is_help=True)


@nlu_app.callback()
def _group() -> None:
    """Understand buyer messages: language, intent, emotion, entities."""
    # A callback keeps `parse` a sub-command even while it is the only one (typer would collapse it).


def _cache_dir() -> Path:
    try:
        from bot.platform.config import get_settings

        settings = get_settings()
        return settings.models_dir()
    except Exception:  # no or broken config.yml must not stop a developer from parsing a message
        return Path("var") / "models"


def _emit(result: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    entities = ", ".join(f"{e['entity']}={e['value']}" for e in result["entities"]) or "-"
    typer.echo(
        f"{result['language']}  {result['intent']['name']} ({result['intent']['confidence']:.2f})  "
        f"{result['emotion']['level']} (anger {result['emotion']['anger']:.2f})  {entities}"
    )


@nlu_app.command()
def parse(
    text: Annotated[
        str | None, typer.Argument(help="Message to parse; omit to read one message per line from stdin")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per message")] = False,
    language: Annotated[
        str | None, typer.Option("--language", help="The conversation's language, kept for short replies")
    ] = None,
) -> None:
    """Parse TEXT (or stdin lines) into language, intent, emotion and entities."""
    from bot.understanding.nlu import load_nlu

    try:
        nlu = load_nlu(_cache_dir())
    except (FileNotFoundError, ValueError) as exc:  # missing or malformed data/*.yml: one line, exit 2
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    messages = [text] if text is not None else [line.rstrip("\r\n") for line in sys.stdin]
    for message in messages:
        _emit(nlu.parse(message, fallback_language=language).as_json(), as_json)
