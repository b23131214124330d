"""Politeness words inside a request to stop (issue 18.6): "Schreiben Sie mir bitte nicht mehr" after a long
complaint is a clear request and is acted on, in every language; the same words mixed into messages that ask
nothing of the kind never make them an opt-out (PLAYBOOK rule 11). Real NLU, real data/opt_out.yml."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.understanding.nlu import NLU
from bot.understanding.nlu_eval import load_eval
from bot.understanding.opt_out import default_rules, is_clear_opt_out, load_rules

DATA = Path(__file__).resolve().parents[1] / "data"
FLOOR = float(yaml.safe_load((DATA.parent / "policies" / "conversation.yml").read_text())["opt_out_min_confidence"])
FILLERS: dict[str, list[str]] = yaml.safe_load((DATA / "opt_out.yml").read_text(encoding="utf-8"))["fillers"]
# As the buyer writes them (diacritics in): the folded forms in data/opt_out.yml must still match.
WRITTEN = {
    "en": ["please", "kindly"],
    "pl": ["proszę"],
    "sv": ["snälla"],
    "ru": ["пожалуйста"],
    "sq": ["ju lutem"],
    "de": ["bitte"],
    "uk": ["будь ласка"],
    "fr": ["s'il vous plaît"],
    "es": ["por favor"],
    "it": ["per favore"],
    "cs": ["prosím"],
}


def decide(nlu: NLU, text: str, language: str) -> bool:
    r = nlu.parse(text, fallback_language=language)
    return is_clear_opt_out(text, r.intent, r.confidence, FLOOR, sentences=r.sentences)


# A long statement, then the request with a politeness word between the phrase's words.
CLEAR = [
    (
        "de",
        "Die Lieferung kam zwei Wochen zu spät und der Deckel war gebrochen, ich habe dreimal angerufen und niemand "
        "hat mir geholfen. Schreiben Sie mir bitte nicht mehr.",
    ),
    (
        "pl",
        "Paczka przyszła po dwóch tygodniach, kubek był pęknięty i nikt nie odpowiadał na moje maile. "
        "Proszę więcej do mnie nie pisać.",
    ),
    ("pl", "Reklamacja ciagnie sie od miesiaca, mam dosc tego sklepu. Nie pisać do mnie proszę."),
    (
        "en",
        "The kettle leaked from day one and I sorted it out with my bank. Stop, please, sending me messages.",
    ),
    ("sv", "Paketet kom tre veckor för sent och lampan var trasig, jag har redan löst det själv. Sluta snälla skriva."),
    (
        "ru",
        "Посылка шла три недели, чайник пришёл с вмятиной, я уже всё решила сама. Перестаньте, пожалуйста, писать мне.",
    ),
    ("uk", "Посилка йшла три тижні, чайник прийшов з вм'ятиною, я вже все вирішила. Перестаньте, будь ласка, писати."),
    ("sq", "Pakoja erdhi me tre jave vonese dhe llamba ishte e thyer, e zgjidha vete. Mos ju lutem me shkruani me."),
    ("de", "Ich habe das Geld schon über die Bank zurückgeholt. Hören Sie bitte auf, mir zu schreiben."),
]


@pytest.mark.parametrize(("language", "text"), CLEAR)
def test_a_clear_request_with_a_politeness_word_inside_is_acted_on(nlu: NLU, language: str, text: str) -> None:
    assert decide(nlu, text, language)


@pytest.mark.parametrize(
    ("text", "phrase_words"),
    [
        ("Arrêtez s'il vous plaît de m'écrire", True),
        ("Dejen por favor de escribirme", True),
        ("Smettete per favore di scrivermi", True),
        ("Přestaňte mi prosím psát", True),
        ("Schreiben Sie mir bitte nicht mehr", True),
        ("Перестаньте, будь ласка, писати", True),
        # The fillers join a phrase's words; they make none.
        ("please please bitte proszę", False),
        ("bitte schreiben Sie mir, wann es kommt", False),
        ("s'il vous plaît, écrivez-moi quand le colis part", False),
    ],
)
def test_the_rules_skip_fillers_between_a_phrases_words(text: str, phrase_words: bool) -> None:
    assert default_rules().has_phrase(text) is phrase_words


def test_without_the_fillers_the_same_requests_are_missed(tmp_path: Path) -> None:
    """What the fillers change: the rules file without them misses these requests."""
    doc = yaml.safe_load((DATA / "opt_out.yml").read_text(encoding="utf-8"))
    doc.pop("fillers")
    (tmp_path / "opt_out.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    bare = load_rules(tmp_path / "opt_out.yml")
    assert not bare.has_phrase("Schreiben Sie mir bitte nicht mehr")
    assert not bare.has_phrase("Smettete per favore di scrivermi")


def test_a_malformed_fillers_entry_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "opt_out.yml").write_text("commands: [stop]\nphrases: {en: [stop writ]}\nfillers: {en: [1, '']}\n")
    with pytest.raises(ValueError, match="fillers"):
        load_rules(tmp_path / "opt_out.yml")


def test_every_catalogue_language_has_fillers() -> None:
    assert set(FILLERS) == set(WRITTEN)


# Messages that ask nothing of the kind: the playbook's examples, waiting and haggling buyers, and every
# message of the hand-written evaluation set that is not an opt-out (read here, never trained on).
NOT_OPT_OUT = [
    ("en", "it never stops leaking"),
    ("en", "I'm waiting for your answer"),
    ("en", "don't write me off as a troll, the lamp really is broken"),
    ("en", "I never stop using it, that's why it broke"),
    ("de", "bitte schreiben Sie mir, wann es kommt"),
    ("de", "Schreiben Sie mir, ob ich den Deckel allein bekomme"),
    ("pl", "napiszcie mi kiedy przyjdzie nowa paczka"),
    ("pl", "to nie przestaje cieknąć"),
    ("sv", "skriv till mig när paketet skickas"),
    ("ru", "напишите мне, когда придёт замена"),
    ("uk", "напишіть мені, коли прийде заміна"),
    ("sq", "me shkruani kur te vije porosia e re"),
    ("fr", "écrivez-moi quand le colis part"),
    ("es", "escríbanme cuando salga el pedido"),
    ("it", "scrivetemi quando parte il pacco"),
    ("cs", "napište mi, až to odešlete"),
]


def _not_opt_out() -> list[tuple[str, str]]:
    return NOT_OPT_OUT + [(m.language, m.text) for m in load_eval() if m.intent != "opt_out"]


def _mixed(text: str, fillers: list[str], rng: random.Random) -> str:
    words = text.split()
    for filler in fillers:
        words.insert(rng.randint(0, len(words)), filler)
    return " ".join(words)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    case=st.sampled_from(_not_opt_out()),
    picks=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=3),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_fillers_mixed_into_other_messages_never_opt_out(nlu: NLU, case: tuple[str, str], picks, seed: int) -> None:  # type: ignore[no-untyped-def]
    language, text = case
    own = WRITTEN.get(language, WRITTEN["en"])
    text = _mixed(text, [own[k % len(own)] for k in picks], random.Random(seed))
    assert not decide(nlu, text, language), text


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(NOT_OPT_OUT), language=st.sampled_from(sorted(WRITTEN)), seed=st.integers(0, 2**16))
def test_fillers_of_any_language_never_make_a_phrase(case: tuple[str, str], language: str, seed: int) -> None:
    """The rules alone: a filler of any language, anywhere, adds no phrase to a message that had none."""
    _, text = case
    rng = random.Random(seed)
    mixed = _mixed(text, [rng.choice(WRITTEN[language]) for _ in range(rng.randint(1, 4))], rng)
    assert default_rules().has_phrase(mixed) is default_rules().has_phrase(text), mixed
