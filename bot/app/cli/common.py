"""What every `mediator` sub-command shares: the consoles, the one-line failure (exit code 2), the settings
and the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn

import typer
from rich.console import Console

from bot.platform.config import ConfigError, Settings, get_settings

err = Console(stderr=True)
out = Console()


def fail(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def settings() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        fail(str(exc))


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)
