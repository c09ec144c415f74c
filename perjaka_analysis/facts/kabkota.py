"""Facts about every kab/kota of a place: the people missing to its threshold, where said."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PerjakaError
from ..kabkota import KABKOTA_COLUMNS, round_people
from ..precision import gap_bound
from ..sources import stated_decimals
from .coverage import age_months

#: Age (whole months on the brief's date) from which a figure is called old.
STALE_MONTHS = 12
_SHOW = 5


def compute_people_missing(
    rows: pd.DataFrame, as_of: object, *, keep_rank: bool = False
) -> pd.DataFrame:
    """People missing to the threshold in each kab/kota, only where it can be said.

    A kab/kota figure is often years old. Its distance to the threshold is
    what the latest figure says on its date; a count of people is said only
    for a figure that is not old: an old figure is superseded by the
    province's later figures, and people counted from it (a gap of years ago
    × today's population) would add up to far more than the province's own
    figure leaves short:

    - ``gap_pp`` = max(threshold − figure, 0) points on the figure's date;
    - ``people_missing`` = ``gap_pp`` / 100 × the 2024 population, for a
      figure of at most :data:`STALE_MONTHS` months only, rounded as far as
      the figure's stated decimals allow
      (:func:`perjaka_analysis.kabkota.round_people`: a whole percentage is
      known to ±0.5 points, so 41,234 people become 40,000);
    - the figure's qualifier is kept: a lower bound ("> 96%") gives a gap of
      *at most* so many points and people (``gap_bound`` ``at_most``), an
      approximate figure an approximate gap (``about``)
      (:func:`perjaka_analysis.precision.gap_bound`);
    - nothing is said (empty) without a figure or without a population, and
      no count for an old figure;
    - ``age_months`` counts whole months from the figure's date (at its
      precision) to ``as_of``; ``old`` marks figures older than
      :data:`STALE_MONTHS`.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per kab/kota: ``population, coverage_pct, qualifier,
        target_pct, date, date_precision``.
    as_of : date
        The brief's date.
    keep_rank : bool
        Also keep ``_short``: the people short on the figure's date, old
        figures included (the order of the kab/kota table).

    Returns
    -------
    pandas.DataFrame
        ``rows`` with ``gap_pp, gap_bound, people_missing, age_months, old``.

    Examples
    --------
    >>> r = pd.DataFrame({"population": [2_061_700.0], "coverage_pct": [96.0],
    ...     "qualifier": ["more_than"], "target_pct": [98.0],
    ...     "date": [pd.Timestamp("2025-06-30")], "date_precision": ["month"]})
    >>> compute_people_missing(r, "2026-01-27")[
    ...     ["gap_pp", "gap_bound", "people_missing", "age_months", "old"]].values.tolist()
    [[2.0, 'at_most', 40000.0, 7.0, False]]
    >>> old = compute_people_missing(r.assign(date=[pd.Timestamp("2020-06-30")]), "2026-01-27")
    >>> old[["gap_pp", "people_missing", "old"]].values.tolist()
    [[2.0, nan, True]]
    """
    out = rows.copy()
    figure = pd.to_numeric(out["coverage_pct"], errors="coerce").astype("float64")
    population = pd.to_numeric(out["population"], errors="coerce").astype("float64")
    target = pd.to_numeric(out["target_pct"], errors="coerce").astype("float64")
    qualifier = out["qualifier"].fillna("").astype(str)
    gap = (target - figure).clip(lower=0).round(2)
    # a bound or an approximation is a whole percentage; else the decimals it was stated with
    decimals = np.array(
        [
            2 if pd.isna(x) else (0 if q else stated_decimals(x))
            for x, q in zip(figure, qualifier, strict=True)
        ],
        dtype=float,
    )
    people = round_people(gap / 100.0 * population, decimals, population)
    out["gap_pp"] = gap
    out["gap_bound"] = [
        gap_bound(q) if pd.notna(x) else "" for x, q in zip(figure, qualifier, strict=True)
    ]
    out["age_months"] = [
        age_months(d, as_of, p or "day") if pd.notna(x) else np.nan
        for d, p, x in zip(out["date"], out["date_precision"].fillna(""), figure, strict=True)
    ]
    out["old"] = pd.Series(out["age_months"], index=out.index, dtype="float64") > STALE_MONTHS
    # the rank of the table (people short on the figure's date), kept apart from the count
    out["_short"] = people.where(figure.notna() & population.notna())
    out["people_missing"] = out["_short"].where(~out["old"])
    return out.drop(columns="_short") if not keep_rank else out


def compute_kabkota_table(
    kabkota: pd.DataFrame, districts: pd.DataFrame, as_of: object
) -> pd.DataFrame:
    """Every kab/kota of the given provinces: population, latest figure, people missing.

    Parameters
    ----------
    kabkota : pandas.DataFrame
        :func:`perjaka_analysis.kabkota.read_kabupaten_kota` rows of the
        provinces wanted.
    districts : pandas.DataFrame
        The latest figure of each kab/kota that has one, official names
        (:func:`perjaka_analysis.public_figures.district_table` with a
        ``province`` column): ``province, district, date, date_precision,
        coverage_pct, qualifier, target_pct, target_basis`` and the citation.
    as_of : date
        The brief's date (the age of each figure).

    Returns
    -------
    pandas.DataFrame
        :data:`~perjaka_analysis.kabkota.KABKOTA_COLUMNS`: one row per
        kab/kota, with :func:`compute_people_missing`. Ordered by province (as
        first met in ``kabkota``), the gap on the latest figure's date × the
        2024 population (largest first, old figures included; places without
        a figure last), then population (largest first).

    Raises
    ------
    PerjakaError
        If a figure names a place that is not in the kab/kota table.

    Examples
    --------
    >>> k = pd.DataFrame({"province": ["Banten"] * 3,
    ...     "kemendagri_code": ["36.01", "36.02", "36.71"],
    ...     "name": ["Kabupaten A", "Kabupaten B", "Kota C"], "kind": ["kabupaten"] * 2 + ["kota"],
    ...     "population": [1000, 3000, 2000], "population_date": ["2024-12-31"] * 3})
    >>> d = pd.DataFrame({"province": ["Banten"], "district": ["Kota C"], "coverage_pct": [95.0],
    ...     "qualifier": [""], "target_pct": [98.0], "date": [pd.Timestamp("2020-06-05")],
    ...     "date_precision": ["month"]})
    >>> t = compute_kabkota_table(k, d, "2026-01-27")
    >>> t["district"].tolist(), t["gap_pp"].tolist()[0], bool(t["old"].iloc[0])
    (['Kota C', 'Kabupaten B', 'Kabupaten A'], 3.0, True)
    >>> bool(t["people_missing"].isna().all())  # a figure of 2020: no count of people today
    True
    """
    base = kabkota.rename(columns={"name": "district"})[
        ["province", "kemendagri_code", "district", "kind", "population", "population_date"]
    ]
    figures = districts.drop(columns=["gap_pp"], errors="ignore").drop_duplicates(
        ["province", "district"], keep="first"
    )
    unmatched = figures.merge(base[["province", "district"]], how="left", indicator=True)
    unmatched = unmatched[
        (unmatched["_merge"] == "left_only") & unmatched["province"].isin(base["province"])
    ]
    if len(unmatched):
        names = ", ".join(sorted(unmatched["district"].astype(str))[:_SHOW])
        raise PerjakaError(
            f"kab/kota figures name places not in the kab/kota table: {names} "
            "(official names are in kabupaten_kota.csv)"
        )
    out = base.merge(figures, on=["province", "district"], how="left")
    for col in ("qualifier", "date", "date_precision", "target_pct"):
        if col not in out:
            out[col] = np.nan
    out = compute_people_missing(out, as_of, keep_rank=True)
    population = pd.to_numeric(out["population"], errors="coerce").astype("float64")
    order = {p: i for i, p in enumerate(dict.fromkeys(base["province"]))}
    out = out.assign(
        _p=out["province"].map(order),
        _m=out["_short"].fillna(-1.0),
        _n=population.fillna(-1.0),
    ).sort_values(["_p", "_m", "_n", "district"], ascending=[True, False, False, True])
    for col in KABKOTA_COLUMNS:
        if col not in out:
            out[col] = np.nan
    out["qualifier"] = out["qualifier"].fillna("").astype(str)
    out["population_date"] = pd.to_datetime(out["population_date"], errors="coerce")
    return out[list(KABKOTA_COLUMNS)].reset_index(drop=True)
