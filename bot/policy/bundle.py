"""The shop's active policy bundle (conversation, remedies, mediation, routing, shop, message catalogue),
cached by content and reloaded as soon as a newer version is published.

Publishing must reach new turns in every worker at once, with no restart and no message bus. So each turn
reads one small row, `policy_heads` (the shop's version and a digest of its files, by primary key), and
uses the parsed bundle cached under that digest; only the first turn after a publish, in each worker,
loads and parses the new files. Parsed bundles are immutable, so a turn that began under version 3 ends
under version 3 even if version 4 is published meanwhile.

The turn's bundle is also put in a context variable, so the Rasa SDK actions (which only see a tracker)
render messages with the same version the turn decided with (actions.services.get_services).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform.yaml_lines import PolicyFileError, PolicyIssue, load_model_text, safe_data
from bot.policy.channels import ChannelsPolicy
from bot.policy.conversation import ConversationPolicy, Routing, load_conversation_policy, load_routing
from bot.policy.mediation import MediationPolicy, load_mediation_policy
from bot.policy.messages import MessageCatalog, load_catalog
from bot.policy.remedies import RemedyPolicy, load_remedy_policy
from bot.policy.shop import ShopPolicy, load_shop_policy
from bot.policy.versions import digest, files_of, head_of, read_policy_dir
from bot.store.db import POLICIES_DIR

log = logging.getLogger("mediator.policy")
CACHE_SIZE = 16


@dataclass(frozen=True)
class Bundle:
    shop_id: str | None
    version: int | None  # None: read from the policies/ folder, not from the store
    digest: str
    files: dict[str, str]
    mediation: MediationPolicy
    conversation: ConversationPolicy
    remedies: RemedyPolicy
    routing: Routing
    shop: ShopPolicy
    catalog: MessageCatalog
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def data(self, name: str) -> Any:
        """Any policy file's YAML (e.g. channels.yml, added by other features); None when absent."""
        text = self.files.get(name)
        return None if text is None else safe_data(text, name)

    def channels(self) -> ChannelsPolicy | None:
        """channels.yml of this version, parsed once; None when absent."""
        found = self._memo.get("channels")
        if found is None and "channels.yml" in self.files:
            found = self._memo["channels"] = load_model_text(self.files["channels.yml"], ChannelsPolicy, "channels.yml")
        return found

    def services(self, base: Any) -> Any:
        """`base` (actions.services.Services) with this version's catalogue, shop and routing."""
        key = id(base)
        found = self._memo.get(key)
        if found is None or found[0] is not base:
            found = (base, base.for_shop(self.shop_id, catalog=self.catalog, shop=self.shop, routing=self.routing))
            self._memo[key] = found
        return found[1]


@contextmanager
def materialized(files: dict[str, str]) -> Iterator[Path]:
    """The files written out as a policies/ folder, so the file loaders and validators apply unchanged."""
    with tempfile.TemporaryDirectory(prefix="mediator-policy-") as tmp:
        root = Path(tmp)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        (root / "messages").mkdir(exist_ok=True)
        yield root


def relative_issues(issues: list[PolicyIssue], root: Path) -> list[PolicyIssue]:
    """Issues with the temporary folder cut from their file names: `remedies.yml:12: ...`."""
    prefix = str(root) + "/"
    return [PolicyIssue(i.file.replace(prefix, ""), i.line, i.message.replace(prefix, "")) for i in issues]


def build_bundle(files: dict[str, str], shop_id: str | None = None, version: int | None = None) -> Bundle:
    """Parse a complete set of policy files; PolicyFileError (issues named by file and line) if one is bad."""
    with materialized(files) as root:
        try:
            return Bundle(
                shop_id=shop_id,
                version=version,
                digest=digest(files),
                files=dict(files),
                mediation=load_mediation_policy(root / "mediation.yml"),
                conversation=load_conversation_policy(root / "conversation.yml"),
                remedies=load_remedy_policy(root / "remedies.yml"),
                routing=load_routing(root / "routing.yml"),
                shop=load_shop_policy(root / "shop.yml"),
                catalog=load_catalog(root / "messages", root / "guardrails.yml"),
            )
        except PolicyFileError as exc:
            raise PolicyFileError(relative_issues(exc.issues, root)) from None


# Parsed bundles by digest (content-addressed, so valid across shops, databases and processes).
_cache: OrderedDict[str, Bundle] = OrderedDict()
# The last bundle that parsed, per shop: used if a stored version ever fails to parse.
_last_good: dict[str, Bundle] = {}
_folder: dict[Path, Bundle] = {}
_current: ContextVar[Bundle | None] = ContextVar("mediator_policy_bundle", default=None)


def folder_bundle(policies_dir: Path) -> Bundle:
    if policies_dir not in _folder:
        _folder[policies_dir] = build_bundle(read_policy_dir(policies_dir))
    return _folder[policies_dir]


def _remember(key: str, bundle: Bundle) -> None:
    _cache[key] = bundle
    _cache.move_to_end(key)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


async def active_bundle(session: AsyncSession, shop_id: str, head: tuple[int, str] | bool | None = False) -> Bundle:
    """The shop's published bundle. Costs one primary-key read per transaction while the version is cached,
    none when the caller already read the head (`head`: (version, digest), or None for "nothing published")."""
    memo = session.info.get(("policy_bundle", shop_id))
    if memo is not None:
        return memo
    found = await head_of(session, shop_id) if head is False else head
    if found is None:
        # The fallback folder (the deployment's policies/) comes with the session (bot/store/db.py
        # make_sessionmaker): a preview's sessions carry the draft's folder, live ones the deployment's.
        folder = session.info.get(POLICIES_DIR)
        if folder is None:
            raise LookupError(f"shop {shop_id!r} has no published policy: run `mediator serve` or `mediator demo`")
        bundle = folder_bundle(folder)
    else:
        version, key = found
        cached = _cache.get(key)
        if cached is not None and cached.version == version and cached.shop_id == shop_id:
            bundle = cached
        else:
            bundle = await _load(session, shop_id, version, key, cached)
    session.info[("policy_bundle", shop_id)] = bundle
    return bundle


async def _load(session: AsyncSession, shop_id: str, version: int, key: str, same: Bundle | None) -> Bundle:
    if same is not None:  # the same files under another shop or version number: no need to parse again
        from dataclasses import replace

        bundle = replace(same, shop_id=shop_id, version=version, _memo={})
    else:
        files = await files_of(session, shop_id, version)
        try:
            bundle = await asyncio.to_thread(build_bundle, files, shop_id, version)
        except PolicyFileError as exc:
            # Publishing validates first, so this means files edited on disk and seeded broken. Keep serving.
            previous = _last_good.get(shop_id)
            log.error("shop %s: policy version %s does not load: %s", shop_id, version, exc)
            if previous is None:
                raise
            return previous
    _remember(key, bundle)
    _last_good[shop_id] = bundle
    log.info("shop %s: policy version %s loaded", shop_id, version)
    return bundle


def use_bundle(bundle: Bundle | None) -> None:
    """Make `bundle` the policy of the running turn (read by the actions through get_services)."""
    _current.set(bundle)


def current_bundle() -> Bundle | None:
    return _current.get()


# ── the mediation policy for intake and timers ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class ActiveMediationPolicy:
    policy: MediationPolicy
    version_id: int | None  # the shop's policy version (policy_releases.version)


async def active_mediation_policy(session: AsyncSession, shop_id: str) -> ActiveMediationPolicy:
    bundle = await active_bundle(session, shop_id)
    return ActiveMediationPolicy(bundle.mediation, bundle.version)
