"""Telegram through aiogram 3 (issue 5).

POST /webhooks/telegram              Telegram's updates; `X-Telegram-Bot-Api-Secret-Token` must match
GET  /api/cases/{id}/telegram-link   (shop API key) → {"url": "https://t.me/<bot>?start=<token>", ...}
polling mode (TELEGRAM_POLLING=1)    getUpdates in the background instead of the webhook, for local use

A buyer can only be reached on Telegram after starting the bot, so the shop shows the deep link; its
`/start <token>` binds the chat to the case's buyer. The token is signed (HMAC with the install's key),
expires, and is spent on first use (a `link_token_uses` row). Telegram allows 64 characters of
[A-Za-z0-9_-] in a start parameter, hence a packed binary token rather than channels/tokens.py's JSON.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import io
import json
import logging
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiogram.utils.text_decorations import html_decoration
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select

from bot.inbox.inbox import enqueue_inbound
from bot.outbox import contacts
from bot.outbox.outbox import channels_policy
from bot.platform.config import Settings
from bot.store.models import Case
from bot.web.deps import runtime, shop_id
from bot.web.errors import ApiError
from channels.base import (
    Capabilities,
    Inbound,
    Outbound,
    PhotoRefused,
    Rejected,
    TemporaryFailure,
    Unreachable,
)

log = logging.getLogger("mediator.telegram")
router = APIRouter(tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_TOKEN = struct.Struct(">QI8s")  # case id, expiry (unix seconds), nonce


# ── the deep-link token ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class StartClaims:
    case_id: int
    token_id: str


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"telegram-start|" + payload, hashlib.sha256).digest()[:16]


def start_token(settings: Settings, case_id: int, expires_at: datetime) -> str:
    payload = _TOKEN.pack(case_id, int(expires_at.timestamp()), secrets.token_bytes(8))
    return base64.urlsafe_b64encode(payload + _mac(settings.secret_key(), payload)).rstrip(b"=").decode()


def verify_start_token(settings: Settings, token: str, now: datetime) -> StartClaims | None:
    """The case a start token names, or None if it is malformed, forged or expired."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != _TOKEN.size + 16:
        return None
    payload, mac = raw[: _TOKEN.size], raw[_TOKEN.size :]
    if not hmac.compare_digest(mac, _mac(settings.secret_key(), payload)):
        return None
    case_id, expires, nonce = _TOKEN.unpack(payload)
    if expires < now.timestamp():
        return None
    return StartClaims(case_id, f"tg:{case_id}:{nonce.hex()}")


@router.get("/api/cases/{case_id}/telegram-link", summary="A single-use Telegram deep link for the buyer")
async def telegram_link(case_id: int, request: Request, shop: str = Depends(shop_id)) -> dict[str, str]:
    rt = runtime(request)
    cs = rt.settings.channels
    if "telegram" not in rt.channels.enabled:
        raise ApiError(
            409,
            "channel_off",
            "the Telegram channel is off in this deployment",
            field="TELEGRAM_BOT_TOKEN",
            fix="set " + ", ".join(cs.telegram_missing()) + " and restart",
        )
    async with rt.sessions() as session:
        found = (
            await session.execute(select(Case.id).where(Case.id == case_id, Case.shop_id == shop))
        ).scalar_one_or_none()
    if found is None:
        raise ApiError(404, "not_found", f"no case {case_id} for this shop", field="case_id")
    expires = rt.clock.now() + timedelta(days=cs.telegram_link_ttl_days)
    token = start_token(rt.settings, case_id, expires)
    return {
        "url": f"https://t.me/{cs.telegram_bot_username}?start={token}",
        "token": token,
        "expires_at": expires.isoformat(),
    }


# ── the adapter ──────────────────────────────────────────────────────────────────────────────────


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, broken at a paragraph, line or space where possible."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind(sep, 0, limit + 1) for sep in ("\n\n", "\n", " "))
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


class TelegramChannel:
    name = "telegram"

    def __init__(self, settings: Settings, max_chars: int = 4096):
        cs = settings.channels
        api = TelegramAPIServer.from_base(cs.telegram_api_base) if cs.telegram_api_base else None
        session = AiohttpSession(api=api) if api else AiohttpSession()
        self.bot = Bot(str(cs.telegram_bot_token), session=session)
        self._settings = settings
        self.identity = f"@{cs.telegram_bot_username}"
        self.timeout = cs.send_timeout_seconds
        self.capabilities = Capabilities(buttons=True, max_chars=max_chars)

    def verify_start(self, token: str, now: datetime) -> StartClaims | None:
        """What the inbox asks of this adapter for a /start deep link: the case it names, if genuine."""
        return verify_start_token(self._settings, token, now)

    async def send(self, message: Outbound) -> list[str]:
        limit = min(message.max_chars or self.capabilities.max_chars, self.capabilities.max_chars)
        chunks = split_text(message.text, limit)
        ids: list[str] = []
        for n, chunk in enumerate(chunks):
            markup = None
            if message.buttons and n == len(chunks) - 1:  # the buttons belong under the question
                markup = InlineKeyboardMarkup(
                    inline_keyboard=[
                        [InlineKeyboardButton(text=b.label, callback_data=b.value) for b in message.buttons]
                    ]
                )
            try:
                sent = await self.bot.send_message(
                    chat_id=int(message.to),
                    text=html_decoration.quote(chunk),  # our text is plain: escape anything that looks like markup
                    parse_mode="HTML",
                    reply_markup=markup,
                    request_timeout=int(self.timeout),
                )
            except TelegramForbiddenError as exc:
                raise Unreachable("the buyer blocked the bot", code="403") from exc
            except TelegramRetryAfter as exc:
                raise TemporaryFailure(f"rate limited for {exc.retry_after}s", code="429") from exc
            except TelegramBadRequest as exc:
                if "chat not found" in str(exc).lower():
                    raise Unreachable("chat not found", code="400") from exc
                raise Rejected(str(exc)[:200], code="400") from exc
            except (TimeoutError, TelegramNetworkError, TelegramServerError) as exc:
                raise TemporaryFailure(str(exc)[:200] or type(exc).__name__) from exc
            except TelegramAPIError as exc:
                raise TemporaryFailure(str(exc)[:200]) from exc
            ids.append(f"{sent.chat.id}:{sent.message_id}")
        return ids

    async def fetch_photo(self, media: str, media_type: str | None, limit: int) -> bytes:
        """A photo's bytes by its file_id (getFile, then the file download), stopped past `limit`: the size
        getFile declares is checked first, and the download is capped as it streams, whatever it declared.
        A file declared as something other than an image (a document or a video) is refused unfetched."""
        if media_type is not None and not media_type.lower().startswith("image/"):
            raise PhotoRefused("not_image", f"declared {media_type}")
        try:
            file = await self.bot.get_file(media, request_timeout=int(self.timeout))
            if file.file_size and file.file_size > limit:
                raise PhotoRefused("too_large", f"{file.file_size} bytes")
            if not file.file_path:
                raise TemporaryFailure("getFile gave no file_path")
            capped = _Capped(limit)
            await self.bot.download_file(file.file_path, destination=capped, timeout=int(self.timeout))
        except TelegramBadRequest as exc:
            if "too big" in str(exc).lower():  # the Bot API serves files up to 20 MB
                raise PhotoRefused("too_large", "over the Bot API's download limit") from exc
            # A Bad Request (an unknown or expired file_id) will not mend itself: retrying it would only hold the
            # sender's next messages back (they wait for this one, bot/store/queue.py), so the buyer is asked now.
            raise PhotoRefused("not_fetched", str(exc)[:200]) from exc
        except aiohttp.ClientResponseError as exc:  # its text holds the file URL, which holds the bot's token
            raise TemporaryFailure(f"file download answered {exc.status}", code=str(exc.status)) from None
        except (TelegramAPIError, TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TemporaryFailure(type(exc).__name__) from None  # never the URL: it carries the token
        return capped.getvalue()

    async def answer_button(self, callback_id: str) -> None:
        """Stop the button's spinner; best effort, a missed answer only delays the buyer's UI."""
        with contextlib.suppress(TelegramAPIError, asyncio.TimeoutError):
            await self.bot.answer_callback_query(callback_id, request_timeout=int(self.timeout))

    async def close(self) -> None:
        await self.bot.session.close()


class _Capped(io.BytesIO):
    """A download destination that refuses to grow past `limit`: aiogram writes each chunk as it arrives,
    so an oversize file is dropped after `limit` bytes, not after it was read whole."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise PhotoRefused("too_large", f"more than {self.limit} bytes")
        return super().write(data)


# ── inbound ──────────────────────────────────────────────────────────────────────────────────────


def normalise(update: Update) -> Inbound | str:
    """An Inbound, or the reason the update is ignored."""
    provider_id = str(update.update_id)
    if update.callback_query is not None:
        cq = update.callback_query
        chat = cq.message.chat.id if cq.message is not None else cq.from_user.id
        if cq.data not in ("yes", "no"):
            return "unknown_button"
        return Inbound("telegram", provider_id, str(chat), button=cq.data, callback_id=cq.id)
    message = update.message
    if message is None:
        return "not_a_message"
    chat = str(message.chat.id)
    text = (message.text or message.caption or "").strip()
    lang = message.from_user.language_code if message.from_user else None
    media = _media(message)
    if media is not None:
        file_id, media_type = media
        return Inbound(
            "telegram", provider_id, chat, text=text[:4000], media=file_id, media_type=media_type, language_hint=lang
        )
    kind = _unreadable(message)
    if kind is not None:  # answered with what the bot reads; the words of a captioned voice note still count
        return Inbound("telegram", provider_id, chat, text=text[:4000], attachment=kind, language_hint=lang)
    if not text:
        return "nothing_to_read"  # a service message (a pinned message, a member joined): no buyer spoke
    if text.split()[0].split("@")[0] == "/start":
        parts = text.split(maxsplit=1)
        if len(parts) == 2:
            return Inbound("telegram", provider_id, chat, start_token=parts[1].strip())
        return "start_without_token"
    return Inbound("telegram", provider_id, chat, text=text[:4000], language_hint=lang)


def _media(message: Any) -> tuple[str, str | None] | None:
    """The file a message carries and the type Telegram declared for it, or None for none.

    A photo comes as its sizes, smallest first (staff get the largest). A picture sent "as a file" (the only way
    a phone keeps HEIC or a full-size PNG) is a `document` with an image MIME type: it takes the photo's path,
    and its bytes decide as for any photo. Any other file a buyer attaches (a PDF receipt, a video) goes the same
    way with its declared type, so the job refuses it without fetching it and the buyer hears what the bot can
    take, while the words sent with it still have their turn."""
    if message.photo and message.photo[-1].file_id:
        return message.photo[-1].file_id, None
    if message.document is not None and message.document.file_id:
        return message.document.file_id, message.document.mime_type  # none declared: the bytes decide
    for kind, default in _OTHER_FILES:
        attached = getattr(message, kind, None)
        if attached is not None and attached.file_id:
            return attached.file_id, getattr(attached, "mime_type", None) or default
    return None


def _unreadable(message: Any) -> str | None:
    """What a message with no words and no file to fetch carries, by Telegram's name, when a buyer sent it; None
    for a service message. Nothing here is fetched: a sticker (animated and video ones included) is not a photo
    of anything, and a voice note, a location, a contact, a poll or a dice throw holds nothing the bot can read.
    A file kind lands here only without a file id, and `unknown` is content newer than aiogram: the buyer still
    hears that the bot reads text and photos, rather than silence."""
    kind = str(getattr(message.content_type, "value", message.content_type))
    return kind if kind in _UNREADABLE or kind in _FILE_KINDS else None


# Content a buyer sends that the bot cannot read. Voice notes and audio are here, not among the files: no fetch
# could make them a photo, and "send it as a photo" would be the wrong thing to ask of someone who spoke.
_UNREADABLE = frozenset(
    {
        "sticker",
        "voice",
        "audio",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "game",
        "story",
        "checklist",
        "paid_media",
        "live_photo",
        "gift",
        "unique_gift",
        "unknown",
    }
)


# Attachments that are never a photo, with the type to declare when Telegram names none (a video note has none).
_OTHER_FILES = (
    ("video", "video/mp4"),
    ("video_note", "video/mp4"),
    ("animation", "video/mp4"),
)
_FILE_KINDS = frozenset({"photo", "document", *(kind for kind, _ in _OTHER_FILES)})


async def accept_update(rt: Any, update: Update) -> str:
    """Put one update into the inbox. Returns what happened, for the log and the webhook's answer."""
    inbound = normalise(update)
    if isinstance(inbound, str):
        log.info("telegram update %s ignored: %s", update.update_id, inbound)
        return inbound
    now = rt.clock.now()
    invalid = False
    async with rt.sessions() as session, session.begin():
        if inbound.start_token:
            claims = verify_start_token(rt.settings, inbound.start_token, now)
            shop = (
                (await session.execute(select(Case.shop_id).where(Case.id == claims.case_id))).scalar_one_or_none()
                if claims
                else None
            )
            if shop is None:
                invalid = True
        else:
            # The chat's replies belong to the shop whose conversation it is bound to (bot/outbox/contacts.py).
            adapter = rt.channels.get("telegram")
            via = adapter.identity if adapter is not None else f"@{rt.settings.channels.telegram_bot_username}"
            shop = await contacts.shop_for(session, "telegram", inbound.sender, via)
            if shop is None:
                log.info("telegram update %s ignored: unknown chat", update.update_id)
                return "unknown_chat"
        new = not invalid and await enqueue_inbound(session, str(shop), inbound, now)
    if invalid:  # answered outside the transaction: a send must never hold the database
        log.info("telegram update %s: invalid or expired start link", update.update_id)
        with contextlib.suppress(Exception):
            await rt.channels.get("telegram").send(Outbound(inbound.sender, _invalid_link_text(rt)))
        return "invalid_link"
    return "accepted" if new else "duplicate"


def _invalid_link_text(rt: Any) -> str:
    return channels_policy(rt.settings).text("link_invalid", None)


# The fields every message has: an error in one of them makes the update unusable, whatever else it carries.
_MESSAGE_CORE = frozenset({"message_id", "date", "chat", "from", "text", "caption"})


def _update_of(data: Any) -> Update:
    """The Update in `data`. A buyer's message whose attachment does not validate (a voice note without its
    file id) is kept without that attachment: refusing the whole update would make Telegram resend it, and the
    buyer would hear nothing; kept, it is answered as content the bot cannot read (`_unreadable`)."""
    try:
        return Update.model_validate(data)
    except ValidationError as exc:
        message = data.get("message") if isinstance(data, dict) else None
        broken = {e["loc"][1] for e in exc.errors() if len(e["loc"]) >= 3 and e["loc"][0] == "message"}
        whole = all(len(e["loc"]) >= 3 and e["loc"][0] == "message" for e in exc.errors())
        if not isinstance(message, dict) or not broken or not whole or broken & _MESSAGE_CORE:
            raise
        log.info("telegram update: dropped attachments that do not validate: %s", sorted(map(str, broken)))
        return Update.model_validate({**data, "message": {k: v for k, v in message.items() if k not in broken}})


@router.post("/webhooks/telegram", summary="Telegram Bot API updates")
async def webhook(request: Request) -> JSONResponse:
    rt = runtime(request)
    cs = rt.settings.channels
    if "telegram" not in rt.channels.enabled:
        raise ApiError(404, "channel_off", "the Telegram channel is off", fix="set " + ", ".join(cs.telegram_missing()))
    given = request.headers.get(SECRET_HEADER, "")
    if not cs.telegram_webhook_secret or not hmac.compare_digest(given, cs.telegram_webhook_secret):
        log.warning("telegram webhook refused: wrong or missing %s", SECRET_HEADER)
        raise ApiError(403, "forbidden", "wrong secret token", field=SECRET_HEADER, fix="use TELEGRAM_WEBHOOK_SECRET")
    try:
        data = json.loads(await request.body())
        update = _update_of(data)
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError, TypeError, RecursionError) as exc:
        log.info("telegram webhook: malformed update (%s)", type(exc).__name__)
        raise ApiError(
            400, "invalid_update", "not a Telegram Update", field="(body)", fix="send a Bot API Update"
        ) from None
    result = await accept_update(rt, update)
    return JSONResponse({"ok": True, "result": result})


# ── polling mode ─────────────────────────────────────────────────────────────────────────────────


class TelegramPoller:
    """getUpdates in a loop, for a machine Telegram cannot reach. Updates go through the same inbox."""

    def __init__(self, adapter: TelegramChannel, timeout: int = 25):
        self.adapter, self.timeout = adapter, timeout
        self._task: asyncio.Task[None] | None = None

    def start(self, rt: Any) -> None:
        self._task = asyncio.create_task(self._run(rt), name="telegram-poller")

    async def _run(self, rt: Any) -> None:
        bot = self.adapter.bot
        offset: int | None = None
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_webhook()
        while True:
            try:
                for raw in await self._updates(offset):
                    update_id = raw.get("update_id") if isinstance(raw, dict) else None
                    if not isinstance(update_id, int):
                        continue
                    try:
                        update = _update_of(raw)
                    except ValidationError:
                        log.warning("telegram update %s skipped: not an update aiogram can read", update_id)
                    else:
                        await accept_update(rt, update)
                    offset = update_id + 1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("telegram polling failed; retrying in 5 s")
                await asyncio.sleep(5)

    async def _updates(self, offset: int | None) -> list[Any]:
        """getUpdates as the Bot API sends it, each update parsed on its own (`_update_of`). aiogram's own call
        validates the whole batch: one update its schema refused (a poll from a Bot API version it does not
        match, a voice note without a file id) failed every poll at the same offset, and the bot heard no one."""
        bot = self.adapter.bot
        url = bot.session.api.api_url(token=bot.token, method="getUpdates")
        form = {"timeout": str(self.timeout), **({"offset": str(offset)} if offset is not None else {})}
        session = await bot.session.create_session()
        try:
            wait = aiohttp.ClientTimeout(total=self.timeout + 10)
            async with session.post(url, data=form, timeout=wait) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TemporaryFailure(f"getUpdates failed: {type(exc).__name__}") from None  # the URL holds the token
        if not isinstance(body, dict) or body.get("ok") is not True or not isinstance(body.get("result"), list):
            said = body.get("description") if isinstance(body, dict) else type(body).__name__
            raise TemporaryFailure(f"getUpdates answered {str(said)[:200]}")
        return list(body["result"])

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
