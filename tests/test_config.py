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


def test_processes_starting_together_on_a_fresh_install_share_one_secret_key(tmp_path: Path) -> None:
    """The server, its NLU helper and other workers may all find no key on first start; each must end with the same
    one, none may crash, and the file stays private (0600)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from bot.platform.config import Settings; "
        "print(Settings(database_url='sqlite:///x.db', data_dir=Path(sys.argv[1])).secret_key().decode())"
    )
    env = {k: v for k, v in os.environ.items() if k != "MEDIATOR_SECRET_KEY"}
    runs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "data")], stdout=subprocess.PIPE, env=env)
        for _ in range(6)
    ]
    keys = {run.communicate(timeout=120)[0].decode().strip() for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert len(keys) == 1 and len(keys.pop()) >= 40
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]  # no temporary file left behind
