"""SMS through twilio 9 (issue 5).

POST /webhooks/twilio          inbound SMS (form-encoded); `X-Twilio-Signature` must match
POST /webhooks/twilio/status   status callbacks for our sends (queued → sent → delivered | failed ...)

Signatures are checked against the configured public URL plus the path, never `request.url`: behind a
proxy or tunnel the URL we see is not the one Twilio signed. Outbound goes through the Messages API with
a Messaging Service SID or a From number; each SMS stays within the policy's segment budget (GSM-7 and
UCS-2 counted as carriers do, channels/sms_segments.py), so a long message is sent as several short ones.
"""

from __future__ import annotations

import base64
import hmac
import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.inbox.inbox import Inbox, delivery_status
from bot.outbox.outbox import channels_policy
from bot.platform.config import Settings
from bot.web.deps import runtime
from bot.web.errors import ApiError, over_limit
from channels.base import (
    Capabilities,
    Inbound,
    OptedOut,
    Outbound,
    PhotoRefused,
    Rejected,
    TemporaryFailure,
    Unreachable,
)
from channels.sms_segments import split_to_budget

log = logging.getLogger("mediator.sms")
router = APIRouter(tags=["sms"])
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
TWIML_BODY = EMPTY_TWIML.encode()
# Twilio error codes (https://www.twilio.com/docs/api/errors) that mean the number cannot take SMS.
UNREACHABLE_CODES = {21211, 21408, 21612, 21614}
OPTED_OUT_CODE = 21610


class SmsChannel:
    name = "sms"

    def __init__(self, settings: Settings):
        cs = settings.channels
        self.http = AsyncTwilioHttpClient(timeout=cs.send_timeout_seconds)
        self.client = Client(cs.twilio_account_sid, cs.twilio_auth_token, http_client=self.http)
        if cs.twilio_api_base:
            # twilio 9 builds every URL from the API domain's base_url: point it at another server (tests).
            self.client.api.base_url = cs.twilio_api_base.rstrip("/")
        self.sender: dict[str, str] = (
            {"messaging_service_sid": cs.twilio_messaging_service_sid}
            if cs.twilio_messaging_service_sid
            else {"from_": str(cs.twilio_from_number)}
        )
        self.identity = str(cs.twilio_messaging_service_sid or cs.twilio_from_number)
        self.status_callback = f"{settings.public_url}/webhooks/twilio/status"
        self.max_segments = channels_policy(settings).sms.max_segments
        self.capabilities = Capabilities(buttons=False, max_chars=1600)
        basic = base64.b64encode(f"{cs.twilio_account_sid}:{cs.twilio_auth_token}".encode()).decode()
        self._auth = {"Authorization": f"Basic {basic}"}
        self._timeout = cs.send_timeout_seconds
        # The account's credentials go only to Twilio's own API host (or the one configured in its place):
        # a MediaUrl naming another host is refused rather than sent our key.
        self._media_origin = _origin(cs.twilio_api_base or "https://api.twilio.com")

    async def send(self, message: Outbound) -> list[str]:
        ids: list[str] = []
        for part in split_to_budget(message.text, message.max_segments or self.max_segments):
            try:
                sent = await self.client.messages.create_async(
                    to=message.to, body=part, status_callback=self.status_callback, **self.sender
                )
            except TwilioRestException as exc:
                if exc.code == OPTED_OUT_CODE:
                    raise OptedOut("the number replied STOP to the carrier", code=str(exc.code)) from exc
                if exc.code in UNREACHABLE_CODES:
                    raise Unreachable(f"number cannot take SMS ({exc.code})", code=str(exc.code)) from exc
                if exc.status >= 500 or exc.status == 429:
                    raise TemporaryFailure(f"Twilio answered {exc.status}", code=str(exc.code)) from exc
                raise Rejected(f"Twilio refused: {exc.code} {exc.msg}"[:200], code=str(exc.code)) from exc
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:200]) from exc
            ids.append(str(sent.sid))
        return ids

    async def fetch_photo(self, media: str, media_type: str | None, limit: int) -> bytes:
        """An MMS photo from its MediaUrl, with the account's credentials (accounts that protect their media
        require them), read no further than `limit`. The type Twilio declared is checked before anything is
        fetched, the response's before its body is read."""
        if _origin(media) != self._media_origin:
            raise PhotoRefused("not_fetched", "the media is not on Twilio's API host")
        if not _is_image(media_type):
            raise PhotoRefused("not_image", f"declared {media_type or 'no type'}")
        timeout = aiohttp.ClientTimeout(total=self._timeout * 3)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.get(media, headers=self._auth) as response,
            ):
                if response.status >= 400:
                    raise TemporaryFailure(f"Twilio media answered {response.status}", code=str(response.status))
                if not _is_image(response.content_type):
                    raise PhotoRefused("not_image", f"served as {response.content_type}")
                if (response.content_length or 0) > limit:
                    raise PhotoRefused("too_large", f"{response.content_length} bytes")
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise PhotoRefused("too_large", f"more than {limit} bytes")
                return bytes(data)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TemporaryFailure(type(exc).__name__) from None  # the media URL stays out of logs and job rows

    async def close(self) -> None:
        await self.http.close()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _is_image(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower().startswith("image/")


# ── inbound ──────────────────────────────────────────────────────────────────────────────────────


class _Webhook:
    """What every inbound request needs, made once per app: the validator, the signed URL's base, the inbox."""

    def __init__(self, rt: Any):
        cs = rt.settings.channels
        self.enabled = "sms" in rt.channels.enabled
        self.missing = cs.sms_missing()
        self.validator = RequestValidator(str(cs.twilio_auth_token))
        self.public_url = rt.settings.public_url
        adapter = rt.channels.get("sms")
        self.inbox = Inbox(rt.engine, via=adapter.identity if adapter is not None else "")
        rt.channels.resources.append(self.inbox)  # closed with the runtime


def _webhook(request: Request) -> _Webhook:
    state = request.app.state
    hook = getattr(state, "sms_webhook", None)
    if hook is None:
        hook = state.sms_webhook = _Webhook(runtime(request))
    return hook


async def _verified_form(request: Request) -> dict[str, str]:
    hook = _webhook(request)
    if not hook.enabled:
        raise ApiError(404, "channel_off", "the SMS channel is off", fix="set " + ", ".join(hook.missing))
    # Twilio posts application/x-www-form-urlencoded; parsed here (starlette's form() needs python-multipart).
    try:
        params = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_form", "the body is not UTF-8 form data", field="(body)") from None
    url = hook.public_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature or not _signed(hook.validator, url, params, signature):
        log.warning("twilio webhook %s refused: bad or missing signature", request.url.path)
        raise ApiError(
            403,
            "forbidden",
            "the request signature does not match",
            field=SIGNATURE_HEADER,
            fix="Twilio must call MEDIATOR_PUBLIC_URL + /webhooks/twilio with TWILIO_AUTH_TOKEN's account",
        )
    return params


def _signed(validator: RequestValidator, url: str, params: dict[str, str], signature: str) -> bool:
    """Twilio's check, cheaper in the usual case: `validate` always computes two signatures (the URL with
    and without its port) and accepts either; the URL as configured is tried alone first."""
    expected = validator.compute_signature(url, params).encode()
    if hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        return True
    return validator.validate(url, params, signature)


def normalise(params: dict[str, str], max_chars: int) -> Inbound | str:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    sender = params.get("From", "")
    if not sid or not sender:
        return "missing MessageSid or From"
    if "\x00" in sid + sender:  # never in Twilio's ids or numbers, and PostgreSQL text refuses it
        return "malformed MessageSid or From"
    body = params.get("Body", "").strip()
    media = params.get("MediaUrl0", "").strip() if params.get("NumMedia", "0") not in ("", "0") else ""
    if not body and not media:
        return "empty"
    if len(body) > max_chars:
        return "too_long"
    if "\x00" in media or len(media) > 2000:
        return "malformed MediaUrl0"
    # One photo per message, as the web chat takes: the first of an MMS (staff see the rest in Twilio).
    kind = params.get("MediaContentType0", "")[:100] if media else None
    return Inbound("sms", sid[:120], sender[:32], text=body, media=media or None, media_type=kind)


def _twiml() -> Response:
    return Response(TWIML_BODY, media_type="application/xml")


@router.post("/webhooks/twilio", summary="Twilio inbound SMS")
async def inbound(request: Request) -> Response:
    params = await _verified_form(request)
    rt = runtime(request)
    limit = channels_policy(rt.settings).sms.max_inbound_chars
    msg = normalise(params, limit)
    if msg == "too_long":
        log.info("twilio %s refused: %s characters", params.get("MessageSid"), len(params.get("Body", "")))
        raise over_limit("the SMS", len(params.get("Body", "")), limit, "characters", field="Body", fix="send less")
    if isinstance(msg, str):
        if msg.startswith(("missing", "malformed")):
            field = "MediaUrl0" if "MediaUrl0" in msg else "MessageSid"
            raise ApiError(400, "invalid_sms", msg, field=field, fix="send Twilio's inbound SMS parameters")
        log.info("twilio %s ignored: %s", params.get("MessageSid"), msg)
        return _twiml()
    # Verified and deduplicated: persist the job (one statement) and answer; the turn runs in the worker.
    result = await _webhook(request).inbox.accept(msg, rt.clock.now())
    if result != "accepted":
        log.info("twilio %s ignored: %s", msg.provider_id, "no case for this number" if result == "unknown" else result)
    return _twiml()


@router.post("/webhooks/twilio/status", summary="Twilio delivery status callbacks")
async def status(request: Request) -> Response:
    params = await _verified_form(request)
    rt = runtime(request)
    sid, state = params.get("MessageSid", ""), params.get("MessageStatus", "")
    if not sid or not state:
        raise ApiError(400, "invalid_status", "MessageSid and MessageStatus are required", field="MessageStatus")
    adapter = rt.channels.get("sms")
    via = adapter.identity if adapter is not None else None
    known = await delivery_status(rt.sessions, rt.clock, rt.settings, "sms", sid, state, params.get("ErrorCode"), via)
    if not known:
        log.info("twilio status for unknown message %s ignored", sid)
    return Response(status_code=204)


def signed_headers(settings: Settings, path: str, params: dict[str, Any]) -> dict[str, str]:
    """The signature Twilio would send for `params` posted to our `path` (the fakes and the bench use it)."""
    validator = RequestValidator(str(settings.channels.twilio_auth_token))
    return {SIGNATURE_HEADER: validator.compute_signature(settings.public_url + path, params)}
