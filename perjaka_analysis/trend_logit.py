"""The logit methods: ``pooled``, ``damped``, ``last`` and ``drift``.

Each describes a place by a Gaussian trend of ``z = logit(coverage /
ceiling)`` (see :mod:`perjaka_analysis.trend`). All four share one pooled
mixed model of the panel (the trend of a place without figures, and the
noise and random-walk variances); they differ in the trend they draw through
a place's own figures (:meth:`LogitTrendModel._own_trend`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize

from .errors import PerjakaError
from .trend_base import (
    CoverageTrendModel,
    FitCache,
    ProvinceTrend,
    _group_for,
    _logit,
    _stable_seed,
    _warn_unconverged,
    to_years,
)
from .trend_results import TrendResults

__all__ = [
    "DampedTrendModel",
    "DriftTrendModel",
    "LastTrendModel",
    "LogitTrendModel",
    "PooledTrendModel",
]

#: Shortest span (years) of the two figures the ``drift`` baseline draws its
#: line through.
DRIFT_MIN_SPAN = 1.0


def _local_level(
    t: np.ndarray, r: np.ndarray, sigma2: float, q: float, p0: float
) -> tuple[float, float, float]:
    """Kalman filter of a local level (random walk) seen with noise at irregular times.

    Returns the log-likelihood and the filtered state mean and variance at the
    last time.
    """
    m, p, loglik = 0.0, p0, 0.0
    for i in range(len(t)):
        if i:
            p += q * (t[i] - t[i - 1])
        s_ = p + sigma2
        loglik -= 0.5 * (math.log(2 * math.pi * s_) + (r[i] - m) ** 2 / s_)
        k = p / s_
        m += k * (r[i] - m)
        p *= 1 - k
    return loglik, m, p


def _fit_local_level(
    panel: pd.DataFrame, resid: np.ndarray, sigma2_start: float, *, q: float | None = None
) -> dict:
    """Maximum-likelihood noise and random-walk variances from the trend's residuals.

    The residuals of every place are modelled as a random walk (variance
    ``q`` per year, starting from ``N(0, q)``) observed with noise
    ``sigma2``; both are estimated jointly over all places by maximum
    likelihood. Returns ``sigma2``, ``q`` and the filtered state at each
    place's last figure.
    """
    series = [
        (g, panel["t"].to_numpy()[idx], resid[idx])
        for g, idx in panel.groupby("territory", sort=False).indices.items()
    ]

    fixed_q = q

    def negloglik(theta: np.ndarray) -> float:
        s2 = math.exp(theta[0])
        q_ = fixed_q if fixed_q is not None else math.exp(theta[1])
        return -sum(_local_level(t, r, s2, q_, q_)[0] for _, t, r in series)

    start = np.log([max(sigma2_start, 1e-4), max(sigma2_start / 4, 1e-4)])
    if fixed_q is not None:
        start = start[:1]
    notes: list[str] = []
    opt = None
    for method, x0 in (("Nelder-Mead", start), ("Powell", start), ("Nelder-Mead", start - 2.0)):
        trial = minimize(
            negloglik,
            x0,
            method=method,
            options={"xtol": 1e-4, "ftol": 1e-7}
            if method == "Powell"
            else {"xatol": 1e-4, "fatol": 1e-6},
        )
        if trial.success and np.all(np.isfinite(trial.x)):
            opt = trial
            break
        notes.append(f"random-walk variance, {method}: {trial.message}")
    converged = opt is not None
    if opt is None:
        opt = trial
    sigma2 = float(math.exp(opt.x[0]))
    q = fixed_q if fixed_q is not None else float(math.exp(opt.x[1]))
    states = {g: _local_level(t, r, sigma2, q, q)[1:] for g, t, r in series}
    return {"sigma2": sigma2, "q": q, "states": states, "converged": converged, "notes": notes}


def _active_knots(panel: pd.DataFrame, knots: Sequence[float]) -> tuple[float, ...]:
    """Knots with enough figures after them (at least 5, in at least 3 places)."""
    active = []
    for k in knots:
        after = panel[panel["t"] > k]
        if len(after) >= 5 and after["territory"].nunique() >= 3:
            active.append(float(k))
    return tuple(active)


#: Optimizers tried in turn for the mixed model until one converges.
_MIXED_OPTIMIZERS: tuple[str, ...] = ("lbfgs", "bfgs", "powell", "nm")
#: statsmodels warnings that mean the optimizer did not reach a maximum (a
#: maximum on the boundary, e.g. a zero slope variance, is a converged fit).
_MIXED_FAILURES: tuple[str, ...] = (
    "Maximum Likelihood optimization failed",
    "Gradient optimization failed",
    "The Hessian matrix at the estimated parameter values is not positive definite",
)


def _fit_mixed(panel: pd.DataFrame, knots: Sequence[float], cache: FitCache) -> dict:
    """The pooled mixed model of a panel (:func:`_fit_mixed_uncached`), fitted once per content
    in ``cache``.

    Same figures, territories and knots give the same fit, so a repeated fit
    is a copy of the first (the fit is deterministic).
    """
    digest = hashlib.sha256()
    for column in ("t", "z"):
        digest.update(np.ascontiguousarray(panel[column].to_numpy(float)).tobytes())
    digest.update("\x1f".join(map(str, panel["territory"])).encode())
    digest.update(repr((tuple(float(k) for k in knots), _MIXED_OPTIMIZERS)).encode())
    key = "mixed " + digest.hexdigest()
    return cache.get(key, lambda: _fit_mixed_uncached(panel, knots))


def _fit_mixed_uncached(panel: pd.DataFrame, knots: Sequence[float] = ()) -> dict:
    """Fit the random intercept + slope model; fall back to random intercept only.

    Fixed effects: intercept, slope, and a change of slope after each active
    knot; random effects: intercept and slope per territory.
    """
    # heavy: statsmodels takes seconds to import; only the logit methods need it
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    z = panel["z"].to_numpy()
    t = panel["t"].to_numpy()
    knots = _active_knots(panel, knots)
    x = np.column_stack([np.ones(len(panel)), t, *[np.clip(t - k, 0.0, None) for k in knots]])
    k_fe = x.shape[1]
    groups = panel["territory"].to_numpy()
    notes: list[str] = []
    result = None
    fallback = None  # the best unconverged fit, used only when nothing converges
    for exog_re in (x[:, :2], x[:, :1]):
        for optimizer in _MIXED_OPTIMIZERS:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    model = MixedLM(z, x, groups=groups, exog_re=exog_re)
                    fit = model.fit(reml=True, method=[optimizer])
                except (np.linalg.LinAlgError, ValueError) as exc:
                    notes.append(
                        f"{exog_re.shape[1]} random effect(s), {optimizer}: failed ({exc})"
                    )
                    continue
            finite = np.all(np.isfinite(np.asarray(fit.cov_re, dtype=float))) and np.all(
                np.isfinite(fit.cov_params())
            )
            positive = finite and np.all(np.diag(np.asarray(fit.cov_params()))[:k_fe] > 0)
            if positive:
                try:  # random effects need an invertible covariance
                    _ = fit.random_effects
                except (ValueError, np.linalg.LinAlgError):
                    positive = False
            messages = [
                str(w.message).splitlines()[0]
                for w in caught
                if issubclass(w.category, ConvergenceWarning)
            ]
            unconverged = not getattr(fit, "converged", True) or any(
                m.startswith(_MIXED_FAILURES) for m in messages
            )
            notes.extend(
                f"{exog_re.shape[1]} random effect(s), {optimizer}: {m}"
                for m in messages
                if not m.startswith(_MIXED_FAILURES)
            )
            if not positive:
                notes.append(f"{exog_re.shape[1]} random effect(s), {optimizer}: degenerate fit")
                continue
            if unconverged:
                notes.append(f"{exog_re.shape[1]} random effect(s), {optimizer}: did not converge")
                if fallback is None or fit.llf > fallback.llf:
                    fallback = fit
                continue
            result = fit
            break
        if result is not None:
            break
    converged = result is not None
    if result is None and fallback is not None:
        result = fallback
        notes.append("no optimizer converged; the fit with the highest likelihood is used")
    if result is None:
        n_places = panel["territory"].nunique()
        raise PerjakaError(
            f"too few figures for a pooled trend ({len(panel)} figures in {n_places} places): "
            + "; ".join(notes)
        )
    k_re = result.cov_re.shape[0]
    cov_re = np.zeros((k_fe, k_fe))
    cov_re[:k_re, :k_re] = np.asarray(result.cov_re, dtype=float)
    blups, conds = {}, {}
    for g, re in result.random_effects.items():
        b = np.zeros(k_fe)
        b[:k_re] = np.asarray(re, dtype=float)
        c = np.zeros((k_fe, k_fe))
        c[:k_re, :k_re] = np.asarray(result.random_effects_cov[g], dtype=float)
        blups[g], conds[g] = b, c
    fe = np.asarray(result.fe_params, dtype=float)
    fitted = x @ fe + np.array([blups[g] @ row for g, row in zip(groups, x, strict=True)])
    return {
        "knots": knots,
        "fe": fe,
        "cov_fe": np.asarray(result.cov_params(), dtype=float)[:k_fe, :k_fe],
        "cov_re": cov_re,
        "sigma2": float(result.scale),
        "blups": blups,
        "conds": conds,
        "fitted": fitted,
        "notes": tuple(dict.fromkeys(notes)),
        "converged": converged,
    }


def _condition_on_status(
    trend: ProvinceTrend, status: pd.DataFrame, ceiling: float, n_draws: int = 20000
) -> ProvinceTrend:
    """Condition a borrowed trend on censored reports "above/below X% on date d".

    Draws intercepts and slopes from the trend's distribution, weights each
    draw by the probability that a published figure on each report date
    (trend plus single-figure noise) lies on the reported side of the
    threshold, and moment-matches the weighted draws. Reports after the
    trend's last date are left out (the random walk would need them too).
    """
    rows = status[(status["province"] == trend.province)]
    rows = rows[to_years(rows["date"]) <= trend.t_last + 1e-9] if len(rows) else rows
    if rows.empty:
        return trend
    rng = np.random.default_rng(_stable_seed(12345, trend.province))
    theta = rng.multivariate_normal(trend.mean, trend.cov, size=n_draws, method="eigh")
    x = trend.design(to_years(rows["date"]))
    mu = theta @ x.T  # draws x reports
    cut = _logit(np.clip(rows["threshold_pct"].to_numpy(float) / ceiling, 1e-6, 1 - 1e-6))
    sd = math.sqrt(trend.sigma2)
    p_above = stats.norm.cdf((mu - cut) / sd)
    above = rows["above"].to_numpy(bool)
    log_w = np.sum(np.log(np.where(above, p_above, 1 - p_above) + 1e-300), axis=1)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    mean = w @ theta
    centred = theta - mean
    cov = (centred * w[:, None]).T @ centred
    n_eff = 1.0 / float(np.sum(w**2))
    basis = f"{trend.basis} + UHC status ({len(rows)} report{'s' if len(rows) > 1 else ''})"
    if n_eff < 100:  # the reports contradict the pooled trend too much to trust the draws
        return trend
    return dataclasses.replace(trend, mean=mean, cov=cov, basis=basis)


def _own_line(
    t: np.ndarray, z: np.ndarray, sigma2: float, mixed: dict, min_span: float = 1.0
) -> tuple:
    """Least-squares line of one province; the pooled slope when its figures span
    less than ``min_span`` years (two figures weeks apart say nothing about a trend)."""
    if t.max() - t.min() >= min_span:
        x = np.column_stack([np.ones_like(t), t])
        xtx_inv = np.linalg.inv(x.T @ x)
        beta = xtx_inv @ x.T @ z
        resid = z - x @ beta
        dof = len(z) - 2
        s2 = float(resid @ resid / dof) if dof > 0 else sigma2
        return beta, xtx_inv * max(s2, sigma2)
    # the pooled slope as it stands after every knot
    c = np.zeros(len(mixed["fe"]))
    c[1:] = 1.0
    slope = float(c @ mixed["fe"])
    var_slope = float(c @ mixed["cov_fe"] @ c + mixed["cov_re"][1, 1])
    t0 = float(t.mean())
    mean = np.array([float(z.mean()) - slope * t0, slope])
    var_a = sigma2 / len(z)
    cov = np.array([[var_a + var_slope * t0 * t0, -var_slope * t0], [-var_slope * t0, var_slope]])
    return mean, cov


class LogitTrendModel(CoverageTrendModel):
    """The logit methods' common fit (see :class:`~perjaka_analysis.trend_base.CoverageTrendModel`).

    A subclass draws the trend through a place's own figures
    (:meth:`_own_trend`); a place without figures takes the pooled trend,
    conditioned on its UHC status reports when given.
    """

    def _own_trend(
        self, t: np.ndarray, z: np.ndarray, mixed: dict, state: tuple, common: dict
    ) -> ProvinceTrend:
        """The trend of a place through its figures at times ``t`` (logit ``z``).

        ``mixed`` is the pooled fit, ``state`` the random walk's filtered
        mean and variance at the place's last figure and ``common`` the
        fields every trend of the place has.
        """
        raise NotImplementedError

    def fit(self) -> TrendResults:
        """Fit the pooled model, then the trend of every place.

        Returns
        -------
        TrendResults
        """
        panel, places = self._panel(), self._places()
        knots = [float(to_years(pd.Timestamp(k))) for k in self.knots]
        mixed = _fit_mixed(panel, knots, self.cache)
        level = _fit_local_level(
            panel, panel["z"].to_numpy() - mixed["fitted"], mixed["sigma2"], q=self.q
        )
        sigma2, q = level["sigma2"], level["q"]
        t_end = float(panel["t"].max())
        groups = {g: idx for g, idx in panel.groupby("territory", sort=False).indices.items()}
        trends = {}
        for place in places:
            group, basis = _group_for(place, groups)
            if group is None:
                trend = ProvinceTrend(
                    place,
                    "pooled (no data)",
                    0,
                    mixed["fe"],
                    mixed["cov_fe"] + mixed["cov_re"],
                    t_end,
                    None,
                    sigma2,
                    q,
                    knots=mixed["knots"],
                )
            else:
                rows = panel.iloc[groups[group]]
                last = rows.iloc[-1]
                t = rows["t"].to_numpy()
                common = {
                    "province": place,
                    "basis": basis,
                    "n_points": len(rows),
                    "t_last": float(t.max()),
                    "sigma2": sigma2,
                    "q": q,
                    "last_pct": float(last["pct"]),
                    "last_date": pd.Timestamp(last["date"]),
                    "group": group,
                }
                trend = self._own_trend(
                    t, rows["z"].to_numpy(), mixed, level["states"][group], common
                )
            if self.status is not None and trend.basis != "own data":
                trend = _condition_on_status(trend, self.status, self.ceiling)
            trends[place] = trend
        converged = bool(mixed["converged"] and level["converged"])
        notes = (*mixed["notes"], *level["notes"])
        _warn_unconverged(converged, self.method, notes)
        return TrendResults(
            trends=trends,
            panel=panel,
            method=self.method,
            measure=self.measure,
            ceiling=self.ceiling,
            pooled={
                "fixed_effects": mixed["fe"],
                "cov_fixed_effects": mixed["cov_fe"],
                "cov_random_effects": mixed["cov_re"],
                "sigma2": sigma2,
                "q": q,
                "notes": mixed["notes"],
            },
            converged=converged,
            fit_notes=tuple(notes),
        )


class PooledTrendModel(LogitTrendModel, method="pooled"):
    """``pooled``: the mixed model's own line of each place (fixed effects plus its
    random effects), and the random walk's state at its last figure."""

    def _own_trend(
        self, t: np.ndarray, z: np.ndarray, mixed: dict, state: tuple, common: dict
    ) -> ProvinceTrend:
        group = common["group"]
        mean = mixed["fe"] + mixed["blups"][group]
        cov = mixed["cov_fe"] + mixed["conds"][group]
        m, v = state
        return ProvinceTrend(
            mean=mean, cov=cov, phi=None, knots=mixed["knots"], level_mean=m, level_var=v, **common
        )


class DampedTrendModel(LogitTrendModel, method="damped"):
    """``damped``: least squares on the place's own figures after its last known break,
    the slope damped after the last figure (factor ``phi`` a year)."""

    def _own_trend(
        self, t: np.ndarray, z: np.ndarray, mixed: dict, state: tuple, common: dict
    ) -> ProvinceTrend:
        sigma2 = common["sigma2"]
        # a province's own line starts after the last known break it has figures after
        keep = np.ones_like(t, dtype=bool)
        for b in self.breaks:
            after = t >= float(to_years(pd.Timestamp(b)))
            if after.any():
                keep = after
        mean, cov = _own_line(t[keep], z[keep], sigma2, mixed)
        return ProvinceTrend(mean=mean, cov=cov, phi=self.phi, **common)


class LastTrendModel(LogitTrendModel, method="last"):
    """``last``: the last published value, unchanged."""

    def _own_trend(
        self, t: np.ndarray, z: np.ndarray, mixed: dict, state: tuple, common: dict
    ) -> ProvinceTrend:
        sigma2 = common["sigma2"]
        z_last = float(np.mean(z[t == t.max()]))
        cov = np.diag([sigma2, 0.0])
        return ProvinceTrend(mean=np.array([z_last, 0.0]), cov=cov, phi=None, **common)


class DriftTrendModel(LogitTrendModel, method="drift"):
    """``drift``: the line through the place's last figure and its latest figure at
    least :data:`DRIFT_MIN_SPAN` years earlier (no slope when there is none)."""

    def _own_trend(
        self, t: np.ndarray, z: np.ndarray, mixed: dict, state: tuple, common: dict
    ) -> ProvinceTrend:
        sigma2 = common["sigma2"]
        # drift: the line from the last figure at least DRIFT_MIN_SPAN years before
        # the last one; no slope when there is none (two figures weeks apart say
        # nothing about a trend)
        t1 = float(t.max())
        z1 = float(np.mean(z[t == t1]))
        early = t[t <= t1 - DRIFT_MIN_SPAN]
        if len(early):
            t0 = float(early.max())
            z0 = float(np.mean(z[t == t0]))
            slope = (z1 - z0) / (t1 - t0)
            var_slope = 2 * sigma2 / (t1 - t0) ** 2
        else:
            slope, var_slope = 0.0, 0.0
        mean = np.array([z1 - slope * t1, slope])
        # intercept and slope covariance for an anchor at t1: Var(z1) = sigma2
        cov = np.array(
            [[sigma2 + var_slope * t1 * t1, -var_slope * t1], [-var_slope * t1, var_slope]]
        )
        return ProvinceTrend(mean=mean, cov=cov, phi=None, **common)
