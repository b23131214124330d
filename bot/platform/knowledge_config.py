"""Settings of the knowledge base (embedded in config.yml as `knowledge:`).

Kept apart from bot/platform/config.py so the knowledge code and its CLI can run with plain defaults while the
deployment config is absent or being reworked, and so the config owner only embeds one model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Offline models that ship inside a registry package. The default is the winner of
# bench/embeddings_eval.py: the only multilingual one, and buyers write in many languages.
OfflineProvider = Literal["use-multilingual-v3", "all-minilm-l6-v2"]
DEFAULT_PROVIDER: OfflineProvider = "use-multilingual-v3"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersistentStoreSettings(_Strict):
    """Embedded Chroma in a local directory: the one-machine default."""

    mode: Literal["persistent"] = "persistent"
    path: Path = Path("var/chroma")


class HttpStoreSettings(_Strict):
    """A Chroma server (`chroma run`), shared by N stateless workers."""

    mode: Literal["http"]
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    ssl: bool = False
    # Names of environment variables whose values become HTTP headers (e.g. an auth token), so no
    # secret is ever written into config.yml.
    headers_env: dict[str, str] = {}


StoreSettings = Annotated[PersistentStoreSettings | HttpStoreSettings, Field(discriminator="mode")]


class EmbeddingsSettings(_Strict):
    """Which embedding model turns text into vectors.

    `provider: langchain` loads any langchain `Embeddings` class by dotted path, e.g.
    `class_path: langchain_openai.OpenAIEmbeddings` with `kwargs: {model: text-embedding-3-small}`.
    """

    provider: OfflineProvider | Literal["langchain"] = DEFAULT_PROVIDER
    class_path: str | None = None
    kwargs: dict[str, Any] = {}

    @model_validator(mode="after")
    def _class_path_only_for_langchain(self) -> EmbeddingsSettings:
        if self.provider == "langchain" and not self.class_path:
            raise ValueError("embeddings.class_path is required when provider is 'langchain'")
        if self.provider != "langchain" and self.class_path:
            raise ValueError("embeddings.class_path is only used with provider 'langchain'")
        return self

    def identity(self) -> str:
        """A stable name for the vector space; vectors from different models must never mix."""
        if self.provider == "langchain":
            model = self.kwargs.get("model") or self.kwargs.get("model_name") or ""
            return f"langchain:{self.class_path}:{model}"
        return self.provider


class KnowledgeSettings(_Strict):
    knowledge_dir: Path = Path("knowledge")
    # Part of the Chroma collection name, so restricted to the characters Chroma allows.
    shop_id: str = Field("demo", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?$")
    store: StoreSettings = PersistentStoreSettings()
    # Chroma's naming rule (3-63 characters once "-<shop_id>" is appended), checked here so a bad
    # name fails at start with the field named.
    collection: str = Field("knowledge", min_length=3, max_length=20, pattern=r"^[A-Za-z0-9][\w.-]*[A-Za-z0-9]$")
    embeddings: EmbeddingsSettings = EmbeddingsSettings()
    # Share of the lexical (TF-IDF) score in the fused ranking; 0 = vector only, 1 = lexical only.
    # 0.2 gave the best recall on data/retrieval/questions.yml (bench/embeddings_eval.py): recall@3
    # 0.81 -> 0.89 over vector only, mostly on Swedish and Albanian, which USE does not cover.
    hybrid_weight: float = Field(0.2, ge=0.0, le=1.0)
    # Sections longer than this (characters) are split again so each chunk stays quotable.
    chunk_size: int = Field(1200, ge=200, le=8000)
    chunk_overlap: int = Field(150, ge=0, le=2000)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> KnowledgeSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("knowledge.chunk_overlap must be smaller than knowledge.chunk_size")
        return self
