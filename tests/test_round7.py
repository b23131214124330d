"""Readers and flow rules added for the failures of held-out round 7 (data/eval/buyers_heldout6, west half): German
typed with "ae/oe/ue", a wish taken back with "ach nee", furniture legs and wall stops as parts, Spanish "te mando"
(I send you), a photo offer the classifier read as a wish, an item the buyer keeps beside the one at fault, a
question about what the buyer must do, asked at an offer or while the bot waits for a detail, and a late parcel whose
review was filed under returns. Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.policy.remedies import options_for
from bot.understanding.answers import part_named, percent_asked, read_as, said_fine, said_kept, wishes_in, yes_no
from tests.test_flow import POLICY, REMEDIES, Ent, Msg, facts, state, turn


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("ich moechte das geld zurueck", "ich mochte das geld zuruck"),
        ("waere nett", "ware nett"),
        ("fuer die tuer", "fur die tur"),
        # a real "ue" stays: after a vowel, in "-uell" and "zuerst", and "que" is no umlaut
        ("die neue ist teuer", "die neue ist teuer"),
        ("aktuell zuerst", "aktuell zuerst"),
    ],
)
def test_german_umlauts_typed_as_two_letters_read_as_folded(typed: str, read: str) -> None:
    assert read_as(typed, "de") == read
    assert read_as("bueno, fue nuevo", "es") == "bueno, fue nuevo"  # only German is read so


@pytest.mark.parametrize(
    ("language", "text", "wishes"),
    [
        ("de", "ich haette gern mein geld zurueck", ["refund"]),
        ("de", "die versandkosten zurueck waeren fair", ["shipping"]),
        # a wish taken back inside the message: the later one is the wish
        ("de", "einen gutschein... ach nee, lieber schicken sie das paket nochmal", ["replacement"]),
        ("de", "schickt mir die lampe bitte nochmal", ["replacement"]),
        ("en", "a voucher. no wait, just ship it again", ["replacement"]),
    ],
)
def test_wishes_in_german_typed_without_umlauts_and_taken_back(language: str, text: str, wishes: list[str]) -> None:
    assert wishes_in(text, language)[0] == wishes


def test_a_german_no_typed_without_umlauts() -> None:
    assert yes_no("nein, das moechte ich so nicht", "de") == "no"
    assert yes_no("ja, gerne, machen sie das fuer mich", "de") == "yes"


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("sv", "skrivbordet kom utan benen", "benen"),
        ("sv", "bara fotterna fattas", "fotterna"),
        ("en", "the four legs were not in the box", "four legs"),  # with the count said before it (main 4a3a196)
        ("de", "die beine vom hocker fehlen", "beine"),
        ("fr", "il manque les pieds de la table basse", "pieds"),
        ("es", "no venian los topes de goma", "topes"),
        ("es", "faltan las ventosas", "ventosas"),
        # Spanish "mando" after a pronoun is "I send", not the remote
        ("es", "te mando las fotos ahora", None),
        ("es", "el mando llego sin pilas", "mando"),
    ],
)
def test_legs_feet_and_wall_stops_are_parts(language: str, text: str, part: str | None) -> None:
    said = part_named(text, language)
    assert (said.lower() if said else None) == part


def test_an_item_the_buyer_keeps_is_not_the_one_at_fault() -> None:
    """In an order of two, "refund the frame, I'll keep the candles" named the candles last: they were the case's."""
    text = "please refund the frame, i'll keep the candles"
    assert said_kept(text, text.index("candles"))
    assert not said_kept(text, text.index("frame"))
    fr = "remboursez le plaid, je garde les coussins"
    assert said_kept(fr, fr.index("coussins"))
    items = {"Oak picture frame 30x40": Decimal("30.00"), "Scented candle set, 3 pcs": Decimal("20.00")}
    frame, candles = Ent("item", "Oak picture frame 30x40"), Ent("item", "Scented candle set, 3 pcs")
    frame.start, frame.end = text.index("frame"), text.index("frame") + 5  # type: ignore[attr-defined]
    candles.start, candles.end = text.index("candles"), text.index("candles") + 7  # type: ignore[attr-defined]
    s = flow.State(
        Stage.GATHERING,
        {"language": "en", "problems": ["damaged"], "what": "the glass of the frame is cracked"},
        facts(topic="product", order_value=Decimal("50.00"), item_values=items, lines=2),
    )
    plan = flow.on_buyer_message(
        s, Msg(text=text, intent="request_refund", entities=[frame, candles]), POLICY, REMEDIES
    )
    assert plan.slots["item"] == "Oak picture frame 30x40"
    # With one item named, keeping it is the partial refund's "I keep it": the item stays the case's.
    one = "i'd keep the frame if you knock something off"
    only = Ent("item", "Oak picture frame 30x40")
    only.start, only.end = one.index("frame"), one.index("frame") + 5  # type: ignore[attr-defined]
    plan = flow.on_buyer_message(s, Msg(text=one, intent="request_discount", entities=[only]), POLICY, REMEDIES)
    assert plan.slots["item"] == "Oak picture frame 30x40"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "te mando una foto de la caja"),
        ("en", "I'll send you a photo of the box"),
    ],
)
def test_a_photo_offer_read_as_an_unsure_request_names_no_wish(language: str, text: str) -> None:
    """A photo offer the classifier read as request_replacement at 0.37 gave a buyer missing four wall stops a
    whole new gate; the wish phrases name nothing in it."""
    s = state(
        Stage.GATHERING,
        language=language,
        what="the wall stops were missing",
        item="gate",
        requested_slot="evidence",
        problems=["missing_item"],
        asked=["what", "item", "evidence"],
    )
    plan = turn(s, intent="request_replacement", confidence=0.37, text=text, language=language)
    assert plan.slots.get("wants") is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "hamnar pengarna pa kortet eller maste jag gora nagot sjalv?"),
        ("en", "does the money go back on my card or do I have to do something?"),
    ],
)
def test_a_question_about_what_to_do_at_a_refund_offer_is_no_yes(language: str, text: str) -> None:
    """Read as naming the refund on offer, the question was confirmed as a yes and never answered."""
    offer = {"type": "refund_full", "amount": "33.00", "currency": "EUR"}
    s = state(Stage.PROPOSING, language=language, problems=["charged_twice"], proposed_remedy=offer, wants="refund")
    plan = turn(s, intent="request_refund", confidence=0.66, text=text, language=language)
    assert plan.actions == ["action_answer_question"] and plan.stage == Stage.PROPOSING, plan


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "devo tenere quella rotta finche non mi arriva la nuova?"),
        ("en", "do I have to keep the broken one until the new one arrives?"),
    ],
)
def test_a_question_about_what_to_do_while_the_bot_waits_is_answered(language: str, text: str) -> None:
    """Asked when the bot wanted the outcome, the question named the new one and was passed over with the offer."""
    s = state(
        Stage.GATHERING,
        language=language,
        what="the spout broke off",
        item="teapot",
        evidence="yes",
        requested_slot="outcome",
        problems=["damaged"],
        asked=["what", "item", "evidence", "outcome"],
    )
    plan = turn(s, intent="request_replacement", confidence=0.5, text=text, language=language)
    assert plan.actions[0] == "action_answer_question", plan


def test_a_late_parcel_filed_under_returns_gets_the_delivery_rules() -> None:
    """ "A month for a stool" was triaged as a returns review; the coupon a late parcel earns was refused."""
    for language in ("fr", "de"):
        s = flow.State(
            Stage.PROPOSING,
            {"language": language, "problems": ["late"], "wants": "discount"},
            facts(topic="returns", details={"late_days": 12}),
        )
        told = flow.remedy_facts(s)
        assert told.topic == "delivery"
        assert "coupon" in {o.type for o in options_for(REMEDIES, told)}
    # Without the order's dates agreeing, the review's topic stays.
    s = flow.State(Stage.PROPOSING, {"language": "fr", "problems": ["late"]}, facts(topic="returns"))
    assert flow.remedy_facts(s).topic == "returns"


def test_a_refund_wished_where_none_is_allowed_gets_the_pickup_before_the_goods_again() -> None:
    """A wrong item gets no money back by the rules, only the right one sent again or a free pickup: a buyer who
    wants the money ("preferirei un rimborso, te lo rispedisco") was offered the right size first."""
    assert wishes_in("preferirei un rimborso, la rispedisco io", "it")[0] == ["refund", "return"]
    for language in ("it", "en"):
        s = flow.State(
            Stage.PROPOSING,
            {"language": language, "problems": ["wrong_item"], "wants": "refund"},
            facts(topic="product", days_since_delivery=3),
        )
        assert [o.type for o in flow.allowed_options(s, REMEDIES)][:2] == ["return_pickup", "reship"]
    # Where money back is allowed, nothing changes: a damaged item's refund comes first.
    s = flow.State(
        Stage.PROPOSING,
        {"language": "en", "problems": ["damaged"], "wants": "refund"},
        facts(topic="product", days_since_delivery=3),
    )
    assert flow.allowed_options(s, REMEDIES)[0].type == "refund_full"


@pytest.mark.parametrize(
    ("language", "text", "share"),
    [
        ("de", "ich behalte ihn, aber 45 prozent zurueck?", 45),
        ("es", "me lo quedo si me devolveis un 35%", 35),
        ("en", "keep it for 50 percent back?", 50),
        ("it", "tengo il vaso per il 20 per cento", 20),
    ],
)
def test_a_share_of_the_price_asked_for_is_sized_like_a_sum(language: str, text: str, share: int) -> None:
    """ "40%?" above the 30% a partial refund may be was met with 30% and no word on why: the share is read as the
    sum it is of the item's price, and above the cap the buyer is told the offer is the most."""
    assert percent_asked(text, language) == share
    s = flow.State(
        Stage.GATHERING,
        {
            "language": language,
            "problems": ["damaged"],
            "what": "a chip on the base",
            "item": "Lamp",
            "when": "2026-11-30",
            "evidence": "yes",
            "requested_slot": "outcome",
            "asked": ["what", "item", "evidence", "outcome"],
        },
        facts(topic="product", order_value=Decimal("60.00"), item_values={"Lamp": Decimal("60.00")}),
    )
    plan = turn(s, intent="request_discount", confidence=0.6, text=text, language=language)
    offer = plan.slots["proposed_remedy"]
    assert offer["type"] == "refund_partial", plan
    if share > 30:
        assert offer["amount"] == "18.00" and plan.slots["why_not"]["kind"] == "cap"
    else:
        assert offer["amount"] == "12.00" and plan.slots["why_not"]["kind"] == "asked"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "ya tengo otro soporte de la tienda, quiero el reembolso"),
        ("it", "ho gia comprato un altro supporto, rimborsatemi"),
        ("fr", "j'ai rachete un autre support ailleurs, remboursez-moi"),
    ],
)
def test_a_word_for_a_whole_product_is_no_part(language: str, text: str) -> None:
    """ "Soporte", "supporto", "support" name a mount, a stand or a holder: "I already bought another mount" read as a
    wish for a part of a lost parcel, and the bot offered to send the part before the refund."""
    assert part_named(text, language) is None
    assert wishes_in(text, language)[0] == ["refund"]


@pytest.mark.parametrize(
    ("language", "text", "item", "fine"),
    [
        ("en", "the candles that came in the same parcel are all fine", "candles", True),
        ("fr", "les verres qui etaient avec le plateau sont impeccables", "verres", True),
        ("it", "le tazze che erano nella scatola sono integre", "tazze", True),
        # a relative clause that says nothing is fine, or a fault, leaves the item the one at fault
        ("en", "the kettle that I ordered last month is leaking", "kettle", False),
    ],
)
def test_an_item_said_fine_after_a_relative_clause(language: str, text: str, item: str, fine: bool) -> None:
    """ "The hooks that were in the same box are perfect": the fine word stood past the four words read after the
    item, and the hooks were taken for the cracked one."""
    assert said_fine(text, text.index(item) + len(item)) is fine
