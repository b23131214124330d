"""Answers read against the question the bot asked (DESIGN decision 7).

When the bot has asked whether the buyer would like to update the review, "Fair enough, I'll bump it up to 3
stars" is an answer to that question, whatever intent the general classifier gives it (issue 19: it was read
as a refusal, and the case closed as `resolved_kept`, corrupting the revision rate). The phrasings are
content, in data/answers/revision.yml, per language; this module only reads them.

Hand-written patterns rather than a second classifier: the set of answers to one closed question is small, and
a pattern that misses is visible and fixable by an admin in one line, where a model's miss is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import yaml

from bot.platform.folding import fold, fold_pattern, normalise
from bot.platform.vocab import Wish, names
from bot.understanding.echoed_wish import echoed_then_refused
from bot.understanding.translit import latin_pattern

Revision = Literal["revised", "kept", "later"]
ANSWERS = Path(__file__).resolve().parents[2] / "data" / "answers"


def own_then_english(language: str | None) -> tuple[str, ...]:
    """The languages a buyer's words are read in: theirs, then English (many write a short English reply)."""
    return tuple(dict.fromkeys([language or "en", "en"]))


# German typed without umlauts writes them as two letters ("zurueck", "moechte", "waere"); folding drops the dots
# ("zurück" -> "zuruck"), so the patterns are written for that and missed every transcribed word: "geld zurueck"
# named no refund (held-out round 7, de). After a consonant only: "neue", "teuer", "Feuer" keep their "ue", as do
# "aktuell", "eventuell" and "zuerst" (a real "ue"), and "que" is never one.
_DE_UMLAUT = re.compile(r"(?<=[bcdfghjklmnprstvwxz])(?:(a)e|(o)e|(u)e(?!ll|rst))")


def read_as(said: str, language: str) -> str:
    """Normalised text as the patterns of `language` read it: German with "ae/oe/ue" as the folded umlaut."""
    if language != "de" or "e" not in said:
        return said
    return _DE_UMLAUT.sub(lambda m: m.group(1) or m.group(2) or m.group(3), said)


@lru_cache(maxsize=4)
def _patterns(
    path: Path = ANSWERS / "revision.yml",
) -> tuple[re.Pattern[str], dict[str, dict[str, list[re.Pattern[str]]]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    stars = re.compile(fold_pattern(data.pop("stars")))
    by_language = {
        language: {kind: compile_patterns(patterns) for kind, patterns in kinds.items()}
        for language, kinds in data.items()
    }
    return stars, by_language


def revision_answer(text: str, language: str | None) -> Revision | None:
    """What the buyer said about updating the review; None when the message does not say (a question, a new
    problem): the flow then falls back on the intent. English patterns are tried after the buyer's own
    language's, since many write a short English "ok, done" in any language."""
    stars, by_language = _patterns()
    said = normalise(text)
    for lang in own_then_english(language):
        kinds = by_language.get(lang)
        if not kinds:
            continue
        for kind in ("kept", "later", "revised"):
            if any(p.search(said) for p in kinds.get(kind, [])):
                return kind  # type: ignore[return-value]
    if stars.search(said):
        return "revised"  # a new star count is a changed review
    return None


def _identity() -> dict[str, list[re.Pattern[str]]]:
    return word_patterns("identity.yml")


def _says(text: str, language: str | None, patterns: Callable[[str], list[re.Pattern[str]]]) -> bool:
    """Whether the message matches one of a language's patterns (`patterns(lang)`), in the buyer's language, then
    English: the one reading every yes/no-shaped question of this module shares."""
    said = normalise(text)
    return any(p.search(read_as(said, lang)) for lang in own_then_english(language) for p in patterns(lang))


def asks_if_bot(text: str, language: str | None) -> bool:
    """Does the buyer ask whether they are talking to a machine or a person? (In their language or in
    English: "are you a bot?" is written in English by many.)"""
    return _says(text, language, lambda lang: _identity().get(lang, []))


def puts_off(text: str, language: str | None) -> bool:
    """Does the buyer say they cannot talk now ("at work, later", "jetzt nicht", "je vous réponds ce soir")? No request
    to stop, and no answer to what was asked (data/answers/later.yml)."""
    return mentions("later.yml", text, language)


def asks_how_reached(text: str, language: str | None) -> bool:
    """Does the buyer ask how we came by their number or why we write on this channel ("how did you get my number?",
    "wieso schreiben Sie mir auf Telegram?")? A question to answer, never a request to stop (data/answers/contact.yml).
    """
    return mentions("contact.yml", text, language)


def asks_if_genuine(text: str, language: str | None) -> bool:
    """Does the buyer doubt that the message comes from the shop ("is this a scam?", "how do I know you're really the
    shop?")? A fair question, answered truthfully and never a request to stop nor one for a person
    (data/answers/genuine.yml)."""
    return mentions("genuine.yml", text, language)


def writes_myself(text: str, language: str | None) -> bool:
    """Does the buyer speak of their own writing ("sorry, this will be long", "Довго писати буду, вибачайте")? Never a
    request that we stop writing, whatever the classifier made of the writing verb (data/answers/own_writing.yml)."""
    return mentions("own_writing.yml", text, language)


def asks_about_hours(text: str, language: str | None) -> bool:
    """Does the buyer ask when someone is there, or whether the case can wait for them ("do you work weekends?", "is
    anyone even awake at this hour?", "I'm away till Monday, can it wait?")? A question about availability, never a
    policy passage to search nor a request to stop (data/answers/hours.yml)."""
    return mentions("hours.yml", text, language)


def _disputes() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("disputes.yml", ("chargeback", "dispute", "party"))


def mentions_payment_dispute(text: str, language: str | None) -> bool:
    """Does the buyer mention a payment dispute with PayPal, the bank or the card ("I already opened a PayPal
    dispute", "zrobiłam chargeback", "ich hab bei der Bank widersprochen")? The shop then refunds once, through it or
    by itself: the team must know (data/answers/disputes.yml: a `chargeback` word, or a `dispute` word beside a
    `party`)."""
    said = normalise(text)
    for lang in own_then_english(language):
        kinds = _disputes().get(lang)
        if not kinds:
            continue
        read = read_as(said, lang)
        if any(p.search(read) for p in kinds["chargeback"]) or (
            any(p.search(read) for p in kinds["dispute"]) and any(p.search(read) for p in kinds["party"])
        ):
            return True
    return False


def asks_if_review_tied(text: str, language: str | None) -> bool:
    """Does the buyer ask whether the remedy is tied to their review ("do I have to take my review down to get the
    refund?", "is this to buy my stars?")? Never: the bot says so plainly and carries on (PLAYBOOK rule 10). A
    question, never a request to stop (data/answers/review_tie.yml)."""
    return mentions("review_tie.yml", text, language)


@lru_cache(maxsize=4)
def _person(path: Path = ANSWERS / "person.yml") -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {language: compile_patterns(patterns) for language, patterns in data.items()}


def asks_for_person(text: str, language: str | None) -> bool:
    """Does the buyer ask for a person to take over ("put me through to a human", "voglio parlare con una persona
    vera")? Read by pattern, not by the intent alone: the request often stands in a long complaint, or beside
    "are you a bot?", where the flow must not take it for the question only (data/answers/person.yml)."""
    return _says(text, language, lambda lang: _person().get(lang, []))


@lru_cache(maxsize=4)
def _go_on(path: Path = ANSWERS / "go_on.yml") -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {language: compile_patterns(patterns) for language, patterns in data.items()}


def lets_go_on(text: str, language: str | None) -> bool:
    """Does a reply to the calming words let the bot go on ("it's not your fault", "so what now?";
    data/answers/go_on.yml)? Such a reply asks no rephrasing, whatever the classifier makes of it."""
    return _says(text, language, lambda lang: _go_on().get(lang, []))


WISHES: tuple[str, ...] = names(Wish)


def compile_patterns(patterns: list[str]) -> list[re.Pattern[str]]:
    """The patterns of data/answers/ folded as the text they read (escapes kept: `fold_pattern`), plus each Cyrillic
    one as typed in Latin letters ("verni dengi", "povernit groshi"): many Russian and Ukrainian buyers write without
    a Cyrillic keyboard (issue 18)."""
    folded = [fold_pattern(str(p)) for p in patterns]
    latin = [lp for p in folded if (lp := latin_pattern(p)) is not None]
    return [re.compile(p) for p in folded + latin]


# Unbounded, as the files of data/answers are (48 now): with 32 kept, a simulator run read 34 of them and evicted
# two, so some YAML was read from disk again in the middle of conversations; the readers below are keyed the same way.
@cache
def answers_file(name: str) -> dict:  # type: ignore[type-arg]
    """data/answers/<name>, read once per process (callers copy what they change)."""
    return yaml.safe_load((ANSWERS / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def wish_patterns() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    data, parts = answers_file("wishes.yml"), answers_file("parts.yml")
    compiled = {}
    for language, kinds in data.items():
        kinds = dict(kinds)
        # "a new lid", "ein Ersatzdeckel reicht": the part wish said with the name of a part (data/answers/parts.yml).
        names = "|".join(_bare(p) for p in parts.get(language, []))
        spare = [p.replace("{part}", f"(?:{names})") for p in kinds.pop("spare", [])] if names else []
        kinds["part"] = [*kinds.get("part", []), *spare, *kinds.pop("part_any", [])]
        compiled[language] = {kind: compile_patterns(patterns) for kind, patterns in kinds.items()}
    return compiled


def _bare(pattern: str) -> str:
    """A parts.yml pattern without its word boundaries, to be written inside a longer one (\bersatz{part})."""
    return pattern.removeprefix("\\b").removesuffix("\\b")


def wishes_in(text: str, language: str | None) -> tuple[list[str], bool]:
    """The outcomes a message names, in the order of WISHES, and whether it adds one on top of something
    ("also", "plus", "could you add"): "the replacement is fine, but could you add a voucher" accepts the
    replacement and asks for more, where "I'd rather have my money back" replaces it. A wish named only where the
    buyer turns it down ("rather than a voucher") is not one of them: see declined_wishes."""
    found, also, _declined = _read_wishes(text, language)
    return found, also


def states_preference(text: str, language: str | None) -> bool:
    """Does the message say the buyer would rather have something ("I'd rather have the money", "mir wäre das
    Geld lieber")? Read in their language and in English, like the wishes."""
    return _says(text, language, lambda lang: wish_patterns().get(lang, {}).get("prefer", []))


def declined_wishes(text: str, language: str | None) -> list[str]:
    """The outcomes a message turns down ("the postage back rather than a voucher": discount), and names nowhere
    else as wanted. An offer named only there is declined, even when the classifier reads the message as asking
    for it (issue 19.3: "I'd prefer X rather than a voucher" after a coupon offer)."""
    return _read_wishes(text, language)[2]


def _read_wishes(text: str, language: str | None) -> tuple[list[str], bool, list[str]]:
    base = normalise(text)
    found: list[str] = []
    declined: list[str] = []
    also = False
    for lang in own_then_english(language):
        kinds = wish_patterns().get(lang, {})
        said = read_as(base, lang)  # positions below are within this language's reading
        named = [(m.start(), m.end(), w) for w in WISHES for p in kinds.get(w, []) for m in p.finditer(said)]
        refused = _turned_down(said, kinds.get("instead", []), named)
        if lang != language and language in wish_patterns() and read_as(base, language) == said:
            # An English word inside the buyer's own language is turned down by that language's markers: a Spanglish
            # refusal of the "refund" named the refund the buyer refused, and it was offered first (held-out round 14).
            refused |= _turned_down(said, wish_patterns()[language].get("instead", []), named)
        refused |= _turned_down_right_after(said, kinds.get("refused_right_after", []), named)
        refused |= _turned_down_before(said, kinds.get("refused_after", []), named)
        refused |= _changed_mind(said, kinds.get("changed_mind", []), named)
        refused |= echoed_then_refused(said, kinds.get("refused_after", []), named)
        refused -= _wanted_again(said, kinds, refused)
        for start, _end, wish in named:
            # English read after the buyer's language must not bring back what that language turned down: in "oubliez
            # le code promo" English patterns find the coupon again, and the French refusal was lost (round 10).
            if (start, wish) not in refused and (lang == language or wish not in declined or wish in found):
                found += [wish] if wish not in found else []
        # Once each: two phrases may name one wish the buyer turns down ("mandatemene uno nuovo").
        declined += [w for w in dict.fromkeys(w for _, w in sorted(refused)) if w not in declined]
        also = also or any(p.search(said) for p in kinds.get("also", []))
    found = [w for w in WISHES if w in found]  # one order whatever language named it
    declined = [w for w in declined if w not in found]
    if "part" in found and "replacement" in found:
        # "send me a new lid" names a part with a replacement's words: the narrower wish is what is meant.
        found.remove("replacement")
    if "shipping" in found and "refund" in found:
        # "the shipping money back" names the shipping cost with a refund's words: the narrower wish again.
        found.remove("refund")
    return found, also, declined


# A marker's clause ends at punctuation: "not a voucher, a refund" turns down the voucher only.
_CLAUSE_END = re.compile(r"[,.;:!?]|\s[-–]\s")


_NEGATED_BEFORE = re.compile(r"(^|\W)(не|ни|ne|ni|not|no)\s+$")


def _wanted_again(
    said: str, kinds: dict[str, list[re.Pattern[str]]], refused: set[tuple[int, str]]
) -> set[tuple[int, str]]:
    """(start, wish) of each refused wish that a verb of wanting ("I want", "chci", "хочу", "would do") asks for
    again, between the refusal and the wish, in the same clause and with no refusal after it. Voice-typed text
    has no commas: "ne ne ja ho chci mit jen at je levnejsi" (no, no, I want to keep it, just cheaper) and "that I
    really don't want I'd wait again a discount would do" turned down the discount they asked for, since a
    refusal reaches to the next punctuation mark (held-out round 15, cs: a full refund was then confirmed)."""
    markers, after = kinds.get("instead", []), kinds.get("refused_after", [])
    again: set[tuple[int, str]] = set()
    for start, wish in refused:
        clause = _CLAUSE_END.search(said[:start][::-1])
        begin = start - clause.start() if clause else 0
        end = _CLAUSE_END.search(said, start)
        stop = end.start() if end else len(said)
        wants = [
            m.end()
            for p in kinds.get("wanted", [])
            for m in p.finditer(said, begin, start)
            if not _NEGATED_BEFORE.search(said[max(0, m.start() - 5) : m.start()])  # "не хочу" wants nothing
        ]
        if not wants:
            continue
        last_want = max(wants)
        # Only a refusal said before the verb of wanting is undone by it: "chci novy, nechci" still refuses.
        refusal_before = any(m.end() <= last_want for p in markers for m in p.finditer(said, begin, last_want))
        refusal_since = any(m.start() >= last_want for p in markers for m in p.finditer(said, last_want, start))
        refused_later = any(p.search(said, start, stop) for p in after)
        if refusal_before and not refusal_since and not refused_later:
            again.add((start, wish))
    return again


def _turned_down(said: str, markers: list[re.Pattern[str]], named: list[tuple[int, int, str]]) -> set[tuple[int, str]]:
    """(start, wish) of each wish named right after a marker ("rather than a voucher", "zamiast rabatu"): the
    first one in the marker's clause, and those named in the same words ("a refund of the postage")."""
    refused: set[tuple[int, str]] = set()
    for pattern in markers:
        for m in pattern.finditer(said):
            end = _CLAUSE_END.search(said, m.end())
            stop = end.start() if end else len(said)
            after = sorted(x for x in named if m.end() <= x[0] < stop)
            if after:
                # ...and the same wish named again in its clause: "oubliez le code promo" names the discount twice
                # ("code", "promo"), and the second was left wanted (held-out round 10).
                first_end, first = after[0][1], after[0][2]
                refused |= {(start, wish) for start, _e, wish in after if start < first_end or wish == first}
                # ...and each wish joined on by "nor" ("I don't want to send it back nor swap it"): the second of
                # "no lo quiero devolver ni cambiar" was left wanted, and a replacement was offered to a buyer keeping
                # the item (held-out round 15, es).
                last_end = first_end
                for start, end, wish in after[1:]:
                    if not _NOR.match(said, last_end, start):
                        break
                    refused.add((start, wish))
                    last_end = end
    return refused


# "nor" between two wishes a refusal governs: Spanish/French "ni", Polish/Czech "ani", Albanian "as", Russian "ни",
# Ukrainian "ні", Italian "né" (folded "ne"), German "noch", English "nor"/"or", with at most two words before the
# next wish ("ni un cambio", "as nje te re").
_NOR = re.compile(r"\W*(?:ni|nor|or|ani|as|ни|ні|ne|noch|eller)\s+(?:\w+\s+){0,2}$")


def _turned_down_right_after(
    said: str, markers: list[re.Pattern[str]], named: list[tuple[int, int, str]]
) -> set[tuple[int, str]]:
    """(start, wish) of each wish its own clause turns down after naming it: "zurückschicken will ich das Ding
    nicht" (the verb first, the negation last, as German and Swedish put it) named a return the buyer refused, and
    was offered the whole price back before the money off they asked for (held-out personas, round 5)."""
    refused: set[tuple[int, str]] = set()
    for start, end, wish in named:
        clause_end = _CLAUSE_END.search(said, end)
        rest = said[end : clause_end.start() if clause_end else len(said)]
        if any(p.match(rest) for p in markers):
            refused.add((start, wish))
    return refused


def _changed_mind(said: str, markers: list[re.Pattern[str]], named: list[tuple[int, int, str]]) -> set[tuple[int, str]]:
    """(start, wish) of every wish named before the buyer changes their mind ("send it again. or no, you know what,
    give me the money back"), when another wish follows the marker: the later one is the wish. Held-out round 4,
    pl-waz-ogrodowy-zaginal: "wyslijcie jeszcze raz. albo nie, wiecie co, oddajcie kase" was read as a reshipment
    (refused by the policy, so a coupon was offered) and the refund the buyer settled on was never seen."""
    for m in (m for p in markers for m in p.finditer(said)):
        if any(start >= m.end() for start, _end, _wish in named):
            return {(start, wish) for start, end, wish in named if end <= m.start()}
    return set()


def _turned_down_before(
    said: str, markers: list[re.Pattern[str]], named: list[tuple[int, int, str]]
) -> set[tuple[int, str]]:
    """(start, wish) of the wish named last before a marker that turns it down after it ("компенсацій не прошу",
    "novyi takyi samyi ne hochu"), in the marker's clause. A wish named after the marker in that clause is the
    one it governs ("nie chcę kuponu"), and the `instead` markers read that; nothing before it is refused then."""
    refused: set[tuple[int, str]] = set()
    for pattern in markers:
        for m in pattern.finditer(said):
            ends = [e.end() for e in _CLAUSE_END.finditer(said, 0, m.start())]
            start = ends[-1] if ends else 0
            end = _CLAUSE_END.search(said, m.end())
            stop = end.start() if end else len(said)
            if any(m.end() <= x[0] < stop for x in named):
                continue
            before = sorted(x for x in named if start <= x[0] and x[1] <= m.start())
            if before:
                refused.add((before[-1][0], before[-1][2]))
    return refused


def asks_part_of_price(text: str, language: str | None) -> bool:
    """Whether a refund the message names is part of the price ("a partial refund is fine"). Without such words
    "my money back" or "a refund" means the whole price: never the acceptance of a partial refund (issue 19: a
    buyer who said "I'd rather have my money back" was recorded as accepting 30%)."""
    return _says(text, language, lambda lang: wish_patterns().get(lang, {}).get("partial", []))


def asks_whole_price(text: str, language: str | None) -> bool:
    """Whether the message ends on the whole price ("a full refund", "полный возврат"; data/answers/wishes.yml:
    whole): named after any part of it the message also names, as a correction comes last ("part of the money? no,
    a full refund"; round 9). "No full refund needed, part of it back" ends on the part."""
    said = normalise(text)
    for lang in own_then_english(language):
        kinds, read = wish_patterns().get(lang, {}), read_as(said, lang)
        whole = max((m.start() for p in kinds.get("whole", []) for m in p.finditer(read)), default=-1)
        part = max((m.start() for p in kinds.get("partial", []) for m in p.finditer(read)), default=-1)
        if whole >= 0 and whole > part:
            return True
    return False


def _parts() -> dict[str, list[re.Pattern[str]]]:
    return word_patterns("parts.yml")


def part_named(text: str, language: str | None) -> str | None:
    """The part of an item a message names ("the lid", "die Ladekabel"), as the buyer wrote it, for a part sent
    on its own (the remedy send_part); None when it names none. The buyer's language first, then English.
    A part named after a negation is the one the buyer does not mean: "no, not the handle, the lid" names the
    lid (a correction; issue 18.3)."""
    said, index = fold(text)
    missing = None
    for lang in own_then_english(language):
        # The first part in the message, whichever of the language's lists names it: "the rubber seal of the lid"
        # is about the seal.
        found = sorted((m.start(), -m.end()) for pattern in _parts().get(lang, []) for m in pattern.finditer(said))
        for start, minus_end in found:
            start = _with_count(said, start, lang)
            named = text[index[start] : index[-minus_end - 1] + 1]
            if said_fine(text, index[-minus_end - 1] + 1):
                # "only the chair and the screws were in the box": the screws are there, the part to send is another
                # (round 8: the screws were sent for a high chair whose tray was missing).
                continue
            if not negated(text, index[start]):
                return named
            missing = missing or named
    # A part the list does not know, named where the buyer asks for it alone ("schickt mir die Halterung nach"): the
    # last word of the wish phrase (data/answers/wishes.yml, part_any). Without it the bot named a part the buyer
    # had said was there ("die Schrauben schon, die Halterung nicht": held-out round 4).
    for lang in own_then_english(language):
        for pattern in _any_part().get(lang, []):
            m = pattern.search(said)
            if m:
                word = re.search(r"\w+$", said[m.start() : m.end()])
                if word:
                    start = _with_count(said, m.start() + word.start(), lang)
                    return text[index[start] : index[m.end() - 1] + 1]
    # A part named only after a negation, with no other part beside it, is one that is not there: "нет
    # колышков", "keine Heringe dabei", "no pegs in the bag" (issue 19). A correction names the right part too.
    return missing


_COUNT_WINDOW = re.compile(r"(?:\S+\s+){1,3}$")
_COUNT_TO_NOUN = re.compile(r"\s+(?:\w+\s+){0,2}")


def _with_count(said: str, start: int, language: str) -> int:
    """Where a part's name begins with the count said just before it (data/answers/counts.yml): at most two words
    before the noun ("два бокала", "dwie zapasowe nogi", "the two missing lids"), else at the noun. With its count
    the name reads right in the bot's sentence ("нужную деталь: два бокала"; the noun alone is in the case the
    numeral gave it, "бокала") and says how many are sent."""
    near = _COUNT_WINDOW.search(said, 0, start)
    if near is None:
        return start
    counts = [m for p in word_patterns("counts.yml").get(language, []) for m in p.finditer(said, near.start(), start)]
    # Only words, no punctuation, between the count and the noun: "I ordered 2, send the lid" names one lid.
    joined = [m.start() for m in counts if _COUNT_TO_NOUN.fullmatch(said, m.end(), start)]
    return min(joined, default=start)


@lru_cache(maxsize=1)
def _any_part() -> dict[str, list[re.Pattern[str]]]:
    return {
        language: compile_patterns(kinds.get("part_any", [])) for language, kinds in answers_file("wishes.yml").items()
    }


@lru_cache(maxsize=1)
def _negation_lists(path: Path = ANSWERS / "negation.yml") -> dict[str, frozenset[str]]:
    """data/answers/negation.yml's lists (`words`, `relative`, `concord`), normalised: one read for all."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {key: frozenset(normalise(w) for w in doc.get(key, [])) for key in ("words", "relative", "concord", "new")}


def _negations() -> frozenset[str]:
    return _negation_lists()["words"]


def concord_words() -> frozenset[str]:
    """The "never" words of data/answers/negation.yml ("mai", "nunca"): a negation before a problem phrase that holds
    one agrees with it ("non è mai arrivato") rather than denying the problem."""
    return _negation_lists()["concord"]


@lru_cache(maxsize=16)
def plain_words(language: str) -> frozenset[str]:
    """Negation words of other languages that are plain words in `language` (negation.yml `plain`: Swedish "ni" is
    "you"): "ni har dragit två gånger" denied the double charge."""
    doc = answers_file("negation.yml").get("plain") or {}
    return frozenset(normalise(w) for w in doc.get(language, []))


def relative_words() -> frozenset[str]:
    """The relative words of data/answers/negation.yml ("that", "qui", "który"), normalised."""
    return _negation_lists()["relative"]


def new_thing_words() -> frozenset[str]:
    """The words of data/answers/negation.yml `new` ("another", "nouveau", "neue"): a negation shortly after one
    describes the new thing wished for ("un autre, pas fêlé"), it denies no problem of the order."""
    return _negation_lists()["new"]


_WORD = re.compile(r"[\w']+")


def negation_words() -> frozenset[str]:
    """The negation words of data/answers/negation.yml, normalised (the NLU denies problems with them too)."""
    return _negations()


def negated(text: str, start: int, window: int = 2) -> bool:
    """Whether a negation stands among the `window` words before position `start`: the item a buyer names
    after "not" ("the camping light, not the head torch") is the one they do not mean."""
    before = [normalise(w) for w in _WORD.findall(text[:start])][-window:]
    return any(w in _negations() for w in before)


@lru_cache(maxsize=1)
def _fine(path: Path = ANSWERS / "fine.yml") -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the words that say an item is fine, where the clause about an item ends: punctuation, or a "but" that
    turns to another item, as in "the mug was fine but the teapot lid is chipped")."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = sorted({normalise(w) for w in data["words"]}, key=len, reverse=True)
    fine = re.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")(?!\w)")
    turns = "|".join(re.escape(normalise(w)) for w in data["turns"])
    return fine, re.compile(r"[.,;:!?\n]|(?<!\w)(?:" + turns + r")(?!\w)")


_FINE_WINDOW = 4  # words after the item: "the boots themselves are fine", "die Tassen sind alle ok"
_RELATIVE_WINDOW = 9  # after a relative word: "the hooks that were in the same box are perfect"


@lru_cache(maxsize=2)
def _fine_words(key: str) -> frozenset[str]:
    """A word list of data/answers/fine.yml, normalised: `relatives` (said_fine), `keeps` (said_kept)."""
    return frozenset(normalise(w) for w in answers_file("fine.yml").get(key, []))


def said_fine(text: str, end: int) -> bool:
    """Whether the buyer says the item named just before `end` is fine ("les tasses sont ok", "the hat was
    perfect", "kubki są ok"): a word of data/answers/fine.yml among the next few words of the same clause, and
    no negation before it ("not ok", "nicht in Ordnung")."""
    after = normalise(text[end : end + 120])
    fine, clause_end = _fine()
    clause = clause_end.split(after, maxsplit=1)[0]
    words = clause.split()
    words = words[: _RELATIVE_WINDOW if words and words[0] in _fine_words("relatives") else _FINE_WINDOW]
    window = " ".join(words)
    m = fine.search(window)
    if m is None:
        return False
    return not any(w in _negations() for w in _WORD.findall(window[: m.start()]))


_KEEP_WINDOW = 3  # words before the item: "keep the hooks", "ich behalte die Haken", "me quedo con el cojin"


def said_kept(text: str, start: int) -> bool:
    """Whether the buyer says they keep the item named at `start` ("..., keep the hooks", "je garde le chemin de
    table"): a word of data/answers/fine.yml `keeps` among the few words before it, in the same clause."""
    clause = re.split(r"[.,;:!?\n]", text[:start])[-1]
    before = [normalise(w) for w in _WORD.findall(clause)][-_KEEP_WINDOW:]
    return any(w in _fine_words("keeps") for w in before)


YesNo = Literal["yes", "no"]
FollowUp = Literal["worked", "failed", "waiting"]


@cache  # one entry per (file, kinds) pair the code asks for; a bound once evicted one per message
def _kinds_of(name: str, kinds: tuple[str, ...]) -> dict[str, dict[str, list[re.Pattern[str]]]]:
    """data/answers/<name>: per language, each kind's patterns (normalised as the messages they read are, and
    each Cyrillic one also as typed in Latin letters: "da, vse prishlo" answers the follow-up as "да, всё пришло")."""
    data = answers_file(name)
    return {lang: {kind: compile_patterns(data[lang].get(kind, [])) for kind in kinds} for lang in data}


def _follow_up() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("follow_up.yml", ("waiting", "fault", "failed", "worked"))


def follow_up_answer(text: str, language: str | None) -> FollowUp | None:
    """What the buyer says to "has it all reached you, and is all well now?": it worked ("Arrivato, funziona",
    "ist angekommen, alles gut"), it has not come yet ("not here yet", "noch nicht da": `waiting`, when no fault is
    named with it), it failed ("the new one has the same crack"), or None when the message says neither (a
    question, a new topic). In the buyer's language, then English; `failed` is tried before `worked`, so a negated
    "worked" word ("non funziona", "hasn't arrived") is never read as a success."""
    said = normalise(text)
    for lang in own_then_english(language):
        kinds = _follow_up().get(lang)
        if not kinds:
            continue
        if any(p.search(said) for p in kinds["waiting"]) and not any(p.search(said) for p in kinds["fault"]):
            return "waiting"
        for kind in ("failed", "worked"):
            if any(p.search(said) for p in kinds[kind]):
                return kind  # type: ignore[return-value]
    return None


def asks_for_information(text: str, language: str | None) -> bool:
    """Does the message ask how, when, how long or how much (data/answers/questions.yml), with a question mark?
    In the buyer's language, then English. "How long is the coupon valid?" after a coupon offer is a question
    to answer, not a yes because it names the coupon."""
    if "?" not in text:
        return False
    return _says(text, language, lambda lang: _kinds_of("questions.yml", ("asks",)).get(lang, {}).get("asks", []))


def announces_question(text: str, language: str | None) -> bool:
    """Does the message say a question is coming ("quick question", "juste une question"), with a question mark?
    In the buyer's language, then English (data/answers/questions.yml: announce)."""
    if "?" not in text:
        return False
    return _says(
        text, language, lambda lang: _kinds_of("questions.yml", ("announce",)).get(lang, {}).get("announce", [])
    )


@lru_cache(maxsize=1)
def _sign_offs() -> dict[str, list[re.Pattern[str]]]:
    return {lang: compile_patterns([rf"^(?:{p})$" for p in ps]) for lang, ps in answers_file("sign_off.yml").items()}


# A name that signs a message: words with a capital letter, initials and titles ("Ing.", "dr inż.", "S. Wróbel").
_NAME = re.compile(r"^(?:(?:[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐ][\w'-]*\.?|(?:ing|dr|mgr|inż|inz|prof)\.?)\s*){1,3}$")


def signs_off(sentence: str, language: str | None) -> bool:
    """Is the sentence only a closing formula ("Distinti saluti", "S pozdravem"), a name, or both ("Mvh Birgitta
    Sandberg")? Such a sentence asks nothing (data/answers/sign_off.yml)."""
    text = sentence.strip().strip(",.!-–— ")
    if not text:
        return True
    if _NAME.match(text) and (language or "").split("-")[0] != "de":  # German capitalises every noun
        return True
    return _closes(text, language)


def _closes(text: str, language: str | None) -> bool:
    """Is the text a closing formula, with or without a name after it (signs_off without the bare name)?"""
    said = normalise(text)
    for lang in own_then_english(language):
        for pattern in _sign_offs().get(lang, []):
            for cut in range(len(said), 0, -1):  # the formula, then the name that may follow it
                if (cut == len(said) or said[cut] in " ,\n") and pattern.match(said[:cut].strip(" ,")):
                    rest = text[len(text) - (len(said) - cut) :].strip(" ,.\n") if cut < len(said) else ""
                    if not rest or _NAME.match(rest):
                        return True
    return False


def requests_information(text: str, language: str | None) -> bool:
    """Does the message ask for information as a polite request, with or without a question mark ("Proszę o
    informację, jak długo ...", "jag undrar hur länge ...")? In the buyer's language, then English (data/answers/
    questions.yml: request). A formal letter asks so; read as the detail the bot waited for, it went unanswered."""
    return _says(text, language, lambda lang: _kinds_of("questions.yml", ("request",)).get(lang, {}).get("request", []))


def asks_what_to_do(text: str, language: str | None) -> bool:
    """Does the message ask what the buyer has to do ("do I have to send it back?", "måste jag posta den
    trasiga?", "¿debo mandar la caja?"), with a question mark? In the buyer's language, then English
    (data/answers/questions.yml: duty). Such a question asks about a duty; the return it names is no wish (held-out
    round 6: "must I post the broken one back?" was offered a return pickup, and the question went unanswered)."""
    if "?" not in text:
        return False
    return _says(text, language, lambda lang: _kinds_of("questions.yml", ("duty",)).get(lang, {}).get("duty", []))


@cache  # one entry per file of data/answers, as answers_file
def word_patterns(name: str) -> dict[str, list[re.Pattern[str]]]:
    """data/answers/<name>: one list of patterns per language, compiled as `compile_patterns` does (so a Cyrillic word
    typed in Latin letters counts too: "zapisal rolik" is a video as "записал ролик" is)."""
    doc = answers_file(name)
    if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
        raise ValueError(f"{name}: must map a language to a list of patterns")
    return {language: compile_patterns(patterns) for language, patterns in doc.items()}


def mentions(name: str, text: str, language: str | None) -> bool:
    return _says(text, language, lambda lang: word_patterns(name).get(lang, []))


def mentions_video(text: str, language: str | None) -> bool:
    """Does the buyer say their evidence is a video ("I filmed the unboxing")? The chat takes photos only, so
    they are asked for a screenshot from it rather than told to send "the photo"."""
    return mentions("video.yml", text, language)


def mentions_photo(text: str, language: str | None) -> bool:
    """Does the buyer speak of a photo they have ("foto ye, mozhu nadislaty")? Said to the photo question, it
    offers one, and the buyer is told to send it here; a description with no such word ("the glass is cracked")
    offers nothing, and neither does a photo said not to exist ("I don't have any photos": photo_said)."""
    return photo_said(text, language) == "has"


def asks_why_photo(text: str, language: str | None) -> bool:
    """Does the buyer ask why a photo, or of what ("why do you need a photo?", "do I have to send pictures of my
    kitchen?")? A question with a photo word in it (data/answers/photo_why.yml with photo.yml): the answer is that
    only the item matters and the photo is optional, never "yes, please send it"."""
    return any(_asks_why_photo(sentence, language) for sentence in _QUESTION_SENTENCE.findall(text))


def without_why_photo(text: str, language: str | None) -> str:
    """The message without its sentences that ask why a photo ("why do you want a photo? I took one of the box
    anyway" keeps the second): what it says beside the question, read as any answer to the photo question is."""
    return "".join(x for x in _QUESTION_SENTENCE.findall(text) if not _asks_why_photo(x, language))


def _asks_why_photo(sentence: str, language: str | None) -> bool:
    # One sentence holds both, and asks: "why is it broken? photo attached" asks nothing about the photo.
    asked = sentence.rstrip().endswith("?") or bool(_MUST.search(normalise(sentence)))
    return asked and mentions("photo_why.yml", sentence, language) and mentions("photo.yml", sentence, language)


_QUESTION_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_MUST = re.compile(r"\b(must|have to|musze|muss|dois|tengo que|devo|musim|maste|duhet)\b")


PhotoSaid = Literal["has", "none"]
_PHOTO_NEGATION_WINDOW = 3  # words: "I don't have any photos", "nie mam żadnych zdjęć"


@lru_cache(maxsize=1)
def _photo_negations(path: Path = ANSWERS / "photo_negation.yml") -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {language: compile_patterns([f"^(?:{p})$" for p in words]) for language, words in data.items()}


def photo_said(text: str, language: str | None) -> PhotoSaid | None:
    """What the message says of a photo: "has" where a photo word stands with no negation near it ("jag tog bilder,
    vill du ha dom?"), "none" where every photo word is negated ("nemám fotky", "keine Fotos", "I don't have any
    photos"), None where it names no photo. Near: among the three words before it, or the three after it in the
    same clause ("Bilder hab ich keine"), a word of data/answers/photo_negation.yml."""
    if mentions("photo_refusal.yml", text, language):
        return "none"  # "stop asking me for photos": no photo is coming
    said = normalise(text)
    languages = own_then_english(language)
    if _photo_elsewhere(said, languages, "cannot"):
        return "none"  # "my phone is broken, I can't take photos": no photo, whatever photo words follow
    photo_words = [p for lang in languages for p in word_patterns("photo.yml").get(lang, [])]
    specific = [p for lang in languages for p in _photo_negations().get(lang, [])]

    def negation(word: str) -> bool:
        return any(p.search(word) for p in specific)

    clause_end = _fine()[1]
    found = negated = asked = False
    for pattern in photo_words:
        for m in pattern.finditer(said):
            if (
                re.match(r"\s*\?", said[m.end() :])
                and len(_WORD.findall(re.split(r"[.!?]", said[: m.start()])[-1])) <= 1
            ):
                # "Foto? Die ist doch schon unterwegs zu Ihnen", "a photo? of what?": the request echoed back as a
                # question, before saying why there is none; read as offering one, the buyer was told "send it here"
                # (held-out round 13, de: the item had been sent back already).
                continue
            found = True
            before = _WORD.findall(said[: m.start()])[-_PHOTO_NEGATION_WINDOW:]
            after = _WORD.findall(clause_end.split(said[m.end() :], maxsplit=1)[0])[:_PHOTO_NEGATION_WINDOW]
            if any(negation(w) for w in before + after):
                negated = True
            elif _SENTENCE_END.split(said[m.end() :], maxsplit=1)[0].endswith("?"):
                asked = True  # "want the photos?" offers them, unless the message says it has none (below)
            else:
                return "has"
    # "I can't take a photo, my phone is broken. how do I photograph what isn't there?": a photo word in a question
    # beside one negated is rhetoric, not an offer; it was answered "yes, please send the photo" (held-out round 10).
    if asked and not negated:
        return "has"
    return "none" if found else None


def _photo_elsewhere(said: str, languages: Iterable[str], kind: str) -> bool:
    """data/answers/photo_elsewhere.yml: the buyer cannot take a photo, or gave it already elsewhere."""
    kinds = _kinds_of("photo_elsewhere.yml", ("cannot", "given"))
    return any(p.search(read_as(said, lang)) for lang in languages for p in kinds.get(lang, {}).get(kind, []))


def asks_how_to_send_photo(text: str, language: str | None) -> bool:
    """Does the message ask how or where to send a photo ("how do I attach a photo here?", "jak tu wrzucic zdjecie?";
    data/answers/photo_how.yml)? It offers the photo: the answer is "send it here", never a policy passage."""
    return photo_said(text, language) is not None and _says(
        text, language, lambda lang: word_patterns("photo_how.yml").get(lang, [])
    )


def photo_given(text: str, language: str | None) -> bool:
    """Has the buyer sent the photo already, elsewhere ("I put a photo in the review", "Fotos hat Ihr Kollege schon",
    data/answers/photo_elsewhere.yml `given`), or does the message say the photo it names is already with us, posted
    with the review or attached here ("bilden finns i min recension", "aquí: [foto]"; data/answers/photo_given.yml),
    or that it was sent already ("foton e kam derguar tashme", data/answers/photo_sent.yml)? Evidence there is;
    "please send the photo here" answers what they did not say (held-out round 10: three helpers wrote the three
    lists apart, in different languages, and all are read; folding them into one file is left to do)."""
    if asks_how_to_send_photo(text, language):
        # "how do I attach a photo here?": its "here" asks where to send it; nothing is attached yet (round 15, sv).
        return False
    if _photo_elsewhere(normalise(text), own_then_english(language), "given") or mentions(
        "photo_sent.yml", text, language
    ):
        return True
    return photo_said(text, language) == "has" and _says(
        text, language, lambda lang: word_patterns("photo_given.yml").get(lang, [])
    )


def names_person(text: str, language: str | None) -> bool:
    """Does the message name a person to talk to ("a human", "your manager", "кто-нибудь")? In the buyer's language
    or English (data/answers/person_words.yml)."""
    return mentions("person_words.yml", text, language)


def _yes_no() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("yes_no.yml", ("yes_if", "ack", "no", "yes", "particle"))


_SEGMENT = re.compile(r"[^.!?;\n]+")
_SENTENCE_END = re.compile(r"(?<=[.!?\n])")  # splits after a sentence's closing mark, keeping it


def without_sign_off(text: str, language: str | None) -> str:
    """The message without the closing formula it ends with, and the name after it ("Very well, I accept. Kind
    regards, M. Smith"): the patterns that want a yes at the message's end ("... i accept$") never saw it (held-out
    round 9, letters). The formulas are data/answers/sign_off.yml's (signs_off). Trailing capitalised words alone
    are no sign-off ("Thanks, OK"); a message that is nothing but a sign-off is kept whole."""
    spans = [m.span() for m in _SEGMENT.finditer(text) if m.group().strip()]
    kept, formula = list(spans), False
    while len(kept) > 1 and signs_off(piece := text[slice(*kept[-1])], language):
        formula = formula or _closes(piece.strip().strip(",.!-–— "), language)
        kept.pop()
    return text[: kept[-1][1]] if formula else text


# A passage in quotation marks, with the marks of surprise after it: the buyer quoting the bot's words back
# ('"a new lamp"?? no, only the glass'). Straight, curly, low-high and angle quotes; not the apostrophe, which is part
# of words ("don't", "t'ju").
_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb'
_QUOTED = re.compile(rf"[{_QUOTES}][^{_QUOTES}\n]{{1,200}}[{_QUOTES}][?!.\s]*")


def unquoted(text: str) -> str:
    """The buyer's own words: the message without the passages it quotes ('"a refund of 12.50"?? it cost 25'). A
    message that is nothing but a quotation is kept whole."""
    rest = _QUOTED.sub(" ", text).strip()
    return rest or text


def yes_no(text: str, language: str | None) -> YesNo | None:
    """A plain yes or no to a yes/no question, in the buyer's language or English; None when the message says
    neither. "no" is tried first: "no thanks, that's fine" declines; only a yes with a condition ("ok, but only if
    ...", `yes_if`) comes before it, whatever "no" its condition holds. A letter's closing and
    signature are not read (without_sign_off), nor a passage the buyer quotes (unquoted): the offer's words echoed at
    the head of the answer hid the "no" after them, whose patterns want it first, and the classifier's yes confirmed
    the remedy turned down (held-out round 15, sq: '"a new lamp"?? NO, only the glass')."""
    said = normalise(without_sign_off(unquoted(text), language))
    for lang in own_then_english(language):
        kinds = _yes_no().get(lang)
        if not kinds:
            continue
        read = read_as(said, lang)
        if any(p.search(read) for p in kinds.get("yes_if", [])):
            return "yes"
        if any(p.search(x) for x in _after_ack(read, kinds) for p in kinds.get("no", [])):
            return "no"
        hits = [m for p in kinds.get("yes", []) for m in p.finditer(read)]
        if hits:
            # "non va bene", "pas d'accord", "не согласна", "det funkar inte": a yes phrase turned by a negation in
            # its own clause is a no. Read as a yes, an Italian "what came is not all right" answered "shall we stop
            # writing?" and the buyer was opted out (round 2's set, replayed in session 25).
            return "yes" if any(not _negated_yes(read, m, lang) for m in hits) else "no"
        if any(p.search(said) for p in kinds.get("particle", [])):
            break  # Polish "no to ..." (well, so ...) is no English "no" (data/answers/yes_no.yml: particle)
    # A grudging yes after a grumble, in the last sentence: "only 10, hm. ok, better than nothing, send it", "10%? I
    # said 20... oh fine, I'll take it" (held-out round 10: not understood). No "no" anywhere in the message (above).
    last = _LAST_SENTENCE.search(said)
    if last and last.start() > 0:
        tail = last.group(1)
        for lang in own_then_english(language):
            read = read_as(tail, lang)
            hits = [m for p in (_yes_no().get(lang) or {}).get("yes", []) for m in p.finditer(read)]
            if any(not _negated_yes(read, m, lang) for m in hits):
                return "yes"
    return None


def _after_ack(read: str, kinds: dict[str, list[re.Pattern[str]]]) -> tuple[str, ...]:
    """The message, and the message without the acknowledgement it opens with ("ok, no, thanks", "hm, okay. no",
    "ок, не надо"; data/answers/yes_no.yml `ack`): the "no" patterns want the refusal first, and the "ok" in front of
    it made the declined offer a yes."""
    for p in kinds.get("ack", []):
        if m := p.match(read):
            return read, read[m.end() :].lstrip()
    return (read,)


# Negations said after the verb they turn, in the languages that put them there ("det funkar inte", "das passt nicht").
_NEGATION_AFTER = frozenset({"inte", "ej", "nicht"})
_CLAUSE_MARK = re.compile(r"[,.;:!?\n]")


def _negated_yes(read: str, m: re.Match[str], language: str) -> bool:
    """Whether a yes phrase is turned by a negation in its own clause: among the two words before it ("non va bene",
    "no estoy de acuerdo", "nuk jam dakord"), or just after it where the language puts it ("det funkar inte")."""
    plain = plain_words(language)
    before = [normalise(w) for w in _WORD.findall(_CLAUSE_MARK.split(read[: m.start()])[-1])][-2:]
    if any(w in _negations() and w not in plain for w in before):
        return True
    after = [normalise(w) for w in _WORD.findall(_CLAUSE_MARK.split(read[m.end() :])[0])][:1]
    return bool(after) and after[0] in _NEGATION_AFTER


# The last sentence of a message: after the last . ! ? or ellipsis followed by a space.
_LAST_SENTENCE = re.compile(r"(?:[.!?\u2026]+\s+)([^.!?\u2026]+[.!?\u2026]*)\s*$")


def _haggle() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("haggle.yml", ("more",))


def asks_for_more(text: str, language: str | None) -> bool:
    """Does the message ask for a bit more than the money offered ("a bit more?", "geht da noch was?")? A
    counter-offer (data/answers/haggle.yml), read in the buyer's language and in English (issue 19.3)."""
    return _says(text, language, lambda lang: _haggle().get(lang, {}).get("more", []))


def _offer_talk() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("offer_talk.yml", ("next", "understood", "fillers", "waiting", "amount"))


def waits_for_offer(text: str, language: str | None) -> bool:
    """Does the buyer say they will wait for what was offered ("czekam na zwrot", "жду крышку", "I'll wait for
    it")? Said to an offer, with no question, it is a yes (data/answers/offer_talk.yml: waiting)."""
    return "?" not in text and _says(text, language, lambda lang: _offer_talk().get(lang, {}).get("waiting", []))


def asks_what_next(text: str, language: str | None) -> bool:
    """Does the buyer ask what happens now ("a co dál?", "und jetzt?", "what happens now?")? Said to an offer, it
    is told the offer again (data/answers/offer_talk.yml: next)."""
    return _says(text, language, lambda lang: _offer_talk().get(lang, {}).get("next", []))


def asks_offer_amount(text: str, language: str | None) -> bool:
    """Does the buyer ask how much the offer on the table comes to ("how much would that be?", "ça ferait combien ?",
    "сколько это выходит?")? The offer names its amount: it is told again, or confirmed beside a yes
    (data/answers/offer_talk.yml: amount)."""
    return _says(text, language, lambda lang: _offer_talk().get(lang, {}).get("amount", []))


_NOTHING_LEFT = re.compile(r"[\W_]+")


def only_understood(text: str, language: str | None) -> bool:
    """Is the message only "I understand" ("jasně, rozumím", "ok, verstehe", "понятно")? It acknowledges what the
    bot said and accepts nothing (data/answers/offer_talk.yml: understood, with fillers only beside it)."""
    said = normalise(text)
    for lang in own_then_english(language):
        kinds = _offer_talk().get(lang)
        if not kinds or not any(p.search(said) for p in kinds["understood"]):
            continue
        rest = said
        for p in kinds["understood"] + kinds["fillers"]:
            rest = p.sub(" ", rest)
        if not _NOTHING_LEFT.sub("", rest):
            return True
    return False


AmountRole = Literal["price", "ask"]
# Where a clause about a sum ends: a punctuation mark ("it cost 80 EUR, I want 20 EUR back"). Its own name: the
# wish readers above split clauses at a dash too, and one module-level name served both after a merge.
_SUM_CLAUSE_END = re.compile(r"[.,;:!?\n]")


def _amount_cues() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return _kinds_of("amounts.yml", ("price", "price_after", "ask", "either", "percent", "received", "half"))


@lru_cache(maxsize=1)
def _share_words() -> dict[str, tuple[re.Pattern[str] | None, dict[str, int], list[tuple[int, re.Pattern[str]]]]]:
    """data/answers/share_words.yml: per language, a pattern of its number words with their values, its patterns
    for "half (a third, a quarter) of it back" with their shares, and its extra percent patterns (share 0: read
    from the first group)."""
    out = {}
    for lang, kinds in answers_file("share_words.yml").items():
        numbers = {normalise(str(w)): int(n) for w, n in (kinds.get("numbers") or {}).items()}
        longest_first = sorted(numbers, key=len, reverse=True)
        words = re.compile(rf"\b({'|'.join(map(re.escape, longest_first))})\b") if numbers else None
        shares = [(int(n), p) for n, ps in (kinds.get("fractions") or {}).items() for p in compile_patterns(ps)]
        shares += [(0, p) for p in compile_patterns(kinds.get("percent", []))]
        out[lang] = (words, numbers, shares)
    return out


def percent_asked(text: str, language: str | None) -> int | None:
    """The share of the price a message names ("so 40 prozent?", "un 40%?", "30 percent back", "tjugo procent",
    "rivoglio metà"), 1-99, from data/answers/amounts.yml `percent` and share_words.yml; the last one named (a
    correction comes last), None when it names none."""
    said = normalise(text)
    for lang in own_then_english(language):
        words, numbers, fractions = _share_words().get(lang, (None, {}, []))
        read = words.sub(lambda m, n=numbers: str(n[m.group(1)]), said) if words is not None else said
        cues = _amount_cues().get(lang, {})
        found = [(m.start(), int(m.group(1))) for p in cues.get("percent", []) for m in p.finditer(read)]
        found += [(m.start(), share or int(m.group(1))) for share, p in fractions for m in p.finditer(read)]
        # Half the price asked in words ("die Hälfte zurück", "půlku", "половину"): a share of 50 (round 14, b14).
        found += [(m.start(), 50) for p in cues.get("half", []) for m in p.finditer(read)]
        shares = [(at, n) for at, n in found if 0 < n < 100]
        if shares:
            return max(shares, key=lambda share: share[0])[1]  # the last named: a correction comes last
    return None


# A dash or a slash alone between two sums joins them as alternatives in every language ("20-30 €", "20/30 zł").
_SUM_DASH = re.compile(r"[-–—/]")


def sums_joined(between: str, language: str | None) -> bool:
    """Whether the words between two sums offer them as alternatives, from data/answers/amounts.yml `either`: "20
    or 30 EUR", "20 bis 30 €", "20 czy 30 zł", or a dash or slash alone ("20-30 €"). `between` is all the text
    between the two numbers (a currency said after the first one included)."""
    said = normalise(between).strip(" ,")
    if _SUM_DASH.fullmatch(said):
        return True
    return any(
        p.search(said) for lang in own_then_english(language) for p in _amount_cues().get(lang, {}).get("either", [])
    )


def _last_cue(said: str, patterns: list[re.Pattern[str]]) -> int:
    """Where the last match of any pattern ends in `said`, -1 when none matches."""
    return max((m.end() for p in patterns for m in p.finditer(said)), default=-1)


def amount_role(before: str, after: str, language: str | None) -> AmountRole | None:
    """What a sum is in the buyer's message, from the words of its clause (data/answers/amounts.yml): a `price`
    ("it cost 80 EUR", "my 45 EUR order"), an `ask` ("I want 20 EUR back"), or None when its clause says neither.
    `before` is the clause up to the sum (from the last punctuation mark or the sum before it), `after` the words
    after it up to the next. The cue before the sum nearest to it decides; then the words after it."""
    before = normalise(_SUM_CLAUSE_END.split(before)[-1])
    after = normalise(_SUM_CLAUSE_END.split(after)[0])
    received = (p for lang in own_then_english(language) for p in _amount_cues().get(lang, {}).get("received", []))
    if any(p.search(before) for p in received):
        return "price"  # a sum the buyer already got ("they sent me a 5 euro voucher") is not what they ask for
    price = ask = -1
    price_after = ask_after = False
    for lang in own_then_english(language):
        cues = _amount_cues().get(lang, {})
        price = max(price, _last_cue(before, cues.get("price", [])))
        ask = max(ask, _last_cue(before, cues.get("ask", [])))
        price_after = price_after or any(p.search(after) for p in cues.get("price_after", []))
        ask_after = ask_after or any(p.search(after) for p in cues.get("ask", []))
    if price >= 0 or ask >= 0:
        # A tie is a price cue running to the sum over an ask word: "мені дали знижку 5 євро" (they gave me a 5 EUR
        # discount) names what was given, not what is asked (data/answers/amounts.yml, round 9).
        return "price" if price >= ask and price >= 0 else "ask"
    if price_after:
        return "price"
    return "ask" if ask_after else None


# The commas and dashes a removed place leaves in front of what follows it ("pervyi variant, da" -> "da").
_LEADING_MARKS = re.compile(r"^[\W_]+")


def _positions() -> dict[str, list[re.Pattern[str]]]:
    return {lang: kinds["position"] for lang, kinds in _kinds_of("positions.yml", ("position",)).items()}


def position_rest(text: str, language: str | None) -> str | None:
    """A choice said by its place ("2", "the second one", "pervyi variant", data/answers/positions.yml): the rest of
    the message without it, normalised, for a yes beside it ("pervyi variant, da") to be read alone; None when the
    message names no place. In the buyer's language, then English (a bare number)."""
    said = normalise(text)
    for lang in own_then_english(language):
        read = read_as(said, lang)
        for p in _positions().get(lang, []):
            found = p.search(read)
            if found:
                return _LEADING_MARKS.sub("", f"{read[: found.start()]} {read[found.end() :]}").strip()
    return None
