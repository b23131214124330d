"""report indexes

Issue 8: indexes for the report queries (bot/reports/build.py): stages reached per case, handoff events and
staff messages, a case's first channel. Cases by (shop_id, opened_at) are already indexed by 0001.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


INDEXES = [
    ("ix_events_case_stage", "events", ["case_id", "to_stage"]),
    ("ix_events_type_case", "events", ["type", "case_id", "at"]),
    ("ix_messages_role_case", "messages", ["role", "case_id", "created_at"]),
    ("ix_messages_case_channel", "messages", ["case_id", "id", "channel"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
