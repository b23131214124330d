"""The demo shop's policy documents in every language the bot speaks (issue 18).

A buyer writing Swedish, German, Russian, Albanian or Ukrainian must be quoted policy text in that
language (PLAYBOOK rule 12: never mix languages in one message). The translations are checked against
the English documents (same sections, same anchors, same figures), and the quotes are checked through
the real actions (`action_propose_remedy`, `action_answer_question` run by Rasa SDK's ActionExecutor)
over a real Chroma index built offline with the real embedding model.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

import actions
from actions.answer_question import quote
from actions.services import LazyKnowledge, Services, load_catalog, load_routing, load_shop_policy, use_services
from bot.conversation.context import DOMAIN
from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings
from bot.retrieval.anchors import split_anchor
from bot.retrieval.questions import without_questions

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "knowledge"
POLICIES = ROOT / "policies"
NEW = ("sv", "de", "ru", "sq", "uk", "fr", "es", "it", "cs")
TRANSLATED = ("pl", *NEW)
FILES = sorted(p.name for p in (DEMO / "en").glob("*.md"))

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.MULTILINE)
# 4.95 and 4,95 are the same amount; a translation writes numbers the way its readers do.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _read(language: str, name: str) -> tuple[dict[str, Any], str]:
    # The questions blocks are search aids, not policy: their figures are the buyers' own.
    text = without_questions((DEMO / language / name).read_text(encoding="utf-8"))
    front = _FRONT.match(text)
    assert front, f"{language}/{name} has no front matter"
    return yaml.safe_load(front.group(1)), text[front.end() :]


def _sections(body: str) -> list[tuple[int, str, str]]:
    """(heading level, section name, text up to the next heading) of one document; the text before the
    first heading is section 0 with the name ''."""
    parts = _HEADING.split(body)
    out = [(0, "", parts[0])]
    for i in range(1, len(parts), 3):
        out.append((len(parts[i]), split_anchor(parts[i + 1])[1], parts[i + 2]))
    return out


def _figures(text: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("language", TRANSLATED)
def test_translation_mirrors_english(language: str, name: str) -> None:
    """Same sections in the same order, each named by the English section's anchor, with the same
    amounts, periods and percentages: a translation that drops '14 days' or says '20 %' for '30 %'
    quotes the buyer a different policy."""
    front, body = _read(language, name)
    assert str(front.get("language")) == language
    _, english = _read("en", name)
    mine, theirs = _sections(body), _sections(english)
    subsections = [(level, section) for level, section, _ in mine if level >= 2]
    assert subsections == [(level, section) for level, section, _ in theirs if level >= 2]
    # Every section a rule can cite carries an explicit anchor, not its translated heading as a slug.
    anchors = re.findall(r"^##+ .+\{#[a-z0-9-]+\}\s*$", body, re.MULTILINE)
    assert len(anchors) == len(subsections)
    for (_, section, text), (_, _, original) in zip(mine, theirs, strict=True):
        assert _figures(text) == _figures(original), (language, name, section)


def _cites() -> list[dict[str, str]]:
    rules = yaml.safe_load((POLICIES / "remedies.yml").read_text(encoding="utf-8"))
    found = {(r["cite"]["source"], r["cite"]["heading"]) for r in rules["rules"] if r.get("cite")}
    found |= {(k["cite"]["source"], k["cite"]["heading"]) for k in rules["remedies"].values() if k.get("cite")}
    return [{"source": source, "heading": heading} for source, heading in sorted(found)]


def _section_text(language: str, source: str, heading: str) -> str:
    """The text of the section a rule cites, read straight from the Markdown file (not from the index)."""
    from bot.retrieval.anchors import cites

    _, body = _read(language, source)
    named = [text for level, name, text in _sections(body) if level >= 2 and cites(name, heading)]
    assert len(named) == 1, (language, source, heading)
    return named[0]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The real services over the demo policies, with the knowledge base indexed once into a temporary
    Chroma (no network: the embedding model ships inside its package)."""
    store = tmp_path_factory.mktemp("chroma")
    knowledge = LazyKnowledge(KnowledgeSettings(knowledge_dir=DEMO, store=PersistentStoreSettings(path=store)))
    report = knowledge.get().index()
    assert report.errors == []
    return Services(
        catalog=load_catalog(POLICIES / "messages", POLICIES / "guardrails.yml"),
        shop=load_shop_policy(POLICIES / "shop.yml"),
        routing=load_routing(POLICIES / "routing.yml"),
        knowledge=knowledge,
    )


async def _run(action: str, services: Services, monkeypatch: pytest.MonkeyPatch, slots: dict, text: str) -> Any:
    use_services(services)  # lent to this test's turn, as the engine lends its own (a context variable)
    tracker = {
        "sender_id": "7",
        "slots": {"case_id": 7, "turn": 2, "buyer_name": "Buyer", "item": "Fjord", **slots},
        "latest_message": {"text": text, "intent": {"name": "ask_policy", "confidence": 0.9}},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    }
    executor = ActionExecutor()
    executor.register_package(actions)
    response = await executor.run({"next_action": action, "sender_id": "7", "tracker": tracker, "domain": DOMAIN})
    assert response is not None and response.responses
    slots_set = {e["name"]: e["value"] for e in response.events if e.get("event") == "slot"}
    return slots_set, response.responses[0]["text"]


@pytest.mark.parametrize("language", NEW)
async def test_every_remedy_quotes_its_section_in_the_buyers_language(
    language: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each cite of policies/remedies.yml, proposed to a buyer of `language`, quotes that language's
    section of the cited file, and the offer sent to the buyer carries the quote."""
    cites = _cites()
    assert len(cites) >= 10
    for cite in cites:
        remedy = {"type": "refund_full", "cite": cite}
        slots, text = await _run(
            "action_propose_remedy", services, monkeypatch, {"language": language, "proposed_remedy": remedy}, ""
        )
        assert slots["policy_source"] == f"{language}/{cite['source']}", cite
        # The offer quotes the section's first paragraph, the one its remedy rests on (propose_remedy).
        expected = quote(_section_text(language, cite["source"], cite["heading"]), paragraph=True)
        assert slots["policy_quote"] == expected, cite
        assert expected in text, cite


@pytest.fixture(scope="module")
def polish_shop(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """A shop that writes its policy in Polish (its language) and English only, like many small shops: the
    demo's en/ and pl/ documents, indexed on their own, and shop.yml's default language set to Polish."""
    folder = tmp_path_factory.mktemp("en-pl")
    for language in ("en", "pl"):
        shutil.copytree(DEMO / language, folder / language)
    store = tmp_path_factory.mktemp("chroma-en-pl")
    knowledge = LazyKnowledge(KnowledgeSettings(knowledge_dir=folder, store=PersistentStoreSettings(path=store)))
    assert knowledge.get().index().errors == []
    return Services(
        catalog=load_catalog(POLICIES / "messages", POLICIES / "guardrails.yml"),
        shop=load_shop_policy(POLICIES / "shop.yml").model_copy(update={"default_language": "pl"}),
        routing=load_routing(POLICIES / "routing.yml"),
        knowledge=knowledge,
    )


def _note(language: str) -> list[str]:
    """The catalogue's sentences saying the quote is in another language, as templates cut at the variable."""
    data = yaml.safe_load((POLICIES / "messages" / f"{language}.yml").read_text(encoding="utf-8"))
    return [t.split("{quote_language}")[0] for t in data["messages"]["quote_in_other_language"]]


@pytest.mark.parametrize(("language", "polish"), [("fr", "polonais"), ("cs", "polština"), ("sv", "polska")])
async def test_a_language_without_documents_is_quoted_in_the_shops_language_and_says_so(
    language: str, polish: str, polish_shop: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18.4: with no document in the buyer's language, the quote is the shop's own language (Polish here,
    not the English translation the rule was written against), and one short sentence in the buyer's language
    says so, naming the language, before the message that carries the quote."""
    cite = {"source": "warranty.md", "heading": "Legal guarantee"}
    slots, text = await _run(
        "action_propose_remedy",
        polish_shop,
        monkeypatch,
        {"language": language, "proposed_remedy": {"type": "refund_full", "cite": cite}},
        "",
    )
    assert slots["policy_source"] == "pl/warranty.md"
    assert "_quote_language" not in slots  # said, never stored
    expected = quote(_section_text("pl", "warranty.md", "Legal guarantee"))
    assert slots["policy_quote"] == expected and expected in text
    first, rest = text.split(").", 1)
    assert any(first.startswith(start) for start in _note(language)), text
    assert first.endswith(f"({polish}") and first.count(".") == 0, text  # one sentence, naming Polish
    assert expected in rest

    question = {"fr": "combien de jours pour renvoyer un article ?", "cs": "kolik dni mam na vraceni zbozi?"}
    question["sv"] = "hur många dagar har jag på mig att returnera en vara?"
    slots, text = await _run(
        "action_answer_question", polish_shop, monkeypatch, {"language": language}, question[language]
    )
    assert slots["policy_source"].startswith("pl/"), slots
    assert any(text.startswith(start) for start in _note(language)), text


async def test_no_note_when_the_quote_is_in_the_buyers_language(
    services: Services, polish_shop: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sentence is only for a quote in another language: a French buyer of the demo shop (French
    documents) and a Polish buyer of the Polish shop get the quote alone."""
    cite = {"source": "warranty.md", "heading": "Legal guarantee"}
    for shop, language in ((services, "fr"), (polish_shop, "pl"), (polish_shop, "en")):
        slots, text = await _run(
            "action_propose_remedy",
            shop,
            monkeypatch,
            {"language": language, "proposed_remedy": {"type": "refund_full", "cite": cite}},
            "",
        )
        assert slots["policy_source"] == f"{language}/warranty.md"
        assert not any(start.strip() and start in text for start in _note(language)), text


# Questions a buyer might ask, in their own words (not copied from the documents), and the document
# that answers them. The Swedish double charge and the Albanian return period were known misses (the embedding
# model, use-multilingual-v3, was not trained on Swedish or Albanian) until each section listed the questions
# buyers ask (bot/retrieval/questions.py), which the lexical side matches in any language.
QUESTIONS = [
    ("sv", "Hur många dagar har jag på mig att skicka tillbaka en vara jag ångrat?", "returns.md"),
    ("sv", "Ni har dragit pengarna två gånger från mitt kort", "payments.md"),
    ("sv", "Hur mycket kostar frakten och när är den gratis?", "shipping.md"),
    # Once an xfail (hybrid ranking matched "zurückzuschicken" to shipping.md); right since the documents
    # grew a paragraph on parts sent on their own and four languages (2026-12-04).
    ("de", "Wie lange habe ich Zeit, etwas zurückzuschicken?", "returns.md"),
    ("de", "Mir wurde die Bestellung zweimal vom Konto abgebucht", "payments.md"),
    ("de", "Was kostet der Versand und ab wann ist er gratis?", "shipping.md"),
    ("ru", "Сколько дней у меня есть, чтобы вернуть товар?", "returns.md"),
    ("ru", "С моей карты дважды списали деньги за заказ", "payments.md"),
    ("ru", "Сколько стоит доставка и когда она бесплатная?", "shipping.md"),
    ("sq", "Sa ditë kam kohë për ta kthyer një produkt?", "returns.md"),
    ("sq", "Ma keni tërhequr pagesën dy herë nga karta", "payments.md"),
    ("sq", "Sa kushton transporti dhe kur është falas?", "shipping.md"),
    ("uk", "Скільки днів я маю, щоб повернути товар?", "returns.md"),
    ("uk", "З моєї картки двічі списали гроші за замовлення", "payments.md"),
    ("uk", "Скільки коштує доставка і коли вона безкоштовна?", "shipping.md"),
]


def _text_of(param: Any) -> tuple[str, str, str]:
    return tuple(param.values) if hasattr(param, "values") else param


def _id(value: object) -> str:
    # Readable test ids: "uk-payments.md" rather than a row of escaped Cyrillic.
    return str(value) if len(str(value)) < 16 else f"q{sum(map(ord, str(value))) % 10_000}"


@pytest.mark.parametrize(("language", "question"), sorted({_text_of(q)[:2] for q in QUESTIONS}), ids=_id)
async def test_policy_answer_is_quoted_in_the_buyers_language(
    language: str, question: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever document answers, the quote in the reply is that document's text in the buyer's language
    (before issue 18 these buyers were quoted the English or Polish text)."""
    slots, text = await _run("action_answer_question", services, monkeypatch, {"language": language}, question)
    assert slots["policy_source"].split("/")[0] == language
    source = slots["policy_source"].split("/", 1)[1]
    _, body = _read(language, source)
    flat = " ".join(re.sub(r"[*_`]", "", body).split())
    # quote() may cut the last sentence short with an ellipsis; everything before it is the file's text.
    assert slots["policy_quote"].removesuffix(" …") in flat
    assert slots["policy_quote"] in text


@pytest.mark.parametrize(("language", "question", "source"), QUESTIONS, ids=_id)
async def test_policy_question_is_answered_from_the_right_document(
    language: str, question: str, source: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots, _ = await _run("action_answer_question", services, monkeypatch, {"language": language}, question)
    assert slots["policy_source"] == f"{language}/{source}"


WRONG_ITEM = {"type": "reship", "cite": {"source": "damaged-or-wrong-items.md", "heading": "Wrong item received"}}


def _section(language: str, source: str, name: str) -> str:
    """The text of one section (by its name) of a knowledge file, flattened as quotes are."""
    _, body = _read(language, source)
    parts = re.split(r"^##\s+(.+)$", body, flags=re.MULTILINE)
    for title, text in zip(parts[1::2], parts[2::2], strict=True):
        if split_anchor(title)[1] == name:
            return " ".join(re.sub(r"[*_`]", "", text).split())
    raise AssertionError(f"{language}/{source} has no section {name}")


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("cs", "posílám ty kabelové zpátky, nebo si je vyzvednete?"),
        ("en", "do I post the wrong ones back myself or do you collect them?"),
        ("de", "schicke ich die falschen zurück oder holen Sie die ab?"),
    ],
)
async def test_a_question_during_an_offer_is_read_as_about_its_section(
    language: str, question: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "posílám ty kabelové zpátky, nebo si je vyzvednete?" (do I post the wired ones back, or do you collect
    them?) during a wrong-item offer was answered with the missing-parts passage beside it (issue 18): the
    section the offer rests on weighs in the search (KnowledgeBase.ABOUT_BONUS)."""
    slots = {"language": language, "proposed_remedy": WRONG_ITEM}
    found, _ = await _run("action_answer_question", services, monkeypatch, slots, question)
    section = _section(language, "damaged-or-wrong-items.md", "wrong-item-received")
    assert found["policy_quote"].removesuffix(" …") in section


async def test_a_question_about_something_else_still_finds_its_own_section(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offer's section is a hint, not a filter: a question plainly about another policy is answered from it."""
    slots = {"language": "en", "proposed_remedy": WRONG_ITEM}
    found, _ = await _run("action_answer_question", services, monkeypatch, slots, "how long is the warranty?")
    assert found["policy_source"] == "en/warranty.md"


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "btw where are you lads based?"),
        ("pl", "a wy w ogole skad jestescie?"),
        ("ru", "а вы вообще откуда?"),
        ("sq", "nga jeni ju?"),
        ("es", "de donde sois?"),
    ],
)
async def test_where_the_shop_is_is_answered_from_its_own_section(
    language: str, question: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Where are you based?" had no answer: the warehouse's city was only in shipping.md's preamble, which is never
    quoted from a file with sections (round 14, a14). Each shipping.md now has a "where we ship from" section."""
    found, _ = await _run("action_answer_question", services, monkeypatch, {"language": language}, question)
    assert found["policy_quote"].removesuffix(" …") in _section(language, "shipping.md", "where-we-ship-from")
