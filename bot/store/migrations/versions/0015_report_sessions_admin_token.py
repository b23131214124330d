"""reports sessions name their admin token

/admin/reports takes only a person's admin token since session 12, but a dashboard session opened earlier with
the shop's API key kept working until it expired (up to 12 hours). A reports session now names the admin token
it was opened with (bot/store/web_sessions.py refuses one that names none, or whose token is revoked), and the
sessions opened before this revision, which cannot say which token (if any) opened them, are revoked: their
holders sign in again once, with their token.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("admin_token_id", BigId, nullable=True))
        batch.create_foreign_key("fk_web_sessions_admin_token", "admin_tokens", ["admin_token_id"], ["id"])
    sessions = sa.table(
        "web_sessions",
        sa.column("kind", sa.String),
        sa.column("revoked_at", bot.store.models.UTCDateTime(timezone=True)),
    )
    op.execute(
        sessions.update()
        .where(sessions.c.kind == "reports", sessions.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_constraint("fk_web_sessions_admin_token", type_="foreignkey")
        batch.drop_column("admin_token_id")
