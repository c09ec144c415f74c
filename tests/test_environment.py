"""The environment descriptions agree: pyproject, the lock and environment.yml."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"
#: conda-forge names that differ from the PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}
#: tools only the tests and the lab need, never the main job
NOT_FOR_REPORTS = {"pytest", "hypothesis", "nbval", "ruff", "jupytext", "distributed", "jupyterlab"}


def _updater():
    spec = importlib.util.spec_from_file_location("lock_update", LOCKS / "update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    """Direct requirements of the package with ``extras``, self-references resolved."""
    project = _project()
    out = [Requirement(r) for r in project["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                todo.extend(req.extras)
            else:
                out.append(req)
    return out


def _pins(lock: Path) -> dict[str, list[str]]:
    """Package name -> pinned versions (several when the lock forks by Python)."""
    pins: dict[str, list[str]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            pins.setdefault(canonicalize_name(match[1]), []).append(match[2])
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"),
    [
        ("reports.txt", ()),
        ("test.txt", ("test",)),
        ("lab.txt", ("lab",)),
        ("all.txt", ("dask", "lab", "test")),
    ],
)
def test_lock_pins_every_direct_requirement_within_its_bounds(lock, extras):
    pins = _pins(LOCKS / lock)
    for req in _requirements(extras):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements/{lock}"
        for version in pins[name]:
            assert req.specifier.contains(version, prereleases=True), (
                f"requirements/{lock} pins {req.name}=={version}, outside {req.specifier}"
            )


@pytest.mark.parametrize("lock", ["all.txt", "reports.txt", "test.txt", "lab.txt"])
def test_lock_was_made_from_the_current_pyproject(lock):
    update = _updater()
    assert update.recorded_digest(LOCKS / lock) == update.dependency_digest(), (
        f"pyproject.toml dependencies changed since requirements/{lock} was made: run `make lock`"
    )


def test_subsets_use_the_versions_of_the_full_lock():
    full = _pins(LOCKS / "all.txt")
    for lock in ("reports.txt", "test.txt", "lab.txt"):
        for name, versions in _pins(LOCKS / lock).items():
            assert set(versions) <= set(full[name]), f"{name} differs in {lock} and all.txt"


def test_main_job_installs_no_test_or_lab_tools():
    assert not NOT_FOR_REPORTS & set(_pins(LOCKS / "reports.txt"))
    assert {"pytest", "distributed", "jupytext"} <= set(_pins(LOCKS / "test.txt"))


def test_environment_yml_lists_the_packages_and_bounds_of_pyproject():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    conda = {}
    for line in text.split("\ndependencies:\n", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?$", line)
        if match and match[1] not in {"python", "pip"}:
            name = canonicalize_name(CONDA_TO_PYPI.get(match[1], match[1]))
            conda[name] = (match[2] or "").strip()
    wanted = {
        canonicalize_name(r.name): str(r.specifier)
        for r in _requirements(tuple(_project()["optional-dependencies"]))
    }
    assert conda == wanted
    assert "-e ." in text
