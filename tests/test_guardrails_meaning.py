"""Guard rails that read meaning (issue 20 item 9): drafts that break PLAYBOOK rule 10 without the words the
word lists know are refused, shipped messages are not, and held-out recall stays above a measured floor."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy import draft_meaning, guardrails
from bot.policy.guardrails_eval import heldout
from bot.policy.validate import validate_files
from bot.policy.versions import read_policy_dir
from tests.conftest import ROOT

BASE = read_policy_dir(ROOT / "policies")
# Drafts go in as a new variant of an ordinary message, as an admin would add one.
ASK = "    resolved:\n"


def rule_10_issues(out: list[str], line: int) -> list[str]:
    """Issues at `line` about rule-10 breaches; "mentions the review outside ask_revision" is another rule."""
    return [i for i in out if i.startswith(f"messages/en.yml:{line}:") and "mentions the review (" not in i]


# The issue's three drafts: each passed the word lists and could have been published.
DRAFTS = {
    "deletion": "We would be so happy if that post went away",
    "pressure": "Would you consider raising your stars a little?",
    "incentive": "A little thank-you present is waiting for you once you've had a look at your review",
}
# Floors from bench/guardrails_accuracy.py on the held-out drafts (measured: combined recall 0.94 in de, pl,
# ru, sq, sv, uk and 1.00 in en, i.e. at most one miss of 16; 0.95 overall; precision 0.87 overall), set one
# more miss per language below, so a data edit's noise passes and a real regression does not.
RECALL_FLOOR_PER_LANGUAGE = 0.85
RECALL_FLOOR_OVERALL = 0.9
PRECISION_FLOOR_OVERALL = 0.8


@pytest.fixture(scope="module")
def model() -> draft_meaning.DraftModel:
    return draft_meaning.load_model()


def check(files: dict[str, str]) -> list[str]:
    return [str(i) for i in validate_files({**BASE, **files})]


@pytest.mark.parametrize("rule", list(DRAFTS))
def test_the_issues_drafts_pass_the_word_lists_but_not_the_guard_rails(rule: str) -> None:
    text = DRAFTS[rule]
    rails = guardrails._rails_at(guardrails.SHIPPED_RAILS)
    assert guardrails.word_list_reasons(text, rails) == []  # why the issue was opened
    reasons = guardrails.check_outgoing(text, "en")
    assert reasons, text
    assert any("review" in r and "PLAYBOOK rule 10" in r for r in reasons), reasons


@pytest.mark.parametrize("rule", list(DRAFTS))
def test_a_draft_with_one_of_them_fails_validation_once_in_plain_words(rule: str) -> None:
    assert ASK in BASE["messages/en.yml"]
    draft = BASE["messages/en.yml"].replace(ASK, f'{ASK}      - "{DRAFTS[rule]}"\n', 1)
    line = draft[: draft.index(DRAFTS[rule])].count("\n") + 1
    out = check({"messages/en.yml": draft})
    at_line = rule_10_issues(out, line)
    assert len(at_line) == 1, out
    assert draft_meaning.REASONS[rule] in at_line[0] or "review" in at_line[0], at_line
    assert "\\b" not in at_line[0] and "[^" not in at_line[0]  # the admin reads words, not a regex


def test_a_message_the_word_lists_also_catch_is_reported_once() -> None:
    bad = "Please delete your review and we'll send a voucher."
    draft = BASE["messages/en.yml"].replace(ASK, f'{ASK}      - "{bad}"\n', 1)
    line = draft[: draft.index(bad)].count("\n") + 1
    at_line = rule_10_issues(check({"messages/en.yml": draft}), line)
    assert len(at_line) == 1, at_line
    assert "matches a forbidden pattern of guardrails.yml" in at_line[0]
    assert "\\b" not in at_line[0]


def test_the_shipped_policies_still_pass_and_no_shipped_message_reads_as_a_breach(
    model: draft_meaning.DraftModel,
) -> None:
    assert check({}) == []
    for name, text in BASE.items():
        if not name.startswith("messages/"):
            continue
        data = guardrails.yaml.safe_load(text)
        messages = [t for _, t in guardrails._strings(data.get("messages"), ("messages",)) if isinstance(t, str)]
        assert len(messages) > 50, name
        # As validation reads them: with the file's language (its own review words open the model's gate).
        reasons = guardrails.meaning_reasons(messages, model, name.removeprefix("messages/").removesuffix(".yml"))
        refused = [(t, r) for t, r in zip(messages, reasons, strict=True) if r]
        assert refused == [], (name, refused)


def test_neutral_review_mentions_and_ordinary_remedies_may_be_sent() -> None:
    for text, lang in [
        ("If you'd like, you can update your review here: {edit_url}. Either way, thank you.", "en"),
        ("We can offer a discount code (20 EUR) for the trouble. Would that suit you?", "en"),
        ("Zwrot 49,90 zł jest już w drodze, niezależnie od opinii.", "pl"),
        ("Die Erstattung ist unterwegs. Danke für Ihre ehrliche Bewertung!", "de"),
    ]:
        assert guardrails.check_outgoing(text, lang) == [], text


def test_heldout_recall_stays_above_the_floor_in_every_language(model: draft_meaning.DraftModel) -> None:
    scores = heldout(model)
    combined = scores["combined"]
    assert set(combined) == {"en", "pl", "sv", "ru", "sq", "de", "uk", "all"}
    for lang, s in combined.items():
        assert s["n_bad"] >= 15 and s["n_ok"] >= 15, (lang, s)
        assert s["recall"] >= RECALL_FLOOR_PER_LANGUAGE, (lang, s)
    assert combined["all"]["recall"] >= RECALL_FLOOR_OVERALL, combined["all"]
    assert combined["all"]["precision"] >= PRECISION_FLOOR_OVERALL, combined["all"]
    # The reason for the model: the word lists alone miss most paraphrases.
    assert combined["all"]["recall"] > scores["word_lists"]["all"]["recall"] + 0.5


def test_the_heldout_drafts_are_never_trained_on() -> None:
    train = {d.text for d in draft_meaning.read_set(draft_meaning.DEFAULT_DATA_DIR / "train")}
    held = [d.text for d in draft_meaning.read_set(draft_meaning.DEFAULT_DATA_DIR / "eval")]
    assert [t for t in held if t in train] == []
    assert [t for t in DRAFTS.values() if t in train] == []


def test_the_model_is_cached_by_the_hash_of_its_drafts(tmp_path: Path) -> None:
    data = tmp_path / "guardrails"
    shutil.copytree(draft_meaning.DEFAULT_DATA_DIR, data)
    en = data / "train" / "en.yml"
    # A draft no other test's data has: the process memo (keyed by the hash) cannot answer for this copy.
    en.write_text(en.read_text(encoding="utf-8") + f'  - "Case {tmp_path.name}: all sorted."\n', encoding="utf-8")
    before = draft_meaning.data_hash(data)
    first = draft_meaning.load_model(tmp_path / "models", data)
    assert len(list((tmp_path / "models").glob("drafts-*.joblib"))) == 1
    assert draft_meaning.load_model(tmp_path / "models", data) is first
    en.write_text(en.read_text(encoding="utf-8") + '  - "Thanks, the parcel is on its way."\n', encoding="utf-8")
    assert draft_meaning.data_hash(data) != before
    second = draft_meaning.load_model(tmp_path / "models", data)
    assert second is not first
    assert len(list((tmp_path / "models").glob("drafts-*.joblib"))) == 2


def test_a_malformed_drafts_file_names_the_field_and_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "xx.yml"
    bad.write_text("language: xx\nnon_compliant:\n  bribery: ['x']\ncompliant: ['y']\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"non_compliant has unknown rules \['bribery'\]; use"):
        draft_meaning.read_drafts(bad)
    bad.write_text("compliant: ['y']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs `language: <code>`"):
        draft_meaning.read_drafts(bad)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_list_of_reasons_and_one_that_names_no_review_is_never_refused_by_meaning(
    text: str,
) -> None:
    reasons = guardrails.check_outgoing(text, "en")
    assert isinstance(reasons, list) and all(isinstance(r, str) and r for r in reasons)
    model = draft_meaning.load_model()
    if not model.about_review(text):
        assert guardrails.meaning_reasons([text], model) == [None]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(list(DRAFTS.values())), st.sampled_from(["", "Hello,\n", "Dear customer, "]))
def test_a_breach_is_still_refused_with_a_greeting_before_it(draft: str, greeting: str) -> None:
    assert guardrails.check_outgoing(greeting + draft, "en")


def test_shipped_messages_as_sent_with_their_values_filled_in_pass_check_outgoing() -> None:
    """What the send path sees: a link where {edit_url} was, names and amounts. ("Shall I start it?" once
    passed the review gate as "star", and a raw link read unlike the {edit_url} the model learned.)"""
    refused = []
    for name, text in BASE.items():
        if not name.startswith("messages/"):
            continue
        data = guardrails.yaml.safe_load(text)
        remedies, problems = list(data["remedy_names"].values()), list(data["problem_names"].values())
        messages = [t for _, t in guardrails._strings(data["messages"], ()) if isinstance(t, str)]
        for n, template in enumerate(messages):
            sent = (
                template.replace("{remedy}", remedies[n % len(remedies)])
                .replace("{problem}", problems[n % len(problems)])
                .replace("{edit_url}", f"https://shop.example/r/{n}")
                .replace("{amount}", "25.00 EUR")
            )
            sent = re.sub(r"\{[a-z_]+\}", "Anna", sent)
            if why := guardrails.check_outgoing(sent, data["language"]):
                refused.append((name, sent, why))
    assert refused == []


def test_the_review_gate_reads_whole_words_where_a_stem_would_mislead(model: draft_meaning.DraftModel) -> None:
    assert not model.about_review("Shall I start it?")
    assert not model.about_review("We refunded the postage for the late parcel.")
    assert model.about_review("Could you add a star?")
    assert model.about_review("Mogłaby Pani dodać gwiazdkę?")


async def test_a_reply_that_breaks_rule_10_is_never_sent_and_the_case_goes_to_a_person(rt) -> None:
    """The send path: whatever an admin's edit let through, the engine holds a reply the guard rails refuse."""
    from types import SimpleNamespace

    from bot.conversation import flow
    from bot.conversation.engine import Reply
    from bot.platform.vocab import Stage

    fine = Reply("I'm sorry the lamp arrived broken. A replacement is on its way.", "confirm_remedy", "en")
    bad = Reply("A little thank-you present is waiting for you once you've had a look at your review.", "close", "en")
    plan = flow.Plan(["action_confirm_remedy", "action_close"], Stage.RESOLVING, {}, reason="remedy_accepted")
    slots: dict = {}
    kept, held = rt.conversation._screen(SimpleNamespace(id=1), [fine, bad], plan, slots)
    assert kept == [fine]
    assert held.stage == Stage.AWAITING_STAFF and held.handoff == "guard_rail"
    assert slots["guard_rail"]
    # A compliant turn is left as it was.
    assert rt.conversation._screen(SimpleNamespace(id=1), [fine], plan, {}) == ([fine], plan)


async def test_each_reply_is_read_without_its_own_quote_of_the_shops_policy(rt) -> None:
    """An answer quoting one passage and an offer quoting another in the same turn: each reply's quote is the
    shop's published word ("we never offer coupons in exchange for changing a review"), so neither is held; the
    turn kept only the last quote before (held-out round 8, sq), and the offer's own quote was read as the bot's."""
    from types import SimpleNamespace

    from bot.conversation import flow
    from bot.conversation.engine import Reply
    from bot.platform.vocab import Stage

    answer_quote = "Refunds go back to the original payment method."
    offer_quote = "We never offer coupons in exchange for changing or removing a review."
    answer = Reply(f'Our policy says: "{answer_quote}"', "answer_question", "en", answer_quote)
    offer = Reply(
        f'Would a discount code help? Here is the policy: "{offer_quote}" Shall I?', "propose_remedy", "en", offer_quote
    )
    plan = flow.Plan(["action_answer_question", "action_propose_remedy"], Stage.PROPOSING, {}, reason="offer")
    assert rt.conversation._screen(SimpleNamespace(id=1), [answer, offer], plan, {}) == ([answer, offer], plan)
    # The bot's own words around a quote are still read.
    pressing = Reply(
        f'"{answer_quote}" A coupon is yours once you update your review.', "propose_remedy", "en", answer_quote
    )
    kept, held = rt.conversation._screen(SimpleNamespace(id=1), [answer, pressing], plan, {})
    assert kept == [answer] and held.handoff == "guard_rail"
