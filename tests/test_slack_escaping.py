"""What a buyer, a review or an order carries reaches Slack as literal text (security review M2): Slack's
mrkdwn control sequences (`<!channel>`, `<!here>`, `<@U…>`, `<http://…|label>`) are escaped in the card, its
notification text and the relayed messages; a replayed button payload acts once (L8). slack_sdk and bolt
against the fake Slack Web API, requests signed as Slack signs them."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from bot.app.runtime import Runtime
from bot.handoff.card import mrkdwn
from tests import test_slack as base
from tests.conftest import review
from tests.fakes.slack_api import TEAM, FakeSlack
from tests.test_slack import buyer, open_case, settle, signed_headers, thread_row

srt, web = base.srt, base.web  # the Slack fixtures, shared (fake_slack is in tests/conftest.py)

PING = "<!channel>"
EVIL = "<http://evil.example/phish|Open the order in the admin panel>"
# What Slack would act on: a control sequence opened by an unescaped `<`.
CONTROL = re.compile(r"<(?:!|@|#|https?:|mailto:)")


def mrkdwn_texts(call_args: dict[str, Any]) -> list[str]:
    """Every string Slack parses as mrkdwn in one chat.postMessage / chat.update."""
    out = [call_args.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                out.append(node.get("text", ""))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(call_args.get("blocks") or [])
    return out


@given(st.text())
def test_escaped_text_has_no_control_sequence_and_unescapes_to_the_input(text: str) -> None:
    out = mrkdwn(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


async def test_buyer_review_and_order_text_cannot_ping_or_link_in_slack(srt: Runtime, fake_slack: FakeSlack) -> None:
    body = review(
        "mrkdwn-1",
        text=f"The lamp arrived broken {PING} {EVIL} & the box was open",
        buyer={
            "name": "<!channel> Smith",
            "email": "x@example.pl",
            "timezone": "Europe/Warsaw",
            "consent": {"sms": False, "telegram": False, "webchat": True},
        },
    )
    body["order"]["id"] = "<@U0BOSS>"
    body["order"]["items"][0]["name"] = "<!here> lamp"
    case_id = await open_case(srt, body)
    await buyer(srt, case_id, "I want to talk to a person, not a bot")
    await settle(srt)
    thread = await thread_row(srt, case_id)
    assert thread.thread_ts, "the case was not handed off"
    await buyer(srt, case_id, f"<!here> <@U0CEO> {EVIL}")
    await settle(srt)
    sent = [c.args for c in fake_slack.calls if c.method in ("chat.postMessage", "chat.update")]
    texts = [t for args in sent for t in mrkdwn_texts(args)]
    assert texts and not [t for t in texts if CONTROL.search(t)], [t for t in texts if CONTROL.search(t)]
    joined = json.dumps(texts, ensure_ascii=False)
    # Shown as typed: the escaped forms are there, so the text was escaped, not dropped.
    assert "&lt;!channel&gt;" in joined and "&lt;!here&gt;" in joined and "&lt;@U0BOSS&gt;" in joined
    assert "&lt;http://evil.example/phish|Open the order in the admin panel&gt;" in joined
    assert "&amp; the box" in joined
    relayed = [c.args["text"] for c in fake_slack.posts(thread_ts=thread.thread_ts)]
    assert any("&lt;@U0CEO&gt;" in t for t in relayed), relayed


async def post_action_at(
    web: httpx.AsyncClient, action_id: str, value: str, channel: str, action_ts: str
) -> httpx.Response:
    from urllib.parse import urlencode

    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U0MAJA"},
        "api_app_id": "A0MEDIATOR",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "channel": {"id": channel},
        "actions": [
            {"action_id": action_id, "block_id": "case", "type": "button", "value": value, "action_ts": action_ts}
        ],
        "container": {"type": "message", "channel_id": channel},
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    return await web.post("/webhooks/slack", content=body, headers=headers)


async def test_a_replayed_button_payload_acts_once(srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack) -> None:
    case_id = await open_case(srt, review("replay-1"))
    await buyer(srt, case_id, "I want to talk to a person, not a bot")
    await settle(srt)
    thread = await thread_row(srt, case_id)
    for _ in range(3):  # the same signed click, sent again within the 5-minute window
        r = await post_action_at(web, "mediator_take_over", str(case_id), thread.channel_id, "1763900200.000100")
        assert r.status_code == 200
        await settle(srt)
    notes = [c.args["text"] for c in fake_slack.posts(thread_ts=thread.thread_ts) if "took over" in c.args["text"]]
    assert len(notes) == 1, notes
    before = len(fake_slack.posts(thread_ts=thread.thread_ts))
    # A new click (a new action_ts) is a new action, and is answered.
    await post_action_at(web, "mediator_hand_back", str(case_id), thread.channel_id, "1763900300.000100")
    await settle(srt)
    assert len(fake_slack.posts(thread_ts=thread.thread_ts)) == before + 1


async def test_buttons_and_commands_act_only_from_the_cases_own_shop(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    """Review L8: `/mediator case N` from shop A's channel showed shop B's case, and a button there would act
    on it. A channel speaks for the shops whose case threads it holds; a button or command about another
    shop's case does nothing and says only that there is no such case here."""
    from bot.store.shops import ensure_shop

    mine = await open_case(srt, review("scope-a"))
    await buyer(srt, mine, "I want to talk to a person, not a bot")
    await settle(srt)
    channel = (await thread_row(srt, mine)).channel_id
    async with srt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", "other-key", srt.clock.now())
    await srt.seed_policies()
    [theirs] = await srt.intake.ingest("other", [review("scope-b")])
    await srt.worker.run_due()
    before = (await base.case_row(srt, theirs.case_id)).stage

    ephemerals = len(fake_slack.called("chat.postEphemeral"))
    await base.post_command(web, f"case {theirs.case_id}", channel)
    await base.post_action(web, "mediator_take_over", str(theirs.case_id), channel)
    await base.post_action(web, "mediator_take_over", str(theirs.case_id), "C0NOBODYS")  # no shop's channel
    await settle(srt)
    assert (await base.case_row(srt, theirs.case_id)).stage == before, "another shop's case was not touched"
    said = [c.args["text"] for c in fake_slack.called("chat.postEphemeral")[ephemerals:]]
    assert len(said) == 3 and all(f"There is no case {theirs.case_id}" in t for t in said), said
    assert not any("contacted" in t or "Other shop" in t for t in said)

    # The case's own channel still works: the refusal is about the shop, not the buttons.
    await base.post_action(web, "mediator_take_over", str(mine), channel)
    await settle(srt)
    assert (await thread_row(srt, mine)).owner_id == "U0MAJA"


async def test_a_side_request_beside_the_yes_reaches_the_slack_card_escaped(
    srt: Runtime, fake_slack: FakeSlack
) -> None:
    """Issue 19 item 5: the bot says a request made beside a yes back as noted for the team, so the team's card
    shows it, as literal mrkdwn (a buyer's `<!here>` never pings the channel)."""
    case_id = await open_case(srt, base.scenario_review("en_yes_with_a_side_request.yml"))
    for text in (
        "Hi, yes, the shade was in pieces when I opened the box.",
        "No photo, sorry",
        "A replacement would be great",
        "Yes please, and could the courier ring the bell <!here> & knock twice?",
        "I want to talk to a person, not a bot",
    ):
        await buyer(srt, case_id, text)
    await settle(srt)
    assert (await thread_row(srt, case_id)).thread_ts, "the case was not handed off"
    cards = [
        c.args for c in fake_slack.calls if c.method in ("chat.postMessage", "chat.update") and c.args.get("blocks")
    ]
    texts = [t for args in cards[-1:] for t in mrkdwn_texts(args)]
    asked = [t for t in texts if "The buyer also asked" in t]
    assert asked and "ring the bell &lt;!here&gt; &amp; knock twice?" in asked[0], texts
    assert not [t for t in texts if CONTROL.search(t)]
