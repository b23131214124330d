"""Run a subset of the tests against the lowest versions pyproject.toml allows (./scripts/check-floors).

A lower bound nobody installs rots silently: the lock moves on and the code starts using what only newer
releases have (SQLAlchemy 2.0.36 lacked `sqlalchemy.util.await_` while pyproject allowed it). This installs
uv's `--resolution lowest-direct` answer for our direct dependencies (the dev extra included: the tests run
on it) into .venv-floors/, runs the tests from a copy of the working tree in .venv-floors/src/, and names
the floor each failure points at.

Floors do not always meet in one install: chromadb 1.0.9 pins fastapi 0.115.9, so a chromadb floor of 1.0.9
and fastapi's 0.115 could not both be held (pyproject.toml now asks for chromadb 1.0.13). uv then raises one;
such a floor is listed as "not exercised", and the script checks that it can be installed with the others at
all (else it is "unreachable" and fails). `--pin NAME` holds NAME at its floor for a second run.

Why a copy of the tree: the tests cache trained models in <repo>/var/test-cache, keyed by data and not
always by library version, so a model pickled by the floors' scikit-learn must never reach the main venv's.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-floors"
SRC = VENV / "src"
PYTHON = VENV / "bin" / "python"
UV = ROOT / ".venv" / "bin" / "uv"
EXTRAS = ["dev"]
# Chosen to touch every direct dependency on a path users take, in about 5 minutes on a quiet machine:
# the conversation and its stage machine (scikit-learn, lingua, rasa-sdk's types), intake (pydantic,
# phonenumbers, babel), the web routes (fastapi, starlette, httpx), the channel adapters against their fake
# provider servers (aiogram, twilio, slack-bolt, aiohttp), retrieval (langchain, chromadb, the encoder),
# migrations (alembic), the actions server (rasa-sdk) and the CLI (typer, rich).
TESTS = [
    "tests/test_conversation.py",
    "tests/test_flow.py",
    "tests/test_stage_machine.py",
    "tests/test_intake_unstorable.py",
    "tests/test_intake_property.py",
    "tests/test_api.py",
    "tests/test_security_headers.py",
    "tests/test_input_limits.py",
    "tests/test_telegram.py",
    "tests/test_sms.py",
    "tests/test_slack.py",
    "tests/test_knowledge.py",
    "tests/test_migrations.py",
    "tests/test_actions_server.py",
    "tests/test_cli.py",
    "tests/test_currencies.py",
    "tests/test_language.py",
    "tests/test_jobs.py",
]
# Imported one by one so a module no test reaches still counts; migration scripts run only under alembic.
IMPORT_ALL = """
import importlib, json, pkgutil, traceback
failed = {}
for root in ("bot", "actions", "channels"):
    for info in pkgutil.walk_packages(importlib.import_module(root).__path__, root + "."):
        if ".migrations." in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except Exception:
            failed[info.name] = traceback.format_exc()
print(json.dumps(failed))
"""
DISTRIBUTIONS = """
import json
from importlib.metadata import distributions, packages_distributions
print(json.dumps({"modules": packages_distributions(),
                  "versions": {d.metadata["Name"]: d.version for d in distributions()}}))
"""


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(*args: str | Path, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, text=True, capture_output=True)
    if check and proc.returncode:
        sys.exit(f"error: {' '.join(map(str, args))}\n{proc.stderr}")
    return proc


def read_floors() -> dict[str, tuple[str, Version]]:
    """Each direct dependency's canonical name -> (its line in pyproject.toml, its lower bound)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"]) + [r for extra in EXTRAS for r in project["optional-dependencies"][extra]]
    floors = {}
    for line in lines:
        req = Requirement(line)
        lows = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
        if not lows:
            sys.exit(f"error: {line!r} has no lower bound: give it one (the version the code was checked on)")
        floors[canonicalize_name(req.name)] = (line, max(lows))
    return floors


def pins(text: str) -> dict[str, Version]:
    found = {}
    for line in text.splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith((" ", "#")):
            found[canonicalize_name(name.split("[")[0])] = Version(version.split(";")[0].strip())
    return found


def compile_floors(constraints: dict[str, Version], out: Path) -> tuple[bool, str]:
    """uv's lowest-direct resolution of pyproject.toml with `constraints` held; (ok, uv's complaint)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as held:
        held.write("".join(f"{name}=={version}\n" for name, version in constraints.items()))
    proc = run(
        UV, "pip", "compile", "pyproject.toml", *[f"--extra={e}" for e in EXTRAS], "--resolution=lowest-direct",
        f"--python={PYTHON}", f"--constraint={held.name}", "--quiet", "--no-header", f"--output-file={out}",
        check=False,
    )  # fmt: skip
    Path(held.name).unlink()
    return proc.returncode == 0, proc.stderr


def lowest_alone(floors: dict[str, tuple[str, Version]]) -> dict[str, Version]:
    """Each floor's lowest existing release on its own (3.2 may start at 3.2.1), to tell what uv raised."""
    with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as reqs:
        reqs.write("".join(f"{line.split('#')[0].strip()}\n" for line, _ in floors.values()))
    proc = run(UV, "pip", "compile", reqs.name, "--no-deps", "--resolution=lowest", f"--python={PYTHON}", "--quiet")
    Path(reqs.name).unlink()
    return pins(proc.stdout)


def ensure_venv() -> None:
    if not PYTHON.exists():
        run(UV, "venv", "--quiet", f"--python={sys._base_executable}", VENV)


def copy_tree() -> None:
    """The working tree (uncommitted changes too) into SRC, keeping SRC's own var/ (its model cache)."""
    files = run("git", "ls-files", "-co", "--exclude-standard", "-z").stdout.split("\0")
    SRC.mkdir(parents=True, exist_ok=True)
    for entry in SRC.iterdir():
        if entry.name != "var":
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file() and not name.startswith(("var/", ".venv")):
            (SRC / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, SRC / name)


def blame(text: str, modules: dict[str, list[str]]) -> list[str]:
    """The distributions a traceback points at: the library our code called into, the library a failing line
    of ours names (a TypeError on a keyword raises in the caller), and modules an ImportError names."""
    suspects: list[str] = []

    def owner(module: str) -> None:
        for dist in modules.get(module.split(".")[0], []):
            if dist not in suspects:
                suspects.append(dist)

    for section in re.split(r"\n(?:The above exception|During handling)", text):
        frames = re.findall(r'File "([^"]+)", line (\d+)', section)
        for (path, _), (inner, _) in itertools.pairwise(frames):
            if "site-packages" not in path and "site-packages/" in inner:
                owner(inner.split("site-packages/")[1].split("/")[0].removesuffix(".py"))
        if frames and "site-packages" not in frames[-1][0] and Path(frames[-1][0]).is_file():
            path, number = frames[-1]
            source = Path(path).read_text()
            imported = imported_names(source)
            line = source.splitlines()[int(number) - 1]
            for word in re.findall(r"[A-Za-z_]\w*", line):
                if word in imported:
                    owner(imported[word])
    for module in re.findall(r"(?:No module named|cannot import name '\w+' from) '([\w.]+)'", text):
        owner(module)
    return suspects


def imported_names(source: str) -> dict[str, str]:
    names = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update({a.asname or a.name: node.module for a in node.names})
        elif isinstance(node, ast.Import):
            names.update({(a.asname or a.name).split(".")[0]: a.name for a in node.names})
    return names


def report(failures: dict[str, str], floors: dict[str, tuple[str, Version]]) -> int:
    """Print each failure with the floor it points at; returns how many failed."""
    found = json.loads(run(PYTHON, "-c", DISTRIBUTIONS).stdout)
    versions = {canonicalize_name(k): v for k, v in found["versions"].items()}
    by_floor: dict[str, list[str]] = {}
    for name, text in failures.items():
        suspects = [canonicalize_name(d) for d in blame(text, found["modules"])]
        message = next((ln for ln in reversed(text.strip().splitlines()) if ln.strip()), "")[:200]
        print(f"FAILED {name}\n    {message}")
        direct = [s for s in suspects if s in floors] or ["(no floor named: read the traceback)"]
        for s in suspects:
            kind = f"floor {floors[s][1]}" if s in floors else "indirect (requirements.lock)"
            print(f"    points at {s} {versions.get(s, '?')} ({kind})")
        for s in direct:
            by_floor.setdefault(s, []).append(name)
    if by_floor:
        step("floors that failed")
        for name, tests in by_floor.items():
            line = floors[name][0].split("#")[0].strip() if name in floors else name
            print(f"  {line} (installed {versions.get(name, '?')}): {len(tests)} failure(s), e.g. {tests[0]}")
    return len(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pin", action="append", default=[], help="hold this dependency at its floor")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments (default: the subset)")
    args = parser.parse_args()
    started = time.monotonic()
    floors = read_floors()
    ensure_venv()

    step("resolving the floors (uv pip compile --resolution lowest-direct)")
    alone = lowest_alone(floors)
    held = {canonicalize_name(p): alone[canonicalize_name(p)] for p in args.pin}
    lock = VENV / "floors.txt"
    ok, why = compile_floors(held, lock)
    if not ok:
        print(f"unreachable: the floors{' with ' + str(held) if held else ''} do not install together\n{why}")
        return 1
    resolved = pins(lock.read_text())
    unreachable = 0
    for name, (_, floor) in floors.items():
        low, got = alone.get(name, floor), resolved[name]
        note = "" if got == low else f"   not exercised: uv raised it (lowest release {low})"
        print(f"  {name:34} floor {floor!s:10} installed {got!s:10}{note}")
    for name in [n for n in floors if resolved[n] != alone.get(n, floors[n][1])]:
        ok, why = compile_floors({**held, name: alone[name]}, VENV / "probe.txt")
        if not ok:
            unreachable += 1
            reason = "\n".join(f"      {ln.strip()}" for ln in why.splitlines() if ln.strip() and "error:" not in ln)
            print(f"unreachable floor: {floors[name][0].split('#')[0].strip()} (uv pip compile says:)\n{reason}")
        else:
            print(f"  {name} {alone[name]} installs with the others: ./scripts/check-floors --pin {name} runs it")

    step("installing into .venv-floors/ (uv pip sync; the project with --no-deps -e .)")
    run(UV, "pip", "sync", "--quiet", f"--python={PYTHON}", lock)
    copy_tree()
    run(UV, "pip", "install", "--quiet", f"--python={PYTHON}", "--no-deps", "-e", ".", cwd=SRC)

    step("importing every module of bot, actions, channels")
    failures = {f"import {m}": tb for m, tb in json.loads(run(PYTHON, "-c", IMPORT_ALL, cwd=SRC).stdout).items()}
    print(f"  {len(failures)} module(s) failed to import")

    step("tests on SQLite")
    junit = VENV / "junit.xml"
    junit.unlink(missing_ok=True)
    tests = args.pytest_args if args.pytest_args and not args.pytest_args[0].startswith("-") else []
    pytest = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=native", f"--junitxml={junit}"]
    env_unset = ["env", "-u", "MEDIATOR_TEST_DATABASE_URL"]
    subprocess.run([*env_unset, *map(str, pytest), *(tests or TESTS), *args.pytest_args[len(tests) :]], cwd=SRC)
    if not junit.exists():
        print("error: pytest wrote no report (collection failed?)")
        return 1
    for case in ET.parse(junit).iter("testcase"):
        for bad in [*case.iter("failure"), *case.iter("error")]:
            failures[f"{case.get('classname')}::{case.get('name')}"] = bad.text or bad.get("message", "")

    failed = report(failures, floors)
    minutes = (time.monotonic() - started) / 60
    print(f"\ncheck-floors: {failed} failure(s), {unreachable} unreachable floor(s), {minutes:.1f} min")
    return 1 if failed or unreachable else 0


if __name__ == "__main__":
    sys.exit(main())
