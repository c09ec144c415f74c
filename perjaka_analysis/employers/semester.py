"""What a period of inspections achieved: the figures of the semester report.

A PERJAKA team visits the employers of its plans (:mod:`.plan`) and records
what it found (:mod:`.outcomes`); every six months it reports what enforcement
achieved. Everything here works on the *visits table* of a period
(:func:`visit_table`): one row per employer listed on a plan, with what the
plan expected of it and, when it was visited within the period, the finding.

- :func:`inspection_summary`: per province and nationally, inspections done
  against plan; the hit rate of ranked and of random picks with Wilson
  intervals; workers and family members registered and arrears recovered
  against what the plan expected; employers referred to the prosecutors;
- :func:`brought_in`: the workers (or family members) the visits brought in
  beyond ordinary hiring and leaving, with a 95% interval;
- :func:`reliability_table` and :func:`calibration_summary`: calibration of
  the plan's model on its random picks (the only visits that stand for the
  employers the model did not choose);
- :func:`district_change`: the same by kab/kota;
- :func:`compute_semester`: all of it as one frozen :class:`SemesterFacts`,
  with the equity table of :func:`~.equity.equity_table`.

Only aggregates leave this module: no employer id or pseudonym is in
:class:`SemesterFacts`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import PerjakaError
from ..provinces import NATIONAL
from .disclosure import K_ANONYMITY
from .equity import equity_table
from .plan import PLAN_META

__all__ = [
    "PLAN_NEEDS",
    "SUMMARY_COUNTS",
    "SemesterFacts",
    "brought_in",
    "calibration_summary",
    "compute_semester",
    "district_change",
    "inspection_summary",
    "parse_period",
    "pooled_places",
    "reliability_table",
    "visit_table",
    "visited_employers",
    "wilson_interval",
]

#: Columns of a plan the semester report reads (a plan written by ``employers score``).
PLAN_NEEDS = (
    "province",
    "selection",
    "inclusion_probability",
    "risk",
    "expected_unregistered_workers",
    "expected_unregistered_dependants",
    "arrears_idr",
)
#: Bins of the model's risk in the reliability table.
RISK_BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
#: z of a two-sided 95% interval.
Z95 = 1.959963984540054
_PERIOD = re.compile(r"^(\d{4})-(S[12]|Q[1-4])$")


def parse_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period written ``YYYY-S1`` / ``YYYY-S2`` (semesters)
    or ``YYYY-Q1``…``YYYY-Q4`` (quarters).

    Raises
    ------
    PerjakaError
        Naming the value and what would be valid.

    Examples
    --------
    >>> [f"{d:%Y-%m-%d}" for d in parse_period("2026-S1")]
    ['2026-01-01', '2026-06-30']
    >>> [f"{d:%Y-%m-%d}" for d in parse_period("2025-Q4")]
    ['2025-10-01', '2025-12-31']
    """
    match = _PERIOD.match(str(period).strip().upper())
    if not match:
        raise PerjakaError(
            f"--period: {period!r} is not a period; valid: a semester YYYY-S1 (January to "
            "June) or YYYY-S2 (July to December), or a quarter YYYY-Q1 to YYYY-Q4"
        )
    year, part = int(match.group(1)), match.group(2)
    months = 6 if part[0] == "S" else 3
    first = 1 + (int(part[1]) - 1) * months
    start = pd.Timestamp(year=year, month=first, day=1)
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    return start, pd.Timestamp(end)


def wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (95% by default); NaN for n = 0.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    >>> wilson_interval(0, 0)
    (nan, nan)
    """
    if n <= 0:
        return (np.nan, np.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def visit_table(
    plan: pd.DataFrame,
    outcomes: pd.DataFrame,
    registry: pd.DataFrame,
    ids: pd.Series,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """One row per employer listed on the plans, with what was found within the period.

    Parameters
    ----------
    plan : pandas.DataFrame
        The listed employers of the period's plans (:func:`~.outcomes.read_plan`
        of plans from ``employers score``), with :data:`PLAN_NEEDS`.
    outcomes : pandas.DataFrame
        Outcomes checked against the plans
        (:func:`~.outcomes.check_against_plan`): ``employer``,
        ``inspection_list``, ``inspected_on``, ``noncompliant`` and the
        optional outcomes after the visit.
    registry : pandas.DataFrame
        The registry the plans were drawn from (or the merged one): each
        employer's ``workers_registered`` and ``dependants_registered`` before
        the visit, and its ``district``.
    ids : pandas.Series
        What the plans call each registry row (its pseudonym under the plans'
        key, or its ``employer_id`` for identified plans), aligned with
        ``registry``.
    start, end : pandas.Timestamp
        The period: visits on other dates are not counted.

    Returns
    -------
    pandas.DataFrame
        ``employer, inspection_list, model_version, data_date, province,
        district, selection,
        inclusion_probability, risk, expected_workers, expected_dependants,
        arrears_idr, workers_before, dependants_before, inspected_on, visited,
        outside, noncompliant, workers_after, dependants_after,
        arrears_recovered_idr, referred`` (``inspected_on``: the recorded date
        of the visit, NaT when none; ``visited``: within the period;
        ``outside``: visited on another date).

    Raises
    ------
    PerjakaError
        When an employer of the plans is not in the registry.
    """
    id_col = "employer_id" if "employer_id" in plan else "pseudonym"
    at = pd.Index(ids.astype(str).to_numpy()).get_indexer(plan[id_col].astype(str).to_numpy())
    if (at < 0).any():
        missing = plan[id_col][at < 0]
        raise PerjakaError(
            f"{len(missing)} employer(s) of the plans are not in the registry (first: "
            f"{', '.join(missing.astype(str).head(3))}); give the registry the plans were "
            "made from (and, for pseudonymised plans, their key)"
        )
    rows = registry.iloc[at]

    def registry_count(column: str) -> np.ndarray:
        if column not in rows:
            return np.full(len(rows), np.nan)
        return pd.to_numeric(rows[column], errors="coerce").to_numpy(float)

    district = plan["district"] if "district" in plan else pd.Series(np.nan, index=plan.index)
    if "district" in rows:
        district = district.where(district.notna(), pd.Series(rows["district"].to_numpy(),
                                                              index=plan.index))  # fmt: skip
    out = pd.DataFrame(
        {
            "employer": plan[id_col].astype(str).to_numpy(),
            **{c: plan[c].astype(str).to_numpy() for c in PLAN_META},
            "province": plan["province"].astype(str).to_numpy(),
            "district": district.fillna("").astype(str).to_numpy(),
            "selection": plan["selection"].astype(str).to_numpy(),
            "inclusion_probability": pd.to_numeric(plan["inclusion_probability"]).to_numpy(),
            "risk": pd.to_numeric(plan["risk"], errors="coerce").to_numpy(float),
            "expected_workers": pd.to_numeric(plan["expected_unregistered_workers"]).to_numpy(),
            "expected_dependants": pd.to_numeric(
                plan["expected_unregistered_dependants"]
            ).to_numpy(),
            "arrears_idr": pd.to_numeric(plan["arrears_idr"], errors="coerce").to_numpy(float),
            "workers_before": registry_count("workers_registered"),
            "dependants_before": registry_count("dependants_registered"),
        }
    )
    keyed = outcomes.set_index(["employer", "inspection_list"])
    found = keyed.reindex(pd.MultiIndex.from_frame(out[["employer", "inspection_list"]]))
    when = pd.to_datetime(found["inspected_on"]).to_numpy()
    seen = ~np.isnat(when)
    inside = seen & (when >= np.datetime64(start)) & (when <= np.datetime64(end))

    def recorded(column: str) -> np.ndarray:
        if column not in found:
            return np.full(len(out), np.nan)
        values = pd.to_numeric(found[column], errors="coerce").to_numpy(float)
        return np.where(inside, values, np.nan)

    out["inspected_on"] = when
    out["visited"] = inside
    out["outside"] = seen & ~inside
    out["noncompliant"] = recorded("noncompliant")
    out["workers_after"] = recorded("workers_registered_after")
    out["dependants_after"] = recorded("dependants_registered_after")
    out["arrears_recovered_idr"] = recorded("arrears_recovered_idr")
    out["referred"] = recorded("referred_to_prosecutor")
    return out


def _sum(x: pd.Series) -> float:
    return float(np.nansum(x.to_numpy(float)))


def brought_in(
    before: np.ndarray, after: np.ndarray, noncompliant: np.ndarray, *, z: float = Z95
) -> dict[str, float]:
    """What the visits brought in, beyond ordinary hiring and leaving, with its 95% interval.

    The change in registered people at the employers found noncompliant
    (``after - before``) less the ordinary change measured at those found
    compliant: ``T = sum_N (after - before) - r * B_N`` with ``r = sum_C
    (after - before) / B_C`` (``B_N``, ``B_C``: registered before at the
    noncompliant and compliant employers). Ordinary change varies from one
    employer to the next with a variance taken proportional to its registered
    people, ``phi * before``; ``phi`` is estimated from the compliant
    employers, ``phi = n_C / (n_C - 1) * sum_C (after - before - r * before)^2
    / B_C``, and the standard error of ``T`` (the noise of the noncompliant
    employers' own ordinary change and of ``r``) is ``sqrt(phi * B_N * (1 +
    B_N / B_C))``. The interval is for what these visits brought in; it does
    not widen for effects that differ from one employer to the next.

    Parameters
    ----------
    before, after : array
        Registered people of each visited employer before and after the visit.
    noncompliant : array
        The finding (1 noncompliant, 0 compliant).
    z : float
        Normal quantile of the interval (95% two-sided by default).

    Returns
    -------
    dict
        ``change`` (sum of ``after - before``), ``ordinary_rate`` (``r``; 0
        without compliant employers with registered people), ``brought_in``
        (``T``), ``standard_error``, ``lower``, ``upper`` (NaN with fewer than
        two compliant employers or none registered before).

    Examples
    --------
    >>> e = brought_in(np.array([10, 30, 20]), np.array([11, 31, 28]), np.array([0, 0, 1]))
    >>> [round(e[k], 3) for k in ("ordinary_rate", "brought_in", "standard_error")]
    [0.05, 7.0, 0.866]
    """
    b = np.asarray(before, dtype=float)
    change = np.asarray(after, dtype=float) - b
    bad = np.asarray(noncompliant, dtype=float) == 1
    b_bad, b_good = float(b[bad].sum()), float(b[~bad].sum())
    n_good = int((~bad).sum())
    rate = float(change[~bad].sum()) / b_good if b_good > 0 else 0.0
    total = float(change[bad].sum()) - rate * b_bad
    se = np.nan
    if n_good >= 2 and b_good > 0:
        phi = n_good / (n_good - 1) * float(((change[~bad] - rate * b[~bad]) ** 2).sum()) / b_good
        se = float(np.sqrt(phi * b_bad * (1 + b_bad / b_good)))
    return {
        "change": float(change.sum()),
        "ordinary_rate": rate,
        "brought_in": total,
        "standard_error": se,
        "lower": total - z * se,
        "upper": total + z * se,
    }


#: What a row of the summary says of a part of its employers, by the part's column of
#: employers: hidden (NaN) when the part holds fewer than ``k`` employers.
PART_FIGURES = {
    "workers_recorded": tuple(
        f"workers_{c}" for c in ("expected", "change", "ordinary_rate", "brought_in", "se",
                                 "lower", "upper")
    ),
    "dependants_recorded": tuple(
        f"dependants_{c}" for c in ("expected", "change", "ordinary_rate", "brought_in", "se",
                                    "lower", "upper")
    ),
    "arrears_recorded": ("arrears_due_idr", "arrears_recovered_idr"),
}  # fmt: skip


def _hide_small_parts(row: dict, parts: dict[str, int], k: int) -> dict:
    """``row`` without the figures of a part of fewer than ``k`` employers.

    ``parts`` holds the employers of each part (``ranked``, ``random`` and the
    keys of :data:`PART_FIGURES`). The ranked and random picks are hidden
    together when either is a part of fewer than ``k`` (the row's total found
    minus one gives the other back); the counts of employers stay.
    ``parts_hidden`` says whether a figure shown without the rule is hidden.
    """
    hide = []
    if 0 < min(parts["ranked"], parts["random"]) < k:
        hide += [f"{kind}_{c}" for kind in ("ranked", "random")
                 for c in ("found", "rate", "lower", "upper")]  # fmt: skip
    hide += [c for part, cols in PART_FIGURES.items() if 0 < parts[part] < k for c in cols]
    out = {**row, **dict.fromkeys(hide, np.nan)}
    out["parts_hidden"] = any(pd.notna(row[c]) for c in hide)
    return out


def _one_summary(v: pd.DataFrame, k: int = 1) -> dict:
    """The summary figures of one group of the visits table (parts of fewer than
    ``k`` employers hidden: :func:`_hide_small_parts`)."""
    visited = v[v["visited"]]
    row: dict = {
        "planned": len(v),
        "visited": len(visited),
        "done_rate": len(visited) / len(v) if len(v) else np.nan,
        "outside": int(v["outside"].sum()),
    }
    parts: dict[str, int] = {}  # employers of each part of the row
    for kind in ("ranked", "random"):
        pick = visited[visited["selection"] == kind]
        parts[kind] = _employers(pick)
        hits, n = float(pick["noncompliant"].sum()), len(pick)
        lower, upper = wilson_interval(hits, n)
        row.update(
            {
                f"{kind}_visited": n,
                f"{kind}_found": int(hits),
                f"{kind}_rate": hits / n if n else np.nan,
                f"{kind}_lower": lower,
                f"{kind}_upper": upper,
            }
        )
    found = float(visited["noncompliant"].sum())
    row["found"] = int(found)
    row["hit_rate"] = found / len(visited) if len(visited) else np.nan
    for name, before, after, expected in (
        ("workers", "workers_before", "workers_after", "expected_workers"),
        ("dependants", "dependants_before", "dependants_after", "expected_dependants"),
    ):
        known = visited[visited[after].notna() & visited[before].notna()]
        parts[f"{name}_recorded"] = _employers(known)
        e = brought_in(known[before], known[after], known["noncompliant"])
        row[f"{name}_recorded"] = len(known)
        row[f"{name}_expected"] = _sum(known[expected])
        row[f"{name}_change"] = e["change"]
        row[f"{name}_ordinary_rate"] = e["ordinary_rate"]
        row[f"{name}_brought_in"] = e["brought_in"]
        row[f"{name}_se"] = e["standard_error"]
        row[f"{name}_lower"] = e["lower"]
        row[f"{name}_upper"] = e["upper"]
    paid = visited[visited["arrears_recovered_idr"].notna()]
    parts["arrears_recorded"] = _employers(paid)
    row["arrears_recorded"] = len(paid)
    row["arrears_due_idr"] = _sum(paid["arrears_idr"])
    row["arrears_recovered_idr"] = _sum(paid["arrears_recovered_idr"])
    row["referred"] = int(np.nansum(visited["referred"].to_numpy(float)))
    return _hide_small_parts(row, parts, k)


#: Columns of a summary row that a row of fewer than ``k`` employers visited still shows: how many
#: inspections were planned, done, and recorded (no finding, rate, count or amount of
#: the employers visited).
SUMMARY_COUNTS = (
    "planned",
    "visited",
    "done_rate",
    "outside",
    "ranked_visited",
    "random_visited",
    "workers_recorded",
    "dependants_recorded",
    "arrears_recorded",
)


def visited_employers(visits: pd.DataFrame, by: str) -> pd.Series:
    """Employers visited in the period per ``by``: each counted once.

    An employer listed on two plans of the period and visited for both is two
    visits of one employer: what a row says of it is not hidden among more
    employers for that. Every group of ``visits`` is counted (0 without a
    visit); rows without ``employer`` are one employer each.

    Examples
    --------
    >>> v = pd.DataFrame({"province": ["A", "A", "A", "B"], "employer": ["x", "x", "y", "z"],
    ...                   "visited": [True, True, True, False]})
    >>> visited_employers(v, "province").to_dict()
    {'A': 2, 'B': 0}
    """
    seen = visits["visited"].astype(bool)
    if "employer" not in visits:
        return seen.groupby(visits[by], sort=True).sum().astype(int)
    who = visits["employer"].astype(str).where(seen)
    return who.groupby(visits[by], sort=True).nunique().astype(int)


def _employers(rows: pd.DataFrame) -> int:
    """Employers among ``rows``, each counted once (rows without ``employer``: one each)."""
    if "employer" not in rows:
        return len(rows)
    return int(rows["employer"].astype(str).nunique())


def _n_employers(visits: pd.DataFrame) -> int:
    """Employers visited among ``visits``, each counted once (:func:`visited_employers`)."""
    return _employers(visits[visits["visited"].astype(bool)])


def pooled_places(visited: pd.Series, k: int = K_ANONYMITY) -> list[str]:
    """The places pooled into one row: those of fewer than ``k`` visited employers
    and, while the pool holds some but fewer than ``k``, the next smallest places.

    A pool of fewer than ``k`` could otherwise be worked out as the
    total minus the rows shown, and describe one or a few employers' findings.
    The pool is left with fewer than ``k`` only when every place is in it
    (then the total itself describes them) or it holds no visit.

    Parameters
    ----------
    visited : pandas.Series
        Visited employers per place (indexed by place).
    k : int
        Fewest visits a row may describe.

    Returns
    -------
    list of str
        The pooled places, smallest first (ties by name).

    Examples
    --------
    >>> pooled_places(pd.Series({"A": 1, "B": 7, "C": 6, "D": 9}), k=5)
    ['A', 'C']
    >>> pooled_places(pd.Series({"A": 0, "B": 7}), k=5), pooled_places(pd.Series({"B": 7}), k=5)
    (['A'], [])
    """
    order = sorted(visited.items(), key=lambda kv: (kv[1], str(kv[0])))
    pooled, total = [], 0
    for place, n in order:
        if n >= k and (total == 0 or total >= k):
            break
        pooled.append(place)
        total += n
    return pooled


def inspection_summary(visits: pd.DataFrame, *, k: int = K_ANONYMITY) -> pd.DataFrame:
    """Per province and nationally: inspections against plan, hit rates, what was brought in.

    A province row of fewer than ``k`` visited employers would show what was
    found at one or a few employers: such provinces are pooled into one row
    (``province`` empty, ``pooled``; :func:`pooled_places`: the next smallest
    provinces join a pool of fewer than ``k``, ``joined`` of them), which
    shows only its counts of inspections (:data:`SUMMARY_COUNTS`;
    ``suppressed``) when it still holds fewer than ``k``. The national row
    counts every visit.

    Parameters
    ----------
    visits : pandas.DataFrame
        :func:`visit_table`.
    k : int
        Fewest visited employers a province row may describe
        (:data:`~.disclosure.K_ANONYMITY`; 1 shows every province).

    Returns
    -------
    pandas.DataFrame
        One row per province of ``k`` visited employers or more (sorted), the pooled row
        of the others (if any) and a last row ``province =``
        :data:`~perjaka_analysis.provinces.NATIONAL`: ``pooled, provinces``
        (provinces in the row), ``suppressed``, ``joined`` (provinces of ``k``
        visited employers or more in the pool); ``planned, visited,
        done_rate, outside`` (visits dated outside the period, not counted);
        for ``ranked`` and ``random`` picks ``*_visited, *_found, *_rate,
        *_lower, *_upper`` (95% Wilson interval); ``found, hit_rate``;
        ``workers_recorded`` (visited employers with a count after the visit),
        ``workers_expected`` (the plan's expected unregistered workers of
        those employers), ``workers_change`` (their registered workers after
        the visit minus before), ``workers_ordinary_rate`` (that change per
        registered worker at the employers found compliant: ordinary hiring
        and leaving), ``workers_brought_in`` (the change at the employers
        found noncompliant beyond that ordinary rate: what enforcement
        brought in) with ``workers_se``, ``workers_lower`` and
        ``workers_upper`` (its standard error and 95% interval,
        :func:`brought_in`); the same for ``dependants``;
        ``arrears_recorded, arrears_due_idr`` (arrears on the plan of the
        employers with a recorded recovery), ``arrears_recovered_idr``;
        ``referred``. A suppressed row has NaN outside
        :data:`SUMMARY_COUNTS`.

    Examples
    --------
    >>> v = pd.DataFrame({"province": ["A", "A", "B"], "selection": ["ranked", "random", "ranked"],
    ...     "visited": [True, True, False], "outside": False, "noncompliant": [1.0, 0.0, np.nan],
    ...     "workers_before": [5, 2, 1], "workers_after": [9.0, 2.0, np.nan],
    ...     "expected_workers": [3.0, 0.5, 1.0], "dependants_before": 0,
    ...     "dependants_after": np.nan, "expected_dependants": 1.0, "arrears_idr": 0.0,
    ...     "arrears_recovered_idr": np.nan, "referred": [1.0, 0.0, np.nan]})
    >>> s = inspection_summary(v, k=1).set_index("province")
    >>> nation = s.loc["INDONESIA"]
    >>> [float(nation[k]) for k in ("planned", "visited", "found", "workers_brought_in")]
    [3.0, 2.0, 1.0, 4.0]
    >>> inspection_summary(v, k=2)[["province", "pooled", "provinces", "visited", "found"]
    ...     ].values.tolist()
    [['A', False, 1, 2, 1.0], ['', True, 1, 0, nan], ['INDONESIA', False, 2, 2, 1.0]]
    """
    groups = [
        {
            "province": p,
            "pooled": False,
            "provinces": 1,
            "suppressed": False,
            "joined": 0,
            **_one_summary(g, k),
        }
        for p, g in visits.groupby("province", sort=True)
    ]
    employers = visited_employers(visits, "province")
    small = pooled_places(employers, k)
    rows = [g for g in groups if g["province"] not in small]
    if small:
        members = visits[visits["province"].isin(small)]
        pool = _one_summary(members, k)
        suppressed = _n_employers(members) < k
        if suppressed:
            pool = {c: (v if c in SUMMARY_COUNTS else np.nan) for c, v in pool.items()}
        joined = int((employers[small] >= k).sum())
        rows.append(
            {"province": "", "pooled": True, "provinces": len(small), "suppressed": suppressed,
             "joined": int(joined), **pool}
        )  # fmt: skip
    rows.append(
        {"province": NATIONAL, "pooled": False, "provinces": visits["province"].nunique(),
         "suppressed": False, "joined": 0, **_one_summary(visits, k)}
    )  # fmt: skip
    return pd.DataFrame(rows)


def reliability_table(
    risk: np.ndarray, found: np.ndarray, *, bins: Sequence[float] = RISK_BINS, min_n: int = 1
) -> pd.DataFrame:
    """Predicted risk against the share found noncompliant, by band of risk.

    Parameters
    ----------
    risk : array
        The plan model's risk of each visited employer.
    found : array
        The finding (1 noncompliant, 0 compliant).
    bins : sequence of float
        Edges of the risk bands (the last band includes its upper edge).
    min_n : int
        Fewest employers a band may describe: a band of fewer is joined to the
        next (the last to the one before), so that no point of the chart is
        the finding of one or a few employers.

    Returns
    -------
    pandas.DataFrame
        ``lower_edge, upper_edge, n, mean_risk, observed, lower, upper`` (95%
        Wilson interval of the observed share); bands without visits are left
        out.

    Examples
    --------
    >>> t = reliability_table(np.array([0.05, 0.15, 0.12, 0.8]), np.array([0, 1, 0, 1]),
    ...                       bins=(0, 0.1, 0.5, 1))
    >>> t[["n", "mean_risk", "observed"]].values.tolist()
    [[1.0, 0.05, 0.0], [2.0, 0.135, 0.5], [1.0, 0.8, 1.0]]
    >>> t = reliability_table(np.array([0.05, 0.15, 0.12, 0.8, 0.9]),
    ...                       np.array([0, 1, 0, 1, 1]), bins=(0, 0.1, 0.5, 1), min_n=2)
    >>> t[["lower_edge", "upper_edge", "n", "observed"]].values.tolist()
    [[0.0, 0.5, 3.0, 0.3333333333333333], [0.5, 1.0, 2.0, 1.0]]
    >>> t = reliability_table(np.array([0.15, 0.12, 0.8]), np.array([1, 0, 1]),
    ...                       bins=(0, 0.1, 0.5, 1), min_n=2)  # a short last band joins
    >>> t[["lower_edge", "upper_edge", "n"]].values.tolist()
    [[0.1, 1.0, 3.0]]
    """
    r = np.asarray(risk, dtype=float)
    y = np.asarray(found, dtype=float)
    edges = np.asarray(bins, dtype=float)
    band = np.clip(np.searchsorted(edges, r, side="right") - 1, 0, len(edges) - 2)
    counts = np.bincount(band, minlength=len(edges) - 1)
    # runs of bands holding at least min_n employers each (the last run takes a short tail)
    runs, start, held = [], 0, 0
    for b, c in enumerate(counts):
        if held == 0 and c == 0:  # empty bands before a run are not part of it
            start = b + 1
            continue
        held += int(c)
        if held >= min_n:
            runs.append((start, b))
            start, held = b + 1, 0
    if start < len(counts) and counts[start:].sum():
        runs = [*runs[:-1], (runs[-1][0], len(counts) - 1)] if runs else [(start, len(counts) - 1)]
    rows = []
    for first, last in runs:
        member = (band >= first) & (band <= last)
        n = int(member.sum())
        if n == 0:
            continue
        k = float(y[member].sum())
        lower, upper = wilson_interval(k, n)
        rows.append(
            {
                "lower_edge": edges[first],
                "upper_edge": edges[last + 1],
                "n": float(n),
                "mean_risk": float(r[member].mean()),
                "observed": k / n,
                "lower": lower,
                "upper": upper,
            }
        )
    columns = ["lower_edge", "upper_edge", "n", "mean_risk", "observed", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns)


def calibration_summary(risk: np.ndarray, found: np.ndarray) -> dict[str, float]:
    """Expected against found noncompliant employers among visited random picks.

    Returns
    -------
    dict
        ``n``; ``expected`` (sum of the model's risk) and ``found``;
        ``mean_risk`` and ``observed`` with its 95% Wilson interval
        (``lower``, ``upper``); ``ratio`` (found / expected; 1 = calibrated
        on average).

    Examples
    --------
    >>> s = calibration_summary(np.array([0.2, 0.3, 0.5]), np.array([0, 1, 1]))
    >>> s["n"], s["expected"], s["found"], round(s["ratio"], 3)
    (3, 1.0, 2.0, 2.0)
    """
    r = np.asarray(risk, dtype=float)
    y = np.asarray(found, dtype=float)
    n = len(r)
    k = float(y.sum())
    lower, upper = wilson_interval(k, n)
    expected = float(r.sum())
    return {
        "n": n,
        "expected": expected,
        "found": k,
        "mean_risk": expected / n if n else np.nan,
        "observed": k / n if n else np.nan,
        "lower": lower,
        "upper": upper,
        "ratio": k / expected if expected > 0 else np.nan,
    }


def district_change(visits: pd.DataFrame, *, k: int = K_ANONYMITY) -> pd.DataFrame:
    """Per kab/kota: visits, findings, registered workers and family before and after.

    A district row of fewer than ``k`` visited employers would show what was
    found at one or a few employers: such districts are pooled into one row
    per province (``pooled``, ``district`` empty; :func:`pooled_places`: the
    next smallest districts join a pool of fewer than ``k``, so that it
    cannot be worked out from the province's total), which is left out when
    it still holds fewer than ``k`` visited employers.

    Parameters
    ----------
    visits : pandas.DataFrame
        :func:`visit_table`.
    k : int
        Fewest visited employers a row may describe
        (:data:`~.disclosure.K_ANONYMITY`; 1 shows every district).

    Returns
    -------
    pandas.DataFrame
        ``province, district, pooled, districts`` (districts in the row),
        ``visited, found, workers_before, workers_after, workers_change,
        dependants_before, dependants_after, dependants_change,
        arrears_recovered_idr, referred``, over the visited employers with a
        recorded count after the visit (before and after sums over the same
        employers); districts without a visit in the period are left out.
        Sorted by province, then by the change in workers (largest first),
        the pooled row last.

    Examples
    --------
    >>> v = pd.DataFrame({"province": "A", "district": ["X", "X", "Y"], "visited": True,
    ...     "noncompliant": [1.0, 0.0, 1.0], "workers_before": [5.0, 2.0, 1.0],
    ...     "workers_after": [9.0, np.nan, 2.0], "dependants_before": 1.0,
    ...     "dependants_after": [3.0, 1.0, np.nan], "arrears_recovered_idr": np.nan,
    ...     "referred": 0.0})
    >>> district_change(v, k=1)[["district", "visited", "found", "workers_before",
    ...     "workers_after", "workers_change"]].values.tolist()
    [['X', 2, 1, 5.0, 9.0, 4.0], ['Y', 1, 1, 1.0, 2.0, 1.0]]
    >>> pooled = district_change(v, k=2)  # Y alone would be A's total minus X: X joins
    >>> pooled[["district", "pooled", "districts", "visited"]].values.tolist()
    [['', True, 2, 3]]
    """
    visited = visits[visits["visited"]]
    rows = []
    for province, p in visited.groupby("province", sort=True):
        names = set(pooled_places(visited_employers(p, "district"), k))
        for district, g in p.groupby("district", sort=True):
            if district not in names:
                rows.append(_district_row(g, province, district, pooled=False))
        g = p[p["district"].isin(names)]
        if len(g) and _n_employers(g) >= k:
            rows.append({**_district_row(g, province, "", pooled=True), "districts": len(names)})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(
        ["province", "pooled", "workers_change", "district"],
        ascending=[True, True, False, True],
        kind="stable",
    ).reset_index(drop=True)


def _district_row(g: pd.DataFrame, province: str, district: str, *, pooled: bool) -> dict:
    """The district table's figures over the visited employers ``g``."""
    row: dict = {
        "province": province,
        "district": district,
        "pooled": pooled,
        "districts": 1,
        "visited": len(g),
        "found": int(np.nansum(g["noncompliant"].to_numpy(float))),
    }
    for name in ("workers", "dependants"):
        known = g[g[f"{name}_after"].notna() & g[f"{name}_before"].notna()]
        row[f"{name}_before"] = _sum(known[f"{name}_before"])
        row[f"{name}_after"] = _sum(known[f"{name}_after"])
        row[f"{name}_change"] = row[f"{name}_after"] - row[f"{name}_before"]
    row["arrears_recovered_idr"] = _sum(g["arrears_recovered_idr"])
    row["referred"] = int(np.nansum(g["referred"].to_numpy(float)))
    return row


@dataclass(frozen=True)
class SemesterFacts:
    """Everything the semester report shows (aggregates only).

    Attributes
    ----------
    period : str
        ``2026-S1``.
    start, end : pandas.Timestamp
    province : str or None
        The province reported on, or None (every province and the nation).
    plans : pandas.DataFrame
        ``inspection_list, model_version, data_date, planned``.
    summary : pandas.DataFrame
        :func:`inspection_summary`.
    calibration : pandas.DataFrame
        :func:`reliability_table` of the visited random picks.
    calibration_overall : dict
        :func:`calibration_summary` of the same.
    districts : pandas.DataFrame
        :func:`district_change`.
    equity : pandas.DataFrame or None
        :func:`~.equity.equity_table` of the plans (size band, sector) among
        the employers not inspected before them, with the model's risk as
        outcome; None when the plans hold only the listed employers.
    synthetic : bool
        The registry is synthetic (it carries the generator's truth).
    notes : tuple of str
        What the page should say besides the figures (``outside``: visits dated
        outside the period; ``no_equity``: no equity table;
        ``pooled_provinces``: provinces of fewer than
        :data:`~.disclosure.K_ANONYMITY` visited employers pooled into one row;
        ``pooled_suppressed``: that row shows its counts of inspections only;
        ``pooled_joined``: provinces of more joined a pool of fewer).
    latest_finding : pandas.Timestamp or None
        The latest visit within the period (and the province) whose finding the
        report counts: the date its data stand at; None without a visit.
    """

    period: str
    start: pd.Timestamp
    end: pd.Timestamp
    province: str | None
    plans: pd.DataFrame
    summary: pd.DataFrame
    calibration: pd.DataFrame
    calibration_overall: dict
    districts: pd.DataFrame
    equity: pd.DataFrame | None
    synthetic: bool = False
    notes: tuple[str, ...] = field(default=())
    latest_finding: pd.Timestamp | None = None

    @property
    def national(self) -> pd.Series:
        """The last row of :attr:`summary` (the nation, or the one province)."""
        return self.summary.iloc[-1]

    def _repr_html_(self) -> str:
        return self.summary._repr_html_()


def compute_semester(
    visits: pd.DataFrame,
    *,
    period: str,
    province: str | None = None,
    scored: pd.DataFrame | None = None,
    synthetic: bool = False,
) -> SemesterFacts:
    """The facts of the semester report from a period's visits table.

    Parameters
    ----------
    visits : pandas.DataFrame
        :func:`visit_table`.
    period : str
        ``YYYY-S1``, ``YYYY-S2`` or a quarter (:func:`parse_period`).
    province : str, optional
        Report on this province only (official name); its summary's last row
        is the province itself.
    scored : pandas.DataFrame, optional
        The full scored tables of the plans (every employer, ``on_list``,
        ``size_band``, ``sector``, ``risk``, ``inspected``): the equity table,
        over the employers not inspected before the plans (those a plan can
        list).
    synthetic : bool
        Mark the report as made from a synthetic registry.

    Returns
    -------
    SemesterFacts

    Raises
    ------
    PerjakaError
        When no employer of the plans is in ``province``.
    """
    start, end = parse_period(period)
    if province is not None:
        visits = visits[visits["province"] == province]
        if visits.empty:
            raise PerjakaError(f"--province: no employer of the plans is in {province}")
        if scored is not None:
            scored = scored[scored["province"] == province]
    # a province's own report: its row is its total, as the nation's row is the nation's
    summary = inspection_summary(visits, k=1 if province is not None else K_ANONYMITY)
    # the kab/kota of the provinces pooled in the nation's tables are not shown either:
    # they would give the pooled provinces' figures back
    hidden = []
    if province is None:
        hidden = pooled_places(visited_employers(visits, "province"))
    if province is not None:
        summary = summary[summary["province"] == province].reset_index(drop=True)
    picks = visits[visits["visited"] & (visits["selection"] == "random")]
    picks = picks[picks["risk"].notna()]
    equity = None
    if scored is not None and "inspected" in scored:  # a plan lists uninspected employers only
        scored = scored[~scored["inspected"].astype(bool).to_numpy()]
    if scored is not None and not scored.empty and not scored["on_list"].all():
        equity = equity_table(scored, by=("size_band", "sector"), outcome="risk")
    plans = visits.groupby(list(PLAN_META), sort=True).size().rename("planned").reset_index()
    notes = []
    if summary["pooled"].any():
        notes.append("pooled_provinces")
    if summary["suppressed"].any():
        notes.append("pooled_suppressed")
    if summary["joined"].gt(0).any():
        notes.append("pooled_joined")
    if summary["parts_hidden"].eq(True).any():
        notes.append("parts_hidden")
    if int(summary["outside"].iloc[-1]):
        notes.append("outside")
    if equity is None:
        notes.append("no_equity")
    seen = pd.to_datetime(visits.loc[visits["visited"], "inspected_on"])
    latest = pd.Timestamp(seen.max()).normalize() if seen.notna().any() else None
    return SemesterFacts(
        period=period.strip().upper(),
        start=start,
        end=end,
        province=province,
        plans=plans,
        summary=summary,
        calibration=reliability_table(
            picks["risk"].to_numpy(),
            picks["noncompliant"].to_numpy(),
            min_n=1 if province is not None else K_ANONYMITY,
        ),
        calibration_overall=calibration_summary(
            picks["risk"].to_numpy(), picks["noncompliant"].to_numpy()
        ),
        districts=district_change(visits[~visits["province"].isin(hidden)]),
        equity=equity,
        synthetic=synthetic,
        notes=tuple(notes),
        latest_finding=latest,
    )
