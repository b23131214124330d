"""report case index

Issue 8: the period's cases as the report's events half reads them (bot/reports/build.py): id range, slice keys,
outcome and opening day from the index alone, without a second pass over the cases' rows. The columns
rarely change after a case opens (outcome once, when it closes), so updates stay HOT.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


INDEXES = [
    ("ix_cases_report", "cases", ["shop_id", "opened_at", "id", "topic", "kind", "language", "outcome"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
