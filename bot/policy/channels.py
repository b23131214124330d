"""Schema of `policies/channels.yml`: the shop's channel order, SMS and Telegram limits, the keywords
(STOP, START, HELP and their equivalents) and the channel texts, per language (PLAYBOOK rule 11)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.platform.yaml_lines import load_model_file

OrderItem = Literal["telegram", "sms", "webchat_link"]
Keyword = Literal["opt_out", "resubscribe", "help"]
TEXT_KEYS = ("opt_out_confirm", "resubscribed", "help", "bound", "link_invalid", "webchat_link", "yes", "no")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelOrder(Strict):
    default: list[OrderItem] = Field(min_length=1)
    shops: dict[str, list[OrderItem]] = {}

    @field_validator("default")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a channel is listed twice; list each once")
        return v


class SmsPolicy(Strict):
    max_segments: int = Field(3, ge=1, le=10)
    max_inbound_chars: int = Field(1600, ge=160, le=10_000)


class TelegramPolicy(Strict):
    max_message_chars: int = Field(4096, ge=100, le=4096)
    yes_no_actions: list[str] = ["propose_remedy", "confirm_remedy", "ask_revision"]


class Keywords(Strict):
    opt_out: dict[str, list[str]]
    resubscribe: dict[str, list[str]]
    help: dict[str, list[str]]

    @model_validator(mode="after")
    def _disjoint(self) -> Keywords:
        seen: dict[str, str] = {}
        for kind in ("opt_out", "resubscribe", "help"):
            for words in getattr(self, kind).values():
                for word in words:
                    key = normalise(word)
                    if not key:
                        raise ValueError(f"{kind}: an empty keyword; remove it")
                    if seen.get(key, kind) != kind:
                        raise ValueError(f"{word!r} is both a {seen[key]} and a {kind} keyword; keep it in one")
                    seen[key] = kind
        for required in ("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"):
            if required not in {normalise(w) for words in self.opt_out.values() for w in words}:
                raise ValueError(f"opt_out must include the carrier keyword {required} (PLAYBOOK rule 11)")
        return self


class Texts(Strict):
    opt_out_confirm: str
    resubscribed: str
    help: str
    bound: str
    link_invalid: str
    webchat_link: str
    yes: str
    no: str

    @field_validator("webchat_link")
    @classmethod
    def _has_url(cls, v: str) -> str:
        if "{url}" not in v:
            raise ValueError("webchat_link must contain {url}, the link to the web chat")
        return v


class ChannelsPolicy(Strict):
    channel_order: ChannelOrder
    sms: SmsPolicy = SmsPolicy()
    telegram: TelegramPolicy = TelegramPolicy()
    keywords: Keywords
    texts: dict[str, Texts]

    @field_validator("texts")
    @classmethod
    def _english(cls, v: dict[str, Texts]) -> dict[str, Texts]:
        if "en" not in v:
            raise ValueError("texts needs an 'en' entry: it is the fallback for every other language")
        return v

    def order(self, shop_id: str) -> list[str]:
        return list(self.channel_order.shops.get(shop_id, self.channel_order.default))

    def text(self, key: str, language: str | None, **values: str) -> str:
        entry = self.texts.get(language or "en") or self.texts["en"]
        return getattr(entry, key).replace("{shop}", values.get("shop", "")).replace("{url}", values.get("url", ""))

    def keyword(self, text: str) -> Keyword | None:
        return _keyword_index(self).get(normalise(text))


def normalise(text: str) -> str:
    """What a keyword match compares: upper case, no surrounding punctuation, single spaces, and a
    Telegram command's @botname dropped ("/stop@shop_bot" is "/STOP")."""
    text = re.sub(r"^(/\w+)@\w+", r"\1", text.strip())
    text = re.sub(r"[\s.!?,;:¡¿\"'«»„“”]+", " ", text).strip()
    return text.upper()


_indexes: dict[int, tuple[ChannelsPolicy, dict[str, Keyword]]] = {}


def _keyword_index(policy: ChannelsPolicy) -> dict[str, Keyword]:
    """Keyword → kind, built once per loaded policy (a policy is immutable once loaded)."""
    hit = _indexes.get(id(policy))
    if hit is not None and hit[0] is policy:
        return hit[1]
    index: dict[str, Keyword] = {}
    for kind in ("opt_out", "resubscribe", "help"):
        for words in getattr(policy.keywords, kind).values():
            for word in words:
                index[normalise(word)] = kind  # type: ignore[assignment]
    if len(_indexes) > 32:
        _indexes.clear()
    _indexes[id(policy)] = (policy, index)
    return index


_cache: dict[Path, tuple[float, ChannelsPolicy]] = {}


def load_channels_policy(path: Path) -> ChannelsPolicy:
    """Read policies/channels.yml, again only when the file changed (admins edit it while we run)."""
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, load_model_file(path, ChannelsPolicy))
        _cache[path] = hit
    return hit[1]
