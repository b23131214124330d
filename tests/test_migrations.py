"""Migrations build the schema on an empty database, and the models never drift from them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.store.db import async_url, sync_url
from bot.store.migrate import upgrade_sync
from bot.store.models import Base
from tests.conftest import TEST_DB, is_postgres, reset_postgres

TABLES = {"shops", "buyers", "orders", "reviews", "cases", "messages", "events", "jobs", "policy_versions"}


def fresh_url(tmp_path: Path) -> str:
    if is_postgres():
        reset_postgres(TEST_DB)
        return TEST_DB
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def test_upgrade_on_empty_database_creates_every_table_and_matches_models(tmp_path: Path, migrated: str) -> None:
    url = fresh_url(tmp_path)
    upgrade_sync(async_url(url))
    upgrade_sync(async_url(url))  # a second run finds nothing to do
    engine = create_engine(sync_url(async_url(url)))
    try:
        names = set(inspect(engine).get_table_names())
        assert names >= TABLES | {"alembic_version"}
        for table in TABLES - {"shops"}:
            columns = {c["name"] for c in inspect(engine).get_columns(table)}
            assert "shop_id" in columns, f"{table} lacks shop_id"
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()
    if is_postgres():  # leave the shared template migrated for the tests that follow
        upgrade_sync(async_url(TEST_DB))
