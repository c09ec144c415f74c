"""Figures at the precision of their source: qualifiers, bounds and dates.

A published figure keeps what its source said about it: "lebih dari 25 ribu"
is a lower bound, "sekitar 24.000" an approximation, "> 96%" a bound that
makes the distance to 98% *at most* 2 points. A date is never shown more
precisely than the only citation of its figure allows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .kabkota import round_people

__all__ = [
    "PRECISION_ORDER",
    "cap_precision",
    "compute_gap_bounds",
    "gap_bound",
    "note_qualifier",
    "round_to_interval",
    "round_to_support",
]

#: Date precisions from the finest to the coarsest.
PRECISION_ORDER = ("day", "month", "year")

_QUOTE = re.compile(r'"([^"]+)"')
_ABOUT = re.compile(r"\bkurang lebih\b|\bsekitar\b|\d-an\b|\bkira-kira\b|\b[±~]", re.I)
_MORE = re.compile(
    r"\blebih dari\b|\d[\d.,]*\s*(?:ribu|juta|miliar|triliun)?\s*(?:\w+\s)?lebih\b", re.I
)


def note_qualifier(note: object) -> str:
    """The qualifier a source put on a figure, read from the words quoted in ``note``.

    Only quoted source words count (``"lebih dari 25 ribu pekerja"`` in the
    note): ``about`` for "kurang lebih", "sekitar", "kira-kira", "500-an";
    ``more_than`` for "lebih dari …" and "… lebih" after a number; ``""``
    otherwise.

    Examples
    --------
    >>> [note_qualifier(n) for n in ['"Rp5 miliar lebih"', '"kurang lebih sebesar 21 juta"',
    ...  '"baru sekitar 24.000 badan usaha"', '"hanya 500-an"', '"lebih dari 25 ribu"',
    ...  '"800 lebih perusahaan"', '"hingga Mei 2023"', 'sekitar, but not quoted', None]]
    ['more_than', 'about', 'about', 'about', 'more_than', 'more_than', '', '', '']
    """
    if not isinstance(note, str):
        return ""
    quoted = " ".join(_QUOTE.findall(note.replace('""', '"')))
    if _ABOUT.search(quoted):
        return "about"
    if _MORE.search(quoted):
        return "more_than"
    return ""


def gap_bound(qualifier: object) -> str:
    """How exact a distance to a target is, given the qualifier of the figure it starts from.

    A figure "more than" (or "at least") ``x`` is at most ``t - x`` below a
    target ``t``; an approximate figure gives an approximate distance.

    Examples
    --------
    >>> gap_bound("more_than"), gap_bound("at_least"), gap_bound("about"), gap_bound("")
    ('at_most', 'at_most', 'about', '')
    """
    if qualifier in ("more_than", "at_least"):
        return "at_most"
    if qualifier == "about":
        return "about"
    return ""


def compute_gap_bounds(gaps: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The gaps of the latest figures with their bound and precision.

    Parameters
    ----------
    gaps : pandas.DataFrame
        ``province, target_pct, gap_pp, gap_people``.
    places : pandas.DataFrame
        ``province, latest_qualifier, latest_decimals, population``.

    Returns
    -------
    pandas.DataFrame
        ``gaps`` with ``gap_bound`` (:func:`gap_bound` of the latest
        figure's qualifier) and ``gap_decimals`` (the decimals of the latest
        figure); ``gap_people`` rounded as far as those decimals allow
        (:func:`perjaka_analysis.kabkota.round_people`).

    Examples
    --------
    >>> g = pd.DataFrame({"province": ["B"], "target_pct": [98.0], "gap_pp": [2.0],
    ...                   "gap_people": [41_234.0]})
    >>> p = pd.DataFrame({"province": ["B"], "latest_qualifier": ["more_than"],
    ...                   "latest_decimals": [0], "population": [2_061_700.0]})
    >>> compute_gap_bounds(g, p)[["gap_bound", "gap_decimals", "gap_people"]].values.tolist()
    [['at_most', 0, 40000.0]]
    """
    info = places.set_index("province")
    qualifier = gaps["province"].map(info["latest_qualifier"]).fillna("")
    decimals = gaps["province"].map(info["latest_decimals"]).fillna(2).astype("int64")
    population = gaps["province"].map(info["population"]).astype("float64")
    people = round_people(gaps["gap_people"].astype("float64"), decimals.to_numpy(), population)
    return gaps.assign(
        gap_bound=[gap_bound(q) for q in qualifier],
        gap_decimals=decimals.to_numpy(),
        gap_people=people.where(gaps["gap_people"].notna()).to_numpy(),
    )


def cap_precision(
    date_precision: pd.Series, published_precision: pd.Series, source_url: pd.Series
) -> pd.Series:
    """A figure's date precision, never finer than its only citation.

    A figure cited by a note alone ("source: ANTARA Palu, June 2021"), with
    no address to check, cannot be dated more precisely than that citation:
    its ``date_precision`` is capped at ``published_precision``. A figure
    with an address keeps its own precision.

    Examples
    --------
    >>> cap_precision(pd.Series(["day", "day", "year"]), pd.Series(["month", "month", "day"]),
    ...               pd.Series([None, "https://x", None])).tolist()
    ['month', 'day', 'year']
    """
    rank = {p: i for i, p in enumerate(PRECISION_ORDER)}
    own = date_precision.fillna("day").map(rank).fillna(0).to_numpy(int)
    cited = published_precision.fillna("day").map(rank).fillna(0).to_numpy(int)
    no_url = ~source_url.fillna("").astype(str).str.strip().astype(bool).to_numpy()
    capped = np.where(no_url & (cited > own), cited, own)
    return pd.Series([PRECISION_ORDER[i] for i in capped], index=date_precision.index)


def round_to_interval(
    value: pd.Series, lower: pd.Series, upper: pd.Series, *, smallest: float = 100.0
) -> pd.DataFrame:
    """An estimated count and its interval, rounded to what the interval supports.

    The unit is a tenth of the power of ten just below the interval's
    half-width ``(upper - lower) / 2`` (the half-width to two significant
    figures, the count to the same place), never finer than ``smallest``:
    1,548,000 people with an 80% interval of 410,000 – 2,660,000 (half-width
    1,125,000) is 1,500,000 (400,000 – 2,700,000); a count whose interval is
    a few hundred people wide stays at the hundred. Missing in, missing out.

    Parameters
    ----------
    value, lower, upper : pandas.Series
        The estimate and the bounds of its interval, aligned.
    smallest : float
        The finest unit shown.

    Returns
    -------
    pandas.DataFrame
        ``value, lower, upper, unit`` on ``value``'s index.

    Examples
    --------
    >>> r = round_to_interval(pd.Series([1_548_012.0, 19_600.0, 0.0]),
    ...     pd.Series([412_500.0, 8_800.0, 0.0]), pd.Series([2_662_500.0, 30_400.0, 0.0]))
    >>> for row in r.values.tolist():
    ...     print(row)
    [1500000.0, 400000.0, 2700000.0, 100000.0]
    [20000.0, 9000.0, 30000.0, 1000.0]
    [0.0, 0.0, 0.0, 100.0]
    """
    v, lo, hi = (pd.to_numeric(x, errors="coerce").to_numpy(float) for x in (value, lower, upper))
    half = np.abs(hi - lo) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        power = np.floor(np.log10(np.where(half > 0, half, 1.0))) - 1.0
    unit = np.maximum(10.0**power, smallest)
    unit = np.where(np.isnan(half), smallest, unit)
    return pd.DataFrame(
        {
            "value": np.round(v / unit) * unit,
            "lower": np.round(lo / unit) * unit,
            "upper": np.round(hi / unit) * unit,
            "unit": unit,
        },
        index=value.index,
    )


def round_to_support(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a result table at what the data support.

    Percentages and points (``mean, lower, upper`` and columns ending
    ``_pct`` or ``_pp``) to 2 decimals, probabilities (columns starting
    ``prob``) to 3; other columns unchanged.

    Examples
    --------
    >>> t = pd.DataFrame({"mean": [96.1234], "gap_pp": [1.005], "prob_by_deadline": [0.12345],
    ...     "people": [1.5]})
    >>> round_to_support(t).iloc[0].tolist()
    [96.12, 1.0, 0.123, 1.5]
    """
    out = frame.copy()
    for name in out.columns:
        if not pd.api.types.is_float_dtype(out[name]):
            continue
        if name in ("mean", "lower", "upper") or name.endswith(("_pct", "_pp")):
            out[name] = out[name].round(2)
        elif name.startswith("prob"):
            out[name] = out[name].round(3)
    return out
