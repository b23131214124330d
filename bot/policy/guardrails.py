"""PLAYBOOK guard rails on a draft policy that no edit of policies/ can switch off.

Most rules are enforced where their data is parsed, and `validate_policies` runs them all:
  - a template offering anything for changing or deleting a review, or asking for deletion: the
    `forbidden` patterns of guardrails.yml (bot/nlg.py), per language (PLAYBOOK rule 10);
  - a first contact without the automation disclosure or the human takeover (bot/nlg.py; rule 2);
  - the review mentioned before resolution, i.e. outside ask_revision / remind_revision (bot/nlg.py; rule 10);
  - a money remedy with no limit (bot/remedies.py; rule 7);
  - quiet hours in mediation.yml that let messages out at night (bot/mediation_policy.py; rule 11).

But guardrails.yml is itself an admin-edited file, and other features add files of their own (e.g.
channels.yml). So this module adds a floor that lives in code:
  - every language with messages keeps its disclosure words and at least one forbidden pattern;
  - every message (and the team signature, which ends the first message) is checked against a few
    built-in patterns for review gating and deletion requests, whatever guardrails.yml says;
  - any `quiet_hours` anywhere in any file (say, per channel for SMS) covers the night, and no switch
    turns quiet hours off;
  - the revision ask waits for resolution: the conversation's timers cannot ask before the follow-up.
  - every message is also read for its meaning by a model trained from hand-written drafts
    (bot/policy/draft_meaning.py, data/guardrails/): word lists miss "We would be so happy if that post
    went away". A message fails if the word lists or the model flag it, with one issue per message.

`check_outgoing` applies the same rule-10 checks to one message about to be sent (the send path).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Sequence
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.platform.durations import parse_duration
from bot.platform.yaml_lines import Loc, PolicyFileError, PolicyIssue, line_for, load_yaml_with_lines, safe_data
from bot.policy import draft_meaning

# Built-in, language-independent floor (English; each language's own patterns live in guardrails.yml).
_REVIEW = r"(reviews?|ratings?|feedback|stars?)"
BUILT_IN_FORBIDDEN: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(rf"\b(delet|remov|take down|withdraw)\w*\b[^.!?\n]{{0,30}}\b{_REVIEW}\b", re.I),
        "asks the buyer to delete the review (FTC 16 CFR 465.7; PLAYBOOK rule 10)",
    ),
    (
        re.compile(
            rf"\b(refund|coupon|discount|voucher|gift|credit|compensation|reward)\w*\b[^.!?\n]{{0,80}}"
            rf"\b(if|once|when|after|in return|in exchange)\b[^.!?\n]{{0,60}}"
            rf"\b(chang|delet|remov|updat|edit|revis|improv|rais)\w*[^.!?\n]{{0,30}}\b{_REVIEW}\b",
            re.I,
        ),
        "offers something for changing or deleting the review (FTC 16 CFR 465.4; PLAYBOOK rule 10)",
    ),
    (
        re.compile(rf"\b(in exchange|in return) for\b[^.!?\n]{{0,60}}\b{_REVIEW}\b", re.I),
        "offers something in exchange for a review (FTC 16 CFR 465.4; PLAYBOOK rule 10)",
    ),
]
SHIPPED_RAILS = Path(__file__).resolve().parents[2] / "policies" / "guardrails.yml"
_FIX = (
    "rewrite it so nothing is offered for, depends on or presses for a changed review; "
    "only ask_revision may mention the review, neutrally, with {edit_url}"
)
NIGHT = [time(h) for h in (22, 23, 0, 1, 2, 3, 4, 5, 6)]
# Switches that would let the bot write at night, under any name a feature might give them.
_QUIET_OFF = re.compile(r"^(ignore|skip|bypass|disable)_quiet_hours$|^(send|sms|messages?)_at_night$")


# A message file's rule-10 issues, by (file name, its text's digest, guardrails.yml's digest). Checking the eleven
# message files is most of a draft's check (about 20 s here: ~90 rail patterns and the meaning model over ~3,700
# strings); an admin's draft changes one of them between two checks, so the other ten are read from here.
_checked_messages: dict[tuple[str, str, str], list[PolicyIssue]] = {}
_CHECKED_MESSAGES_KEPT = 64


def check_folder(root: Path) -> list[PolicyIssue]:
    """Every floor guard rail broken by the policy files under `root` (paths as given)."""
    parsed: dict[str, tuple[Any, _Lines]] = {}
    digests: dict[str, str] = {}
    for path in sorted(root.rglob("*.yml")):
        try:
            text = path.read_text(encoding="utf-8")
            name = path.relative_to(root).as_posix()
            parsed[name] = (safe_data(text, str(path)), _Lines(text))
            digests[name] = hashlib.sha256(text.encode()).hexdigest()
        except (yaml.YAMLError, PolicyFileError, OSError, UnicodeDecodeError):
            continue  # the file's own validator reports why it does not parse
    issues: list[PolicyIssue] = []
    rails = rails_patterns(parsed["guardrails.yml"][0]) if "guardrails.yml" in parsed else []
    for name, (data, lines) in parsed.items():
        file = str(root / name)
        if name.startswith("messages/"):
            key = (name, digests[name], digests.get("guardrails.yml", ""))
            if key not in _checked_messages:
                _checked_messages[key] = _messages(name, data, lines, rails)
                while len(_checked_messages) > _CHECKED_MESSAGES_KEPT:
                    _checked_messages.pop(next(iter(_checked_messages)))
            issues += [dataclasses.replace(issue, file=file) for issue in _checked_messages[key]]
        issues += _quiet_hours(file, data, lines, ())
    if "shop.yml" in parsed:
        data, lines = parsed["shop.yml"]
        for lang, text in ((data or {}).get("team_signature") or {}).items() if isinstance(data, dict) else []:
            issues += _forbidden(
                str(root / "shop.yml"), line_for(lines, ("team_signature", lang)), f"team_signature.{lang}", text
            )
    if "guardrails.yml" in parsed:
        issues += _rails_kept(str(root / "guardrails.yml"), parsed, root)
    if "conversation.yml" in parsed:
        issues += _revision_after_resolution(str(root / "conversation.yml"), *parsed["conversation.yml"])
    return issues


class _Lines(dict[Loc, int]):
    """A file's line map, computed only when an issue needs a line (the fast C parser keeps none)."""

    def __init__(self, text: str):
        super().__init__()
        self._text: str | None = text

    def _fill(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            with contextlib.suppress(PolicyFileError):
                self.update(load_yaml_with_lines(text)[1])

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __getitem__(self, key: Loc) -> int:
        self._fill()
        return super().__getitem__(key)


def _strings(node: Any, loc: Loc) -> list[tuple[Loc, str]]:
    if isinstance(node, str):
        return [(loc, node)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, (*loc, k))]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in _strings(v, (*loc, i))]
    return []


def _forbidden(file: str, line: int, where: str, text: Any) -> list[PolicyIssue]:
    """The built-in word list on a string that is not a message (the team signature)."""
    if not isinstance(text, str):
        return []
    return [
        PolicyIssue(file, line, f"{where}: {why} (found {m.group(0)!r}); guard rail built into Mediator")
        for rx, why in BUILT_IN_FORBIDDEN
        if (m := rx.search(text))
    ]


def rails_patterns(data: Any, lang: str | None = None) -> list[tuple[re.Pattern[str], str]]:
    """The `forbidden` patterns of a parsed guardrails.yml, every language's (bot/policy/messages.py applies
    them all to every message), or with `lang` that language's alone when it has rails (the send path: a
    reply is in one language, and searching all eleven languages' patterns cost 0.7 ms a reply, the
    largest part of a turn's CPU in bench/turn.py); a pattern that does not compile is skipped, its
    validator reports it."""
    out: list[tuple[re.Pattern[str], str]] = []
    languages = data.get("languages") if isinstance(data, dict) else None
    if isinstance(languages, dict) and lang in languages:
        languages = {lang: languages[lang]}
    for rails in (languages or {}).values() if isinstance(languages, dict) else []:
        for rule in (rails or {}).get("forbidden") or [] if isinstance(rails, dict) else []:
            if isinstance(rule, dict) and isinstance(rule.get("pattern"), str):
                with contextlib.suppress(re.error):
                    out.append((re.compile(rule["pattern"], re.I | re.U), str(rule.get("why") or "forbidden")))
    return out


def word_list_reasons(text: str, rails: Sequence[tuple[re.Pattern[str], str]] = ()) -> list[str]:
    """Why the word lists refuse `text`: the built-in floor, then guardrails.yml's patterns; [] when fine."""
    whys = [why for rx, why in BUILT_IN_FORBIDDEN if rx.search(text)]
    whys += [why for rx, why in rails if rx.search(text)]
    return list(dict.fromkeys(whys))


def meaning_reasons(
    texts: list[str], model: draft_meaning.DraftModel | None = None, lang: str | None = None
) -> list[str | None]:
    """Per text, the rule-10 breach the meaning model reads in it, in plain words; None when it reads fine.
    With `lang`, only that language's review words open the gate: the French "Comment souhaitez-vous..." is
    "how", not the English "comment" on a review, and a language the model never saw was refused for it."""
    if lang and lang not in _trained_languages():
        # The model has read no draft in this language: its guesses there refused a compliant Italian
        # reminder. Such a language has the word lists (guardrails.yml) until drafts are written for it.
        return [None for _ in texts]
    model = model or draft_meaning.load_model()
    words = _review_words().get(lang or "")
    if words is None:
        rules = model.broken_rules(texts)
    else:
        about = [bool(words.search(draft_meaning.plain(t))) for t in texts]
        rules = [r if a else None for r, a in zip(model.broken_rules(texts, gate=False), about, strict=True)]
    return [f"{draft_meaning.REASONS[rule]} (PLAYBOOK rule 10)" if rule else None for rule in rules]


@lru_cache(maxsize=1)
def _send_model() -> draft_meaning.DraftModel:
    """The model the send path reads, loaded once per process: `load_model` hashes the training drafts to
    find its cache entry, and doing that for every reply cost about a third of a turn (bench/turn.py)."""
    return draft_meaning.load_model()


@lru_cache(maxsize=1)
def _trained_languages() -> frozenset[str]:
    return frozenset(p.stem for p in (draft_meaning.DEFAULT_DATA_DIR / "train").glob("*.yml"))


@lru_cache(maxsize=1)
def _review_words() -> dict[str, re.Pattern[str]]:
    """Each language's review words alone (data/guardrails/review_words.yml); the model's gate joins them all."""
    path = draft_meaning.DEFAULT_DATA_DIR / draft_meaning.REVIEW_WORDS
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {lang: draft_meaning.review_words_pattern(words) for lang, words in data.items()}


_shipped_rails: dict[tuple[str, float, str], list[tuple[re.Pattern[str], str]]] = {}


def _rails_at(path: Path, lang: str | None = None) -> list[tuple[re.Pattern[str], str]]:
    """guardrails.yml's patterns (`lang`'s, see rails_patterns), read again only when the file changes (the
    send path calls this per reply)."""
    try:
        key = (str(path), path.stat().st_mtime, lang or "")
    except OSError:
        return []
    if key not in _shipped_rails:
        try:
            _shipped_rails[key] = rails_patterns(safe_data(path.read_text(encoding="utf-8"), str(path)), lang)
        except (yaml.YAMLError, PolicyFileError, OSError, UnicodeDecodeError):
            _shipped_rails[key] = []
    return _shipped_rails[key]


def check_outgoing(text: str, lang: str, rails_file: Path | None = None) -> list[str]:
    """Why a message about to be sent breaks PLAYBOOK rule 10, in plain words; [] when it may be sent.

    The word lists (built-in and `rails_file`, the published guardrails.yml, by default the shipped one)
    and the meaning model both read it; either one refuses it. `lang` is the message's language: the
    model reads all seven languages at once, so it only names the language in the reasons."""
    reasons = word_list_reasons(text, _rails_at(rails_file or SHIPPED_RAILS, lang))
    model = _send_model()
    # The model only reads a text that refers to a review (a cheap pattern): the send path calls this for
    # every reply, and most replies never mention the review.
    meaning = meaning_reasons([text], model, lang)[0] if model.about_review(text) else None
    if meaning and not reasons:
        reasons.append(meaning)
    return [f"{why} [{lang}]" for why in reasons]


def _messages(
    file: str, data: Any, lines: dict[Loc, int], rails: list[tuple[re.Pattern[str], str]]
) -> list[PolicyIssue]:
    """One issue per message that breaks rule 10, whichever check (built-in words, meaning) caught it.
    A message guardrails.yml's own patterns catch is reported by bot/policy/messages.py, so not again here."""
    strings = [(loc, t) for loc, t in _strings(data, ()) if isinstance(t, str)]
    # The model reads messages, not the noun phrases (problem_names...) spliced into them: it was trained
    # on whole messages, and a phrase is checked as part of every message it is rendered into.
    is_message = [bool(loc) and loc[0] == "messages" for loc, _ in strings]
    lang = Path(file).stem if Path(file).parent.name == "messages" else None
    read = iter(meaning_reasons([t for (_, t), m in zip(strings, is_message, strict=True) if m], lang=lang))
    issues = []
    for (loc, text), message in zip(strings, is_message, strict=True):
        meaning = next(read) if message else None
        if any(rx.search(text) for rx, _ in rails):
            continue
        whys = word_list_reasons(text)
        if meaning and not any(meaning.split(" (")[0] in w for w in whys):
            whys.append(meaning)
        if whys:
            where = ".".join(map(str, loc))
            issues.append(
                PolicyIssue(
                    file, line_for(lines, loc), f"{where}: {'; '.join(whys)}; {_FIX}; guard rail built into Mediator"
                )
            )
    return issues


def _rails_kept(file: str, parsed: dict[str, tuple[Any, _Lines]], root: Path) -> list[PolicyIssue]:
    data, lines = parsed["guardrails.yml"]
    languages = (data or {}).get("languages") if isinstance(data, dict) else None
    if not isinstance(languages, dict):
        return []  # the schema check names what is missing
    issues = []
    for name in parsed:
        if not name.startswith("messages/"):
            continue
        lang = Path(name).stem
        rails = languages.get(lang)
        if not isinstance(rails, dict):
            continue  # bot/nlg.py asks for the section
        if not rails.get("forbidden"):
            issues.append(
                PolicyIssue(
                    file,
                    line_for(lines, ("languages", lang)),
                    f"languages.{lang}.forbidden: must keep at least one pattern against review gating and "
                    "deletion requests while messages/{lang}.yml exists (PLAYBOOK rule 10)".replace("{lang}", lang),
                )
            )
    return issues


def _covers_night(start: Any, end: Any) -> list[str] | None:
    def parse(v: Any) -> time | None:
        if isinstance(v, int):  # YAML 1.1 reads an unquoted 21:00 as base-60
            return time(v // 60 % 24, v % 60)
        if isinstance(v, str) and re.fullmatch(r"\d{1,2}:\d{2}", v.strip()):
            h, m = v.strip().split(":")
            return time(int(h) % 24, int(m) % 60)
        return None

    a, b = parse(start), parse(end)
    if a is None or b is None:
        return None

    def quiet(t: time) -> bool:
        return a <= t < b if a <= b else (t >= a or t < b)

    return [t.strftime("%H:%M") for t in NIGHT if not quiet(t)]


def _quiet_hours(file: str, node: Any, lines: dict[Loc, int], loc: Loc) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if isinstance(node, dict):
        for key, value in node.items():
            at = (*loc, key)
            path = ".".join(map(str, at))
            if isinstance(key, str) and _QUIET_OFF.match(key) and value is True:
                issues.append(
                    PolicyIssue(
                        file,
                        line_for(lines, at),
                        f"{path}: would send messages (SMS) at night; "
                        "quiet hours always apply (PLAYBOOK rule 11): remove it",
                    )
                )
            if key == "quiet_hours" and value is False:
                issues.append(
                    PolicyIssue(
                        file,
                        line_for(lines, at),
                        f"{path}: quiet hours cannot be switched off "
                        "(PLAYBOOK rule 11): give start and end that cover 22:00-07:00",
                    )
                )
            if key == "quiet_hours" and isinstance(value, dict) and "start" in value and "end" in value:
                uncovered = _covers_night(value["start"], value["end"])
                if uncovered:
                    issues.append(
                        PolicyIssue(
                            file,
                            line_for(lines, at),
                            f"{path}: quiet hours {value['start']}-{value['end']} allow messages (SMS) at night "
                            f"({', '.join(uncovered)} not covered); they must cover 22:00-07:00 (PLAYBOOK rule 11)",
                        )
                    )
            issues += _quiet_hours(file, value, lines, at)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            issues += _quiet_hours(file, item, lines, (*loc, i))
    return issues


def _revision_after_resolution(file: str, data: Any, lines: dict[Loc, int]) -> list[PolicyIssue]:
    """The revision ask comes only after the remedy is delivered and a cool-off (PLAYBOOK rule 10)."""
    timers = (data or {}).get("timers") if isinstance(data, dict) else None
    if not isinstance(timers, dict):
        return []
    issues = []
    for key in ("revision_ask", "ask_revision_before_resolution", "revision_ask_at_stage"):
        if key in timers or key in data:
            at = ("timers", key) if key in timers else (key,)
            issues.append(
                PolicyIssue(
                    file,
                    line_for(lines, at),
                    f"{'.'.join(at)}: the revision ask is only ever sent after "
                    "the remedy is delivered and confirmed (PLAYBOOK rule 10): remove it",
                )
            )
    try:
        ask = parse_duration(timers["revision_ask_after"]) if "revision_ask_after" in timers else None
    except (ValueError, TypeError):
        return issues  # the schema reports the bad duration
    if ask is not None and ask < timedelta(hours=12):
        issues.append(
            PolicyIssue(
                file,
                line_for(lines, ("timers", "revision_ask_after")),
                f"timers.revision_ask_after: {timers['revision_ask_after']} is too soon after the buyer confirms "
                "the fix; the revision ask needs a cool-off of at least 12h (PLAYBOOK rule 10)",
            )
        )
    return issues
