"""channels consent outbox

Issue 5: contact ledger, channel bindings, outbox.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models  # custom column types live there

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(length=64), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column(
            "buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.ForeignKey("buyers.id"), nullable=False
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", bot.store.models.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_consent_events_buyer", "consent_events", ["buyer_id", "id"])
    op.create_table(
        "deliveries",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(length=64), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column(
            "message_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("messages.id"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "provider_id"),
    )
    op.create_index("ix_deliveries_message", "deliveries", ["message_id"])
    op.create_table(
        "link_token_uses",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(length=64), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("token_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.ForeignKey("cases.id"), nullable=False
        ),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("used_at", bot.store.models.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_token_uses")
    op.drop_index("ix_deliveries_message", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_consent_events_buyer", table_name="consent_events")
    op.drop_table("consent_events")
