"""config.yml: validated at start, overridable by environment, one clear line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.platform.config import ConfigError, load_settings
from bot.store.db import async_url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path


def test_repository_config_is_valid() -> None:
    s = load_settings(Path(__file__).resolve().parent.parent / "config.yml")
    assert s.database_url.startswith("sqlite") and "demo" in s.shops


def test_bad_value_names_the_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "database_url: sqlite:///x.db\nserver:\n  host: 0.0.0.0\n  port: 99999\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(exc.value).startswith(f"{path}:4: server.port:")
    assert "\n" not in str(exc.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config.yml:2: databse_url: unknown key"):
        load_settings(write(tmp_path, "public_url: http://x\ndatabse_url: sqlite:///y\n"))


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "database_url: sqlite:///file.db\nserver: {port: 8000}\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/x")
    monkeypatch.setenv("MEDIATOR_SERVER__PORT", "9001")
    s = load_settings(path)
    assert s.database_url == "postgresql://u@db:5432/x" and s.server.port == 9001
    assert async_url(s.database_url).drivername == "postgresql+asyncpg"


def test_bad_environment_value_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIATOR_SERVER__PORT", "eighty")
    with pytest.raises(ConfigError, match="MEDIATOR_SERVER__PORT"):
        load_settings(write(tmp_path, "public_url: http://x\n"))


def test_mediator_config_selects_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIATOR_CONFIG", str(write(tmp_path, "public_url: https://shop.example/\n")))
    assert load_settings().public_url == "https://shop.example"


def test_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config.yml:3: invalid YAML: .*line 2"):
        load_settings(write(tmp_path, "server:\n  port: [1\n"))
    with pytest.raises(ConfigError, match="MEDIATOR_CONFIG"):
        load_settings(tmp_path / "absent.yml")


def test_sqlite_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    url = async_url("sqlite:///var/m.db", tmp_path)
    assert url.drivername == "sqlite+aiosqlite" and url.database == str(tmp_path / "var" / "m.db")
    with pytest.raises(ValueError, match="database_url"):
        async_url("mysql://x/y")
