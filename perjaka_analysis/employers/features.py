"""Model features derived from the employer registry contract.

Every feature is a fixed function of one row (and of the provincial minimum
wage of the data's year), so scoring a row never depends on the other rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..contracts import SECTORS
from ..provinces import province_table

__all__ = [
    "CATEGORICAL",
    "CONTRIBUTION_RATE",
    "MONOTONE",
    "NUMERIC",
    "SIZE_BANDS",
    "WAGE_CAP_IDR",
    "derive_features",
    "rule_of_thumb",
    "size_band",
    "ump_for",
]

#: JKN contribution of PPU workers: 5% of the wage (Perpres 64/2020) ...
CONTRIBUTION_RATE = 0.05
#: ... on a wage capped at Rp 12 million a month.
WAGE_CAP_IDR = 12_000_000

NUMERIC = [
    "log_workers",
    "share_registered",
    "log_unregistered",
    "wage_ratio",
    "below_ump",
    "dependants_per_worker",
    "months_in_arrears",
    "log_arrears_per_worker",
    "late_payments_12m",
    "deactivation_rate",
    "firm_age_years",
]
CATEGORICAL = ["sector", "province"]
#: Direction of each numeric feature's effect on risk that the model may learn
#: (+1 only up, -1 only down, 0 free): more arrears, late payments,
#: deactivations or unregistered workers never lower the risk; a higher share
#: registered, wage or family ratio, or an older registration never raises it.
MONOTONE = {
    "log_workers": 0,
    "share_registered": -1,
    "log_unregistered": 1,
    "wage_ratio": -1,
    "below_ump": 1,
    "dependants_per_worker": -1,
    "months_in_arrears": 1,
    "log_arrears_per_worker": 1,
    "late_payments_12m": 1,
    "deactivation_rate": 1,
    "firm_age_years": -1,
}

SIZE_BANDS = ([-1, 4, 19, 99, 499, np.inf], ["1–4", "5–19", "20–99", "100–499", "500+"])


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float, or all-NaN when the optional column is absent."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _province_names() -> tuple[str, ...]:
    return tuple(province_table()["province"])


def _codes(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """Integer codes against a fixed vocabulary (KBLI sections, the 38 provinces);
    -1 for anything else. A fixed vocabulary keeps codes identical across
    registries and avoids learning the categories at fit time.

    Examples
    --------
    >>> _codes(pd.Series(["C", "A", None, "zz", "C"]), ["A", "B", "C"]).tolist()
    [2.0, 0.0, -1.0, -1.0, 2.0]
    """
    # the distinct values are looked up once (a registry has few), not every row
    codes, distinct = pd.factorize(values.astype(str))
    lookup = np.append(pd.Index(list(vocabulary)).get_indexer(distinct.astype(str)), -1)
    return lookup[codes].astype(float)


def ump_for(ump: pd.Series | pd.DataFrame | None, as_of: pd.Timestamp | None) -> pd.Series | None:
    """The provincial minimum wage in force at ``as_of``.

    Parameters
    ----------
    ump : pandas.Series or pandas.DataFrame, optional
        Either one wage per province (a Series indexed by province, used as
        is) or a table ``province, year, ump_idr`` (the year of ``as_of`` is
        used; provinces without that year take their latest earlier year,
        else their earliest).
    as_of : pandas.Timestamp, optional
        The data's date (default: the latest year of the table).

    Returns
    -------
    pandas.Series or None
        Rp per month, indexed by province.

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["Aceh", "Aceh"], "year": [2024, 2025],
    ...                   "ump_idr": [3.0e6, 3.2e6]})
    >>> float(ump_for(t, pd.Timestamp("2024-06-30"))["Aceh"])
    3000000.0
    """
    if ump is None or isinstance(ump, pd.Series):
        return ump
    year = int(ump["year"].max()) if as_of is None or pd.isna(as_of) else int(as_of.year)
    t = ump.sort_values(["province", "year"])
    before = t[t["year"] <= year].groupby("province").tail(1)
    first = t.groupby("province").head(1)
    pick = pd.concat([before, first[~first["province"].isin(before["province"])]])
    return pick.set_index("province")["ump_idr"].astype(float)


def derive_features(
    registry: pd.DataFrame,
    ump: pd.Series | None = None,
    as_of: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Model features derived from the registry contract.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry; optional columns may be absent (their features
        are then missing, which the model handles).
    ump : pandas.Series, optional
        Provincial minimum wage by province (Rp/month); without it the wage
        features are missing.
    as_of : date, optional
        Date the firm age is measured at (default: the latest
        ``registered_since`` in the registry).

    Returns
    -------
    pandas.DataFrame
        The :data:`NUMERIC` and :data:`CATEGORICAL` columns.

    Examples
    --------
    >>> reg = pd.DataFrame({"province": ["Aceh"], "sector": ["C"],
    ...                     "workers_reported": [10], "workers_registered": [4],
    ...                     "months_in_arrears": [0]})
    >>> float(derive_features(reg)["share_registered"].iloc[0])
    0.4
    """
    reported = _col(registry, "workers_reported")
    registered = _col(registry, "workers_registered")
    per = np.maximum(registered, 1)
    wage = _col(registry, "wage_reported_idr")
    floor = np.full(len(registry), np.nan)
    if ump is not None:  # looked up once per distinct province
        codes, distinct = pd.factorize(registry["province"])
        floor = np.append(ump.reindex(distinct).to_numpy(dtype=float), np.nan)[codes]
    ratio = wage / floor
    if "registered_since" in registry:
        since = pd.to_datetime(registry["registered_since"])
        end = pd.Timestamp(as_of) if as_of is not None else since.max()
        age = ((end - since).dt.days / 365.25).to_numpy(dtype=float, na_value=np.nan)
    else:
        age = np.full(len(registry), np.nan)
    arrears = _col(registry, "arrears_idr")
    return pd.DataFrame(
        {
            "log_workers": np.log1p(reported),
            "share_registered": np.clip(registered / np.maximum(reported, 1), 0, 2),
            "log_unregistered": np.log1p(np.clip(reported - registered, 0, None)),
            "wage_ratio": ratio,
            "below_ump": np.where(np.isnan(ratio), np.nan, (ratio < 1).astype(float)),
            "dependants_per_worker": _col(registry, "dependants_registered") / per,
            "months_in_arrears": _col(registry, "months_in_arrears"),
            "log_arrears_per_worker": np.log1p(arrears / per),
            "late_payments_12m": _col(registry, "late_payments_12m"),
            "deactivation_rate": _col(registry, "deactivations_12m") / per,
            "firm_age_years": age,
            "sector": _codes(registry["sector"], SECTORS),
            "province": _codes(registry["province"], _province_names()),
        },
        index=registry.index,
    )


def rule_of_thumb(registry: pd.DataFrame) -> np.ndarray:
    """Baseline score: months in arrears, ties broken by the registration gap.

    Examples
    --------
    >>> reg = pd.DataFrame({"workers_reported": [10, 10], "workers_registered": [5, 10],
    ...                     "months_in_arrears": [0, 2]})
    >>> rule_of_thumb(reg).tolist()
    [0.005, 2.0]
    """
    reported = np.maximum(_col(registry, "workers_reported"), 1)
    gap = np.clip((reported - _col(registry, "workers_registered")) / reported, 0, 1)
    return _col(registry, "months_in_arrears") + 0.01 * gap


def size_band(workers_reported: pd.Series) -> pd.Series:
    """Firm size band by reported workers: 1–4, 5–19, 20–99, 100–499, 500+.

    Examples
    --------
    >>> size_band(pd.Series([3, 20, 600])).tolist()
    ['1–4', '20–99', '500+']
    """
    edges, labels = SIZE_BANDS
    return pd.cut(workers_reported.astype(float), edges, labels=labels).astype(str)
