"""Slack handoff through slack-bolt (issue 6): a thread per case, two-way relay, buttons, reminders.

    handoff (Engine._move) ─▶ `slack_card` job ─▶ chat.postMessage(card) to the team's channel; the card's
        ts is the case's thread (slack_threads)
    buyer message while with staff ─▶ `slack_relay` job ─▶ chat.postMessage(thread_ts) for each new message
    a buyer's photo shown in the thread ─▶ `slack_photos` job ─▶ an external upload into the thread, each once
    staff reply in the thread ─▶ POST /webhooks/slack ─▶ `slack_in` job (committed) ─▶ 200 ─▶ dedupe
        (slack_relays), Engine.staff_message
    button / slash command (`case ID`, `grant ID TYPE [AMOUNT] [item]`) ─▶ `slack_in` job ─▶ 200
        ─▶ bot/handoff/staff_actions.py, a note, a fresh card
    staff_reminder / deadline_reminder timers ─▶ `slack_reminder` job ─▶ a note in the thread to its owner

Why jobs for everything we send: when Slack is down a job retries with backoff (bot/store/queue.py), so a handoff
is never lost. Why a job before the answer: Slack wants an answer within 3 s and a turn can take longer, so
the work runs after the answer; committed first, it survives a kill in between, and it is deduped by event
id, so Slack's retries (X-Slack-Retry-Num) never relay twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.conversation.erasure import RELAYED_BUYER, SLACK_ERASE
from bot.handoff import staff_actions
from bot.handoff.card import PHOTO_NOTE, card_blocks, card_text, first_name, load_card, mask_text, mrkdwn
from bot.handoff.staff_actions import Staff, StaffActionError, is_internal
from bot.handoff.staff_remedy import GrantRefused, parse_grant
from bot.platform.vocab import Stage
from bot.policy.bundle import active_bundle
from bot.store import photos
from bot.store.audit import record
from bot.store.models import Case, Message, Photo, Shop, SlackRelay, SlackThread
from bot.store.queue import JobContext, RetryLater, finish_inline, job_handler, lease_inline, schedule
from bot.web.errors import ApiError

log = logging.getLogger("mediator.slack")
router = APIRouter(tags=["slack"])
SLACK_IN = "slack_in"
NOT_HERE = "There is no case {case_id} for this channel's shop: act on a case from its own channel."
# Slack's answers for a message that is no longer there: nothing left to erase.
GONE = {"message_not_found", "channel_not_found", "cant_update_message", "is_archived"}
FILE_GONE = {"file_not_found", "file_deleted"}
SLACK_PHOTOS = "slack_photos"


def _kind_of(body: dict[str, Any]) -> str | None:
    """Which of our listeners a Slack payload goes to; None for what we do not act on."""
    if body.get("type") == "event_callback":
        return "message" if (body.get("event") or {}).get("type") == "message" else None
    if body.get("type") == "block_actions":
        action_id = ((body.get("actions") or [{}])[0]).get("action_id")
        return "action" if action_id in (*ACTIONS, *SELECTS) else "unknown_action"
    if body.get("command") == "/mediator":
        if parse_grant_command(body.get("text", "")) is not None:
            return "grant"
        return "command" if parse_command(body.get("text", "")) is not None else None
    return None


def _payload_key(body: dict[str, Any]) -> str:
    """An event's id (Slack's retries repeat it), else a digest of the whole payload (a replayed click)."""
    if body.get("event_id"):
        return str(body["event_id"])[:120]
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


ACTIONS = ("mediator_take_over", "mediator_hand_back", "mediator_approve", "mediator_reject")
SELECTS = ("mediator_close", "mediator_flag")
USAGE = (
    "Usage: /mediator case ID — shows a case's status, e.g. /mediator case 42; "
    "/mediator grant ID TYPE [AMOUNT|PERCENT%] [item] [part: PART] — grants a remedy, e.g. /mediator grant 42 "
    "refund_partial 20 Lamp, or /mediator grant 42 send_part Lamp part: glass shade"
)
COMMAND = re.compile(r"^\s*(?:case\s+)?#?([0-9]{1,12})\s*$", re.IGNORECASE)
GRANT = re.compile(r"^\s*grant\s+#?([0-9]{1,12})\s+(\S.*)$", re.IGNORECASE | re.DOTALL)


def parse_command(text: str) -> int | None:
    """`case 42` (or `42`, `#42`) → 42; anything else → None."""
    m = COMMAND.match(text or "")
    return int(m.group(1)) if m else None


def parse_grant_command(text: str) -> tuple[int, str] | None:
    """`grant 42 refund_partial 20 Lamp` → (42, "refund_partial 20 Lamp"); anything else → None. The rest is read
    by bot/handoff/staff_remedy.parse_grant and judged by the grant itself."""
    m = GRANT.match(text or "")
    return (int(m.group(1)), m.group(2).strip()) if m else None


def parse_value(value: str | None) -> tuple[int, str | None] | None:
    """A button's value `42` or a select option's `42:resolved_kept` → (42, arg); anything else → None."""
    if not value or len(value) > 80:
        return None
    head, _, arg = value.partition(":")
    if not (head.isascii() and head.isdigit()) or len(head) > 12:
        return None
    return int(head), (arg or None)


def slack_text(text: str) -> str:
    """What a person typed in Slack, as plain text: entities unescaped, user mentions dropped."""
    text = re.sub(r"<@[A-Z0-9]+>", "", text or "")
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return html.unescape(text).strip()


class SlackHandoff:
    """The bolt app, its Web API client, and what the listeners need to act (they use it as the runtime
    for bot/handoff/staff_actions.py: sessions, clock, settings, conversation)."""

    def __init__(self, settings: Any, sessions: Any, clock: Any, conversation: Any):
        s = settings.slack
        self.settings, self.sessions, self.clock, self.conversation = settings, sessions, clock, conversation
        base = (s.api_base or AsyncWebClient.BASE_URL).rstrip("/") + "/"
        # No client-side retries: our durable jobs retry with backoff, and a listener reports failures.
        self.client = AsyncWebClient(
            token=s.bot_token, base_url=base, timeout=int(s.timeout_seconds), retry_handlers=[]
        )
        self.app = AsyncApp(signing_secret=s.signing_secret, client=self.client, logger=log, name="mediator")
        self.handler = AsyncSlackRequestHandler(self.app)
        self._names: dict[str, str] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self._register()

    # ── listeners ───────────────────────────────────────────────────────────────────────────────

    def _register(self) -> None:
        app = self.app

        async def keep(body: dict[str, Any], context: Any, next: Any) -> None:
            # Middleware runs before any acknowledgement (bolt acknowledges Events API requests before the
            # listener starts), so the work is committed before Slack can hear 200.
            kind = _kind_of(body)
            if kind is not None:
                context["mediator_job"] = await self._keep(kind, body)
            await next()

        async def on_event(ack: Any, body: dict[str, Any], context: Any, request: Any) -> None:
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            if retry:
                log.info("slack event %s is retry %s", body.get("event_id"), retry)
            await ack()
            await self._work("message", body, context.get("mediator_job"))

        async def on_action(ack: Any, body: dict[str, Any], context: Any) -> None:
            await ack()
            await self._work("action", body, context.get("mediator_job"))

        async def on_unknown(ack: Any, body: dict[str, Any], context: Any) -> None:
            await ack()
            await self._work("unknown_action", body, context.get("mediator_job"))

        async def on_command(ack: Any, body: dict[str, Any], command: dict[str, Any], context: Any) -> None:
            text = command.get("text", "")
            if parse_command(text) is None and parse_grant_command(text) is None:
                log.info("slash command with bad text from %s", command.get("user_id"))
                await ack(text=USAGE)  # the usage is the whole answer
                return
            await ack()
            await self._work(_kind_of(body) or "command", body, context.get("mediator_job"))

        app.use(keep)
        app.event("message")(on_event)
        for action_id in (*ACTIONS, *SELECTS):
            app.action(action_id)(on_action)
        # Registered last, so it sees only what nothing above matched: an unknown action id.
        app.action(re.compile(".*"))(on_unknown)
        app.command("/mediator")(on_command)

    async def _keep(self, kind: str, body: dict[str, Any]) -> int | bool | None:
        """Slack's side of the inbox: commit the payload's work as a `slack_in` job leased to this process,
        which does it right after answering. A process killed in between loses nothing: the lease runs out
        and a worker does the job. Returns the job id; False for a payload seen before (Slack's retry of an
        event id, or an interactive payload replayed byte for byte), whose work is not done twice; None for
        one about no case of ours (the handlers ignore those, so there is nothing to keep)."""
        shop = await self._shop_of(kind, body)
        if shop is None:
            return None
        now = self.clock.now()
        row = {
            "shop_id": shop,
            "case_id": None,
            "kind": SLACK_IN,
            "run_at": now,
            "payload": {"kind": kind, "body": body, "lane": f"slack:{shop}"},
            "dedupe_key": f"slack:{_payload_key(body)}",
            "created_at": now,
        }
        lease = timedelta(seconds=self.settings.scheduler.lease_seconds)  # as long as a worker's
        job_id = await lease_inline(self.sessions, row, now, lease)
        if job_id is None:
            log.info("slack %s payload seen before; nothing done twice", kind)
            return False
        return job_id

    async def _work(self, kind: str, body: dict[str, Any], job: int | bool | None) -> None:
        if job is False:
            return
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self.handle(kind, body)
        except Exception:
            log.exception("slack %s failed; its job will be retried", kind)
            return
        finally:
            if task is not None:
                self._inflight.discard(task)
        if job:
            await finish_inline(self.sessions, int(job), self.clock.now())

    async def handle(self, kind: str, body: dict[str, Any]) -> None:
        handler = {
            "message": self.on_message,
            "action": self.on_action,
            "unknown_action": self.on_unknown_action,
            "command": self.on_command,
            "grant": self.on_grant,
        }[kind]
        await handler(body)

    async def _shop_of(self, kind: str, body: dict[str, Any]) -> str | None:
        """The shop whose case a Slack payload is about; None for one that concerns no case of ours (the
        handlers ignore those, so there is nothing to keep)."""
        case_id: int | None = None
        if kind == "message":
            event = body.get("event") or {}
            inner = event.get("message") or event.get("previous_message") or {}
            thread = await self._thread_at(event.get("channel"), event.get("thread_ts") or inner.get("thread_ts"))
            return thread.shop_id if thread is not None else None
        if kind == "action":
            action = (body.get("actions") or [{}])[0]
            parsed = parse_value(action.get("value") or (action.get("selected_option") or {}).get("value"))
            case_id = parsed[0] if parsed else None
        elif kind == "command":
            case_id = parse_command(body.get("text", ""))
        elif kind == "grant":
            case_id = (parse_grant_command(body.get("text", "")) or (None, ""))[0]
        if case_id is None:
            return None
        async with self.sessions() as session:
            return (await session.execute(select(Case.shop_id).where(Case.id == case_id))).scalar_one_or_none()

    async def drain(self) -> None:
        """Wait until the work of every payload accepted so far has finished (tests, a graceful shutdown)."""
        for _ in range(5):
            await asyncio.sleep(0)  # let bolt's just-started listener tasks run up to their work
            while self._inflight:
                await asyncio.gather(*list(self._inflight), return_exceptions=True)

    async def staff_for(self, user_id: str) -> Staff:
        if user_id not in self._names:
            try:
                info = await self.client.users_info(user=user_id)
                profile = info["user"].get("profile", {})
                name = profile.get("display_name") or profile.get("real_name") or info["user"].get("real_name")
                self._names[user_id] = first_name(name) if name else "Staff"
            except Exception as exc:  # a name is nice to have; the reply still goes out
                log.warning("users.info %s failed: %s", user_id, exc)
                return Staff(user_id, "Staff")
        return Staff(user_id, self._names[user_id])

    async def on_message(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return await self._edited(body, event)
        if subtype == "message_deleted":
            return await self._deleted(body, event)
        if event.get("bot_id") or subtype is not None:
            return  # our own posts, other bots, joins: never relayed
        thread_ts, channel = event.get("thread_ts"), event.get("channel")
        if not thread_ts or thread_ts == event.get("ts"):
            return  # a top-level message in the channel, not a reply to a case
        thread = await self._thread_at(channel, thread_ts)
        if thread is None:
            log.info("ignored a reply in thread %s/%s: not a case thread of ours", channel, thread_ts)
            return
        text = slack_text(event.get("text", ""))
        if is_internal(text) or not text:
            return  # a note for staff only
        relay = await self._claim(body, event, thread, "reply")
        if relay is None:
            return
        staff = await self.staff_for(event.get("user", ""))
        try:
            done = await staff_actions.reply(self, thread.case_id, staff, text)
        except StaffActionError as exc:
            log.warning("reply in case %s thread refused: %s", thread.case_id, exc.error)
            await self._set_relay(relay, kind="refused")
            await self._note(thread, f"Not sent to the buyer: {exc.message}. {exc.fix}.")
            return
        except Exception:
            await self._forget(relay)  # let Slack's retry (or a resend) try again
            raise
        await self._set_relay(relay, message_id=done.message_id)

    async def _edited(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        message = event.get("message") or {}
        if message.get("bot_id"):
            return
        relayed = await self._relayed(event.get("channel"), message.get("ts"))
        if relayed is None:
            return  # not a message we relayed (a note, or another thread)
        thread = await self._thread_at(event.get("channel"), message.get("thread_ts"))
        if thread is None or await self._claim(body, event, thread, "edit") is None:
            return
        text = slack_text(message.get("text", ""))
        async with self.sessions() as session, session.begin():
            row = await session.get(Message, relayed.message_id) if relayed.message_id else None
            if row is not None and row.status == "pending":
                # Not delivered yet: the buyer gets the edited text only (inside the bot's "Maja writes:" frame).
                old = slack_text((event.get("previous_message") or {}).get("text", ""))
                row.text = row.text.replace(old, text) if old and old in row.text else text
                return
        if not text or is_internal(text):
            return
        # Already delivered: a chat cannot be edited on every channel, so the correction follows as a new message.
        staff = await self.staff_for(message.get("user", ""))
        try:
            done = await staff_actions.reply(self, thread.case_id, staff, text)
        except StaffActionError as exc:
            await self._note(thread, f"The edit was not sent: {exc.message}.")
            return
        async with self.sessions() as session, session.begin():
            relayed = await session.get(SlackRelay, relayed.id)
            if relayed is not None:
                relayed.message_id = done.message_id
        await self._note(thread, "The buyer already had the first version; the edited text was sent as a new message.")

    async def _deleted(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        relayed = await self._relayed(event.get("channel"), ts)
        if relayed is None or relayed.message_id is None:
            return
        thread = await self._thread_at(event.get("channel"), (event.get("previous_message") or {}).get("thread_ts"))
        if thread is None or await self._claim(body, event, thread, "delete") is None:
            return
        async with self.sessions() as session, session.begin():
            row = await session.get(Message, relayed.message_id)
            withdrawn = row is not None and row.status == "pending"
            if withdrawn:
                row.status = "suppressed"  # the outbox skips it
        note = (
            "Deleted before delivery: the buyer will not see it."
            if withdrawn
            else "That message was already delivered to the buyer; deleting it in Slack cannot unsend it."
        )
        await self._note(thread, note)

    async def on_action(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        action_id = action.get("action_id", "")
        value = action.get("value") or (action.get("selected_option") or {}).get("value")
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id")
        parsed = parse_value(value)
        if parsed is None:
            log.warning("slack action %s with a bad value %r ignored", action_id, value)
            return await self._ephemeral(channel, user, "That button carries no case id Mediator understands.")
        case_id, arg = parsed
        if not await self._acts_here(case_id, channel):
            log.warning(
                "slack action %s on case %s from channel %s refused: not the case's shop", action_id, case_id, channel
            )
            return await self._ephemeral(channel, user, NOT_HERE.format(case_id=case_id))
        thread = await self._thread_of(case_id)
        if thread is not None and action.get("action_ts"):
            # A signed payload replayed within Slack's 5 minutes carries the same action_ts: act on it once.
            once = {"event_id": f"action:{action.get('action_ts')}:{user}:{action_id}"}
            if await self._claim(once, {"channel": channel}, thread, "action") is None:
                return None
        staff = await self.staff_for(user)
        try:
            if action_id == "mediator_take_over":
                done = await staff_actions.take_over(self, case_id, staff)
            elif action_id == "mediator_hand_back":
                done = await staff_actions.hand_back(self, case_id, staff)
            elif action_id in ("mediator_approve", "mediator_reject"):
                done = await staff_actions.hand_back(self, case_id, staff, approved=action_id == "mediator_approve")
            elif action_id == "mediator_close":
                done = await staff_actions.close(self, case_id, staff, arg or "")
            else:
                done = await staff_actions.flag(self, case_id, staff, arg or "")
        except StaffActionError as exc:
            log.warning("slack action %s on case %s refused: %s", action_id, case_id, exc.error)
            return await self._ephemeral(channel, user, f"{exc.message}: {exc.fix}.")
        thread = await self._thread_of(case_id)
        if thread is not None:
            await self._note(thread, f"<@{user}> · {done.note}" if user else done.note)
            await self.refresh_card(case_id)

    async def on_unknown_action(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        log.warning("unknown slack action id %r ignored", action.get("action_id"))
        await self._ephemeral(
            (body.get("channel") or {}).get("id"),
            (body.get("user") or {}).get("id", ""),
            f"Mediator does not know the action {action.get('action_id')!r}; this card may be out of date.",
        )

    async def on_command(self, body: dict[str, Any]) -> None:
        case_id = parse_command(body.get("text", ""))
        if case_id is None:
            return  # the ack already showed the usage
        card = None
        if await self._acts_here(case_id, body.get("channel_id")):
            async with self.sessions() as session:
                card = await load_card(session, case_id, self.clock.now())
        if card is None:  # another shop's case reads as no case: nothing is said about it here
            text = NOT_HERE.format(case_id=case_id)
        else:
            owner = card.owner or "nobody"
            outcome = f" · outcome {card.outcome}" if card.outcome else ""
            text = (
                f"Case {card.case_id}: {card.stage}{outcome} · {card.kind}, {card.topic} · team {card.team_name} · "
                f"owner {owner} · {card.time_left} left · {card.reason}"
            )
        await self._ephemeral(body.get("channel_id"), body.get("user_id", ""), text)

    async def on_grant(self, body: dict[str, Any]) -> None:
        """`/mediator grant ID TYPE [AMOUNT|PERCENT%] [item] [part: PART]` in the channel of the case's thread
        (issue 19): the same grant as /staff's, scoped to the shop whose channel the command comes from; the note
        goes to the case's thread, a refusal to the person alone."""
        parsed = parse_grant_command(body.get("text", ""))
        channel, user = body.get("channel_id"), body.get("user_id", "")
        if parsed is None:
            return
        case_id, rest = parsed
        thread = await self._thread_of(case_id)
        if thread is None or thread.channel_id is None or thread.channel_id != channel:
            # Another shop's case, or one whose thread lives elsewhere: nothing is said about it here.
            return await self._ephemeral(
                channel, user, f"Case {case_id} is not handled in this channel: grant it in the case's own channel."
            )
        staff = await self.staff_for(user)
        try:
            remedy_type, amount, percent, item, part = parse_grant(rest)
            done = await staff_actions.grant(
                self, case_id, staff, remedy_type, amount, percent, item, part=part, shop_id=thread.shop_id
            )
        except GrantRefused as exc:
            return await self._ephemeral(channel, user, f"{exc.field}: {exc.message}: {exc.fix}.")
        except StaffActionError as exc:
            log.warning("slack grant on case %s refused: %s", case_id, exc.error)
            # A refused value (`bad_part`, `bad_amount`) names its field, as a parsing refusal does.
            field = exc.error.removeprefix("bad_") + ": " if exc.error.startswith("bad_") else ""
            return await self._ephemeral(channel, user, f"{field}{exc.message}: {exc.fix}.")
        await self._note(thread, f"<@{user}> · {done.note}" if user else done.note)
        await self.refresh_card(case_id)

    # ── storage helpers ─────────────────────────────────────────────────────────────────────────

    async def _thread_at(self, channel: str | None, ts: str | None) -> SlackThread | None:
        if not channel or not ts:
            return None
        async with self.sessions() as session:
            return (
                await session.execute(
                    select(SlackThread).where(SlackThread.channel_id == channel, SlackThread.thread_ts == ts)
                )
            ).scalar_one_or_none()

    async def _acts_here(self, case_id: int, channel: str | None) -> bool:
        """May a button or command in `channel` act on this case (review L8)? Only from a channel of the case's
        own shop: the case's thread is there, or the channel holds threads of that shop and no other. A channel
        with no case threads yet speaks for the shop only when the deployment has one shop."""
        if not channel:
            return False
        async with self.sessions() as session:
            case = await session.get(Case, case_id)
            if case is None:
                return False
            shops = set(
                (await session.execute(select(SlackThread.shop_id).where(SlackThread.channel_id == channel)))
                .scalars()
                .all()
            )
            own = (
                await session.execute(
                    select(SlackThread.id).where(SlackThread.case_id == case_id, SlackThread.channel_id == channel)
                )
            ).first()
            if own is not None or shops == {case.shop_id}:
                return True
            if shops:
                return False
            return len((await session.execute(select(Shop.id).limit(2))).all()) == 1

    async def _thread_of(self, case_id: int) -> SlackThread | None:
        async with self.sessions() as session:
            return await case_thread(session, case_id)

    async def _relayed(self, channel: str | None, ts: str | None) -> SlackRelay | None:
        if not channel or not ts:
            return None
        async with self.sessions() as session:
            return (
                await session.execute(
                    select(SlackRelay).where(
                        SlackRelay.channel_id == channel, SlackRelay.slack_ts == ts, SlackRelay.kind == "reply"
                    )
                )
            ).scalar_one_or_none()

    async def _claim(
        self, body: dict[str, Any], event: dict[str, Any], thread: SlackThread, kind: str
    ) -> SlackRelay | None:
        """Record that we act on this event; None when it was seen before (a retry): then we do nothing.

        The one exception is this event's own claim left unfinished (no message id) by a process that died
        while handling it: its `slack_in` job is being retried, so the reply is taken up again. (A death in
        the instant between the reply's commit and the claim's update can repeat that one reply.)"""
        event_id = str(body.get("event_id") or f"{event.get('channel')}:{event.get('event_ts') or event.get('ts')}")
        client_msg_id = event.get("client_msg_id") if kind == "reply" else None
        async with self.sessions() as session:
            seen = (
                (
                    await session.execute(
                        select(SlackRelay).where(
                            (SlackRelay.event_id == event_id[:64])
                            | ((SlackRelay.client_msg_id == client_msg_id) if client_msg_id else False)
                        )
                    )
                )
                .scalars()
                .first()
            )
        if seen is not None:
            if seen.event_id == event_id[:64] and seen.kind == kind == "reply" and seen.message_id is None:
                log.info("slack event %s: taking up a reply a stopped process left unfinished", event_id)
                return seen
            log.info("slack event %s already handled; not relayed again", event_id)
            return None
        relay = SlackRelay(
            shop_id=thread.shop_id,
            case_id=thread.case_id,
            event_id=event_id[:64],
            client_msg_id=client_msg_id,
            channel_id=event.get("channel"),
            slack_ts=event.get("ts") if kind == "reply" else None,
            kind=kind,
            at=self.clock.now(),
        )
        try:
            async with self.sessions() as session, session.begin():
                session.add(relay)
        except IntegrityError:  # the same event, handled concurrently by another worker
            log.info("slack event %s already handled; not relayed again", event_id)
            return None
        return relay

    async def _set_relay(self, relay: SlackRelay, **values: Any) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(SlackRelay, relay.id)
            if row is not None:
                for k, v in values.items():
                    setattr(row, k, v)

    async def _forget(self, relay: SlackRelay) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(SlackRelay, relay.id)
            if row is not None:
                await session.delete(row)

    # ── sending ─────────────────────────────────────────────────────────────────────────────────

    async def _note(self, thread: SlackThread, text: str) -> None:
        if thread.channel_id and thread.thread_ts:
            try:
                await self.client.chat_postMessage(channel=thread.channel_id, thread_ts=thread.thread_ts, text=text)
            except Exception as exc:  # a note is informational; the action itself already happened
                log.warning("note to case %s thread failed: %s", thread.case_id, exc)

    async def _ephemeral(self, channel: str | None, user: str, text: str) -> None:
        if not channel or not user:
            return
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:
            log.warning("ephemeral message to %s failed: %s", user, exc)

    async def refresh_card(self, case_id: int) -> None:
        async with self.sessions() as session:
            thread = await case_thread(session, case_id)
            card = await load_card(session, case_id, self.clock.now())
        if thread is None or card is None or not thread.thread_ts or not thread.channel_id:
            return
        try:
            await self.client.chat_update(
                channel=thread.channel_id, ts=thread.thread_ts, text=card_text(card), blocks=card_blocks(card)
            )
        except Exception as exc:
            log.warning("card of case %s not refreshed: %s", case_id, exc)


def build_slack(
    settings: Any, sessions: Any, clock: Any, conversation: Any, channels: Any = None
) -> SlackHandoff | None:
    """The Slack handoff when configured, else None (staff use /staff); one start-up line either way."""
    s = settings.slack
    missing = s.missing()
    if missing:
        log.info("slack handoff off (staff use the /staff inbox): set %s", ", ".join(missing))
        return None
    slack = SlackHandoff(settings, sessions, clock, conversation)
    if s.socket_mode and channels is not None:
        channels.background.append(SocketMode(slack, s.app_token))
        log.info("slack handoff on (Socket Mode)")
    else:
        log.info("slack handoff on at /webhooks/slack")
    return slack


class SocketMode:
    """Socket Mode for a deployment without a public URL; started and stopped with the scheduler."""

    def __init__(self, slack: SlackHandoff, app_token: str):
        self.slack, self.app_token, self.handler = slack, app_token, None

    def start(self, runtime: Any) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.handler = AsyncSocketModeHandler(self.slack.app, self.app_token)
        self.task = asyncio.create_task(self.handler.connect_async(), name="slack-socket-mode")

    async def stop(self) -> None:
        if self.handler is not None:
            await self.handler.close_async()


# ── the webhook ──────────────────────────────────────────────────────────────────────────────────


MAX_AGE = 60 * 5  # Slack's rule: a request older than five minutes may be a replay


def is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 20  # "¹".isdigit() is True, int("¹") is not


def signature_ok(secret: str, body: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 scheme (what slack_sdk's SignatureVerifier checks), on raw bytes so that any body is safe."""
    if not is_number(timestamp) or abs(time.time() - int(timestamp)) > MAX_AGE:
        return False
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


@router.post("/webhooks/slack", include_in_schema=True)
async def slack_webhook(request: Request) -> Response:
    """Slack's Events API, interactivity and the /mediator command; signature and timestamp are verified."""
    slack: SlackHandoff | None = getattr(request.app.state.runtime, "slack", None)
    if slack is None:
        raise ApiError(
            404,
            "slack_off",
            "the Slack handoff is not configured",
            field="SLACK_BOT_TOKEN",
            fix="set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or use the /staff inbox",
        )
    # Verified here first, on the raw bytes, so nothing unauthenticated reaches bolt's parsers (bolt checks again).
    body = await request.body()
    ts = request.headers.get("x-slack-request-timestamp", "")
    if not signature_ok(slack.settings.slack.signing_secret, body, ts, request.headers.get("x-slack-signature", "")):
        stale = not is_number(ts) or abs(time.time() - int(ts)) > MAX_AGE
        log.warning("slack request rejected: bad signature or stale timestamp (%s)", "stale" if stale else "forged")
        raise ApiError(
            401,
            "stale_timestamp" if stale else "bad_signature",
            "the request timestamp is missing or older than 5 minutes" if stale else "the signature does not match",
            field="X-Slack-Request-Timestamp" if stale else "X-Slack-Signature",
            fix="sign each request with the app's signing secret (v0 HMAC-SHA256) when it is sent",
        )
    try:
        body.decode("utf-8")
        response = await slack.handler.handle(request)
    except Exception as exc:  # a signed but malformed payload: refuse it, never a 500
        log.warning("slack request refused: malformed payload (%s)", type(exc).__name__)
        raise ApiError(
            400, "bad_payload", "the Slack payload could not be read", field="payload", fix="send Slack's JSON"
        ) from None
    if response.status_code == 404:
        log.warning("slack request matched no listener; ignored")
    return response


# ── jobs: what we send to Slack ──────────────────────────────────────────────────────────────────


async def case_thread(session: Any, case_id: int) -> SlackThread | None:
    """The case's one Slack thread row, if it has one (`staff_actions.thread_for` creates it on first need)."""
    return (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one_or_none()


async def _call(what: str, coro: Any) -> Any:
    try:
        return await coro
    except Exception as exc:  # Slack down, rate limited, misconfigured: retried with backoff, never dropped
        raise RetryLater(f"slack {what} failed: {type(exc).__name__}: {exc}") from None


@job_handler(SLACK_IN, external=True, max_attempts=20)
async def slack_in(ctx: JobContext, job: Any) -> None:
    """A Slack payload whose work did not finish where it was answered (the process died): do it now."""
    slack: SlackHandoff | None = ctx.slack
    if slack is None:
        raise RetryLater("slack is not configured in this process")
    await slack.handle(job.payload["kind"], job.payload["body"])


@job_handler("slack_card", external=True, max_attempts=60)
async def post_card(ctx: JobContext, job: Any) -> None:
    """Post the case card to the team's channel (first handoff), or refresh it and say why (a later one)."""
    now = ctx.clock.now()
    purpose = (job.payload or {}).get("purpose", "handoff")
    async with ctx.sessions() as session, session.begin():
        case = await session.get(Case, job.case_id)
        if case is None:
            return
        thread = await staff_actions.thread_for(session, case, now, purpose)
        thread_id, posted = thread.id, bool(thread.thread_ts)
        channel = (await active_bundle(session, case.shop_id)).routing.teams.get(thread.team)
        card = await load_card(session, case.id, now)
    slack: SlackHandoff | None = ctx.slack
    if slack is None or card is None:
        return  # no Slack: the /staff inbox lists the case
    if posted:
        await slack.refresh_card(card.case_id)
        async with ctx.sessions() as session:
            thread = await session.get(SlackThread, thread_id)
        await slack._note(thread, f"Handed off again: {card.reason}.")
        return
    if channel is None or not channel.slack_channel:
        log.warning("case %s: team %s has no slack_channel in routing.yml; only /staff shows it", case.id, card.team)
        return
    sent = await _call(
        "chat.postMessage",
        slack.client.chat_postMessage(channel=channel.slack_channel, text=card_text(card), blocks=card_blocks(card)),
    )
    async with ctx.sessions() as session, session.begin():
        thread = await session.get(SlackThread, thread_id)
        last_in = (
            await session.execute(
                select(func.max(Message.id)).where(Message.case_id == job.case_id, Message.direction == "in")
            )
        ).scalar()
        thread.channel_id, thread.thread_ts, thread.updated_at = sent["channel"], sent["ts"], now
        thread.relayed_message_id = last_in  # the card shows the conversation so far
        has_photos = (await session.execute(select(Photo.id).where(Photo.case_id == job.case_id).limit(1))).first()
        if has_photos and last_in:  # the photos of the conversation so far go into the new thread
            await _schedule_photos(session, thread, last_in, now)


@job_handler("slack_relay", external=True, max_attempts=60)
async def relay_buyer(ctx: JobContext, job: Any) -> None:
    """Show the buyer's new messages in the case's thread, in order, each once."""
    slack: SlackHandoff | None = ctx.slack
    if slack is None:
        return
    async with ctx.sessions() as session:
        thread = await case_thread(session, job.case_id)
        if thread is None or not thread.thread_ts:
            pending = (
                await session.execute(
                    select(func.count()).where(Message.case_id == job.case_id, Message.direction == "in")
                )
            ).scalar()
            if pending and await _card_pending(session, job.case_id):
                raise RetryLater("the case card is not in Slack yet")
            return
        rows = (
            await session.execute(
                select(Message.id, Message.text, Message.channel, Message.meta)
                .where(
                    Message.case_id == job.case_id,
                    Message.direction == "in",
                    Message.id > (thread.relayed_message_id or 0),
                )
                .order_by(Message.id)
            )
        ).all()
        card = await load_card(session, job.case_id, ctx.clock.now())
    who = card.buyer if card else "Buyer"
    for message_id, text, channel, meta in rows:
        photo = PHOTO_NOTE if (meta or {}).get("photo") else ""
        sent = await _call(
            "chat.postMessage",
            slack.client.chat_postMessage(
                channel=thread.channel_id,
                thread_ts=thread.thread_ts,
                text=f"*{mrkdwn(who)}* ({channel}): {mrkdwn(mask_text(text))}{photo}",
            ),
        )
        async with ctx.sessions() as session, session.begin():
            row = await session.get(SlackThread, thread.id)
            row.relayed_message_id = message_id  # so a retry after a failure resumes after this one
            if photo:  # the photo itself follows its words, from a job of its own (retried on its own)
                await _schedule_photos(session, row, message_id, ctx.clock.now())
            # Where the copy lives in Slack: erasing the buyer deletes it there too (review M9).
            session.add(
                SlackRelay(
                    shop_id=row.shop_id,
                    case_id=row.case_id,
                    event_id=f"{RELAYED_BUYER}:{message_id}",
                    channel_id=sent.get("channel") or thread.channel_id,
                    slack_ts=sent.get("ts"),
                    kind=RELAYED_BUYER,
                    message_id=message_id,
                    at=ctx.clock.now(),
                )
            )


async def _schedule_photos(session: Any, thread: SlackThread, message_id: int, now: datetime) -> None:
    await schedule(
        session,
        shop_id=thread.shop_id,
        kind=SLACK_PHOTOS,
        run_at=now,
        now=now,
        case_id=thread.case_id,
        dedupe_key=f"{SLACK_PHOTOS}:{thread.case_id}:{message_id}",
    )


# A photo's claim (its `photo:{id}` row in slack_relays) that is older than this and not done is taken to be
# a dead run's (a process killed mid-upload): the next run takes it over. Well beyond the three calls of an
# upload at the client's timeout (`SlackSettings.timeout_seconds`, 30 s by default, each).
UPLOAD_CLAIM_TIMEOUT = timedelta(minutes=5)
DONE = "done"


@job_handler(SLACK_PHOTOS, external=True, max_attempts=60)
async def upload_photos(ctx: JobContext, job: Any) -> None:
    """Upload each photo of the buyer's messages shown in the case's thread so far (issue 21.4), once.

    Once, as far as Slack's API allows: before the upload, a `slack_relays` row `photo:{id}` is committed as
    its claim (unique); the external upload's file id is written to it (`slack_ts`) before the file is
    completed into the thread, and the row's `channel_id` only once Slack said it is shared there (done). A
    failure after the file id was given (an error answer, a timeout or a dropped connection while completing)
    releases the claim with the file id kept: the retry asks Slack (`files.info`) whether that file is shared in
    the thread already, and uploads anew only if not, so a file Slack shared before the answer was lost is not
    shown twice. A process killed mid-upload leaves its claim; once it is `UPLOAD_CLAIM_TIMEOUT` old, the job's
    next run (the lease ran out) takes it over the same way. The title and alt text name the case only: the
    buyer's own words, which may carry their name or address, are the masked message above it."""
    slack: SlackHandoff | None = ctx.slack
    if slack is None:
        return
    async with ctx.sessions() as session:
        thread = await case_thread(session, job.case_id)
        if thread is None or not thread.thread_ts or not thread.relayed_message_id:
            return
        metas = await session.execute(
            select(Message.meta)
            .where(Message.case_id == job.case_id, Message.direction == "in", Message.id <= thread.relayed_message_id)
            .order_by(Message.id)
        )
        wanted = [int(m["photo"]) for m in metas.scalars() if isinstance((m or {}).get("photo"), int)]
        done = set(
            (
                await session.execute(
                    select(SlackRelay.event_id).where(
                        SlackRelay.event_id.in_([photos.slack_event_id(i) for i in wanted]),
                        SlackRelay.channel_id.is_not(None),
                    )
                )
            ).scalars()
        )
    busy = 0
    for photo_id in wanted:
        if photos.slack_event_id(photo_id) not in done and not await _upload_photo(ctx, slack, thread, photo_id):
            busy += 1
    if busy:  # another run holds them: come back, to find them done or their claim gone stale
        raise RetryLater(f"{busy} photo(s) of case {job.case_id} are being uploaded by another run")


async def _upload_photo(ctx: JobContext, slack: SlackHandoff, thread: SlackThread, photo_id: int) -> bool:
    """Upload one photo into the thread unless it is there; False when a live claim of another run holds it."""
    async with ctx.sessions() as session:
        photo = await photos.of_case(session, thread.shop_id, thread.case_id, photo_id)
    if photo is None:
        return True  # erased or purged meanwhile: nothing to show
    claim = await _claim_photo(ctx, thread, photo_id)
    if claim is None:
        return False
    if claim == DONE:
        return True
    assert isinstance(claim, tuple)
    claim_id, earlier_file = claim
    try:
        shared = bool(earlier_file) and await _shared_in(slack, earlier_file or "", thread)
    except RetryLater:
        await _release_claim(ctx, claim_id)
        raise
    if shared and earlier_file:
        await _photo_done(ctx, slack, claim_id, earlier_file, thread)  # Slack shared it; only the answer was lost
        return True
    ext = photos.EXTENSIONS.get(photo.content_type, "img")
    file_id = None
    try:
        url = await slack.client.files_getUploadURLExternal(
            filename=f"case-{thread.case_id}-photo-{photo_id}.{ext}",
            length=len(photo.data),
            alt_txt=f"A photo the buyer sent for case {thread.case_id}",
        )
        file_id = url["file_id"]
        async with ctx.sessions() as session, session.begin():  # known before it can be shared: see the docstring
            await session.execute(update(SlackRelay).where(SlackRelay.id == claim_id).values(slack_ts=file_id))
        await _post_bytes(slack.client, url["upload_url"], photo.data)
        await slack.client.files_completeUploadExternal(
            files=[{"id": file_id, "title": f"Photo from the buyer, case {thread.case_id}"}],
            channel_id=thread.channel_id,
            thread_ts=thread.thread_ts,
        )
    except Exception as exc:  # refused, Slack down, or no answer: the claim is released for the retry
        if file_id is None:  # nothing reached Slack: the claim simply goes
            async with ctx.sessions() as session, session.begin():
                await session.execute(delete(SlackRelay).where(SlackRelay.id == claim_id))
        else:  # the file may be shared already: the retry asks Slack before uploading again
            await _release_claim(ctx, claim_id)
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        raise RetryLater(f"slack photo upload failed: {error}") from None
    await _photo_done(ctx, slack, claim_id, file_id, thread)
    return True


async def _claim_photo(ctx: JobContext, thread: SlackThread, photo_id: int) -> tuple[int, str | None] | str | None:
    """This run's claim on the photo: (the claim row's id, the file id an earlier run got, if any); `DONE` when
    there is nothing to do; None while another run's claim is live. A claim older than `UPLOAD_CLAIM_TIMEOUT`
    is taken over, with a compare-and-set on its time so two runs never both take it."""
    now = ctx.clock.now()
    event_id = photos.slack_event_id(photo_id)
    try:
        async with ctx.sessions() as session, session.begin():
            row = SlackRelay(
                shop_id=thread.shop_id, case_id=thread.case_id, event_id=event_id, kind=photos.SLACK_COPY, at=now
            )
            session.add(row)
        return row.id, None
    except IntegrityError:
        pass
    async with ctx.sessions() as session, session.begin():
        held = (await session.execute(select(SlackRelay).where(SlackRelay.event_id == event_id))).scalar_one_or_none()
        if held is None or held.channel_id is not None:
            return DONE  # erased meanwhile, or another run finished it
        if held.at > now - UPLOAD_CLAIM_TIMEOUT:
            return None
        taken = await session.execute(
            update(SlackRelay).where(SlackRelay.id == held.id, SlackRelay.at == held.at).values(at=now)
        )
        return (held.id, held.slack_ts) if taken.rowcount == 1 else None  # type: ignore[attr-defined]


async def _release_claim(ctx: JobContext, claim_id: int) -> None:
    """Let any run take the claim over at once, keeping the file id it holds (made stale, not deleted)."""
    stale = ctx.clock.now() - UPLOAD_CLAIM_TIMEOUT - timedelta(seconds=1)
    async with ctx.sessions() as session, session.begin():
        await session.execute(update(SlackRelay).where(SlackRelay.id == claim_id).values(at=stale))


async def _shared_in(slack: SlackHandoff, file_id: str, thread: SlackThread) -> bool:
    """Whether Slack shows the file in the thread's channel (files.info: `shares`, or `channels`/`groups`)."""
    try:
        info = (await slack.client.files_info(file=file_id))["file"]
    except SlackApiError as exc:
        if exc.response.get("error") in FILE_GONE:
            return False  # never completed: Slack kept nothing
        raise RetryLater(f"slack files.info failed: {exc.response.get('error')}") from None
    except Exception as exc:
        raise RetryLater(f"slack files.info failed: {type(exc).__name__}") from None
    shares = info.get("shares") or {}
    places = {*shares.get("public", {}), *shares.get("private", {}), *info.get("channels", []), *info.get("groups", [])}
    return thread.channel_id in places


async def _post_bytes(client: AsyncWebClient, url: str, data: bytes) -> None:
    """Step 2 of Slack's external upload: the bytes POSTed to the URL files.getUploadURLExternal gave (what
    files_upload_v2 does in between; done here so the file id is recorded before the file is completed)."""
    timeout = aiohttp.ClientTimeout(total=client.timeout)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.post(url, data=data, ssl=client.ssl, proxy=client.proxy) as answer,
    ):
        if answer.status != 200:
            raise RuntimeError(f"the upload URL answered HTTP {answer.status}")


async def _photo_done(ctx: JobContext, slack: SlackHandoff, claim_id: int, file_id: str, thread: SlackThread) -> None:
    """Mark the claim done: the file id (erasure and retention delete it: files.delete) and its channel."""
    async with ctx.sessions() as session, session.begin():
        row = await session.get(SlackRelay, claim_id)
        if row is not None:
            row.slack_ts, row.channel_id = file_id, thread.channel_id
    if row is None:  # the buyer was erased during the upload: the copy goes at once
        await _call("files.delete", slack.client.files_delete(file=file_id))


@job_handler(SLACK_ERASE, external=True, max_attempts=60)
async def erase_copies(ctx: JobContext, job: Any) -> None:
    """An erased buyer's copies in Slack (review M9): relayed messages and uploaded photos deleted, case cards
    blanked; or (retention) old photos' files deleted. Each call is idempotent (a message or file already gone
    counts as deleted), so a retry after an outage redoes the whole list."""
    slack: SlackHandoff | None = ctx.slack
    if slack is None:
        raise RetryLater("slack is not configured in this process")
    payload = job.payload or {}
    deleted = blanked = files = 0
    for file_id in payload.get("files", []):
        try:
            await slack.client.files_delete(file=file_id)
        except SlackApiError as exc:
            if exc.response.get("error") not in FILE_GONE:
                raise RetryLater(f"slack files.delete failed: {exc.response.get('error')}") from None
        except Exception as exc:
            raise RetryLater(f"slack files.delete failed: {type(exc).__name__}") from None
        files += 1
    for channel, ts in payload.get("messages", []):
        try:
            await slack.client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as exc:
            if exc.response.get("error") not in GONE:
                raise RetryLater(f"slack chat.delete failed: {exc.response.get('error')}") from None
        except Exception as exc:  # Slack down: retried with backoff
            raise RetryLater(f"slack chat.delete failed: {type(exc).__name__}") from None
        deleted += 1
    for case_id, channel, ts in payload.get("cards", []):
        text = f"Case {case_id}: the buyer's personal data was erased at their request."
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        try:
            await slack.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            if exc.response.get("error") not in GONE:
                raise RetryLater(f"slack chat.update failed: {exc.response.get('error')}") from None
        except Exception as exc:
            raise RetryLater(f"slack chat.update failed: {type(exc).__name__}") from None
        blanked += 1
    async with ctx.sessions() as session, session.begin():
        data = {"messages_deleted": deleted, "cards_blanked": blanked, "files_deleted": files}
        # Retention's job names no buyer: its files are old photos of closed cases.
        target = f"buyer:{payload['buyer_id']}" if payload.get("buyer_id") else "retention"
        record(session, job.shop_id, "mediator", "system", "slack_erased", ctx.clock.now(), target=target, data=data)


async def _card_pending(session: Any, case_id: int) -> bool:
    from bot.store.models import Job

    return (
        await session.execute(
            select(Job.id).where(
                Job.case_id == case_id, Job.kind == "slack_card", Job.status.in_(["pending", "running"])
            )
        )
    ).first() is not None


@job_handler("slack_reminder", external=True, max_attempts=60)
async def remind(ctx: JobContext, job: Any) -> None:
    """A handoff nobody answered, or a deadline close: ping the thread and its owner."""
    slack: SlackHandoff | None = ctx.slack
    if slack is None:
        return
    kind = (job.payload or {}).get("reminder", "staff_reminder")
    since = datetime.fromisoformat((job.payload or {}).get("since") or job.created_at.isoformat())
    async with ctx.sessions() as session:
        case = await session.get(Case, job.case_id)
        if case is None or case.stage == Stage.CLOSED:
            return
        if kind == "staff_reminder":
            answered = (
                await session.execute(
                    select(Message.id).where(
                        Message.case_id == case.id, Message.role == "staff", Message.created_at >= since
                    )
                )
            ).first()
            if answered is not None:
                return
        thread = await case_thread(session, case.id)
        card = await load_card(session, case.id, ctx.clock.now())
        team = (await active_bundle(session, case.shop_id)).routing.teams.get(card.team) if card else None
    if card is None:
        return
    owner = f"<@{thread.owner_id}>" if thread and thread.owner_id else "Nobody has taken it yet"
    if kind == "staff_reminder":
        text = f"{owner} · case {card.case_id} is waiting for an answer ({card.reason}); {card.time_left} left."
    else:
        text = f"{owner} · case {card.case_id}: the deadline is close, {card.time_left} left ({card.deadline_at[:10]})."
    if thread is not None and thread.thread_ts:
        await _call(
            "chat.postMessage",
            slack.client.chat_postMessage(channel=thread.channel_id, thread_ts=thread.thread_ts, text=text),
        )
    elif team is not None and team.slack_channel:
        await _call("chat.postMessage", slack.client.chat_postMessage(channel=team.slack_channel, text=text))
