"""staff accounts

Issue 21.2 (security review L11): staff sign in to /staff with a token of their own, from
`mediator staff add`, never the shop's integration key; the account's name is the one buyers see and the
audit records. A /staff session remembers its account, so removing the account ends its sessions.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_staff_accounts_shop", "staff_accounts", ["shop_id", "name"])
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("staff_account_id", BigId, nullable=True))
        batch.create_foreign_key("fk_web_sessions_staff_account", "staff_accounts", ["staff_account_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_constraint("fk_web_sessions_staff_account", type_="foreignkey")
        batch.drop_column("staff_account_id")
    op.drop_index("ix_staff_accounts_shop", table_name="staff_accounts")
    op.drop_table("staff_accounts")
