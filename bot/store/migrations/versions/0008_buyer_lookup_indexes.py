"""buyer lookup indexes

Issue 5: every inbound SMS finds its buyer by phone, every Telegram update by chat id, and both then take
the buyer's newest case; without these indexes each webhook scanned the buyers and cases tables.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_buyers_phone", "buyers", ["phone"])
    op.create_index("ix_buyers_telegram_chat", "buyers", ["telegram_chat_id"])
    op.create_index("ix_cases_buyer", "cases", ["buyer_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_buyer", table_name="cases")
    op.drop_index("ix_buyers_telegram_chat", table_name="buyers")
    op.drop_index("ix_buyers_phone", table_name="buyers")
