"""buyer contacts

Issue 17.4: a buyer's contact points and consent are rows of `buyer_contacts` (one per channel), not one
column per channel on `buyers`. The upgrade copies e-mail, phone, Telegram chat, the three consent flags,
the opt-out and the latest reachability verdict of the `consent_events` ledger into rows, then drops the
columns; the downgrade puts them back from the rows.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = bot.store.models.UTCDateTime(timezone=True)
# The channel names as they stood at this revision (a migration never imports a vocabulary that may grow).
EMAIL, SMS, TELEGRAM, WEBCHAT = "email", "sms", "telegram", "webchat"
CHUNK = 1000


def _old_columns() -> tuple[sa.Column[Any], ...]:
    """The columns 0013 had on `buyers` (fresh objects each time: a Column belongs to one table)."""
    return (
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("consent_sms", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("consent_telegram", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("consent_webchat", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("telegram_chat_id", sa.String(length=64), nullable=True),
        sa.Column("opted_out_at", UTC_TIME, nullable=True),
    )


buyers = sa.table(
    "buyers",
    sa.column("id", BigId),
    sa.column("shop_id", sa.String),
    sa.column("created_at", UTC_TIME),
    *(sa.column(c.name, c.type) for c in _old_columns()),
)
contacts = sa.table(
    "buyer_contacts",
    sa.column("shop_id", sa.String),
    sa.column("buyer_id", BigId),
    sa.column("channel", sa.String),
    sa.column("address", sa.String),
    sa.column("consent", sa.Boolean),
    sa.column("reachable", sa.Boolean),
    sa.column("opted_out_at", UTC_TIME),
    sa.column("created_at", UTC_TIME),
    sa.column("updated_at", UTC_TIME),
)
ledger = sa.table(
    "consent_events",
    sa.column("id", BigId),
    sa.column("buyer_id", BigId),
    sa.column("channel", sa.String),
    sa.column("change", sa.String),
)


def _unreachable(conn: sa.Connection) -> set[tuple[int, str]]:
    """(buyer, channel) pairs whose latest reachability entry in the ledger says unreachable."""
    latest: dict[tuple[int, str], str] = {}
    rows = conn.execute(
        sa.select(ledger.c.buyer_id, ledger.c.channel, ledger.c.change)
        .where(ledger.c.change.in_(("unreachable", "reachable")))
        .order_by(ledger.c.id)
    )
    for buyer_id, channel, change in rows:
        latest[(buyer_id, channel)] = change
    return {key for key, change in latest.items() if change == "unreachable"}


def _rows(b: Any, unreachable: set[tuple[int, str]]) -> list[dict[str, Any]]:
    wanted = (
        (EMAIL, b.email, False),
        (SMS, b.phone, b.consent_sms),
        (TELEGRAM, b.telegram_chat_id, b.consent_telegram),
        (WEBCHAT, None, b.consent_webchat),
    )
    rows = [(channel, address, bool(consent)) for channel, address, consent in wanted if address or consent]
    if not rows and b.opted_out_at is not None:  # the opt-out must survive even with nothing to reach
        rows = [(WEBCHAT, None, False)]
    at: datetime = b.created_at
    return [
        {
            "shop_id": b.shop_id,
            "buyer_id": b.id,
            "channel": channel,
            "address": address,
            "consent": consent,
            "reachable": (b.id, channel) not in unreachable,
            "opted_out_at": b.opted_out_at,
            "created_at": at,
            "updated_at": at,
        }
        for channel, address, consent in rows
    ]


def upgrade() -> None:
    op.create_table(
        "buyer_contacts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_id", BigId, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("buyer_id", "channel", "address"),
    )
    op.create_index("ix_buyer_contacts_address", "buyer_contacts", ["channel", "address"])

    conn = op.get_bind()
    unreachable = _unreachable(conn)
    batch: list[dict[str, Any]] = []
    for b in conn.execute(sa.select(buyers).order_by(buyers.c.id)):
        batch += _rows(b, unreachable)
        if len(batch) >= CHUNK:
            conn.execute(contacts.insert(), batch)
            batch = []
    if batch:
        conn.execute(contacts.insert(), batch)

    op.drop_index("ix_buyers_telegram_chat", table_name="buyers")
    op.drop_index("ix_buyers_phone", table_name="buyers")
    with op.batch_alter_table("buyers") as batch_op:  # SQLite rebuilds the table to drop columns
        for column in _old_columns():
            batch_op.drop_column(column.name)


def downgrade() -> None:
    with op.batch_alter_table("buyers") as batch_op:
        for column in _old_columns():
            batch_op.add_column(column)
    conn = op.get_bind()
    values: dict[int, dict[str, Any]] = {}
    for row in conn.execute(sa.select(contacts).order_by(contacts.c.buyer_id)):
        v = values.setdefault(row.buyer_id, {"b_id": row.buyer_id})
        if row.channel == EMAIL:
            v["email"] = row.address
        elif row.channel == SMS:
            v["phone"], v["consent_sms"] = row.address, row.consent
        elif row.channel == TELEGRAM:
            v["telegram_chat_id"], v["consent_telegram"] = row.address, row.consent
        elif row.channel == WEBCHAT:
            v["consent_webchat"] = row.consent
        if row.opted_out_at is not None:
            v["opted_out_at"] = min(row.opted_out_at, v.get("opted_out_at") or row.opted_out_at)
    for v in values.values():
        conn.execute(
            buyers.update().where(buyers.c.id == sa.bindparam("b_id")).values(**{k: v[k] for k in v if k != "b_id"}),
            {"b_id": v["b_id"]},
        )
    op.create_index("ix_buyers_phone", "buyers", ["phone"])
    op.create_index("ix_buyers_telegram_chat", "buyers", ["telegram_chat_id"])
    op.drop_table("buyer_contacts")
