"""Schema migrations through Alembic, run from code so `mediator serve` can migrate before serving."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from bot.store.db import sync_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: URL) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade_sync(url: URL, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: URL, revision: str = "head") -> None:
    # Alembic is synchronous; keep the event loop free while it runs.
    await asyncio.to_thread(upgrade_sync, url, revision)
