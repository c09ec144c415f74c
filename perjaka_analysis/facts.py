"""Run facts: every number a brief or the overview shows, computed once per run.

:func:`compute_run_facts` reads the inputs, fits the coverage trend, answers
the target questions, scores the employer registry and runs the enforcement
scenario, and returns a frozen :class:`RunFacts`: a few long tables with
fixed, documented columns (:data:`SCHEMA`) and a small ``meta`` mapping
(parameters, inputs read and their hashes, provenance). Renderers
(:mod:`perjaka_analysis.render`) read these tables and nothing else.

Every derived number is one named function of this module, tested on a tiny
frame whose answer is computed by hand: :func:`compute_population`,
:func:`compute_latest`, :func:`compute_ranks`, :func:`compute_gaps`,
:func:`compute_gains`, :func:`months_earlier`, :func:`compute_scenario`,
:func:`compute_observed`, :func:`compute_risk_by`,
:func:`compute_inspection_list`. Crossing dates and probabilities come from
:func:`perjaka_analysis.forecast.compute_targets` and
:func:`~perjaka_analysis.forecast.scenario_targets` (one crossing logic).

Saved and loaded in one place (:meth:`RunFacts.save`, :func:`load_run_facts`):
one Parquet file per table plus ``facts.json``; the same inputs and
parameters give byte-identical files.

Adding a table later (active share, UHC status, district figures) means one
:data:`SCHEMA` entry and one ``compute_`` function; the renderers reach
every table through :meth:`RunFacts.table` and :meth:`ProvinceFacts.rows`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import subprocess
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .config import ReportConfig
from .errors import DataQualityWarning, PerjakaError
from .geo import geojson_paths
from .io import data_dir
from .provinces import NATIONAL

__all__ = [
    "FACTS_VERSION",
    "LIST_ROWS",
    "SCHEMA",
    "ProvinceFacts",
    "RunFacts",
    "age_months",
    "basis_kind",
    "compute_active_latest",
    "compute_capacity",
    "compute_gains",
    "compute_gaps",
    "compute_inspection_list",
    "compute_latest",
    "compute_observed",
    "compute_population",
    "compute_ranks",
    "compute_risk_by",
    "compute_run_facts",
    "compute_scenario",
    "compute_uhc_today",
    "facts_key",
    "file_sha256",
    "load_run_facts",
    "months_earlier",
]

#: Version of the saved layout; a change makes earlier saved facts unreadable.
FACTS_VERSION = 7
#: Rows of each province's inspection list kept in the facts (what a brief shows).
LIST_ROWS = 15
SHIPPED_REGISTRY = "synthetic/employers.parquet"

#: The tables of a run and their columns, in order. ``province`` is an
#: official name or ``INDONESIA``; percentages are ``_pct`` (0-100) or
#: ``_pp`` (points); probabilities 0-1; dates are timestamps.
SCHEMA: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # one row per place: the latest published figure and its rank
        "places": (
            "province", "population", "n_points", "latest_date", "latest_precision",
            "latest_pct", "latest_source", "latest_source_url", "territory", "rank",
            "basis", "observed_group", "latest_qualifier", "latest_decimals",
            "latest_age_months", "basis_kind",
        ),
        # distance of the latest figure to each target
        "gaps": ("province", "target_pct", "gap_pp", "gap_people"),
        # crossing of each target (compute_targets)
        "targets": (
            "province", "target_pct", "status", "expected_date", "date_lower_80",
            "date_upper_80", "prob_by_deadline", "required_per_month", "recent_per_month",
            "pace_ratio",
        ),
        "forecast": ("province", "date", "mean", "lower", "upper", "level"),
        "nowcast": ("province", "date", "mean", "lower", "upper", "level"),
        "history": ("province", "date", "mean"),
        # the published figures the trend of a place rests on
        "observed": ("province", "date", "pct", "territory", "own_territory"),
        # if the listed employers complied
        "gains": (
            "province", "employers_in_registry", "employers_on_list",
            "expected_unregistered_workers", "expected_unregistered_dependants",
            "expected_contributions_idr_per_month", "added_participants", "population",
            "added_pp",
        ),
        "scenario": (
            "province", "target_pct", "added_pp", "baseline_date", "scenario_date",
            "months_earlier", "baseline_prob", "scenario_prob",
        ),
        # how much of the distance from the nowcast to each target the list closes
        "enforcement": (
            "province", "target_pct", "nowcast_pct", "gap_pp", "gap_people", "added_participants",
            "added_pp", "share_closed", "remaining_people", "recent_per_month",
            "months_of_growth",
        ),
        # disclosure-safe: banded facts shared by >= 5 employers of the registry
        "inspection_list": (
            "province", "rank_in_province", "pseudonym", "district", "sector", "size_band",
            "risk_band", "reasons", "workers_band", "disclosure_level",
        ),
        "risk_by": (
            "province", "grouping", "group", "employers", "mean_risk", "on_list",
            "expected_unregistered_workers",
        ),
        # every published figure of a place: coverage (its measure) and UHC reports
        # (measure uhc_report_95 / uhc_below_98 ...: the threshold of the report's
        # time; coverage_pct empty), with their citations
        "sources": (
            "province", "date", "date_precision", "measure", "coverage_pct", "source_url",
            "publisher", "published", "published_precision", "qualifier", "decimals",
        ),
        # inspections per province and the rule that set them (public_figures.capacity_rule)
        "capacity": (
            "province", "n_registry", "capacity", "rule", "public_metric", "public_count",
            "public_date", "registered_employers", "whole_registry", "registered_date",
        ),
        # every listed employer of each province, disclosure-safe (the lists' files)
        "inspection_plan": (
            "province", "rank_in_province", "pseudonym", "district", "sector", "size_band",
            "risk_band", "reasons", "workers_band", "disclosure_level", "selection",
            "inclusion_probability", "inspection_list", "model_version", "data_date",
        ),
        # the latest published active share of each place (basis as published)
        "active_latest": (
            "province", "active_date", "active_precision", "active_pct", "active_basis",
            "active_age_months", "active_source", "active_source_url",
        ),
        # active share of population: model nowcast on as_of, history, forecast, figures
        "active_nowcast": (
            "province", "date", "mean", "lower", "upper", "level", "basis", "n_points",
        ),
        "active_forecast": ("province", "date", "mean", "lower", "upper", "level"),
        "active_history": ("province", "date", "mean"),
        "active_observed": ("province", "date", "pct"),
        # UHC under today's definition (registered and active together), from paired paths
        "uhc": (
            "province", "condition", "registered_pct", "active_pct", "prob_now",
            "prob_by_deadline", "prob_registered", "prob_active", "expected_date",
            "date_lower_80", "date_upper_80", "binding",
        ),
        # public PERJAKA figures on employers, as published (public_figures.employer_figures)
        "employer_public": (
            "province", "area", "date", "date_precision", "metric", "value", "unit", "qualifier",
            "source_url", "publisher", "published", "published_precision",
        ),
        # latest figure of each kabupaten/kota against its target (public_figures.district_table)
        "districts": (
            "province", "district", "date", "date_precision", "coverage_pct", "target_pct",
            "target_basis", "gap_pp", "source_url", "publisher", "published",
            "published_precision",
        ),
        # province outlines for the overview map (SVG path data)
        "map": ("province", "path"),
    }
)  # fmt: skip


# -- small helpers ------------------------------------------------------------------------------
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
            capture_output=True, text=True, timeout=5, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()  # fmt: skip
        return out.stdout.strip() + ("+local-changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def registry_path(config: ReportConfig) -> Path:
    """The registry of a run: the configured one, or the shipped synthetic one."""
    return Path(config.registry) if config.registry else data_dir() / SHIPPED_REGISTRY


def _quiet(load: Any, *args: object, **kwargs: object) -> Any:
    """``load(*args, **kwargs)`` without data-quality warnings (the checks report them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load(*args, **kwargs)


def _stack(name: str, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other as table ``name`` (empty, with its columns, when none)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: [] for c in SCHEMA[name]})
    return _frame(name, pd.concat(frames, ignore_index=True))


def _frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with exactly its schema's columns, in order, and a fresh index."""
    cols = list(SCHEMA[name])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise PerjakaError(f"facts table '{name}' lacks columns {missing}")
    return frame[cols].reset_index(drop=True)


# -- the named, tested functions ----------------------------------------------------------------
def compute_population(provinces: pd.DataFrame, coverage: pd.DataFrame) -> pd.Series:
    """Population of every province and of ``INDONESIA`` (one definition per run).

    The national population is the denominator of the latest national
    registered figure that states one; without such a figure it is the sum of
    the provinces (missing when any province is missing). A population that
    is not positive is missing.

    Parameters
    ----------
    provinces : pandas.DataFrame
        ``province``, ``population``.
    coverage : pandas.DataFrame
        Validated coverage rows (``province, district, measure, date, population``).

    Returns
    -------
    pandas.Series
        Float population indexed by place, ``INDONESIA`` last.

    Examples
    --------
    >>> prov = pd.DataFrame({"province": ["A", "B"], "population": [10, 30]})
    >>> cov = pd.DataFrame(columns=["province", "district", "measure", "date", "population"])
    >>> compute_population(prov, cov).to_dict()
    {'A': 10.0, 'B': 30.0, 'INDONESIA': 40.0}
    """
    pop = provinces.set_index("province")["population"].astype("float64")
    pop = pop.where(pop > 0)
    rows = coverage[
        (coverage["province"] == NATIONAL)
        & coverage["district"].isna()
        & (coverage["measure"] == "registered")
        & coverage["population"].notna()
    ].sort_values("date", kind="stable")
    if not rows.empty and float(rows["population"].iloc[-1]) > 0:
        national = float(rows["population"].iloc[-1])
    else:
        national = float(pop.sum()) if pop.notna().all() else np.nan
    pop = pop.drop(NATIONAL, errors="ignore")
    pop[NATIONAL] = national
    pop.index.name = "province"
    return pop.rename("population")


def _published_values(rows: pd.DataFrame) -> list[Any]:
    """:func:`perjaka_analysis.sources.published_value` of each row's ``coverage_pct``.

    ``None`` where the row has no percentage; ``note``, ``coverage_basis``,
    ``participants`` and ``population`` are read where the frame has them.
    """
    from .sources import published_value

    def col(name: str) -> pd.Series:
        return rows[name] if name in rows else pd.Series([None] * len(rows), dtype=object)

    return [
        None if pd.isna(v) else published_value(
            float(v), note=n, basis=b if isinstance(b, str) else "stated",
            participants=k, population=p,
        )
        for v, n, b, k, p in zip(
            rows["coverage_pct"], col("note"), col("coverage_basis"), col("participants"),
            col("population"), strict=True,
        )
    ]  # fmt: skip


def compute_latest(coverage: pd.DataFrame) -> pd.DataFrame:
    """The latest registered figure of every place: the one rule of "latest figure".

    The choice among same-date rows is that of
    :func:`perjaka_analysis.coverage.latest_coverage` (the last row of
    :func:`~perjaka_analysis.coverage.sort_coverage`); the headline, the
    ranking, the gaps and the overview all read this table. The source is
    :func:`perjaka_analysis.sources.cite` of the row (the URL's host, or the
    publisher named in ``note``); the precision of the value is
    :func:`perjaka_analysis.sources.published_value` (``"> 96%"`` stays a
    lower bound, counts "sekitar 31 juta" give an ``about`` value).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.

    Returns
    -------
    pandas.DataFrame
        ``province, latest_date, latest_precision, latest_pct,
        latest_source, latest_source_url, territory, n_points,
        latest_qualifier, latest_decimals``.
    """
    from .coverage import sort_coverage
    from .sources import cite

    reg = coverage[(coverage["measure"] == "registered") & coverage["district"].isna()]
    latest = sort_coverage(reg).drop_duplicates("province", keep="last")
    latest = latest.sort_values("province", kind="stable").reset_index(drop=True)
    counts = reg.groupby("province").size()

    def col(name: str) -> pd.Series:
        return latest[name] if name in latest else pd.Series([None] * len(latest), dtype=object)

    citations = [cite(u, n) for u, n in zip(col("source_url"), col("note"), strict=True)]
    values = _published_values(latest)
    out = pd.DataFrame(
        {
            "province": latest["province"].astype(str),
            "latest_date": pd.to_datetime(latest["date"]),
            "latest_precision": latest["date_precision"].astype(str),
            "latest_pct": latest["coverage_pct"].astype("float64"),
            "latest_source": [c.publisher for c in citations],
            "latest_source_url": [c.url for c in citations],
            "territory": latest["territory"].astype(str),
            "latest_qualifier": [v.qualifier for v in values],
            "latest_decimals": np.array([v.decimals for v in values], dtype="int64"),
        }
    )
    out["n_points"] = out["province"].map(counts).fillna(0).astype("int64")
    return out.reset_index(drop=True)


def age_months(date: object, as_of: object, precision: str = "day") -> float:
    """Whole calendar months from a figure's date to ``as_of`` (missing without a date).

    A figure dated to a month or a year may come from its first day: its age
    is counted from there (a figure "of 2024" is up to 11 months old at the
    end of 2024, not 0).

    Examples
    --------
    >>> age_months("2023-12-31", "2025-06-30"), age_months("2025-06-01", "2025-06-30")
    (18.0, 0.0)
    >>> age_months("2024-12-31", "2024-12-31", "year")
    11.0
    >>> age_months(None, "2025-06-30")
    nan
    """
    if date is None or pd.isna(date):
        return float("nan")
    d, now = pd.Timestamp(date), pd.Timestamp(as_of)
    if precision == "year":
        d = d.replace(month=1)
    return float(max((now.year - d.year) * 12 + now.month - d.month, 0))


def basis_kind(basis: str) -> str:
    """What a place's registration trend rests on: ``own``, ``borrowed`` or ``none``.

    ``own`` = the place's own published figures; ``borrowed`` = figures of an
    older, larger territory (before a split) or of a predecessor; ``none`` =
    no figure of its own or of a predecessor (pooled trend of all provinces).

    Examples
    --------
    >>> [basis_kind(b) for b in ("own data", "pre-split territory + UHC status (2 reports)",
    ...                          "pooled (no data) + UHC status (1 report)")]
    ['own', 'borrowed', 'none']
    """
    b = str(basis)
    if b.startswith("own"):
        return "own"
    if not b or b.startswith("pooled"):
        return "none"
    return "borrowed"


def compute_active_latest(shares: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """The latest published active share of every province, with its basis, age and source.

    Province-level rows only (district figures are left out); among rows of
    the same latest date the last in the input order is kept. The share is
    shown as published: ``active_basis`` says whether it is a share of the
    population, of the participants, or unclear.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`perjaka_analysis.active.load_active_shares` (``province,
        district, date, date_precision, active_pct, active_basis,
        source_url, note``).
    as_of : date
        The date the age is counted to.

    Returns
    -------
    pandas.DataFrame
        The ``active_latest`` table of :data:`SCHEMA`, by province.

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["A", "A"], "district": [None, None],
    ...     "date": pd.to_datetime(["2023-01-31", "2024-03-31"]),
    ...     "date_precision": ["day", "month"],
    ...     "active_pct": [70.0, 75.5], "active_basis": ["unclear", "of_population"],
    ...     "source_url": ["https://a.example/1", None],
    ...     "note": ["", "source: Tribun, March 2024"]})
    >>> r = compute_active_latest(s, "2025-03-31").iloc[0]
    >>> float(r.active_pct), r.active_basis, float(r.active_age_months), r.active_source
    (75.5, 'of_population', 12.0, 'Tribun')
    """
    from .sources import cite

    rows = shares[shares["district"].isna() & shares["active_pct"].notna()]
    rows = rows.sort_values(["province", "date"], kind="stable")
    latest = rows.drop_duplicates("province", keep="last").reset_index(drop=True)
    citations = [cite(u, n) for u, n in zip(latest["source_url"], latest["note"], strict=True)]
    out = pd.DataFrame(
        {
            "province": latest["province"].astype(str),
            "active_date": pd.to_datetime(latest["date"]),
            "active_precision": latest["date_precision"].astype(str),
            "active_pct": latest["active_pct"].astype("float64"),
            "active_basis": latest["active_basis"].astype(str),
            "active_age_months": [
                age_months(d, as_of, p or "day")
                for d, p in zip(latest["date"], latest["date_precision"].fillna(""), strict=True)
            ],
            "active_source": [c.publisher for c in citations],
            "active_source_url": [c.url for c in citations],
        }
    )
    return _frame("active_latest", out)


def compute_uhc_today(status: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The rows of one UHC condition (today's definition) from the joint status table.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`perjaka_analysis.uhc.compute_uhc_status`.
    condition : str
        The condition's name (:data:`perjaka_analysis.uhc.TODAY`).

    Returns
    -------
    pandas.DataFrame
        The ``uhc`` table of :data:`SCHEMA`.

    Raises
    ------
    PerjakaError
        If no row has that condition.
    """
    rows = status[status["condition"] == condition]
    if rows.empty:
        have = ", ".join(sorted(status["condition"].astype(str).unique()))
        raise PerjakaError(f"no UHC status for condition {condition!r} (have: {have})")
    return _frame("uhc", rows)


def compute_ranks(latest_pct: pd.Series) -> pd.Series:
    """Rank of each province by its latest figure (1 = highest; ties share the best rank).

    ``INDONESIA`` and places without a figure have no rank.

    Examples
    --------
    >>> s = pd.Series({"A": 90.0, "B": 99.0, "C": 90.0, "D": np.nan, "INDONESIA": 95.0})
    >>> compute_ranks(s).astype("float").to_dict()
    {'A': 2.0, 'B': 1.0, 'C': 2.0, 'D': nan, 'INDONESIA': nan}
    """
    values = latest_pct.astype("float64").where(latest_pct.index != NATIONAL)
    return values.rank(ascending=False, method="min").astype("Int64")


def compute_gaps(
    latest_pct: pd.Series, population: pd.Series, targets: Sequence[float]
) -> pd.DataFrame:
    """Percentage points and people still missing to each target (0 once reached).

    Parameters
    ----------
    latest_pct : pandas.Series
        Latest figure per place.
    population : pandas.Series
        Population per place (:func:`compute_population`).
    targets : sequence of float
        Targets in percent.

    Returns
    -------
    pandas.DataFrame
        ``province, target_pct, gap_pp, gap_people`` (one row per place and
        target; missing where the figure or population is).

    Examples
    --------
    >>> g = compute_gaps(pd.Series({"A": 97.5}), pd.Series({"A": 1000.0}), [95, 98.6])
    >>> g[["target_pct", "gap_pp", "gap_people"]].values.tolist()
    [[95.0, 0.0, 0.0], [98.6, 1.1, 11.0]]
    """
    rows = []
    for place, pct in latest_pct.items():
        people = float(population.get(place, np.nan))
        for t in sorted(float(x) for x in targets):
            gap = max(t - float(pct), 0.0) if pd.notna(pct) else np.nan
            gap = round(gap, 6) if pd.notna(gap) else gap
            rows.append(
                {
                    "province": place,
                    "target_pct": t,
                    "gap_pp": gap,
                    "gap_people": round(gap / 100 * people) if pd.notna(gap * people) else np.nan,
                }
            )
    return _frame("gaps", pd.DataFrame(rows, columns=list(SCHEMA["gaps"])))


def compute_gains(
    listed: pd.DataFrame,
    scored_counts: pd.Series,
    population: pd.Series,
    places: Sequence[str],
) -> pd.DataFrame:
    """What the inspection lists would add if every listed employer complied.

    ``added_participants`` = expected unregistered workers + their
    dependants; ``added_pp`` = 100 × added participants / population
    (missing when the population is). ``INDONESIA`` is the sum of the places.

    Parameters
    ----------
    listed : pandas.DataFrame
        Listed employers (``province``, ``expected_unregistered_workers``,
        ``expected_unregistered_dependants``,
        ``expected_contributions_idr_per_month``).
    scored_counts : pandas.Series
        Employers in the registry per province.
    population : pandas.Series
        Population per place, with ``INDONESIA``.
    places : sequence of str
        Provinces (``INDONESIA`` is added).

    Returns
    -------
    pandas.DataFrame
        The ``gains`` table of :data:`SCHEMA`, ``INDONESIA`` last.

    Examples
    --------
    >>> listed = pd.DataFrame({"province": ["A", "A"], "expected_unregistered_workers": [2.0, 1.0],
    ...     "expected_unregistered_dependants": [1.5, 0.5],
    ...     "expected_contributions_idr_per_month": [10.0, 5.0]})
    >>> pop = pd.Series({"A": 500.0, "B": 1500.0, "INDONESIA": 2000.0})
    >>> g = compute_gains(listed, pd.Series({"A": 4, "B": 3}), pop, ["A", "B"])
    >>> g[["province", "added_participants", "added_pp"]].values.tolist()
    [['A', 5.0, 1.0], ['B', 0.0, 0.0], ['INDONESIA', 5.0, 0.25]]
    """
    cols = [
        "expected_unregistered_workers",
        "expected_unregistered_dependants",
        "expected_contributions_idr_per_month",
    ]
    places = [p for p in places if p != NATIONAL]
    sums = listed.groupby("province")[cols].sum().reindex(places).fillna(0.0)
    sums["employers_on_list"] = listed.groupby("province").size().reindex(places).fillna(0)
    sums["employers_in_registry"] = scored_counts.reindex(places).fillna(0)
    sums.loc[NATIONAL] = sums.sum()
    sums["employers_on_list"] = sums["employers_on_list"].astype("int64")
    sums["employers_in_registry"] = sums["employers_in_registry"].astype("int64")
    sums["added_participants"] = (
        sums["expected_unregistered_workers"] + sums["expected_unregistered_dependants"]
    )
    pop = population.reindex(sums.index).astype("float64")
    sums["population"] = pop.where(pop > 0)
    sums["added_pp"] = 100 * sums["added_participants"] / sums["population"]
    return _frame("gains", sums.reset_index(names="province"))


def months_earlier(baseline: object, scenario: object) -> float:
    """Whole calendar months from the scenario's crossing to the baseline's.

    Missing when either date is (beyond the horizon).

    Examples
    --------
    >>> months_earlier(pd.Timestamp("2027-03-31"), pd.Timestamp("2026-11-30"))
    4.0
    >>> months_earlier(pd.NaT, pd.Timestamp("2026-11-30"))
    nan
    """
    if pd.isna(baseline) or pd.isna(scenario):
        return np.nan
    b, s = pd.Timestamp(baseline), pd.Timestamp(scenario)
    return float((b.year - s.year) * 12 + (b.month - s.month))


def compute_scenario(
    results: Any,
    gains: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    targets: Sequence[float],
    deadline: str | pd.Timestamp,
    seed: int,
) -> pd.DataFrame:
    """Baseline and enforcement-scenario crossing of each target, per place.

    The scenario adds each place's ``added_pp`` (:func:`compute_gains`) from
    ``start`` on; crossings come from
    :func:`perjaka_analysis.forecast.scenario_targets`, months earlier from
    :func:`months_earlier`. A missing ``added_pp`` counts as no jump.

    Returns
    -------
    pandas.DataFrame
        The ``scenario`` table of :data:`SCHEMA`.
    """
    from .forecast import scenario_targets

    frames = []
    for row in gains.itertuples(index=False):
        added = float(row.added_pp) if np.isfinite(row.added_pp) else 0.0
        frame = scenario_targets(
            results,
            row.province,
            added_pp=added,
            start=start,
            targets=targets,
            deadline=deadline,
            seed=seed,
        )
        frame = frame.copy()
        frame.insert(0, "province", row.province)
        frame["added_pp"] = row.added_pp
        frame["months_earlier"] = [
            months_earlier(b, s)
            for b, s in zip(frame["baseline_date"], frame["scenario_date"], strict=True)
        ]
        frames.append(frame)
    return _frame("scenario", pd.concat(frames, ignore_index=True))


def compute_enforcement(
    gains: pd.DataFrame, nowcast: pd.DataFrame, targets: pd.DataFrame
) -> pd.DataFrame:
    """How much of the distance to each target the enforcement list would close.

    The distance runs from today's nowcast (the model's central estimate on
    ``as_of``, lowest interval level), not from the latest published figure,
    which can be years old.

    ``gap_pp`` = max(target − nowcast, 0); ``gap_people`` = gap_pp / 100 ×
    population; ``share_closed`` = min(added_pp / gap_pp, 1) (missing when the
    target is already met); ``remaining_people`` = max(gap_people − added, 0);
    ``months_of_growth`` = added / ``recent_per_month`` (how many months of the
    recent net growth the list equals; missing without recent growth).

    Parameters
    ----------
    gains : pandas.DataFrame
        The ``gains`` table (:func:`compute_gains`).
    nowcast : pandas.DataFrame
        The ``nowcast`` table (``province, mean, level``).
    targets : pandas.DataFrame
        The ``targets`` table (``province, target_pct, recent_per_month``).

    Returns
    -------
    pandas.DataFrame
        The ``enforcement`` table of :data:`SCHEMA`: one row per place with a
        nowcast and each of its targets.

    Examples
    --------
    >>> gains = pd.DataFrame({"province": ["A"], "added_participants": [500.0],
    ...     "added_pp": [0.05], "population": [1_000_000.0]})
    >>> now = pd.DataFrame({"province": ["A"], "mean": [97.8], "level": [80]})
    >>> tg = pd.DataFrame({"province": ["A", "A"], "target_pct": [95.0, 98.0],
    ...     "recent_per_month": [1000.0, 1000.0]})
    >>> e = compute_enforcement(gains, now, tg)
    >>> e[["target_pct", "gap_people", "share_closed", "remaining_people",
    ...    "months_of_growth"]].round(3).values.tolist()
    [[95.0, 0.0, nan, 0.0, 0.5], [98.0, 2000.0, 0.25, 1500.0, 0.5]]
    """
    now = nowcast.sort_values("level", kind="stable").drop_duplicates("province")
    rows = (
        targets[["province", "target_pct", "recent_per_month"]]
        .merge(now[["province", "mean"]].rename(columns={"mean": "nowcast_pct"}), on="province")
        .merge(gains[["province", "added_participants", "added_pp", "population"]], on="province")
    )
    rows["gap_pp"] = (rows["target_pct"] - rows["nowcast_pct"]).clip(lower=0)
    rows["gap_people"] = rows["gap_pp"] / 100 * rows["population"]
    open_gap = rows["gap_pp"] > 0
    rows["share_closed"] = (rows["added_pp"] / rows["gap_pp"]).clip(upper=1).where(open_gap)
    rows["remaining_people"] = (rows["gap_people"] - rows["added_participants"]).clip(lower=0)
    growth = rows["recent_per_month"].where(rows["recent_per_month"] > 0)
    rows["months_of_growth"] = rows["added_participants"] / growth
    return _frame("enforcement", rows)


def compute_observed(panel: pd.DataFrame, groups: Mapping[str, str | None]) -> pd.DataFrame:
    """The published figures behind each place's trend, with their territory.

    Parameters
    ----------
    panel : pandas.DataFrame
        The trend's panel (``territory, date, pct``).
    groups : mapping
        Place to the observed territory its trend was fitted on (None: pooled).

    Returns
    -------
    pandas.DataFrame
        ``province, date, pct, territory, own_territory`` (own_territory is
        False for figures of an older, larger territory).

    Examples
    --------
    >>> panel = pd.DataFrame({"territory": ["P (pre-2022)", "Q"],
    ...     "date": pd.to_datetime(["2020-01-01", "2021-01-01"]), "pct": [90.0, 95.0]})
    >>> compute_observed(panel, {"R": "P (pre-2022)", "Q": "Q", "S": None})[
    ...     ["province", "pct", "own_territory"]].values.tolist()
    [['R', 90.0, False], ['Q', 95.0, True]]
    """
    frames = []
    for place, group in groups.items():
        if group is None:
            continue
        rows = panel[panel["territory"] == group]
        frames.append(
            pd.DataFrame(
                {
                    "province": place,
                    "date": pd.to_datetime(rows["date"]).to_numpy(),
                    "pct": rows["pct"].astype("float64").to_numpy(),
                    "territory": rows["territory"].astype(str).to_numpy(),
                    "own_territory": (rows["territory"] == place).to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=list(SCHEMA["observed"]))
    return _frame("observed", pd.concat(frames, ignore_index=True))


def compute_risk_by(scored: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """Employers, mean risk, listed employers and expected workers by sector, district, size.

    A group of fewer than ``k`` employers of its province would disclose
    those employers' risk: such groups are pooled into one group
    :data:`perjaka_analysis.public_figures.SMALL_GROUPS` per province and
    grouping, which is left out when it too has fewer than ``k`` employers.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored registry (``province, sector, district, size_band, risk,
        on_list, expected_unregistered_workers``).
    k : int, optional
        Smallest group shown (default
        :data:`perjaka_analysis.employers.disclosure.K_ANONYMITY`).

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["A"] * 3, "sector": ["x", "x", "y"],
    ...     "district": ["d"] * 3, "size_band": ["s"] * 3, "risk": [0.2, 0.4, 0.9],
    ...     "on_list": [False, True, True], "expected_unregistered_workers": [0.0, 1.0, 2.0]})
    >>> r = compute_risk_by(s, k=1)
    >>> r[r.grouping == "sector"][["group", "employers", "mean_risk", "on_list"]].values.tolist()
    [['x', 2, 0.3, 1], ['y', 1, 0.9, 1]]
    >>> r = compute_risk_by(s, k=2)  # y (one employer) is pooled; the pool is too small
    >>> r[r.grouping == "sector"][["group", "employers"]].values.tolist()
    [['x', 2]]
    """
    from .public_figures import SMALL_GROUPS

    if k is None:
        from .employers.disclosure import K_ANONYMITY

        k = K_ANONYMITY
    frames = []
    for by in ("sector", "district", "size_band"):
        g = (
            scored.assign(_risk_sum=scored["risk"])
            .groupby(["province", by], observed=True, sort=True)
            .agg(
                employers=("risk", "size"),
                _risk_sum=("_risk_sum", "sum"),
                on_list=("on_list", "sum"),
                expected_unregistered_workers=("expected_unregistered_workers", "sum"),
            )
        )
        g = g.reset_index().rename(columns={by: "group"})
        g["group"] = g["group"].astype(str)
        small = g["employers"] < k
        pooled = (
            g[small]
            .groupby("province", sort=True)[
                ["employers", "_risk_sum", "on_list", "expected_unregistered_workers"]
            ]
            .sum()
            .reset_index()
            .assign(group=SMALL_GROUPS)
        )
        g = pd.concat([g[~small], pooled[pooled["employers"] >= k]], ignore_index=True)
        g["mean_risk"] = g["_risk_sum"] / g["employers"]
        g = g.drop(columns="_risk_sum").sort_values(["province", "group"], kind="stable")
        g.insert(1, "grouping", by)
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["employers"] = out["employers"].astype("int64")
    out["on_list"] = out["on_list"].astype("int64")
    out["mean_risk"] = out["mean_risk"].round(12)
    return _frame("risk_by", out)


def compute_inspection_list(listed: pd.DataFrame, n: int | None = LIST_ROWS) -> pd.DataFrame:
    """The top ``n`` listed employers of each province, by rank (pseudonyms only).

    ``n=None`` keeps every listed employer (the full plan).

    Examples
    --------
    >>> listed = pd.DataFrame({"province": ["A", "A", "B"], "rank_in_province": [2, 1, 1],
    ...     "pseudonym": ["p2", "p1", "q1"], "district": "d", "sector": "s", "risk": 0.5,
    ...     "reasons": "r", "expected_unregistered_workers": 1.0})
    >>> compute_inspection_list(listed, n=1)["pseudonym"].tolist()
    ['p1', 'q1']
    """
    frame = listed.copy()
    if "pseudonym" not in frame:
        frame["pseudonym"] = frame["employer_id"].astype(str)
    frame = frame.sort_values(["province", "rank_in_province"], kind="stable")
    if n is not None:
        frame = frame.groupby("province", sort=False).head(n)
    for name in ("district", "sector", "size_band", "risk_band", "reasons"):
        if name not in frame:
            frame[name] = ""
        frame[name] = frame[name].fillna("").astype(str)
    frame["workers_band"] = band_workers(frame["expected_unregistered_workers"])
    if "disclosure_level" not in frame:
        frame["disclosure_level"] = 0
    if n is not None:
        return _frame("inspection_list", frame)
    # the full plan: how each employer was chosen and the plan it is on
    for name in ("selection", "inspection_list", "model_version", "data_date"):
        frame[name] = frame[name].fillna("").astype(str) if name in frame else ""
    if "inclusion_probability" not in frame:
        frame["inclusion_probability"] = np.nan
    return _frame("inspection_plan", frame)


#: bands of the expected unregistered workers shown per listed employer
WORKER_BANDS = ((0, 1, "< 1"), (1, 5, "1–5"), (5, 20, "5–20"), (20, 100, "20–100"))


def band_workers(expected: pd.Series) -> pd.Series:
    """Expected unregistered workers of one employer in bands, never the exact figure.

    An exact expected count (risk × unregistered workers) would reveal the
    employer's registration gap; bands are shared by many employers.

    Examples
    --------
    >>> band_workers(pd.Series([0.4, 1.0, 7.2, 20.0, 350.0])).tolist()
    ['< 1', '1–5', '5–20', '20–100', '≥ 100']
    """
    out = pd.Series("≥ 100", index=expected.index, dtype=object)
    for low, high, label in WORKER_BANDS:
        out[(expected >= low) & (expected < high)] = label
    return out.astype(str)


# -- the facts object ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ProvinceFacts:
    """The facts of one place: its rows of every table, plus the run's meta.

    Attributes
    ----------
    province : str
    config : ReportConfig
        The run's configuration with ``province`` set.
    meta : mapping
    tables : mapping of str to DataFrame
        Every table of :data:`SCHEMA` restricted to this place.
    national : mapping of str to DataFrame
        The same tables restricted to ``INDONESIA``.
    places : pandas.DataFrame
        The ``places`` table of every place (ranks, map colours).
    """

    province: str
    config: ReportConfig
    meta: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    national: Mapping[str, pd.DataFrame]
    places: pd.DataFrame

    def rows(self, name: str) -> pd.DataFrame:
        """This place's rows of one table (columns of :data:`SCHEMA`)."""
        return self.tables[name]

    def row(self, name: str) -> pd.Series | None:
        """This place's single row of a one-row-per-place table, or None."""
        frame = self.tables[name]
        return None if frame.empty else frame.iloc[0]


@dataclass(frozen=True)
class RunFacts:
    """Everything a run's briefs and overview show, as long tables.

    Build with :func:`compute_run_facts`; read back with
    :func:`load_run_facts`. Tables follow :data:`SCHEMA`.

    Attributes
    ----------
    config : ReportConfig
        The run's configuration, validated, ``as_of`` resolved.
    meta : mapping
        ``facts_version, package_version, git_commit, inputs`` (file name →
        sha256 of every file read), ``parameters``, ``registry_synthetic``,
        ``trend_method``, ``data_end``, ``ranked_provinces``, ``key``
        (:func:`facts_key`).
    tables : mapping of str to DataFrame
    """

    config: ReportConfig
    meta: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame] = field(repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """One table (see :data:`SCHEMA`)."""
        if name not in self.tables:
            raise PerjakaError(f"no facts table '{name}' (have: {', '.join(self.tables)})")
        return self.tables[name]

    @property
    def provinces(self) -> list[str]:
        """The provinces of the run (without ``INDONESIA``), in BPS order."""
        return [p for p in self.tables["places"]["province"] if p != NATIONAL]

    @functools.cached_property
    def _by_place(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Every table split by place, once (a kept kernel writes many briefs from one run)."""
        return {
            name: {
                str(p): rows.reset_index(drop=True)
                for p, rows in frame.groupby("province", sort=False)
            }
            for name, frame in self.tables.items()
        }

    def for_province(self, province: str) -> ProvinceFacts:
        """The view of one place, for its brief."""
        import dataclasses

        def only(name: str, place: str) -> pd.DataFrame:
            split = self._by_place[name]
            return split[place] if place in split else self.tables[name].iloc[:0]

        own = {n: only(n, province) for n in self.tables}
        nat = {n: only(n, NATIONAL) for n in self.tables}
        return ProvinceFacts(
            province=province,
            config=dataclasses.replace(self.config, province=province),
            meta=self.meta,
            tables=own,
            national=nat,
            places=self.tables.get("places", pd.DataFrame(columns=list(SCHEMA["places"]))),
        )

    # -- one schema, one writer, one reader ------------------------------------------------------
    def _files(self) -> dict[str, bytes]:
        files = {}
        for name in SCHEMA:
            if name not in self.tables:
                continue
            buf = io.BytesIO()
            self.tables[name].to_parquet(buf, index=False, compression="zstd")
            files[f"{name}.parquet"] = buf.getvalue()
        header = {
            "facts_version": FACTS_VERSION,
            "config": self.config.run_parameters(),
            "meta": dict(self.meta),
            "tables": {n: list(SCHEMA[n]) for n in SCHEMA if n in self.tables},
        }
        files["facts.json"] = (json.dumps(header, indent=2, ensure_ascii=False) + "\n").encode()
        return files

    def save(self, folder: str | Path) -> Path:
        """Write ``facts.json`` and one Parquet file per table into ``folder``.

        Each file is written to a temporary name and renamed.
        """
        from .io import atomic_path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self._files().items():
            with atomic_path(folder / name) as tmp:
                tmp.write_bytes(data)
        return folder

    def to_bytes(self) -> bytes:
        """The saved files as one deterministic zip archive (to send to a worker)."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in sorted(self._files().items()):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zf.writestr(info, data)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RunFacts:
        """Read facts written by :meth:`to_bytes`."""
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            files = {n: zf.read(n) for n in zf.namelist()}
        return _from_files(files, source="facts archive")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{n}</td><td>{len(t)}</td></tr>" for n, t in self.tables.items())
        return f"<table><tr><th>table</th><th>rows</th></tr>{rows}</table>"


def _from_files(files: Mapping[str, bytes], source: str) -> RunFacts:
    if "facts.json" not in files:
        raise PerjakaError(f"{source}: not a run's facts (no facts.json)")
    header = json.loads(files["facts.json"].decode("utf-8"))
    if header.get("facts_version") != FACTS_VERSION:
        raise PerjakaError(
            f"{source}: facts version {header.get('facts_version')} cannot be read by this "
            f"version of perjaka-analysis (expects {FACTS_VERSION}); run the report again"
        )
    tables = {
        name: pd.read_parquet(io.BytesIO(files[f"{name}.parquet"])) for name in header["tables"]
    }
    config = ReportConfig(**header["config"])
    return RunFacts(config=config, meta=header["meta"], tables=tables)


#: Facts read in this process, by folder and the identity of its ``facts.json``
#: (a kept kernel writes brief after brief from the same facts; read them once).
_READ: dict[tuple[str, int, int, int], RunFacts] = {}


def load_run_facts(folder: str | Path) -> RunFacts:
    """Read facts saved by :meth:`RunFacts.save` (or a :meth:`~RunFacts.to_bytes` archive).

    Parameters
    ----------
    folder : str or Path
        The facts folder, or a ``.zip`` archive.

    Raises
    ------
    PerjakaError
        If the folder holds no facts, or facts of another layout version.
    """
    folder = Path(folder)
    marker = folder if folder.is_file() else folder / "facts.json"
    if not marker.is_file():
        raise PerjakaError(f"no run facts in {folder} (facts.json is missing)")
    st = marker.stat()
    key = (str(marker.resolve()), st.st_mtime_ns, st.st_size, st.st_ino)
    if key not in _READ:
        if folder.is_file():
            with zipfile.ZipFile(folder) as zf:
                files = {n: zf.read(n) for n in zf.namelist()}
        else:
            files = {
                p.name: p.read_bytes()
                for p in folder.iterdir()
                if p.suffix in (".json", ".parquet")
            }
        _READ.clear()  # one run's facts at a time
        _READ[key] = _from_files(files, str(folder))
    return _READ[key]


@functools.cache
def code_hash() -> str:
    """sha256 of the package's Python modules and reference tables (what computes the facts).

    Examples
    --------
    >>> len(code_hash()), code_hash() == code_hash()
    (64, True)
    """
    root = Path(__file__).parent
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
    >>> b = facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01"), b"key-one-1")
    >>> b == facts_key({"coverage.csv": "ab"}, ReportConfig(as_of="2025-01-01"), b"key-two-2")
    False
    """
    from . import __version__
    from .privacy import key_digest

    payload = {
        "facts_version": FACTS_VERSION,
        "package_version": __version__,
        "code": code_hash(),
        "inputs": dict(sorted(inputs.items())),
        "parameters": config.validated().run_parameters(),
    }
    if key is not None:
        payload["pseudonym_key"] = key_digest(key)
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


# -- computing the facts ------------------------------------------------------------------------
def compute_sources(coverage: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """The ``sources`` table: every province-level figure and UHC report, with its citation.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (district rows are left out).
    status : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status`.

    Returns
    -------
    pandas.DataFrame
        One row per figure, by province then date. The citation comes from
        ``source_url`` or, without one, from ``note``
        (:func:`perjaka_analysis.sources.cite`), so a figure sourced only in
        its note keeps its publisher.
    """
    from .sources import cite_columns

    cov = coverage[coverage["district"].isna()]
    reports = pd.DataFrame(
        {
            "province": status["province"],
            "date": status["date"],
            "date_precision": status.get("date_precision", "day"),
            "measure": [
                f"uhc_{'report' if above else 'below'}_{98 if th >= 98 else 95}"
                for above, th in zip(status["above"], status["threshold_pct"], strict=True)
            ],
            "coverage_pct": np.nan,
            "source_url": status["source_url"],
            "note": status.get("note"),
            "source_date": status.get("source_date"),
        }
    )
    rows = pd.concat([cov.assign(source_date=None), reports], ignore_index=True).sort_values(
        ["province", "date", "measure"], kind="stable"
    )
    citation = cite_columns(rows)
    rows[citation.columns] = citation
    # each percentage at the precision it was published ("sekitar 84%", "> 96%")
    shown = _published_values(rows)
    rows["qualifier"] = [v.qualifier if v else "" for v in shown]
    rows["decimals"] = np.array([v.decimals if v else 2 for v in shown], dtype="int64")
    return _frame("sources", rows)


def compute_employer_public(
    compliance: pd.DataFrame, places: Sequence[str], as_of: object = None
) -> pd.DataFrame:
    """The ``employer_public`` table: every dated public employer figure of ``places``.

    Parameters
    ----------
    compliance : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_employer_compliance`.
    places : sequence of str
        Official province names (and ``INDONESIA``).
    as_of : date, optional
        The briefs' date: figures about a later date are left out (a brief
        of 31 December 2024 shows nothing of 2025).

    Returns
    -------
    pandas.DataFrame
        :func:`perjaka_analysis.public_figures.employer_figures` of each
        place, in the order of ``places``, newest first within a place.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "province": ["Banten"] * 2, "district_or_area": [None] * 2,
    ...     "date": ["2024-06-01", "2025-03-01"], "date_precision": ["month"] * 2,
    ...     "metric": ["employers_noncompliant"] * 2, "value": [480, 510],
    ...     "unit": ["employers"] * 2, "source_url": [None] * 2, "source_date": [None] * 2,
    ...     "note": ["source: Jamkesnews"] * 2})
    >>> compute_employer_public(rows, ["Banten"], as_of="2024-12-31")["date"].dt.year.tolist()
    [2024]
    """
    from .public_figures import employer_figures

    if as_of is not None and len(compliance):
        dates = pd.to_datetime(compliance["date"], errors="coerce", format="mixed")
        compliance = compliance[~(dates > pd.Timestamp(as_of))]
    return _stack("employer_public", [employer_figures(compliance, p) for p in places])


def compute_districts(
    districts: pd.DataFrame, targets: pd.DataFrame, places: Sequence[str]
) -> pd.DataFrame:
    """The ``districts`` table: latest kabupaten/kota figure of each place against its target.

    Parameters
    ----------
    districts : pandas.DataFrame
        Validated ``coverage_districts.csv``.
    targets : pandas.DataFrame
        ``targets.csv`` as loaded (a district's own target, else the national
        UHC threshold).
    places : sequence of str
        Official province names.

    Returns
    -------
    pandas.DataFrame
        :func:`perjaka_analysis.public_figures.district_table` of each place
        with a ``province`` column, largest gap first within a place.
    """
    from .public_figures import district_table

    return _stack(
        "districts", [district_table(districts, targets, p).assign(province=p) for p in places]
    )


def score_employers(config: ReportConfig, key: bytes) -> dict[str, Any]:
    """Score the run's registry; return what the facts need (runs in a worker).

    Returns plain frames, so a worker on another machine needs nothing of
    the client's filesystem beyond the registry path it is given.
    """
    from .employers import disclosure_safe_list, score_registry
    from .employers.disclosure import K_ANONYMITY
    from .loaders import read_registry

    reg_path = registry_path(config)
    registry = read_registry(reg_path)
    synthetic = "true_risk" in registry.columns or str(reg_path).endswith(SHIPPED_REGISTRY)
    capacity = compute_capacity(registry["province"].value_counts(sort=False), config.capacity)
    scored = score_registry(
        registry,
        capacity=dict(zip(capacity["province"], capacity["capacity"], strict=True)),
        key=key,
        language=config.language,
        random_state=config.seed,
    )
    listed = scored[scored["on_list"]].reset_index(drop=True)
    # what a shareable brief may show of each listed employer (k-anonymous bands)
    safe = disclosure_safe_list(scored, registry, key=key, language=config.language)
    shown = ["district", "sector", "size_band", "risk_band", "reasons", "disclosure_level"]
    # a province with fewer than k employers: nothing about its listed employers is shown
    few = safe["class_size"] < K_ANONYMITY
    safe.loc[few, ["district", "sector", "size_band", "risk_band", "reasons"]] = ""
    safe = safe.set_index(safe.columns[0])[shown]
    listed = listed.drop(columns=shown, errors="ignore").join(
        safe, on=listed.columns[0] if "pseudonym" not in listed else "pseudonym"
    )
    from .employers.score import BLEND_OFFSET

    return {
        "blend_offset": BLEND_OFFSET,
        "listed": listed,
        "counts": scored.groupby("province").size(),
        "risk_by": compute_risk_by(scored),
        "synthetic": bool(synthetic),
        "capacity": capacity,
    }


def compute_capacity(counts: pd.Series, capacity: int = 0) -> pd.DataFrame:
    """Inspections per province of a registry, and the rule that set them.

    Parameters
    ----------
    counts : pandas.Series
        Employers in the registry per province.
    capacity : int
        A number for every province (capped at its employers), or 0: the
        public-figures rule (:func:`~perjaka_analysis.public_figures.capacity_rule`
        on ``employer_compliance.csv``).

    Returns
    -------
    pandas.DataFrame
        The ``capacity`` table of the facts, one row per province with
        employers, sorted by name.

    Examples
    --------
    >>> t = compute_capacity(pd.Series({"Aceh": 300, "Bali": 40}), 50)
    >>> t[["province", "capacity", "rule", "whole_registry"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'province': 'Aceh', 'capacity': 50, 'rule': 'given', 'whole_registry': False},
     {'province': 'Bali', 'capacity': 40, 'rule': 'given', 'whole_registry': True}]
    """
    counts = counts[counts > 0].sort_index()
    if capacity:
        cap = counts.clip(upper=int(capacity)).astype("int64")
        table = pd.DataFrame(
            {
                "province": counts.index,
                "n_registry": counts.to_numpy("int64"),
                "capacity": cap.to_numpy(),
                "rule": "given",
                "public_metric": "",
                "public_count": np.nan,
                "public_date": pd.NaT,
                "registered_employers": np.nan,
                "whole_registry": (cap >= counts).to_numpy(bool),
                "registered_date": pd.NaT,
            }
        )
    else:
        from .datasets import load_employer_compliance
        from .public_figures import capacity_rule

        table = capacity_rule(counts, load_employer_compliance())
    return _frame("capacity", table)


def _map_paths(geojson: Path) -> pd.DataFrame:
    return _frame("map", geojson_paths(geojson))


def input_files(config: ReportConfig) -> dict[str, Path]:
    """The files a run reads, by the name the manifest gives them."""
    from .datasets import raw_path

    files = {
        name: raw_path(name)
        for name in (
            "coverage.csv", "provinces.csv", "uhc_status.csv", "provinces.geojson",
            "other_points.csv", "coverage_districts.csv", "targets.csv",
            "employer_compliance.csv",
        )
    }  # fmt: skip
    files["registry"] = registry_path(config)
    return files


def _active_tables(
    registration, coverage: pd.DataFrame, config: ReportConfig, places: list[str], deadline
) -> dict[str, pd.DataFrame]:
    """Active share (latest figure, nowcast, history, forecast) and UHC status today."""
    from .active import ActiveShareModel, load_active_shares
    from .datasets import load_targets, load_uhc_status
    from .uhc import TODAY, compute_uhc_status, uhc_conditions

    shares = _quiet(load_active_shares, coverage=coverage)
    active = ActiveShareModel(shares, registration=registration, status=load_uhc_status()).fit()
    keep = set(places)
    nowcast = active.nowcast(config.as_of)
    panel = active.panel[active.panel["province"].isin(keep)]
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
        "active_observed": _frame("active_observed", panel),
        "uhc": compute_uhc_today(status, TODAY),
    }


def compute_run_facts(
    config: ReportConfig | Mapping[str, Any],
    *,
    provinces: Sequence[str] | None = None,
    key: bytes | None = None,
    executor: Executor | None = None,
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

    Returns
    -------
    RunFacts
    """
    from . import __version__
    from .datasets import (
        load_coverage,
        load_employer_compliance,
        load_provinces,
        load_uhc_status,
    )
    from .forecast import compute_targets
    from .loaders import read_targets
    from .privacy import load_key
    from .trend import CoverageTrendModel

    if not isinstance(config, ReportConfig):
        config = ReportConfig.from_mapping(dict(config))
    config = config.validated()
    requested = config
    key = key or load_key()
    files = input_files(config)
    scoring = executor.submit(score_employers, config, key) if executor else None
    try:
        table = load_provinces()
        coverage = _quiet(load_coverage, files["coverage.csv"])
        status = load_uhc_status()
        results = CoverageTrendModel(coverage, status=status).fit()
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
            "gaps": compute_gaps(latest["latest_pct"], population, config.targets),
            "targets": _frame("targets", targets),
            "forecast": _frame("forecast", forecast),
            "history": _frame("history", history),
            "observed": compute_observed(results.panel, groups),
            "sources": compute_sources(coverage, status),
            "map": _map_paths(files["provinces.geojson"]),
            "employer_public": compute_employer_public(
                load_employer_compliance(files["employer_compliance.csv"]),
                all_places,
                config.as_of,
            ),
            "districts": compute_districts(
                _quiet(load_coverage, files["coverage_districts.csv"]),
                read_targets(files["targets.csv"]),
                places,
            ),
        }
        if hasattr(results, "nowcast"):
            tables["nowcast"] = _frame("nowcast", results.nowcast(config.as_of))
        tables.update(_active_tables(results, coverage, config, all_places, deadline))
        scored = scoring.result() if scoring is not None else score_employers(config, key)
    except BaseException:
        if scoring is not None:
            scoring.cancel()
        raise
    gains = compute_gains(scored["listed"], scored["counts"], population, places)
    tables["gains"] = gains
    tables["scenario"] = compute_scenario(
        results,
        gains,
        start=config.as_of,
        targets=config.targets,
        deadline=deadline,
        seed=config.seed,
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
    ordered = {n: tables[n] for n in SCHEMA if n in tables}
    return RunFacts(config=config, meta=meta, tables=ordered)
