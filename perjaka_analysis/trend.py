"""Coverage trends per province, with honest uncertainty.

The default ``saturation`` method describes every province as the national
path plus a province offset on the ceiling-aware scale ``-log(102 - y)``
(see :mod:`perjaka_analysis.saturation`), reconciled to the nation: the
nation reverts towards an estimated long-run level (at most 100%), a
province slowly towards the nation plus a share of the nation's remaining
shortfall. It is built for the saturation years, where figures plateau
between ~92% and 100% and fall back after data cleansing; the README has
its backtest over the saturation years (origins 2023-2025) and the growth
years.

The other methods model registration coverage on the logit scale of coverage against a
ceiling (default 102%, so that the few provinces registered above 100% stay in
range): ``z = logit(coverage / ceiling)``. Every method describes each place by
a Gaussian trend in ``z``::

    z(t) = a + b * g(t) + w(t) + e

with ``(a, b)`` an intercept and slope with a mean and a covariance (the
uncertainty of the fit), ``g`` the time since the reference date (damped after
the last observation for the damped method), ``w`` a random walk that starts
at the last observation (trends do not stay straight: cleansing of members,
regional-insurance integration, budget years), and ``e`` the noise of a single
published figure (sources and denominators differ). Forecast intervals are for
a new published figure; target crossings use the latent path ``a + b g + w``.

Methods
-------
``saturation`` (default)
    National path plus province offsets, reconciled to the nation; status
    reports enter as censored figures. Estimated by maximum likelihood, with
    priors on the national long-run level and reversion rate.
``pooled``
    A linear mixed model (statsmodels ``MixedLM``) with a random intercept and
    slope per territory: a province with two points borrows strength from the
    others; a province with none is forecast from the pooled trend and says so.
``damped``
    Each province alone: least squares on its own points, slope damped after
    the last point (damping factor per year ``phi``).
``last``
    Baseline: the last published value, unchanged.
``drift``
    Baseline: the line through the province's last point and its latest
    point at least a year earlier (no slope when there is none).

Only one measure is ever fitted at a time (default ``registered``); survey
measures are never mixed in.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Literal

import numpy as np
import pandas as pd

from . import saturation as _saturation
from .coverage import sort_coverage
from .datasets import load_provinces
from .errors import PerjakaError
from .plotting import plot_fan
from .provinces import NATIONAL, normalise_province, province_table
from .saturation import _scale_noise, _transition, fit_saturation, from_scale

__all__ = [
    "METHODS",
    "CoverageTrendModel",
    "FitConvergenceWarning",
    "ProvinceTrend",
    "TrendResults",
]

METHODS = ("saturation", "pooled", "damped", "last", "drift")
Method = Literal["saturation", "pooled", "damped", "last", "drift"]

#: Ceiling of the logit scale of the ``pooled``, ``damped``, ``last`` and
#: ``drift`` methods when none is given.
DEFAULT_CEILING = 102.0
#: Upper end of the percent scale of the ``saturation`` method (the largest
#: coverage the data contract admits); it bounds target values only.
SATURATION_SCALE_MAX = 150.0


class FitConvergenceWarning(UserWarning):
    """A trend fit whose optimizer did not converge (see ``TrendResults.fit_notes``)."""


#: Known policy break after which the pooled slope may change: Presidential
#: Instruction (Inpres) 1/2022 on optimising the JKN programme, 2022-01-06,
#: which set every ministry and regional government to work on enrolment.
DEFAULT_KNOTS: tuple[str, ...] = ("2022-01-06",)

#: Known one-off breaks in registration counts: the 2019-2020 cleansing of
#: subsidised (PBI) members, complete by mid-2020. The damped method draws a
#: province's own line only through figures after the last break it has
#: figures after, so a fall caused by the cleansing is not extrapolated.
DEFAULT_BREAKS: tuple[str, ...] = ("2020-07-01",)

#: Shortest span (years) of the two figures the ``drift`` baseline draws its
#: line through.
DRIFT_MIN_SPAN = 1.0

#: Reference date of the time axis (years since).
T_REF = pd.Timestamp("2020-01-01")
DAYS_PER_YEAR = 365.25


def to_years(dates: pd.Series | pd.DatetimeIndex | pd.Timestamp) -> np.ndarray | float:
    """Convert dates to years since :data:`T_REF`."""
    delta = pd.to_datetime(dates) - T_REF
    if isinstance(delta, pd.Timedelta):
        return delta.days / DAYS_PER_YEAR
    if isinstance(delta, pd.Series):
        delta = delta.dt
    return np.asarray(delta.days, dtype=float) / DAYS_PER_YEAR


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def _normal_quantile(p: float) -> float:
    """Standard normal quantile (the standard library's, exact to double precision)."""
    return NormalDist().inv_cdf(p)


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class ProvinceTrend:
    """The fitted trend of one place, on the logit scale.

    Attributes
    ----------
    province : str
        Official name or ``INDONESIA``.
    basis : str
        Where the trend comes from: ``own data``, ``pre-split territory``,
        ``predecessor territory`` or ``pooled (no data)``.
    n_points : int
        Observations behind the trend (0 for pooled).
    mean : ndarray, shape (2,)
        Mean of intercept (at :data:`T_REF`) and slope per year.
    cov : ndarray, shape (2, 2)
        Their covariance.
    t_last : float
        Time of the last observation (years since :data:`T_REF`); the random
        walk and any damping start there.
    phi : float or None
        Damping factor per year after ``t_last`` (None: no damping).
    sigma2 : float
        Variance of a single published figure around the trend.
    q : float
        Random-walk variance per year.
    last_pct, last_date
        The last observation (None for pooled).
    group : str or None
        The observed territory the trend was fitted on (None for pooled).
    level_mean, level_var : float
        The random walk's state at ``t_last`` given the place's figures
        (Kalman filter on the residuals of the trend): how far the latest
        figures sit above or below the straight trend, and how sure that is.
    knots : tuple of float
        Times (years) after which the pooled slope changes (policy breaks).
    """

    province: str
    basis: str
    n_points: int
    mean: np.ndarray
    cov: np.ndarray
    t_last: float
    phi: float | None
    sigma2: float
    q: float
    last_pct: float | None = None
    last_date: pd.Timestamp | None = None
    group: str | None = None
    level_mean: float = 0.0
    level_var: float = 0.0
    knots: tuple[float, ...] = ()

    def design(self, t: np.ndarray) -> np.ndarray:
        """Rows ``[1, g(t), (g(t) - k)+ ...]`` of the trend at times ``t`` (years)."""
        t = np.asarray(t, dtype=float)
        g = t.copy()
        if self.phi is not None:
            h = np.clip(t - self.t_last, 0.0, None)
            damped = h if self.phi >= 1 else (1 - self.phi**h) / (-math.log(self.phi))
            g = np.where(t > self.t_last, self.t_last + damped, t)
        hinges = [np.clip(g - k, 0.0, None) for k in self.knots]
        return np.column_stack([np.ones_like(t), g, *hinges])

    def moments(self, t: np.ndarray, *, observation: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``z`` at times ``t``.

        Parameters
        ----------
        t : ndarray
            Times in years since :data:`T_REF`.
        observation : bool
            Include the noise of a single published figure.
        """
        x = self.design(t)
        t = np.asarray(t, dtype=float)
        after = t > self.t_last
        mu = x @ self.mean + np.where(after, self.level_mean, 0.0)
        var = np.einsum("ij,jk,ik->i", x, self.cov, x)
        var = var + np.where(after, self.level_var + self.q * (t - self.t_last), 0.0)
        if observation:
            var = var + self.sigma2
        return mu, var


def prepare_panel(
    coverage: pd.DataFrame, *, measure: str = "registered", ceiling: float = 102.0
) -> pd.DataFrame:
    """Select one measure's province-level rows and put them on the model scale.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (see :func:`perjaka_analysis.read_coverage`).
    measure : str
        The measure to model; other measures are left out, never mixed.
    ceiling : float
        Coverage ceiling in percent; figures are clipped to 0.5%–99.5% of it.

    Returns
    -------
    pandas.DataFrame
        ``province``, ``territory``, ``date``, ``t`` (years since 2020-01-01),
        ``pct`` and ``z`` (logit of pct / ceiling), sorted by territory and date.

    Raises
    ------
    PerjakaError
        If fewer than two distinct dates remain (no trend can be estimated).
    """
    if ceiling <= 100:
        raise PerjakaError(f"ceiling must be above 100 (percent), got {ceiling}")
    rows = coverage[(coverage["measure"] == measure) & coverage["district"].isna()]
    rows = sort_coverage(rows)  # the one order that makes the last row the latest figure
    if rows.empty:
        raise PerjakaError(f"no province-level '{measure}' figures to model")
    if rows["date"].nunique() < 2:
        raise PerjakaError(
            f"need figures on at least two different dates to estimate a trend; "
            f"all {len(rows)} '{measure}' figure(s) are dated {rows['date'].iloc[0]:%Y-%m-%d}"
        )
    share = (rows["coverage_pct"].to_numpy(float) / ceiling).clip(0.005, 0.995)
    panel = pd.DataFrame(
        {
            "province": rows["province"].astype(str).to_numpy(),
            "territory": rows["territory"].astype(str).to_numpy(),
            "date": rows["date"].to_numpy(),
            "t": to_years(rows["date"]),
            "pct": rows["coverage_pct"].to_numpy(float),
            "z": _logit(share),
        }
    )
    return panel.sort_values(["territory", "date"], kind="stable").reset_index(drop=True)


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
    from scipy.optimize import minimize

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


#: Recent mixed-model fits by content of the panel (``_fit_mixed``): the methods
#: of one backtest origin, or a notebook fitting the same figures twice, fit once.
_MIXED_CACHE: dict[str, dict] = {}
#: Recent saturation fits by content of the figures (``_fit_saturation_cached``).
_SATURATION_CACHE: dict[str, object] = {}
_FIT_CACHE_SIZE = 16  # fits kept per cache


def _cached(cache: dict, key: str, compute):
    """A copy of ``cache[key]``, computed once (the oldest entry leaves a full cache)."""
    import copy

    if key not in cache:
        if len(cache) >= _FIT_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = compute()
    return copy.deepcopy(cache[key])


def _fit_saturation_cached(national: tuple, series: list) -> object:
    """:func:`~perjaka_analysis.saturation.fit_saturation`, fitted once per content.

    Same national and province figures (and national targets) give the same
    (deterministic) fit, so a repeated fit is a copy of the first.
    """
    import hashlib

    digest = hashlib.sha256(repr(_saturation.NATIONAL_TARGETS).encode())
    for t, y in [national, *series]:
        digest.update(np.ascontiguousarray(t, float).tobytes() + b"|")
        digest.update(np.ascontiguousarray(y, float).tobytes() + b"/")
    return _cached(_SATURATION_CACHE, digest.hexdigest(), lambda: fit_saturation(national, series))


def _fit_mixed(panel: pd.DataFrame, knots: Sequence[float] = ()) -> dict:
    """The pooled mixed model of a panel (:func:`_fit_mixed_uncached`), fitted once per content.

    Same figures, territories and knots give the same fit, so a repeated fit
    is a copy of the first (the fit is deterministic).
    """
    import hashlib

    digest = hashlib.sha256()
    for column in ("t", "z"):
        digest.update(np.ascontiguousarray(panel[column].to_numpy(float)).tobytes())
    digest.update("\x1f".join(map(str, panel["territory"])).encode())
    digest.update(repr((tuple(float(k) for k in knots), _MIXED_OPTIMIZERS)).encode())
    return _cached(_MIXED_CACHE, digest.hexdigest(), lambda: _fit_mixed_uncached(panel, knots))


def _fit_mixed_uncached(panel: pd.DataFrame, knots: Sequence[float] = ()) -> dict:
    """Fit the random intercept + slope model; fall back to random intercept only.

    Fixed effects: intercept, slope, and a change of slope after each active
    knot; random effects: intercept and slope per territory.
    """
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


class CoverageTrendModel:
    """Coverage trend per province, on the logit scale against a ceiling.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (:func:`perjaka_analysis.read_coverage`); only
        province-level rows of ``measure`` are used.
    method : {"saturation", "pooled", "damped", "last", "drift"}
        See the module documentation. ``saturation`` is the default because it
        has the lowest error in the backtest (see the README) and keeps the
        nation at or below 100%.
    measure : str
        The measure to model (never mixed with another).
    ceiling : float, optional
        Ceiling of the logit scale in percent for the logit methods
        (default 102). ``saturation`` estimates its long-run levels and
        rejects a ceiling.
    phi : float
        Damping factor per year of the ``damped`` method.
    status : pandas.DataFrame, optional
        UHC status reports (``province, date, threshold_pct, above``; see
        :func:`perjaka_analysis.datasets.load_uhc_status`). A place without
        figures of its own is then forecast from the pooled trend *given*
        that its registration was above (or below) the threshold on those
        dates; its basis says so.
    provinces : sequence of str, optional
        Places to describe; default all 38 provinces and ``INDONESIA``.

    Examples
    --------
    >>> import perjaka_analysis as pa
    >>> res = CoverageTrendModel(pa.load_coverage()).fit()
    >>> fc = res.forecast(until="2026-12-31")
    >>> sorted(fc["level"].unique().tolist())
    [80, 95]
    """

    def __init__(
        self,
        coverage: pd.DataFrame,
        *,
        method: Method = "saturation",
        measure: str = "registered",
        ceiling: float | None = None,
        phi: float = 0.8,
        q: float | None = None,
        window_years: float | None = None,
        knots: Sequence[str] = DEFAULT_KNOTS,
        breaks: Sequence[str] = DEFAULT_BREAKS,
        status: pd.DataFrame | None = None,
        provinces: Sequence[str] | None = None,
    ) -> None:
        if method not in METHODS:
            raise PerjakaError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
        if not 0 < phi <= 1:
            raise PerjakaError(f"phi must be in (0, 1], got {phi}")
        if method == "saturation" and ceiling is not None:
            raise PerjakaError(
                f"ceiling={ceiling:g} applies to the logit methods "
                f"({', '.join(m for m in METHODS if m != 'saturation')}); the saturation method "
                "estimates its long-run levels: leave ceiling unset or choose a logit method"
            )
        self.coverage = coverage
        self.method = method
        self.measure = measure
        self.ceiling = (
            SATURATION_SCALE_MAX
            if method == "saturation"
            else (DEFAULT_CEILING if ceiling is None else float(ceiling))
        )
        self.phi = phi
        self.q = q
        self.window_years = window_years
        self.knots = tuple(knots)
        self.breaks = tuple(sorted(breaks))
        self.status = status
        self.provinces = provinces

    def fit(self) -> TrendResults:
        """Fit the trend of every place.

        Returns
        -------
        TrendResults
        """
        panel = prepare_panel(self.coverage, measure=self.measure, ceiling=self.ceiling)
        if self.window_years is not None:
            panel = panel[panel["t"] >= panel["t"].max() - self.window_years].reset_index(drop=True)
        places = (
            list(self.provinces)
            if self.provinces
            else [
                *province_table()["province"],
                NATIONAL,
            ]
        )
        if self.method == "saturation":
            return self._fit_saturation(panel, places)
        mixed = _fit_mixed(panel, [float(to_years(pd.Timestamp(k))) for k in self.knots])
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
                trend = self._trend(place, basis, rows, mixed, group, sigma2, q)
                if self.method == "pooled":
                    m, v = level["states"][group]
                    trend = dataclasses.replace(trend, level_mean=m, level_var=v)
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

    def _fit_saturation(self, panel: pd.DataFrame, places: list[str]) -> TrendResults:
        nat = panel[panel["territory"] == NATIONAL]
        others = panel[panel["territory"] != NATIONAL]
        notes: list[str] = []
        if nat.empty:
            nat = panel.sort_values("t", kind="stable")
            notes.append("no national figures: the national path is estimated from the provinces")
        groups = {g: idx for g, idx in panel.groupby("territory", sort=False).indices.items()}
        series = [
            (rows["t"].to_numpy(), rows["pct"].to_numpy())
            for _, rows in others.groupby("territory", sort=True)
        ]
        model = _fit_saturation_cached((nat["t"].to_numpy(), nat["pct"].to_numpy()), series)
        notes.extend(model.notes)
        t_end = float(panel["t"].max())
        status = self.status
        if status is not None:
            bad = ~status["threshold_pct"].between(0, 100, inclusive="right")
            if bad.any():
                # e.g. a criterion "UHC Award 2024" read as a threshold of 2024%
                notes.append(
                    f"{int(bad.sum())} UHC status report(s) with a threshold outside 0-100% "
                    "read as 95%"
                )
                status = status.assign(threshold_pct=status["threshold_pct"].where(~bad, 95.0))
        inputs: dict[str, tuple] = {}
        trends = {}
        every = list(dict.fromkeys([*places, *province_table()["province"]]))
        for place in every:
            group, basis = _group_for(place, groups)
            rows = panel.iloc[groups[group]] if group is not None else panel.iloc[:0]
            reports = None
            if status is not None and place != NATIONAL:
                mine = status[status["province"] == place]
                if len(mine):
                    reports = (
                        to_years(mine["date"]),
                        mine["threshold_pct"].to_numpy(float),
                        mine["above"].to_numpy(bool),
                    )
                    if basis != "own data":
                        n = len(mine)
                        basis = f"{basis} + UHC status ({n} report{'s' if n > 1 else ''})"
            inputs[place] = (rows["t"].to_numpy(), rows["pct"].to_numpy(), reports)
            if place not in places:
                continue
            last = rows.iloc[-1] if len(rows) else None
            trends[place] = ProvinceTrend(
                place,
                basis,
                len(rows),
                np.array([model.level_pct, 0.0]),
                np.zeros((2, 2)),
                float(rows["t"].max()) if len(rows) else t_end,
                None,
                model.sigma2_nat if place == NATIONAL else model.sigma2,
                model.s2 if place == NATIONAL else model.s2_d,
                last_pct=float(last["pct"]) if last is not None else None,
                last_date=pd.Timestamp(last["date"]) if last is not None else None,
                group=group,
            )
        sat = _SaturationState(model, inputs, _reconciliation_grid(model, inputs, panel))
        converged = bool(model.converged)
        _warn_unconverged(converged, self.method, notes)
        return TrendResults(
            trends=trends,
            panel=panel,
            method=self.method,
            measure=self.measure,
            ceiling=self.ceiling,
            pooled={
                "long_run_level_pct": model.level_pct,
                "ceiling_pct": model.ceiling,
                "kappa": model.kappa,
                "target_response": model.rho,
                "level_var_per_year": model.s2,
                "sigma2_national": model.sigma2_nat,
                "kappa_offset": model.kappa_d,
                "offset_var_per_year": model.s2_d,
                "sigma2": model.sigma2,
                "tau2": model.tau2,
                "delta_bar": model.delta_bar,
                "omega2": model.omega2,
                "floors": dict(model.floors),
                "notes": tuple(notes),
            },
            converged=converged,
            fit_notes=tuple(notes),
            saturation=sat,
        )

    def _trend(
        self,
        place: str,
        basis: str,
        rows: pd.DataFrame,
        mixed: dict,
        group: str,
        sigma2: float,
        q: float,
    ) -> ProvinceTrend:
        t, z = rows["t"].to_numpy(), rows["z"].to_numpy()
        last = rows.iloc[-1]
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
        if self.method == "pooled":
            mean = mixed["fe"] + mixed["blups"][group]
            cov = mixed["cov_fe"] + mixed["conds"][group]
            return ProvinceTrend(mean=mean, cov=cov, phi=None, knots=mixed["knots"], **common)
        if self.method == "damped":
            # a province's own line starts after the last known break it has figures after
            keep = np.ones_like(t, dtype=bool)
            for b in self.breaks:
                after = t >= float(to_years(pd.Timestamp(b)))
                if after.any():
                    keep = after
            mean, cov = _own_line(t[keep], z[keep], sigma2, mixed)
            return ProvinceTrend(mean=mean, cov=cov, phi=self.phi, **common)
        if self.method == "last":
            z_last = float(np.mean(z[t == t.max()]))
            cov = np.diag([sigma2, 0.0])
            return ProvinceTrend(mean=np.array([z_last, 0.0]), cov=cov, phi=None, **common)
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


def _warn_unconverged(converged: bool, method: str, notes: Sequence[str]) -> None:
    """One warning per fit when no optimizer converged."""
    if not converged:
        warnings.warn(
            f"the {method} trend fit did not converge; results use the best fit found "
            f"(see TrendResults.fit_notes): {'; '.join(notes[-3:])}",
            FitConvergenceWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class _SaturationState:
    """What the saturation method needs to predict: estimates, each place's
    figures and status reports, and the reconciliation grid."""

    model: object
    inputs: dict
    grid: dict


def _offset_moments(model, inputs: tuple, t: np.ndarray) -> dict:
    t_obs, y_obs, reports = inputs
    ev = model.offset_events(t_obs, y_obs, reports, t)
    return model.offset(ev, t)


def _reconciliation_grid(model, inputs: dict, panel: pd.DataFrame) -> dict:
    """Population-weighted offset mean and variance of the 38 provinces, quarterly.

    Reconciliation shifts province ``p`` at time ``t`` by
    ``-gap(t) * v_p(t) / wvar(t)`` on the model scale, with ``wvar`` the
    weighted mean offset variance and ``gap`` the shift that makes the
    population-weighted province medians in percent equal the national
    median, the gap taken up by the provinces whose offsets are least
    certain.
    """
    pop = load_provinces().set_index("province")["population"].astype(float)
    pop = pop[pop.notna() & pop.index.isin(list(inputs))]
    w = (pop / pop.sum()).to_dict()
    start = pd.Timestamp(panel["date"].min()) - pd.DateOffset(years=1)
    end = pd.Timestamp(panel["date"].max()) + pd.DateOffset(years=25)
    t = to_years(pd.date_range(start, end, freq="QE"))
    gap = np.zeros(len(t))
    wvar = np.zeros(len(t))
    means, variances = [], []
    for place, weight in w.items():
        mom = _offset_moments(model, inputs[place], t)
        gap += weight * mom["mean"]
        wvar += weight * mom["var"]
        means.append(mom["mean"])
        variances.append(mom["var"])
    if means:
        # on the model scale the offsets' weighted mean being zero leaves the
        # provinces' weighted mean in percent below the nation's (the scale is
        # convex): solve for the shift that makes them equal in percent
        weights = np.array(list(w.values()))[:, None]
        nat = model.national(t)[0]
        level = nat[None, :] + np.array(means)
        share = np.array(variances) / np.maximum(wvar, 1e-12)[None, :]
        target = from_scale(nat, model.ceiling)
        for _ in range(8):  # Newton steps on the shift
            shortfall = np.exp(-(level - gap[None, :] * share))
            f = (weights * (model.ceiling - shortfall)).sum(axis=0) - target
            slope = -(weights * share * shortfall).sum(axis=0)
            gap = gap - f / np.where(np.abs(slope) > 1e-12, slope, -1e-12)
    return {"t": t, "gap": gap, "wvar": wvar, "weights": w}


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
    from scipy import stats

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


def _group_for(place: str, groups: dict) -> tuple[str | None, str]:
    """Which observed territory describes ``place`` today, and how."""
    if place in groups:
        return place, "own data"
    for g in groups:
        if g.startswith(f"{place} (pre-"):
            return g, "pre-split territory"
    table = province_table().set_index("province")
    if place in table.index and table.loc[place, "predecessor"]:
        pred = table.loc[place, "predecessor"]
        for g in groups:
            if g == pred or g.startswith(f"{pred} (pre-"):
                return g, "predecessor territory"
    return None, "pooled (no data)"


def _stable_seed(seed: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8"))])


def forecast_places(
    predict,
    places: dict,
    names: Sequence[str],
    until: str | pd.Timestamp,
    data_end: pd.Timestamp,
    *,
    levels: Sequence[int],
    freq: str,
) -> pd.DataFrame:
    """The long forecast frame of fitted results, from each place's last figure until a date.

    Shared by registration (:class:`TrendResults`) and active-share results:
    ``predict(name, dates, levels=...)`` gives one place's frame, and each
    of ``places[name]`` has ``last_date`` and ``basis``.

    Returns
    -------
    pandas.DataFrame
        ``province, date, mean, lower, upper, level, basis``, sorted.

    Raises
    ------
    PerjakaError
        If ``until`` is not after ``data_end``.
    """
    until = pd.Timestamp(until)
    if until <= data_end:
        raise PerjakaError(
            f"until ({until:%Y-%m-%d}) must be after the latest figure ({data_end:%Y-%m-%d})"
        )
    frames = []
    for name in names:
        place = places[name]
        start = place.last_date or data_end
        dates = pd.date_range(start, until, freq=freq)
        dates = dates[dates > start]
        if len(dates) == 0 or dates[-1] != until:
            dates = dates.append(pd.DatetimeIndex([until]))
        frame = predict(name, dates, levels=levels)
        frame["basis"] = place.basis
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["province", "level", "date"], kind="stable").reset_index(drop=True)


@dataclass
class TrendResults:
    """Fitted coverage trends: forecasts, simulated paths and plots.

    Attributes
    ----------
    trends : dict of str to ProvinceTrend
        One per place.
    panel : pandas.DataFrame
        The observations used (see :func:`prepare_panel`).
    method, measure : str
    ceiling : float
        Ceiling in percent.
    pooled : dict
        Estimates shared by all places: for ``saturation`` the national
        long-run level, reversion rates, variances and their floors; for the
        logit methods the fixed effects, covariances, ``sigma2`` and ``q``.
    converged : bool
        Whether every optimizer behind the fit converged. When False the fit
        with the highest likelihood found is used, a
        :class:`FitConvergenceWarning` was issued, and ``fit_notes`` say why.
    fit_notes : tuple of str
        What the optimizers reported (retries, boundary estimates, failures).
    """

    trends: dict[str, ProvinceTrend]
    panel: pd.DataFrame
    method: str
    measure: str
    ceiling: float
    pooled: dict = field(default_factory=dict)
    converged: bool = True
    fit_notes: tuple[str, ...] = ()
    saturation: _SaturationState | None = field(default=None, repr=False)

    # -- transforms -------------------------------------------------------------------------
    def _pct(self, z: np.ndarray) -> np.ndarray:
        if self.saturation is not None:  # -log(ceiling - y)
            return from_scale(z, self.saturation.model.ceiling)
        return self.ceiling * _expit(z)

    def _moments(
        self, trend: ProvinceTrend, t: np.ndarray, *, observation: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of coverage (model scale) of one place at times ``t``."""
        if self.saturation is None:
            return trend.moments(t, observation=observation)
        sat = self.saturation
        model = sat.model
        t = np.asarray(t, dtype=float)
        mean, var = model.national(t)
        var = var + model.param_var(self._param_jacobian(trend, t))
        noise = model.sigma2_nat
        if trend.province != NATIONAL:
            off = _offset_moments(model, sat.inputs[trend.province], t)
            mean = mean + off["mean"] + self._adjustment(t, off["var"])
            var = var + off["var"]
            noise = model.sigma2
        if observation:  # one more published figure: its noise on the model scale
            var = var + _scale_noise(noise, self._pct(mean), model.ceiling)
        return mean, var

    def _param_jacobian(self, trend: ProvinceTrend, t: np.ndarray) -> np.ndarray:
        """How a place's mean at ``t`` moves with the national parameters (n x 4).

        The nation, and a place without figures of its own, move with the
        national path (:meth:`~.saturation.SaturationFit.national_param_jacobian`).
        A province's offset is read from its figures less the national path,
        so its own figures hold its level: the parameters move it only
        through the national path since its latest figure.
        """
        model = self.saturation.model
        jac = model.national_param_jacobian(t)
        if trend.province != NATIONAL and trend.last_date is not None:
            jac = jac - model.national_param_jacobian(to_years([trend.last_date]))
        return jac

    def _adjustment(self, t: np.ndarray, offset_var: np.ndarray) -> np.ndarray:
        """Shift reconciling a province to the nation (see ``_reconciliation_grid``)."""
        grid = self.saturation.grid
        gap = np.interp(t, grid["t"], grid["gap"])
        wvar = np.interp(t, grid["t"], grid["wvar"])
        return -gap * offset_var / np.maximum(wvar, 1e-12)

    def trend(self, province: str) -> ProvinceTrend:
        """Return the trend of one place (official name or alias)."""
        name = normalise_province(province)
        if name not in self.trends:
            raise PerjakaError(f"{name} is not among the fitted places")
        return self.trends[name]

    @property
    def data_end(self) -> pd.Timestamp:
        """Date of the latest observation in the panel."""
        return pd.Timestamp(self.panel["date"].max())

    # -- forecasts --------------------------------------------------------------------------
    def predict(
        self,
        province: str,
        dates: Sequence | pd.DatetimeIndex,
        *,
        levels: Sequence[int] = (80, 95),
        observation: bool = True,
    ) -> pd.DataFrame:
        """Predictive distribution of coverage at given dates for one place.

        Parameters
        ----------
        province : str
            Official name (or alias).
        dates : sequence of dates
            Where to predict (history or future).
        levels : sequence of int
            Central interval levels in percent.
        observation : bool
            Intervals for a new published figure (True) or for the latent
            trend (False).

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` in percent, one row
            per date and level. ``mean`` is the mean of the predictive
            distribution in percent (for ``saturation`` also its median; for
            the logit methods a probit approximation of the mean of a
            back-transformed normal); interval ends are exact quantiles.
            Stable signature: ``predict(province, dates, *, levels,
            observation)``.
        """
        trend = self.trend(province)
        dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        mu, var = self._moments(trend, to_years(dates), observation=observation)
        sd = np.sqrt(var)
        if self.saturation is not None:  # the median: the model scale is monotone
            mean = self._pct(mu)
        else:  # mean of the back-transformed normal (probit approximation of E[expit])
            mean = self._pct(mu / np.sqrt(1 + np.pi * var / 8))
        frames = []
        for level in levels:
            zq = float(_normal_quantile(0.5 + level / 200))
            frames.append(
                pd.DataFrame(
                    {
                        "province": trend.province,
                        "date": dates,
                        "mean": mean,
                        "lower": self._pct(mu - zq * sd),
                        "upper": self._pct(mu + zq * sd),
                        "level": int(level),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def forecast(
        self,
        until: str | pd.Timestamp,
        *,
        levels: Sequence[int] = (80, 95),
        freq: str = "QE",
        provinces: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Forecast every place from its last figure until a date.

        Parameters
        ----------
        until : str or Timestamp
            Last forecast date (after the latest observation).
        levels : sequence of int
            Interval levels in percent (default 80 and 95).
        freq : str
            pandas frequency of the forecast dates (default quarter ends).
        provinces : sequence of str, optional
            Places to include (default all fitted).

        Returns
        -------
        pandas.DataFrame
            Long frame ``province, date, mean, lower, upper, level, basis``
            (percent). Intervals are for a newly published figure. Stable
            signature: ``forecast(until, *, levels, freq, provinces)``.

        Raises
        ------
        PerjakaError
            If ``until`` is not after the latest observation.
        """
        names = [self.trend(p).province for p in provinces] if provinces else list(self.trends)
        return forecast_places(
            self.predict, self.trends, names, until, self.data_end, levels=levels, freq=freq
        )

    def simulate(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Simulate latent coverage paths from the last figure until a date.

        Each path draws an intercept and slope from their distribution and
        adds the random walk; the noise of single published figures is left
        out (a target is reached by the population, not by one article).

        Parameters
        ----------
        province : str
            Official name (or alias).
        until : str or Timestamp
            Last date.
        n_paths : int
            Number of paths.
        seed : int
            Seed; each place gets its own stream derived from the seed and its
            name, so results do not depend on which other places are asked.
        freq : str
            pandas frequency of the path dates (default month starts).

        Returns
        -------
        dates : DatetimeIndex
            From the place's last figure (the panel's end for a place
            without one) to ``until``.
        paths : ndarray, shape (n_paths, len(dates))
            Coverage in percent. Stable signature: ``simulate(province,
            until, *, n_paths, seed, freq)``; :func:`compute_targets` and
            :func:`scenario_targets` read their crossings from these paths.
        """
        trend = self.trend(province)
        start = trend.last_date or self.data_end
        dates = pd.date_range(start, pd.Timestamp(until), freq=freq)
        dates = dates[dates >= start]
        if len(dates) == 0 or dates[0] != start:
            dates = pd.DatetimeIndex([start]).append(dates)
        rng = np.random.default_rng(_stable_seed(seed, trend.province))
        t = to_years(dates)
        if self.saturation is not None:
            return dates, self._simulate_saturation(trend, t, n_paths, rng)
        x = trend.design(t)
        ab = rng.multivariate_normal(trend.mean, trend.cov, size=n_paths, method="eigh")
        z = ab @ x.T
        h = np.clip(t - trend.t_last, 0.0, None)
        level = trend.level_mean + math.sqrt(trend.level_var) * rng.standard_normal(n_paths)
        z += np.where(h > 0, level[:, None], 0.0)
        steps = np.diff(h, prepend=0.0)
        if trend.q > 0:
            z += np.cumsum(rng.standard_normal((n_paths, len(t))) * np.sqrt(trend.q * steps), 1)
        return dates, self._pct(z)

    def _simulate_saturation(
        self, trend: ProvinceTrend, t: np.ndarray, n_paths: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Paths of national level + reconciled offset at times ``t`` (percent).

        The national deviation from its smoothed mean is one standard normal
        per path scaled by the smoothed sd up to the last national figure,
        then an exact Ornstein-Uhlenbeck continuation; each path adds the
        shift of its own draw of the national parameters (linearised, the
        same as :meth:`_moments` adds, see :meth:`_param_jacobian`); the offset's state
        ``[u, delta, beta]`` starts from its smoothed state at the first time,
        ``u`` continues exactly and ``beta`` multiplies the path's own
        national shortfall.
        """
        model = self.saturation.model
        t_nat = float(model.national_t.max()) if len(model.national_t) else float(t[0])
        t_all = np.concatenate([t, [t_nat]])
        mean_all, var_all = model.national(t_all)
        mean, var_n = mean_all[:-1], var_all[:-1]
        eps0 = rng.standard_normal(n_paths)
        dev = np.empty((n_paths, len(t)))
        prev_t, prev = t_nat, math.sqrt(var_all[-1]) * eps0
        for k, tk in enumerate(t):
            if tk <= t_nat:
                dev[:, k] = math.sqrt(var_n[k]) * eps0
                continue
            b, q = model.national_step(prev_t, tk)
            prev = b * prev + math.sqrt(q) * rng.standard_normal(n_paths)
            prev_t = tk
            dev[:, k] = prev
        z = mean[None, :] + dev
        shift = 0.0  # each path's own draw of the national parameters, linearised
        if np.any(model.param_cov):
            draws = rng.multivariate_normal(
                np.zeros(len(model.param_cov)), model.param_cov, n_paths, method="eigh"
            )
            shift = draws @ self._param_jacobian(trend, t).T
        if trend.province == NATIONAL:
            return self._pct(z + shift)
        off = _offset_moments(model, self.saturation.inputs[trend.province], t)
        state = rng.multivariate_normal(
            off["state_mean"][0], off["state_cov"][0], size=n_paths, method="eigh"
        )
        u, delta, beta = state[:, 0], state[:, 1], state[:, 2]
        paths = np.empty((n_paths, len(t)))
        paths[:, 0] = u
        for k in range(1, len(t)):
            b, q = _transition(t[k] - t[k - 1], model.kappa_d, model.s2_d)
            u = u * b + math.sqrt(q) * rng.standard_normal(n_paths)
            paths[:, k] = u
        # the province's share of the nation's shortfall follows each national path
        offset = paths + delta[:, None] + beta[:, None] * (model.level - z)
        return self._pct(z + offset + self._adjustment(t, off["var"])[None, :] + shift)

    def nowcast(
        self,
        as_of: str | pd.Timestamp | None = None,
        *,
        level: int = 80,
        provinces: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Where coverage of each place stands on a date, with an interval.

        The estimate of the latent coverage (not of one more published
        figure) given every figure of the place, the national series and, for
        ``saturation``, the UHC status reports (smoothed: figures after
        ``as_of`` count too).

        Parameters
        ----------
        as_of : date, optional
            The date (default: the latest figure of the panel).
        level : int
            Central interval level in percent (default 80).
        provinces : sequence of str, optional
            Places (default every fitted place).

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` (percent) plus
            ``basis``, ``last_date`` and ``last_pct`` (the latest published
            figure behind the estimate, NaT/NaN when none). Stable
            signature: ``nowcast(as_of=None, *, level=80, provinces=None)``.

        Examples
        --------
        >>> import perjaka_analysis as pa
        >>> res = CoverageTrendModel(pa.load_coverage()).fit()
        >>> now = res.nowcast("2024-12-31", provinces=["INDONESIA"])
        >>> bool(now["lower"].iloc[0] < now["mean"].iloc[0] < now["upper"].iloc[0])
        True
        """
        as_of = self.data_end if as_of is None else pd.Timestamp(as_of)
        names = [self.trend(p).province for p in provinces] if provinces else list(self.trends)
        frames = []
        for name in names:
            trend = self.trends[name]
            frame = self.predict(name, [as_of], levels=(level,), observation=False)
            frame["basis"] = trend.basis
            frame["last_date"] = trend.last_date if trend.last_date is not None else pd.NaT
            frame["last_pct"] = trend.last_pct if trend.last_pct is not None else np.nan
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True)
        out["last_date"] = pd.to_datetime(out["last_date"])
        return out

    def history(self, province: str) -> pd.DataFrame:
        """The fitted latent trend of a place from the first figure of the panel (or
        the day the province was established, if later: no trend before a
        province existed) to its last figure (or the panel's end), quarterly.

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean`` (percent); empty when the span is shorter
            than a quarter.
        """
        trend = self.trend(province)
        end = trend.last_date or self.data_end
        start = pd.Timestamp(self.panel["date"].min())
        table = province_table().set_index("province")
        if trend.province in table.index and pd.notna(table.loc[trend.province, "established"]):
            start = max(start, pd.Timestamp(table.loc[trend.province, "established"]))
        dates = pd.date_range(start, end, freq="QE")
        if len(dates) == 0:
            return pd.DataFrame(columns=["province", "date", "mean"])
        frame = self.predict(trend.province, dates, levels=(80,), observation=False)
        return frame[["province", "date", "mean"]]

    # -- reporting --------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per place: data behind the trend, level now and yearly change.

        Returns
        -------
        pandas.DataFrame
            ``province, basis, n_points, last_date, last_pct, level_pct``
            (trend at the latest panel date), ``change_pp_per_year`` (over the
            year before the latest panel date) and ``method``. The pooled
            model's estimates are in ``.attrs["pooled"]``.
        """
        end = self.data_end
        rows = []
        for name, trend in self.trends.items():
            now = self.predict(name, [end - pd.DateOffset(years=1), end], levels=(80,))
            rows.append(
                {
                    "province": name,
                    "basis": trend.basis,
                    "n_points": trend.n_points,
                    "last_date": trend.last_date,
                    "last_pct": trend.last_pct,
                    "level_pct": float(now["mean"].iloc[1]),
                    "change_pp_per_year": float(now["mean"].iloc[1] - now["mean"].iloc[0]),
                    "method": self.method,
                }
            )
        out = pd.DataFrame(rows)
        out.attrs["pooled"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.pooled.items()
        }
        return out

    def __repr__(self) -> str:
        if self.saturation is not None:
            p = self.pooled
            n_own = sum(t.basis == "own data" for t in self.trends.values())
            return (
                f"TrendResults(method='saturation', measure={self.measure!r}, "
                f"places={len(self.trends)}, with own data={n_own}, "
                f"national long-run level={p['long_run_level_pct']:.2f}%, "
                f"province noise sd={math.sqrt(p['sigma2']):.2f} pp, "
                f"converged={self.converged})"
            )
        fe = self.pooled.get("fixed_effects", np.zeros(2))
        n_own = sum(t.basis == "own data" for t in self.trends.values())
        return (
            f"TrendResults(method={self.method!r}, measure={self.measure!r}, "
            f"ceiling={self.ceiling:g}%, places={len(self.trends)}, with own data={n_own}, "
            f"pooled slope={fe[1]:.3f} logit/yr, obs sd={math.sqrt(self.pooled['sigma2']):.3f}, "
            f"random walk sd/yr={math.sqrt(self.pooled['q']):.3f})"
        )

    def plot(
        self,
        province: str,
        *,
        until: str | pd.Timestamp | None = None,
        targets: Sequence[float] = (95.0, 98.0),
        ax=None,
    ):
        """Fan chart: observations, fitted trend, 80% and 95% intervals, target lines.

        Parameters
        ----------
        province : str
            Official name or alias.
        until : date, optional
            End of the forecast (default three years after the latest figure).
        targets : sequence of float
            Target lines in percent.
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        trend = self.trend(province)
        until = pd.Timestamp(until) if until is not None else self.data_end + pd.DateOffset(years=3)
        history = self.history(trend.province)
        future = self.forecast(until, provinces=[trend.province])
        obs = self.panel[self.panel["territory"] == trend.group]
        return plot_fan(
            trend.province,
            observed=obs,
            history=history,
            forecast=future,
            targets=targets,
            basis=trend.basis,
            ax=ax,
        )
