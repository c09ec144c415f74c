"""Facts about the targets: gains if the listed employers complied, the scenario, enforcement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..coverage import pp_to_people
from ..forecast import STATUS_ABOVE, scenario_targets
from ..precision import round_to_interval
from ..provinces import NATIONAL
from .schema import _frame


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


def drop_reached(scenario: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """The scenario without crossing dates for targets a published figure already reached.

    The ``targets`` table says "already above target" (``STATUS_ABOVE``) when
    the latest published figure is at or above a target; the scenario's
    simulated paths can still cross it later (Jawa Tengah: 98.68% published
    on 31 May 2025, a baseline crossing of 98% in February 2026). One answer
    per target: there, ``baseline_date``, ``scenario_date`` and
    ``months_earlier`` are left empty, so the brief says "already above
    target" in both tables; the probabilities stay.

    Examples
    --------
    >>> sc = pd.DataFrame({"province": ["A", "A"], "target_pct": [95.0, 98.0],
    ...     "baseline_date": pd.to_datetime(["2025-01-31", "2026-02-28"]),
    ...     "scenario_date": pd.to_datetime(["2025-01-31", "2026-02-28"]),
    ...     "months_earlier": [0.0, 0.0], "baseline_prob": [1.0, 0.93]})
    >>> tg = pd.DataFrame({"province": ["A", "A"], "target_pct": [95.0, 98.0],
    ...     "status": ["already above target", "expected"]})
    >>> out = drop_reached(sc, tg)
    >>> out["baseline_date"].dt.strftime("%Y-%m").tolist(), out["months_earlier"].tolist()
    ([nan, '2026-02'], [nan, 0.0])
    """
    reached = targets.loc[targets["status"] == STATUS_ABOVE, ["province", "target_pct"]]
    keys = pd.MultiIndex.from_frame(scenario[["province", "target_pct"]])
    mask = keys.isin(pd.MultiIndex.from_frame(reached))
    out = scenario.copy()
    for col in ("baseline_date", "scenario_date"):
        out[col] = pd.to_datetime(out[col]).mask(mask)
    out["months_earlier"] = out["months_earlier"].astype("float64").mask(mask)
    return out


def compute_scenario(
    results: Any,
    gains: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    targets: Sequence[float],
    deadline: str | pd.Timestamp,
    seed: int,
    reached: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Baseline and enforcement-scenario crossing of each target, per place.

    The scenario adds each place's ``added_pp`` (:func:`compute_gains`) from
    ``start`` on; crossings come from
    :func:`perjaka_analysis.forecast.scenario_targets`, months earlier from
    :func:`months_earlier`. A missing ``added_pp`` counts as no jump. With
    ``reached`` (the ``targets`` table), a target a published figure already
    reached has no crossing dates (:func:`drop_reached`).

    Returns
    -------
    pandas.DataFrame
        The ``scenario`` table of :data:`SCHEMA`.
    """
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
    out = pd.concat(frames, ignore_index=True)
    if reached is not None:
        out = drop_reached(out, reached)
    return _frame("scenario", out)


def compute_enforcement(
    gains: pd.DataFrame, nowcast: pd.DataFrame, targets: pd.DataFrame
) -> pd.DataFrame:
    """How much of the distance to each target the enforcement list would close.

    The distance runs from today's nowcast (the model's central estimate on
    ``as_of``, lowest interval level), not from the latest published figure,
    which can be years old.

    ``gap_pp`` = max(target − nowcast, 0); ``gap_people`` = gap_pp / 100 ×
    population; ``share_closed_pct`` = min(100 × added_pp / gap_pp, 100), the
    percentage of the gap the list closes (missing when the target is already
    met); ``remaining_people`` = max(gap_people − added, 0). Both counts of
    people are rounded to what the nowcast's interval supports
    (:func:`perjaka_analysis.precision.round_to_interval` of the people
    between the target and the interval's bounds), as the status card's are;
    ``months_of_growth`` = added / ``recent_per_month`` (how many months of the
    recent net growth the list equals; missing without recent growth).

    Parameters
    ----------
    gains : pandas.DataFrame
        The ``gains`` table (:func:`compute_gains`).
    nowcast : pandas.DataFrame
        The ``nowcast`` table (``province, mean, level``; ``lower, upper``
        where known).
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
    >>> e[["target_pct", "gap_people", "share_closed_pct", "remaining_people",
    ...    "months_of_growth"]].round(3).values.tolist()
    [[95.0, 0.0, nan, 0.0, 0.5], [98.0, 2000.0, 25.0, 1500.0, 0.5]]
    """
    now = nowcast.sort_values("level", kind="stable").drop_duplicates("province")
    now = now.reindex(columns=["province", "mean", "lower", "upper"])
    rows = (
        targets[["province", "target_pct", "recent_per_month"]]
        .merge(now.rename(columns={"mean": "nowcast_pct"}), on="province")
        .merge(gains[["province", "added_participants", "added_pp", "population"]], on="province")
    )
    rows["gap_pp"] = (rows["target_pct"] - rows["nowcast_pct"]).clip(lower=0)
    gap_people = pp_to_people(rows["gap_pp"], rows["population"])
    bounds = [
        pp_to_people((rows["target_pct"] - rows[b].astype("float64")).clip(lower=0),
                     rows["population"])
        for b in ("upper", "lower")
    ]  # fmt: skip
    open_gap = rows["gap_pp"] > 0
    rows["share_closed_pct"] = (
        (100 * rows["added_pp"] / rows["gap_pp"]).clip(upper=100).where(open_gap)
    )
    remaining = (gap_people - rows["added_participants"]).clip(lower=0)
    shown = round_to_interval(gap_people, *bounds)
    rows["gap_people"] = shown["value"].where(gap_people.notna())
    unit = shown["unit"]
    rows["remaining_people"] = (np.round(remaining / unit) * unit).where(remaining.notna())
    rows = rows.drop(columns=["lower", "upper"])
    growth = rows["recent_per_month"].where(rows["recent_per_month"] > 0)
    rows["months_of_growth"] = rows["added_participants"] / growth
    return _frame("enforcement", rows)
