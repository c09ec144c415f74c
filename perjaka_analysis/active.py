"""Active participation: every published active share, on one basis, and its trend.

Since 2024 a region is UHC when at least 98% of residents are registered *and*
at least 80% are active (contributions paid). How a share published of
population, of participants or of an unclear basis is put on one basis is
described in :mod:`perjaka_analysis.active_data`.

Model
-----
:class:`ActiveShareModel` describes, with a registration trend, the share of
registered participants who are active (as most figures measure it; without
one, the share of population itself), on the logit scale::

    z_i(t) = a + b t + c (t - 2024)+ + k g_i + u_i + w_i(t) + e

``a + b t`` is the national drift, anchored to the national series (the
national figures have ``u = 0``); ``c`` the change of drift once the awards
required >= 80% active (2024), the response to the threshold in force;
``g_i`` the place's registration above the nation's, by the registration
trend at the end of the active figures, in units of the spread (sd) of the
provinces' registration above the nation's on that date (places that
register more have more of their participants active; the spread shrinks as
the nation saturates, so a place's rank among the provinces, not its pp,
keeps one meaning from one fit to the next); ``u_i ~ N(0, tau2)`` is a province's offset
(light shrinkage towards the trend); ``w_i`` a random walk (variance ``q`` per
year); ``e`` the noise of one published figure (``sigma2``, plus the known
variance of a converted share), Student-t as a scale mixture (figures far
from the others weigh less; a place's only figure keeps its weight). The
fixed effects have weak Gaussian priors (:data:`BETA_PRIOR_MEAN`,
:data:`BETA_PRIOR_SD`), the variances log-normal ones; all are estimated
by restricted maximum likelihood over all places at once, and every prediction
conditions on the place's own figures, then on its UHC status reports of
today's definition (censored observations: the share of population was >= 80%
on the report's date). The share of population is the share of participants
times the registration trend; an unclear-basis figure is the mixture of its
two readings. A province with one figure keeps its level and borrows the drift
and the spread; a province without any is the trend with the full spread of
``u`` — the ``basis`` column says which.

Baselines (for the backtest): ``last`` (the place's last figure, the national
one where it has none) and ``national_ratio`` (the place's last figure
relative to the national figure of that time, times the latest national
figure).

The data (reading, basis conversion, status reports) lives in
:mod:`perjaka_analysis.active_data` and the fitted results in
:mod:`perjaka_analysis.active_results`; every name stays importable from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .active_data import (
    ACTIVE_BASES,
    OTHER_POINTS,
    REPORT_ACTIVE_PCT,
    T_REF,
    UNCLEAR_TREATMENTS,
    Unclear,
    _logit,
    _registration_at,
    _registration_gap,
    _years,
    collect_active_shares,
    compare_unclear,
    convert_active_shares,
    load_active_shares,
    load_segment_active_shares,
    prepare_active_panel,
    status_reports,
    to_population_share,
    validate_other_points,
)
from .active_results import (
    T_THRESHOLD,
    THRESHOLD_IN_FORCE,
    ActivePlace,
    ActiveResults,
    _design,
    _place_cov,
)
from .backtest import backtest_results, held_out_predictions
from .errors import PerjakaError
from .provinces import NATIONAL, normalise_province, province_table

__all__ = [
    "ACTIVE_BASES",
    "ACTIVE_METHODS",
    "OTHER_POINTS",
    "REPORT_ACTIVE_PCT",
    "THRESHOLD_IN_FORCE",
    "T_REF",
    "UNCLEAR_TREATMENTS",
    "ActivePlace",
    "ActiveResults",
    "ActiveShareModel",
    "backtest_active",
    "collect_active_shares",
    "compare_unclear",
    "convert_active_shares",
    "default_active_origins",
    "load_active_shares",
    "load_segment_active_shares",
    "prepare_active_panel",
    "status_reports",
    "to_population_share",
    "validate_other_points",
]

ACTIVE_METHODS = ("pooled", "last", "national_ratio")

#: Weak priors (median sd on the logit scale, log-sd 1) of the variance components:
#: one figure's noise ~ 1.6 pp at 80%, province offsets ~ 5 pp, walk ~ 1.6 pp a year.
PRIOR_SD = {"sigma": 0.10, "tau": 0.30, "walk": 0.10}
#: Spread of those priors (sd of the log of each sd). The province spread's is tighter
#: (light shrinkage): with the spread free, the 80% intervals of places without a figure
#: of their own held 90% of the later figures at 23 pp wide (backtest of the saturation
#: years, all provinces and origins).
PRIOR_LOG_SD = {"sigma": 1.0, "tau": 0.4, "walk": 1.0}
#: Prior of the fixed effects (logit): level in 2020, drift a year, change of drift a year
#: once the threshold is in force, and per sd of the provinces' registration above the
#: nation's. Level: 80% of participants active, weakly (sd 1.5); drift: none (sd 0.1);
#: response: +0.2 a year (sd 0.1), about +3 pp a year at 80%; registration: +0.2 (sd 0.3,
#: the prior spread of the province offsets), a province that registers more is probably
#: more active, by how much the figures say. Both means were set on the backtest of the
#: saturation years (all provinces, all origins; benchmarks/uhc_backtest.py). With a
#: response of 0 every origin before the 2025 figures forecast the active share about 4 pp
#: too low; figures after 2024 move it. The registration covariate was in pp with a prior
#: of 0 (sd 0.2 a pp): fitted at 0.24 a pp from two provinces in mid-2023, it put provinces
#: 5-7 pp above the nation at 92-96% active within 8-12 pp wide intervals (their later
#: figures: 80-85%), and from one province in January 2023 at 15-97%; per sd of the
#: provinces it is fitted at 0.27-0.37 at every origin with figures of seven places or more
#: (the spread fell from 4.2 to 1.6 pp as the nation saturated, the effect per pp rose).
BETA_PRIOR_MEAN = (1.386, 0.0, 0.2, 0.2)
BETA_PRIOR_SD = (1.5, 0.1, 0.1, PRIOR_SD["tau"])
#: Student-t noise of one figure: degrees of freedom and reweighting rounds.
T_DF = 4.0
T_ROUNDS = 4


def _fit_pooled(panel: pd.DataFrame, *, prior_mean: Sequence[float] | None = None) -> dict:
    """Restricted likelihood (weak priors) of the common trend and the variance components.

    The fixed effects have a weak Gaussian prior (:data:`BETA_PRIOR_SD`), so
    that a trend is defined from few dates and the response to the threshold
    is zero until figures after it say otherwise. The noise of one figure is
    Student-t (:data:`T_DF` degrees of freedom) as a scale mixture: figures
    far from what the others say get a larger variance, in a few reweighting
    rounds. A place's only figure keeps its weight: with no figure of its own
    to compare with, its distance from the trend is the place's offset, which
    the offsets' spread describes, not the figure's noise.
    """
    from scipy.optimize import minimize

    t0 = float(min(panel["t"].min(), T_THRESHOLD - 2.0))
    idx_groups = list(panel.groupby("province", sort=True).indices.items())
    n = len(panel)
    if n == 0:
        raise PerjakaError("no province-level active share to model")
    b0 = np.asarray(prior_mean if prior_mean is not None else BETA_PRIOR_MEAN, dtype=float)
    prior_prec = np.diag(1.0 / np.asarray(BETA_PRIOR_SD) ** 2)
    weights = np.ones(n)
    tt, zz, vv = (panel[c].to_numpy(float) for c in ("t", "z", "v"))
    gg = panel["gap"].to_numpy(float) if "gap" in panel else np.zeros(n)

    def pieces(theta: np.ndarray):
        s2, tau2, q = np.exp(2 * theta)
        xtx = prior_prec.copy()
        xty = prior_prec @ b0
        logdet = 0.0
        cache = []
        for g, idx in idx_groups:
            t, z = tt[idx], zz[idx]
            x = _design(t, gg[idx])
            c = _place_cov(t, 0.0 if g == NATIONAL else tau2, q, t0) + np.diag(
                (s2 + vv[idx]) / weights[idx]
            )
            chol = np.linalg.cholesky(c)
            logdet += 2 * np.log(np.diag(chol)).sum()
            xtx += x.T @ np.linalg.solve(c, x)
            xty += x.T @ np.linalg.solve(c, z)
            cache.append((idx, x, z, c))
        return xtx, xty, logdet, cache

    def objective(theta: np.ndarray) -> float:
        try:
            xtx, xty, logdet, cache = pieces(theta)
            beta = np.linalg.solve(xtx, xty)
        except np.linalg.LinAlgError:
            return 1e10
        quad = sum(float((z - x @ beta) @ np.linalg.solve(c, z - x @ beta)) for _, x, z, c in cache)
        quad += float((beta - b0) @ prior_prec @ (beta - b0))
        reml = 0.5 * (logdet + quad + np.linalg.slogdet(xtx)[1])
        prior = 0.5 * sum(
            ((theta[i] - math.log(PRIOR_SD[k])) / PRIOR_LOG_SD[k]) ** 2
            for i, k in enumerate(("sigma", "tau", "walk"))
        )
        return reml + prior

    theta = np.log([PRIOR_SD["sigma"], PRIOR_SD["tau"], PRIOR_SD["walk"]])
    for _ in range(T_ROUNDS):
        opt = minimize(
            objective, theta, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7}
        )
        theta = opt.x
        xtx, xty, _, cache = pieces(theta)
        beta = np.linalg.solve(xtx, xty)
        s2 = float(np.exp(2 * theta[0]))
        new = np.ones(n)
        for idx, x, z, c in cache:  # leave-one-out standardised residuals
            if len(idx) < 2:  # a place's only figure: nothing of its own to be far from
                continue
            ci = np.linalg.inv(c)
            loo = (ci @ (z - x @ beta)) / np.diag(ci)
            # the residual's scale is that of the figure's own noise
            r2 = loo**2 * np.diag(ci) * ((s2 + vv[idx]) / weights[idx]) / (s2 + vv[idx])
            new[idx] = np.minimum(1.0, (T_DF + 1) / (T_DF + r2))
        if np.allclose(new, weights, atol=1e-3):
            break
        weights = new
    xtx, xty, _, _ = pieces(theta)
    cov_beta = np.linalg.inv(xtx)
    s2, tau2, q = (float(v) for v in np.exp(2 * theta))
    return {
        "beta": cov_beta @ xty,
        "cov_beta": cov_beta,
        "sigma2": s2,
        "tau2": tau2,
        "q": q,
        "t0": t0,
        "weights": weights,
        "converged": bool(opt.success),
        "notes": () if opt.success else (str(opt.message),),
    }


class ActiveShareModel:
    """Active share of population per province, pooled and anchored to the national series.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`collect_active_shares` output (any basis), or
        :func:`convert_active_shares` output (already on the population
        basis; then ``registration`` and ``unclear`` are not used).
    registration : TrendResults, optional
        Fitted registration trend, to convert shares of participants where
        the row states no registration figure.
    unclear : {"mixture", "population", "participants", "drop"}
        How shares of unclear basis are read (see :func:`to_population_share`).
    method : {"pooled", "last", "national_ratio"}
        ``pooled`` (default) or one of the two baselines (module docs).
    provinces : sequence of str, optional
        Places to describe; default the 38 provinces and ``INDONESIA``.

    Examples
    --------
    >>> import perjaka_analysis as pa
    >>> from perjaka_analysis.trend import CoverageTrendModel
    >>> reg = CoverageTrendModel(pa.load_coverage()).fit()
    >>> res = ActiveShareModel(load_active_shares(), registration=reg).fit()
    >>> res.forecast("2026-12-31").columns.tolist()[:6]
    ['province', 'date', 'mean', 'lower', 'upper', 'level']
    """

    def __init__(
        self,
        shares: pd.DataFrame,
        *,
        registration=None,
        unclear: Unclear = "mixture",
        method: str = "pooled",
        provinces: Sequence[str] | None = None,
        status: pd.DataFrame | None = None,
    ) -> None:
        if method not in ACTIVE_METHODS:
            raise PerjakaError(f"unknown method {method!r}; valid: {', '.join(ACTIVE_METHODS)}")
        if unclear not in UNCLEAR_TREATMENTS:
            raise PerjakaError(
                f"unknown unclear={unclear!r}; valid: {', '.join(UNCLEAR_TREATMENTS)}"
            )
        self.shares = shares
        self.registration = registration
        self.unclear = unclear
        self.method = method
        self.provinces = provinces
        self.status = status

    def fit(self) -> ActiveResults:
        """Fit the model.

        Returns
        -------
        ActiveResults

        Raises
        ------
        PerjakaError
            If no province-level share remains, or all are of one date.
        """
        if "active_pop_pct" in self.shares:
            converted = self.shares
        else:
            converted = convert_active_shares(self.shares, self.registration, unclear=self.unclear)
        scale = (
            "participants"
            if self.registration is not None
            and self.method == "pooled"
            and "active_part_pct" in converted
            and converted["active_part_pct"].notna().any()
            else "population"
        )
        panel = prepare_active_panel(converted, scale)
        if panel.empty:
            raise PerjakaError("no province-level active share to model")
        gaps: dict[str, float] = {}
        gap_sd = 1.0
        if scale == "participants":
            # one figure per place: its registration above the nation's at the panel's end,
            # in units of the spread of the provinces' on that date
            gaps, gap_sd = _registration_gaps(
                self.registration,
                float(panel["t"].max()),
                {normalise_province(p) for p in (self.provinces or ())} | set(panel["province"]),
            )
            panel["gap"] = panel["province"].map(gaps).fillna(0.0).to_numpy(float) / gap_sd
        pooled = _fit_pooled(panel)
        reports = status_reports(self.status) if self.status is not None else None
        places = (
            list(self.provinces)
            if self.provinces
            else [
                *province_table()["province"],
                NATIONAL,
            ]
        )
        groups = panel.groupby("province", sort=True).indices
        fitted = {}
        for place in places:
            name = normalise_province(place)
            idx = groups.get(name, np.zeros(0, dtype=int))
            rows = panel.iloc[idx]
            n = len(rows)
            if name == NATIONAL:
                basis = "national series" if n else "pooled (no data)"
            else:
                basis = {0: "pooled (no data)", 1: "one figure + pooled trend"}.get(n, "own data")
            last = rows.iloc[-1] if n else None
            rep_t, rep_c = np.zeros(0), np.zeros(0)
            if reports is not None and self.method == "pooled":
                mine = reports[reports["province"] == name]
                if len(mine):
                    rep_t = _years(mine["date"])
                    rep_c = self._report_bounds(name, mine["date"], scale)
                    k = len(mine)
                    basis = f"{basis} + UHC status ({k} report{'s' if k > 1 else ''})"
            fitted[name] = ActivePlace(
                province=name,
                basis=basis,
                n_points=n,
                t=rows["t"].to_numpy(float),
                y=rows["z"].to_numpy(float),
                v=rows["v"].to_numpy(float),
                last_date=pd.Timestamp(last["date"]) if last is not None else None,
                last_pct=float(last["pct"]) if last is not None else None,
                report_t=rep_t,
                report_c=rep_c,
            )
        return ActiveResults(
            gaps=gaps,
            gap_sd=gap_sd,
            places=fitted,
            panel=panel,
            converted=converted,
            method=self.method,
            unclear=self.unclear if "active_pop_pct" not in self.shares else "as given",
            pooled=pooled,
            scale=scale,
            registration=self.registration if scale == "participants" else None,
        )

    def _report_bounds(self, province: str, dates: pd.Series, scale: str) -> np.ndarray:
        """Logit of the modelled share a report of today's definition vouches for.

        Active share of population >= 80% is, on the participant scale,
        ``80 / R`` with ``R`` the registration on that date, itself >= 98%
        by the same report.
        """
        share = np.full(len(dates), REPORT_ACTIVE_PCT / 100)
        if scale == "participants":
            reg = np.array(
                [_registration_at(self.registration, province, pd.Timestamp(d))[0] for d in dates]
            )
            reg = np.where(np.isfinite(reg), np.maximum(reg, 98.0), 98.0)
            share = REPORT_ACTIVE_PCT / reg
        return _logit(np.clip(share, 0.005, 0.995))


def _registration_gaps(
    registration, t_end: float, names: set[str]
) -> tuple[dict[str, float], float]:
    """Every province's and the named places' registration above the nation's at t_end (pp),
    and the spread (sd) of the provinces' that the registration trend describes (1 when
    fewer than two are, or all are equal)."""
    t = np.array([t_end])
    provinces = [p for p in province_table()["province"] if p != NATIONAL]
    known = {p: float(_registration_gap(registration, p, t, unknown=np.nan)[0]) for p in provinces}
    values = np.array([v for v in known.values() if np.isfinite(v)])
    spread = float(np.std(values, ddof=1)) if len(values) >= 2 else 0.0
    gaps = {p: (v if np.isfinite(v) else 0.0) for p, v in known.items()}
    for name in sorted(names - set(gaps)):
        gaps[name] = float(_registration_gap(registration, name, t)[0])
    return gaps, spread if spread > 1e-9 else 1.0


def default_active_origins(panel: pd.DataFrame) -> pd.DatetimeIndex:
    """Quarterly origins from the first quarter with figures of three places before it
    to the quarter before the latest figure."""
    dates = pd.DatetimeIndex(panel["date"]).sort_values()
    starts = pd.date_range(dates.min(), dates.max(), freq="QS")
    ok = [o for o in starts if panel.loc[panel["date"] < o, "province"].nunique() >= 3]
    return pd.DatetimeIndex([o for o in ok if o < dates.max()])


def backtest_active(
    converted: pd.DataFrame,
    *,
    methods: Sequence[str] = ACTIVE_METHODS,
    origins: Sequence | None = None,
    horizon_years: float = 2.0,
):
    """Rolling-origin backtest of the active-share model and its baselines.

    At every origin each method is fitted on the figures dated before it and
    predicts the province and national figures published after it (within
    ``horizon_years``). The basis conversion is done once, beforehand, with
    the registration trend of all figures (the denominator, not the active
    share, is then known a little better than at the origin).

    Parameters
    ----------
    converted : pandas.DataFrame
        :func:`convert_active_shares` output.
    methods : sequence of str
        Methods to compare (default ``pooled``, ``last``, ``national_ratio``).
    origins : sequence of dates, optional
        Default :func:`default_active_origins`.
    horizon_years : float

    Returns
    -------
    perjaka_analysis.backtest.BacktestResults
        ``table()`` gives MAE (pp), the 90th percentile of the absolute
        error and the share of held-out figures inside the 80% and 95%
        intervals, by method and horizon.
    """
    panel = prepare_active_panel(converted)
    origins = pd.DatetimeIndex(origins) if origins is not None else default_active_origins(panel)
    frames = []
    for origin in origins:
        train = converted[pd.to_datetime(converted["date"]) < origin]
        held = panel[
            (panel["date"] >= origin)
            & (panel["date"] < origin + pd.DateOffset(days=round(365.25 * horizon_years)))
        ]
        train_panel = prepare_active_panel(train)
        if held.empty or train_panel["date"].nunique() < 2:
            continue
        earlier = set(train_panel["province"])
        for method in methods:
            res = ActiveShareModel(
                train, method=method, provinces=sorted(held["province"].unique())
            ).fit()
            for province, rows in held.groupby("province", sort=True):
                frames.append(
                    held_out_predictions(
                        res,
                        method,
                        province,
                        rows,
                        origin,
                        res.places[province].basis,
                        province in earlier,
                    )
                )
    return backtest_results(frames)
