"""UHC as it is defined today: registered *and* active, jointly.

Since 2024 a region is UHC when at least 98% of residents are registered and
at least 80% are active; the RPJMN 2025–2029 asks 98.6% and 80%, and the 2026
UHC awards grade Pratama (98/80), Madya (98/85) and Utama (99/95). The pairs
are read from ``targets.csv`` (:func:`uhc_conditions`), never written here.

A place meets a condition on a date when *both* measures are at or above
their thresholds on that date. The probability of meeting it by a deadline is
computed on simulated paths of both measures together
(:func:`joint_uhc_probability`), not as the product of two marginal
probabilities: the two measures move together.

How the paths of the two measures are drawn and paired is described in
:mod:`perjaka_analysis.uhc_paths`; every name stays importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from .active import UNCLEAR_TREATMENTS, ActiveShareModel
from .errors import PerjakaError
from .forecast import PROB_BOUNDS_NO_FIGURE
from .provinces import NATIONAL, province_table
from .uhc_count import count_weights, latest_count, resample_paths
from .uhc_paths import (
    DEFAULT_RHO,
    MeasurePaths,
    column_on,
    couple_paths,
    draw_joint_paths,
    simulate_measures,
)

__all__ = [
    "DEFAULT_RHO",
    "CountEvidence",
    "JointStatus",
    "MeasurePaths",
    "compute_uhc_status",
    "count_evidence",
    "couple_paths",
    "dependence_sensitivity",
    "draw_joint_paths",
    "joint_uhc_probability",
    "meets_on",
    "simulate_measures",
    "uhc_conditions",
    "unclear_sensitivity",
]

#: How far beyond the deadline joint crossings are looked for.
HORIZON_YEARS_AFTER_DEADLINE = 10
#: The condition that defines UHC today (its name in ``targets.csv``).
TODAY = "UHC definition (2024-)"

BIND_ACTIVE = "active"
BIND_REGISTRATION = "registration"
BIND_NEITHER = "neither (both met together)"


def uhc_conditions(targets: pd.DataFrame, *, scope: str = NATIONAL) -> pd.DataFrame:
    """Pairs of thresholds (registered, active) that define UHC and its award levels.

    Rows of ``targets.csv`` with metrics ``coverage_pct_min`` and
    ``active_pct_min`` form a pair when they share their ``target_name``, or
    else their ``legal_basis`` and ``target_year_or_date`` (the RPJMN
    2025–2029 states the two as separately named targets). A threshold
    without a partner is left out.

    Parameters
    ----------
    targets : pandas.DataFrame
        :func:`perjaka_analysis.load_targets`.
    scope : str
        Whose targets (default the national ones).

    Returns
    -------
    pandas.DataFrame
        ``condition, registered_pct, active_pct, target_year_or_date,
        legal_basis, source_url``, ordered by active then registered threshold.

    Examples
    --------
    >>> targets = pd.DataFrame({
    ...     "scope": ["INDONESIA"] * 3,
    ...     "target_name": ["Award", "Award", "Plan, active"],
    ...     "metric": ["coverage_pct_min", "active_pct_min", "active_pct_min"],
    ...     "target_value": [98.0, 85.0, 80.0],
    ...     "target_year_or_date": ["2026", "2026", "2029"],
    ...     "legal_basis": ["Award rules", "Award rules", "Plan"],
    ...     "source_url": ["u1", "u1", "u2"],
    ... })
    >>> uhc_conditions(targets)[["condition", "registered_pct", "active_pct"]].values.tolist()
    [['Award', 98.0, 85.0]]
    """
    rows = targets[
        (targets["scope"] == scope) & targets["metric"].isin(["coverage_pct_min", "active_pct_min"])
    ].copy()
    rows["_when"] = rows["target_year_or_date"].astype(str)
    out = []
    used: set[int] = set()
    for key, label in ((["target_name"], "target_name"), (["legal_basis", "_when"], "legal_basis")):
        free = rows[~rows.index.isin(used)]
        for _, group in free.groupby(key, sort=False, dropna=True):
            reg = group[group["metric"] == "coverage_pct_min"]
            act = group[group["metric"] == "active_pct_min"]
            if len(reg) != 1 or len(act) != 1:
                continue
            r, a = reg.iloc[0], act.iloc[0]
            out.append(
                {
                    "condition": str(r[label]),
                    "registered_pct": float(r["target_value"]),
                    "active_pct": float(a["target_value"]),
                    "target_year_or_date": r["target_year_or_date"],
                    "legal_basis": r["legal_basis"],
                    "source_url": r["source_url"],
                }
            )
            used.update(group.index)
    if not out:
        raise PerjakaError(
            f"targets hold no pair of registered and active thresholds for {scope!r}"
        )
    frame = pd.DataFrame(out).sort_values(["active_pct", "registered_pct", "condition"])
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class JointStatus:
    """Meeting two thresholds together, from paired paths.

    Attributes
    ----------
    prob_now : float
        Share of paths meeting both on ``as_of`` (default the first date).
    prob_by_deadline : float
        Share of paths meeting both on some date up to the deadline.
    prob_at_deadline : float
        Share of paths meeting both on the deadline.
    prob_registered, prob_active : float
        Marginal shares reaching each threshold by the deadline.
    prob_if_independent : float
        ``prob_registered * prob_active`` (for comparison only).
    expected_date : Timestamp
        Median first date both are met (NaT beyond the horizon).
    date_lower_80, date_upper_80 : Timestamp
        10th and 90th percentiles of that date (NaT beyond the horizon).
    binding : str
        The condition met last in most paths (``active``,
        ``registration``, or ``neither (both met together)``).
    share_active_binds, share_registration_binds : float
        Shares of paths in which each condition is met last (or never).
    """

    prob_now: float
    prob_by_deadline: float
    prob_at_deadline: float
    prob_registered: float
    prob_active: float
    prob_if_independent: float
    expected_date: pd.Timestamp
    date_lower_80: pd.Timestamp
    date_upper_80: pd.Timestamp
    binding: str
    share_active_binds: float
    share_registration_binds: float


def _first(hit: np.ndarray) -> np.ndarray:
    """First column index where each row is True; a large number where never."""
    never = np.iinfo(np.int64).max
    return np.where(hit.any(axis=1), hit.argmax(axis=1), never)


def meets_on(
    dates: pd.DatetimeIndex,
    registration_paths: np.ndarray,
    active_paths: np.ndarray,
    registered_pct: float,
    active_pct: float,
    *,
    when: str | pd.Timestamp,
) -> np.ndarray:
    """Whether each paired path meets both thresholds on a date (:func:`column_on`'s column).

    Examples
    --------
    >>> d = pd.to_datetime(["2025-01-01", "2026-01-01"])
    >>> reg = np.array([[97.0, 99.0], [99.0, 99.0]])
    >>> act = np.array([[81.0, 81.0], [70.0, 75.0]])
    >>> meets_on(d, reg, act, 98, 80, when="2026-06-30").tolist()
    [True, False]
    """
    col = column_on(dates, when)
    return (registration_paths[:, col] >= registered_pct) & (active_paths[:, col] >= active_pct)


def joint_uhc_probability(
    dates: Sequence | pd.DatetimeIndex,
    registration_paths: np.ndarray,
    active_paths: np.ndarray,
    *,
    registered_pct: float,
    active_pct: float,
    deadline: str | pd.Timestamp,
    as_of: str | pd.Timestamp | None = None,
) -> JointStatus:
    """Probability that both thresholds are met together by a deadline.

    Row ``i`` of both arrays is one joint draw: the dependence between the
    measures is whatever the paths carry. A path meets the condition on a
    date when registration ≥ ``registered_pct`` and active ≥ ``active_pct``
    on that date.

    Parameters
    ----------
    dates : sequence of dates, length T
        Increasing dates of the path columns.
    registration_paths, active_paths : ndarray, shape (n, T)
        Registration and active share of population, percent.
    registered_pct, active_pct : float
        Thresholds.
    deadline : date
    as_of : date, optional
        The date of ``prob_now`` (the latest path date on or before it;
        default the first date).

    Returns
    -------
    JointStatus

    Raises
    ------
    PerjakaError
        If the shapes differ or do not match the dates, or the deadline is
        before the first date.

    Examples
    --------
    >>> d = pd.to_datetime(["2025-01-01", "2026-01-01"])
    >>> reg = np.array([[97.0, 99.0], [99.0, 99.0]])
    >>> act = np.array([[81.0, 81.0], [70.0, 75.0]])
    >>> s = joint_uhc_probability(d, reg, act, registered_pct=98, active_pct=80,
    ...                           deadline="2026-12-31")
    >>> s.prob_by_deadline, s.prob_if_independent
    (0.5, 0.5)
    """
    dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    reg = np.asarray(registration_paths, dtype=float)
    act = np.asarray(active_paths, dtype=float)
    if reg.ndim != 2 or reg.shape != act.shape or reg.shape[1] != len(dates):
        raise PerjakaError(
            f"paths must be two arrays of the same shape (n_paths, {len(dates)} dates); "
            f"got {reg.shape} and {act.shape}"
        )
    deadline = pd.Timestamp(deadline)
    if deadline < dates[0]:
        raise PerjakaError(
            f"deadline {deadline:%Y-%m-%d} is before the first path date {dates[0]:%Y-%m-%d}"
        )
    last = int(np.searchsorted(dates, deadline, side="right")) - 1
    now = 0 if as_of is None else column_on(dates, as_of)
    ok_r = reg >= registered_pct
    ok_a = act >= active_pct
    t_r, t_a, t_j = _first(ok_r), _first(ok_a), _first(ok_r & ok_a)
    p_r = float(np.mean(t_r <= last))
    p_a = float(np.mean(t_a <= last))
    never = np.iinfo(np.int64).max

    def at(q: float) -> pd.Timestamp:
        i = np.quantile(t_j, q, method="lower")
        return dates[int(i)] if i != never and i < len(dates) else pd.NaT

    active_last = t_a > t_r
    reg_last = t_r > t_a
    share_a, share_r = float(np.mean(active_last)), float(np.mean(reg_last))
    if max(share_a, share_r) < 1 - share_a - share_r:
        binding = BIND_NEITHER
    else:
        binding = BIND_ACTIVE if share_a >= share_r else BIND_REGISTRATION
    return JointStatus(
        prob_now=float(np.mean(ok_r[:, now] & ok_a[:, now])),
        prob_by_deadline=float(np.mean(t_j <= last)),
        prob_at_deadline=float(np.mean(ok_r[:, last] & ok_a[:, last])),
        prob_registered=p_r,
        prob_active=p_a,
        prob_if_independent=p_r * p_a,
        expected_date=at(0.5),
        date_lower_80=at(0.1),
        date_upper_80=at(0.9),
        binding=binding,
        share_active_binds=share_a,
        share_registration_binds=share_r,
    )


def _bounded(fields: dict, own: bool) -> dict:
    """The joint probabilities of a place without figures of its own kept within
    :data:`~perjaka_analysis.forecast.PROB_BOUNDS_NO_FIGURE`."""
    if own:
        return fields
    keys = ("prob_now", "prob_by_deadline", "prob_at_deadline")
    return {
        k: float(np.clip(v, *PROB_BOUNDS_NO_FIGURE)) if k in keys else v for k, v in fields.items()
    }


def _today(conditions: pd.DataFrame) -> tuple[float, float]:
    """The thresholds of today's definition among ``conditions``."""
    today = conditions[conditions["condition"] == TODAY]
    if today.empty:
        raise PerjakaError(
            f"a national count of UHC provinces needs the condition {TODAY!r} among the "
            f"conditions; got {', '.join(map(str, conditions['condition']))}"
        )
    return float(today["registered_pct"].iloc[0]), float(today["active_pct"].iloc[0])


@dataclass(frozen=True)
class CountEvidence:
    """What a national count says about one province's paths (:mod:`.uhc_count`).

    Attributes
    ----------
    date : Timestamp
        The count's date.
    thresholds : (float, float)
        Registered and active thresholds of the counted definition.
    if_met, if_not : float
        Likelihood of the count given that the province's path meets both
        thresholds on ``date`` or not (:func:`~perjaka_analysis.uhc_count.count_weights`).
    """

    date: pd.Timestamp
    thresholds: tuple[float, float]
    if_met: float
    if_not: float

    def met(self, dates: pd.DatetimeIndex, reg: np.ndarray, act: np.ndarray) -> np.ndarray:
        """Whether each paired path meets both thresholds on the count's date
        (its first date when the paths start later)."""
        return meets_on(dates, reg, act, *self.thresholds, when=self.date)

    def condition(
        self, dates: pd.DatetimeIndex, reg: np.ndarray, act: np.ndarray, seed: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The paired paths resampled by the count's likelihood (:func:`resample_paths`)."""
        idx = resample_paths(self.met(dates, reg, act), self.if_met, self.if_not, seed=seed)
        return reg[idx], act[idx]


def count_evidence(
    registration,
    active,
    count: pd.Series,
    thresholds: tuple[float, float],
    *,
    n_paths: int,
    seed: int,
    rho: float,
) -> dict[str, CountEvidence]:
    """Each province's likelihood of the national count, given its paths meet or not.

    Parameters
    ----------
    registration : TrendResults
    active : ActiveResults
        Fitted on every province.
    count : pandas.Series
        A row of :func:`perjaka_analysis.datasets.load_uhc_counts`.
    thresholds : (float, float)
        Registered and active thresholds of the counted definition.
    n_paths, seed : int
    rho : float

    Returns
    -------
    dict
        :class:`CountEvidence` per province.

    Raises
    ------
    PerjakaError
        If the active model does not hold every province.
    """
    date = pd.Timestamp(count["date"])
    places = [p for p in active.places if p != NATIONAL]
    if set(places) != set(province_table()["province"]):
        raise PerjakaError(
            f"a national count of UHC provinces needs the paths of every province; the active "
            f"model was fitted on {len(places)} (fit it without 'provinces')"
        )
    q = np.empty(len(places))
    for i, name in enumerate(places):
        paths = simulate_measures(
            registration, active, name, until=date + pd.DateOffset(months=1), n_paths=n_paths,
            seed=seed,
        )  # fmt: skip
        dates, reg, act = paths.paired(date, rho=rho)
        q[i] = CountEvidence(date, thresholds, 1.0, 1.0).met(dates, reg, act).mean()
    if_met, if_not = count_weights(q, int(count["n_provinces"]))
    return {
        name: CountEvidence(date, thresholds, float(a), float(b))
        for name, a, b in zip(places, if_met, if_not, strict=True)
    }


def compute_uhc_status(
    registration,
    active,
    *,
    conditions: pd.DataFrame,
    deadline: str | pd.Timestamp = "2029-12-31",
    provinces: Sequence[str] | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    rho: float = DEFAULT_RHO,
    as_of: str | pd.Timestamp | None = None,
    counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """UHC status under every condition, per place: joint probability, date, binding condition.

    Parameters
    ----------
    registration : TrendResults
        Fitted registration trend.
    active : ActiveResults
        Fitted active-share model.
    conditions : pandas.DataFrame
        :func:`uhc_conditions` (from ``targets.csv``).
    deadline : date
    provinces : sequence of str, optional
        Default: every place of the active model.
    n_paths, seed : int
    rho : float
        Dependence of the two measures (see the module docs).
    as_of : date, optional
        The date of ``prob_now`` (the brief's date; default the first path
        date of each place). ``prob_now`` is computed on the same paths paired
        on their values on that date, the other fields on the paths paired on
        the deadline (:meth:`MeasurePaths.paired`).
    counts : pandas.DataFrame, optional
        National counts of provinces that met today's definition
        (:func:`perjaka_analysis.datasets.load_uhc_counts`). The latest one
        dated and published by ``as_of`` (default the registration data's
        end) conditions every province's paths (:mod:`perjaka_analysis.uhc_count`);
        it needs the condition :data:`TODAY` in ``conditions``.

    Returns
    -------
    pandas.DataFrame
        One row per (place, condition): ``province, condition,
        registered_pct, active_pct, deadline,`` the fields of
        :class:`JointStatus`, ``registration_basis, active_basis,
        registration_last_pct, active_last_pct, rho``. For a place without
        figures of its own for both measures (a registration trend whose
        basis is not ``own data``, or no active figure) ``prob_now``,
        ``prob_by_deadline`` and ``prob_at_deadline`` stay within
        :data:`~perjaka_analysis.forecast.PROB_BOUNDS_NO_FIGURE`: its paths
        are borrowed, and the model cannot be surer than that about it.
    """
    deadline = pd.Timestamp(deadline)
    until = deadline + pd.DateOffset(years=HORIZON_YEARS_AFTER_DEADLINE)
    names = list(provinces) if provinces else list(active.places)
    count = latest_count(counts, registration.data_end if as_of is None else as_of)
    evidence = {}
    if count is not None:
        evidence = count_evidence(
            registration, active, count, _today(conditions), n_paths=n_paths, seed=seed, rho=rho
        )
    rows = []
    for name in names:
        place = active.place(name)
        trend = registration.trend(place.province)
        paths = simulate_measures(
            registration, active, place.province, until=until, n_paths=n_paths, seed=seed
        )
        dates, reg, act = paths.paired(deadline, rho=rho)
        # today's probability on paths paired on today's values
        now_at = paths.dates[0] if as_of is None else as_of
        _, reg_now, act_now = paths.paired(now_at, rho=rho)
        if place.province in evidence:
            reg, act = evidence[place.province].condition(dates, reg, act, seed)
            reg_now, act_now = evidence[place.province].condition(dates, reg_now, act_now, seed)
        own = trend.basis == "own data" and place.n_points > 0
        for cond in conditions.itertuples(index=False):
            status = joint_uhc_probability(
                dates,
                reg,
                act,
                registered_pct=cond.registered_pct,
                active_pct=cond.active_pct,
                deadline=deadline,
                as_of=as_of,
            )
            met_now = meets_on(
                dates, reg_now, act_now, cond.registered_pct, cond.active_pct, when=now_at
            )
            status = replace(status, prob_now=float(met_now.mean()))
            rows.append(
                {
                    "province": place.province,
                    "condition": cond.condition,
                    "registered_pct": cond.registered_pct,
                    "active_pct": cond.active_pct,
                    "deadline": deadline,
                    **_bounded(asdict(status), own),
                    "registration_basis": trend.basis,
                    "active_basis": place.basis,
                    "registration_last_pct": trend.last_pct,
                    "active_last_pct": place.last_pct,
                    "rho": rho,
                }
            )
    return pd.DataFrame(rows)


def dependence_sensitivity(
    registration,
    active,
    province: str,
    *,
    registered_pct: float,
    active_pct: float,
    deadline: str | pd.Timestamp = "2029-12-31",
    rhos: Sequence[float] = (0.0, 0.5, DEFAULT_RHO),
    n_paths: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """The joint probability by the deadline for several dependences, with its bounds.

    The paths are those of :func:`compute_uhc_status` (same horizon and
    seed), only paired differently.

    Returns
    -------
    pandas.DataFrame
        One row per ``rho``: ``rho, prob_by_deadline, prob_registered,
        prob_active, prob_if_independent, upper_bound`` (min of the
        marginals: no dependence can give more).
    """
    deadline = pd.Timestamp(deadline)
    rows = []
    for rho in rhos:
        dates, reg, act = draw_joint_paths(
            registration,
            active,
            province,
            until=deadline + pd.DateOffset(years=HORIZON_YEARS_AFTER_DEADLINE),
            deadline=deadline,
            n_paths=n_paths,
            seed=seed,
            rho=rho,
        )
        s = joint_uhc_probability(
            dates,
            reg,
            act,
            registered_pct=registered_pct,
            active_pct=active_pct,
            deadline=deadline,
        )
        rows.append(
            {
                "rho": rho,
                "prob_by_deadline": s.prob_by_deadline,
                "prob_registered": s.prob_registered,
                "prob_active": s.prob_active,
                "prob_if_independent": s.prob_if_independent,
                "upper_bound": min(s.prob_registered, s.prob_active),
            }
        )
    return pd.DataFrame(rows)


def unclear_sensitivity(
    shares: pd.DataFrame,
    registration,
    *,
    registered_pct: float,
    active_pct: float,
    province: str = NATIONAL,
    as_of: str | pd.Timestamp | None = None,
    deadline: str | pd.Timestamp = "2029-12-31",
    n_paths: int = 2000,
    seed: int = 0,
    rho: float = DEFAULT_RHO,
) -> pd.DataFrame:
    """What each reading of the unclear shares changes for one place.

    Fits the active model once per reading (mixture, of population, of
    participants, dropped) and reports the nowcast and the joint
    probability of meeting the condition by the deadline.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`perjaka_analysis.active.collect_active_shares` output.
    registration : TrendResults
    registered_pct, active_pct : float
        The condition (from :func:`uhc_conditions`).
    province : str
    as_of : date, optional
        Nowcast date (default the latest active figure).

    Returns
    -------
    pandas.DataFrame
        ``unclear, n_points, nowcast_pct, nowcast_lower_80,
        nowcast_upper_80, prob_by_deadline, expected_date``.
    """
    rows = []
    for treatment in UNCLEAR_TREATMENTS:
        res = ActiveShareModel(
            shares, registration=registration, unclear=treatment, provinces=[province]
        ).fit()
        when = pd.Timestamp(as_of) if as_of is not None else res.data_end
        now = res.predict(province, [when], levels=(80,), observation=False).iloc[0]
        dates, reg, act = draw_joint_paths(
            registration,
            res,
            province,
            until=pd.Timestamp(deadline) + pd.DateOffset(years=HORIZON_YEARS_AFTER_DEADLINE),
            deadline=deadline,
            n_paths=n_paths,
            seed=seed,
            rho=rho,
        )
        s = joint_uhc_probability(
            dates,
            reg,
            act,
            registered_pct=registered_pct,
            active_pct=active_pct,
            deadline=deadline,
        )
        rows.append(
            {
                "unclear": treatment,
                "n_points": len(res.panel),
                "nowcast_pct": float(now["mean"]),
                "nowcast_lower_80": float(now["lower"]),
                "nowcast_upper_80": float(now["upper"]),
                "prob_by_deadline": s.prob_by_deadline,
                "expected_date": s.expected_date,
            }
        )
    return pd.DataFrame(rows)
