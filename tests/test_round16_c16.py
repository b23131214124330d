"""Readers and data added for the failures of held-out round 16 (data/eval/buyers_heldout15, fr/pl/sq, wt-c16).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import asks_if_genuine, yes_no
from bot.understanding.nlu import NLU
from bot.understanding.number_words import digits_for_words
from bot.understanding.opt_out import default_rules
from tests.opt_out_talk import opts_out
from tests.test_flow import state, turn

# ---- "is this a scam? how do I know you're really the shop?" is answered truthfully, in any stage -----------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "attendez, c'est pas une arnaque votre truc ?"),
        ("fr", "comment je peux savoir que c'est bien la boutique qui m'écrit ?"),
        ("pl", "hmm a to nie jest przypadkiem oszustwo?"),
        ("pl", "skad mam wiedziec ze naprawde piszecie ze sklepu?"),
        ("sq", "a mos eshte ndonje mashtrim kjo?"),
        ("sq", "si ta di qe jeni vertet nga dyqani?"),
        ("en", "how do I know this is really the store and not some fraudster?"),
        ("de", "wer garantiert mir eigentlich, woher weiss ich das, dass das kein Betrug ist?"),
        ("de", "ist das hier echt vom laden oder nur fake?"),
        ("cs", "jak mam vedet, ze jste opravdu ten obchod a ne podvodnik?"),
        ("cs", "je tohle oficialni chat toho obchodu?"),
        ("es", "¿esto es la tienda o un phishing?"),
        ("ru", "откуда мне знать, что вы действительно магазин?"),
    ],
)
def test_a_doubt_about_who_writes_is_read(language: str, text: str) -> None:
    assert asks_if_genuine(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "c'est de l'arnaque ces frais de port"),
        ("fr", "c'est une arnaque ce prix ?"),
        ("pl", "to zdzierstwo a nie cena"),
        ("pl", "czy to jest ten sam model co na zdjeciu?"),
        ("sq", "ky cmim eshte vjedhje"),
        ("en", "the courier tracking is a joke"),
        ("de", "das Paket ist echt vom Laden verpackt worden, total schlecht"),
        ("cs", "jak vim kdy prijde zasilka?"),
    ],
)
def test_a_complaint_about_prices_is_no_doubt_about_who_writes(language: str, text: str) -> None:
    assert not asks_if_genuine(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "vous êtes vraiment le magasin ou un escroc ? vous voulez ma carte ?"),
        ("pl", "czy to na pewno wy? bo boje sie oszustow"),
        ("sq", "a jeni vertet dyqani? kam frike nga mashtrimet"),
    ],
)
def test_beside_an_offer_the_answer_then_the_offer_again(language: str, text: str) -> None:
    offer = {"type": "send_part", "rule": "missing-part-send", "cite": {"source": "damaged-or-wrong-items.md"}}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["missing_item"])
    # The classifier may read such a doubt as anything, a possible opt-out included: it is answered all the same.
    plan = turn(s, intent="opt_out", confidence=0.45, language=language, text=text)
    assert plan.handoff is None and plan.outcome is None
    assert plan.actions == ["action_answer_question", "action_propose_remedy"]
    assert plan.slots["question"] == "genuine"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "avant d'aller plus loin : comment je sais que vous êtes bien la boutique ?"),
        ("pl", "czekaj, skad mam wiedziec ze to naprawde sklep a nie oszusci?"),
    ],
)
def test_while_gathering_the_answer_then_the_detail_asked(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, problems=["wrong_item"], what="wrong_item", requested_slot="outcome")
    plan = turn(s, intent="ask_policy", confidence=0.6, language=language, text=text)
    assert plan.actions[0] == "action_answer_question"
    assert plan.slots["question"] == "genuine"
    assert "action_ask_details" in plan.actions


def test_a_request_to_stop_beside_the_doubt_still_stops() -> None:
    s = state(Stage.GATHERING, language="pl", problems=["late"], requested_slot="outcome")
    text = "to jakies oszustwo? przestancie do mnie pisac"
    plan = turn(s, intent="opt_out", confidence=0.8, language="pl", text=text)
    assert plan.outcome is not None and plan.stage == Stage.CLOSED


# ---- the Polish and Czech particle "no" ("well") before "finally", "please", "thanks" is no English "no" -------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("pl", "no wreszcie. tak, prosze zrobic zwrot", "yes"),
        ("pl", "no w koncu ktos odpisal. zgoda, moze byc", "yes"),
        ("cs", "no konecne. jo, posilejte to", "yes"),
        ("pl", "no nie, tego nie chce", "no"),
        ("cs", "no ne, to nechci", "no"),
        ("pl", "no thanks", "no"),
    ],
)
def test_the_particle_no_before_a_yes(language: str, text: str, said: str) -> None:
    assert yes_no(text, language) == said


# ---- no further contact or correspondence wished for, said as a wish, is a request to stop in words -----------------


@pytest.mark.parametrize(
    "text",
    [
        "prosze sie ze mna wiecej nie kontaktowac w zadnej sprawie",
        "nie zycze sobie zadnej korespondencji z waszej strony, dziekuje",
        "je ne souhaite plus être contacté par vous, pour rien",
        "je ne désire plus aucune correspondance de votre part",
        "nepreji si zadnou dalsi korespondenci od vas",
        "nuk deshiroj asnje korrespondence me ju",
    ],
)
def test_no_more_correspondence_has_its_phrase(text: str) -> None:
    assert default_rules().has_phrase(text)


@pytest.mark.parametrize(
    "text",
    [
        "nie kontaktowal sie ze mna zaden kurier",
        "le livreur ne m'a jamais contactée",
        "je souhaite être contactée par téléphone plutôt",
        "nepreji si zadnou nahradu, chci penize",
        "nuk deshiroj kupon, dua parate",
    ],
)
def test_the_same_words_about_something_else_ask_nothing(text: str) -> None:
    assert not default_rules().has_phrase(text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "prosze sie ze mna wiecej nie kontaktowac w zadnej sprawie"),
        ("fr", "je ne souhaite plus être contacté par vous, pour rien"),
        ("cs", "nepreji si uz zadny kontakt z vasi strany"),
    ],
)
def test_it_stops_contact_at_once(nlu: NLU, language: str, text: str) -> None:
    assert opts_out(nlu, text, language)


# ---- a plain yes that says "go ahead, refund it" accepts the partial refund on the table ----------------------------

_PARTIAL = {"type": "refund_partial", "rule": "hidden-cost-refund", "amount": "9.00", "cite": {"source": "payments.md"}}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "vous auriez pu y penser avant, mais bon d'accord, remboursez"),
        ("pl", "dobra, niech bedzie, oddajcie kase"),
        ("sq", "ok pra, ma ktheni"),
        ("fr", "bon, c'est le minimum, faites-le."),
        ("pl", "no dobra, zrobcie to"),
        ("sq", "ne rregull, bejeni"),
        ("fr", "Franchement ça aurait dû venir sans que je le demande, mais bon, d'accord, remboursez."),
        ("fr", "bon, le minimum, faites-le. et que ça ne se reproduise plus."),
        ("pl", "no dobra, zrobcie to. i wiecej tak nie robcie"),
        ("sq", "mire, bejeni. po mos e perseritni"),
    ],
)
def test_a_grudging_go_ahead_accepts_the_partial_refund(language: str, text: str) -> None:
    s = state(Stage.PROPOSING, language=language, proposed_remedy=_PARTIAL, problems=["hidden_cost"], wants="refund")
    plan = turn(s, intent="request_refund", confidence=0.5, language=language, text=text)
    assert plan.actions[0] == "action_confirm_remedy"
    assert plan.slots["accepted_remedy"]["type"] == "refund_partial"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "ok mais je veux être remboursée"),
        ("en", "ok, but I want my money back"),
        ("pl", "tak, ale chce cale pieniadze"),
        ("sq", "mire, por dua gjithe parate"),
    ],
)
def test_a_yes_with_the_whole_price_asked_is_no_acceptance(language: str, text: str) -> None:
    s = state(Stage.PROPOSING, language=language, proposed_remedy=_PARTIAL, problems=["hidden_cost"], wants="refund")
    plan = turn(s, intent="request_refund", confidence=0.5, language=language, text=text)
    assert "action_confirm_remedy" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "ne faites pas ça"), ("pl", "nie zrobcie tego"), ("sq", "mos e beni ate"), ("sq", "mos e bejeni")],
)
def test_do_it_negated_is_no_yes(language: str, text: str) -> None:
    assert yes_no(text, language) != "yes"


# ---- a sum said in words is read in digits ("sept euros quatre-vingt-dix" is 7.90 EUR) -------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("fr", "je veux les huit euros cinquante en trop", "je veux les 8.50 EUR en trop"),
        ("fr", "soixante et onze euros quatre-vingt-dix prélevés", "71.90 EUR prélevés"),
        ("fr", "rendez-moi neuf euros et quatre-vingt-quinze centimes", "rendez-moi 9.95 EUR"),
        ("fr", "douze virgule cinquante euros", "12.50 EUR"),
        ("pl", "oddajcie mi trzydziesci dwa euro", "oddajcie mi 32.00 EUR"),
        ("pl", "dwadzieścia złotych za wysyłkę", "20.00 PLN za wysyłkę"),
        ("sq", "me ktheni tre euro e pesedhjete", "me ktheni 3.50 EUR"),
        ("sq", "rreth pesëqind lekë", "rreth 500.00 ALL"),
        ("en", "twenty five euros back please", "25.00 EUR back please"),
    ],
)
def test_a_sum_in_words_is_written_in_digits(language: str, text: str, said: str) -> None:
    assert digits_for_words(text, language) == said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "une housse sur trois"),
        ("fr", "les 7,90 euros"),
        ("pl", "jeden kubek pękł, dwa są całe"),
        ("sq", "nje tase e thyer, dy te mira"),
    ],
)
def test_number_words_without_a_currency_are_left_alone(language: str, text: str) -> None:
    assert digits_for_words(text, language) == text


def test_hundredths_after_the_currency_need_two_figures_or_their_name() -> None:
    assert digits_for_words("vingt euros, deux fois", "fr") == "20.00 EUR, deux fois"


@pytest.mark.parametrize(
    ("language", "text", "amount"),
    [
        ("fr", "le remboursement des huit euros quarante, rien de plus", "8.40 EUR"),
        ("pl", "zwrot czesci, mysle ze trzydziesci euro wystarczy", "30.00 EUR"),
        ("sq", "me ktheni tre euro e pesedhjete, jo me shume", "3.50 EUR"),
    ],
)
def test_the_nlu_reads_the_sum_said_in_words(nlu: NLU, language: str, text: str, amount: str) -> None:
    parsed = nlu.parse(text, fallback_language=language)
    assert [e.value for e in parsed.entities if e.entity == "amount"] == [amount]


def test_a_doubt_beside_are_you_a_bot_gets_the_genuine_answer() -> None:
    s = state(Stage.GATHERING, language="en", problems=["late"], requested_slot="outcome")
    plan = turn(s, intent="ask_policy", confidence=0.6, language="en", text="are you a bot? is this a scam?")
    assert plan.slots["question"] == "genuine"
