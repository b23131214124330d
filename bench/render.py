"""What rendering one bot message costs: the message catalogue's `render` (template choice, variables, guard
rails), per language, best of several rounds.

    .venv/bin/python bench/render.py [--renders 2000] [--rounds 5]

Prints microseconds per render for each language's partial-refund offer (the longest template with the most
variables). This was a timed test (tests/test_nlg.py: test_render_is_fast, under 20 µs); a timed test fails on
a busy host and measures nothing a user meets, so the figure lives here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.policy.messages import load_catalog  # noqa: E402

VARIABLES = {
    "buyer_name": "Alex",
    "shop_name": "Nordlys",
    "item": "Fjord 2 tent",
    "order_id": "NL-10042",
    "problem": "damaged",
    "remedy": "refund_partial",
    "amount": "15.00 EUR",
    "policy_quote": "Items damaged in transit are replaced or refunded.",
    "policy_source": "https://nordlys.example/returns",
    "team_signature": "— Nordlys",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "policies" / "messages", ROOT / "policies" / "guardrails.yml")
    for language in sorted(p.stem for p in (ROOT / "policies" / "messages").glob("*.yml")):
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            for seed in range(args.renders):
                catalog.render("propose_remedy", language, VARIABLES, sub="refund_partial", seed=seed)
            best = min(best, (time.perf_counter() - start) / args.renders)
        print(f"{language}  {best * 1e6:6.1f} µs per render")


if __name__ == "__main__":
    main()
