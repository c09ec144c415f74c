"""The orchestrator: compute every fact of a run once, with its provenance.

:func:`compute_run_facts` reads the inputs, fits the models and calls the
question modules of :mod:`perjaka_analysis.facts`; :func:`province_facts`
gives a brief notebook its facts (read from a run, or computed for its one
province); :func:`facts_key` says when saved facts can be reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..card import compute_status_card
from ..config import ReportConfig
from ..datasets import (
    load_coverage,
    load_employer_compliance,
    load_provinces,
    load_targets,
    load_uhc_status,
    raw_path,
)
from ..errors import DataQualityWarning
from ..forecast import compute_targets
from ..geo import geojson_paths
from ..kabkota import load_kabupaten_kota, official_district_names
from ..loaders import read_targets, read_uhc_status
from ..precision import compute_gap_bounds
from ..privacy import key_digest, load_key
from ..provinces import NATIONAL
from ..segments import compute_segments, compute_status_reports, read_geography_table
from .active import compute_active_latest, compute_active_observed, compute_uhc_today
from .coverage import (
    age_months,
    basis_kind,
    compute_districts,
    compute_employer_public,
    compute_gaps,
    compute_latest,
    compute_observed,
    compute_population,
    compute_ranks,
    compute_sources,
)
from .employers import compute_inspection_list, registry_path, score_employers
from .kabkota import compute_kabkota_table
from .schema import (
    FACT_STEPS,
    FACTS_VERSION,
    LIST_ROWS,
    SCHEMA,
    ProvinceFacts,
    RunFacts,
    _frame,
    as_saved,
    load_run_facts,
)
from .targets import compute_enforcement, compute_gains, compute_scenario


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str:
    """The commit of the source tree the package runs from, or ``unknown``."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()  # fmt: skip
        return out.stdout.strip() + ("+local-changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _quiet(load: Any, *args: object, **kwargs: object) -> Any:
    """``load(*args, **kwargs)`` without data-quality warnings (the checks report them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load(*args, **kwargs)


@functools.cache
def code_hash() -> str:
    """sha256 of the package's Python modules and reference tables (what computes the facts).

    Examples
    --------
    >>> len(code_hash()), code_hash() == code_hash()
    (64, True)
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted([*root.rglob("*.py"), *root.glob("reference/*.csv")])
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def facts_key(inputs: Mapping[str, str], config: ReportConfig, key: bytes | None = None) -> str:
    """Hash of the inputs (sha256 per file), the run parameters and the code: reuse when equal.

    The code is :func:`code_hash`: facts computed by other code (another
    commit, or uncommitted changes) are never reused. With ``key`` (the
    pseudonym key), its digest (:func:`perjaka_analysis.privacy.key_digest`,
    never the key) is hashed too: after a key change no pseudonym made under
    the old key is reused.

    Examples
    --------
    >>> a = facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01"))
    >>> a == facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01", province="Bali"))
    True
    >>> a == facts_key({"coverage.csv": "ac"}, ReportConfig(as_of="2025-01-01"))
    False
    >>> a == facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01", language="en"))
    True
    >>> b = facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01"), b"key-one-1")
    >>> b == facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01"), b"key-two-2")
    False
    """
    payload = {
        "facts_version": FACTS_VERSION,
        "package_version": __version__,
        "code": code_hash(),
        "inputs": dict(sorted(inputs.items())),
        # the language only words the facts: a run in the other language reuses them
        "parameters": {k: v for k, v in config.run_parameters().items() if k != "language"},
    }
    if key is not None:
        payload["pseudonym_key"] = key_digest(key)
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _map_paths(geojson: Path) -> pd.DataFrame:
    return _frame("map", geojson_paths(geojson))


def input_files(config: ReportConfig) -> dict[str, Path]:
    """The files a run reads, by the name the manifest gives them."""
    files = {
        name: raw_path(name)
        for name in (
            "coverage.csv", "provinces.csv", "uhc_status.csv", "provinces.geojson",
            "other_points.csv", "coverage_districts.csv", "targets.csv",
            "employer_compliance.csv", "kabupaten_kota.csv", "segments.csv",
            "participant_arrears.csv",
        )
    }  # fmt: skip
    files["registry"] = registry_path(config)
    return files


def _load_active_shares(coverage: pd.DataFrame) -> pd.DataFrame:
    """Every published active share (:func:`perjaka_analysis.active.load_active_shares`)."""
    # heavy: scipy.stats loads only when a run computes facts; a brief kernel that reads
    # the facts never loads it
    from ..active_data import load_active_shares

    return _quiet(load_active_shares, coverage=coverage)


def _active_tables(
    registration, shares: pd.DataFrame, config: ReportConfig, places: list[str], deadline
) -> dict[str, pd.DataFrame]:
    """Active share (latest figure, nowcast, history, forecast) and UHC status today."""
    # heavy: the models (scipy.optimize, scipy.stats) load only when a run computes facts;
    # a brief kernel that reads the facts never loads them
    from ..active import ActiveShareModel
    from ..uhc import TODAY, compute_uhc_status, uhc_conditions

    active = ActiveShareModel(shares, registration=registration, status=load_uhc_status()).fit()
    keep = set(places)
    nowcast = active.nowcast(config.as_of)
    conditions = uhc_conditions(load_targets())
    status = compute_uhc_status(
        registration,
        active,
        conditions=conditions[conditions["condition"] == TODAY],
        deadline=deadline,
        provinces=places,
        seed=config.seed,
        as_of=config.as_of,
    )
    return {
        "active_latest": compute_active_latest(shares, config.as_of),
        "active_nowcast": _frame("active_nowcast", nowcast[nowcast["province"].isin(keep)]),
        "active_forecast": _frame(
            "active_forecast",
            active.forecast(deadline + pd.DateOffset(years=1), levels=(80,), provinces=places),
        ),
        "active_history": _frame(
            "active_history", pd.concat([active.history(p) for p in places], ignore_index=True)
        ),
        "active_observed": compute_active_observed(shares, places),
        "uhc": compute_uhc_today(status, TODAY),
    }


def compute_run_facts(
    config: ReportConfig | Mapping[str, Any],
    *,
    provinces: Sequence[str] | None = None,
    key: bytes | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunFacts:
    """Compute every fact of a run, once.

    Parameters
    ----------
    config : ReportConfig or mapping
        Run parameters (``province`` is ignored); an empty ``as_of`` becomes
        the date of the latest published figure.
    provinces : sequence of str, optional
        Places whose forecast, targets and scenario are computed (default
        all 38; the national figures are always computed). A brief opened
        by hand passes its own province.
    key : bytes, optional
        Pseudonym key (default :func:`perjaka_analysis.privacy.load_key`).
    executor : concurrent.futures.Executor, optional
        Where to score the employer registry while the trend is fitted here.
    progress : callable, optional
        Called with the name of each step (:data:`FACT_STEPS`) as it starts.

    Returns
    -------
    RunFacts
    """
    # heavy: the models (scipy.optimize, scipy.stats) load only when a run computes facts;
    # a brief kernel that reads the facts never loads them
    from ..trend import CoverageTrendModel
    from ..uhc import uhc_conditions

    if not isinstance(config, ReportConfig):
        config = ReportConfig.from_mapping(dict(config))
    requested = config
    step = progress or (lambda name: None)
    step(FACT_STEPS[0])
    key = key or load_key()
    files = input_files(config)
    scoring = executor.submit(score_employers, config, key) if executor else None
    try:
        table = load_provinces()
        kabkota = load_kabupaten_kota(files["kabupaten_kota.csv"])
        coverage = _quiet(load_coverage, files["coverage.csv"])
        status = load_uhc_status()
        step(FACT_STEPS[1])
        results = CoverageTrendModel(coverage, status=status).fit()
        results.keep_paths()  # the targets, UHC status and scenario draw the same paths
        config = config.resolved(results.data_end)
        places = [p for p in (provinces or table["province"]) if p != NATIONAL]
        all_places = [*places, NATIONAL]
        order = [*table["province"], NATIONAL]

        population = compute_population(table, coverage)
        latest = compute_latest(coverage).set_index("province").reindex(order)
        latest["n_points"] = latest["n_points"].fillna(0).astype("int64")
        latest["rank"] = compute_ranks(latest["latest_pct"])
        latest["population"] = population.reindex(order)
        latest["basis"] = [results.trends[p].basis if p in results.trends else "" for p in order]
        latest["basis_kind"] = [basis_kind(b) for b in latest["basis"]]
        groups = {p: results.trends[p].group for p in all_places if p in results.trends}
        latest["observed_group"] = [groups.get(p) or "" for p in order]
        latest["latest_precision"] = latest["latest_precision"].fillna("")
        for col in ("latest_source", "latest_source_url", "territory", "latest_qualifier"):
            latest[col] = latest[col].fillna("")
        latest["latest_decimals"] = latest["latest_decimals"].fillna(2).astype("int64")
        latest["latest_age_months"] = [
            age_months(d, config.as_of, p)
            for d, p in zip(latest["latest_date"], latest["latest_precision"], strict=True)
        ]
        places_t = _frame("places", latest.reset_index(names="province"))

        deadline = pd.Timestamp(config.deadline)
        shares = _load_active_shares(coverage)
        step(FACT_STEPS[2])
        targets = compute_targets(
            results,
            targets=config.targets,
            deadline=deadline,
            population=population,
            provinces=all_places,
            seed=config.seed,
        )
        forecast = results.forecast(deadline + pd.DateOffset(years=1), provinces=all_places)
        history = pd.concat([results.history(p) for p in all_places], ignore_index=True)
        tables: dict[str, pd.DataFrame] = {
            "places": places_t,
            "gaps": _frame(
                "gaps",
                compute_gap_bounds(
                    compute_gaps(latest["latest_pct"], population, config.targets), places_t
                ),
            ),
            "targets": _frame("targets", targets),
            "forecast": _frame("forecast", forecast),
            "history": _frame("history", history),
            "observed": compute_observed(results.panel, groups),
            "sources": compute_sources(coverage, status, active=shares),
            "map": _map_paths(files["provinces.geojson"]),
            "employer_public": compute_employer_public(
                load_employer_compliance(files["employer_compliance.csv"]),
                all_places,
                config.as_of,
            ),
            "districts": compute_districts(
                official_district_names(
                    _quiet(load_coverage, files["coverage_districts.csv"]), kabkota
                ),
                read_targets(files["targets.csv"]),
                places,
            ),
        }
        tables["kabkota"] = _frame(
            "kabkota",
            compute_kabkota_table(
                kabkota[kabkota["province"].isin(places)], tables["districts"], config.as_of
            ),
        )
        tables["segments"] = _frame(
            "segments",
            compute_segments(
                read_geography_table(files["segments.csv"]),
                read_geography_table(files["participant_arrears.csv"]),
                all_places,
                config.as_of,
            ),
        )
        tables["status_report"] = _frame(
            "status_report",
            compute_status_reports(
                read_uhc_status(files["uhc_status.csv"]),
                places,
                config.as_of,
                uhc_conditions(read_targets(files["targets.csv"])),
            ),
        )
        tables["nowcast"] = _frame("nowcast", results.nowcast(config.as_of))
        step(FACT_STEPS[3])
        tables.update(_active_tables(results, shares, config, all_places, deadline))
        tables["card"] = _frame(
            "card",
            compute_status_card(
                places_t,
                tables["nowcast"],
                tables["active_nowcast"],
                tables["active_latest"],
                tables["uhc"],
            ),
        )
        step(FACT_STEPS[4])
        scored = scoring.result() if scoring is not None else score_employers(config, key)
    except BaseException:
        if scoring is not None:
            scoring.cancel()
        raise
    step(FACT_STEPS[5])
    gains = compute_gains(scored["listed"], scored["counts"], population, places)
    tables["gains"] = gains
    tables["scenario"] = compute_scenario(
        results,
        gains,
        start=config.as_of,
        targets=config.targets,
        deadline=deadline,
        seed=config.seed,
        reached=tables["targets"],
    )
    if "nowcast" in tables:
        tables["enforcement"] = compute_enforcement(gains, tables["nowcast"], tables["targets"])
    keep = set(all_places)
    # every listed employer (the lists' files); a brief shows the top LIST_ROWS of each
    plan = compute_inspection_list(
        scored["listed"][scored["listed"]["province"].isin(keep)], n=None
    )
    tables["inspection_plan"] = _frame("inspection_plan", plan)
    tables["inspection_list"] = _frame(
        "inspection_list", plan.groupby("province", sort=False).head(LIST_ROWS)
    )
    tables["capacity"] = scored["capacity"][scored["capacity"]["province"].isin(keep)]
    risk_by = scored["risk_by"]
    tables["risk_by"] = risk_by[risk_by["province"].isin(keep)].reset_index(drop=True)
    hashes = {name: file_sha256(path) for name, path in files.items()}
    meta = {
        "facts_version": FACTS_VERSION,
        "package_version": __version__,
        "git_commit": git_commit(),
        "inputs": {
            name: {"file": Path(path).name, "sha256": hashes[name]} for name, path in files.items()
        },
        "parameters": config.run_parameters(),
        "registry_synthetic": bool(scored["synthetic"]),
        "trend_method": results.method,
        # what the inspection lists are ordered by (employers.score.priority_scores, "blend")
        "list_blend_offset": float(scored["blend_offset"]),
        "data_end": results.data_end.strftime("%Y-%m-%d"),
        "ranked_provinces": int(places_t["rank"].notna().sum()),
        "key": facts_key(hashes, requested, key),
    }
    # as a reader of the saved facts gets them: computed and reused facts are the same tables
    ordered = {n: as_saved(tables[n]) for n in SCHEMA if n in tables}
    return RunFacts(config=config, meta=meta, tables=ordered)


def province_facts(**parameters: object) -> ProvinceFacts:
    """The facts of one brief, from the report parameters (a brief notebook's parameters cell).

    With ``facts`` set (a report run), the run's saved facts are read once
    per process; with ``facts=""`` (a notebook opened by hand) they are
    computed by :func:`compute_run_facts`, the one function a run uses, for
    this province only, in memory.

    Parameters
    ----------
    **parameters
        The fields of :class:`~perjaka_analysis.config.ReportConfig`
        (``province, as_of, targets, deadline, language, registry,
        capacity, seed, facts``); an unknown name is an error.

    Returns
    -------
    ProvinceFacts
        The view of ``province``; :class:`perjaka_analysis.brief.Brief`
        draws its sections from it.
    """
    config = ReportConfig.from_mapping(dict(parameters))
    if config.facts:
        run = load_run_facts(config.facts).in_language(config.language)  # read once per process
    else:
        run = compute_run_facts(config, provinces=[config.province])
    return run.for_province(config.province)
