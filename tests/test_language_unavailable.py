"""A buyer whose language the shop writes no messages in (issue 18.4): the bot says so plainly, once, names the
languages it can write in and offers a person, then writes in the fallback language. Real actions run by Rasa
SDK's ActionExecutor over a catalogue loaded from a shop folder with only two message files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from actions.base import LANGUAGE_NOTICE
from actions.services import Services, load_catalog, load_routing, load_shop_policy
from tests.test_knowledge_languages import _run as run_action

POLICIES = Path(__file__).resolve().parent.parent / "policies"


@pytest.fixture(scope="module")
def two_language_shop(tmp_path_factory: pytest.TempPathFactory) -> Services:
    folder = tmp_path_factory.mktemp("messages")
    for language in ("en", "pl"):
        shutil.copy(POLICIES / "messages" / f"{language}.yml", folder / f"{language}.yml")
    return Services(
        catalog=load_catalog(folder, POLICIES / "guardrails.yml"),
        shop=load_shop_policy(POLICIES / "shop.yml"),
        routing=load_routing(POLICIES / "routing.yml"),
        knowledge=None,  # type: ignore[arg-type]  # clarify and first_contact quote nothing
    )


async def _run(action: str, services: Services, slots: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The action run by Rasa SDK's executor over these services (tests/test_knowledge_languages does the same)."""
    return await run_action(action, services, None, {"buyer_name": "Jana Nováková", **slots}, "dobry den")  # type: ignore[arg-type]


@pytest.mark.parametrize(("language", "name"), [("cs", "Czech"), ("sv", "Swedish"), ("uk", "Ukrainian")])
async def test_the_buyer_is_told_once_which_languages_there_are_and_offered_a_person(
    two_language_shop: Services, language: str, name: str
) -> None:
    slots, text = await _run("action_clarify", two_language_shop, {"language": language})
    assert name in text and "English" in text and "polski" in text, text
    assert "person" in text or "team" in text, text
    assert slots[LANGUAGE_NOTICE] == language
    # Said once: the next message of the case, with the slot kept, is the plain message.
    slots, again = await _run("action_clarify", two_language_shop, {"language": language, LANGUAGE_NOTICE: language})
    assert name not in again and LANGUAGE_NOTICE not in slots, again


async def test_a_language_the_shop_writes_gets_no_notice(two_language_shop: Services) -> None:
    slots, text = await _run("action_clarify", two_language_shop, {"language": "pl"})
    assert LANGUAGE_NOTICE not in slots and "English" not in text, text


async def test_the_demo_shop_speaks_every_language_it_detects(two_language_shop: Services) -> None:
    """The demo's own files cover all eleven languages, so no demo buyer is ever told this."""
    catalog = load_catalog(POLICIES / "messages", POLICIES / "guardrails.yml")
    assert len(catalog.languages) == 11


async def test_the_whole_reply_is_in_the_fallback_language_signature_included(two_language_shop: Services) -> None:
    """The shop's Czech team name must not sign an English message (PLAYBOOK rule 12: one language per message)."""
    _slots, text = await _run("action_first_contact", two_language_shop, {"language": "cs", LANGUAGE_NOTICE: "cs"})
    assert "Nordlys customer" in text and "tým" not in text, text
