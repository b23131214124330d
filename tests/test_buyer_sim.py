"""The reactive buyer simulator's accounting (bot/app/buyer_sim.py), on a few personas through the real engine:
a buyer who asks to stop is an opt-out but not a false one; an opt-out the buyer never asked for is false; a
stop request the bot ignores is missed; a remedy that meets the wish is agreed; an answer that does not name
the item gets the question again, which counts as repeated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.app.buyer_sim import figures, load_buyers, reply_language_problem, run_buyers
from bot.understanding.language import SUPPORTED_LANGUAGES

LAMP = {"items": [{"name": "Fjord table lamp", "price": "89.00"}], "delivered_days_ago": 2}
TWO = {
    "items": [{"name": "Fjord table lamp", "price": "89.00"}, {"name": "Wool throw blanket", "price": "79.00"}],
    "delivered_days_ago": 2,
}
COMMON = {
    "accept": ["Yes please, go ahead"],
    "evidence": ["No photo, I threw the box away"],
    "follow_up": ["It arrived yesterday and it's perfect, thank you!"],
    "revision": ["Sure, I'll update it"],
}


def persona(pid: str, **more: object) -> dict:
    base = {
        "id": pid,
        "buyer": "Emma Clarke",
        "rating": 2,
        "review": "The Fjord table lamp arrived with its glass shade smashed. The box was crushed on one side.",
        "order": LAMP,
        "problem": "damaged",
        "wants": "replacement",
        "say": {
            "open": ["Hi, yes, I was really disappointed, it was meant to be a gift."],
            "outcome": ["A replacement would be great"],
            "what": ["The glass shade was smashed when I opened the box."],
        },
    }
    base.update(more)
    return base


def write(tmp_path: Path, personas: list[dict]) -> Path:
    path = tmp_path / "en.yml"
    path.write_text(yaml.safe_dump({"language": "en", "common": COMMON, "personas": personas}), encoding="utf-8")
    return path


async def test_accounting_through_the_real_engine(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    say = persona("x")["say"]
    file = write(
        tmp_path,
        [
            persona("en-agrees"),
            # Asks to stop with the carrier keyword: an opt-out, and not a false one.
            persona("en-asks-stop", stop_at=1, in_policy=False, say={**say, "stop": ["STOP"]}),
            # Says STOP without the simulator knowing it as a stop request: the opt-out counts as false. This is
            # how a real false opt-out is counted (the bot stops a buyer whose words were no request to stop).
            persona("en-never-asked", in_policy=False, say={**say, "open": ["STOP"]}),
            # "Asks" to stop with words that ask nothing of the sort: the bot carries on, a missed opt-out.
            persona("en-stop-missed", stop_at=1, in_policy=False, say={**say, "stop": ["Hi, the lamp is broken."]}),
            # Two items, and an answer to "which item?" that names none: the bot must ask again.
            persona("en-vague-item", order=TWO, say={**say, "item": ["that one", "the one in the box"]}),
        ],
    )
    conversations = {c.persona: c for c in await run_buyers(settings, [file], database_url=settings.database_url)}

    agrees = conversations["en-agrees"]
    assert agrees.agreed == "replacement", agrees.turns
    assert agrees.end == "closed" and agrees.outcome == "resolved_revised"
    assert not agrees.opted_out and not agrees.wrong_language and not agrees.repeated

    asked = conversations["en-asks-stop"]
    assert asked.opted_out and asked.asked_to_stop and not asked.false_opt_out and not asked.missed_opt_out

    never = conversations["en-never-asked"]
    assert never.opted_out and not never.asked_to_stop and never.false_opt_out

    missed = conversations["en-stop-missed"]
    assert missed.asked_to_stop and not missed.opted_out and missed.missed_opt_out

    vague = conversations["en-vague-item"]
    assert "ask_details:item" in vague.repeated, [t.get("action") for t in vague.turns]

    total = figures(list(conversations.values()))["total"]
    assert total.conversations == 5
    assert total.false_opt_outs == 1 and total.missed_opt_outs == 1
    assert total.agreed >= 1 and total.in_policy == 2
    assert total.repeated >= 1


def test_a_reply_in_another_language_is_caught() -> None:
    english = "Thank you for telling me. I understand this is about the damaged lamp, and I'll take it from here."
    # Labelled as the buyer's language, but the words are English.
    assert reply_language_problem(english, "pl", "pl") == "text in en"
    assert reply_language_problem(english, None, "pl") == "text in en"
    assert reply_language_problem(english, "en", "pl") == "labelled en"
    assert reply_language_problem(english, "en", "en") is None
    polish = "Dziękuję, że Pan o tym napisał. Rozumiem, że chodzi o uszkodzoną lampkę, zajmę się tym."
    assert reply_language_problem(polish, "pl", "pl") is None
    # An English policy quote inside a Polish reply is a wrong-language reply too.
    quoted = polish + ' Nasz regulamin: "If the box is visibly crushed, wet or torn, you may refuse it."'
    assert reply_language_problem(quoted, "pl", "pl") == "quote in en"
    # Too short to judge: only the label counts.
    assert reply_language_problem("OK!", "pl", "pl") is None


@hsettings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300), label=st.sampled_from(["pl", "en", None, "und"]))
def test_the_language_check_never_raises(text: str, label: str | None) -> None:
    got = reply_language_problem(text, label, "pl")
    assert got is None or isinstance(got, str)
    if label not in (None, "pl"):
        assert got == f"labelled {label}"


def test_a_bad_persona_file_names_the_field_and_the_fix(tmp_path: Path) -> None:
    bad = persona("en-bad", say={"open": ["hi"], "shout": ["HEY"]})
    with pytest.raises(ValueError, match=r"personas\.0\.say: .*unknown pools \['shout'\]"):
        load_buyers(write(tmp_path, [bad]))
    no_price = persona("en-bad", order={"items": [{"name": "Fjord table lamp"}]})
    with pytest.raises(ValueError, match=r"order\.items: .*lacks price"):
        load_buyers(write(tmp_path, [no_price]))
    (tmp_path / "pl.yml").write_text(yaml.safe_dump({"language": "en", "personas": [persona("en-a")]}))
    with pytest.raises(ValueError, match=r"name it en\.yml"):
        load_buyers(tmp_path / "pl.yml")
    # A buyer written to stop agrees to nothing: counted in policy, the honoured opt-out read as a failure.
    stops = persona("en-stops", stop_at=2, say={"open": ["hi"], "stop": ["STOP"]})
    with pytest.raises(ValueError, match=r"personas\.0: .*stop_at.*set in_policy: false"):
        load_buyers(write(tmp_path, [stops]))


def test_the_shipped_personas_load_and_cover_every_language() -> None:
    root = Path(__file__).resolve().parent.parent / "data" / "eval" / "buyers"
    counts = {f.stem: len(load_buyers(f).personas) for f in root.glob("*.yml")}
    for lang in ("en", "pl", "sv", "ru", "sq", "de", "uk"):
        assert counts.get(lang, 0) >= 6, counts
    for lang in ("fr", "es", "it", "cs"):
        assert counts.get(lang, 0) >= 4, counts


def test_the_held_out_personas_load_cover_every_language_and_were_never_trained_on() -> None:
    # data/eval/buyers_heldout: written before measuring (issue 18), never tuned on; see its README.
    data = Path(__file__).resolve().parent.parent / "data"
    root = data / "eval" / "buyers_heldout"
    files = {f.stem: load_buyers(f) for f in root.glob("*.yml")}
    assert {lang: len(b.personas) >= 3 for lang, b in files.items()} == dict.fromkeys(SUPPORTED_LANGUAGES, True)
    training = (data / "nlu.yml").read_text(encoding="utf-8").lower()
    said = [t for b in files.values() for p in b.personas for pool in p.say.values() for t in pool]
    assert said and not [t for t in said if len(t) > 20 and t.lower() in training]


def test_the_wish_met_share_is_counted_per_language() -> None:
    """Issue 19's figure: of the remedies buyers confirmed with the bot, the share that meets their wish, per
    language (a column of bench/buyers.py). A remedy confirmed that did not meet the wish counts against it; a
    conversation with nothing confirmed counts in neither."""
    from bench.buyers import COLUMNS
    from bot.app.buyer_sim import Conversation

    conversations = [
        Conversation("pl-a", "pl", True, agreed="refund_full"),
        Conversation("pl-b", "pl", True, accepted_other="refund_partial"),
        Conversation("pl-c", "pl", True),
        Conversation("de-a", "de", True, agreed="replacement"),
    ]
    per = figures(conversations)
    assert "wish_met" in COLUMNS
    assert per["pl"].row()["wish_met"] == "1/2 (50%)"
    assert per["de"].row()["wish_met"] == "1/1 (100%)"
    assert per["total"].row()["wish_met"] == "2/3 (67%)"
    assert list(per) == ["pl", "de", "total"]


def test_an_agreement_that_did_not_hold_is_shown_apart() -> None:
    """A remedy agreed with the bot whose follow-up reports it failed goes to staff: it stays counted as agreed
    (the bot did its part) and is shown in `failed_after`, so the agreed figure is not read as resolved cases."""
    from bench.buyers import COLUMNS
    from bot.app.buyer_sim import Conversation

    conversations = [
        Conversation("sv-a", "sv", True, agreed="replacement", end="handoff"),
        Conversation("sv-b", "sv", True, agreed="refund_full", end="closed"),
        Conversation("sv-c", "sv", True, end="handoff"),
        Conversation("sv-d", "sv", False, agreed="refund_full", end="handoff"),
    ]
    row = figures(conversations)["sv"].row()
    assert "failed_after" in COLUMNS
    assert (row["agreed"], row["failed_after"]) == ("2/3 (67%)", 1)
