"""Shared fixtures: tiny valid inputs, written as the user would write them."""

from __future__ import annotations

import os

# The suite's parallelism is its test workers (pytest-xdist, one per core): BLAS threads
# inside each worker, its kernels and its subprocesses would only oversubscribe the cores
# (OpenBLAS threads spin while they wait; a Cholesky of a 200 x 200 covariance took about
# 100 times the CPU time of one thread). One BLAS thread per process: set before numpy is
# loaded here, inherited by every process a test starts.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from perjaka_analysis.employers.synth import generate_registry
from perjaka_analysis.report import default_notebook, run_reports

COVERAGE_CSV = """\
province,district,date,date_precision,measure,coverage_pct,participants,population,active_pct,source_url,note
Aceh,,2019-10-08,month,registered,99.26,5214516,5253512,,https://a.example/1,
Sulteng,,2019-01-01,day,registered,89.25,,,,https://b.example/1,
Sulawesi Tengah,,2021-06-01,day,registered,83.62,,,,https://b.example/2,
INDONESIA,,2023-12-31,year,registered,,260000000,278000000,,https://c.example/1,
Bali,,2021-12-31,year,survey_any,80.6,,,,https://d.example/1,
"""

REGISTRY_CSV = """\
employer_id,province,district,sector,workers_reported,workers_registered,dependants_registered,wage_reported_idr,months_in_arrears,arrears_idr,late_payments_12m,deactivations_12m,registered_since,noncompliant
E001,Jabar,Kota Bandung,C,40,12,10,3500000,5,12000000,6,2,2015-03-01,1
E002,32,Kabupaten Bogor,G,10,10,15,4200000,0,0,0,0,2018-07-15,0
E003,Prov. Bengkulu,,A,5,5,,,0,,,,,
"""


threadpool_limits(limits=1, user_api="blas")  # where a plugin loaded numpy before this file


def write(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    """Write ``text`` to a file in ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def coverage_csv(tmp_path: Path) -> Path:
    return write(tmp_path, COVERAGE_CSV, "coverage.csv")


@pytest.fixture
def registry_csv(tmp_path: Path) -> Path:
    return write(tmp_path, REGISTRY_CSV, "employers.csv")


@pytest.fixture
def registry_frame() -> pd.DataFrame:
    from io import StringIO

    return pd.read_csv(StringIO(REGISTRY_CSV), dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def small_registry() -> pd.DataFrame:
    """A validated synthetic registry of 3,000 employers, 30% inspected (shared, never modified)."""
    from perjaka_analysis.employers.synth import generate_registry
    from perjaka_analysis.validate import validate_registry

    return validate_registry(generate_registry(3000, seed=5, label_share=0.3).frame)


@pytest.fixture(scope="session")
def risk_model(small_registry):
    """The risk model fitted once per test session on ``small_registry``."""
    from perjaka_analysis.employers import RiskModel

    return RiskModel(random_state=0).fit(small_registry)


@pytest.fixture(scope="session")
def small_scored(small_registry, risk_model) -> pd.DataFrame:
    """``small_registry`` scored with ``risk_model`` (capacity 30, key ``b"k"``, English)."""
    from perjaka_analysis.employers import score_registry

    return score_registry(small_registry, model=risk_model, capacity=30, key=b"k", language="en")


# -- report runs (tests/test_report.py, tests/test_report_processes.py) -------------------------
INJECTED = '<script>alert("x")</script>'
REPORT_TARGETS = [95.0, 98.6]  # the official RPJMN target is not a whole number


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory, worker_id) -> Path:
    """A folder every test worker of the session sees (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@contextmanager
def held(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (a file) against the other test workers."""
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def report_registry(shared_folder) -> Path:
    """A small synthetic registry (fast runs), with a hostile district name.

    One file for the session, written by the first worker that asks: the registry's
    path is a run parameter, so the runs of every worker share ``report_facts``.
    """
    path = shared_folder / "report-registry" / "employers.parquet"
    with held(shared_folder / "report-registry.lock"):
        if not path.is_file():
            frame = generate_registry(3000, seed=11, label_share=0.3).frame
            frame.loc[frame["province"] == "Banten", "district"] = INJECTED
            path.parent.mkdir(exist_ok=True)
            frame.to_parquet(path)
    return path


@pytest.fixture(scope="session")
def report_facts(report_registry, shared_folder) -> Path:
    """The saved facts of runs on ``report_registry`` (``out/_facts`` of a run).

    Computed once per session by the first worker that asks (the others wait): the
    slowest step of a run, which every report test would otherwise repeat. A run
    computes them (not ``compute_run_facts`` here), so that they are a run's facts.
    """
    out = shared_folder / "report-facts"
    with held(shared_folder / "report-facts.lock"):
        if not (out / "_facts").is_dir():
            run_reports(
                ["Banten"], config=report_config(report_registry), out=out, run_id="facts",
                jobs=1, progress=False,
            )  # fmt: skip
    return out / "_facts"


@pytest.fixture(scope="module")
def runs(tmp_path_factory, report_facts) -> Path:
    """One output folder for the module; runs in it reuse ``report_facts``."""
    out = tmp_path_factory.mktemp("runs")
    shutil.copytree(report_facts, out / "_facts")
    return out


def report_config(registry: Path, **extra) -> dict:
    return {"registry": str(registry), "capacity": 50, "targets": REPORT_TARGETS, **extra}


def report_cli_args(registry: Path, out: Path, *extra: str) -> list[str]:
    return [
        "report", "--registry", str(registry), "--capacity", "50", "--target", "95",
        "--target", "98.6", "--out", str(out), "--no-progress", *extra,
    ]  # fmt: skip


def notebook_with(tmp_path: Path, code: str) -> Path:
    nb = nbformat.read(default_notebook(), as_version=4)
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(params + 1, nbformat.v4.new_code_cell(code))
    path = tmp_path / "custom.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def one_run(report_registry, runs):
    """Banten's brief (and PDF where Chromium is), run in ``runs`` on the saved facts."""
    result = run_reports(
        ["Banten"], config=report_config(report_registry), out=runs, run_id="one", jobs=1,
        progress=False, pdf=chromium() is not None,
    )  # fmt: skip
    assert result.facts_reused
    return result


# the two files of report runs hold the slowest tests: collected first, they start on
# the two test workers at once (make test keeps this order: --no-loadscope-reorder); the
# notebooks next, so that the last files to run are short ones
FIRST = (
    "test_report.py", "test_report_processes.py", "test_notebooks_run.py",
    "test_notebooks_run_active.py",
)  # fmt: skip


def pytest_collection_modifyitems(config, items):
    first = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(FIRST)))
