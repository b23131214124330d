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
    only_after: {handoff: [waiting]}   # after the first turn with this action, the bot sends only these
    min_first_contact_delay: 4h     # the first bot message comes at least this long after opening
    bot_turns_contain: ["https://reviews.example"]   # substrings found in some bot turn
    topic: billing                  # triage's topic (rule 12: every case records its topic)
    max_bot_turns: 0                # at most this many bot turns in the whole conversation
    max_count: {ask_revision: 1}    # each named action happens at most this many times
    last_action: close              # the last bot turn is this action
    bot_turns_lack: ["review"]      # substrings found in no bot turn (case-insensitive)
    said_by: {answer_question: {contain: ["2 giorni"], lack: ["ritiro"]}}   # the same, for this action's turns only
    lack_after_first_buyer: ["late delivery"]   # substrings in no bot turn after the buyer's first message
    lack_before: {ask_revision: ["https://reviews.example"]}   # these substrings appear in no bot
                                    # turn before the first turn with this action
    first_turn_contains: ["automated"]   # substrings of the first bot turn (case-insensitive)
    first_contact_at: "2026-11-03T07:00:00+00:00"   # when the first bot turn was sent (UTC)
    reply_to_last_buyer: [close]    # the bot's replies to the last buyer message, exactly
    staff_actions: [staff_remedy]   # appear in this order among the staff turns (messages staff sent)
    max_staff_count: {staff_remedy: 1}   # each named staff action happens at most this many times
    staff_turns_contain: ["Maja"]   # substrings found in some staff turn
    accepted_remedy: {type: replacement, granted_by: Maja}   # these fields of the case's recorded remedy
    last_turn: staff_close          # the conversation's last message (bot or staff) is this action
    xfail: "why"                    # a known weakness the scenario documents: the checks must fail
                                    # (strict), so the scenario turns green only when it is fixed
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.simulate import run_scenario
from bot.conversation.scenario import load_scenario
from bot.platform.durations import parse_duration
from tests.conftest import is_postgres

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yml"))


def subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(x == y for y in it) for x in needle)


def check(expect: dict, result: dict, opened_at: str | None) -> None:
    bot = [t for t in result["turns"] if t["role"] == "bot"]
    actions = [t["action"] for t in bot]
    for key in ("outcome", "stage", "handoff_reason", "kind", "topic"):
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
    for action, allowed in expect.get("only_after", {}).items():
        assert action in actions, f"{action} never happened: {actions}"
        after = actions[actions.index(action) + 1 :]
        assert set(after) <= set(allowed), f"after {action} only {allowed} may be sent: {after}"
    if "min_first_contact_delay" in expect and bot:
        from datetime import datetime

        delay = datetime.fromisoformat(bot[0]["at"]) - datetime.fromisoformat(opened_at or bot[0]["at"])
        assert delay >= parse_duration(expect["min_first_contact_delay"]), f"first contact after {delay}"
    for text in expect.get("bot_turns_contain", []):
        assert any(text in t["text"] for t in bot), f"no bot turn contains {text!r}"
    if "max_bot_turns" in expect:
        assert len(bot) <= expect["max_bot_turns"], f"{len(bot)} bot turns: {actions}"
    for action, most in expect.get("max_count", {}).items():
        assert actions.count(action) <= most, f"{action} {actions.count(action)} times: {actions}"
    if "last_action" in expect:
        assert actions and actions[-1] == expect["last_action"], f"last action of {actions}"
    for text in expect.get("bot_turns_lack", []):
        hits = [t["action"] for t in bot if text.lower() in t["text"].lower()]
        assert not hits, f"{text!r} must not appear, found in {hits}"
    for action, said in expect.get("said_by", {}).items():
        texts = [t["text"] for t in bot if t["action"] == action]
        assert texts, f"{action} never happened: {actions}"
        for text in said.get("contain", []):
            assert any(text in t for t in texts), f"no {action} turn contains {text!r}"
        for text in said.get("lack", []):
            assert not any(text.lower() in t.lower() for t in texts), f"{text!r} must not appear in {action}"
    if "lack_after_first_buyer" in expect:
        turns = result["turns"]
        first_buyer = next(i for i, t in enumerate(turns) if t["role"] == "buyer")
        for t in turns[first_buyer + 1 :]:
            for text in expect["lack_after_first_buyer"] if t["role"] == "bot" else []:
                assert text.lower() not in t["text"].lower(), f"{text!r} after the first buyer message: {t['text']}"
    for action, texts in expect.get("lack_before", {}).items():
        assert action in actions, f"{action} never happened: {actions}"
        for t in bot[: actions.index(action)]:
            for text in texts:
                assert text.lower() not in t["text"].lower(), f"{text!r} before {action}, in {t['action']}"
    if "first_turn_contains" in expect:
        assert bot, "no bot turn"
        for text in expect["first_turn_contains"]:
            assert text.lower() in bot[0]["text"].lower(), f"first bot turn lacks {text!r}: {bot[0]['text']}"
    if "first_contact_at" in expect:
        from datetime import datetime

        assert bot, "no bot turn"
        want = datetime.fromisoformat(str(expect["first_contact_at"]))
        assert datetime.fromisoformat(bot[0]["at"]) == want, f"first contact at {bot[0]['at']}"
    staff = [t for t in result["turns"] if t["role"] == "staff"]
    staff_actions = [t.get("action") for t in staff]
    if "staff_actions" in expect:
        assert subsequence(expect["staff_actions"], staff_actions), f"staff turns {staff_actions}"
    for action, most in expect.get("max_staff_count", {}).items():
        assert staff_actions.count(action) <= most, f"{action} {staff_actions.count(action)} times: {staff_actions}"
    for text in expect.get("staff_turns_contain", []):
        assert any(text in t["text"] for t in staff), f"no staff turn contains {text!r}"
    if "accepted_remedy" in expect:
        recorded = result["accepted_remedy"] or {}
        wrong = {k: recorded.get(k) for k, v in expect["accepted_remedy"].items() if recorded.get(k) != v}
        assert not wrong, f"recorded remedy {recorded}"
    if "last_turn" in expect:
        said = [t for t in result["turns"] if t["role"] != "buyer"]
        assert said and said[-1].get("action") == expect["last_turn"], f"last turn {said[-1:]}"
    if "reply_to_last_buyer" in expect:
        turns = result["turns"]
        last_buyer = max(i for i, t in enumerate(turns) if t["role"] == "buyer")
        replies = []
        for t in turns[last_buyer + 1 :]:
            if t["role"] != "bot":
                break
            replies.append(t["action"])
        assert replies == expect["reply_to_last_buyer"], f"replies to the last message {replies}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario(path: Path, settings, database_url: str) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(path)
    assert scenario.expect, f"{path.name} has no expect: block"
    result = await run_scenario(scenario, settings, database_url if is_postgres() else None)
    if scenario.expect.get("xfail"):
        with pytest.raises(AssertionError):
            check(scenario.expect, result, scenario.start.isoformat())
        pytest.xfail(scenario.expect["xfail"])
    check(scenario.expect, result, scenario.start.isoformat())


def test_there_are_enough_scenarios_in_enough_languages() -> None:
    assert len(SCENARIOS) >= 30
    languages = {load_scenario(p).expect.get("language") for p in SCENARIOS} - {None}
    assert len(languages) >= 4, languages
