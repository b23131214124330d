"""A remedy named for the problem its rule answers (messages: remedy_names_for). A double charge's refund_full was
offered as "a full refund (59,99 €)", which reads as the order's price returned with the goods; it is the second
charge paid back. The real catalogue and remedy policy; bad files are copies an admin might have written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.flow import option_slot
from bot.platform.yaml_lines import PolicyFileError
from bot.policy.messages import load_catalog
from bot.policy.remedies import options_for
from tests.remedy_talk import CATALOG, LANGUAGES
from tests.test_flow import REMEDIES, facts
from tests.test_nlg import _copy, _replace_line


def offer(**details: bool) -> dict:
    """The refund_full option the shipped policy gives for these problems, as the case records it."""
    topic = "billing" if "charged_twice" in details else "delivery"
    options = options_for(REMEDIES, facts(topic=topic, details=details, delivered=False, days_since_delivery=None))
    return option_slot(next(o for o in options if o.type == "refund_full"))


def said(slot: dict, language: str) -> str:
    variables = {"remedy": slot["type"], "remedy_problem": slot["problem"], "amount": "59,99 €"}
    return CATALOG.render("propose_remedy", language, variables, sub=slot["type"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_double_charge_refund_is_named_as_the_second_charge_back_in_every_language(language: str) -> None:
    slot = offer(charged_twice=True)
    assert slot["problem"] == "charged_twice"
    text = said(slot, language)
    general = CATALOG.remedy_name("refund_full", language, amount="59,99 €")
    named = CATALOG.remedy_name("refund_full", language, amount="59,99 €", problem="charged_twice")
    assert named != general
    assert named in text and general not in text, text


def test_a_lost_parcels_full_refund_keeps_the_general_name() -> None:
    slot = offer(lost_in_transit=True)
    assert slot["problem"] == "lost_in_transit"
    assert "a full refund (59,99 €)" in said(slot, "en")


def test_a_name_for_an_unknown_problem_is_refused_naming_the_key(tmp_path: Path) -> None:
    messages = _copy(tmp_path)
    en = messages / "en.yml"
    text = en.read_text(encoding="utf-8").replace(
        "remedy_names_for:\n  charged_twice:", "remedy_names_for:\n  charged_thrice:"
    )
    en.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as exc:
        load_catalog(messages)
    assert "remedy_names_for" in str(exc.value) and "charged_thrice" in str(exc.value)


def test_a_name_for_an_unknown_remedy_or_with_a_foreign_variable_is_refused(tmp_path: Path) -> None:
    messages = _copy(tmp_path)
    en = messages / "en.yml"
    _replace_line(en, "a refund of the second charge", 'refund_ful: "a refund of the second charge ({amount})"')
    with pytest.raises(PolicyFileError) as exc:
        load_catalog(messages)
    assert "refund_ful" in str(exc.value)
    _replace_line(en, "a refund of the second charge", 'refund_full: "the second charge back for order {order_id}"')
    with pytest.raises(PolicyFileError) as exc:
        load_catalog(messages)
    assert "remedy_names_for.charged_twice.refund_full" in str(exc.value) and "order_id" in str(exc.value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_language_puts_the_catalogue_name_in_quotes(language: str) -> None:
    """The shop's catalogue name (often English) is a reference, put in brackets or bare, never quoted: inside
    Albanian, Russian or Ukrainian quotes it read as a quoted fragment of another language (the simulator's
    wrong-language replies in rounds 4, 5 and 8; Polish moved to brackets in round 9)."""
    for problem in ("damaged", "defect", "missing_item"):
        named = CATALOG.problem_name(problem, language, "Cast iron waffle maker")
        assert "Cast iron waffle maker" in named
        assert not any(mark in named for mark in '«»„“”"'), named
