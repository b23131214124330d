"""A buyer's photo goes into the case's Slack thread (issue 21.4), so staff working in Slack see it: uploaded with
slack_sdk's client, the three steps of files_upload_v2 (files.getUploadURLExternal, the POST of the bytes,
files.completeUploadExternal with the channel and thread) against the fake Slack Web API on loopback, which keeps
the bytes. Real parts throughout: the web chat's upload and message routes, the Telegram webhook and the fake
Bot API, the job queue.
The upload is a durable job: a Slack error is retried and the photo arrives, a job run again uploads nothing
twice, a lost answer after Slack shared the file does not share it again, a claim left by a killed upload is taken
over after its timeout, and erasure and retention delete the file in Slack (files.delete)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from bot.app.runtime import Runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, SlackSettings
from bot.store.models import AuditEntry, Case, Job, SlackRelay, SlackThread
from bot.store.queue import Worker
from bot.store.retention import purge_photos
from channels.slack import UPLOAD_CLAIM_TIMEOUT
from tests.conftest import SHOP
from tests.fakes.slack_api import FakeSlack, File
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio
from tests.test_channel_photos import both_channels
from tests.test_slack import SECRET, settle
from tests.test_telegram import CHAT, bound_case, post_update
from tests.test_webchat_photos import JPEG, open_chat, png, say, upload

ASK_FOR_A_PERSON = "I want to talk to a real person, please."
# What the buyer of the web chat's review is called (tests/scenarios/en_constructive_damaged_lamp.yml): none of
# it may be in what Slack shows about the file.
EMMA = ("Emma", "Clarke", "emma", "@example.com")


@pytest.fixture
def settings(settings: Settings, tg: FakeTelegram, tw: FakeTwilio, fake_slack: FakeSlack) -> Settings:
    slack = SlackSettings(bot_token=fake_slack.token, signing_secret=SECRET, api_base=fake_slack.base_url)
    return both_channels(settings, tg, tw).model_copy(update={"slack": slack})


async def thread_of(rt: Runtime, case_id: int) -> SlackThread:
    async with rt.sessions() as session:
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
    assert thread.thread_ts, "the case card is in Slack"
    return thread


async def web_chat_with_staff(client: httpx.AsyncClient, rt: Runtime, name: str) -> tuple[int, str, SlackThread]:
    """A web-chat case handed to a person, its card in Slack: (case, chat token, thread)."""
    case_id, token = await open_chat(client, rt, name)
    await say(client, token, ASK_FOR_A_PERSON, f"{name}-ask")
    await settle(rt)
    return case_id, token, await thread_of(rt, case_id)


async def send_photo(client: httpx.AsyncClient, rt: Runtime, token: str, message_id: str, data: bytes) -> None:
    up = await upload(client, token, message_id, data)
    assert up.status_code == 201, up.text
    await say(client, token, "Here is the shade, as it arrived", message_id, photo=up.json()["photo"])
    await settle(rt)


def assert_shows_no_personal_data(shown: File) -> None:
    said = f"{shown.title} {shown.alt_txt} {shown.filename} {shown.initial_comment or ''}"
    assert not any(word.lower() in said.lower() for word in EMMA), said


async def test_a_web_chat_photo_is_uploaded_into_the_case_thread(
    client: httpx.AsyncClient, rt: Runtime, fake_slack: FakeSlack
) -> None:
    case_id, token, thread = await web_chat_with_staff(client, rt, "slack-photo-web")
    assert fake_slack.shared() == []
    photo = png(rgb=(10, 120, 30))
    await send_photo(client, rt, token, "p1", photo)
    [shown] = fake_slack.shared(thread_ts=thread.thread_ts)
    assert shown.data == photo and shown.channel == thread.channel_id
    assert shown.filename.endswith(".png") and f"case {case_id}" in (shown.title or "")
    assert_shows_no_personal_data(shown)
    steps = [c.method for c in fake_slack.calls if c.method.startswith("files.") or c.method == "upload"]
    assert steps == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


async def test_a_telegram_photo_is_uploaded_into_the_case_thread(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, fake_slack: FakeSlack
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["shade"] = photo = png(rgb=(1, 2, 3))
    await post_update(client, tg.message_update(CHAT, None, photo="shade", caption="The shade, as it arrived"))
    await rt.worker.run_due()
    assert fake_slack.shared() == [], "no thread before a person is asked for"
    await post_update(client, tg.message_update(CHAT, ASK_FOR_A_PERSON))
    await settle(rt)
    thread = await thread_of(rt, case_id)
    [shown] = fake_slack.shared(thread_ts=thread.thread_ts)  # sent before the handoff: it follows the card
    assert shown.data == photo and shown.channel == thread.channel_id


async def test_a_job_run_again_uploads_the_photo_once(
    client: httpx.AsyncClient, rt: Runtime, fake_slack: FakeSlack
) -> None:
    _case_id, token, thread = await web_chat_with_staff(client, rt, "slack-photo-once")
    await send_photo(client, rt, token, "p1", JPEG)
    assert len(fake_slack.shared()) == 1
    async with rt.sessions() as session, session.begin():  # as if the worker died before marking them done
        rerun = await session.execute(
            update(Job).where(Job.kind.in_(["slack_photos", "slack_relay"])).values(status="pending", attempts=0)
        )
        assert rerun.rowcount >= 1  # type: ignore[attr-defined]
    await settle(rt)
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [JPEG]
    assert len(fake_slack.called("files.getUploadURLExternal")) == 1


@pytest.mark.parametrize("failure", ["error_answer", "upload_refused"])
async def test_a_slack_error_is_retried_and_the_photo_arrives(
    client: httpx.AsyncClient, rt: Runtime, clock: VirtualClock, fake_slack: FakeSlack, failure: str
) -> None:
    _case_id, token, thread = await web_chat_with_staff(client, rt, f"slack-photo-{failure}")
    if failure == "error_answer":
        fake_slack.fail_next["files.completeUploadExternal"] = 1  # the bytes went up, the sharing was refused
    else:
        fake_slack.fail_next["upload"] = 2  # files.slack.com down: the bytes are refused (HTTP 503), twice
    photo = png(rgb=(99, 99, 99))
    await send_photo(client, rt, token, "p1", photo)
    assert fake_slack.shared() == [], "nothing got through"
    assert fake_slack.posts(thread_ts=thread.thread_ts)[-1].answer, "the words were relayed: only the photo waits"
    for _ in range(2):
        clock.advance(timedelta(minutes=30))  # past the retry backoff
        await settle(rt)
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [photo]


async def test_a_lost_answer_after_slack_shared_the_photo_does_not_share_it_twice(
    client: httpx.AsyncClient, rt: Runtime, clock: VirtualClock, fake_slack: FakeSlack
) -> None:
    """files.completeUploadExternal did its work but its answer never came (a timeout, a dropped connection):
    the retry asks Slack about the file id recorded before completing, finds it shared, and uploads nothing."""
    _case_id, token, thread = await web_chat_with_staff(client, rt, "slack-photo-lost-answer")
    fake_slack.lose_answer["files.completeUploadExternal"] = 1
    photo = png(rgb=(7, 70, 170))
    await send_photo(client, rt, token, "p1", photo)
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [photo], "Slack shared it"
    async with rt.sessions() as session:
        [job] = (await session.execute(select(Job).where(Job.kind == "slack_photos"))).scalars()
    assert job.status == "pending" and "failed" in (job.last_error or ""), "we never heard it went through"
    clock.advance(timedelta(minutes=30))  # past the retry backoff
    await settle(rt)
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [photo], "shared once, not twice"
    assert len(fake_slack.called("files.getUploadURLExternal")) == 1 and fake_slack.called("files.info")
    async with rt.sessions() as session:
        [job] = (await session.execute(select(Job).where(Job.kind == "slack_photos"))).scalars()
        [copy] = (await session.execute(select(SlackRelay).where(SlackRelay.kind == "photo"))).scalars()
    assert job.status == "done" and copy.slack_ts == fake_slack.shared()[0].id  # erasure deletes that file


async def test_a_claim_left_by_an_upload_killed_midway_is_taken_over_after_its_timeout(
    client: httpx.AsyncClient, rt: Runtime, clock: VirtualClock, fake_slack: FakeSlack
) -> None:
    """The process stops while the bytes are going up (here: its task is cancelled there, so no handler of
    ours runs, as in a kill): the claim stays. The job's next run, once its lease and then the claim are old,
    uploads the photo, once."""
    _case_id, token, thread = await web_chat_with_staff(client, rt, "slack-photo-killed")
    photo = png(rgb=(200, 10, 10))
    up = await upload(client, token, "p1", photo)
    await say(client, token, "Here is the shade, as it arrived", "p1", photo=up.json()["photo"])
    fake_slack.hold_upload = asyncio.Event()
    running = asyncio.create_task(settle(rt))
    for _ in range(2000):  # until the bytes are on their way (a bound that only ends a hung test)
        if fake_slack.holding_upload:
            break
        await asyncio.sleep(0.01)
    assert fake_slack.holding_upload == 1
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    fake_slack.hold_upload.set()
    restarted = Worker(rt.worker.ctx, rt.worker.handlers)  # the process that comes back after the kill
    clock.advance(timedelta(seconds=rt.settings.scheduler.lease_seconds + 1))
    await restarted.run_due()
    assert fake_slack.shared() == [], "the claim is still live: nobody uploads beside it"
    clock.advance(UPLOAD_CLAIM_TIMEOUT + timedelta(minutes=30))  # the claim is stale, the job's backoff over
    await restarted.run_due()
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [photo]
    assert len(fake_slack.called("files.completeUploadExternal")) == 1


async def test_erasure_deletes_the_uploaded_photo_in_slack(
    client: httpx.AsyncClient, rt: Runtime, fake_slack: FakeSlack
) -> None:
    case_id, token, _thread = await web_chat_with_staff(client, rt, "slack-photo-erased")
    await send_photo(client, rt, token, "p1", png())
    [shown] = fake_slack.shared()
    async with rt.sessions() as session:
        buyer_id = (await session.get(Case, case_id)).buyer_id  # type: ignore[union-attr]
    assert (await client.delete(f"/api/buyers/{buyer_id}")).status_code == 200
    await settle(rt)
    assert shown.deleted and fake_slack.shared() == []
    assert [c.args["file"] for c in fake_slack.called("files.delete")] == [shown.id]
    async with rt.sessions() as session:
        [entry] = (await session.execute(select(AuditEntry).where(AuditEntry.action == "slack_erased"))).scalars()
    assert entry.data["files_deleted"] == 1


async def test_retention_deletes_an_old_photo_in_slack(
    client: httpx.AsyncClient, rt: Runtime, clock: VirtualClock, fake_slack: FakeSlack
) -> None:
    old, token, _thread = await web_chat_with_staff(client, rt, "slack-photo-old")
    await send_photo(client, rt, token, "o1", png())
    _live, live_token, _live_thread = await web_chat_with_staff(client, rt, "slack-photo-live")
    await send_photo(client, rt, live_token, "l1", JPEG)
    old_file, live_file = fake_slack.shared()
    async with rt.sessions() as session, session.begin():
        case = await session.get(Case, old)
        assert case is not None
        case.stage = "closed"  # the live case keeps its photo, in Slack too
    later = clock.now() + timedelta(days=181)
    assert await purge_photos(rt.sessions, SHOP, later, timedelta(days=180)) == 1
    clock.advance(timedelta(days=181))
    await settle(rt)
    assert old_file.deleted and not live_file.deleted
    async with rt.sessions() as session:
        [entry] = (await session.execute(select(AuditEntry).where(AuditEntry.action == "slack_erased"))).scalars()
    assert entry.target == "retention" and entry.data["files_deleted"] == 1
