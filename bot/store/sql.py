"""Small dialect-aware SQL helpers shared by intake and the scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement


def insert_ignoring_conflicts(
    session: AsyncSession, table: Table, conflict_on: Sequence[str], returning: Sequence[ColumnElement[Any]] = ()
):  # type: ignore[no-untyped-def]
    """INSERT … ON CONFLICT DO NOTHING for whichever database the session is bound to.

    Both databases then settle a race between two writers of the same key inside the database, which is
    what makes 20 concurrent posts of one review give exactly one case.
    """
    return _insert_ignoring(session.get_bind().dialect.name, table, tuple(conflict_on), tuple(returning))


@lru_cache(maxsize=64)
def _insert_ignoring(dialect: str, table: Table, conflict_on: tuple[str, ...], returning: tuple[Any, ...]) -> Any:
    # Built once per shape: statements are immutable, and building one cost more than a turn's job insert.
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).on_conflict_do_nothing(
        index_elements=list(conflict_on)
    )
    return stmt.returning(*returning) if returning else stmt


def supports_skip_locked(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"
