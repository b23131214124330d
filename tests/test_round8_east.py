"""Rules from the held-out buyer personas, round 8 (east). Every sentence here was written for the test, apart from
the set (data/eval/buyers_heldout7): never an eval sentence or a paraphrase of one. Real NLU, real data files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.understanding.nlu import NLU, load_nlu
from bot.understanding.opt_out import default_rules, is_clear_opt_out

DATA = Path(__file__).resolve().parents[1] / "data"
FLOOR = float(yaml.safe_load((DATA.parent / "policies" / "conversation.yml").read_text())["opt_out_min_confidence"])


@pytest.fixture(scope="module")
def nlu(cache_dir: Path) -> NLU:
    return load_nlu(cache_dir, DATA)


def stops(nlu: NLU, text: str, language: str) -> bool:
    r = nlu.parse(text, fallback_language=language)
    return is_clear_opt_out(text, r.intent, r.confidence, FLOOR, sentences=r.sentences)


# --- "don't write me <what>": an objection to the words, not a request to stop --------------------------------

NOT_TO_WRITE = [
    ("cs", "nepište mi sem ty vaše šablony, řekněte mi radši, kdy dostanu peníze"),
    ("pl", "nie piszcie mi tu wymówek o kurierze, chcę wiedzieć kiedy będzie zwrot"),
    ("ru", "не пишите мне эти отписки, скажите прямо, когда вернёте деньги"),
    ("uk", "не пишіть мені ці шаблонні відписки, скажіть, коли буде заміна"),
    ("en", "don't write me these template excuses, just tell me what happens next"),
]


@pytest.mark.parametrize(("language", "text"), NOT_TO_WRITE)
def test_telling_us_what_not_to_write_is_no_opt_out(nlu: NLU, language: str, text: str) -> None:
    """ "nepište mi ... omluvné fráze, chci vědět, co s tím uděláte" stopped a buyer with a rude phone line in her
    first reply (held-out round 8): the words she objects to follow the phrase, in its clause."""
    assert not default_rules().has_phrase(text)
    assert not stops(nlu, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "nepište mi už, vaše omluvy mě nezajímají"),
        ("pl", "przestańcie do mnie pisać, żadnych przeprosin już nie chcę"),
        ("ru", "не пишите мне больше. извинения ваши не нужны"),
        ("en", "stop writing to me, your apologies mean nothing"),
    ],
)
def test_a_request_to_stop_beside_a_refused_apology_still_stops(language: str, text: str) -> None:
    """The object must be in the phrase's own clause: after a comma or a full stop it is another sentence, and the
    request stands."""
    assert default_rules().has_phrase(text)


# --- plugs and sockets: "kontakt" is the wall socket in Polish ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "odkurzacz gaśnie po chwili, pomaga tylko wyjęcie go z kontaktu na parę minut"),
        ("pl", "podłączyłem czajnik do kontaktu w kuchni i od razu wywaliło korki"),
        ("cs", "jakmile to zapojím do zásuvky, vyhodí to jistič"),
        ("ru", "как только втыкаю вилку в розетку, выбивает пробки"),
        ("uk", "щойно вмикаю в розетку, вибиває пробки"),
    ],
)
def test_a_fault_told_with_the_socket_is_no_opt_out(nlu: NLU, language: str, text: str) -> None:
    """ "... trzeba wyciągać z kontaktu" (you have to pull it out of the socket) read as opt_out at 0.64 and ended a
    defect case (held-out round 8): the only Polish training lines with "kontakt" asked to stop contact."""
    assert not stops(nlu, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "nie kontaktujcie się ze mną więcej w tej sprawie"),
        ("pl", "rezygnuję z jakiegokolwiek kontaktu z waszym sklepem"),
    ],
)
def test_contact_refused_in_polish_still_stops(nlu: NLU, language: str, text: str) -> None:
    assert stops(nlu, text, language)
