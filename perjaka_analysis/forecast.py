"""The path to UHC targets: when, how sure, and at what pace.

Questions an official asks of a fitted trend (:class:`~perjaka_analysis.trend.TrendResults`):
when is 95% (or 98%) reached, with an 80% interval; how likely is it by the
deadline; and how many more participants per month would it take from the
latest figure, next to the pace of the last observed year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .coverage import pp_to_people
from .errors import PerjakaError
from .provinces import NATIONAL, province_table

if TYPE_CHECKING:  # the trend module (scipy.stats) loads only where a trend is fitted
    from .trend import TrendResults

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_TARGETS",
    "compute_targets",
    "crossing_summary",
    "own_figure",
    "population_by_place",
    "probably_above",
    "rank_by_expected_date",
    "scenario_targets",
    "targets_view",
]

DEFAULT_TARGETS: tuple[float, ...] = (95.0, 98.0)
#: End of the RPJMN 2025-2029 planning period (98.6% registered by 2029).
DEFAULT_DEADLINE = "2029-12-31"
#: How far beyond the deadline crossings are looked for.
HORIZON_YEARS_AFTER_DEADLINE = 10

STATUS_ABOVE = "already above target"
STATUS_ABOVE_MODELLED = "already above (modelled)"
#: A target counts as already reached by the model only when at least this share of
#: the simulated paths is at or above it on the end of the data: an estimate a
#: little above or below a target is not "already reached" (a figure can show it).
ABOVE_NOW_PROB = 0.95
STATUS_EXPECTED = "expected"
STATUS_OUT_OF_REACH = "out of reach within horizon"

#: Bounds of the probability for a place without a figure of its own: its
#: paths come from the pooled trend (and status reports) only, so the model
#: cannot be surer than this about it.
PROB_BOUNDS_NO_FIGURE = (0.02, 0.98)


def probably_above(status: object, date_upper_80: object) -> bool:
    """True for a target the model puts above only on its median path.

    :data:`STATUS_ABOVE_MODELLED` with a 90th-percentile crossing still
    ahead (``date_upper_80`` set): most paths, not all, have crossed, and
    pages say "probably already above … by <date_upper_80>".

    Examples
    --------
    >>> probably_above(STATUS_ABOVE_MODELLED, pd.Timestamp("2025-10-01"))
    True
    >>> probably_above(STATUS_ABOVE_MODELLED, None), probably_above(STATUS_EXPECTED, "2025-10-01")
    (False, False)
    """
    return (
        status == STATUS_ABOVE_MODELLED and date_upper_80 is not None and not pd.isna(date_upper_80)
    )


def population_by_place(provinces: pd.DataFrame, coverage: pd.DataFrame | None = None) -> pd.Series:
    """Population per province, and for ``INDONESIA``.

    Parameters
    ----------
    provinces : pandas.DataFrame
        :func:`perjaka_analysis.load_provinces` (``province``, ``population``).
    coverage : pandas.DataFrame, optional
        Coverage rows; the national population is the denominator of the
        latest national figure that states one. Without it (or without such a
        row) it is the sum of the provinces, left missing when any is missing.

    Returns
    -------
    pandas.Series
        Population (float, NaN where unknown) indexed by place.
    """
    pop = provinces.set_index("province")["population"].astype("float64")
    national = np.nan
    if coverage is not None:
        rows = coverage[
            (coverage["province"] == NATIONAL)
            & coverage["district"].isna()
            & coverage["population"].notna()
        ].sort_values("date")
        if not rows.empty:
            national = float(rows["population"].iloc[-1])
    if np.isnan(national) and pop.notna().all():
        national = float(pop.sum())
    pop[NATIONAL] = national
    return pop


def _crossing_index(paths: np.ndarray, target: float) -> np.ndarray:
    """First column where each path reaches the target; -1 where it never does."""
    hit = paths >= target
    first = hit.argmax(axis=1)
    return np.where(hit.any(axis=1), first, -1)


def _date_at(dates: pd.DatetimeIndex, i: int) -> pd.Timestamp:
    """The i-th date, or NaT when i is past the horizon."""
    return dates[int(i)] if int(i) < len(dates) else pd.NaT


def own_figure(trend) -> bool:
    """Whether a place's latest figure is its own: of the place itself (not of a
    predecessor territory) and dated on or after the day it was established."""
    if trend.last_pct is None or trend.last_date is None:
        return False
    if getattr(trend, "group", trend.province) not in (None, trend.province):
        return False
    table = province_table().set_index("province")
    if trend.province in table.index:
        established = table.loc[trend.province, "established"]
        if pd.notna(established) and pd.Timestamp(trend.last_date) < established:
            return False
    return True


def crossing_summary(
    dates: pd.DatetimeIndex,
    paths: np.ndarray,
    target: float,
    deadline: pd.Timestamp,
    *,
    has_figure: bool = True,
    as_of: pd.Timestamp | None = None,
) -> dict:
    """When simulated paths first reach a target: the one definition of a crossing.

    Parameters
    ----------
    dates : DatetimeIndex
        Path dates; the first is the place's last figure (or the panel's end
        for a place without one).
    paths : ndarray, shape (n_paths, len(dates))
        Latent coverage in percent.
    target : float
        Target in percent.
    deadline : Timestamp
        Deadline of the probability.
    has_figure : bool
        Whether the place has a figure of its own; without one the
        probability stays within :data:`PROB_BOUNDS_NO_FIGURE`.
    as_of : Timestamp, optional
        The end of the data (default: the first path date). A path at or
        above the target on that date has reached it ("already above
        (modelled)" when at least :data:`ABOVE_NOW_PROB` of them have);
        otherwise its crossing is the first date after it at or above the
        target (a path that crossed earlier and fell back has not reached
        it).

    Returns
    -------
    dict
        ``status`` (:data:`STATUS_ABOVE_MODELLED` when at least
        :data:`ABOVE_NOW_PROB` of the paths are at or above the target on
        ``as_of``; also when half of them are, with ``date_upper_80`` set, at
        the latest the date after ``as_of``: "probably above",
        :func:`probably_above`), :data:`STATUS_EXPECTED` (its median crossing,
        or :data:`STATUS_OUT_OF_REACH` when the median crossing is beyond the
        last date), ``expected_date`` (the median crossing; NaT unless
        expected), ``date_lower_80`` and ``date_upper_80`` (10th and 90th
        percentiles of the crossing; NaT when on or before ``as_of`` or
        beyond the horizon) and
        ``prob_by_deadline`` (share of the same paths that reach the target
        by the deadline).

    Examples
    --------
    >>> dates = pd.date_range("2025-01-01", periods=3, freq="YS")
    >>> paths = np.array([[90.0, 96.0, 99.0], [90.0, 94.0, 96.0], [90.0, 91.0, 93.0]])
    >>> out = crossing_summary(dates, paths, 95.0, pd.Timestamp("2026-12-31"))
    >>> out["status"], str(out["expected_date"].date()), round(out["prob_by_deadline"], 2)
    ('expected', '2027-01-01', 0.33)
    """
    past = 0 if as_of is None else max(int(np.searchsorted(dates, as_of, side="right")) - 1, 0)
    # reaching the target from ``as_of`` on: a path that crossed before it and fell
    # back has not reached it yet, so "already above" agrees with the level on as_of
    idx = _crossing_index(paths[:, past:], target)
    idx = np.where(idx >= 0, idx + past, -1)
    never = len(dates)
    reached_by = np.where(idx >= 0, idx, never)
    deadline_idx = int(np.searchsorted(dates, deadline, side="right")) - 1
    prob = float(np.mean((idx >= 0) & (idx <= deadline_idx)))
    if not has_figure:
        prob = float(np.clip(prob, *PROB_BOUNDS_NO_FIGURE))
    q10, q50, q90 = np.quantile(reached_by, [0.1, 0.5, 0.9], method="lower")
    out = {
        "expected_date": pd.NaT,
        "date_lower_80": pd.NaT if q10 <= past else _date_at(dates, q10),
        "date_upper_80": pd.NaT if q90 <= past else _date_at(dates, q90),
        "prob_by_deadline": prob,
    }
    if np.mean(reached_by <= past) >= ABOVE_NOW_PROB:
        out["status"] = STATUS_ABOVE_MODELLED
    elif q50 <= past:  # more likely above than not, but not sure
        if q90 < never:  # probably above (the median is), by the 90th percentile's crossing
            out["status"] = STATUS_ABOVE_MODELLED
            out["date_upper_80"] = _date_at(dates, max(q90, past + 1))
        else:  # a tenth of the paths never crosses: expected from now on
            out["status"] = STATUS_EXPECTED
            out["expected_date"] = _date_at(dates, past + 1)
    elif q50 >= never:
        out["status"] = STATUS_OUT_OF_REACH
    else:
        out["status"] = STATUS_EXPECTED
        out["expected_date"] = _date_at(dates, q50)
    return out


def compute_targets(
    results: TrendResults,
    *,
    targets: Sequence[float] = DEFAULT_TARGETS,
    deadline: str | pd.Timestamp = DEFAULT_DEADLINE,
    population: Mapping[str, float] | pd.Series | None = None,
    provinces: Sequence[str] | None = None,
    n_paths: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Expected crossing dates, probability by the deadline and required pace.

    Parameters
    ----------
    results : TrendResults
        A fitted trend.
    targets : sequence of float
        Coverage targets in percent.
    deadline : date
        Deadline for the probability and the required pace.
    population : mapping or Series, optional
        Population per place (for paces in people); see
        :func:`population_by_place`.
    provinces : sequence of str, optional
        Places (default every fitted place).
    n_paths : int
        Simulated paths per place.
    seed : int
        Seed (same seed, same numbers).

    Returns
    -------
    pandas.DataFrame
        One row per (place, target): ``province, target_pct, basis,
        last_date, last_pct, status`` (``already above target`` when the
        latest figure is (``expected_date`` is then that figure's date),
        ``already above (modelled)`` when the median path is at the target at
        or before the latest figure, ``expected`` or
        ``out of reach within horizon``), ``expected_date`` (the median
        crossing of the simulated paths), ``date_lower_80``,
        ``date_upper_80`` (NaT at or before the latest figure and beyond the
        horizon), ``prob_by_deadline`` (share of the same paths that reach
        the target by the deadline; within 0.02-0.98 for a place without a
        figure of its own), ``deadline``, ``horizon_end``, ``population``,
        ``gap_pp``, ``required_per_month`` (additional participants per
        month from the latest figure to reach the target by the deadline; 0
        where the target is already met, by a figure or by the model),
        ``recent_per_month`` (the fitted trend's change over the twelve
        months to the end of the data, in people a month: negative where the
        trend fell), ``recent_from_pct`` and ``recent_to_pct`` (the trend's
        mean twelve months before the end of the data and at its end, in
        percent) and ``pace_ratio`` (required / recent, where recent > 0).
        Only a place's own figure, dated after the place was established,
        says a target is already met; one of a predecessor territory does
        not.

    Raises
    ------
    PerjakaError
        If the deadline is not after the latest figure, or a target is not
        between 0 and the model's ceiling.
    """
    deadline = pd.Timestamp(deadline)
    if deadline <= results.data_end:
        raise PerjakaError(
            f"deadline ({deadline:%Y-%m-%d}) must be after the latest figure "
            f"({results.data_end:%Y-%m-%d})"
        )
    bad = [t for t in targets if not 0 < t < results.ceiling]
    if bad:
        raise PerjakaError(
            f"targets must be between 0 and the ceiling ({results.ceiling:g}%): {bad}"
        )
    targets = sorted(float(t) for t in targets)
    horizon_end = deadline + pd.DateOffset(years=HORIZON_YEARS_AFTER_DEADLINE)
    pop = pd.Series(population if population is not None else {}, dtype="float64")
    names = [results.trend(p).province for p in provinces] if provinces else list(results.trends)
    rows = []
    for name in names:
        trend = results.trends[name]
        dates, paths = results.simulate(name, horizon_end, n_paths=n_paths, seed=seed)
        start = dates[0]
        level_now = float(np.median(paths[:, 0]))
        own = own_figure(trend)
        current = trend.last_pct if own else level_now
        # the pace: the model's change over the twelve months to the end of the data
        end = results.data_end
        year_before = results.predict(
            name, [end - pd.DateOffset(years=1), end], levels=(80,), observation=False
        )["mean"].to_numpy()
        recent_pp_per_year = float(year_before[1] - year_before[0])
        people = float(pop.get(name, np.nan))
        months_left = (deadline.year - start.year) * 12 + (deadline.month - start.month)
        recent = pp_to_people(recent_pp_per_year, people) / 12
        for target in targets:
            crossing = crossing_summary(
                dates,
                paths,
                target,
                deadline,
                has_figure=own,
                as_of=results.data_end,
            )
            gap = max(target - current, 0.0)
            row = {
                "province": name,
                "target_pct": target,
                "basis": trend.basis,
                "last_date": trend.last_date,
                "last_pct": trend.last_pct,
                **crossing,
                "deadline": deadline,
                "horizon_end": horizon_end,
                "population": people,
                "gap_pp": gap,
                "required_per_month": pp_to_people(gap, people) / months_left
                if months_left > 0
                else np.nan,
                "recent_per_month": recent,
                "recent_from_pct": float(year_before[0]),
                "recent_to_pct": float(year_before[1]),
            }
            if row["status"] == STATUS_ABOVE_MODELLED:
                # the model puts the place above the target already: nothing left to add
                row["required_per_month"] = 0.0
            if own and trend.last_pct >= target:
                row.update(
                    status=STATUS_ABOVE,
                    expected_date=trend.last_date,
                    date_lower_80=pd.NaT,
                    date_upper_80=pd.NaT,
                    required_per_month=0.0,
                )
            rows.append(row)
    out = pd.DataFrame(rows)
    out["pace_ratio"] = out["required_per_month"] / out["recent_per_month"].where(
        out["recent_per_month"] > 0
    )
    cols = [
        "province",
        "target_pct",
        "basis",
        "last_date",
        "last_pct",
        "status",
        "expected_date",
        "date_lower_80",
        "date_upper_80",
        "prob_by_deadline",
        "deadline",
        "horizon_end",
        "population",
        "gap_pp",
        "required_per_month",
        "recent_per_month",
        "recent_from_pct",
        "recent_to_pct",
        "pace_ratio",
    ]
    return out[cols]


def rank_by_expected_date(targets_table: pd.DataFrame, target: float = 95.0) -> pd.DataFrame:
    """Places ranked by when they reach one target (already above first, out of reach last).

    Parameters
    ----------
    targets_table : pandas.DataFrame
        Output of :func:`compute_targets`.
    target : float
        The target to rank by.

    Returns
    -------
    pandas.DataFrame
        ``rank, province, status, expected_date, date_lower_80,
        date_upper_80, prob_by_deadline, basis``.
    """
    rows = targets_table[targets_table["target_pct"] == float(target)].copy()
    if rows.empty:
        raise PerjakaError(
            f"target {target:g} is not in the table (has: "
            f"{', '.join(f'{t:g}' for t in sorted(targets_table['target_pct'].unique()))})"
        )
    order = {STATUS_ABOVE: 0, STATUS_ABOVE_MODELLED: 0, STATUS_EXPECTED: 1, STATUS_OUT_OF_REACH: 2}
    rows["_s"] = rows["status"].map(order)
    rows = rows.sort_values(
        ["_s", "expected_date", "prob_by_deadline", "province"], ascending=[True, True, False, True]
    )
    rows.insert(0, "rank", np.arange(1, len(rows) + 1))
    cols = [
        "rank",
        "province",
        "status",
        "expected_date",
        "date_lower_80",
        "date_upper_80",
        "prob_by_deadline",
        "basis",
    ]
    return rows[cols].reset_index(drop=True)


def scenario_targets(
    results: TrendResults,
    province: str,
    *,
    added_pp: float,
    start: str | pd.Timestamp,
    targets: Sequence[float] = DEFAULT_TARGETS,
    deadline: str | pd.Timestamp = DEFAULT_DEADLINE,
    n_paths: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """How much earlier each target is met if coverage jumps by ``added_pp`` at ``start``.

    The same simulated paths are used with and without the jump, so the
    difference is the effect of the jump alone.

    Parameters
    ----------
    results : TrendResults
        A fitted trend.
    province : str
        The place.
    added_pp : float
        Percentage points added from ``start`` on (e.g. enforcement at the
        top employers).
    start : date
        When the added participants are registered.
    targets, deadline, n_paths, seed
        As in :func:`compute_targets`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target_pct, baseline_date, scenario_date``
        (median crossing; NaT when already above or beyond the horizon),
        ``months_earlier``, ``baseline_prob``, ``scenario_prob`` (by the
        deadline), ``baseline_status``, ``scenario_status`` (as in
        :func:`compute_targets`; both from :func:`crossing_summary`).
    """
    deadline = pd.Timestamp(deadline)
    horizon_end = deadline + pd.DateOffset(years=HORIZON_YEARS_AFTER_DEADLINE)
    dates, paths = results.simulate(province, horizon_end, n_paths=n_paths, seed=seed)
    jump = np.where(dates >= pd.Timestamp(start), float(added_pp), 0.0)
    boosted = paths + jump[None, :]
    has_figure = own_figure(results.trend(province))
    rows = []
    for target in sorted(float(t) for t in targets):
        out = {"target_pct": target}
        for label, p in (("baseline", paths), ("scenario", boosted)):
            crossing = crossing_summary(
                dates, p, target, deadline, has_figure=has_figure, as_of=results.data_end
            )
            out[f"{label}_status"] = crossing["status"]
            out[f"{label}_date"] = crossing["expected_date"]
            out[f"{label}_prob"] = crossing["prob_by_deadline"]
        b, s = out["baseline_date"], out["scenario_date"]
        out["months_earlier"] = (
            (b.year - s.year) * 12 + (b.month - s.month) if pd.notna(b) and pd.notna(s) else np.nan
        )
        rows.append(out)
    cols = [
        "target_pct",
        "baseline_date",
        "scenario_date",
        "months_earlier",
        "baseline_prob",
        "scenario_prob",
        "baseline_status",
        "scenario_status",
    ]
    return pd.DataFrame(rows)[cols]


def targets_view(table: pd.DataFrame) -> pd.DataFrame:
    """The printed form of :func:`compute_targets`: months as text, an 80% interval, rounding.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`compute_targets`.

    Returns
    -------
    pandas.DataFrame
        ``province, target_pct, status, expected`` (``YYYY-MM``),
        ``interval_80`` (``YYYY-MM – YYYY-MM``, ``later`` for an open upper
        end, empty when already above the target), ``p_deadline`` (2
        decimals), ``required_month, recent_month`` (to hundreds), ``basis``.

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["A", "B"], "target_pct": [95.0, 95.0],
    ...     "status": [STATUS_EXPECTED, STATUS_ABOVE],
    ...     "expected_date": pd.to_datetime(["2027-03-31", None]),
    ...     "date_lower_80": pd.to_datetime(["2026-01-31", None]),
    ...     "date_upper_80": pd.to_datetime([None, None]),
    ...     "prob_by_deadline": [0.876, 1.0], "required_per_month": [12345.0, 0.0],
    ...     "recent_per_month": [6789.0, 0.0], "basis": ["own data", "own data"]})
    >>> targets_view(t)[["expected", "interval_80", "p_deadline", "required_month"]].values.tolist()
    [['2027-03', '2026-01 – later', 0.88, 12300.0], [nan, '', 1.0, 0.0]]
    """
    interval = (
        table["date_lower_80"].dt.strftime("%Y-%m").fillna("")
        + " – "
        + table["date_upper_80"].dt.strftime("%Y-%m").fillna("later")
    )
    return table.assign(
        expected=table["expected_date"].dt.strftime("%Y-%m"),
        interval_80=interval.where(table["status"] != STATUS_ABOVE, ""),
        p_deadline=table["prob_by_deadline"].round(2),
        required_month=table["required_per_month"].round(-2),
        recent_month=table["recent_per_month"].round(-2),
    )[
        [
            "province",
            "target_pct",
            "status",
            "expected",
            "interval_80",
            "p_deadline",
            "required_month",
            "recent_month",
            "basis",
        ]
    ]
