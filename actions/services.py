"""What the actions need besides the tracker: the message catalogue, the shop's identity, routing and the
knowledge base. Built lazily from config.yml, so `python -m rasa_sdk --actions actions` works on its own;
in process, the engine lends its own to each turn with `use_services` (a context variable, not a process
global: a policy preview's engine runs beside live turns and neither sees the other's)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from bot.policy.bundle import current_bundle
from bot.policy.conversation import Routing, load_routing
from bot.policy.messages import MessageCatalog, load_catalog
from bot.policy.shop import ShopPolicy, load_shop_policy


class LazyKnowledge:
    """The knowledge base, opened on first use and indexed then if it is empty.

    Opening Chroma and the embedding model costs a few hundred MB; intake, timers and most turns never
    search, so they should not pay for it."""

    def __init__(self, settings: Any):
        self._settings = settings
        self._base: Any = None
        self._lock = threading.Lock()
        # Cited passages depend only on the indexed documents, so they are kept until the next index.
        self._cited: dict[tuple[str, str, str | None], Any] = {}
        self._searching: dict[tuple[str, str, str | None], threading.Lock] = {}
        # Answers to recent questions: buyers ask the same few things ("how long do I have to return
        # it?"), and a search costs 3-5 ms of CPU. Kept for ANSWER_TTL_SECONDS, so an index built by
        # another process (the CLI) shows within minutes; this process's own index clears them at once.
        self._answers: dict[tuple[str, int, str | None], tuple[float, Any]] = {}

    def get(self) -> Any:
        with self._lock:
            if self._base is None:
                from bot.retrieval.index import get_knowledge_base

                base = get_knowledge_base(self._settings)
                if base.needs_index():
                    base.index()
                self._base = base
            return self._base

    ANSWER_TTL_SECONDS = 300.0
    MAX_ANSWERS = 4096

    def search(self, query: str, k: int = 3, language: str | None = None, about: tuple[str, str] | None = None) -> Any:
        known, found = self.cached_search(query, k, language, about)
        if not known:
            found = self.get().search(query, k, language, about)
            with self._lock:
                if len(self._answers) >= self.MAX_ANSWERS:
                    del self._answers[next(iter(self._answers))]  # the oldest
                self._answers[self._answer_key(query, k, language, about)] = (time.monotonic(), found)
        return found

    @staticmethod
    def _answer_key(
        query: str, k: int, language: str | None, about: tuple[str, str] | None = None
    ) -> tuple[str, int, str | None, tuple[str, str] | None]:
        return (" ".join(query.split()), k, language, about)

    def cached_search(
        self, query: str, k: int = 3, language: str | None = None, about: tuple[str, str] | None = None
    ) -> tuple[bool, Any]:
        hit = self._answers.get(self._answer_key(query, k, language, about))
        if hit is None or time.monotonic() - hit[0] > self.ANSWER_TTL_SECONDS:
            return (False, None)
        return (True, hit[1])

    async def find(self, query: str, k: int, language: str | None, about: tuple[str, str] | None = None) -> Any:
        """`search` for an action: answered from the cache, or off the event loop (Chroma is synchronous).
        `about`: the cited section of the remedy under way (KnowledgeBase.search)."""
        known, found = self.cached_search(query, k, language, about)
        return found if known else await _off_loop(lambda: self.search(query, k, language, about))

    async def cite(self, cite: dict[str, str], language: str | None) -> Any:
        """`cited_passage` for an action, the same way."""
        known, passage = self.cached_citation(cite, language)
        return passage if known else await _off_loop(lambda: self.cited_passage(cite, language))

    def index(self, progress: Any = None) -> Any:
        self._cited.clear()
        self._answers.clear()
        return self.get().index(progress)

    def cited_passage(self, cite: dict[str, str], language: str | None) -> Any:
        """The passage of `cite.source` that best matches its heading, in the buyer's language if the shop
        has that document, else in any language (the shop writes its policy in few languages)."""
        key = self._cite_key(cite, language)
        with self._lock:
            searching = self._searching.setdefault(key, threading.Lock())
        # One search per passage: when a thousand buyers reach their offer at once, one searches and the
        # rest wait for its answer instead of running the same Chroma search each (a stampede after start).
        with searching:
            known, passage = self.cached_citation(cite, language)
            if not known:
                passage = self._cited[key] = self._find_cited(cite, language)
        return passage

    def cached_citation(self, cite: dict[str, str], language: str | None) -> tuple[bool, Any]:
        """(found before, passage): lets a turn skip the thread hop when the search already ran."""
        key = self._cite_key(cite, language)
        return (key in self._cited, self._cited.get(key))

    @staticmethod
    def _cite_key(cite: dict[str, str], language: str | None) -> tuple[str, str, str | None]:
        return (cite["source"], cite["heading"], language)

    def _find_cited(self, cite: dict[str, str], language: str | None) -> Any:
        base = self.get()
        return base.section(cite["source"], cite["heading"], language) or base.section(
            cite["source"], cite["heading"], None
        )


async def _off_loop(fetch: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(fetch)


class ShopKnowledge:
    """Each shop's own knowledge base (shops/<id>/knowledge, its own Chroma collection), opened on first
    use; a shop without one answers from the deployment's. One shop never quotes another's documents."""

    def __init__(self, settings: Any):
        self._settings = settings
        self._bases: dict[str, LazyKnowledge | None] = {}
        self._lock = threading.Lock()

    def for_shop(self, shop_id: str | None, default: LazyKnowledge | None) -> LazyKnowledge | None:
        if shop_id is None:
            return default
        with self._lock:
            if shop_id not in self._bases:
                own = self._settings.knowledge_settings_for(shop_id)
                self._bases[shop_id] = LazyKnowledge(own) if own is not None else None
            return self._bases[shop_id] or default


@dataclass
class Services:
    catalog: MessageCatalog
    shop: ShopPolicy
    routing: Routing
    knowledge: LazyKnowledge | None  # None when the knowledge base is switched off
    shops: ShopKnowledge | None = None  # the shops' own knowledge bases, where they have one

    def for_shop(self, shop_id: str | None, **policy: Any) -> Services:
        """These services for one shop's turn: its published catalogue, shop and routing, its knowledge."""
        knowledge = self.shops.for_shop(shop_id, self.knowledge) if self.shops and self.knowledge else self.knowledge
        return replace(self, knowledge=knowledge, **policy)


_turn_services: contextvars.ContextVar[Services | None] = contextvars.ContextVar("mediator_services", default=None)


def use_services(services: Services) -> None:
    """Make `services` those of the running turn (and of the tasks it starts)."""
    _turn_services.set(services)


def get_services() -> Services:
    installed = _turn_services.get()
    base = installed if installed is not None else _from_config()
    # Inside a turn, the catalogue, shop and routing come from the shop's published policy version.
    bundle = current_bundle()
    return base if bundle is None else bundle.services(base)


@lru_cache(maxsize=1)
def _from_config() -> Services:
    from bot.platform.config import get_settings

    return build_services(get_settings())


def build_services(settings: Any) -> Services:
    """The services for a deployment's settings (bot.platform.config.Settings)."""
    policies = settings.resolve(settings.policies_dir)
    return Services(
        catalog=load_catalog(policies / "messages", policies / "guardrails.yml"),
        shop=load_shop_policy(policies / "shop.yml"),
        routing=load_routing(policies / "routing.yml"),
        knowledge=LazyKnowledge(settings.knowledge_settings()),
        shops=ShopKnowledge(settings),
    )
