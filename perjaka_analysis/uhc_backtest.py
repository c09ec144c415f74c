"""Backtest of the active share and of the joint UHC status in the saturation years.

At every origin of the registration backtest of the saturation years
(:data:`perjaka_analysis.backtest.SATURATION_ORIGINS`: half-yearly, 2023-01-01 to
2025-07-01) the registration trend and the active-share model are fitted only
on what was public before it: coverage and active figures dated before the origin, UHC
status reports published before it (``source_date`` where known). Then:

Active share
    every province or national active figure dated in the two years after
    the origin is predicted, on one basis (share of population). Figures of
    population or participant basis are scored together (a share of
    participants is converted with the registration figure of its own row,
    or else with the registration trend fitted on every figure); figures of
    unclear basis are scored apart, against the middle of their two
    readings. The baseline is the place's last active figure before the
    origin (the nation's where it has none).
Joint UHC status
    every event dated in the two years after the origin that decides both
    conditions of today's definition (≥ 98% registered and ≥ 80% active):
    a status report of that definition (``UHC Prioritas``, ``UHC (award
    2026)``: outcome 1), a report below a registration threshold of at most
    98% (outcome 0), and a registration figure published with an active
    figure of the same date (outcome 1 when both are at or above their
    thresholds under every reading of the active basis, 0 when registration
    is below or the active share is below under every reading). The
    forecast is the share of paired paths (:func:`perjaka_analysis.uhc.
    draw_joint_paths`) meeting both on the event's date. Scored by the Brier
    score against the base rate (the share of events with outcome 1) and
    against a rule on the place's latest registration figure before the
    origin (:func:`three_band_rule`).

Intervals of the summary figures come from a bootstrap that resamples
places (all of a place's events together), since the events of one place at
successive origins are not independent.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .active import ActiveShareModel, convert_active_shares
from .backtest import SATURATION_BANDS, SATURATION_ORIGINS, published_before
from .coverage import latest_coverage
from .errors import PerjakaError
from .trend import CoverageTrendModel
from .uhc import DEFAULT_RHO, column_on, count_evidence, simulate_measures
from .uhc_count import latest_count

__all__ = [
    "UhcBacktest",
    "backtest_active_uhc",
    "brier",
    "joint_events",
    "reliability",
    "three_band_rule",
]

#: Horizon bands (years after the origin) of the tables: those of the registration backtest.
BANDS = SATURATION_BANDS
#: Level of the place-clustered bootstrap intervals (as the registration backtest).
BOOT_LEVEL = 0.9
REGISTERED_PCT = 98.0
ACTIVE_PCT = 80.0
#: The rule on the latest registration figure that the joint probabilities are
#: measured against: (lowest figure, probability) from the top band down, and the
#: probability where a place has no figure. Scored on the forecasts of 31 December
#: 2025 made with the figures to the end of 2024, it had a Brier score of 0.13.
RULE_BANDS = ((98.0, 0.85), (95.0, 0.5), (-np.inf, 0.2))
RULE_NO_FIGURE = 0.7


def three_band_rule(latest_pct: np.ndarray | Sequence[float]) -> np.ndarray:
    """P(UHC) by a rule on the place's latest registration figure.

    0.85 at or above 98%, 0.5 from 95% to below 98%, 0.2 below 95%, 0.7
    without a figure (NaN): :data:`RULE_BANDS`, :data:`RULE_NO_FIGURE`.

    Parameters
    ----------
    latest_pct : array-like of float
        Each place's latest registration figure (percent), NaN where none.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> three_band_rule([99.1, 98.0, 97.99, 95.0, 94.9, float("nan")]).tolist()
    [0.85, 0.85, 0.5, 0.5, 0.2, 0.7]
    """
    x = np.asarray(latest_pct, dtype=float)
    out = np.full(x.shape, RULE_NO_FIGURE)
    done = np.isnan(x)
    for lowest, prob in RULE_BANDS:
        hit = ~done & (x >= lowest)
        out[hit] = prob
        done |= hit
    return out


def brier(prob: np.ndarray | Sequence[float], outcome: np.ndarray | Sequence[float]) -> float:
    """Mean squared difference between probabilities and 0/1 outcomes.

    Examples
    --------
    >>> brier([1.0, 0.5, 0.0], [1, 0, 0])
    0.08333333333333333
    """
    p = np.asarray(prob, dtype=float)
    y = np.asarray(outcome, dtype=float)
    return float(np.mean((p - y) ** 2))


def reliability(
    prob: np.ndarray | Sequence[float],
    outcome: np.ndarray | Sequence[float],
    edges: Sequence[float] = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0),
) -> pd.DataFrame:
    """Forecast probabilities binned, beside the share of outcomes that happened.

    Returns
    -------
    pandas.DataFrame
        ``bin, n, mean_prob, observed`` (one row per non-empty bin; the last
        bin includes 1).

    Examples
    --------
    >>> reliability([0.05, 0.95, 0.92], [0, 1, 0])[["bin", "n", "observed"]].values.tolist()
    [['0–0.1', 1, 0.0], ['0.9–1', 2, 0.5]]
    """
    p = np.asarray(prob, dtype=float)
    y = np.asarray(outcome, dtype=float)
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for k in range(len(edges) - 1):
        m = idx == k
        if m.any():
            rows.append(
                {
                    "bin": f"{edges[k]:g}–{edges[k + 1]:g}",
                    "n": int(m.sum()),
                    "mean_prob": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["bin", "n", "mean_prob", "observed"])


def joint_events(
    shares: pd.DataFrame,
    status: pd.DataFrame,
    *,
    registered_pct: float = REGISTERED_PCT,
    active_pct: float = ACTIVE_PCT,
) -> pd.DataFrame:
    """Every report and pair of figures that decides today's UHC condition.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`perjaka_analysis.active.collect_active_shares` output
        (``registration_pct`` is the registration figure published with the
        active share, NaN when none).
    status : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status` output.
    registered_pct, active_pct : float
        The two thresholds.

    Returns
    -------
    pandas.DataFrame
        ``province, date, kind`` (``report`` or ``figures``), ``outcome``
        (1 UHC, 0 not), ``registration_met`` (the registration condition
        alone, as the event says it), ``published`` (when it became public);
        sorted by province and date.

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["A", "B", "C"], "district": [None] * 3,
    ...     "date": pd.to_datetime(["2025-01-31"] * 3), "active_pct": [85.0, 81.0, 70.0],
    ...     "active_basis": ["of_population", "unclear", "of_participants"],
    ...     "registration_pct": [99.0, 98.5, 99.0]})
    >>> st = pd.DataFrame({"province": ["D"], "date": pd.to_datetime(["2025-06-30"]),
    ...     "threshold_pct": [98.0], "above": [True], "active_above": [True],
    ...     "source_date": ["2025-07"]})
    >>> joint_events(s, st)[["province", "kind", "outcome"]].values.tolist()
    [['A', 'figures', 1], ['C', 'figures', 0], ['D', 'report', 1]]
    """
    rows = []
    rep = status[status["active_above"].astype(bool) | ~status["above"].astype(bool)]
    for r in rep.itertuples(index=False):
        if not r.active_above and r.threshold_pct > registered_pct:
            continue  # below a higher threshold says nothing about 98%
        published = pd.to_datetime(getattr(r, "source_date", None), errors="coerce")
        rows.append(
            {
                "province": r.province,
                "date": pd.Timestamp(r.date),
                "kind": "report",
                "outcome": int(bool(r.active_above)),
                "registration_met": bool(r.active_above),
                "published": pd.Timestamp(r.date) if pd.isna(published) else published,
            }
        )
    pairs = shares[shares["district"].isna() & shares["registration_pct"].notna()]
    for r in pairs.itertuples(index=False):
        reg = float(r.registration_pct)
        a = float(r.active_pct)
        readings = {
            "of_population": (a,),
            "of_participants": (a * reg / 100,),
            "unclear": (a, a * reg / 100),
        }[r.active_basis]
        if reg < registered_pct or all(x < active_pct for x in readings):
            outcome = 0
        elif all(x >= active_pct for x in readings):
            outcome = 1
        else:
            continue  # the two readings of an unclear basis straddle the threshold
        rows.append(
            {
                "province": r.province,
                "date": pd.Timestamp(r.date),
                "kind": "figures",
                "outcome": outcome,
                "registration_met": reg >= registered_pct,
                "published": pd.Timestamp(r.date),
            }
        )
    cols = ["province", "date", "kind", "outcome", "registration_met", "published"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.drop_duplicates(["province", "date", "kind", "outcome"])
    return out.sort_values(["province", "date", "kind"], kind="stable").reset_index(drop=True)


def _median(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The median of a logit-normal from its central interval: the last figure itself."""
    lo, hi = np.clip(lower / 100, 1e-6, 1 - 1e-6), np.clip(upper / 100, 1e-6, 1 - 1e-6)
    z = (np.log(lo / (1 - lo)) + np.log(hi / (1 - hi))) / 2
    return 100 / (1 + np.exp(-z))


def _band(h: np.ndarray) -> np.ndarray:
    out = np.full(len(h), "", dtype=object)
    for label, lo, hi in BANDS:  # as the registration backtest: (lo, hi], the first from 0
        out[((h > lo) | ((lo == 0) & (h >= 0))) & (h <= hi + 1e-9)] = label
    return out


def _bootstrap(
    frame: pd.DataFrame, stat: Callable[[pd.DataFrame], float], n_boot: int, seed: int
) -> tuple[float, float]:
    """Interval (:data:`BOOT_LEVEL`) of a statistic over a bootstrap that resamples places."""
    if frame.empty:
        return np.nan, np.nan
    groups = [g for _, g in frame.groupby("province", sort=True)]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(groups), len(groups))
        values.append(stat(pd.concat([groups[i] for i in pick], ignore_index=True)))
    lo, hi = np.nanquantile(values, [(1 - BOOT_LEVEL) / 2, (1 + BOOT_LEVEL) / 2])
    return float(lo), float(hi)


@dataclass(frozen=True)
class UhcBacktest:
    """Held-out active figures and UHC events with their forecasts at every origin.

    Attributes
    ----------
    active : pandas.DataFrame
        ``origin, province, date, horizon_years, horizon, scored_as``
        (``population`` or ``unclear``), ``has_figure`` (the place had an
        active figure before the origin), ``actual, mean, lower_80,
        upper_80, last`` (percent of population).
    joint : pandas.DataFrame
        ``origin, province, date, horizon_years, horizon, kind, outcome,
        registration_met, prob, prob_registered, prob_active`` (the marginal
        shares of paths above each threshold), ``last_registered`` (the
        place's latest registration figure before the origin, percent; NaN
        where none).
    skipped : tuple of (Timestamp, str)
        Origins at which the active model could not be fitted, and why.
    """

    active: pd.DataFrame
    joint: pd.DataFrame
    skipped: tuple = ()

    def active_table(self, *, n_boot: int = 300, seed: int = 0) -> pd.DataFrame:
        """Active-share errors by basis scored and horizon band.

        Returns
        -------
        pandas.DataFrame
            ``scored_as, places_with`` (``all``; for the population basis also
            ``with figure`` and ``without figure``: whether the place had an
            active figure before the origin), ``horizon, n, places, mae_pp,
            last_mae_pp, mae_ratio``
            (with its place-bootstrap 90% interval ``ratio_lo, ratio_hi``),
            ``bias_pp, cover_80, median_width_pp``.
        """
        p = self.active.assign(
            err=lambda d: d["mean"] - d["actual"],
            last_err=lambda d: d["last"] - d["actual"],
            inside=lambda d: d["actual"].between(d["lower_80"], d["upper_80"]),
            width=lambda d: d["upper_80"] - d["lower_80"],
        )

        def ratio(d: pd.DataFrame) -> float:
            den = d["last_err"].abs().mean()
            return float(d["err"].abs().mean() / den) if den > 0 else np.nan

        rows = []
        parts = [(s, "all", g) for s, g in p.groupby("scored_as", sort=True)]
        pop = p[p["scored_as"] == "population"]
        parts += [
            ("population", "with figure", pop[pop["has_figure"].astype(bool)]),
            ("population", "without figure", pop[~pop["has_figure"].astype(bool)]),
        ]
        for scored, places, group in parts:
            for label in [b for b, _, _ in BANDS] + ["all"]:
                sub = group if label == "all" else group[group["horizon"] == label]
                if sub.empty:
                    continue
                lo, hi = _bootstrap(sub, ratio, n_boot, seed)
                rows.append(
                    {
                        "scored_as": scored,
                        "places_with": places,
                        "horizon": label,
                        "n": len(sub),
                        "places": sub["province"].nunique(),
                        "mae_pp": sub["err"].abs().mean(),
                        "last_mae_pp": sub["last_err"].abs().mean(),
                        "mae_ratio": ratio(sub),
                        "ratio_lo": lo,
                        "ratio_hi": hi,
                        "bias_pp": sub["err"].mean(),
                        "cover_80": sub["inside"].mean(),
                        "median_width_pp": sub["width"].median(),
                    }
                )
        return pd.DataFrame(rows)

    def joint_table(self, *, n_boot: int = 300, seed: int = 0) -> pd.DataFrame:
        """Brier score of the joint UHC probability against the base rate.

        Returns
        -------
        pandas.DataFrame
            ``events, horizon, n, places, base_rate, brier, brier_base_rate,
            ratio`` (with its place-bootstrap 90% interval ``ratio_lo,
            ratio_hi``), ``brier_rule`` (:func:`three_band_rule` on the
            place's latest registration figure before the origin); ``events``
            is ``all``, ``report`` or ``figures``, and
            ``registration as published``: all events, the probability being
            the active share's alone where the event says registration met
            the condition and 0 where it did not (what the active half scores
            when registration is known).
        """
        rows = []
        base = float(self.joint["outcome"].mean()) if len(self.joint) else np.nan

        def ratio(d: pd.DataFrame) -> float:
            b = brier(np.full(len(d), base), d["outcome"])
            return brier(d["prob"], d["outcome"]) / b if b > 0 else np.nan

        met = self.joint["registration_met"].astype(bool)
        known = self.joint.assign(prob=np.where(met, self.joint["prob_active"], 0.0))
        for events in ("all", "report", "figures", "registration as published"):
            group = {"all": self.joint, "registration as published": known}.get(
                events, self.joint[self.joint["kind"] == events]
            )
            for label in [b for b, _, _ in BANDS] + ["all"]:
                sub = group if label == "all" else group[group["horizon"] == label]
                if sub.empty:
                    continue
                lo, hi = _bootstrap(sub, ratio, n_boot, seed)
                b_base = brier(np.full(len(sub), base), sub["outcome"])
                rows.append(
                    {
                        "events": events,
                        "horizon": label,
                        "n": len(sub),
                        "places": sub["province"].nunique(),
                        "base_rate": base,
                        "brier": brier(sub["prob"], sub["outcome"]),
                        "brier_base_rate": b_base,
                        "brier_rule": brier(
                            three_band_rule(sub["last_registered"]), sub["outcome"]
                        ),
                        "ratio": ratio(sub),
                        "ratio_lo": lo,
                        "ratio_hi": hi,
                    }
                )
        return pd.DataFrame(rows)

    def reliability(self) -> pd.DataFrame:
        """Reliability table of the joint UHC probabilities (:func:`reliability`)."""
        return reliability(self.joint["prob"], self.joint["outcome"])


def _scored_actuals(converted: pd.DataFrame) -> pd.DataFrame:
    """Province and national active figures on the population basis, for scoring."""
    rows = converted[converted["district"].isna()]
    unclear = rows["active_basis"] == "unclear"
    return pd.DataFrame(
        {
            "province": rows["province"].astype(str),
            "date": pd.to_datetime(rows["date"]),
            "scored_as": np.where(unclear, "unclear", "population"),
            "actual": rows["active_pop_pct"].to_numpy(float),
        }
    ).dropna(subset=["actual"])


def backtest_active_uhc(
    coverage: pd.DataFrame,
    shares: pd.DataFrame,
    status: pd.DataFrame,
    *,
    fit_registration: Callable[[pd.DataFrame, pd.DataFrame], object] | None = None,
    fit_active: Callable[[pd.DataFrame, object, pd.DataFrame], object] | None = None,
    origins: Sequence | None = None,
    horizon_years: float = 2.0,
    n_paths: int = 1000,
    seed: int = 0,
    rho: float = DEFAULT_RHO,
    counts: pd.DataFrame | None = None,
) -> UhcBacktest:
    """Rolling-origin backtest of the active share and the joint UHC probability.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (:func:`perjaka_analysis.load_coverage`).
    shares : pandas.DataFrame
        :func:`perjaka_analysis.active.collect_active_shares` output.
    status : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status` output.
    fit_registration : callable, optional
        ``(coverage, status) -> TrendResults``; default the registration
        trend of the briefs (:class:`perjaka_analysis.trend.CoverageTrendModel`
        with the status reports).
    fit_active : callable, optional
        ``(shares, registration, status) -> ActiveResults``; default
        :class:`perjaka_analysis.active.ActiveShareModel` as the briefs fit it.
    origins : sequence of dates, optional
        Default :data:`perjaka_analysis.backtest.SATURATION_ORIGINS` (the
        registration backtest's).
    horizon_years : float
    n_paths, seed : int
        Paired paths per place and origin.
    rho : float
        Dependence of the two measures' paths (:func:`perjaka_analysis.uhc.couple_paths`).
    counts : pandas.DataFrame, optional
        National counts of UHC provinces (:func:`perjaka_analysis.datasets.load_uhc_counts`):
        at each origin the latest one published before it conditions the
        paths, as in the briefs.

    Returns
    -------
    UhcBacktest
    """
    if fit_registration is None:

        def fit_registration(cov: pd.DataFrame, st: pd.DataFrame):
            return CoverageTrendModel(cov, status=st).fit()

    if fit_active is None:

        def fit_active(sh: pd.DataFrame, reg, st: pd.DataFrame):
            return ActiveShareModel(sh, registration=reg, status=st).fit()

    origins = pd.DatetimeIndex(origins if origins is not None else SATURATION_ORIGINS)
    published = pd.to_datetime(status["source_date"], errors="coerce", format="mixed")
    published = published.fillna(pd.to_datetime(status["date"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth_reg = fit_registration(coverage, status)
        actuals = _scored_actuals(convert_active_shares(shares, truth_reg))
    events = joint_events(shares, status)
    span = pd.DateOffset(days=round(365.25 * horizon_years))
    act_frames, joint_frames = [], []
    skipped: list[tuple[pd.Timestamp, str]] = []
    for origin in origins:
        end = origin + span
        cov_o = coverage[published_before(coverage, origin)]
        seen = (published < origin) & (pd.to_datetime(status["date"]) < origin)
        st_o = status[seen.to_numpy()].reset_index(drop=True)
        sh_o = shares[published_before(shares, origin)].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reg = fit_registration(cov_o, st_o)
            try:
                active = fit_active(sh_o, reg, st_o)
                last = ActiveShareModel(convert_active_shares(sh_o, reg), method="last").fit()
            except PerjakaError as exc:  # too few figures before this origin for the model
                skipped.append((origin, str(exc)))
                continue
        held = actuals[(actuals["date"] >= origin) & (actuals["date"] < end)]
        for province, rows in held.groupby("province", sort=True):
            pred = active.predict(province, rows["date"], levels=(80,))
            base = last.predict(province, rows["date"], levels=(80,))
            act_frames.append(
                rows.assign(
                    origin=origin,
                    has_figure=active.place(province).n_points > 0,
                    mean=pred["mean"].to_numpy(),
                    lower_80=pred["lower"].to_numpy(),
                    upper_80=pred["upper"].to_numpy(),
                    last=_median(base["lower"].to_numpy(), base["upper"].to_numpy()),
                )
            )
        ev = events[(events["date"] >= origin) & (events["date"] < end)]
        known = latest_coverage(cov_o).set_index("province")["coverage_pct"]
        count = latest_count(counts, origin - pd.Timedelta(days=1))
        evidence = {}
        if count is not None and not ev.empty:
            evidence = count_evidence(
                reg, active, count, (REGISTERED_PCT, ACTIVE_PCT), n_paths=n_paths, seed=seed,
                rho=rho,
            )  # fmt: skip
        for province, rows in ev.groupby("province", sort=True):
            paths = simulate_measures(reg, active, province, until=end, n_paths=n_paths, seed=seed)
            probs = []
            for when in rows["date"]:  # each event on paths paired on its date
                dates, r, a = paths.paired(when, rho=rho)
                if province in evidence:
                    r, a = evidence[province].condition(dates, r, a, seed)
                j = column_on(dates, when)
                ok_r, ok_a = r[:, j] >= REGISTERED_PCT, a[:, j] >= ACTIVE_PCT
                probs.append(((ok_r & ok_a).mean(), ok_r.mean(), ok_a.mean()))
            prob, prob_r, prob_a = np.array(probs, dtype=float).T
            joint_frames.append(
                rows.assign(
                    origin=origin,
                    prob=prob,
                    prob_registered=prob_r,
                    prob_active=prob_a,
                    last_registered=float(known.get(province, np.nan)),
                )
            )
    if not act_frames and not joint_frames:
        raise PerjakaError("no origin has held-out active figures or UHC events")

    def finish(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame(columns=cols)
        out = pd.concat(frames, ignore_index=True)
        h = (out["date"] - out["origin"]).dt.days.to_numpy() / 365.25
        out["horizon_years"] = h
        out["horizon"] = _band(h)
        return out[cols]

    act_cols = ["origin", "province", "date", "horizon_years", "horizon", "scored_as", "has_figure"]
    act_cols += ["actual", "mean", "lower_80", "upper_80", "last"]
    joint_cols = ["origin", "province", "date", "horizon_years", "horizon", "kind"]
    joint_cols += ["outcome", "registration_met", "prob", "prob_registered", "prob_active"]
    joint_cols += ["last_registered"]
    return UhcBacktest(
        active=finish(act_frames, act_cols),
        joint=finish(joint_frames, joint_cols),
        skipped=tuple(skipped),
    )
