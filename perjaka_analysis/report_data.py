"""The heavy part of a report run, computed once and shared with every brief.

:func:`prepare_shared` fits the coverage trend, answers the target questions,
scores the employer registry and runs the enforcement scenario for every
province, and writes the results as small Parquet tables plus ``meta.json``
into one folder. The briefs (:mod:`perjaka_analysis.brief`) only read them,
so a brief's kernel never imports statsmodels or scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import warnings
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ReportConfig
from .errors import DataQualityWarning
from .provinces import NATIONAL

__all__ = ["SHIPPED_REGISTRY", "file_sha256", "git_commit", "prepare_shared"]

SHIPPED_REGISTRY = "synthetic/employers.parquet"


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str:
    """The commit of the source tree the package runs from, or ``unknown``."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
        return out.stdout.strip() + ("+local-changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def registry_path(config: ReportConfig) -> Path:
    """The registry of a run: the configured one, or the shipped synthetic one."""
    from .datasets import data_dir

    return Path(config.registry) if config.registry else data_dir() / SHIPPED_REGISTRY


def score_employers(config: ReportConfig, out: str | Path, key: bytes) -> tuple[pd.DataFrame, bool]:
    """Score the run's registry; write the inspection lists and risk by group.

    Runs in a worker while the parent fits the coverage trend. Writes
    ``scored_list.parquet`` (rows on the lists, pseudonymised) and
    ``risk_by.parquet`` into ``out``.

    Returns
    -------
    gains : pandas.DataFrame
        Per province: expected workers, dependants and contributions of the
        employers on the list, employers on the list and in the registry.
    synthetic : bool
        Whether the registry is synthetic.
    """
    from .employers.score import score_registry
    from .loaders import read_registry

    out = Path(out)
    reg_path = registry_path(config)
    registry = read_registry(reg_path)
    synthetic = "true_risk" in registry.columns or str(reg_path).endswith(SHIPPED_REGISTRY)
    scored = score_registry(
        registry,
        capacity=config.capacity,
        key=key,
        language=config.language,
        random_state=config.seed,
    )
    listed = scored[scored["on_list"]]
    gains = listed.groupby("province")[
        [
            "expected_unregistered_workers",
            "expected_unregistered_dependants",
            "expected_contributions_idr_per_month",
        ]
    ].sum()
    gains["employers_on_list"] = listed.groupby("province").size()
    gains["employers_in_registry"] = scored.groupby("province").size()
    risk_by = []
    for by in ("sector", "district", "size_band"):
        g = scored.groupby(["province", by], observed=True).agg(
            employers=("risk", "size"),
            mean_risk=("risk", "mean"),
            on_list=("on_list", "sum"),
            expected_unregistered_workers=("expected_unregistered_workers", "sum"),
        )
        g = g.reset_index().rename(columns={by: "group"})
        g.insert(1, "grouping", by)
        risk_by.append(g)
    listed.to_parquet(out / "scored_list.parquet", index=False)
    pd.concat(risk_by, ignore_index=True).to_parquet(out / "risk_by.parquet", index=False)
    return gains, bool(synthetic)


def prepare_shared(
    config: ReportConfig,
    out: str | Path,
    *,
    provinces: list[str] | None = None,
    key: bytes | None = None,
    executor: Executor | None = None,
) -> Path:
    """Compute everything the briefs show and write it to ``out``.

    Parameters
    ----------
    config : ReportConfig
        Run parameters (province is ignored: all ``provinces`` are prepared).
    out : str or Path
        Folder for the shared tables (created).
    provinces : list of str, optional
        Provinces to prepare (default all 38).
    key : bytes, optional
        Pseudonym key (default :func:`perjaka_analysis.privacy.load_key`).
    executor : concurrent.futures.Executor, optional
        Where to score the employer registry while the trend is fitted here.

    Returns
    -------
    Path
        The folder.
    """
    from .coverage import coverage_summary
    from .datasets import load_coverage, load_provinces, load_uhc_status, raw_path
    from .forecast import compute_targets, population_by_place, scenario_targets
    from .privacy import load_key
    from .trend import CoverageTrendModel

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = config.validated()
    key = key or load_key()
    # the employer registry is scored in a worker while the trend is fitted here
    scoring = executor.submit(score_employers, config, out, key) if executor else None
    table = load_provinces()
    places = provinces or list(table["province"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        coverage = load_coverage()
    population = population_by_place(table, coverage)
    results = CoverageTrendModel(coverage, status=load_uhc_status()).fit()
    deadline = pd.Timestamp(config.deadline)
    all_places = [*places, NATIONAL]
    forecast = results.forecast(deadline + pd.DateOffset(years=1), provinces=all_places)
    history = pd.concat([results.history(p) for p in all_places], ignore_index=True)
    targets = compute_targets(
        results,
        targets=config.targets,
        deadline=deadline,
        population=population,
        provinces=all_places,
        seed=config.seed,
    )
    summary = coverage_summary(coverage, table, targets=config.targets)

    if scoring is None:
        gains, synthetic = score_employers(config, out, key)
    else:
        gains, synthetic = scoring.result()
    gains = gains.reindex(places).fillna(0.0)
    national = gains.sum()
    gains.loc[NATIONAL] = national
    gains["added_participants"] = (
        gains["expected_unregistered_workers"] + gains["expected_unregistered_dependants"]
    )
    gains["population"] = population.reindex(gains.index)
    gains["added_pp"] = 100 * gains["added_participants"] / gains["population"]
    scen = []
    for name in all_places:
        added = float(gains.loc[name, "added_pp"])
        frame = scenario_targets(
            results,
            name,
            added_pp=added if np.isfinite(added) else 0.0,
            start=config.as_of,
            targets=config.targets,
            deadline=deadline,
            seed=config.seed,
        )
        frame.insert(0, "province", name)
        frame["added_pp"] = added
        scen.append(frame)
    scenario = pd.concat(scen, ignore_index=True)

    panel = results.panel.copy()
    cov_rows = coverage[coverage["district"].isna()].copy()
    tables = {
        "forecast": forecast,
        "history": history,
        "panel": panel,
        "targets": targets,
        "summary": summary,
        "gains": gains.reset_index(names="province"),
        "scenario": scenario,
        "coverage": cov_rows,
    }
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)

    data_dir = raw_path("coverage.csv").parent
    inputs = {
        name: {"path": str(data_dir / name), "sha256": file_sha256(data_dir / name)}
        for name in ("coverage.csv", "provinces.csv", "targets.csv", "ump.csv")
    }
    reg_path = registry_path(config)
    inputs["registry"] = {"path": str(reg_path), "sha256": file_sha256(reg_path)}
    from . import __version__

    meta = {
        "package_version": __version__,
        "git_commit": git_commit(),
        "inputs": inputs,
        "parameters": {k: v for k, v in config.parameters().items() if k not in ("province",)},
        "seed": config.seed,
        "registry_synthetic": bool(synthetic),
        "trend_method": results.method,
        "data_end": results.data_end.strftime("%Y-%m-%d"),
        "prepared_seconds": round(time.perf_counter() - started, 2),
        "prepared_at": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out
