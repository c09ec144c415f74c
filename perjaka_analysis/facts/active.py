"""Facts about the active share and UHC under today's definition."""

from __future__ import annotations

import pandas as pd

from ..errors import PerjakaError
from ..sources import cite
from .coverage import age_months
from .schema import _frame


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


def compute_active_observed(shares: pd.DataFrame, places: object) -> pd.DataFrame:
    """Every published province active share of ``places``, at its published value and basis.

    What the chart draws as the active figures: the value as the source
    stated it (Banten's "80%" of unclear basis is drawn at 80, not at the
    model's reading of it as a share of the population), with its basis so
    the chart can mark a figure that is not a share of the population.
    District figures are left out.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`perjaka_analysis.active.load_active_shares` (``province,
        district, date, active_pct, active_basis``).
    places : iterable of str
        The provinces kept.

    Returns
    -------
    pandas.DataFrame
        The ``active_observed`` table of :data:`SCHEMA` (``province, date,
        pct, basis``), by province and date.

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["A", "A", "A", "B"], "district": [None, "X", None, None],
    ...     "date": pd.to_datetime(["2025-05-31", "2025-05-31", "2024-01-31", "2025-01-31"]),
    ...     "active_pct": [80.0, 70.0, 74.5, 60.0],
    ...     "active_basis": ["unclear", "of_population", "of_participants", "of_population"]})
    >>> compute_active_observed(s, ["A"])[["date", "pct", "basis"]].astype(str).values.tolist()
    [['2024-01-31', '74.5', 'of_participants'], ['2025-05-31', '80.0', 'unclear']]
    """
    keep = shares["district"].isna() & shares["active_pct"].notna()
    rows = shares[keep & shares["province"].isin(list(places))]
    rows = rows.sort_values(["province", "date"], kind="stable")
    out = pd.DataFrame(
        {
            "province": rows["province"].astype(str).to_numpy(),
            "date": pd.to_datetime(rows["date"]).to_numpy(),
            "pct": rows["active_pct"].astype("float64").to_numpy(),
            "basis": rows["active_basis"].astype(str).to_numpy(),
        }
    )
    return _frame("active_observed", out)


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


#: Grades of the UHC awards, each a condition named ``"... - <grade>"`` in targets.csv.
AWARD_GRADES = ("Pratama", "Madya", "Utama")


def uhc_status_view(status: pd.DataFrame, condition: str) -> pd.DataFrame:
    """One row per place: UHC under one condition, and the chance of each award grade.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`perjaka_analysis.uhc.compute_uhc_status` (one row per place
        and condition).
    condition : str
        Today's definition (:data:`perjaka_analysis.uhc.TODAY`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``province`` in the order of ``status``: ``p_uhc``
        (probability by the deadline, 2 decimals), ``expected`` (``YYYY-MM``),
        ``binds`` (the binding condition), ``p_pratama, p_madya, p_utama``
        (the award conditions' probabilities, 2 decimals; missing when
        targets.csv has no such award) and ``active_basis``.

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["B", "B", "A", "A"],
    ...     "condition": ["today", "Awards - Madya"] * 2,
    ...     "prob_by_deadline": [0.514, 0.2, 0.9, 0.456],
    ...     "expected_date": pd.to_datetime(["2027-01-31", None, "2025-06-30", None]),
    ...     "binding": ["active", None, "registration", None],
    ...     "active_basis": ["own data"] * 4})
    >>> view = uhc_status_view(s, "today")
    >>> view.index.tolist(), view[["p_uhc", "expected", "p_madya"]].values.tolist()
    (['B', 'A'], [[0.51, '2027-01', 0.2], [0.9, '2025-06', 0.46]])
    >>> bool(view["p_pratama"].isna().all())  # no Pratama award among the conditions
    True
    """
    wide = status.pivot(index="province", columns="condition", values="prob_by_deadline")
    today = status[status["condition"] == condition].set_index("province")
    columns = {
        "p_uhc": today["prob_by_deadline"].round(2),
        "expected": today["expected_date"].dt.strftime("%Y-%m"),
        "binds": today["binding"],
    }
    for grade in AWARD_GRADES:
        award = [c for c in wide.columns if str(c).endswith(f" - {grade}")]
        columns[f"p_{grade.lower()}"] = (
            wide[award[0]].round(2) if award else pd.Series(float("nan"), index=wide.index)
        )
    columns["active_basis"] = today["active_basis"]
    return pd.DataFrame(columns).reindex(list(dict.fromkeys(status["province"])))
