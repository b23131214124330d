"""The store: one table per thing a case touches. Every row carries `shop_id`.

The case row is the single source of truth for a conversation (DESIGN decision 2): stage, gathered
details and timings live on it, and every change to it is also written to `events` as an audit trail.
Timers and outgoing webhooks are rows in `jobs`, so they survive restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite has no BIGINT autoincrement; an INTEGER primary key is its rowid. PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), Decimal: Numeric(12, 2)}


class Shop(Base):
    __tablename__ = "shops"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64), index=True)  # == id; kept so every row has shop_id
    name: Mapped[str] = mapped_column(String(200))
    api_key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class Buyer(Base):
    __tablename__ = "buyers"
    __table_args__ = (UniqueConstraint("shop_id", "buyer_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    # How intake recognises a returning buyer: normalised e-mail, else E.164 phone, else the review.
    buyer_key: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # Addresses and consent are rows in `buyer_contacts` (bot/store/buyer_contacts.py), one per channel.


class BuyerContact(Base):
    """One of a buyer's contact points and its consent: an e-mail, a phone for SMS, a Telegram chat, the web
    chat (no address). A row per channel, so a new channel needs no new column (issue 17.4).

    `opted_out_at` on any of a buyer's rows means the buyer said STOP (it applies to every channel, PLAYBOOK
    rule 11); `reachable` is the latest provider verdict. The `consent_events` ledger keeps the history; these
    rows hold the current state, written in the same transaction as each ledger entry.
    """

    __tablename__ = "buyer_contacts"
    __table_args__ = (
        UniqueConstraint("buyer_id", "channel", "address"),
        Index("ix_buyer_contacts_address", "channel", "address"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    channel: Mapped[str] = mapped_column(String(16))  # a bot.platform.vocab.Channel name, or EMAIL
    address: Mapped[str | None] = mapped_column(String(320))  # None: the web chat, a chat not bound yet, erased
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    total: Mapped[Decimal | None]
    shipping_cost: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    ordered_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("shop_id", "platform", "external_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    platform: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    verified_purchase: Mapped[bool | None] = mapped_column(Boolean)
    edit_url: Mapped[str | None] = mapped_column(String(2000))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    language: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    triage: Mapped[dict[str, Any]]


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_shop_stage", "shop_id", "stage"),
        Index("ix_cases_shop_opened", "shop_id", "opened_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), unique=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    stage: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(24))
    topic: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    contact_mode: Mapped[str] = mapped_column(String(16))
    contact_not_before: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    first_contact_at: Mapped[datetime | None]
    first_reply_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    # The slots gathered in conversation (what happened, when, item, evidence, wanted outcome, ...).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_version: Mapped[int | None] = mapped_column(Integer)

    @property
    def team_topic(self) -> str:
        """The topic whose team owns the case: what the buyer told in chat, where it names another topic than the
        review's triage (the flow's `team_topic` slot), else the review's own."""
        return str((self.details or {}).get("team_topic") or self.topic)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "channel", "provider_id"),
        Index("ix_messages_case", "case_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    role: Mapped[str] = mapped_column(String(8))  # bot | buyer | staff
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    provider_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    # The case's stage after the turn that produced the message, and structured extras (the remedy offered).
    stage: Mapped[str | None] = mapped_column(String(24))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    type: Mapped[str] = mapped_column(String(48))
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str | None] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_version: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]


class Job(Base):
    """A durable timer or outbox entry. Claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "status", "run_at"),
        Index("ix_jobs_case", "case_id"),
        UniqueConstraint("dedupe_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    run_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|running|done|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Stops a timer being scheduled twice, e.g. two expiry jobs for one case.
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("shop_id", "name", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    name: Mapped[str] = mapped_column(String(120))  # file name under policies/, e.g. mediation.yml
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


# ── reports (issue 8): indexes for bot/reports/build.py (migration 0006) ──────────────────────────────────
# Stages reached read (case_id, to_stage) from the index alone; the handoff → staff-answer times find
# handoff events and staff messages without reading every event or message of the period's cases; a
# case's first channel is one index-only probe.
Index("ix_events_case_stage", Event.case_id, Event.to_stage)
Index("ix_events_type_case", Event.type, Event.case_id, Event.at)
Index("ix_messages_role_case", Message.role, Message.case_id, Message.created_at)
Index("ix_messages_case_channel", Message.case_id, Message.id, Message.channel)
# The period's cases for the report's events half, read from the index alone (migration 0007).
Index("ix_cases_report", Case.shop_id, Case.opened_at, Case.id, Case.topic, Case.kind, Case.language, Case.outcome)
# Inbound messages find their buyer (ix_buyer_contacts_address, migration 0014), then the buyer's newest case.
Index("ix_cases_buyer", Case.buyer_id, Case.id)


# ── channels, consent and the outbox (issue 5) ──────────────────────────────────────────────────────


class ContactPoint(Base):
    """A phone number or Telegram chat as one of our senders reaches it, across every shop using that sender.

    Carriers and the law tie an opt-out to the number (or chat) and the sender it was sent to, not to one
    shop's buyer record (PLAYBOOK rule 11, DESIGN decision 8): STOP here stops every shop that writes from
    this sender, survives new buyer records and reviews, and only START lifts it. The shop whose conversation
    last wrote to the contact is the one its replies go to; a shop that never wrote gets none of them.
    """

    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("channel", "address", "sender"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | telegram
    address: Mapped[str] = mapped_column(String(64))  # E.164 number or Telegram chat id
    sender: Mapped[str] = mapped_column(String(64))  # our identity there: a number, a messaging service, a bot
    # The shop (and case) whose conversation last wrote to this contact: where its replies belong.
    shop_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int | None] = mapped_column(BigInteger)
    last_out_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    opt_out_source: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class ConsentEvent(Base):
    """The contact ledger: every change of a buyer's consent or reachability, with where it came from.

    The rows of `buyer_contacts` hold the current state, as intake first wrote it; each later change is
    appended here and applied to those rows in the same transaction, so the history explains the state and
    nothing needs replaying to read it.
    """

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_buyer", "buyer_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    channel: Mapped[str] = mapped_column(String(16))  # sms | telegram | webchat | all
    # granted | revoked | opted_out | resubscribed | unreachable | reachable
    change: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))  # e.g. telegram_start, sms_keyword, twilio_21610
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]


class Delivery(Base):
    """One attempt's result at sending an outbound message over a channel: the provider's id and status."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_deliveries_message", "message_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(128))  # Twilio MessageSid, Telegram chat:message
    status: Mapped[str] = mapped_column(String(16))  # sent | delivered | failed | undelivered | ...
    error: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LinkTokenUse(Base):
    """A Telegram deep-link token that was spent: the link is single-use."""

    __tablename__ = "link_token_uses"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    token_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    chat_id: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime]


# ── Slack handoff (issue 6) ─────────────────────────────────────────────────────────────────────────


class SlackThread(Base):
    """The one staff thread of a handed-off case: where its card is (Slack channel + ts), who owns it, and how
    far the buyer's messages were relayed. Without Slack the row still exists (channel_id is NULL): the
    /staff inbox keeps the owner here too."""

    __tablename__ = "slack_threads"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"), Index("ix_slack_threads_shop", "shop_id", "id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    team: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(32))  # Slack's channel id (C…), from chat.postMessage
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # the card's ts: every reply threads under it
    purpose: Mapped[str] = mapped_column(String(16))  # handoff | flagging (troll / black PR review)
    owner_id: Mapped[str | None] = mapped_column(String(64))  # Slack user id, or account:<id> of a /staff account
    owner_name: Mapped[str | None] = mapped_column(String(120))
    relayed_message_id: Mapped[int | None] = mapped_column(BigInteger)  # last buyer message shown in the thread
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SlackRelay(Base):
    """One Slack event we acted on: dedupes retries (X-Slack-Retry-Num) by event id and client_msg_id, and
    maps a relayed staff message's ts to our message, so an edit or a delete can follow it."""

    __tablename__ = "slack_relays"
    __table_args__ = (Index("ix_slack_relays_ts", "channel_id", "slack_ts"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_msg_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # reply | edit | delete | ignored
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # our outbound messages.id
    at: Mapped[datetime]


# ── policy administration (issue 7) ─────────────────────────────────────────────────────────────────


class PolicyHead(Base):
    """The shop's published policy version: the one small row every turn reads to notice a publish."""

    __tablename__ = "policy_heads"
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    # A digest of the version's files: workers cache parsed policies by it, so a cache never mixes up two
    # databases (or a test database reset between tests) that reuse a version number.
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class PolicyRelease(Base):
    """One published state of all of a shop's policy files (`files` maps file name to policy_versions.id).

    `version` is what events.policy_version and cases.policy_version record."""

    __tablename__ = "policy_releases"
    __table_args__ = (UniqueConstraint("shop_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # seed | publish | rollback
    author: Mapped[str] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    diff: Mapped[str] = mapped_column(Text, default="")
    rolled_back_to: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]


class AdminToken(Base):
    __tablename__ = "admin_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(8))  # admin | staff
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_shop", "shop_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]


# ── sign-in sessions (issue 20, review L5) ──────────────────────────────────────────────────────────


class WebSession(Base):
    """A signed-in browser of /staff or /admin/reports: the cookie holds a random id, this row its SHA-256.
    The raw shop key or admin token never goes into a cookie; signing out revokes the row."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # staff | reports
    name: Mapped[str] = mapped_column(String(120))  # who signed in: the staff account's or the token's name
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # The staff account a /staff session belongs to: removing the account ends its sessions.
    staff_account_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff_accounts.id"))
    # The admin token a /admin/reports session was opened with: revoking the token ends its sessions, and a
    # reports session without one (opened with the shop's API key before only tokens were taken) is refused.
    admin_token_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("admin_tokens.id"))


# ── staff accounts (issue 21.2, security review L11) ────────────────────────────────────────────────


class StaffAccount(Base):
    """A person who answers buyers in /staff: the name buyers see and the audit records, and the SHA-256 of
    their own sign-in token (never the shop's integration key). Removing an account keeps the row, so past
    events still name a real account, and ends its sessions."""

    __tablename__ = "staff_accounts"
    __table_args__ = (Index("ix_staff_accounts_shop", "shop_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


# ── photos (issue 21.4) ─────────────────────────────────────────────────────────────────────────────


class Photo(Base):
    """A photo a buyer sent with a message (the web chat's attachment): its bytes, checked type and size.

    In the database, not in files under the data dir: the case row is the one source of truth (DESIGN decision
    2), and on the scale path N stateless workers share the database but no disk. A photo is then committed,
    erased (bot/conversation/erasure.py) and purged (bot/store/retention.py) in the same transactions as the
    message it belongs to, and a backup of the database holds it. `provider_id` is its message's (the web
    chat's `web:{case}:{client id}`): unique per shop, so a message has at most one photo and a resent upload
    is the same row."""

    __tablename__ = "photos"
    __table_args__ = (
        UniqueConstraint("shop_id", "provider_id"),
        Index("ix_photos_case", "case_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64), ForeignKey("shops.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    provider_id: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
