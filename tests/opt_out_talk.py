"""Whether a message stops contact at once, decided as the flow decides it (bot/conversation/flow.py:
on_buyer_message): the trained classifier's reading, the policy's floor (policies/conversation.yml
opt_out_min_confidence), the message's sentences and opt_out's own probability when another intent came first.
The round tests that check a request to stop said in new words (and its look-alikes) share it."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.understanding.nlu import NLU
from bot.understanding.opt_out import is_clear_opt_out

FLOOR = float(
    yaml.safe_load((Path(__file__).resolve().parents[1] / "policies" / "conversation.yml").read_text())[
        "opt_out_min_confidence"
    ]
)


def opts_out(nlu: NLU, text: str, language: str) -> bool:
    r = nlu.parse(text, fallback_language=language)
    return is_clear_opt_out(
        text, r.intent, r.confidence, FLOOR, sentences=r.sentences, opt_out_p=dict(r.ranking).get("opt_out")
    )
