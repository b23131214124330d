"""Contact points and consent as rows (issue 17.4): migration 0014 moves what buyers' columns held into
`buyer_contacts` and back, and a channel the schema never named is stored without a schema change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.platform.vocab import EMAIL
from bot.store import buyer_contacts
from bot.store.db import async_url, make_engine, sync_url
from bot.store.migrate import alembic_config, upgrade_sync
from bot.store.models import Buyer
from tests.conftest import TEST_DB, is_postgres, reset_postgres

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
STOPPED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def fresh_url(tmp_path: Path) -> str:
    if is_postgres():
        reset_postgres(TEST_DB)
        return TEST_DB
    return f"sqlite:///{tmp_path / 'contacts.db'}"


def _write_before(url: str) -> None:
    """Buyers as revision 0013 stored them: addresses and consent in columns, reachability in the ledger."""
    engine = create_engine(sync_url(async_url(url)))
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO shops (id, shop_id, name, api_key_hash, created_at) VALUES ('s', 's', 'S', 'h', :at)"),
            {"at": AT},
        )
        buyer = (
            "INSERT INTO buyers (id, shop_id, buyer_key, name, email, phone, timezone, consent_sms, consent_telegram,"
            " consent_webchat, telegram_chat_id, opted_out_at, created_at) VALUES (:id, 's', :key, 'N', :email,"
            " :phone, NULL, :sms, :tg, :wc, :chat, :out, :at)"
        )
        rows = [
            # e-mail, phone with SMS consent, a bound Telegram chat, web-chat consent
            dict(id=1, key="k1", email="a@example.pl", phone="+48601234567", sms=True, tg=True, wc=True, chat="77"),
            # a phone without consent, opted out
            dict(id=2, key="k2", email=None, phone="+48601234568", sms=False, tg=False, wc=False, chat=None),
            # nothing to reach, but opted out: the opt-out must survive the move
            dict(id=3, key="k3", email=None, phone=None, sms=False, tg=False, wc=False, chat=None),
        ]
        outs = {1: None, 2: STOPPED, 3: STOPPED}
        for row in rows:
            conn.execute(text(buyer), {**row, "out": outs[row["id"]], "at": AT})
        ledger = (
            "INSERT INTO consent_events (shop_id, buyer_id, channel, change, source, detail, at)"
            " VALUES ('s', 1, :channel, :change, 'test', '{}', :at)"
        )
        # SMS went unreachable then came back; Telegram went unreachable and stayed so.
        for channel, change in (("sms", "unreachable"), ("telegram", "unreachable"), ("sms", "reachable")):
            conn.execute(text(ledger), {"channel": channel, "change": change, "at": AT})
    engine.dispose()


async def _read(url: str) -> dict[int, buyer_contacts.Contacts]:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            return await buyer_contacts.of_many(session, [1, 2, 3])
    finally:
        await engine.dispose()


async def test_migration_moves_columns_into_rows_and_back(tmp_path: Path, migrated: str) -> None:
    url = fresh_url(tmp_path)
    upgrade_sync(async_url(url), "0013")
    _write_before(url)
    upgrade_sync(async_url(url))

    found = await _read(url)
    one, two, three = found[1], found[2], found[3]
    assert one.email == "a@example.pl"
    assert one.address("sms") == "+48601234567" and one.consented("sms") and one.reachable("sms")
    assert one.address("telegram") == "77" and one.consented("telegram") and not one.reachable("telegram")
    assert one.consented("webchat") and one.address("webchat") is None
    assert one.opted_out_at is None
    assert two.address("sms") == "+48601234568" and not two.consented("sms")
    assert two.opted_out_at == STOPPED
    assert three.opted_out_at == STOPPED and not three.addressed()

    engine = create_engine(sync_url(async_url(url)))
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("buyers")}
        assert not columns & {"email", "phone", "telegram_chat_id", "consent_sms", "opted_out_at"}
    finally:
        engine.dispose()

    command.downgrade(alembic_config(async_url(url)), "0013")
    engine = create_engine(sync_url(async_url(url)))
    try:
        with engine.connect() as conn:
            back = conn.execute(
                text(
                    "SELECT id, email, phone, consent_sms, consent_telegram, consent_webchat, telegram_chat_id,"
                    " opted_out_at FROM buyers ORDER BY id"
                )
            ).all()
            assert "buyer_contacts" not in inspect(conn).get_table_names()
    finally:
        engine.dispose()
    assert [tuple(r[:7]) for r in back] == [
        (1, "a@example.pl", "+48601234567", True, True, True, "77"),
        (2, None, "+48601234568", False, False, False, None),
        (3, None, None, False, False, False, None),
    ]
    assert back[0][7] is None and back[1][7] is not None and back[2][7] is not None
    if is_postgres():  # leave the shared database migrated for the tests that follow
        reset_postgres(TEST_DB)
        upgrade_sync(async_url(TEST_DB))


@pytest.mark.parametrize("channel", ["whatsapp", "signal"])
async def test_a_channel_the_schema_never_named_needs_no_schema_change(
    tmp_path: Path, migrated: str, channel: str
) -> None:
    url = fresh_url(tmp_path)
    upgrade_sync(async_url(url))
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                text("INSERT INTO shops (id, shop_id, name, api_key_hash, created_at) VALUES ('s','s','S','h',:at)"),
                {"at": AT},
            )
            buyer = Buyer(shop_id="s", buyer_key="k", name="N", created_at=AT)
            session.add(buyer)
            await session.flush()
            await buyer_contacts.set_address(session, buyer, EMAIL, "n@example.se", AT)
            await buyer_contacts.set_address(session, buyer, channel, "+46701234567", AT)
            await buyer_contacts.set_consent(session, buyer, channel, True, AT)
            await buyer_contacts.set_reachable(session, buyer, channel, False, AT)
            await buyer_contacts.opt_out(session, buyer, channel, STOPPED)
            buyer_id = buyer.id
        async with async_sessionmaker(engine)() as session:
            read = await buyer_contacts.of(session, buyer_id)
            sharing = await session.execute(buyer_contacts.buyers_at_statement(channel, "+46701234567"))
            assert list(sharing.scalars()) == [buyer_id]
    finally:
        await engine.dispose()
    assert read.address(channel) == "+46701234567"
    assert read.consented(channel) and not read.reachable(channel)
    assert read.email == "n@example.se"
    assert read.opted_out_at == STOPPED
    assert [p.channel for p in read.points] == [EMAIL, channel]  # one row per channel, however often changed
    if is_postgres():
        reset_postgres(TEST_DB)
        upgrade_sync(async_url(TEST_DB))
