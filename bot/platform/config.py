"""Deployment settings: config.yml, overridden by environment variables, validated at start.

Why pydantic-settings with a YAML source: operators keep one readable file in git, while containers and
CI override single keys through the environment without editing it. Secrets are never values here, only
names of environment variables (`*_env` keys), so config.yml can be committed.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.platform.durations import parse_duration
from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings
from bot.platform.yaml_lines import PolicyFileError, line_for, load_yaml_with_lines

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "config.yml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # Parse buyer messages in a helper process (bot/understanding/nlu_process.py), so turns use a second core.
    nlu_process: bool = True
    # Slow and greedy clients (bot/web/slow_clients.py): seconds for a request head and for a body, and the
    # connections one address may hold at once (proxies uvicorn trusts are exempt).
    head_timeout: float = Field(10.0, gt=0, le=300)
    body_timeout: float = Field(60.0, gt=0, le=3600)
    connections_per_client: int = Field(64, ge=1, le=100_000)


class ShopSettings(Strict):
    name: str = ""
    callback_url: str | None = None
    callback_secret_env: str | None = None

    def callback_secret(self) -> str | None:
        return os.environ.get(self.callback_secret_env) if self.callback_secret_env else None


class SchedulerSettings(Strict):
    poll_seconds: float = Field(1.0, gt=0)
    lease_seconds: int = Field(60, ge=1)
    batch_size: int = Field(50, ge=1, le=10_000)
    callback_timeout_seconds: float = Field(10, gt=0)
    callback_max_attempts: int = Field(12, ge=1)


class WebchatSettings(Strict):
    # A chat link lives as long as a mediation can (the 21-day window) plus a little.
    link_ttl_days: int = Field(23, ge=1, le=90)
    max_message_chars: int = Field(2000, ge=100, le=20_000)
    # One photo per message (issue 21.4): 8 MB holds a phone camera's JPEG or HEIC at full size.
    max_photo_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024, le=50 * 1024 * 1024)


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


class ChannelSettings(Strict):
    """Telegram and SMS (issue 5). Values come from plain environment variables (named in the README), so a
    container sets `TELEGRAM_BOT_TOKEN` and nothing else; tests pass them directly. A channel whose settings
    are missing is off (see `telegram_on` / `sms_on`), and start-up logs one line saying so."""

    telegram_bot_token: str | None = Field(default_factory=lambda: _env("TELEGRAM_BOT_TOKEN"), repr=False)
    telegram_bot_username: str | None = Field(default_factory=lambda: _env("TELEGRAM_BOT_USERNAME"))
    telegram_webhook_secret: str | None = Field(default_factory=lambda: _env("TELEGRAM_WEBHOOK_SECRET"), repr=False)
    telegram_api_base: str | None = Field(default_factory=lambda: _env("TELEGRAM_API_BASE"))
    # Local use without a public URL: poll getUpdates instead of taking webhooks.
    telegram_polling: bool = Field(default_factory=lambda: _env("TELEGRAM_POLLING") in ("1", "true", "yes"))
    twilio_account_sid: str | None = Field(default_factory=lambda: _env("TWILIO_ACCOUNT_SID"))
    twilio_auth_token: str | None = Field(default_factory=lambda: _env("TWILIO_AUTH_TOKEN"), repr=False)
    twilio_from_number: str | None = Field(default_factory=lambda: _env("TWILIO_FROM_NUMBER"))
    twilio_messaging_service_sid: str | None = Field(default_factory=lambda: _env("TWILIO_MESSAGING_SERVICE_SID"))
    twilio_api_base: str | None = Field(default_factory=lambda: _env("TWILIO_API_BASE"))
    # Deep links and send timeouts.
    telegram_link_ttl_days: int = Field(23, ge=1, le=90)
    send_timeout_seconds: float = Field(10, gt=0)
    deliver_max_attempts: int = Field(8, ge=1)

    def telegram_missing(self) -> list[str]:
        need = {"TELEGRAM_BOT_TOKEN": self.telegram_bot_token, "TELEGRAM_BOT_USERNAME": self.telegram_bot_username}
        if not self.telegram_polling:
            need["TELEGRAM_WEBHOOK_SECRET"] = self.telegram_webhook_secret
        return [k for k, v in need.items() if not v]

    def sms_missing(self) -> list[str]:
        need = {"TWILIO_ACCOUNT_SID": self.twilio_account_sid, "TWILIO_AUTH_TOKEN": self.twilio_auth_token}
        missing = [k for k, v in need.items() if not v]
        if not (self.twilio_from_number or self.twilio_messaging_service_sid):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        return missing


class SlackSettings(Strict):
    """The Slack handoff (issue 6), from plain environment variables like the channels. Without a bot token and
    signing secret Slack is off and staff use the /staff inbox; start-up logs one line saying so."""

    bot_token: str | None = Field(default_factory=lambda: _env("SLACK_BOT_TOKEN"), repr=False)
    signing_secret: str | None = Field(default_factory=lambda: _env("SLACK_SIGNING_SECRET"), repr=False)
    # Socket Mode (no public URL): needs an app-level token (xapp-…) and socket_mode on.
    app_token: str | None = Field(default_factory=lambda: _env("SLACK_APP_TOKEN"), repr=False)
    socket_mode: bool = Field(default_factory=lambda: _env("SLACK_SOCKET_MODE") in ("1", "true", "yes"))
    api_base: str | None = Field(default_factory=lambda: _env("SLACK_API_BASE"))
    timeout_seconds: float = Field(10, gt=0)
    post_max_attempts: int = Field(60, ge=1)  # with backoff capped at 1 h: about two and a half days

    def missing(self) -> list[str]:
        need = {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_SIGNING_SECRET": self.signing_secret}
        if self.socket_mode:
            need["SLACK_APP_TOKEN"] = self.app_token
        return [k for k, v in need.items() if not v]


class RetentionSettings(Strict):
    """How long personal data is kept (issue 20, review M9): message texts of closed cases and the payloads
    of finished jobs (an inbound job keeps a second copy of the message and the sender's number). Purged
    once a day by the `retention` job (bot/store/retention.py); `null` (or `off`) keeps them forever."""

    messages: str | None = None
    jobs: str | None = "30d"

    @field_validator("messages", "jobs", mode="before")
    @classmethod
    def _period(cls, v: object) -> str | None:
        # YAML reads a bare `off` as false.
        if v is None or v is False or str(v).strip().lower() in ("", "off", "false", "null", "none"):
            return None
        try:
            period = parse_duration(str(v))
        except ValueError:
            raise ValueError(f"{v!r} is not a period: write it like 180d, 26w or 30d, or off to keep forever") from None
        if period < timedelta(days=1):
            raise ValueError(
                f"{v!r} is shorter than a day: write it in days or weeks, like 180d or 30d (m means minutes)"
            )
        return str(v).strip()

    def period(self, what: str) -> timedelta | None:
        value = getattr(self, what)
        return parse_duration(value) if value else None


class IntakeSettings(Strict):
    max_batch: int = Field(1000, ge=1, le=100_000)
    max_text_chars: int = Field(5000, ge=100, le=100_000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MEDIATOR_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    database_url: str = Field(
        "sqlite:///var/mediator.db", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    data_dir: Path = Path("var")
    policies_dir: Path = Path("policies")
    # Each shop's own folder (`mediator shop create` writes it from a template): shops/<id>/policies and
    # shops/<id>/knowledge. A shop without one uses policies_dir and the knowledge base above.
    shops_dir: Path = Path("shops")
    public_url: str = "http://127.0.0.1:8000"
    server: ServerSettings = ServerSettings()
    shops: dict[str, ShopSettings] = {}
    scheduler: SchedulerSettings = SchedulerSettings()
    intake: IntakeSettings = IntakeSettings()
    retention: RetentionSettings = RetentionSettings()
    webchat: WebchatSettings = WebchatSettings()
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    # Signs chat links and other tokens. Without the variable, one is generated into data_dir/secret_key.
    secret_key_env: str = "MEDIATOR_SECRET_KEY"
    knowledge: KnowledgeSettings = KnowledgeSettings()
    # Where config.yml was read from; relative paths in it are relative to that file's folder.
    config_file: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("use a sqlite:/// or postgresql:// URL")
        return v

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file; the file arrives through init kwargs (see load_settings).
        return (env_settings, init_settings)

    def resolve(self, path: Path) -> Path:
        """A path from config, made absolute against the config file's folder."""
        base = self.config_file.parent if self.config_file else ROOT
        return path if path.is_absolute() else base / path

    def models_dir(self) -> Path:
        """Where trained models are cached: every process that loads one (server, NLU helper, CLI) reads
        the same files, so a model trained by one is reused by all."""
        return self.resolve(self.data_dir) / "models"

    def knowledge_settings(self) -> KnowledgeSettings:
        """The knowledge settings with their paths made absolute against the config file's folder."""
        k = self.knowledge
        update: dict[str, object] = {"knowledge_dir": self.resolve(k.knowledge_dir)}
        if isinstance(k.store, PersistentStoreSettings):
            update["store"] = k.store.model_copy(update={"path": self.resolve(k.store.path)})
        return k.model_copy(update=update)

    def shop_dir(self, shop_id: str) -> Path:
        """Where a shop's own policies and knowledge live (they may not exist)."""
        return self.resolve(self.shops_dir) / shop_id

    def policies_dir_for(self, shop_id: str) -> Path:
        """The shop's own policies/ if it has one, else the deployment's."""
        own = self.shop_dir(shop_id) / "policies"
        return own if own.is_dir() else self.resolve(self.policies_dir)

    def knowledge_settings_for(self, shop_id: str) -> KnowledgeSettings | None:
        """The shop's own knowledge base (its documents, its own Chroma collection), or None when it has no
        knowledge/ of its own and answers from the deployment's."""
        own = self.shop_dir(shop_id) / "knowledge"
        if not own.is_dir():
            return None
        return self.knowledge_settings().model_copy(update={"knowledge_dir": own, "shop_id": shop_id})

    def callback_url(self, shop_id: str) -> str | None:
        """Where the shop's review platform takes our "in mediation" callbacks, if it does."""
        shop = self.shops.get(shop_id)
        return shop.callback_url if shop else None

    def secret_key(self) -> bytes:
        """The signing key: from the environment, else a random one kept (0600) in data_dir for this install."""
        value = os.environ.get(self.secret_key_env)
        if value:
            return value.encode()
        path = self.resolve(self.data_dir) / "secret_key"
        if not path.exists():
            # Written whole under another name, then linked into place: two processes starting on a fresh install
            # (the server and its NLU helper, two workers) both find no key; the first link wins and the other
            # reads that key. Opened in place with O_EXCL, the second crashed, or read the file before its bytes.
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return path.read_text().strip().encode()

    @property
    def shop_ids(self) -> list[str]:
        return sorted(self.shops)


class ConfigError(Exception):
    """One clear line that names the key and the fix."""


def load_settings(path: Path | None = None) -> Settings:
    path = path or Path(os.environ.get("MEDIATOR_CONFIG") or DEFAULT_CONFIG)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror}); set MEDIATOR_CONFIG to a file") from None
    try:
        data, lines = load_yaml_with_lines(text, str(path))
    except PolicyFileError as exc:
        raise ConfigError(str(exc.issues[0])) from None
    if data is None:
        data, lines = {}, {(): 1}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a mapping of keys")
    try:
        return Settings(**data, config_file=path.resolve())
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        msg = "unknown key: remove it or check its spelling" if err["type"] == "extra_forbidden" else err["msg"]
        msg = msg.removeprefix("Value error, ")
        env = _env_source(loc)
        if env is not None:  # the environment beats the file, so a set variable is what was read
            raise ConfigError(f"environment variable {env}: {key}: {msg}; fix or unset {env}") from None
        if loc and loc[0] in data:
            raise ConfigError(f"{path}:{line_for(lines, loc)}: {key}: {msg}") from None
        env = "MEDIATOR_" + "__".join(str(p) for p in loc).upper()
        raise ConfigError(f"environment {env}: {key}: {msg}") from None


def _env_source(loc: tuple[int | str, ...]) -> str | None:
    """The set environment variable a setting at `loc` was read from: its own (MEDIATOR_SERVER__PORT) or an
    enclosing one holding JSON (MEDIATOR_SERVER). Names match whatever their case, as pydantic-settings reads
    them."""
    present = {name.upper(): name for name in os.environ}
    parts = [str(p).upper() for p in loc]
    for depth in range(len(parts), 0, -1):
        names = ["MEDIATOR_" + "__".join(parts[:depth])]
        if depth == 1 and parts[0] == "DATABASE_URL":
            names.append("DATABASE_URL")  # the alias Settings accepts
        for name in names:
            if name in present:
                return present[name]
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
