"""contact points

Issue 20 (security review H1-H3): an opt-out belongs to the phone number or chat and the sender that reached
it, across shops; inbound messages go to the shop whose conversation last wrote to the contact.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models  # custom column types live there

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_points",
        sa.Column("id", bot.store.models.BigId, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shops.id"), nullable=True),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("last_out_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("opted_out_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("opt_out_source", sa.String(32), nullable=True),
        sa.Column("updated_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "address", "sender", name="uq_contact_points_channel_address_sender"),
    )


def downgrade() -> None:
    op.drop_table("contact_points")
