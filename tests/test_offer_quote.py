"""An offer quotes the paragraph its remedy rests on, not the section from its first word: a refund for a damaged
kettle was justified with "If the box is visibly crushed, wet or torn, you may refuse it" (the damaged-parcel
section's first paragraph). The section now opens with the remedies to choose from, in all 11 languages, and the
offer stops at that paragraph's end; a list's dashes are not quoted."""

from __future__ import annotations

import pytest

from actions.answer_question import first_paragraph, quote

SECTION = "You choose:\n- a **replacement**;\n- a **full refund**.\n\nIf the box is crushed, refuse it.\n\nWe pick up."
# The same section as the Markdown splitter indexes it: a paragraph's lines joined by a newline, two spaces ending it.
CHUNK = "You choose:\n- a **replacement**;\n- a **full refund**.  \nIf the box is crushed, refuse it.  \nWe collect it."


@pytest.mark.parametrize("text", [SECTION, CHUNK, "\n\n" + SECTION])
def test_an_offer_quotes_the_first_paragraph_without_list_marks(text: str) -> None:
    assert quote(text, paragraph=True) == "You choose: a replacement; a full refund."


def test_a_question_is_still_answered_from_the_whole_passage() -> None:
    assert quote(CHUNK, "is the box crushed? refuse?").startswith("If the box is crushed")
    assert first_paragraph("One paragraph only.") == "One paragraph only."


@pytest.mark.parametrize("language", ["en", "pl", "de", "uk", "sq"])
def test_the_damaged_parcel_section_opens_with_the_remedies(language: str) -> None:
    from tests.test_knowledge_languages import _section_text

    opening = quote(_section_text(language, "damaged-or-wrong-items.md", "Parcel arrived damaged"), paragraph=True)
    assert "30" in opening and "14" not in opening  # the partial refund's 30%, not the 14-day reporting window
