"""Scripted conversations (tests/scenarios/*.yml) through `mediator simulate`'s engine, each checked
against its `expect:` block. Together they cover every PLAYBOOK rule in several languages.

expect keys (all optional):
    outcome: resolved_kept          # the case's outcome at the end (null while open)
    stage: closed                   # the case's stage at the end
    handoff_reason: buyer_asked
    kind: impulsive                 # triage's kind
    actions: [first_contact, deescalate, ask_details]   # appear in this order among the bot turns
    not_actions: [ask_details]      # never appear
    first_actions: [deescalate]     # the bot's replies to the first buyer message, exactly
    language: pl                    # every bot turn is in this language
    languages: [pl, de]             # bot turns change language in this order
    remedy: replacement             # some bot turn offered this remedy type
    no_bot_after: opt_out_confirm   # nothing is sent after this action
    min_first_contact_delay: 4h     # the first bot message comes at least this long after opening
    bot_turns_contain: ["https://reviews.example"]   # substrings found in some bot turn
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.durations import parse_duration
from bot.simulate import load_scenario, run_scenario
from tests.conftest import is_postgres

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yml"))


def subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(x == y for y in it) for x in needle)


def check(expect: dict, result: dict, opened_at: str | None) -> None:
    bot = [t for t in result["turns"] if t["role"] == "bot"]
    actions = [t["action"] for t in bot]
    for key in ("outcome", "stage", "handoff_reason", "kind"):
        if key in expect:
            assert result[key] == expect[key], f"{key}: {result[key]!r} != {expect[key]!r}\n{actions}"
    if "actions" in expect:
        assert subsequence(expect["actions"], actions), f"expected in order {expect['actions']}, got {actions}"
    for action in expect.get("not_actions", []):
        assert action not in actions, f"{action} must not happen: {actions}"
    if "first_actions" in expect:
        turns = result["turns"]
        first_buyer = next(i for i, t in enumerate(turns) if t["role"] == "buyer")
        replies = []
        for t in turns[first_buyer + 1 :]:
            if t["role"] != "bot":
                break
            replies.append(t["action"])
        assert replies == expect["first_actions"], f"first replies {replies}"
    if "language" in expect:
        wrong = [(t["action"], t["language"]) for t in bot if t["language"] != expect["language"]]
        assert not wrong, f"bot turns not in {expect['language']}: {wrong}"
    if "languages" in expect:
        seen = [lang for i, lang in enumerate(t["language"] for t in bot) if i == 0 or bot[i - 1]["language"] != lang]
        assert seen == expect["languages"], f"language changes {seen}"
    if "remedy" in expect:
        offered = [t["remedy"]["type"] for t in bot if t.get("remedy")]
        assert expect["remedy"] in offered, f"offered {offered}"
    if "no_bot_after" in expect:
        idx = actions.index(expect["no_bot_after"])
        assert idx == len(actions) - 1, f"sent after {expect['no_bot_after']}: {actions[idx + 1 :]}"
    if "min_first_contact_delay" in expect and bot:
        from datetime import datetime

        delay = datetime.fromisoformat(bot[0]["at"]) - datetime.fromisoformat(opened_at or bot[0]["at"])
        assert delay >= parse_duration(expect["min_first_contact_delay"]), f"first contact after {delay}"
    for text in expect.get("bot_turns_contain", []):
        assert any(text in t["text"] for t in bot), f"no bot turn contains {text!r}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario(path: Path, settings, database_url: str) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(path)
    assert scenario.expect, f"{path.name} has no expect: block"
    result = await run_scenario(scenario, settings, database_url if is_postgres() else None)
    check(scenario.expect, result, scenario.start.isoformat())


def test_there_are_enough_scenarios_in_enough_languages() -> None:
    assert len(SCENARIOS) >= 30
    languages = {load_scenario(p).expect.get("language") for p in SCENARIOS} - {None}
    assert len(languages) >= 4, languages
