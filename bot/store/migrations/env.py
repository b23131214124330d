"""Alembic environment, driven from code (bot/store/migrate.py) with the URL of the running config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata
# Several workers may start at once on PostgreSQL; one takes this lock and migrates, the others wait
# and then find nothing to do.
MIGRATION_LOCK = 72_817_001


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()
        try:
            # render_as_batch: SQLite cannot ALTER most things, so Alembic copies tables there.
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
