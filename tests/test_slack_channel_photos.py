"""Slack hears of a buyer's Telegram or MMS photo (issue 21.4): when such a case goes to a person, the card and
its thread in Slack say a photo came and where to see it (/staff), as for a web-chat photo. Real parts: the
Telegram and SMS webhooks against the fake Bot API and Twilio, the photo fetched by the inbound job, and
slack_sdk against the fake Slack Web API on loopback."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.handoff.card import PHOTO_NOTE
from bot.platform.config import Settings, SlackSettings
from bot.store.models import Case, Photo
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio
from tests.test_channel_photos import both_channels, sms_case
from tests.test_slack import SECRET, settle
from tests.test_sms import text_in
from tests.test_telegram import CHAT, bound_case, post_update
from tests.test_webchat_photos import png

ASK_FOR_A_PERSON = "I want to talk to a real person, please."


@pytest.fixture
def settings(settings: Settings, tg: FakeTelegram, tw: FakeTwilio, fake_slack: FakeSlack) -> Settings:
    slack = SlackSettings(bot_token=fake_slack.token, signing_secret=SECRET, api_base=fake_slack.base_url)
    return both_channels(settings, tg, tw).model_copy(update={"slack": slack})


async def handed_off(rt: Runtime, case_id: int) -> Case:
    await settle(rt)
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        photos = (await session.execute(select(Photo.id).where(Photo.case_id == case_id))).scalars().all()
    assert case is not None and case.stage == "awaiting_staff", case and case.stage
    assert len(photos) == 1, "the photo was fetched into the photos table"
    return case


def said_in_slack(fake_slack: FakeSlack) -> str:
    """Everything posted to Slack (cards' text and blocks, thread replies), as one string to search."""
    return "\n".join(json.dumps(call.args, ensure_ascii=False) for call in fake_slack.posts())


async def test_a_telegram_photo_is_mentioned_in_the_slack_card_and_thread(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, fake_slack: FakeSlack
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["shade"] = png()
    await post_update(client, tg.message_update(CHAT, None, photo="shade", caption="The shade, as it arrived"))
    await rt.worker.run_due()
    await post_update(client, tg.message_update(CHAT, ASK_FOR_A_PERSON))
    await handed_off(rt, case_id)
    posted = said_in_slack(fake_slack)
    assert "The shade, as it arrived" in posted and PHOTO_NOTE.strip() in posted, posted[-2000:]


async def test_an_mms_photo_is_mentioned_in_the_slack_card_and_thread(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio, fake_slack: FakeSlack
) -> None:
    case_id = await sms_case(client, rt)
    url = tw.add_media(png(), "image/png")
    await text_in(client, tw, "This is the lamp", NumMedia="1", MediaUrl0=url, MediaContentType0="image/png")
    await rt.worker.run_due()
    await text_in(client, tw, ASK_FOR_A_PERSON)
    await handed_off(rt, case_id)
    posted = said_in_slack(fake_slack)
    assert "This is the lamp" in posted and PHOTO_NOTE.strip() in posted, posted[-2000:]
