"""slack threads

Issue 6: Slack thread per case, staff assignment.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models  # custom column types live there

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "slack_threads",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(length=64), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("case_id", ID, sa.ForeignKey("cases.id"), nullable=False, unique=True),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("owner_name", sa.String(length=120), nullable=True),
        sa.Column("relayed_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel_id", "thread_ts"),
    )
    op.create_index("ix_slack_threads_shop", "slack_threads", ["shop_id", "id"])
    op.create_table(
        "slack_relays",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(length=64), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("case_id", ID, sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("client_msg_id", sa.String(length=64), nullable=True, unique=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("at", bot.store.models.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_slack_relays_ts", "slack_relays", ["channel_id", "slack_ts"])


def downgrade() -> None:
    op.drop_index("ix_slack_relays_ts", table_name="slack_relays")
    op.drop_table("slack_relays")
    op.drop_index("ix_slack_threads_shop", table_name="slack_threads")
    op.drop_table("slack_threads")
