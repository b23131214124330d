"""The one small interface every buyer channel implements (Telegram, SMS, web chat).

The dialogue never knows which channel it is on: the engine writes outbound `messages` rows and the
outbox (bot/outbox/outbox.py) delivers each through an adapter here, trying the shop's channel order when one
fails. To reach a buyer from anywhere else (a Slack relay, a timer), do NOT call an adapter: call
`Engine.staff_message(case_id, text, staff_name)` (or any engine entry point) with no channel, and the
outbox picks the buyer's channel from the contact ledger, respecting consent, opt-out and quiet hours.

An adapter:
- declares `name` and `capabilities` (buttons, maximum length of one message);
- `send(Outbound)` returns the provider's delivery ids (one per physical message; a long text may be
  split), or raises `Unreachable` (try the next channel), `OptedOut` (the provider says the buyer
  opted out: stop everywhere), `Rejected` (this message cannot go this way) or `TemporaryFailure`
  (retry later with backoff);
- inbound traffic arrives at its webhook and is normalised into `Inbound` before anything else sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.platform.vocab import Channel, names

CHANNELS = names(Channel)


@dataclass(frozen=True)
class Capabilities:
    buttons: bool
    max_chars: int


@dataclass(frozen=True)
class Button:
    label: str
    value: str


@dataclass(frozen=True)
class Outbound:
    to: str  # Telegram chat id, E.164 number, or the case id for web chat
    text: str
    buttons: tuple[Button, ...] = ()
    reference: str = ""  # our message id, echoed in provider callbacks
    # The shop's own limits for one message, from the channels.yml it published (None: the deployment's
    # file). They travel with the message because one adapter serves every shop of the deployment.
    max_chars: int | None = None  # Telegram: characters per message (telegram.max_message_chars)
    max_segments: int | None = None  # SMS: segments per SMS (sms.max_segments)


@dataclass(frozen=True)
class Inbound:
    """A buyer's message as every channel hands it on: who, what, and the provider's id for dedupe."""

    channel: str
    provider_id: str  # Telegram update_id, Twilio MessageSid
    sender: str  # Telegram chat id or E.164 number
    text: str = ""
    start_token: str | None = None  # Telegram /start <token>
    button: str | None = None  # the value of a pressed inline button
    callback_id: str | None = None  # Telegram callback query to acknowledge
    media_only: bool = False
    photo: int | None = None  # the `photos` row sent with this message (the web chat's attachment)
    # A photo still at the provider (a Telegram file_id, a Twilio MediaUrl) and the type it declared: the
    # inbound job fetches it (`PhotoSource.fetch_photo`), never the webhook, so the provider hears 2xx fast.
    media: str | None = None
    media_type: str | None = None
    language_hint: str | None = None
    # What the buyer sent that the bot cannot read (a sticker, a location, a contact, a poll, a voice note):
    # Telegram's name for it. The job answers it with what the bot can take, text and photos (issue 21).
    attachment: str | None = None

    def as_payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", False)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Inbound:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class SendError(Exception):
    def __init__(self, reason: str, *, code: str | None = None):
        super().__init__(reason)
        self.reason, self.code = reason, code


class Unreachable(SendError):
    """The buyer cannot be reached on this channel (blocked the bot, number out of service)."""


class OptedOut(SendError):
    """The provider refuses because the buyer opted out there (Twilio 21610): applies to every channel."""


class Rejected(SendError):
    """This message cannot go over this channel (the provider refused its content); try the next one."""


class TemporaryFailure(SendError):
    """Network trouble, rate limit or provider outage: try again later."""


class PhotoRefused(Exception):
    """A photo that will not be taken, whatever the retries: `reason` is "too_large", "not_image" or
    "not_fetched" (it is somewhere we will not fetch from)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class PhotoSource(Protocol):
    """An adapter whose buyers can send photos that stay at the provider until fetched (Telegram, SMS)."""

    async def fetch_photo(self, media: str, media_type: str | None, limit: int) -> bytes:
        """The photo's bytes, read no further than `limit`. Raises `PhotoRefused` (too large, not an image:
        final) or `TemporaryFailure` (network, provider: the job tries again)."""
        ...


class Channel(Protocol):
    name: str
    capabilities: Capabilities
    # Who we are on this channel (a number, a messaging service, a bot): the sender half of a contact point,
    # to which a buyer's opt-out and the routing of their replies belong.
    identity: str

    async def send(self, message: Outbound) -> list[str]: ...

    async def close(self) -> None: ...


class WebchatChannel:
    """The web chat has no provider: a message is delivered by being in the case's history, which the page
    shows (replies synchronously over HTTP/WebSocket, bot-initiated ones through its history poll)."""

    name = "webchat"
    identity = "webchat"
    capabilities = Capabilities(buttons=False, max_chars=4000)

    async def send(self, message: Outbound) -> list[str]:
        return [f"webchat:{message.reference}"]

    async def close(self) -> None:
        return None


@dataclass
class ChannelSet:
    """The adapters a deployment has switched on, by name. Web chat is always on."""

    adapters: dict[str, Any] = field(default_factory=lambda: {"webchat": WebchatChannel()})
    background: list[Any] = field(default_factory=list)  # e.g. the Telegram poller, started with the worker
    # What the webhooks build on their first request and must release with the runtime (the inbox's
    # database connections): anything with an async close().
    resources: list[Any] = field(default_factory=list)

    @property
    def enabled(self) -> frozenset[str]:
        return frozenset(self.adapters)

    def get(self, name: str) -> Any:
        return self.adapters.get(name)

    async def close(self) -> None:
        for item in [*self.adapters.values(), *self.resources]:
            await item.close()
        self.resources.clear()
