"""The reactive buyer simulator (issue 18): hand-written personas talk to the real engine on a virtual clock,
each answering what the bot just did, and the run is scored per language.

Personas live in `data/eval/buyers/<lang>.yml` (see its README). A persona is a review with its order, what
really went wrong, what the buyer wants (and so which remedies would satisfy them), and pools of phrasings,
one pool per kind of reaction. After each bot reply the simulator reads the reply's bot-turn label (and,
for `ask_details`, which slot the case asked for) and picks a phrasing from the matching pool, with a
seeded choice, so one seed always gives the same conversations. It stops at close, at a handoff (the case
is with staff) or after `max_turns` buyer messages.

Everything runs in one runtime and one database: building a runtime loads the models, which costs far more
than a conversation. The virtual clock only moves forward, so a persona's order dates are relative to the
moment its review arrives.
"""

from __future__ import annotations

import random
import re
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.app.runtime import Runtime, build_runtime
from bot.app.simulate import advance, transcript
from bot.conversation.flow import PUT_OFF_STAGES  # where the bot, having asked nothing, waits for the buyer
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings
from bot.store.models import Case
from bot.store.shops import ensure_shop
from bot.understanding.language import SUPPORTED_LANGUAGES, detect_language

SHOP = "demo"
START_ISO = "2026-11-02T09:00:00+00:00"  # a Monday morning: no quiet hours in any buyer's timezone
Wish = Literal["refund", "replacement", "partial_refund", "part", "answer", "shipping_refund", "discount"]

# What a remedy type must be for each wish to count as met (a persona may list its own `accepts`).
FITS: dict[str, list[str]] = {
    "refund": ["refund_full"],
    "replacement": ["replacement", "reship"],
    "partial_refund": ["refund_partial"],
    "part": ["send_part", "reship"],  # the part on its own, or the missing item shipped again; not a whole new item
    "shipping_refund": ["refund_shipping", "refund_full"],
    "discount": ["coupon", "refund_partial"],
    "answer": ["apology_only", "coupon", "refund_shipping", "refund_partial", "replacement", "reship", "refund_full"],
}

# Pools a persona or its language's `common:` block may hold. `open` answers the first message (and a calming
# reply); the slot pools answer `ask_details`; the rest answer the labels named.
POOLS = (
    "open",
    "calm",
    "what",
    "item",
    "when",
    "evidence",
    "outcome",
    "accept",
    "counter",
    "decline",
    "follow_up",
    "revision",
    "rephrase",
    "after_answer",
    "question",
    "stop",
)


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[dict[str, Any]] = Field(min_length=1)
    # Days before the review; left out, shipping is two days before delivery and the order one before that.
    ordered_days_ago: int | None = Field(None, ge=0)
    shipped_days_ago: int | None = Field(None, ge=0)
    delivered_days_ago: int | None = Field(3, ge=0)
    currency: str = "EUR"
    shipping_cost: str | None = None

    @field_validator("items")
    @classmethod
    def _items(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, item in enumerate(v):
            missing = {"name", "price"} - set(item)
            if missing:
                raise ValueError(f"item {i + 1} lacks {', '.join(sorted(missing))}: give each item a name and a price")
        return v


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    buyer: str
    rating: int = Field(ge=1, le=3)
    review: str = Field(min_length=1)
    order: Order
    problem: str  # what actually went wrong, in the remedy rules' words (damaged, late, wrong_item, ...)
    wants: Wish
    accepts: list[str] | None = None  # remedy types that meet the wish; default from FITS
    in_policy: bool = True  # the shop's policy allows a remedy that meets the wish
    style: list[str] = Field(default_factory=list)  # for people reading the file: typos, no_diacritics, ...
    mood: Literal["calm", "upset", "furious"] = "calm"
    question_at: int | None = Field(None, ge=1)  # the buyer's Nth message is replaced by a `question`
    stop_at: int | None = Field(None, ge=1)  # the buyer's Nth message asks the bot to stop (`stop` pool)
    counters: int = Field(1, ge=0)  # how many offers that miss the wish are countered before accepting
    say: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("say")
    @classmethod
    def _pools(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(v) - set(POOLS)
        if unknown:
            raise ValueError(f"unknown pools {sorted(unknown)}: use {', '.join(POOLS)}")
        for name, texts in v.items():
            if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
                raise ValueError(f"{name}: give at least one non-empty phrasing")
        return v

    @model_validator(mode="after")
    def _needed(self) -> Persona:
        if self.stop_at and "stop" not in self.say:
            raise ValueError("stop_at needs a `stop` pool in say:")
        if self.stop_at and self.in_policy:
            # A buyer written to stop the conversation agrees to nothing: counted in policy, the honoured opt-out
            # read as a failure (six of round 2's 37 "in policy" buyers were such, its figure said 31/37 for 31/31).
            raise ValueError("a buyer who asks to stop (stop_at) reaches no remedy: set in_policy: false")
        if self.question_at and "question" not in self.say:
            raise ValueError("question_at needs a `question` pool in say:")
        return self

    def fits(self, remedy: str) -> bool:
        return remedy in (self.accepts if self.accepts is not None else FITS[self.wants])


class BuyerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str
    common: dict[str, list[str]] = Field(default_factory=dict)
    personas: list[Persona] = Field(min_length=1)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v not in SUPPORTED_LANGUAGES:
            raise ValueError(f"{v!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
        return v

    @field_validator("common")
    @classmethod
    def _common(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return Persona._pools(v)  # type: ignore[operator]


def load_buyers(path: Path) -> BuyerFile:
    """A language's personas; a bad file raises ValueError naming the file, the field and the fix."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = BuyerFile.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"])
        raise ValueError(f"{path}: {where}: {e['msg'].removeprefix('Value error, ')}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not YAML: {str(exc).splitlines()[0]}") from None
    if parsed.language != path.stem:
        raise ValueError(
            f"{path}: language: {parsed.language!r} in a file named {path.name}: name it {parsed.language}.yml"
        )
    return parsed


# ── one conversation ────────────────────────────────────────────────────────────────────────────


@dataclass
class Conversation:
    persona: str
    language: str
    in_policy: bool
    turns: list[dict[str, Any]] = field(default_factory=list)
    end: str = ""  # closed | handoff | max_turns | silent
    outcome: str | None = None
    handoff_reason: str | None = None
    agreed: str | None = None  # the remedy confirmed before any handoff, if it met the wish
    accepted_other: str | None = None  # a confirmed remedy that did not meet the wish
    opted_out: bool = False
    asked_to_stop: bool = False
    repeated: list[str] = field(default_factory=list)  # "ask_details:item" asked again after an answer
    wrong_language: list[str] = field(default_factory=list)
    not_understood: int = 0

    @property
    def failed_after(self) -> bool:
        """Agreed with the bot, then handed to staff: at the follow-up the remedy had not worked (the new one
        broke too, the money never came), or a later message needed a person. The figure shows these apart, so an
        agreement that did not hold is not read as a resolved case."""
        return bool(self.agreed) and self.end == "handoff"

    @property
    def false_opt_out(self) -> bool:
        return self.opted_out and not self.asked_to_stop

    @property
    def missed_opt_out(self) -> bool:
        return self.asked_to_stop and not self.opted_out


class Buyer:
    """A persona's side of one conversation: picks what to say from what the bot just did."""

    def __init__(self, persona: Persona, common: dict[str, list[str]], seed: int) -> None:
        self.p = persona
        self.pools = {**common, **persona.say}
        self.rng = random.Random(zlib.crc32(f"{seed}:{persona.id}".encode()))
        self.used: Counter[str] = Counter()
        self.orders: dict[str, list[int]] = {}
        self.sent = 0
        self.countered = 0
        self.answered: set[str] = set()  # slots the buyer has answered
        self.last_pool = "open"

    def pick(self, pool: str) -> str:
        texts = self.pools.get(pool) or self.pools.get("rephrase") or ["ok"]
        # Each pool is walked in its own seeded order, so a question asked again gets another phrasing.
        if pool not in self.orders:
            order = list(range(len(texts)))
            self.rng.shuffle(order)
            self.orders[pool] = order
        text = texts[self.orders[pool][self.used[pool] % len(texts)]]
        self.used[pool] += 1
        self.last_pool = pool
        return text

    def react(self, action: str, slot: str | None, remedy: str | None) -> tuple[str, str]:
        """(pool, text) answering the bot's last turn; the pool says what the buyer meant by it."""
        self.sent += 1
        if self.p.stop_at and self.sent >= self.p.stop_at:
            return "stop", self.pick("stop")
        if self.p.question_at and self.sent == self.p.question_at:
            return "question", self.pick("question")
        if action == "ask_details" and slot:
            self.answered.add(slot)
            if slot == "outcome" and self.p.wants in ("answer",) and "outcome" not in self.pools:
                return "outcome", self.pick("after_answer")
            return slot, self.pick(slot)
        if action == "propose_remedy":
            if remedy and self.p.fits(remedy):
                return "accept", self.pick("accept")
            if self.countered < self.p.counters:
                self.countered += 1
                return "counter", self.pick("counter")
            return "accept", self.pick("accept")
        if action == "opt_out_check":
            # "Would you like us to stop contacting you?": a buyer who asked to stop says so again (stop_at,
            # above); any other goes on with what they last meant.
            return "rephrase", self.pick("rephrase")
        if action == "follow_up":
            return "follow_up", self.pick("follow_up")
        if action == "ask_revision":
            return "revision", self.pick("revision")
        if action == "clarify":
            # Said again in other words: the pool the buyer last answered from, else the rephrase pool.
            again = self.last_pool if self.last_pool in self.pools and self.last_pool not in ("stop",) else "rephrase"
            text = self.pick(again if len(self.pools.get(again, [])) > 1 else "rephrase")
            return again, text
        if action == "answer_question":
            return "after_answer", self.pick("after_answer")
        if action == "deescalate":
            return "calm", self.pick("calm" if "calm" in self.pools else "what")
        if action in ("first_contact",):
            return "open", self.pick("open")
        # acknowledge and anything else that asks nothing: carry on with what happened.
        return "what", self.pick("what")


ASKS = {"ask_details"}
# Bot turns a buyer answers. After any other (a confirmation, an acknowledgement while the team works on
# the remedy) the buyer waits for the bot's next message, as people do.
ANSWERED = {
    "first_contact",
    "deescalate",
    "ask_details",
    "propose_remedy",
    "clarify",
    "follow_up",
    "ask_revision",
    "answer_question",
    "opt_out_check",
}
# Bot-turn labels that end the buyer's part of the conversation.
ENDS = {"close", "opt_out_confirm", "handoff"}


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


_URL = re.compile(r"https?://\S+")
_QUOTED = re.compile(r"[\"“„«»”][^\"“„«»”]{0,600}[\"“”»«]")
MIN_LETTERS = 30  # below this lingua's low-accuracy mode is unreliable (bot/understanding/language.py)


def reply_language_problem(text: str, label: str | None, want: str) -> str | None:
    """Why a bot reply is not in the buyer's language, or None. The reply's own label must be the buyer's
    language; its text (without links) must detect as it when long enough to judge, and so must a quoted
    passage (a policy quote in English inside a Polish reply is a wrong-language reply too)."""
    if label and label != want:
        return f"labelled {label}"
    plain = _URL.sub(" ", text)
    for quote in _QUOTED.findall(plain):
        if _letters(quote) >= MIN_LETTERS and (got := detect_language(quote)) != want:
            return f"quote in {got}"
    if _letters(plain) >= MIN_LETTERS and (got := detect_language(plain)) != want:
        return f"text in {got}"
    return None


async def _details(rt: Runtime, case_id: int) -> Case:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return case


def _review(persona: Persona, clock: VirtualClock, serial: int) -> dict[str, Any]:
    now = clock.now()
    o = persona.order
    total = sum(float(i["price"]) * int(i.get("qty", 1)) for i in o.items)

    def ago(days: int | None) -> str | None:
        return None if days is None else (now - timedelta(days=days)).isoformat()

    shipped = o.shipped_days_ago if o.shipped_days_ago is not None else (o.delivered_days_ago or 0) + 2
    ordered = o.ordered_days_ago if o.ordered_days_ago is not None else shipped + 1
    order: dict[str, Any] = {
        "id": f"SIM-{serial:05d}",
        "total": f"{total:.2f}",
        "currency": o.currency,
        "ordered_at": ago(ordered),
        "shipped_at": ago(shipped),
        "items": [{"sku": f"SKU-{n}", "qty": 1, **i, "price": str(i["price"])} for n, i in enumerate(o.items)],
    }
    if o.delivered_days_ago is not None:
        order["delivered_at"] = ago(o.delivered_days_ago)
    if o.shipping_cost is not None:
        order["shipping_cost"] = o.shipping_cost
    first = persona.buyer.split(" ")[0].lower()
    return {
        "platform": "demo-reviews",
        "external_id": f"sim-{serial}-{persona.id}",
        "rating": persona.rating,
        "text": persona.review,
        "created_at": (now - timedelta(minutes=5)).isoformat(),
        "verified_purchase": True,
        "edit_url": f"https://reviews.example/demo/reviews/sim-{serial}/edit",
        "buyer": {
            "name": persona.buyer,
            "email": f"{first}.{serial}@example.com",
            "timezone": "Europe/Warsaw",
            "consent": {"webchat": True},
        },
        "order": order,
    }


async def converse(
    rt: Runtime,
    clock: VirtualClock,
    persona: Persona,
    common: dict[str, list[str]],
    language: str,
    *,
    seed: int,
    serial: int,
    max_turns: int,
) -> Conversation:
    conv = Conversation(persona.id, language, persona.in_policy)
    [result] = await rt.intake.ingest(SHOP, [_review(persona, clock, serial)])
    if result.status == "error":
        raise ValueError(f"{persona.id}: review: " + "; ".join(f"{e['field']}: {e['message']}" for e in result.errors))
    if result.case_id is None:
        conv.end = f"not_contacted:{(result.triage or {}).get('kind', '?')}"
        return conv
    case_id = result.case_id
    buyer = Buyer(persona, common, seed)
    seen = 0
    await rt.worker.run_due()
    if not any(t["role"] == "bot" for t in (await transcript(rt, case_id))["turns"]):
        await advance(rt, clock, clock.now() + timedelta(hours=12))  # an impulsive review's cool-down
    confirmed: str | None = None
    while True:
        t = await transcript(rt, case_id)
        new = t["turns"][seen:]
        seen = len(t["turns"])
        bot = [x for x in new if x["role"] == "bot"]
        case = await _details(rt, case_id)
        for turn in bot:
            problem = reply_language_problem(turn["text"], turn.get("language"), language)
            if problem:
                conv.wrong_language.append(f"{turn['action']}: {problem}")
            if turn["action"] == "clarify":
                conv.not_understood += 1
            if turn["action"] == "confirm_remedy" and turn.get("remedy") and confirmed is None:
                confirmed = turn["remedy"]["type"]
                if persona.fits(confirmed):
                    conv.agreed = confirmed
                else:
                    conv.accepted_other = confirmed
            if turn["action"] == "opt_out_confirm":
                conv.opted_out = True
        asking = [x for x in bot if x["action"] in ASKS]
        if asking:
            slot = (case.details or {}).get("requested_slot")
            if slot in buyer.answered:
                conv.repeated.append(f"ask_details:{slot}")
        if case.stage in ("awaiting_staff", "handoff") or any(x["action"] == "handoff" for x in bot):
            conv.end, conv.handoff_reason = "handoff", case.handoff_reason
            break
        if case.stage == "closed":
            conv.end = "closed"
            break
        if buyer.sent >= max_turns:
            conv.end = "max_turns"
            break
        # "Of course, write whenever it suits you" after "at work, later" (an acknowledgement while the case is still
        # being talked through) waits for the buyer, who comes back that evening and carries on.
        comes_back = bool(bot) and bot[-1]["action"] == "acknowledge" and case.stage in PUT_OFF_STAGES
        if comes_back:
            clock.set(clock.now() + timedelta(hours=5))
        if not bot or (bot[-1]["action"] not in ANSWERED and not comes_back):
            # Nothing to answer yet: let the timers (follow-up, the review question) come due.
            await advance(rt, clock, clock.now() + timedelta(days=4))
            t2 = await transcript(rt, case_id)
            if len(t2["turns"]) == seen:
                conv.end = "silent"
                break
            continue
        last = bot[-1]
        remedy = (last.get("remedy") or {}).get("type")
        slot = (case.details or {}).get("requested_slot") if last["action"] == "ask_details" else None
        pool, text = buyer.react(last["action"], slot, remedy)
        if pool == "stop":
            conv.asked_to_stop = True
        clock.set(clock.now() + timedelta(minutes=3))
        await rt.conversation.buyer_message(case_id, text, channel="webchat")
        await rt.worker.run_due()
    final = await transcript(rt, case_id)
    conv.turns = final["turns"]
    conv.outcome = final["outcome"]
    if conv.handoff_reason is None and conv.end == "handoff":
        conv.handoff_reason = final["handoff_reason"]
    return conv


# ── a run ───────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Figures:
    conversations: int = 0
    in_policy: int = 0
    agreed: int = 0  # in-policy conversations with an agreed remedy that fits, without staff
    failed_after: int = 0  # of those, how many went to staff afterwards (the remedy failed, or a later message)
    # Of the remedies the buyer confirmed with the bot, how many meet their wish (issue 19): a buyer who wanted
    # their money back and was recorded as accepting a partial refund counts against it.
    confirmed: int = 0
    wish_met: int = 0
    handoffs: Counter[str] = field(default_factory=Counter)
    false_opt_outs: int = 0
    missed_opt_outs: int = 0
    repeated: int = 0
    wrong_language: int = 0
    not_understood: int = 0
    ends: Counter[str] = field(default_factory=Counter)

    def add(self, c: Conversation) -> None:
        self.conversations += 1
        self.in_policy += c.in_policy
        self.agreed += bool(c.in_policy and c.agreed)
        self.failed_after += bool(c.in_policy and c.failed_after)
        self.confirmed += bool(c.agreed or c.accepted_other)
        self.wish_met += bool(c.agreed)
        if c.end == "handoff":
            self.handoffs[c.handoff_reason or "?"] += 1
        self.false_opt_outs += c.false_opt_out
        self.missed_opt_outs += c.missed_opt_out
        self.repeated += len(c.repeated)
        self.wrong_language += len(c.wrong_language)
        self.not_understood += c.not_understood
        self.ends[c.end] += 1

    def row(self) -> dict[str, Any]:
        share = self.agreed / self.in_policy if self.in_policy else float("nan")
        return {
            "conversations": self.conversations,
            "agreed": f"{self.agreed}/{self.in_policy} ({share:.0%})",
            "failed_after": self.failed_after,
            "wish_met": f"{self.wish_met}/{self.confirmed}"
            + (f" ({self.wish_met / self.confirmed:.0%})" if self.confirmed else ""),
            "handoffs": sum(self.handoffs.values()),
            "false_opt_outs": self.false_opt_outs,
            "missed_opt_outs": self.missed_opt_outs,
            "repeated_q": self.repeated,
            "wrong_lang": self.wrong_language,
            "not_understood": self.not_understood,
            "handoff_reasons": dict(self.handoffs),
        }


def persona_files(root: Path, languages: list[str] | None = None) -> list[Path]:
    files = sorted(root.glob("*.yml"))
    if languages:
        unknown = set(languages) - {f.stem for f in files}
        if unknown:
            raise ValueError(f"--lang: no personas for {', '.join(sorted(unknown))} in {root}")
        files = [f for f in files if f.stem in languages]
    return files


async def run_buyers(
    base: Settings,
    files: list[Path],
    *,
    seed: int = 1,
    max_turns: int = 12,
    personas: set[str] | None = None,
    database_url: str | None = None,
) -> list[Conversation]:
    """Every persona of `files` (or only those named) through one runtime; the conversations, in order."""
    loaded = [load_buyers(f) for f in files]
    clock = VirtualClock(datetime.fromisoformat(START_ISO))
    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='mediator-buyers-')) / 'sim.db'}"
    settings = base.model_copy(update={"database_url": url, "shops": {SHOP: ShopSettings(name=SHOP)}})
    # refresh_knowledge, as `mediator serve` does: the index in var/chroma persists between runs, and without
    # it documents added since (knowledge/fr, say) were missing and buyers got English quotes.
    rt = await build_runtime(settings, clock, refresh_knowledge=True)
    out: list[Conversation] = []
    try:
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, SHOP, SHOP, f"sim-{SHOP}", clock.now())
        await rt.seed_policies()
        serial = 0
        for file in loaded:
            for persona in file.personas:
                if personas and persona.id not in personas:
                    continue
                serial += 1
                out.append(
                    await converse(
                        rt, clock, persona, file.common, file.language, seed=seed, serial=serial, max_turns=max_turns
                    )
                )
                # A day between buyers: the next review arrives on its own day, and timers of the last
                # conversation (a reminder about the review) fire now rather than inside the next one.
                await advance(rt, clock, clock.now() + timedelta(days=12))
    finally:
        await rt.close()
    return out


def figures(conversations: list[Conversation]) -> dict[str, Figures]:
    per: dict[str, Figures] = {}
    for c in conversations:
        per.setdefault(c.language, Figures()).add(c)
        per.setdefault("total", Figures()).add(c)
    if "total" in per:
        per["total"] = per.pop("total")  # last
    return per


def render_transcript(c: Conversation) -> str:
    """One conversation, readable: each turn with who spoke, the bot-turn label and the stage."""
    lines = [
        f"# {c.persona} ({c.language}) — end: {c.end}"
        + (f" ({c.handoff_reason})" if c.handoff_reason else "")
        + f", outcome: {c.outcome}, agreed: {c.agreed or '-'}"
        + (f", accepted other: {c.accepted_other}" if c.accepted_other else ""),
    ]
    if c.false_opt_out:
        lines.append("# FALSE OPT-OUT")
    if c.missed_opt_out:
        lines.append("# MISSED OPT-OUT")
    for r in c.repeated:
        lines.append(f"# REPEATED {r}")
    for w in c.wrong_language:
        lines.append(f"# WRONG LANGUAGE {w}")
    lines.append("")
    for t in c.turns:
        who = "BOT " + (t.get("action") or "") if t["role"] == "bot" else t["role"].upper()
        remedy = f" [{t['remedy']['type']} {t['remedy'].get('amount') or ''}]" if t.get("remedy") else ""
        lines.append(f"[{t['at'][5:16].replace('T', ' ')}] {who} ({t.get('stage')}, {t.get('language')}){remedy}")
        lines.append("    " + t["text"].replace("\n", "\n    "))
    return "\n".join(lines) + "\n"
