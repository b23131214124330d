"""Erasure reaches Slack (issue 20, review M9): the buyer messages relayed into a case's thread are deleted
there (chat.delete) and the case card is replaced by a note (chat.update), through slack_sdk against the fake
Slack Web API on loopback, after the erasure commits; what was done is in the audit log. A Slack outage
delays the clean-up and loses none of it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.store.models import AuditEntry, Case
from tests import test_slack as base
from tests.conftest import KEY, review
from tests.fakes.slack_api import FakeSlack
from tests.test_slack import buyer, open_case, settle, thread_row

srt, web = base.srt, base.web  # the Slack fixtures, shared (fake_slack is in tests/conftest.py)

SAID = "Please send the new lamp to Hauptstraße 5 in Berlin, my name is Zofia Wiśniewska"


async def handed_off_with_a_relay(srt: Runtime, fake_slack: FakeSlack) -> tuple[int, int, list[str]]:
    """A case with staff in Slack and two buyer messages relayed into its thread: (case, buyer, relayed ts)."""
    case_id = await open_case(srt, review("erase-slack-1"))
    await buyer(srt, case_id, "I want to talk to a person, not a bot")
    await settle(srt)
    await buyer(srt, case_id, SAID)
    await buyer(srt, case_id, "Are you there?")
    await settle(srt)
    thread = await thread_row(srt, case_id)
    relayed = [c for c in fake_slack.posts(thread_ts=thread.thread_ts) if "(webchat)" in c.args["text"]]
    assert any("Wiśniewska" in c.args["text"] for c in relayed), "the scan must be able to fail: the copy is there"
    async with srt.sessions() as session:
        buyer_id = (await session.get(Case, case_id)).buyer_id  # type: ignore[union-attr]
    return case_id, buyer_id, [c.answer["ts"] for c in relayed if c.answer]


async def test_erasure_deletes_the_relayed_messages_and_blanks_the_card(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id, buyer_id, relayed_ts = await handed_off_with_a_relay(srt, fake_slack)
    assert len(relayed_ts) >= 2
    thread = await thread_row(srt, case_id)

    r = await web.delete(f"/api/buyers/{buyer_id}", headers={"X-Api-Key": KEY})
    assert r.status_code == 200, r.text
    assert r.json()["slack_messages"] == len(relayed_ts)
    await settle(srt)

    deleted = {(c.args["channel"], c.args["ts"]) for c in fake_slack.called("chat.delete")}
    assert deleted == {(thread.channel_id, ts) for ts in relayed_ts}
    updates = [c for c in fake_slack.called("chat.update") if c.args.get("ts") == thread.thread_ts]
    last = updates[-1].args
    assert "erased" in last["text"] and f"Case {case_id}" in last["text"]
    assert "Zofia" not in str(last) and "Wiśniewska" not in str(last)
    async with srt.sessions() as session:
        [entry] = (await session.execute(select(AuditEntry).where(AuditEntry.action == "slack_erased"))).scalars()
    assert entry.target == f"buyer:{buyer_id}"
    assert entry.data == {"messages_deleted": len(relayed_ts), "cards_blanked": 1, "files_deleted": 0}


async def test_a_slack_outage_delays_the_clean_up_and_loses_none_of_it(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    _case_id, buyer_id, relayed_ts = await handed_off_with_a_relay(srt, fake_slack)
    fake_slack.down = True
    assert (await web.delete(f"/api/buyers/{buyer_id}", headers={"X-Api-Key": KEY})).status_code == 200
    await settle(srt)
    assert all(c.answer is None for c in fake_slack.called("chat.delete")), "nothing got through the outage"
    async with srt.sessions() as session:
        assert not list(await session.execute(select(AuditEntry).where(AuditEntry.action == "slack_erased")))
    fake_slack.down = False
    srt.clock.advance(timedelta(minutes=30))  # past the retry backoff
    await settle(srt)
    ok = {c.args["ts"] for c in fake_slack.called("chat.delete")}
    assert set(relayed_ts) <= ok
    async with srt.sessions() as session:
        entries = list((await session.execute(select(AuditEntry).where(AuditEntry.action == "slack_erased"))).scalars())
    assert len(entries) == 1 and entries[0].data["messages_deleted"] == len(relayed_ts)
