"""What the actions need besides the tracker: the message catalogue, the shop's identity, routing and the
knowledge base. Built lazily from config.yml, so `python -m rasa_sdk --actions actions` works on its own;
the engine installs the same objects in process with `use_services`."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.conversation_policy import Routing, load_routing
from bot.nlg import MessageCatalog, load_catalog
from bot.shop_policy import ShopPolicy, load_shop_policy


@dataclass
class Services:
    catalog: MessageCatalog
    shop: ShopPolicy
    routing: Routing
    knowledge: Any  # bot.knowledge.KnowledgeBase, or None when the knowledge base is switched off


_lock = threading.Lock()
_installed: Services | None = None


def use_services(services: Services) -> None:
    global _installed
    with _lock:
        _installed = services


def get_services() -> Services:
    if _installed is not None:
        return _installed
    return _from_config()


@lru_cache(maxsize=1)
def _from_config() -> Services:
    from bot.config import get_settings
    from bot.knowledge import get_knowledge_base

    settings = get_settings()
    policies = settings.resolve(settings.policies_dir)
    return Services(
        catalog=load_catalog(policies / "messages", policies / "guardrails.yml"),
        shop=load_shop_policy(policies / "shop.yml"),
        routing=load_routing(policies / "routing.yml"),
        knowledge=get_knowledge_base(settings.knowledge_settings()),
    )
