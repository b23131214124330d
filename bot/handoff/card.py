"""The case card staff read when a case reaches them: in Slack as Block Kit, in the /staff inbox as JSON.

One summary (`CaseCard`) feeds both, so a Slack agent and an inbox user see the same facts: who the buyer
is (first name only), the review, the order, what the bot gathered, how the buyer's anger moved, the
remedies the shop's policy allows with the passage each rests on, why the case was handed off, and the
time left. Personal data is masked here, once: no phone number, e-mail, street address or card number
reaches staff tools (DESIGN: "never full phone numbers or addresses").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import flow
from bot.conversation.context import CaseContext, load_context, remedy_facts
from bot.handoff.masking import mask_text
from bot.handoff.staff_remedy import grant_form
from bot.handoff.summary import what_happened
from bot.platform.currencies import format_money
from bot.platform.vocab import Channel, Stage
from bot.policy.bundle import active_bundle
from bot.store import buyer_contacts
from bot.store.models import Message, Photo, SlackThread

REASONS = {
    "buyer_asked": "the buyer asked for a person",
    "anger": "anger stayed high after de-escalation",
    "insults": "repeated insults",
    "not_understood": "the bot failed to understand twice",
    "legal_or_safety": "legal threat or safety issue",
    "approval_needed": "remedy above the bot's authority: needs approval",
    "no_acceptable_remedy": "no remedy the policy allows fits",
    "remedy_failed": "the remedy did not work",
    "item_changed": "the buyer named another item after the remedy was agreed: check what was already sent",
    "other_order": "the item is not in this order: the buyer sent another order's number (order_ref) to look up",
    "suspected_troll": "suspected troll: review for flagging",
    "suspected_black_pr": "suspected black PR: review for flagging",
    "taken_over": "staff took over",
}


# Why a money remedy the policy allows could not be priced (flow.propose, remedies.unpriced): said after the
# no_acceptable_remedy reason, so the person knows what to look up or fix rather than what to ask the buyer.
UNPRICED = {
    "rate": "the policy allows the money asked for, but the order's currency has no rate in remedies.yml (rates): "
    "decide the amount, and add the rate",
    "price": "the policy allows the money asked for, but the value at stake is unknown (the order has no prices, "
    "or the item is not in it): decide the amount",
}


def reason_text(reason_key: str, details: dict[str, object]) -> str:
    """The handoff's reason as staff read it on the card, with what kept a remedy from being priced."""
    text = REASONS.get(reason_key, reason_key.replace("_", " ") or "staff review")
    gap = details.get("unpriced")
    if reason_key == "no_acceptable_remedy" and isinstance(gap, str) and gap in UNPRICED:
        text += f": {UNPRICED[gap]}"
    return text


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return mask_text(parts[0])[:40] if parts else "the buyer"


def buyer_label(name: str | None) -> str:
    """The buyer as staff read them on a card: first name and the last name's initial ("Jonas W."). A first name
    alone beside the case number read as the name of whoever was assigned when a colleague shares it; the initial
    tells two buyers apart without putting the full name on every screen."""
    parts = (name or "").split()
    if len(parts) < 2 or not parts[-1][:1].isalpha():
        return first_name(name)
    return f"{first_name(name)} {mask_text(parts[-1][:1].upper())}."


@dataclass
class CaseCard:
    case_id: int
    shop_id: str
    purpose: str  # handoff | flagging
    stage: str
    outcome: str | None
    kind: str
    topic: str
    team: str
    team_name: str
    buyer: str
    language: str
    channel: str
    rating: int
    review: str
    order: dict[str, Any] | None
    details: dict[str, Any]
    anger: list[float]
    remedies: list[dict[str, Any]]
    pending_remedy: dict[str, Any] | None
    reason: str
    deadline_at: str
    time_left: str
    owner: str | None = None
    conversation: list[dict[str, Any]] = field(default_factory=list)
    # The remedy on record (the bot's, or a person's with granted_by), and what a staff grant may choose from.
    accepted_remedy: dict[str, Any] | None = None
    grant: dict[str, Any] | None = None
    # What the buyer asked beside their yes ("and could the courier ring the bell?"), newest last: the bot said it
    # back as noted for the team, so the team must see it (masked here, escaped where it is shown).
    side_requests: list[str] = field(default_factory=list)
    # The case as the bot understood it, in the staff's words (bot/handoff/summary.py); the buyer's own words are
    # the conversation's, one message each, never glued into a "what" (issue 21 item 2).
    what_happened: str = ""
    owner_id: str | None = None  # who took it over: the inbox tells "you" from a colleague by id, not by name

    @property
    def title(self) -> str:
        if self.purpose == "flagging":
            return f"Review for flagging · case {self.case_id} · suspected {self.kind.replace('_', ' ')}"
        return f"Case {self.case_id} · {self.team_name} · {self.reason}"[:150]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "title": self.title, "anger_trend": anger_trend(self.anger)}


def time_left(deadline: datetime, now: datetime) -> str:
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "deadline passed"
    days, rest = divmod(seconds, 86400)
    return f"{days} d {rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"


def anger_trend(history: list[float]) -> str:
    if not history:
        return "no replies yet"
    shown = " → ".join(f"{a:.2f}" for a in history[-6:])
    if len(history) < 2:
        return shown
    delta = history[-1] - history[0]
    word = "rising" if delta > 0.1 else "falling" if delta < -0.1 else "steady"
    return f"{shown} ({word})"


def remedy_line(option: dict[str, Any]) -> str:
    if option.get("amount"):
        value = " " + (option.get("amount_text") or format_money(option["amount"], option.get("currency"), "en"))
    elif option.get("percent"):
        value = f" {option['percent']}%"
    else:
        value = ""
    cite = option.get("cite") or {}
    where = f"{cite.get('source', '')} § {cite.get('heading', '')}".strip(" §")
    approval = " (needs staff approval)" if option.get("needs_approval") else ""
    value += f" ({option['part']})" if option.get("part") else ""  # send_part: which part is sent
    value += f" ({option['pieces']} pieces of the line)" if option.get("pieces") else ""  # "two of the six chairs"
    if option.get("add_on"):  # agreed together with the remedy (remedies.yml `combine`): one remedy, both shown
        value += " + " + remedy_line(option["add_on"]).split(" · ")[0]
        if option["add_on"].get("item"):  # the order's second line's remedy (second_item.py): which line it is for
            value += f" for {option['add_on']['item']}"
    return f"{option['type']}{value}{approval} · policy: {where or 'remedies.yml ' + option.get('rule_id', '')}"


def _with_amount_text(option: dict[str, Any], language: str) -> dict[str, Any]:
    if not option.get("amount"):
        return option
    return {**option, "amount_text": format_money(option["amount"], option.get("currency"), language)}


# A buyer's photo is uploaded into the case's Slack thread after the words it came with (channels/slack.py,
# `slack_photos`; erasure and retention delete it there too): the note says it follows, and where else to see it.
PHOTO_NOTE = " [sent a photo: it follows in this thread, and /staff shows it]"
# Not `what`: it is every describing message glued together, venting included; the card's `what_happened`
# says it in a line and the conversation quotes the buyer.
GATHERED = ("when", "item", "order_ref", "evidence", "wants", "outcome_text", "problems", "staff_text")


async def buyer_channel(session: AsyncSession, ctx: CaseContext) -> str:
    """Where the buyer last wrote from, else where the bot can reach them."""
    last = (
        await session.execute(
            select(Message.channel)
            .where(Message.case_id == ctx.case.id, Message.direction == "in")
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if last:
        return last
    reach = await buyer_contacts.of(session, ctx.buyer.id if ctx.buyer else None)
    # A chat the buyer bound beats the phone number intake brought.
    for channel in (Channel.TELEGRAM.value, Channel.SMS.value):
        if reach.address(channel) and reach.consented(channel):
            return channel
    return Channel.WEBCHAT.value


async def load_card(
    session: AsyncSession, case_id: int, now: datetime, *, conversation_turns: int = 6
) -> CaseCard | None:
    ctx = await load_context(session, case_id, lock=False)
    if ctx is None:
        return None
    case = ctx.case
    bundle = await active_bundle(session, case.shop_id)
    thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case.id))).scalar_one_or_none()
    team = thread.team if thread else bundle.routing.team_for(case.team_topic)
    team_info = bundle.routing.teams.get(team)
    details = dict(case.details or {})
    slots = {**details, "language": details.get("language") or case.language, "problems": details.get("problems", [])}
    remedies: list[dict[str, Any]] = []
    granting = case.kind in ("constructive", "impulsive") and case.stage != Stage.CLOSED  # not a troll or black PR
    if granting:
        state = flow.State(Stage(case.stage), slots, remedy_facts(ctx, bundle.conversation, now))
        remedies = [flow.option_slot(o) for o in flow.allowed_options(state, bundle.remedies)]
    # Amounts as staff read money: in the shop's own language ("€35.70", "PLN 392.01"), one helper for all.
    staff_language = bundle.shop.default_language
    remedies = [_with_amount_text(r, staff_language) for r in remedies]
    pending = details.get("pending_remedy")
    order = None
    if ctx.order is not None:
        o = ctx.order
        order = {
            "id": o.external_id,
            "total": str(o.total) if o.total is not None else None,
            "currency": o.currency,
            "total_text": format_money(o.total, o.currency, staff_language) if o.total is not None else None,
            "items": [f"{i.get('name', i.get('sku', '?'))} ×{i.get('qty', 1)}" for i in o.items or []],
            "ordered": o.ordered_at.date().isoformat() if o.ordered_at else None,
            "delivered": o.delivered_at.date().isoformat() if o.delivered_at else None,
        }
    rows = (
        await session.execute(
            select(Message.role, Message.text, Message.created_at, Message.meta)
            .where(Message.case_id == case.id)
            .order_by(Message.id.desc())
            .limit(conversation_turns)
        )
    ).all()
    # Photos still stored (an erasure or the retention job deletes them; their messages keep the mention).
    kept_photos = set((await session.execute(select(Photo.id).where(Photo.case_id == case.id))).scalars())
    reason_key = case.handoff_reason or details.get("handoff_reason") or ""
    return CaseCard(
        case_id=case.id,
        shop_id=case.shop_id,
        purpose="flagging" if case.kind in ("troll", "black_pr") and case.contact_mode == "none" else "handoff",
        stage=case.stage,
        outcome=case.outcome,
        kind=case.kind,
        topic=case.topic,
        team=team,
        team_name=team_info.name if team_info else team,
        buyer=buyer_label(ctx.buyer.name if ctx.buyer else None),
        language=slots["language"],
        channel=await buyer_channel(session, ctx),
        rating=ctx.review.rating,
        review=mask_text(ctx.review.text),
        order=order,
        details={k: _masked(details[k]) for k in GATHERED if details.get(k)},
        anger=[float(a) for a in details.get("anger_history", [])],
        remedies=remedies,
        pending_remedy=_with_amount_text(pending, staff_language) if pending else None,
        reason=reason_text(reason_key, details),
        deadline_at=case.deadline_at.isoformat(),
        time_left=time_left(case.deadline_at, now) if case.stage != Stage.CLOSED else "closed",
        owner=thread.owner_name if thread else None,
        owner_id=thread.owner_id if thread else None,
        conversation=[
            {
                "role": role,
                "text": mask_text(text)[:500],
                "at": at.isoformat(),
                # The photo sent with the message (the web chat's attachment): /staff shows it.
                **({"photo": meta["photo"]} if (meta or {}).get("photo") in kept_photos else {}),
            }
            for role, text, at, meta in reversed(rows)
        ],
        accepted_remedy=details.get("accepted_remedy"),
        grant=grant_form(ctx, bundle.remedies) if granting else None,
        side_requests=[mask_text(str(r))[:300] for r in _side_requests(details)],
        # The staff's language: the inbox and Slack card are English (summary.py falls back to it).
        what_happened=mask_text(what_happened(details, _item_names(ctx), "en")),
    )


def _item_names(ctx: CaseContext) -> list[str]:
    return [str(i.get("name") or i.get("sku") or "?") for i in (ctx.order.items or [])] if ctx.order else []


def _side_requests(details: dict[str, Any]) -> list[str]:
    """Every request noted beside a yes (`side_requests`), or the one of the last answer where only it is kept."""
    kept = [r for r in details.get("side_requests") or [] if r]
    last = details.get("side_request")
    return kept + ([last] if last and last not in kept else [])


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def mrkdwn(text: Any) -> str:
    """Text made literal for Slack mrkdwn, as Slack's formatting guide requires: `&`, `<`, `>` escaped, so a
    buyer's `<!channel>` or `<http://evil|Open>` shows as typed instead of pinging or linking (review M2)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ── Block Kit ────────────────────────────────────────────────────────────────────────────────────

OUTCOMES = ("resolved_kept", "resolved_revised", "unresolved", "no_response", "not_contacted")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2990] or " "}}


def _button(text: str, action_id: str, case_id: int, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": str(case_id),
    }
    if style:
        button["style"] = style
    return button


def _select(placeholder: str, action_id: str, case_id: int, values: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": placeholder},
        "options": [
            {"text": {"type": "plain_text", "text": v.replace("_", " ")}, "value": f"{case_id}:{v}"} for v in values
        ],
    }


def card_text(card: CaseCard) -> str:
    """The notification text (and the fallback for clients that do not render blocks)."""
    return mrkdwn(f"{card.title} · buyer {card.buyer} · {card.rating}/5 · {card.time_left} left")


def card_blocks(card: CaseCard) -> list[dict[str, Any]]:
    stars = "★" * card.rating + "☆" * (5 - card.rating)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": card.title[:150]}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Buyer*\n{mrkdwn(card.buyer)} · {card.language} · {card.channel}"},
                {"type": "mrkdwn", "text": f"*Rating*\n{stars} {card.rating}/5"},
                {"type": "mrkdwn", "text": f"*Why handed off*\n{mrkdwn(card.reason)}"},
                {"type": "mrkdwn", "text": f"*Time left*\n{card.time_left} (deadline {card.deadline_at[:10]})"},
            ],
        },
        _section("*Review*\n>" + mrkdwn(card.review).replace("\n", "\n>")),
    ]
    if card.order:
        o = card.order
        total = f" · {mrkdwn(o.get('total_text') or o['total'])}" if o.get("total") else ""
        dates = f" · ordered {o['ordered']}" if o.get("ordered") else ""
        dates += f" · delivered {o['delivered']}" if o.get("delivered") else ""
        items = ", ".join(mrkdwn(i) for i in o["items"])
        blocks.append(_section(f"*Order* {mrkdwn(o['id'])}{total}{dates}\n" + items))
    if card.what_happened:
        blocks.append(_section("*What happened*\n" + mrkdwn(card.what_happened)))
    if card.details:
        lines = [
            f"• *{k}*: {mrkdwn(', '.join(map(str, v)) if isinstance(v, list) else v)}" for k, v in card.details.items()
        ]
        blocks.append(_section("*Details gathered*\n" + "\n".join(lines)))
    blocks.append(_section(f"*Anger*\n{anger_trend(card.anger)}"))
    if card.conversation:
        said = [
            f"*{m['role']}*: {mrkdwn(m['text'][:300])}{PHOTO_NOTE if m.get('photo') else ''}" for m in card.conversation
        ]
        blocks.append(_section("*Recent conversation*\n" + "\n".join(said)))
    if card.side_requests:
        asked = "\n".join("• " + mrkdwn(r) for r in card.side_requests)
        blocks.append(_section("*The buyer also asked (noted for the team)*\n" + asked))
    if card.accepted_remedy:
        by = card.accepted_remedy.get("granted_by")
        blocks.append(
            _section(
                f"*Remedy agreed*{' by ' + mrkdwn(by) if by else ''}\n" + mrkdwn(remedy_line(card.accepted_remedy))
            )
        )
    if card.pending_remedy:
        blocks.append(_section("*Waiting for your approval*\n" + mrkdwn(remedy_line(card.pending_remedy))))
    if card.remedies:
        blocks.append(
            _section("*Remedies the policy allows*\n" + "\n".join("• " + mrkdwn(remedy_line(r)) for r in card.remedies))
        )
    owner = f"Owner: {mrkdwn(card.owner)}" if card.owner else "Nobody has taken this case yet"
    status = f"Stage: {card.stage}" + (f" · outcome: {card.outcome}" if card.outcome else "")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"{owner} · {status}"}]})
    if card.stage == Stage.CLOSED:
        return blocks
    actions: list[dict[str, Any]] = [_button("Take over", "mediator_take_over", card.case_id, "primary")]
    if card.purpose == "handoff":
        actions.append(_button("Hand back to bot", "mediator_hand_back", card.case_id))
    if card.pending_remedy:
        actions.append(_button("Approve remedy", "mediator_approve", card.case_id, "primary"))
        actions.append(_button("Reject", "mediator_reject", card.case_id, "danger"))
    actions.append(_select("Close with outcome", "mediator_close", card.case_id, OUTCOMES))
    actions.append(_select("Mark troll / black PR", "mediator_flag", card.case_id, ("troll", "black_pr")))
    blocks.append({"type": "actions", "block_id": f"case:{card.case_id}", "elements": actions})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Reply in this thread to write to the buyer; start with // for a note only staff see. "
                    f"Grant a remedy: `/mediator grant {card.case_id} TYPE [AMOUNT] [item]`.",
                }
            ],
        }
    )
    return blocks
