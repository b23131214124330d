"""How a remedy rule names the policy section it quotes, in whatever language the section is written.

A rule cites `{source: warranty.md, heading: Legal guarantee}`. The English section is headed "Legal
guarantee: 2 years"; its Polish translation, "Rękojmia: 2 lata {#legal-guarantee-2-years}", carries the
English name as an anchor. A section's name is its anchor, or else its heading as a slug, and a cite
names it by its first words. Names, not search: a search for an English heading among Polish sections
picked the lexically closest one and quoted the wrong policy to Polish buyers.

Kept apart from bot/retrieval/index.py (Chroma, langchain) so that checking a policy file stays light.
"""

from __future__ import annotations

import re
from pathlib import Path

ANCHOR = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")
_SECTION_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def slug(text: str) -> str:
    """'Legal guarantee: 2 years' -> 'legal-guarantee-2-years'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_anchor(title: str) -> tuple[str, str]:
    """(the heading as shown, the section's name) of one heading line's text."""
    found = ANCHOR.search(title)
    shown = ANCHOR.sub("", title)
    return shown, found.group(1) if found else slug(shown)


def cites(name: str, heading: str) -> bool:
    """Whether the section named `name` is the one a rule cites as `heading` (its first words suffice:
    "Legal guarantee" names "legal-guarantee-2-years")."""
    wanted = slug(heading)
    return bool(wanted) and (name == wanted or name.startswith(wanted + "-"))


def section_names(markdown: str) -> list[str]:
    """The names of every section of one knowledge file."""
    return [split_anchor(title)[1] for title in _SECTION_HEADING.findall(markdown)]


class Sections:
    """The section names of each knowledge file, read once per file name: a policy cites the same few
    files many times over."""

    def __init__(self, knowledge_dir: Path) -> None:
        self.knowledge_dir = knowledge_dir
        self._names: dict[str, list[str] | None] = {}

    def names(self, source: str) -> list[str] | None:
        """Every section name in `source`, in any language folder; None when no such file exists."""
        if source not in self._names:
            root = self.knowledge_dir
            files = [p for p in (root / source, *root.glob(f"*/{source}")) if p.is_file()]
            self._names[source] = (
                [name for path in files for name in section_names(path.read_text(encoding="utf-8"))] if files else None
            )
        return self._names[source]

    def uncited(self, source: str, heading: str) -> str | None:
        """Why no knowledge file quotes `heading` from `source`, or None when at least one does."""
        names = self.names(source)
        if names is None:
            return f"no knowledge file {source} (looked in {self.knowledge_dir} and its language folders)"
        if any(cites(name, heading) for name in names):
            return None
        return (
            f"no section of {source} is headed {heading!r}: give a heading's first words, e.g. 'Legal guarantee' "
            "for '## Legal guarantee: 2 years', or its anchor, e.g. '## Rękojmia {#legal-guarantee}'"
        )
