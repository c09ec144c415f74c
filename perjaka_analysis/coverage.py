"""Tidy coverage metrics: the latest figure per province and the distance to targets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .provinces import NATIONAL
from .sources import source_name

__all__ = ["coverage_summary", "latest_coverage"]


def latest_coverage(coverage: pd.DataFrame, *, measure: str = "registered") -> pd.DataFrame:
    """Return the latest province-level figure of one measure for every place.

    When two sources report the same latest date, the higher-precision one is
    kept, then the first in file order (the choice is deterministic).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (see :func:`perjaka_analysis.read_coverage`).
    measure : str
        ``registered`` (default), ``survey_any`` or ``survey_bpjs``.

    Returns
    -------
    pandas.DataFrame
        One row per province (and ``INDONESIA``) with ``date``,
        ``date_precision``, ``coverage_pct``, ``active_pct``, ``source_url``
        and ``territory``.
    """
    rank = {"day": 0, "month": 1, "year": 2}
    rows = coverage[(coverage["measure"] == measure) & coverage["district"].isna()].copy()
    rows["_order"] = np.arange(len(rows))
    rows["_precision"] = rows["date_precision"].map(rank)
    rows = rows.sort_values(
        ["province", "date", "_precision", "_order"], ascending=[True, False, True, True]
    )
    latest = rows.drop_duplicates("province", keep="first")
    cols = [
        "province",
        "date",
        "date_precision",
        "coverage_pct",
        "active_pct",
        "source_url",
        "territory",
    ]
    return latest[cols].reset_index(drop=True)


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
        people = gap / 100 * out["population"].astype("Float64")
        out[f"gap_{label}_people"] = people.round().astype("Int64")
    return out.reset_index()
