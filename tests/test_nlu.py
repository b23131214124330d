"""NLU: training data, cache, intents on fresh messages, entities, emotion, language, robustness, CLI."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.app.cli.nlu import nlu_app
from bot.platform import folding
from bot.understanding import model_cache
from bot.understanding import nlu as nlu_module
from bot.understanding.nlu import INTENTS, LEVELS, NLU, load_nlu, read_emotion, read_rasa_nlu

DATA = Path(__file__).resolve().parents[1] / "data"
LANGUAGES = ("en", "pl", "sv", "ru", "sq", "de", "uk")
# The bot's later languages have a smaller hand-written set (issue 18), still every intent in each.
NEWER_LANGUAGES = ("fr", "es", "it", "cs")
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


def test_warm_up_builds_the_language_detector_and_covers_every_language(
    nlu: NLU, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server warms its NLU before serving, and its helper before it says it is ready: otherwise the
    first buyer's parse builds lingua's detector and the turns behind it queue (bench/turn.py)."""
    from bot.understanding import language

    monkeypatch.setattr(language, "_detector", None)  # as in a process that has detected nothing yet
    nlu.warm_up()
    assert language._detector is not None
    # The warm-up texts reach every language the data covers, so each one's first message is warm too.
    assert {nlu.detect_language(t) for t in nlu_module._WARM_UP_TEXTS} == {*LANGUAGES, *NEWER_LANGUAGES}


# ---- training data ----------------------------------------------------------------------------


def test_training_data_covers_every_intent_in_every_language() -> None:
    examples, lookups = nlu_module._read_examples(DATA / "nlu.yml")
    per_intent = Counter(e.intent for e in examples)
    assert set(per_intent) == set(INTENTS)
    assert all(n >= 40 for n in per_intent.values()), per_intent
    per_pair = Counter((e.intent, e.language) for e in examples)
    thin = [(i, lang, per_pair[i, lang]) for i in INTENTS for lang in LANGUAGES if per_pair[i, lang] < 6]
    assert not thin
    # A missed opt-out is a legal problem: it gets the most examples per language of any request.
    assert min(per_pair["opt_out", lang] for lang in LANGUAGES) >= 15
    assert not [(i, lang) for i in INTENTS for lang in NEWER_LANGUAGES if per_pair[i, lang] < 4]
    assert min(per_pair["opt_out", lang] for lang in NEWER_LANGUAGES) >= 9
    assert set(lookups["problem"]) == {
        "damaged", "wrong_item", "missing_item", "late", "lost_in_transit",
        "defect", "charged_twice", "hidden_cost", "support_rude",
    }  # fmt: skip
    assert set(lookups["risk"]) == {"legal", "safety"}
    assert "rozbity" in lookups["problem"]["damaged"]


def test_emotion_data_has_60_per_level() -> None:
    counts = Counter(level for _, level, _ in read_emotion(DATA / "emotion.yml"))
    assert set(counts) == set(LEVELS)
    assert min(counts.values()) >= 60


def test_rasa_reader_strips_both_annotation_styles(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: describe_problem\n  examples: |\n'
        "    - order [NL-2026-10442](order_id) came late\n"
        '    - the [namiot]{"entity": "item", "value": "tent"} is broken\n'
        "- lookup: problem\n  examples: |\n    - damaged\n"
        "- synonym: damaged\n  examples: |\n    - broken\n    - rozbity\n",
        encoding="utf-8",
    )
    examples, lookups = read_rasa_nlu(path)
    assert examples[0] == (
        "order NL-2026-10442 came late",
        "describe_problem",
        [{"entity": "order_id", "value": "NL-2026-10442", "start": 6, "end": 19}],
    )
    assert examples[1][0] == "the namiot is broken"
    assert examples[1][2] == [{"entity": "item", "value": "tent", "start": 4, "end": 10}]
    assert lookups == {"problem": {"damaged": ["broken", "rozbity"]}}


def test_rasa_reader_rejects_a_line_without_dash(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text("nlu:\n- intent: greet\n  examples: |\n    hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must start with '- '"):
        read_rasa_nlu(path)


# ---- cache ------------------------------------------------------------------------------------


def test_cache_is_reused_and_retrained_when_data_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("nlu.yml", "emotion.yml"):
        shutil.copy(DATA / name, data / name)
    cache = tmp_path / "models"
    monkeypatch.setattr(model_cache, "_loaded", {})  # no help from the module-level memo
    first = load_nlu(cache, data)
    files = sorted(cache.glob("nlu-*.joblib"))
    assert len(files) == 1

    trained = []
    real_train = nlu_module.train
    monkeypatch.setattr(nlu_module, "train", lambda *a, **k: trained.append(1) or real_train(*a, **k))
    monkeypatch.setattr(model_cache, "_loaded", {})
    again = load_nlu(cache, data)
    assert trained == []  # loaded from disk
    assert again.parse("STOP").intent == "opt_out"
    assert load_nlu(cache, data) is again  # memoised in process

    with (data / "nlu.yml").open("a", encoding="utf-8") as f:
        f.write("- intent: greet\n  metadata: {language: en}\n  examples: |\n    - howdy partner\n")
    changed = load_nlu(cache, data)
    assert trained == [1]
    assert changed is not first
    assert len(list(cache.glob("nlu-*.joblib"))) == 2
    assert not list(cache.glob("*.tmp"))  # write-then-rename left nothing behind


# ---- intents on messages that are not in the data ---------------------------------------------

OPT_OUTS = [
    ("STOP", None),
    ("stop", "pl"),
    ("UNSUBSCRIBE", "en"),
    ("please stop sending me messages", "en"),
    ("przestańcie pisać do mnie wiadomości", "pl"),
    ("sluta skicka meddelanden till mig", "sv"),
    ("не пишите мне больше никогда", "ru"),
    ("mos më shkruani më asnjë mesazh", "sq"),
    ("hören Sie bitte auf, mir zu schreiben", "de"),
    ("не пишіть мені більше", "uk"),
]


@pytest.mark.parametrize(("text", "language"), OPT_OUTS)
def test_opt_out_in_every_language(nlu: NLU, text: str, language: str | None) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "opt_out"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("can i speak to a real human please", "en"),
        ("chcę porozmawiać z człowiekiem, nie z botem", "pl"),
        ("jag vill prata med en riktig människa", "sv"),
        ("позовите живого оператора", "ru"),
        ("dua të flas me një njeri të vërtetë", "sq"),
        ("ich möchte mit einem echten Menschen sprechen", "de"),
        ("з'єднайте мене з живою людиною", "uk"),
    ],
)
def test_ask_human(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "ask_human"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("you are stupid idiots", "en"),
        ("jesteście idiotami i oszustami", "pl"),
        ("ni är idioter allihop", "sv"),
        ("вы тупые идиоты", "ru"),
        ("jeni idiotë dhe mashtrues", "sq"),
        ("ihr seid alle idioten", "de"),
        ("ви тупі ідіоти", "uk"),
    ],
)
def test_insult(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "insult"


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        ("tak", "pl", "affirm"),
        ("nie", "pl", "deny"),
        ("ja", "sv", "affirm"),
        ("nej", "sv", "deny"),
        ("ja", "de", "affirm"),
        ("nein", "de", "deny"),
        ("да", "ru", "affirm"),
        ("нет", "ru", "deny"),
        ("po", "sq", "affirm"),
        ("jo", "sq", "deny"),
        ("так", "uk", "affirm"),
        ("ні", "uk", "deny"),
        ("yes", "en", "affirm"),
        ("no", "en", "deny"),
    ],
)
def test_short_replies(nlu: NLU, text: str, language: str, intent: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("the tent I got has a ripped floor and a bent pole", "describe_problem"),
        ("poproszę o zwrot pieniędzy na konto", "request_refund"),
        ("what is the warranty period for boots", "ask_policy"),
        ("dziękuję bardzo za pomoc!", "thank"),
    ],
)
def test_other_intents(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent


# ---- entities ---------------------------------------------------------------------------------


def _entities(nlu: NLU, text: str, **kw: object) -> list[tuple[str, str, str]]:
    result = nlu.parse(text, today=TODAY, **kw)
    return [(e.entity, e.value, text[e.start : e.end]) for e in result.entities]


def test_entities_with_exact_spans(nlu: NLU) -> None:
    text = "Zamówienie NL-2026-10442: zapłaciłam 129,90 zł 14.10, pisz na jan.k@example.com lub +48 601 234 567"
    assert _entities(nlu, text) == [
        ("order_id", "NL-2026-10442", "NL-2026-10442"),
        ("amount", "129.90 PLN", "129,90 zł"),
        ("date", "2026-10-14", "14.10"),
        ("email", "jan.k@example.com", "jan.k@example.com"),
        ("phone", "+48601234567", "+48 601 234 567"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order #10442 came yesterday", [("order_id", "10442", "10442"), ("date", "2026-11-22", "yesterday")]),
        ("paid €20 on 2026-11-02", [("amount", "20.00 EUR", "€20"), ("date", "2026-11-02", "2026-11-02")]),
        ("200 kr i fredags", [("amount", "200.00 SEK", "200 kr"), ("date", "2026-11-20", "fredags")]),
        ("заказ № 10442 пришёл вчера", [("order_id", "10442", "10442"), ("date", "2026-11-22", "вчера")]),
        ("erdhi dje, 20 EUR", [("date", "2026-11-22", "dje"), ("amount", "20.00 EUR", "20 EUR")]),
        (
            "Bestellung 10442 kam am 14. Oktober",
            [("order_id", "10442", "10442"), ("date", "2026-10-14", "14. Oktober")],
        ),
        (
            "привезли в понеділок, 1 299,00 грн",
            [("date", "2026-11-16", "понеділок"), ("amount", "1299.00 UAH", "1 299,00 грн")],
        ),
        ("przyszło 31.12, wtedy jeszcze działało", [("date", "2025-12-31", "31.12")]),  # a past date, not next month
        ("kthejini 8 eurot e diferences", [("amount", "8.00 EUR", "8 eurot")]),  # sq "eurot" (issue 19)
        ("верните 8 евро", [("amount", "8.00 EUR", "8 евро")]),
        ("the 99.99 score and 32.13 are not dates", []),
    ],
)
def test_structured_entities(nlu: NLU, text: str, expected: list) -> None:
    assert _entities(nlu, text) == expected


def test_items_match_the_order_fuzzily(nlu: NLU) -> None:
    items = ["Alpine Trekking Tent 2P", "Rain Jacket Storm"]
    assert _entities(nlu, "namiot przyszedł rozbity", items=items) == [("item", "Alpine Trekking Tent 2P", "namiot")]
    assert _entities(nlu, "the jackett leaks", items=items) == [("item", "Rain Jacket Storm", "jackett")]
    assert _entities(nlu, "der Wasserkocher ist kaputt") == [("item", "kettle", "Wasserkocher")]
    assert _entities(nlu, "the lanten is cracked", items=["Rechargeable camping lantern"])[0][1:] == (
        "Rechargeable camping lantern",
        "lanten",
    )
    # A word that only hides inside an item's word is no typo of it: Swedish "låter" (sounds, folded "later") is
    # a subsequence of "lantern"; "Jag låter det nog stå" after the remedy sent the case to staff (issue 19).
    lantern = ["Rechargeable camping lantern", "Enamel mug set, 4 pcs"]
    assert _entities(nlu, "Jag låter det nog stå som det är, men tack ändå.", items=lantern) == []


@pytest.mark.parametrize(
    ("text", "items", "expected"),
    [
        # data/items.yml: the buyer's word for the product, mapped onto the order's English catalogue name
        # (issue 18: "Reiskocher" after "which item?" was asked for again, then handed to staff).
        ("es geht um den Reiskocher", ["Rice cooker 1.8 l", "Tea towels, 3 pcs"], ["Rice cooker 1.8 l"]),
        (
            "kvarnen funkar inte",
            ["Electric coffee grinder", "Paper coffee filters, 200 pcs"],
            ["Electric coffee grinder"],
        ),
        ("frytkownica nie grzeje", ["Digital air fryer 5 l"], ["Digital air fryer 5 l"]),
        ("нічник блимає", ["Kids night light", "Kids raincoat"], ["Kids night light"]),
        ("il frullatore perde", ["Countertop blender 1.5 l"], ["Countertop blender 1.5 l"]),
        ("la sillita llegó rota", ["Child bike seat", "Kids bike helmet"], ["Child bike seat"]),
        ("kuchynsky robot nejde", ["Stand mixer 1000 W", "Silicone baking mats, 2 pcs"], ["Stand mixer 1000 W"]),
        # Kinds added for held-out personas round 4 (written apart from them)
        ("chodzi o ramki", ["Picture frame set, 3 pcs", "Kettle descaler"], ["Picture frame set, 3 pcs"]),
        (
            "навушники тріснули",
            ["Wireless noise-cancelling headphones", "USB cable"],
            ["Wireless noise-cancelling headphones"],
        ),
        ("velozamok ne otkryvaetsya", ["U-lock with two keys", "Bike light"], ["U-lock with two keys"]),
        ("biurko sie chwieje", ["Electric standing desk 140x70", "Wall hooks"], ["Electric standing desk 140x70"]),
        ("chůvička nefunguje", ["Video baby monitor 5 inch", "Kids raincoat"], ["Video baby monitor 5 inch"]),
        # Kinds added for held-out personas round 5 (written apart from them)
        ("sekator sie zacina", ["Bypass pruning shears", "Garden kneeler pad"], ["Bypass pruning shears"]),
        ("gershëret jane te topitura", ["Bypass pruning shears", "Garden kneeler pad"], ["Bypass pruning shears"]),
        ("das Kniekissen fehlt", ["Bypass pruning shears", "Garden kneeler pad"], ["Garden kneeler pad"]),
        ("botník se viklá", ["Bamboo shoe rack, 4 tiers", "Door mat"], ["Bamboo shoe rack, 4 tiers"]),
        ("осушитель гудит", ["Dehumidifier 12 l/day", "Door mat"], ["Dehumidifier 12 l/day"]),
        # Kinds added for held-out personas round 6 (written apart from them); "suszarka" is also the hair dryer's
        # word: it names whichever of the two the order holds.
        ("ta suszarka jest za mala", ["Folding clothes drying rack", "Door mat"], ["Folding clothes drying rack"]),
        ("suszarka przestala grzac", ["Hair dryer 2000 W", "Door mat"], ["Hair dryer 2000 W"]),
        ("sušák se kýve", ["Folding clothes drying rack", "Door mat"], ["Folding clothes drying rack"]),
        ("kolečko má prasklou pneumatiku", ["Garden wheelbarrow 100 l", "Door mat"], ["Garden wheelbarrow 100 l"]),
        ("taczka sie przewraca", ["Garden wheelbarrow 100 l", "Door mat"], ["Garden wheelbarrow 100 l"]),
        ("один бокал с трещиной", ["Wine glasses, set of 6", "Glass kettle"], ["Wine glasses, set of 6"]),
        ("kieliszek byl wyszczerbiony", ["Wine glasses, set of 6", "Door mat"], ["Wine glasses, set of 6"]),
        # Kinds added for held-out personas round 7 (written apart from them)
        (
            "die Teekanne hat einen Sprung",
            ["Stoneware teapot 1.2 l", "Stainless steel tea strainer"],
            ["Stoneware teapot 1.2 l"],
        ),
        ("la tetera vino rota", ["Stoneware teapot 1.2 l", "Tea towels, 3 pcs"], ["Stoneware teapot 1.2 l"]),
        (
            "un des bougeoirs est tordu",
            ["Brass candle holders, set of 3", "Linen napkins"],
            ["Brass candle holders, set of 3"],
        ),
        ("ljusstakarna var repade", ["Brass candle holders, set of 3", "Door mat"], ["Brass candle holders, set of 3"]),
        # "czajnik" / "чайник" are the trained lookup's kettle words: they name the order's teapot when it holds no
        # kettle, and the kettle when it does.
        ("czajniczek ma odprysk na dziobku", ["Cast iron teapot 0.8 l", "Door mat"], ["Cast iron teapot 0.8 l"]),
        ("чайник подтекает у носика", ["Cast iron teapot 0.8 l", "Door mat"], ["Cast iron teapot 0.8 l"]),
        ("czajnik cieknie", ["Glass electric kettle 1.7 l", "Cast iron teapot 0.8 l"], ["Glass electric kettle 1.7 l"]),
        ("altánek má prasklou tyč", ["Garden gazebo 3x3 m", "Door mat"], ["Garden gazebo 3x3 m"]),
        ("беседка шатается на ветру", ["Garden gazebo 3x3 m", "Door mat"], ["Garden gazebo 3x3 m"]),
        ("тортовница пришла с трещиной", ["Glass cake stand with dome", "Door mat"], ["Glass cake stand with dome"]),
        ("patera jest wyszczerbiona", ["Glass cake stand with dome", "Door mat"], ["Glass cake stand with dome"]),
        # a stand with a dome or lid is the cake stand (session 19)
        (
            "у подставки с крышкой откололся край",
            ["Glass cake stand with dome", "Door mat"],
            ["Glass cake stand with dome"],
        ),
        ("підставка з куполом тріснула", ["Glass cake stand with dome", "Door mat"], ["Glass cake stand with dome"]),
        # Kinds added for held-out personas round 8 (written apart from them): a cruet set beside a cocktail shaker
        (
            "me faltan la aceitera y la vinagrera",
            ["Stainless steel cocktail shaker set", "Glass oil and vinegar set"],
            ["Glass oil and vinegar set"],
        ),
        (
            "l'huilier est arrivé fêlé",
            ["Cocktail shaker set", "Glass oil and vinegar set"],
            ["Glass oil and vinegar set"],
        ),
        ("la coctelera tiene un golpe", ["Cocktail shaker set", "Glass oil and vinegar set"], ["Cocktail shaker set"]),
        ("oljeflaskan läcker", ["Cocktail shaker set", "Glass oil and vinegar set"], ["Glass oil and vinegar set"]),
        # A kind the order does not hold names nothing ("podstawka pod garnek" is a part of the stove) ...
        ("nie ma podstawki pod garnek", ["Gas camping stove"], []),
        # ... and a phrase counts only as whole words of the catalogue name: "Portable" holds no "table".
        ("der Tisch wackelt", ["Portable bluetooth speaker"], []),
    ],
)
def test_items_named_in_the_buyers_own_words(nlu: NLU, text: str, items: list[str], expected: list[str]) -> None:
    found = [value for entity, value, _ in _entities(nlu, text, items=items) if entity == "item"]
    assert found == expected


def test_a_malformed_item_vocabulary_names_the_kind_and_the_fix(tmp_path: Path) -> None:
    from bot.understanding.item_kinds import read_item_kinds

    path = tmp_path / "items.yml"
    path.write_text("blender: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"items.yml: blender: give a non-empty list of phrases"):
        read_item_kinds(path)
    assert read_item_kinds(tmp_path / "absent.yml") == {}


def test_problems_and_risks(nlu: NLU) -> None:
    result = nlu.parse("The kettle arrived CRUSHED, it caught fire and I will call my lawyer")
    assert result.problems == ["damaged"]
    assert set(result.risks) == {"safety", "legal"}
    assert nlu.parse("paczka przyszła rozbita, idę do UOKiK").risks == ["legal"]
    assert nlu.parse("wo ist mein Paket, der Kurier hat es verloren").risks == []
    assert nlu.parse("what is your return policy for the courier").risks == []  # "policy" is not "police"


# ---- emotion and language ---------------------------------------------------------------------


def test_anger_ordering(nlu: NLU) -> None:
    shouting = nlu.parse("YOU STUPID THIEVES, WHERE IS MY MONEY!!!")
    civil = nlu.parse("I am disappointed, the parcel is two weeks late and nobody answers")
    happy = nlu.parse("thanks, all good")
    assert shouting.anger > civil.anger > happy.anger
    assert shouting.level == "angry"
    assert happy.level == "calm"


# A report of damage with the feeling in the same message. None of these is in data/: the model must
# read the feeling, not the topic (with fury only in short outbursts in its data, it took "the lamp came
# smashed, I'm furious" for a calm report, and the bot asked for facts before it calmed the buyer).
FURIOUS_REPORTS = [
    ("my blender showed up cracked and I'm seriously pissed off", "en"),
    ("Lampa przyszła rozbita, jestem wściekły!", "pl"),
    ("mixern kom sprucken och jag är jävligt arg", "sv"),
    ("блендер пришёл треснутым, я просто в бешенстве!", "ru"),
    ("der Mixer kam gesprungen an, ich bin echt sauer!", "de"),
    ("блендер прийшов тріснутим, я страшенно зла!", "uk"),
    ("blenderi erdhi i plasaritur, jam shumë e inatosur!", "sq"),
]
CALM_REPORTS = [
    ("the blender arrived with a crack in the jug, can you help?", "en"),
    ("blender przyszedł z pękniętym dzbankiem, co mogę zrobić?", "pl"),
    ("mixern kom med en spricka i kannan, kan ni hjälpa mig?", "sv"),
    ("блендер пришёл с трещиной на чаше, что можно сделать?", "ru"),
    ("der Mixer kam mit einem Riss im Behälter an, können Sie helfen?", "de"),
    ("блендер прийшов із тріщиною в чаші, що можна зробити?", "uk"),
    ("blenderi erdhi me një të çarë në enë, a mund të më ndihmoni?", "sq"),
]


@pytest.mark.parametrize(("text", "language"), FURIOUS_REPORTS)
def test_fury_beside_the_facts_is_not_calm(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).level != "calm"


@pytest.mark.parametrize(("text", "language"), CALM_REPORTS)
def test_a_polite_report_of_the_same_damage_is_calm(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).level == "calm"


# Answers to "do you have a photo?" that say no, none of them in data/: read as yes, they recorded
# evidence the buyer does not have.
NO_PHOTO = [
    ("Sorry, I never took a photo", "en"),
    ("Niestety, zdjęć nie robiłam", "pl"),
    ("Nej, någon bild har jag inte", "sv"),
    ("Фото не делала, извините", "ru"),
    ("Jo, nuk bëra asnjë foto", "sq"),
    ("Nein, Fotos habe ich keine", "de"),
    ("Ні, фото я не робила", "uk"),
]


@pytest.mark.parametrize(("text", "language"), NO_PHOTO)
def test_no_photo_is_a_no(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "deny"


# A fault named as such, in words not in data/: the guarantee's remedy rules need the `defect` problem.
FAULTS = [
    ("The kettle has a manufacturing defect, it broke down after a month", "en"),
    ("Wygląda na wadę fabryczną", "pl"),
    ("Odkurzacz ma usterkę, ssie coraz słabiej", "pl"),
    ("Fläkten har ett fabriksfel", "sv"),
    ("Das Gerät hat einen Mangel", "de"),
    ("Праска зламалася через тиждень", "uk"),
]


@pytest.mark.parametrize(("text", "language"), FAULTS)
def test_a_named_fault_is_a_defect(nlu: NLU, text: str, language: str) -> None:
    assert "defect" in nlu.parse(text, fallback_language=language).problems


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Klosz pęknięty na pół, podstawa wygięta", "pl"),  # was out_of_scope, and the bot asked to rephrase
        ("The shade is cracked in half, the base is bent", "en"),
        ("Schirm in der Mitte gebrochen, Fuß verbogen", "de"),
        ("абажур треснул пополам, основание погнуто", "ru"),
    ],
)
def test_damage_listed_part_by_part_is_a_problem(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "describe_problem"


def test_short_messages_keep_the_conversation_language(nlu: NLU) -> None:
    assert nlu.parse("ok", fallback_language="sv").language == "sv"
    assert nlu.parse("tak", fallback_language="pl").language == "pl"
    assert nlu.parse("да", fallback_language="uk").language == "uk"
    assert nlu.parse("ok").language == "und"
    # lingua calls this German (0.81); a short reply needs more than that to switch.
    assert nlu.parse("That's fine by me", fallback_language="en").language == "en"
    # A clear, short switch is followed, and a long one.
    assert nlu.parse("Ich will mein Geld zurück", fallback_language="en").language == "de"
    assert nlu.parse("Entschuldigung, ich schreibe lieber auf Deutsch weiter", fallback_language="pl").language == "de"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "ma sei un bot?"),  # lingua: German, 0.92
        ("it", "sei un bot?"),
        ("cs", "jsi bot?"),
        ("sv", "vill du ha dom?"),
        ("es", "pero eres un bot?"),
        ("sq", "a je robot?"),
        ("pl", "a co dalej?"),
    ],
)
def test_a_short_message_in_the_case_language_is_not_re_detected(nlu: NLU, language: str, text: str) -> None:
    """A few words lingua's trigrams place elsewhere, all of them words of the conversation's language, are no
    evidence of a switch (issue 18: "ma sei un bot?" in an Italian case was parsed as German)."""
    assert nlu.parse(text, fallback_language=language).language == language


# ---- robustness -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.sampled_from(["", " ", "\x00\x01\x1b[31m", "🤬🤬🤬", "👍", "x" * 10_000, "STOP " * 2000, "\u202e\ufeff"]),
    ),
    language=st.sampled_from([None, "pl", "en", "xx"]),
)
def test_parse_never_crashes(nlu: NLU, text: str, language: str | None) -> None:
    result = nlu.parse(text, fallback_language=language, items=["Tent"])
    assert result.intent in INTENTS
    assert 0.0 <= result.anger <= 1.0
    assert result.level in LEVELS
    assert 0.0 <= result.confidence <= 1.0
    assert all(0 <= e.start < e.end <= len(text) for e in result.entities)
    json.dumps(result.as_json())


def test_as_json_shape(nlu: NLU) -> None:
    d = nlu.parse("order 10442 never arrived", fallback_language="en").as_json()
    assert set(d) == {
        "text",
        "language",
        "intent",
        "intent_ranking",
        "emotion",
        "entities",
        "problems",
        "risks",
        "denied",
        "sentences",
    }
    assert d["sentences"] == []  # one sentence: nothing to read apart
    assert set(d["intent"]) == {"name", "confidence"}
    assert set(d["emotion"]) == {"anger", "level"}
    assert d["entities"] == [{"entity": "order_id", "value": "10442", "start": 6, "end": 11}]
    assert d["problems"] == ["lost_in_transit"]
    assert d["intent_ranking"][0]["name"] == d["intent"]["name"]


def test_each_sentence_of_several_is_read_alone(nlu: NLU) -> None:
    text = "The jug is cracked, how long do refunds usually take?"
    d = nlu.parse(text, fallback_language="en").as_json()
    assert [(x["text"], x["intent"]) for x in d["sentences"]] == [
        ("The jug is cracked", "describe_problem"),
        ("how long do refunds usually take?", "ask_policy"),
    ]
    assert [text[a:b] for a, b in (x["span"] for x in d["sentences"])] == [x["text"] for x in d["sentences"]]


# How long a remedy takes, asked half-way: a question about the policy, not a request for the remedy (held-out
# personas round 4: read as request_refund, it became the wish and a full refund went to approval).
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "no i ile to potrwa, zanim kasa wroci?"),
        ("ru", "через сколько вернутся деньги?"),
        ("uk", "skilky chekaty povernennia koshtiv?"),
        ("sq", "kur kthehen parate?"),
        ("cs", "kdy mi prijdou penize zpet na kartu?"),
    ],
)
def test_how_long_a_refund_takes_is_a_policy_question(nlu: NLU, language: str, text: str) -> None:
    assert nlu.parse(text, fallback_language=language).intent == "ask_policy"


def test_parse_many_matches_parse(nlu: NLU) -> None:
    texts = ["STOP", "namiot przyszedł rozbity", "thanks"]
    assert [r.intent for r in nlu.parse_many(texts)] == [nlu.parse(t).intent for t in texts]


def test_held_out_accuracy_is_reported_per_language() -> None:
    result = nlu_module.evaluate(DATA)
    assert set(result["languages"]) == {*LANGUAGES, *NEWER_LANGUAGES}
    assert result["overall"]["accuracy"] > 0.7
    assert set(result["intents"]) == set(INTENTS)


# ---- CLI --------------------------------------------------------------------------------------


def test_cli_parse_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.app.cli.nlu._cache_dir", lambda: tmp_path)
    result = CliRunner().invoke(nlu_app, ["parse", "STOP writing to me", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["intent"]["name"] == "opt_out"


def test_cli_reads_stdin_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.app.cli.nlu._cache_dir", lambda: tmp_path)
    result = CliRunner().invoke(nlu_app, ["parse", "--json", "--language", "pl"], input="tak\nnie\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(d["language"], d["intent"]["name"]) for d in lines] == [("pl", "affirm"), ("pl", "deny")]


@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
@settings(max_examples=500)
def test_folding_matches_folding_each_character(text: str) -> None:
    # fold() takes a shortcut for ASCII text and memoises characters; both must give exactly what folding
    # each character on its own gives, index map included (spans of entities depend on it).
    expected, index = "", []
    for i, ch in enumerate(text):
        folded = folding._fold_char(ch)
        expected += folded
        index += [i] * len(folded)
    assert folding.fold(text) == (expected, index)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Russian and Ukrainian typed in Latin letters (data/translit.yml): lingua read them as Czech, Albanian or
        # Spanish, and the buyer was answered in those (issue 18, held-out personas).
        ("dobryi vechir, zamovlennya pryishla bez instruktsii, dyakuyu", "uk"),
        ("privet, posylka prishla vchera, no chajnik ne rabotaet", "ru"),
        ("spasibo, teper vse khorosho", "ru"),
        # Czech, Polish and Albanian without diacritics share short words with them and stay what they are.
        ("dobry den, ten hrnec byla rozbity, chci vratit penize", "cs"),
        ("dzien dobry, paczka przyszla zgnieciona, prosze o zwrot", "pl"),
        ("pershendetje, porosia erdhi me vonese", "sq"),
    ],
)
def test_russian_and_ukrainian_in_latin_letters(nlu: NLU, text: str, expected: str) -> None:
    from bot.understanding.language import detect_language

    assert nlu.detect_language(text) == expected
    assert detect_language(text) == expected  # the review's language too (intake)


@pytest.mark.parametrize(
    ("case", "text", "stays"),
    [
        # Without the letters that tell them apart, the folded-text model's guess between the two moved a case.
        ("ru", "vy lichno ne vinovaty, no ja hochu den'gi nazad", True),
        # Their marker words (data/translit.yml) do switch: the buyer changed language.
        ("ru", "mene ne tsikavyt kupon, povernit meni hroshi, bud laska", False),
        ("uk", "ja hochu vernut den'gi za etot chainik, on ne rabotaet", False),
    ],
)
def test_a_latin_letter_message_moves_a_russian_or_ukrainian_case_only_on_marker_words(
    nlu: NLU, case: str, text: str, stays: bool
) -> None:
    other = "uk" if case == "ru" else "ru"
    assert nlu.detect_language(text, case) == (case if stays else other)


def test_a_phrase_typed_in_latin_letters_with_two_habits_is_still_found() -> None:
    """Each word may follow its own spelling habit ("h" for г in "trekinh", "h" for х in "ruhayetsya"): a lost
    parcel's stalled tracking was read as late (held-out round 6, uk)."""
    from bot.understanding.nlu import latin_phrases

    phrases = latin_phrases({"lost_in_transit": ["трекінг не рухається"]})["lost_in_transit"]
    assert "trekinh ne ruhayetsya" in phrases and "treking ne rukhaietsia" in phrases
    assert len(phrases) <= 2 * 64  # bounded per phrase (MAX_LATIN_VARIANTS), whatever its length


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Issue 18: the problem classifier read "after 3 weeks" as a late parcel, the lookup "kaputt" as transit
        # damage; a failure some time after delivery is a defect (data/failed_after_use.yml).
        ("padła po 3 tygodniach", "pl"),
        ("ging nach zwei Wochen kaputt", "de"),
        ("it broke after two weeks", "en"),
        ("se rompió a las dos semanas", "es"),
    ],
)
def test_a_failure_after_some_time_reads_as_a_defect(nlu: NLU, text: str, language: str) -> None:
    assert nlu.parse(text, fallback_language=language).problems == ["defect"]
    assert nlu.problems(text, language) == ["defect"]


# Round 6 (written apart from the held-out set): a parcel whose tracking stands still is lost in transit, said in
# Cyrillic or Latin letters (the policy's "no movement for 7 business days"); it was taken for a late delivery and
# the replacement the policy allows for a lost parcel was refused.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("трек не рухається вже тиждень, що робити", "uk"),
        ("trek ne ruhayetsya z ponedilka", "uk"),
        ("трекинг стоит с прошлой среды", "ru"),
        ("paczka utknęła i nikt nie wie gdzie", "pl"),
        ("balík uvízl někde u dopravce", "cs"),
        # Round 7: tracking that no longer updates is the same stalled parcel.
        ("Трекінг не оновлюється з понеділка", "uk"),
        ("trek ne obnovlyaetsya uzhe nedelyu", "ru"),
        ("śledzenie się nie aktualizuje od piątku", "pl"),
        ("the tracking hasn't updated since Monday", "en"),
    ],
)
def test_tracking_that_stands_still_is_a_lost_parcel(nlu: NLU, text: str, language: str) -> None:
    assert "lost_in_transit" in nlu.problems(text, language)


# Round 7 (written apart from the held-out set): a double charge said with "2x" or another person of the verb, and
# rudeness said with the verb's singular ("нахамив", "нагрубила"); the first was read as a hidden cost, the second as
# nothing, and the first message spoke of "something wrong with your order".
@pytest.mark.parametrize(
    ("text", "language", "problem"),
    [
        ("ściągnęliście 2x tę samą kwotę", "pl", "charged_twice"),
        ("за одне замовлення списали 2 рази", "uk", "charged_twice"),
        ("strhli 2x stejnou castku", "cs", "charged_twice"),
        ("консультант мне нахамил по телефону", "ru", "support_rude"),
        ("менеджерка нагрубила мені в чаті", "uk", "support_rude"),
        ("pani na infolinii byla bardzo nieuprzejma", "pl", "support_rude"),
    ],
)
def test_more_ways_to_say_a_double_charge_and_rudeness(nlu: NLU, text: str, language: str, problem: str) -> None:
    assert problem in nlu.problems(text, language)
