"""Buyers' text is folded one way everywhere (bot/platform/folding.py): the understanding layer (NLU, answers,
opt-out) and the retrieval layer (the knowledge index's lexical half) are siblings that may not import each
other, and each once kept its own copy; the retrieval copy drifted. These inputs are the letters the two copies
had to agree on: ones NFKD leaves alone (ł, ß, ø, æ, đ), Cyrillic letters with a diaeresis or breve, Latin ones
with a cedilla, diaeresis or ring, letters given as a base plus combining marks, and typed apostrophes."""

from __future__ import annotations

import pytest

from bot.platform.folding import fold, plain
from bot.retrieval.index import _LexicalIndex
from bot.understanding import nlu

TRICKY = [
    ("Łódź, ŁAŃCUCH", "lodz, lancuch"),
    ("Straße STRASSE", "strasse strasse"),
    ("Ёлка, всё", "елка, все"),
    ("Їжак, її", "іжак, іі"),
    ("йогурт", "иогурт"),
    ("Ça reçu", "ca recu"),
    ("Shqipërë, ë", "shqipere, e"),
    ("Søren, Ærø", "soren, aero"),
    ("Åsa, på", "asa, pa"),
    ("Đakovo", "dakovo"),
    ("zwro\u0301cic\u0301, e\u0301te\u0301", "zwrocic, ete"),  # base letters plus combining acute accents
    ("Příliš žluťoučký kůň", "prilis zlutoucky kun"),
    ("don’t donʼt don`t", "don't don't don't"),
    ("İstanbul", "istanbul"),
    ("ﬁle", "file"),  # a compatibility ligature
    ("plain ascii, UPPER", "plain ascii, upper"),
]


def _retrieval_preprocessor():  # type: ignore[no-untyped-def]
    """What the knowledge index's lexical half applies to a chunk and to a query before cutting n-grams."""
    index = _LexicalIndex(["a"], ["anything"], [{"language": "en", "source": "a.md", "heading": "A"}])
    return index._vectorizer.build_preprocessor()


@pytest.mark.parametrize(("text", "folded"), TRICKY)
def test_understanding_and_retrieval_fold_alike(text: str, folded: str) -> None:
    understanding, _index = nlu.fold(text)  # what the NLU matches its phrases against
    retrieval = _retrieval_preprocessor()(text)
    assert understanding == folded
    assert retrieval == folded


@pytest.mark.parametrize(("text", "folded"), TRICKY)
def test_every_folded_letter_points_back_into_the_message(text: str, folded: str) -> None:
    # The NLU turns a match on the folded text back into a span of the message through this map; a letter
    # folded to two ("ß" -> "ss") or a combining mark dropped must not shift the letters after it.
    out, index = fold(text)
    assert out == folded
    assert len(index) == len(out)
    assert index == sorted(index)
    for i, ch in zip(index, out, strict=True):
        assert ch in plain(text[i])


def test_a_chunk_written_with_diacritics_is_found_by_the_buyers_folded_query() -> None:
    texts = ["Zwrot pieniędzy w ciągu 14 dni", "Gwarancja obejmuje wady fabryczne", "Доставка занимает 3 дня"]
    metas = [{"language": "pl", "source": f"{i}.md", "heading": "A > B"} for i in range(len(texts))]
    index = _LexicalIndex([str(i) for i in range(len(texts))], texts, metas)
    as_written, as_typed = index.scores("zwrot pieniędzy"), index.scores("ZWROT PIENIEDZY")
    assert as_written.argmax() == 0
    assert as_typed.tolist() == pytest.approx(as_written.tolist())
    assert index.scores("доставка занимает").tolist() == pytest.approx(index.scores("ДОСТАВКА ЗАНИМАЕТ").tolist())
