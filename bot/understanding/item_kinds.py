"""What buyers call kinds of product, in every catalogue language (data/items.yml, issue 18).

The catalogue names items in English; buyers name them in their own words ("der Reiskocher", "kaffekvarnen").
The NLU's item lookup in data/nlu.yml covers the products its training sentences talk about; this file
covers the rest of what a shop like ours sells. It is vocabulary, not training data: it is read when the
NLU is built and is not part of the model's hash, so editing it retrains nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ITEMS_FILE = "items.yml"
SIZES_FILE = "item_sizes.yml"  # size words that tell two lines of one product apart (same format)


@lru_cache(maxsize=8)
def read_item_kinds(path: Path) -> dict[str, list[str]]:
    """kind -> phrases. A missing file is no vocabulary (a shop's own data folder may not have one); a
    malformed one raises ValueError naming the file, the kind and the fix."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of kind -> list of phrases, e.g. 'blender: [blender, mixeur]'")
    kinds: dict[str, list[str]] = {}
    for kind, phrases in data.items():
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ValueError(f"{path}: {kind}: give a non-empty list of phrases (strings), the English one first")
        kinds[str(kind)] = [p.strip() for p in phrases]
    return kinds
