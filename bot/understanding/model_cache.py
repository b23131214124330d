"""Trained models cached on disk by the hash of what they were trained from, and memoised per process.

Both models (triage, NLU) train in seconds from `data/`, so nothing is downloaded: the first start trains
and writes the cache, later starts load it, and any change to the data or the model code retrains.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import joblib

T = TypeVar("T")

_loaded: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def cached_model(
    name: str,
    digest: str,
    cache_dir: Path,
    model_type: type[T],
    train: Callable[[], T],
    wrap: Callable[[T], Any] = lambda model: model,
) -> Any:
    """The model `name` for `digest`: from memory, else from `cache_dir`, else trained and written there.
    `wrap` builds the object callers use from the stored model; that object is what is memoised."""
    key = (name, digest)
    with _lock:  # concurrent first requests train once
        if key in _loaded:
            return _loaded[key]
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = cache_dir / f"{name}-{digest[:24]}.joblib"
        model = None
        if path.exists():
            try:
                model = joblib.load(path)
            except Exception:  # a truncated or foreign file is rebuilt, not fatal
                model = None
        if not isinstance(model, model_type) or getattr(model, "data_hash", digest) != digest:
            model = train()
            # Write-then-rename: another worker process never sees a half-written file.
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
            os.close(fd)
            joblib.dump(model, tmp)
            os.replace(tmp, path)
        _loaded[key] = wrap(model)
        return _loaded[key]
