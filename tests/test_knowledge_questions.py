"""A knowledge section's own questions (bot/retrieval/questions.py): found by search, never quoted, and a
broken block is an error that names the section, against a real chromadb and the offline model."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings
from bot.retrieval.index import KnowledgeBase
from bot.retrieval.questions import asked, unclosed, without_questions

DOC = """---
language: en
title: Garden care
---
# Garden care

## Winter storage {#winter-storage}

<!-- questions
- can the lounger stay on the terrace when it freezes?
- where do I keep the cushions from November
-->

Store cushions indoors from the first frost. Frames may stay outside under a cover.

## Cleaning {#cleaning}

Wipe frames with mild soapy water twice a season; never use a pressure washer on rattan.
"""


def _kb(tmp_path: Path, text: str) -> KnowledgeBase:
    root = tmp_path / "knowledge" / "en"
    root.mkdir(parents=True)
    (root / "garden.md").write_text(text, encoding="utf-8")
    return KnowledgeBase(
        KnowledgeSettings(knowledge_dir=root.parent, store=PersistentStoreSettings(path=tmp_path / "chroma"))
    )


def test_a_listed_question_leads_to_its_section_whose_text_is_quoted_without_the_list(tmp_path: Path) -> None:
    kb = _kb(tmp_path, DOC)
    assert kb.index().errors == []
    # "freezes" and "terrace" are in the section's questions only, not in its text.
    found = kb.search("it freezes tonight, can my lounger stay out on the terrace?", k=2, language="en")
    assert found[0].heading == "Garden care > Winter storage"
    assert "<!--" not in found[0].text and "can the lounger" not in found[0].text
    assert found[0].text.startswith("Store cushions indoors")
    # Quoted by name as well, without the list.
    assert "<!--" not in (kb.section("garden.md", "Winter storage", "en") or found[0]).text
    # A section with no questions is searched as before.
    assert kb.search("how do I clean rattan, pressure washer ok?", k=1, language="en")[0].heading.endswith("Cleaning")


def test_editing_a_sections_text_embeds_none_of_its_questions_again(tmp_path: Path) -> None:
    kb = _kb(tmp_path, DOC)
    first = kb.index()
    (tmp_path / "knowledge" / "en" / "garden.md").write_text(DOC.replace("first frost", "first night frost"))
    again = kb.index()
    assert (again.added, again.removed) == (1, 1)
    assert again.unchanged == first.added - 1


def test_an_unclosed_block_is_an_error_naming_the_section_and_keeps_what_was_indexed(tmp_path: Path) -> None:
    kb = _kb(tmp_path, DOC)
    kb.index()
    before = kb.count()
    broken = DOC.replace("-->\n\nStore cushions", "\nStore cushions")
    (tmp_path / "knowledge" / "en" / "garden.md").write_text(broken, encoding="utf-8")
    report = kb.index()
    assert report.errors and "Winter storage" in report.errors[0][1] and "-->" in report.errors[0][1]
    assert kb.count() == before  # the file's chunks are kept, not dropped


lines = st.text(alphabet=st.characters(blacklist_characters="<>-\r\n", blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(lines.filter(lambda q: q.strip()), max_size=6), lines, lines)
def test_a_block_round_trips(questions: list[str], before: str, after: str) -> None:
    block = "<!-- questions\n" + "".join(f"- {q}\n" for q in questions) + "-->\n"
    text = f"{before}\n{block}{after}"
    assert asked(text) == [q.strip() for q in questions]
    assert without_questions(text) == f"{before}\n{after}"
    assert not unclosed(text)
    assert unclosed(text.replace("-->", ""))
