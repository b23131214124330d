"""Knowledge base: indexing, incremental re-indexing, bad files, search and the CLI.

Everything runs against a real chromadb (PersistentClient in tmp_path, and a real `chroma run`
server on loopback for the HTTP mode) with the real offline embedding model.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from bot.app.cli.knowledge import knowledge_app
from bot.platform.knowledge_config import (
    EmbeddingsSettings,
    HttpStoreSettings,
    KnowledgeSettings,
    PersistentStoreSettings,
)
from bot.retrieval.embeddings import make_embeddings
from bot.retrieval.index import KnowledgeBase, sha256

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "knowledge"


class CountingEmbeddings(Embeddings):
    """The real model, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        self.inner = make_embeddings(EmbeddingsSettings())
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def settings_for(tmp_path: Path, knowledge: Path, **extra: object) -> KnowledgeSettings:
    return KnowledgeSettings(knowledge_dir=knowledge, store=PersistentStoreSettings(path=tmp_path / "chroma"), **extra)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def counting() -> CountingEmbeddings:
    return CountingEmbeddings()


def chunks_of(kb: KnowledgeBase, source: str) -> list[str]:
    got = kb.store._collection.get(where={"$and": [{"shop": "demo"}, {"source": source}]}, include=[])
    return got["ids"]


def test_index_metadata(tmp_path: Path, demo_copy: Path, counting: CountingEmbeddings) -> None:
    kb = KnowledgeBase(settings_for(tmp_path, demo_copy), embeddings=counting)
    report = kb.index()
    assert report.errors == []
    assert report.files == 7 * 11  # seven documents in en, pl, sv, de, ru, sq, uk, fr, es, it and cs
    assert report.added == len(counting.embedded) > 14
    got = kb.store._collection.get(include=["metadatas", "documents"])
    sources = set()
    asked: dict[tuple[str, str], int] = {}
    for chunk_id, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
        assert meta["shop"] == "demo"
        assert meta["language"] == meta["source"].split("/")[0]
        assert meta["content_hash"] == sha256(text)
        assert "<!--" not in text  # a section's questions block is never part of its text
        if meta.get("kind") == "question":  # one of a section's own questions, named by the section
            key = (meta["source"], meta["anchor"])
            asked[key] = asked.get(key, 0) + 1
            assert chunk_id == sha256(f"demo\0{meta['source']}\0{meta['content_hash']}\0{meta['anchor']}")[:40]
            continue
        assert text.startswith(meta["heading"])
        assert chunk_id == sha256(f"demo\0{meta['source']}\0{meta['content_hash']}")[:40]
        sources.add(meta["source"])
    # Every section of the demo shop lists four questions buyers ask (knowledge/<lang>/*.md).
    assert len(asked) == 36 * 11 and min(asked.values()) >= 4
    assert "pl/damaged-or-wrong-items.md" in sources and "en/warranty.md" in sources
    damaged = [m for m in got["metadatas"] if m["source"] == "en/damaged-or-wrong-items.md"]
    assert "Damaged, missing or wrong items > Parcel arrived damaged" in {m["heading"] for m in damaged}


def test_incremental_reindex(tmp_path: Path, demo_copy: Path, counting: CountingEmbeddings) -> None:
    kb = KnowledgeBase(settings_for(tmp_path, demo_copy), embeddings=counting)
    first = kb.index()
    total = first.added

    counting.embedded.clear()
    again = kb.index()
    assert (again.added, again.removed, again.unchanged) == (0, 0, total)
    assert counting.embedded == []  # nothing re-embedded

    # Change one section of one file: only that section's chunk is embedded again.
    path = demo_copy / "en" / "coupons.md"
    path.write_text(path.read_text().replace("up to 15% off", "up to 12% off"), encoding="utf-8")
    counting.embedded.clear()
    changed = kb.index()
    assert changed.added == changed.removed == 1
    assert changed.unchanged == total - 1
    assert len(counting.embedded) == 1 and "up to 12% off" in counting.embedded[0]

    # Delete a file: its chunks go, nothing is embedded.
    before = len(chunks_of(kb, "pl/payments.md"))
    assert before > 0
    (demo_copy / "pl" / "payments.md").unlink()
    counting.embedded.clear()
    deleted = kb.index()
    assert deleted.removed == before and deleted.added == 0
    assert chunks_of(kb, "pl/payments.md") == []
    assert counting.embedded == []


def test_broken_files_reported_others_indexed(tmp_path: Path, counting: CountingEmbeddings) -> None:
    root = tmp_path / "knowledge"
    (root / "en").mkdir(parents=True)
    (root / "en" / "good.md").write_text("# Returns\n\nYou may return items within 30 days.\n")
    (root / "en" / "latin1.md").write_bytes("# Zwroty\n\nMożesz zwrócić".encode("cp1250"))
    (root / "en" / "empty.md").write_text("  \n")
    (root / "en" / "no-heading.md").write_text("Just some text without any heading.\n")
    (root / "en" / "bad-lang.md").write_text("---\nlanguage: polish\n---\n# Zwroty\n\nTekst.\n")
    (root / "nolang.md").write_text("# Shipping\n\nWe ship fast.\n")
    kb = KnowledgeBase(settings_for(tmp_path, root), embeddings=counting)
    report = kb.index()
    errors = dict(report.errors)
    assert set(errors) == {"en/latin1.md", "en/empty.md", "en/no-heading.md", "en/bad-lang.md", "nolang.md"}
    assert "UTF-8" in errors["en/latin1.md"]
    assert "empty" in errors["en/empty.md"]
    assert "heading" in errors["en/no-heading.md"]
    assert "'polish'" in errors["en/bad-lang.md"] and "ISO 639-1" in errors["en/bad-lang.md"]
    assert report.added == 1
    assert kb.search("how long can I return things", k=1)[0].source == "en/good.md"


def test_broken_file_keeps_its_previous_chunks(tmp_path: Path, demo_copy: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path, demo_copy))
    kb.index()
    before = chunks_of(kb, "en/returns.md")
    (demo_copy / "en" / "returns.md").write_bytes(b"\xff\xfe broken")
    report = kb.index()
    assert [source for source, _ in report.errors] == ["en/returns.md"]
    assert report.removed == 0
    assert chunks_of(kb, "en/returns.md") == before


def test_empty_knowledge_base(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    root.mkdir()
    kb = KnowledgeBase(settings_for(tmp_path, root))
    results = kb.search("where is my parcel")
    assert results == [] and "empty" in (results.message or "")
    report = kb.index()
    assert report.added == 0 and report.errors == [] and "empty" in (report.message or "")
    assert kb.search("where is my parcel") == []


def test_polish_damaged_parcel_first(tmp_path: Path, demo_copy: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path, demo_copy))
    kb.index()
    results = kb.search("paczka przyszła uszkodzona", k=3)
    assert results[0].source.endswith("damaged-or-wrong-items.md")
    assert all(0.0 <= p.score <= 1.0 for p in results)
    assert [p.score for p in results] == sorted((p.score for p in results), reverse=True)
    # Asked in Polish with the language given, the Polish passage is quoted.
    assert kb.search("paczka przyszła uszkodzona", k=1, language="pl")[0].source == "pl/damaged-or-wrong-items.md"
    # Asked in French, the French passage (the demo shop writes its policy in all eleven languages).
    assert kb.search("Le colis est arrivé endommagé", k=1, language="fr")[0].source == "fr/damaged-or-wrong-items.md"
    # No Dutch documents: the language filter falls back to all languages instead of nothing.
    assert kb.search("Het pakket is beschadigd aangekomen", k=1, language="nl")


def _use_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, knowledge_block: str) -> None:
    config = tmp_path / "config.yml"
    config.write_text(f"knowledge:\n{knowledge_block}", encoding="utf-8")
    monkeypatch.setenv("MEDIATOR_CONFIG", str(config))
    try:
        from bot.platform.config import get_settings
    except ImportError:
        pytest.skip("bot/platform/config.py is not there yet: the CLI cannot be pointed at a temporary store")
    get_settings.cache_clear()
    monkeypatch.setattr("bot.platform.config.get_settings", get_settings)


@pytest.fixture
def cli_config(tmp_path: Path, demo_copy: Path, monkeypatch: pytest.MonkeyPatch):
    block = f"  knowledge_dir: {demo_copy}\n  store:\n    mode: persistent\n    path: {tmp_path / 'cli-chroma'}\n"
    _use_config(tmp_path, monkeypatch, block)
    yield
    from bot.platform.config import get_settings

    get_settings.cache_clear()


def test_cli_search_json_autoindexes(cli_config: None) -> None:
    result = CliRunner().invoke(knowledge_app, ["search", "paczka przyszła uszkodzona", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    passages = json.loads(result.stdout)
    assert len(passages) == 2
    assert all(set(p) == {"source", "heading", "language", "text", "score"} for p in passages)
    assert passages[0]["source"].endswith("damaged-or-wrong-items.md")


def test_cli_search_stdin_one_array_per_line(cli_config: None) -> None:
    stdin = "I was charged twice\n\nWo ist mein Paket?\n"
    result = CliRunner().invoke(knowledge_app, ["search", "--k", "1"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])[0]["source"].endswith("payments.md")


def test_cli_index_reports_broken_file_and_exits_0(cli_config: None, demo_copy: Path) -> None:
    (demo_copy / "en" / "broken.md").write_text("no heading here\n")
    result = CliRunner().invoke(knowledge_app, ["index"])
    assert result.exit_code == 0, result.output
    assert "en/broken.md: no Markdown heading" in result.stdout
    assert "chunks added" in result.stdout


def test_cli_config_error_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_config(tmp_path, monkeypatch, "  hybrid_weight: 7\n")
    try:
        result = CliRunner().invoke(knowledge_app, ["search", "x"])
    finally:
        from bot.platform.config import get_settings

        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "hybrid_weight" in result.output and len(result.output.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists():
        found = shutil.which("chroma")
        if not found:
            pytest.skip("the chromadb package's `chroma` CLI is not installed, so no server can run")
        binary = Path(found)
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [str(binary), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client = chromadb.HttpClient(
                    host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
                )
                client.heartbeat()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()[-500:]}")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_http_client_mode(tmp_path: Path, demo_copy: Path, chroma_server: int) -> None:
    settings = KnowledgeSettings(
        knowledge_dir=demo_copy, store=HttpStoreSettings(mode="http", host="127.0.0.1", port=chroma_server)
    )
    kb = KnowledgeBase(settings)
    report = kb.index()
    assert report.added > 0 and report.errors == []
    assert kb.index().added == 0
    assert kb.search("paczka przyszła uszkodzona")[0].source.endswith("damaged-or-wrong-items.md")
    # A second worker (a new KnowledgeBase) sees the same index through the server.
    assert not KnowledgeBase(settings).needs_index()


def test_every_remedy_rule_quotes_the_same_section_in_every_language(tmp_path: Path) -> None:
    """A rule cites a section by its English heading; a Polish buyer must be quoted the Polish translation
    of that section. Searching for the heading among Polish sections quoted the lexically closest one
    ("Legal guarantee" -> "Gwarancja producenta") for 8 of the 11 cites."""
    import re

    import yaml

    from actions.services import LazyKnowledge

    knowledge = LazyKnowledge(settings_for(tmp_path, DEMO))
    rules = yaml.safe_load((ROOT / "policies" / "remedies.yml").read_text(encoding="utf-8"))
    cited = {(r["cite"]["source"], r["cite"]["heading"]) for r in rules["rules"] if r.get("cite")}
    cited |= {(k["cite"]["source"], k["cite"]["heading"]) for k in rules["remedies"].values() if k.get("cite")}
    assert len(cited) >= 10

    def position(language: str, source: str, title: str) -> int:
        headings = re.findall(r"^## (.+?)(?:\s*\{#[a-z0-9-]+\})?$", (DEMO / language / source).read_text(), re.M)
        return headings.index(title)

    for source, heading in sorted(cited):
        english = knowledge.cited_passage({"source": source, "heading": heading}, "en")
        polish = knowledge.cited_passage({"source": source, "heading": heading}, "pl")
        dutch = knowledge.cited_passage({"source": source, "heading": heading}, "nl")  # no Dutch documents
        assert english is not None and english.heading.split(" > ")[-1].startswith(heading), (source, heading)
        assert polish is not None and polish.language == "pl" and "{#" not in polish.heading + polish.text
        title = polish.heading.split(" > ")[-1]
        assert position("pl", source, title) == position("en", source, english.heading.split(" > ")[-1]), (
            source,
            heading,
            polish.heading,
        )
        assert dutch == english  # the document the rule was written against, not a translation
        for language in ("sv", "de", "ru", "sq", "uk", "fr", "es", "it", "cs"):
            translated = knowledge.cited_passage({"source": source, "heading": heading}, language)
            assert translated is not None and translated.language == language, (language, source, heading)
            assert "{#" not in translated.heading + translated.text
            title = translated.heading.split(" > ")[-1]
            assert position(language, source, title) == position("en", source, english.heading.split(" > ")[-1])
