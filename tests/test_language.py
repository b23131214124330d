"""Language detection on short, realistic review sentences (written for the test, not from data/)."""

from __future__ import annotations

import pytest

from bot.understanding.language import SUPPORTED_LANGUAGES, detect_language, detect_languages

SAMPLES = {
    "en": "The courier left my parcel in the rain and the box was soaked.",
    "pl": "Kurier zostawił paczkę pod drzwiami i wszystko przemokło.",
    "sv": "Paketet kom en vecka för sent och kartongen var trasig.",
    "ru": "Посылка пришла на неделю позже, коробка была порвана.",
    "sq": "Pakoja erdhi me një javë vonesë dhe kutia ishte e grisur.",
    "de": "Das Paket kam eine Woche zu spät und der Karton war kaputt.",
    "uk": "Посилка прийшла на тиждень пізніше, і коробка була порвана.",
    "cs": "Balík přišel o týden později a krabice byla roztržená.",
    "fr": "Le colis est arrivé avec une semaine de retard et le carton était abîmé.",
    "es": "El paquete llegó una semana tarde y la caja estaba rota.",
    "it": "Il pacco è arrivato con una settimana di ritardo e la scatola era rotta.",
}


def test_all_required_languages_supported() -> None:
    assert set(SAMPLES) <= set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_detects_short_sentence(code: str, text: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "👍🏻🔥", "12345 67", "!!! ???"])
def test_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_batch_matches_single_and_keeps_order() -> None:
    texts = [*SAMPLES.values(), "🤡", ""]
    assert detect_languages(texts) == [*SAMPLES.keys(), "und", "und"]
    assert detect_languages([]) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # lingua's low-accuracy mode calls each of these the other language; the letters settle it.
        ("Это магазин или цирк? 🤡", "ru"),
        ("одна зірка просто так хаха", "uk"),
    ],
)
def test_letters_only_one_of_ukrainian_and_russian_writes_settle_the_pair(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert detect_languages([text]) == [code]


# Written for this test (not from data/ or the personas). lingua's low-accuracy models read the first four as
# English, Czech, Czech and Polish (they learnt each language with its own letters); the rest, which lingua
# already read right, must stay right.
TYPED_WITHOUT_THE_KEYBOARD = [
    ("Mixer prisel s prasklou miskou, karton byl promackly. Skoda.", "cs"),
    ("Posylka shla tri nedeli, korobka porvana", "ru"),
    ("Uzhasnoe kachestvo, slomalos cherez nedelyu", "ru"),
    ("Posylka yshla try tyzhni, korobka rozirvana", "uk"),
    ("Lampa przyszla zepsuta, jestem bardzo rozczarowana", "pl"),
    ("Llamba nuk punon fare, dua te kthej parate", "sq"),
    ("Velmi spatna kvalita, po dvou dnech se to rozbilo", "cs"),
]


@pytest.mark.parametrize(("text", "code"), TYPED_WITHOUT_THE_KEYBOARD)
def test_reviews_without_diacritics_or_in_latin_letters(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert detect_languages([text]) == [code]


def test_the_folded_text_model_leaves_text_with_its_own_letters_and_short_replies_to_lingua() -> None:
    from bot.understanding.folded_words import folded_language

    assert folded_language("Balík přišel o týden později a krabice byla roztržená.") is None
    assert folded_language("Посылка пришла на неделю позже") is None
    assert folded_language("ok dekuji") is None  # too few letters to tell
    assert folded_language("Posylka shla tri nedeli, korobka porvana") == "ru"


def test_known_share_counts_the_words_a_language_uses() -> None:
    """The words of the training text per language, folded: the evidence a short message gives beside lingua's."""
    from bot.understanding.folded_words import known_share

    assert known_share("ma sei un bot?", "it") > known_share("ma sei un bot?", "de")
    assert known_share("Děkuji, to je v pořádku", "cs") == known_share("dekuji, to je v poradku", "cs") > 0.5
    assert known_share("!!!", "en") == 0.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Чайник через неделю перестал греть. Лампочка горит, вода холодная.", "ru"),
        ("Чайник через тиждень перестав гріти. Лампочка горить.", "uk"),
        ("Чайник перестав гріти через тиждень, вода холодна.", "uk"),
    ],
)
def test_between_neighbours_a_smaller_lead_of_the_words_decides(text: str, code: str) -> None:
    """Russian with no letter of its own alphabet read as Ukrainian by lingua's trigrams: a Russian buyer was first
    written to in Ukrainian (simulator, tuned set). Between ru/uk and pl/cs a lead of 0.1 in the words' share decides,
    elsewhere 0.25; the labelled triage and evaluation reviews read the same before and after."""
    assert detect_language(text) == code
