"""Facts about coverage: population, latest figures, ranks, gaps, sources, districts.

Also the public employer figures of each place, as published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..coverage import pp_to_people, sort_coverage
from ..precision import cap_precision
from ..provinces import NATIONAL
from ..public_figures import district_table, employer_figures
from ..sources import cite, cite_columns, published_value
from .schema import SCHEMA, _frame, _stack


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
                    "gap_people": round(pp_to_people(gap, people))
                    if pd.notna(gap * people)
                    else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=list(SCHEMA["gaps"][:4]))


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


def compute_sources(
    coverage: pd.DataFrame, status: pd.DataFrame, active: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The ``sources`` table: every province-level figure and UHC report, with its citation.

    A report under today's definition (``active_above``: UHC Prioritas, UHC
    Awards 2026) is ``uhc_report_98_80`` (≥ 98% registered and ≥ 80%
    active); every published province active share is a row of its own,
    ``active_<basis>``, its value in ``coverage_pct``, so the card's and the
    chart's active figures are listed with their sources too.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (district rows are left out).
    status : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status`.
    active : pandas.DataFrame, optional
        :func:`perjaka_analysis.active.load_active_shares` (``province,
        district, date, date_precision, active_pct, active_basis,
        source_url, note``).

    Returns
    -------
    pandas.DataFrame
        One row per figure, by province then date. The citation comes from
        ``source_url`` or, without one, from ``note``
        (:func:`perjaka_analysis.sources.cite`), so a figure sourced only in
        its note keeps its publisher.
    """
    cov = coverage[coverage["district"].isna()]
    reports = pd.DataFrame(
        {
            "province": status["province"],
            "date": status["date"],
            "date_precision": status.get("date_precision", "day"),
            "measure": [
                f"uhc_{'report' if above else 'below'}_{98 if th >= 98 else 95}"
                + ("_80" if joint else "")
                for above, th, joint in zip(
                    status["above"],
                    status["threshold_pct"],
                    status.get("active_above", pd.Series(False, index=status.index)),
                    strict=True,
                )
            ],
            "coverage_pct": np.nan,
            "source_url": status["source_url"],
            "note": status.get("note"),
            "source_date": status.get("source_date"),
        }
    )
    frames = [cov.assign(source_date=None), reports]
    if active is not None:
        own = active[active["district"].isna() & active["active_pct"].notna()]
        frames.append(
            pd.DataFrame(
                {
                    "province": own["province"],
                    "date": own["date"],
                    "date_precision": own["date_precision"],
                    "measure": "active_" + own["active_basis"].astype(str),
                    "coverage_pct": own["active_pct"].astype("float64"),
                    "source_url": own["source_url"],
                    "note": own["note"],
                    "source_date": None,
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True).sort_values(
        ["province", "date", "measure"], kind="stable"
    )
    citation = cite_columns(rows)
    rows[citation.columns] = citation
    # each percentage at the precision it was published ("sekitar 84%", "> 96%")
    shown = _published_values(rows)
    rows["qualifier"] = [v.qualifier if v else "" for v in shown]
    rows["decimals"] = np.array([v.decimals if v else 2 for v in shown], dtype="int64")
    rows["date_precision"] = cap_precision(
        rows["date_precision"], rows["published_precision"], rows["source_url"]
    )
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
    return _stack(
        "districts", [district_table(districts, targets, p).assign(province=p) for p in places]
    )
