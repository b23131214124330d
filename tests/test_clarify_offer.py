"""An answer to an offer the bot cannot place gets the offer's question again (messages: clarify_offer), naming the
remedy and the ways to answer, instead of a bare "could you put it another way?". End to end, in German and Polish:
tests/scenarios/de_offer_not_understood_asks_the_offer_again.yml and pl_offer_not_understood_asks_the_offer_again.yml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.policy.messages import load_catalog

ROOT = Path(__file__).resolve().parent.parent
GUARDRAILS = ROOT / "policies" / "guardrails.yml"
CATALOG = load_catalog(ROOT / "policies" / "messages", GUARDRAILS)


@pytest.mark.parametrize("language", sorted(p.stem for p in (ROOT / "policies" / "messages").glob("*.yml")))
def test_every_language_asks_the_offer_again_naming_the_remedy(language: str) -> None:
    assert CATALOG.has("clarify_offer", language=language)
    for seed in range(CATALOG.variants("clarify_offer", language)):
        text = CATALOG.render("clarify_offer", language, {"remedy": "REMEDY-NAME"}, seed=seed)
        assert "REMEDY-NAME" in text and "?" in text


def test_a_file_without_it_still_loads_and_the_plain_clarify_is_said(tmp_path: Path) -> None:
    """A shop's own message file written before `clarify_offer` loads; `has` answers for the buyer's file, so the
    action falls back to `clarify` there instead of failing on a key only the fallback language has."""
    for source in (ROOT / "policies" / "messages").glob("*.yml"):
        text = source.read_text(encoding="utf-8")
        if source.stem == "de":
            text = re.sub(r"(?m)^  clarify_offer:\n(    - .*\n)+", "", text)
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    older = load_catalog(tmp_path, GUARDRAILS)
    assert older.has("clarify_offer") and older.has("clarify_offer", language="pl")
    assert not older.has("clarify_offer", language="de")
    assert older.has("clarify", language="de")
