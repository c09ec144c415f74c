"""Tidy coverage metrics: the latest figure per province and the distance to targets."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .provinces import NATIONAL
from .sources import source_name

__all__ = [
    "PRE_SPLIT",
    "coverage_summary",
    "latest_coverage",
    "pp_to_people",
    "sort_coverage",
    "source_priority",
    "summary_view",
]

#: Note of a province whose latest figure predates a boundary split.
PRE_SPLIT = "pre-split"

_PRECISION = {"year": 0, "month": 1, "day": 2}


def pp_to_people(pp: float | pd.Series, population: float | pd.Series) -> float | pd.Series:
    """People that ``pp`` percentage points of ``population`` are: ``pp / 100 × population``.

    The one conversion of points of coverage into people (gaps, enforcement,
    the pace needed, people who would have to resume paying). Works on
    numbers and element-wise on Series; missing in, missing out.

    Examples
    --------
    >>> pp_to_people(2.5, 2_000_000.0)
    50000.0
    >>> pp_to_people(pd.Series([0.5, None]), 2_000_000.0).tolist()
    [10000.0, nan]
    """
    return pp / 100 * population


def _is_official(url: object) -> bool:
    host = source_name(url).split(":")[0].lower()
    return host == "go.id" or host.endswith(".go.id")


def source_priority(coverage: pd.DataFrame) -> pd.DataFrame:
    """Return the keys that rank figures of one place and date: higher is preferred.

    The documented rule (``data/README.md``, *The latest figure*), key by key:

    1. ``official``: 1 for a government source (BPJS Kesehatan, ministries,
       provinces: a ``.go.id`` address), 0 for news and other publishers;
    2. ``precision``: a day-precise date (2) over a month (1) over a year (0);
    3. ``stated``: a published percentage (1) over one computed from
       participants / population (0);
    4. ``source_url``: the address itself, so that the choice never depends
       on the order of the file.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.

    Returns
    -------
    pandas.DataFrame
        ``official``, ``precision``, ``stated`` (int) and ``source_url``
        (text, ``""`` when missing), same index as ``coverage``.
    """
    if "coverage_basis" in coverage:
        stated = (coverage["coverage_basis"] != "computed").astype(int)
    else:
        stated = pd.Series(1, index=coverage.index)
    # frames built by hand (tests, notebooks) may lack the optional columns
    url = coverage["source_url"] if "source_url" in coverage else pd.Series("", coverage.index)
    precision = (
        coverage["date_precision"]
        if "date_precision" in coverage
        else pd.Series("day", index=coverage.index)
    )
    return pd.DataFrame(
        {
            "official": url.map(_is_official).astype(int),
            "precision": precision.map(_PRECISION).fillna(0).astype(int),
            "stated": stated,
            "source_url": url.fillna("").astype(str),
        },
        index=coverage.index,
    )


def sort_coverage(coverage: pd.DataFrame) -> pd.DataFrame:
    """Sort coverage rows so that the last row of each place is its latest figure.

    Rows are sorted by ``province``, ``district``, ``measure`` and ``date``;
    rows of one place, measure and date go from the least to the most preferred
    source (:func:`source_priority`). Every model and table that needs "the
    latest figure" takes the last row of a place in this order, so they agree.
    The result does not depend on the order of the input rows.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.

    Returns
    -------
    pandas.DataFrame
        The same rows (index kept), sorted.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "province": ["Aceh", "Aceh"], "district": [None, None],
    ...     "measure": ["registered"] * 2, "date": pd.to_datetime(["2024-12-31"] * 2),
    ...     "date_precision": ["day", "day"], "coverage_pct": [98.77, 95.0],
    ...     "source_url": ["https://dinkes.acehprov.go.id/a", "https://news.example/b"],
    ... })
    >>> sort_coverage(rows)["coverage_pct"].tolist()  # the official figure last
    [95.0, 98.77]
    """
    keys = source_priority(coverage).assign(
        _province=coverage["province"].astype(str),
        _district=coverage["district"].fillna("").astype(str),
        _measure=coverage["measure"].astype(str),
        _date=coverage["date"],
        _pct=coverage["coverage_pct"],
    )
    order = keys.sort_values(
        [
            "_province",
            "_district",
            "_measure",
            "_date",
            "official",
            "precision",
            "stated",
            "source_url",
            "_pct",
        ],
        kind="stable",
    ).index
    return coverage.loc[order]


def latest_coverage(coverage: pd.DataFrame, *, measure: str = "registered") -> pd.DataFrame:
    """Return the latest province-level figure of one measure for every place.

    The latest figure is the one of the latest date; among figures of that
    date, the one of the preferred source (:func:`source_priority`: official
    over news, day over month over year, stated over computed, then by
    address). The same rule orders rows for the trend model
    (:func:`sort_coverage`), so a brief's headline and its forecast start from
    the same figure. The result does not depend on the order of the rows.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (see :func:`perjaka_analysis.read_coverage`).
    measure : str
        ``registered`` (default), ``survey_any`` or ``survey_bpjs``.

    Returns
    -------
    pandas.DataFrame
        One row per province (and ``INDONESIA``), sorted by province, with
        ``date``, ``date_precision``, ``coverage_pct``, ``active_pct``,
        ``source_url`` and ``territory``.
    """
    rows = coverage[(coverage["measure"] == measure) & coverage["district"].isna()]
    latest = sort_coverage(rows).drop_duplicates("province", keep="last")
    cols = [
        "province",
        "date",
        "date_precision",
        "coverage_pct",
        "active_pct",
        "source_url",
        "territory",
    ]
    return latest[cols].sort_values("province", kind="stable").reset_index(drop=True)


def coverage_summary(
    coverage: pd.DataFrame,
    provinces: pd.DataFrame,
    *,
    targets: Sequence[float] = (95.0, 98.0),
) -> pd.DataFrame:
    """Summarise registration coverage per province: latest figure, history, gaps.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.
    provinces : pandas.DataFrame
        Province table with ``population`` (see
        :func:`perjaka_analysis.load_provinces`).
    targets : sequence of float
        Coverage targets in percent.

    Returns
    -------
    pandas.DataFrame
        One row per province (all 38, in BPS order) and ``INDONESIA`` last:
        ``n_points``, ``first_date``, ``latest_date``, ``latest_pct``,
        ``source``, ``territory`` (differs from the province when the latest
        figure predates a boundary split), ``rank`` (1 = highest latest coverage) and, per target
        ``T``, ``gap_T_pp`` (percentage points still missing, 0 when reached)
        and ``gap_T_people`` (using the 2024 population where known).
        Provinces without a figure have missing values.
    """
    reg = coverage[(coverage["measure"] == "registered") & coverage["district"].isna()]
    history = reg.groupby("province").agg(n_points=("date", "size"), first_date=("date", "min"))
    latest = latest_coverage(coverage).set_index("province")
    order = [*provinces["province"], NATIONAL]
    out = pd.DataFrame(index=pd.Index(order, name="province"))
    out["n_points"] = history["n_points"].reindex(order).fillna(0).astype(int)
    out["first_date"] = history["first_date"].reindex(order)
    out["latest_date"] = latest["date"].reindex(order)
    out["latest_pct"] = latest["coverage_pct"].reindex(order)
    out["source"] = latest["source_url"].reindex(order).map(source_name).fillna("")
    out["territory"] = latest["territory"].reindex(order)
    is_prov = out.index != NATIONAL
    out["rank"] = out.loc[is_prov, "latest_pct"].rank(ascending=False, method="min").astype("Int64")
    population = provinces.set_index("province")["population"].astype("Float64")
    population = population.reindex(order)
    population[NATIONAL] = population.drop(NATIONAL, errors="ignore").sum(skipna=False)
    out["population"] = population.astype("Int64")
    for t in targets:
        label = f"{t:g}"
        gap = (t - out["latest_pct"]).clip(lower=0)
        out[f"gap_{label}_pp"] = gap.round(2)
        people = pp_to_people(gap, out["population"].astype("Float64"))
        out[f"gap_{label}_people"] = people.round().astype("Int64")
    return out.reset_index()


def summary_view(table: pd.DataFrame) -> pd.DataFrame:
    """The printed form of :func:`coverage_summary`: dates as text, figures rounded, a note.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`coverage_summary` with targets 95 and 98.

    Returns
    -------
    pandas.DataFrame
        ``province, n_points, first_date`` (``YYYY-MM``), ``latest_date``
        (``YYYY-MM-DD``), ``latest_pct`` (2 decimals), ``rank, gap_95_pp,
        gap_98_pp, gap_98_people, source, note`` (:data:`PRE_SPLIT` when the
        latest figure refers to the older territory of a split, else empty).

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["Papua Tengah", "Bali"], "n_points": [1, 0],
    ...     "first_date": pd.to_datetime(["2020-01-31", None]),
    ...     "latest_date": pd.to_datetime(["2021-06-30", None]),
    ...     "latest_pct": [91.234, None], "rank": [1, None], "gap_95_pp": [3.77, None],
    ...     "gap_98_pp": [6.77, None], "gap_98_people": [100, None], "source": ["x", ""],
    ...     "territory": ["Papua", "Bali"]})
    >>> summary_view(t)[["province", "first_date", "latest_pct", "note"]].values.tolist()
    [['Papua Tengah', '2020-01', 91.23, 'pre-split'], ['Bali', nan, nan, '']]
    """
    pre_split = table["territory"] != table["province"]
    return table.assign(
        latest_date=table["latest_date"].dt.strftime("%Y-%m-%d"),
        first_date=table["first_date"].dt.strftime("%Y-%m"),
        latest_pct=table["latest_pct"].round(2),
        note=pre_split.map({True: PRE_SPLIT, False: ""}),
    )[
        [
            "province",
            "n_points",
            "first_date",
            "latest_date",
            "latest_pct",
            "rank",
            "gap_95_pp",
            "gap_98_pp",
            "gap_98_people",
            "source",
            "note",
        ]
    ]
