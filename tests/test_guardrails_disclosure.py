"""A message may not deny being automated or claim to be a person (EU AI Act Art. 50, PLAYBOOK rule 2).

The disclosure check only looked for the words ("bot", "assistant"), so a first contact saying "a real
person, not a bot" passed it: the issue-20 audit (docs/SECURITY.md, row D) wrote two such drafts per language
and all fourteen were accepted. guardrails.yml's `forbidden` patterns now refuse a negated disclosure word and
a first-person claim to be human, in every message and on the send path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.policy.guardrails import check_outgoing
from bot.policy.validate import validate_policies
from tests.conftest import ROOT

# Per language: a draft that keeps the disclosure word but negates it, and one that claims to be a person.
DENIALS = {
    "en": [
        "Hi, I'm Laura from the {shop_name} team, a real person, not a bot. A colleague can take over any time.",
        "This is {shop_name}; I'm handling this myself, no assistant in between. A colleague can take over any time.",
    ],
    "pl": [
        "Dzień dobry, jestem prawdziwą osobą z zespołu {shop_name}, a nie botem. Konsultant może przejąć rozmowę.",
        "Tu {shop_name}. Zajmuję się sprawą osobiście, bez żadnego asystenta. Konsultant może przejąć rozmowę.",
    ],
    "sv": [
        "Hej, jag heter Karin och är en riktig person på {shop_name}, ingen bot. En kollega kan ta över.",
        "Det här är {shop_name}. Jag sköter ärendet själv, utan assistent. En person kan ta över när som helst.",
    ],
    "ru": [
        "Здравствуйте, я живой сотрудник {shop_name}, а не бот. Коллега может подключиться в любой момент.",
        "Это {shop_name}. Я занимаюсь вашим вопросом лично, без ассистентов. Специалист может подключиться.",
    ],
    "sq": [
        "Përshëndetje, jam Arta, një person i vërtetë nga ekipi i {shop_name}, jo bot. Një koleg mund ta marrë.",
        "Ky është {shop_name}. Merrem vetë me rastin, pa asnjë asistent. Dikush nga ekipi mund ta marrë.",
    ],
    "de": [
        "Hallo, ich bin Jana, ein echter Mensch aus dem Team von {shop_name}, kein Bot. Ein Kollege kann übernehmen.",
        "Hier ist {shop_name}. Ich kümmere mich selbst darum, ganz ohne Assistent. Ein Mitarbeiter kann übernehmen.",
    ],
    "uk": [
        "Вітаю, я справжня людина з команди {shop_name}, а не бот. Колега може підключитися будь-коли.",
        "Це {shop_name}. Я особисто займаюся вашим питанням, без асистентів. Фахівець може підключитися.",
    ],
}

# Sentences near the pattern that say nothing false about who writes (the first two are shipped messages).
FINE = [
    ("ru", "Сейчас Вам нужен не автоматический ответ. Я передаю разговор сотруднику команды."),
    ("uk", "Зараз Вам потрібна не автоматична відповідь. Я передаю розмову співробітникові команди."),
    ("en", "No problem, the assistant will keep the photos with your case."),
    ("en", "I'm the automated assistant, and a real person from our team can take over at any time."),
    ("de", "Ein echter Mensch aus unserem Team kann jederzeit übernehmen; ich bin der automatische Assistent."),
    ("pl", "Nie martw się, asystent zapisze zdjęcia przy sprawie."),
]


def _with_first_contact(tmp_path: Path, lang: str, text: str) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", root)
    path = root / "messages" / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["messages"]["first_contact"] = [text + "\n{team_signature}"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize(("lang", "text"), [(lang, t) for lang, texts in DENIALS.items() for t in texts])
def test_a_first_contact_that_denies_being_a_bot_is_refused(tmp_path: Path, lang: str, text: str) -> None:
    issues = [i for i in validate_policies(_with_first_contact(tmp_path, lang, text)) if "first_contact" in i.message]
    assert any("EU AI Act Art. 50" in i.message for i in issues), (lang, text, issues)


@pytest.mark.parametrize(("lang", "text"), [(lang, t) for lang, texts in DENIALS.items() for t in texts])
def test_the_send_path_refuses_a_denial(lang: str, text: str) -> None:
    assert check_outgoing(text.replace("{shop_name}", "Nordlys"), lang), (lang, text)


@pytest.mark.parametrize(("lang", "text"), FINE)
def test_messages_that_only_sound_alike_pass(lang: str, text: str) -> None:
    assert check_outgoing(text, lang) == [], (lang, text)
