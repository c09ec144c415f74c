"""Refresh the locked environment (``make lock``).

The lock is four requirement files with hashes, resolved by ``uv pip compile``
for Python 3.11 on any platform (``--universal``):

``all.txt``
    every dependency and every extra: the one resolution the others follow;
``reports.txt``
    what ``make reports`` needs (the package's own dependencies);
``test.txt``
    ``make test`` (adds pytest, hypothesis, nbval, ruff, jupytext, distributed);
``lab.txt``
    ``make lab`` (adds jupyterlab, jupytext).

``reports``, ``test`` and ``lab`` are compiled with ``all.txt`` as constraints,
so one package has one version in all of them. Each file starts with the
SHA-256 of the dependency tables of ``pyproject.toml`` it was made from;
``tests/test_environment.py`` fails when pyproject and the lock disagree.

Usage: ``python requirements/update.py [--upgrade]`` (needs ``uv``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETS = {"reports": [], "test": ["--extra", "test"], "lab": ["--extra", "lab"]}
COMMON = ["--universal", "--python-version", "3.11", "--generate-hashes", "--quiet"]
COMMON += ["--custom-compile-command", "make lock"]
STAMP = "# pyproject-dependencies-sha256: "


def dependency_digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """SHA-256 of the ``dependencies`` and ``optional-dependencies`` tables."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    tables = {
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    """The digest a lock file was made from (``None`` when it has none)."""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(STAMP):
            return line[len(STAMP) :].strip()
    return None


def _uv() -> list[str]:
    found = shutil.which("uv")
    if found:
        return [found]
    return [sys.executable, "-m", "uv"]


def _compile(out: Path, extra: list[str], upgrade: bool) -> None:
    constraints = [] if out.name == "all.txt" else ["-c", "requirements/all.txt"]
    cmd = [
        *_uv(),
        "pip",
        "compile",
        "pyproject.toml",
        *constraints,
        *extra,
        *COMMON,
        "-o",
        str(out.relative_to(ROOT)),
    ]
    if upgrade:
        cmd.append("--upgrade")
    subprocess.run(cmd, cwd=ROOT, check=True)
    text = out.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(STAMP)]
    out.write_text("\n".join([STAMP + dependency_digest(), *lines]) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    upgrade = "--upgrade" in argv
    _compile(HERE / "all.txt", ["--all-extras"], upgrade)
    for name, extra in SETS.items():
        _compile(HERE / f"{name}.txt", extra, upgrade=False)
    print(f"lock refreshed: {', '.join(['all', *SETS])} in {HERE.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
