"""An answer to an offer the bot cannot place gets the offer's question again (messages: clarify_offer), naming the
remedy and the ways to answer, instead of a bare "could you put it another way?". End to end, in German and Polish:
tests/scenarios/de_offer_not_understood_asks_the_offer_again.yml and pl_offer_not_understood_asks_the_offer_again.yml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.conversation.flow import State
from bot.platform.vocab import Stage
from bot.policy.messages import load_catalog
from tests.test_flow import state, turn

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


# ---- a yes said with thanks after a question answered beside an offer ------------------------------------------------

OFFER = {"type": "reship", "rule_id": "wrong-item-reship",
         "cite": {"source": "damaged-or-wrong-items.md", "heading": "Wrong item received"}}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "question", "yes"),
    [
        ("en", "do I have to send the wrong ones back first?", "great, yes, thanks"),
        ("sq", "duhet t'i kthej te gabuarat me pare?", "shume mire, po, faleminderit"),
        ("sv", "måste jag skicka tillbaka de felaktiga först?", "bra, ja tack"),
        ("sv", "måste jag skicka tillbaka de felaktiga först?", "tack, det låter bra"),
    ],
)
def test_after_the_answer_a_yes_with_thanks_takes_the_offer(language: str, question: str, yes: str) -> None:
    """After a question answered, a thanks alone is no yes to the offer (asked_question); a yes beside it is: "shume
    mire, po" and "bra, ja tack" were read as neither, and went to clarify (round 14's sq buyer, replayed)."""
    s = state(Stage.PROPOSING, language=language, proposed_remedy=OFFER, problems=["wrong_item"], wants="replacement")
    asked = turn(s, text=question, intent="ask_policy", confidence=0.8, language=language)
    assert asked.actions == ["action_answer_question"] and asked.stage == Stage.PROPOSING
    after = State(asked.stage, {**s.slots, **asked.slots}, s.facts)
    agreed = turn(after, text=yes, intent="thank", confidence=0.5, language=language)
    assert agreed.actions[0] == "action_confirm_remedy" and agreed.slots["accepted_remedy"]["type"] == "reship"
