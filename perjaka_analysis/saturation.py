"""The saturation model: each province as the national path plus an offset.

Coverage in the saturation years plateaus between ~92% and 100% and falls
back after cleansing. The model works on the ceiling-aware scale
``z = -log(C - y)`` (``C`` = :data:`CEILING`, 102%: a few published province
figures exceed 100% through their denominators), so that a point of
coverage is worth more the closer it is to the ceiling, forecasts and
intervals stay below it, and a province's offset from the nation shrinks
in percentage points as the nation saturates (as in the UN family-planning
estimation model, FPEM). Every figure is described as::

    y = C - exp(-(n(t) + d_p(t))) + e

* ``n(t)``, the national level on the model scale, reverts at rate
  ``kappa`` per year towards a long-run level ``L`` (estimated, at most
  100%: the nation cannot register more people than it has) with level
  variance ``s2`` per year (an Ornstein-Uhlenbeck process), and drifts
  towards the national target in force (:data:`NATIONAL_TARGETS`: 98% by
  2024, then 98.6% by 2029) at ``rho / max(years to its deadline, 1)`` per
  year (:class:`TargetPull`): the pace that would meet the target on time,
  times a response ``rho`` (prior :data:`RHO_PRIOR`). A fit uses only the
  targets whose plan had begun by its latest figure;
* ``d_p(t) = beta_p * (L - n(t)) + u_p(t)``, the province's offset: a share
  ``beta_p ~ N(0, omega2)`` of the nation's remaining shortfall and an
  Ornstein-Uhlenbeck deviation ``u_p`` that reverts to the nation slowly
  (rate ``kappa_d``, a half-life of years: prior
  :data:`OFFSET_HALF_LIFE_PRIOR`) with variance ``s2_d`` per year. There is
  no long-run offset of a province's own (``delta`` is held at 0): the
  province figures in the news are a selection (published when a province
  reaches UHC), and an offset learned from them would lift every province;
* ``e`` the noise of one figure in percentage points: ``sigma2_nat`` for the
  official national count; for a province figure ``sigma2``
  (:data:`PROVINCE_NOISE_SD`, 1.0 pp: within the 1.0-1.5 pp by which two
  sources about the same date disagree, the value the backtest supports),
  with heavy tails (a scale mixture,
  :data:`NOISE_MIXTURE`) and jumps of the offset for data cleansing
  (:data:`JUMP`), so that the latest figure carries most of the weight at
  its date and one stray figure does not move the trend.

The national parameters are estimated by maximum a posteriori on the
national series, with a prior on the reversion rate (:data:`KAPPA_PRIOR`)
and on the long-run level ``L ~ N(99, 1)`` (percent) truncated at 100%:
membership is compulsory for every resident (Perpres 82/2018), the targets
are 98% (RPJMN 2020-2024) and 98.6% (RPJMN 2025-2029), so the nation
settles close to, and never above, full registration. The offset
parameters are estimated by maximum a posteriori on the province figures
beside the national path (Kalman filters at irregular dates, written here,
linearised at each figure by an iterated extended Kalman step and
moment-matched over the mixture; see :func:`kalman_2state`,
:func:`kalman_offset` and :func:`_observe`). UHC status reports ("above/below
X% on date d") enter the filter as censored observations (a moment-matched
probit update on the model scale).
Forecasts start from each place's latest filtered state and widen with the
horizon on the model scale; the uncertainty of the national parameters
(their Laplace covariance, :attr:`SaturationFit.param_cov`) is added to the
national level by the delta method. Province medians are reconciled to the
nation: at every date the population-weighted province medians in percent
equal the national median, the gap shared out in proportion to each
province's uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from .saturation_filter import (
    _TINY,
    CEILING,
    Events,
    TargetPull,
    _same_date_spread,
    _scale_noise,
    _unsort,
    from_scale,
    kalman_2state,
    kalman_offset,
    kalman_offset_many,
    level_step,
    make_events,
    pad_series,
    to_scale,
)

__all__ = [
    "CEILING",
    "SaturationFit",
    "fit_saturation",
    "from_scale",
    "kalman_2state",
    "kalman_offset",
    "laplace_cov",
    "to_scale",
]

_DIFFUSE = 1.0e4  # prior variance (pp^2) of the national level at its first figure
#: Prior of the national long-run level (mean, sd; percent): see the module notes.
LEVEL_PRIOR = (99.0, 1.0)
#: Prior of the national reversion rate (median per year, sd of its log): the
#: level closes most of its gap within a decade (0.3/yr: 95% in 10 years),
#: otherwise a flat stretch of figures is read as a slow approach to any level.
KAPPA_PRIOR = (0.3, 0.5)
#: Difference steps of the national parameters (level in pp; logs of the rate and
#: of the variances; the response to the target in force) for their curvature and
#: for the forecast's derivatives.
_STEPS = (1e-2, 1e-3, 1e-3, 1e-3, 1e-3)
#: National registration targets of the medium-term development plans (RPJMN; rows
#: of ``data/raw/targets.csv``): (first day in force, deadline, percent), days in
#: years since 2020-01-01 (:data:`perjaka_analysis.trend.T_REF`). RPJMN 2015-2019:
#: 95% by 2019; Perpres 18/2020 (RPJMN 2020-2024): 98% by 2024; Perpres 12/2025
#: (RPJMN 2025-2029): 98.6% by 2029.
NATIONAL_TARGETS = ((-5.0, 0.0, 95.0), (0.0, 5.0, 98.0), (5.0, 10.0, 98.6))
#: Upper bound of the response ``rho`` (1: the pace that meets the target on time).
RHO_MAX = 2.0
#: Prior of the response (mean, sd), set on the backtest of the saturation years
#: (all origins, all provinces): the national figures before 2023 alone cannot
#: estimate it (the 2019 target of 95% was missed by 11 pp, and 2019-2021 were the
#: years of the PBI cleansing), and without it the forecasts of 2023 missed the
#: 2023-2024 rise to 98% (bias -3.1 pp at one to two years).
RHO_PRIOR = (0.8, 0.1)
#: The noise of one province figure is a scale mixture of normals (heavy tails):
#: (probability, variance multiplier) of an ordinary figure and of a stray one
#: (a different denominator, a district total read as the province's).
NOISE_MIXTURE = ((0.85, 1.0), (0.15, 9.0))
#: Data cleansing: with this probability a figure follows a jump of the offset,
#: of this variance on the model scale (1.0: about 4 pp at 98%, 10 pp at 90%).
JUMP = (0.05, 1.0)
#: Noise of one province figure, pp (sd of the core of :data:`NOISE_MIXTURE`). Sources
#: about (nearly) the same date disagree by 1.0-1.5 pp and more; within that range the
#: saturation-years backtest supports 1.0 (``benchmarks/forecast_backtest.py
#: --noise-grid``, table in docs/models.md): the same MAE at 1.0, 1.25 and 1.5 pp
#: (1.74 pp), 80% intervals 6.2 / 6.5 / 7.0 pp wide holding 84% / 84% / 86% of the later
#: figures, and the latest figure counting more.
PROVINCE_NOISE_SD = 1.0
#: Prior of the offsets' reversion rate: median half-life 5 years, sd of its log.
OFFSET_HALF_LIFE_PRIOR = (5.0, 0.5)


@dataclass
class SaturationFit:
    """Estimated parameters of the saturation model (model scale ``-log(C - y)``, years).

    Attributes
    ----------
    level, kappa, s2, sigma2_nat
        National long-run level (model scale; :attr:`level_pct` in percent),
        reversion rate per year, level variance per year (model scale) and
        noise of a national figure (pp^2).
    rho, targets
        The national level's response to the target in force
        (:class:`TargetPull`) and the targets known to the fit
        (``(first day in force, deadline, level on the model scale)``).
    kappa_d, s2_d, sigma2, tau2, delta_bar, omega2
        Province offsets: reversion rate and variance per year of the
        deviation ``u`` (model scale), noise of a province figure (pp^2),
        spread of long-run offsets and their mean (held at 0: no long-run
        offset), spread of the shares of the national shortfall (whose mean
        is 0).
    ceiling, mixture
        The ceiling ``C`` of the scale (percent) and the components
        ``(probability, noise multiplier, jump variance)`` of a province
        figure's noise.
    floors : dict
        Lower bounds used for the variances and where they come from.
    converged : bool
    notes : list of str
    param_cov : ndarray, shape (5, 5)
        Uncertainty of the national parameters ``(level, log kappa, log s2,
        log sigma2_nat, rho)``: the inverse Hessian of their negative log
        posterior at the estimate (Laplace), zero for a parameter at a bound.
        Forecasts add it to the national level's variance by the delta
        method (:meth:`national_param_var`) and simulated paths draw it
        (:meth:`national_param_jacobian`).
    """

    level: float
    kappa: float
    s2: float
    sigma2_nat: float
    kappa_d: float
    s2_d: float
    sigma2: float
    tau2: float
    delta_bar: float
    omega2: float = 0.0
    floors: dict = field(default_factory=dict)
    converged: bool = True
    notes: list = field(default_factory=list)
    national_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    national_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    param_cov: np.ndarray = field(default_factory=lambda: np.zeros((5, 5)))
    ceiling: float = CEILING
    mixture: tuple = ((1.0, 1.0, 0.0),)
    rho: float = 0.0
    targets: tuple = ()

    @property
    def level_pct(self) -> float:
        """The national long-run level in percent."""
        return float(from_scale(self.level, self.ceiling))

    # -- national --------------------------------------------------------------------------
    def pull(self, rho: float | None = None) -> TargetPull | None:
        """The pull towards the targets in force (None without targets)."""
        rho = self.rho if rho is None else rho
        return TargetPull(self.targets, rho) if self.targets else None

    def national_step(self, t0: float, t1: float) -> tuple[float, float]:
        """Decay factor and added variance of the national level's deviation from its
        mean between ``t0`` and ``t1`` (years)."""
        b, _, _, q = level_step(t0, t1, self.kappa, self.s2, self.pull())
        return b, q

    def national_prior(
        self, level: float | None = None
    ) -> tuple[tuple[float, float], tuple[float, float, float]]:
        """Prior of ``[level, long-run level]`` at the first national figure."""
        level = self.level if level is None else level
        y0 = float(to_scale(self.national_y[0], self.ceiling)) if len(self.national_y) else level
        return (y0, level), (_DIFFUSE, 0.0, _TINY)

    def national(self, t_query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smoothed mean and variance of the national level at ``t_query``."""
        t_query = np.asarray(t_query, float)
        key = (t_query.shape, t_query.tobytes())
        cache = self.__dict__.setdefault("_national_cache", {})
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = self._national_at(
                t_query, self.level, self.kappa, self.s2, self.sigma2_nat, self.rho
            )
        return cache[key]

    def _national_at(
        self,
        t_query: np.ndarray,
        level: float,
        kappa: float,
        s2: float,
        noise: float,
        rho: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Smoothed mean and variance of the national level under the given parameters."""
        ev = make_events(
            self.national_t,
            self.national_y,
            np.full(len(self.national_t), noise),
            t_query=np.asarray(t_query, float),
        )
        m0, p0 = self.national_prior(level)
        res = kalman_2state(ev, kappa, s2, m0, p0, ceiling=self.ceiling, pull=self.pull(rho))
        q = ev.kind == 2
        return _unsort(ev, q, res["mean"], t_query), _unsort(ev, q, res["var"], t_query)

    def national_mean_under(self, theta: np.ndarray, t_query: np.ndarray) -> np.ndarray:
        """National mean at ``t_query`` under other national parameters.

        Parameters
        ----------
        theta : numpy.ndarray
            ``(level, log kappa, log s2, log sigma2_nat, rho)``.
        t_query : numpy.ndarray
            Years.

        Returns
        -------
        numpy.ndarray
            The smoothed national mean (model scale) at ``t_query``.
        """
        level, log_kappa, log_s2, log_noise, rho = theta
        return self._national_at(
            t_query, level, math.exp(log_kappa), math.exp(log_s2), math.exp(log_noise), rho
        )[0]

    def national_param_jacobian(self, t_query: np.ndarray) -> np.ndarray:
        """Derivatives of the national mean at ``t_query`` with respect to the national
        parameters ``(level, log kappa, log s2, log sigma2_nat, rho)``, shape (n, 5).

        Central differences on a monthly grid from a year before the first
        national figure to 40 years after the last, interpolated (constant
        beyond it); zero columns for parameters held at a bound.
        """
        t_query = np.asarray(t_query, float).ravel()
        grid, jac = self._jacobian_grid()
        return np.column_stack([np.interp(t_query, grid, jac[:, j]) for j in range(jac.shape[1])])

    def _jacobian_grid(self) -> tuple[np.ndarray, np.ndarray]:
        if "_jacobian" not in self.__dict__:
            t_n = self.national_t
            start = float(t_n.min()) - 1.0 if len(t_n) else 0.0
            end = float(t_n.max()) + 40.0 if len(t_n) else 40.0
            grid = np.arange(start, end + 1.0 / 24, 1.0 / 12)
            theta = np.array(
                [
                    self.level,
                    math.log(self.kappa),
                    math.log(self.s2),
                    math.log(self.sigma2_nat),
                    self.rho,
                ]
            )
            jac = np.zeros((len(grid), len(theta)))
            for j in np.flatnonzero(np.diag(self.param_cov) > 0):
                h = _STEPS[j]
                up, down = theta.copy(), theta.copy()
                up[j] += h
                down[j] -= h
                jac[:, j] = (
                    self.national_mean_under(up, grid) - self.national_mean_under(down, grid)
                ) / (2 * h)
            self.__dict__["_jacobian"] = (grid, jac)
        return self.__dict__["_jacobian"]

    def param_var(self, jac: np.ndarray) -> np.ndarray:
        """Variance the parameters' uncertainty adds to a mean with derivatives ``jac``
        (n x 5): the delta method, ``J param_cov J^T`` row by row."""
        return np.maximum(np.einsum("ij,jk,ik->i", jac, self.param_cov, jac), 0.0)

    def national_param_var(self, t_query: np.ndarray) -> np.ndarray:
        """Variance the parameters' uncertainty adds to the national mean at ``t_query``.

        :meth:`param_var` of :meth:`national_param_jacobian`. Small where the
        figures pin the level down, larger far from them (the reversion rate
        and the long-run level decide where the nation goes).
        """
        return self.param_var(self.national_param_jacobian(t_query))

    # -- offsets ---------------------------------------------------------------------------
    def shortfall(self, t: np.ndarray) -> np.ndarray:
        """The nation's expected shortfall from its long-run level at ``t`` (pp)."""
        return self.level - self.national(np.asarray(t, float))[0]

    def offset_prior(self) -> tuple[np.ndarray, np.ndarray]:
        """Prior mean and covariance of ``[u, delta, beta]`` at a province's first event."""
        v0 = self.s2_d / (2 * self.kappa_d)
        return (
            np.array([0.0, self.delta_bar, 0.0]),
            np.diag([v0, self.tau2, self.omega2 + _TINY]),
        )

    def offset_events(
        self,
        t_obs: np.ndarray,
        y_obs: np.ndarray,
        status: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
        t_query: np.ndarray | None,
    ) -> Events:
        """Events of one province's offset: its figures (percent, noise ``sigma2``) and
        its status reports (threshold on the model scale, with its noise there)."""
        kw = {}
        if status is not None and len(status[0]):
            threshold = np.asarray(status[1], float)
            kw = {
                "t_cens": status[0],
                "y_cens": to_scale(threshold, self.ceiling),
                "r_cens": _scale_noise(self.sigma2, threshold, self.ceiling),
                "above": status[2],
            }
        t_obs = np.asarray(t_obs, float)
        return make_events(
            t_obs,
            np.asarray(y_obs, float),
            np.full(len(t_obs), self.sigma2),
            t_query=t_query,
            **kw,
        )

    def offset(self, ev: Events, t_query: np.ndarray) -> dict:
        """Smoothed offset at the query times of ``ev`` (which must hold ``t_query``)."""
        m0, p0 = self.offset_prior()
        res = kalman_offset(
            ev,
            self.shortfall(ev.t),
            self.kappa_d,
            self.s2_d,
            m0,
            p0,
            national=self.national(ev.t),
            ceiling=self.ceiling,
            mixture=self.mixture,
        )
        q = ev.kind == 2
        return {
            "mean": _unsort(ev, q, res["mean"], t_query),
            "var": _unsort(ev, q, res["var"], t_query),
            "state_mean": res["state_mean"][q],
            "state_cov": res["state_cov"][q],
            "t": ev.t[q],
        }


def laplace_cov(fun, theta: np.ndarray, bounds: list, steps: tuple) -> np.ndarray:
    """Laplace covariance of the parameters at the minimum ``theta`` of ``fun`` (a
    negative log posterior): the inverse of its Hessian.

    Central differences with ``steps``, over the coordinates away from their
    bounds (a parameter held at a bound has no curvature to read; its row
    and column are zero). A parameter is known to lie within its bounds, so
    no variance exceeds that of a uniform distribution over them,
    ``(hi - lo)^2 / 12``: the Hessian is added the curvature of that weak
    prior, and a flat or negative direction gets that variance, never an
    unbounded one or none. A posterior that is not finite around its minimum
    gives no reading (zeros).

    Parameters
    ----------
    fun : callable
        The negative log posterior of a parameter vector.
    theta : numpy.ndarray
        Its minimum.
    bounds : list of (low, high)
        Each parameter's bounds.
    steps : tuple of float
        Each parameter's difference step.

    Returns
    -------
    numpy.ndarray
        The (n x n) covariance.
    """
    n = len(theta)
    free = [j for j, (lo, hi) in enumerate(bounds) if lo + steps[j] < theta[j] < hi - steps[j]]
    out = np.zeros((n, n))
    if not free:
        return out

    def at(shift: dict) -> float:
        x = np.array(theta, float)
        for j, d in shift.items():
            x[j] += d
        return float(fun(x))

    f0 = at({})
    hess = np.empty((len(free), len(free)))
    for a, i in enumerate(free):
        hi_ = steps[i]
        hess[a, a] = (at({i: hi_}) - 2 * f0 + at({i: -hi_})) / (hi_ * hi_)
        for b in range(a):
            j = free[b]
            hj = steps[j]
            hess[a, b] = hess[b, a] = (
                at({i: hi_, j: hj})
                - at({i: hi_, j: -hj})
                - at({i: -hi_, j: hj})
                + at({i: -hi_, j: -hj})
            ) / (4 * hi_ * hj)
    if not np.all(np.isfinite(hess)):  # the posterior is not smooth here: no reading
        return out
    widest = np.array([(bounds[j][1] - bounds[j][0]) ** 2 / 12.0 for j in free])
    w, v = np.linalg.eigh(hess + np.diag(1.0 / widest))
    w = np.maximum(w, 1.0 / widest.max())
    cov = (v / w) @ v.T
    # each variance at most its uniform-over-bounds value (correlations kept)
    scale = np.sqrt(np.minimum(1.0, widest / np.diag(cov)))
    out[np.ix_(free, free)] = cov * scale[:, None] * scale[None, :]
    return out


def _minimize(fun, x0, bounds, notes: list, label: str) -> tuple[np.ndarray, bool]:
    """L-BFGS-B, then Powell, then Nelder-Mead from ``x0``; the first that converges."""
    best = None
    for method in ("L-BFGS-B", "Powell", "Nelder-Mead"):
        opts = {"maxiter": 4000} if method != "L-BFGS-B" else {"maxiter": 500}
        res = optimize.minimize(fun, x0, method=method, bounds=bounds, options=opts)
        if np.all(np.isfinite(res.x)) and (best is None or res.fun < best.fun):
            best = res
        if res.success and np.isfinite(res.fun):
            return res.x, True
        notes.append(f"{label}, {method}: {res.message}")
    return best.x, False


def _spread_growth(series: list[tuple[np.ndarray, ...]], upper: float = 0.25) -> float:
    """How fast the spread of offsets grows with the nation's shortfall (pp^2 per pp^2).

    The least-squares slope of squared centred offsets on the squared
    shortfall, ``E[(d - mean)^2] = a + omega2 * s^2``: the variance of the
    shares ``beta_p`` when offsets are ``delta_p + beta_p * s``. A moment
    estimate from the cross-section, because the likelihood of a few
    figures per province cannot tell a share of the shortfall from a
    wandering deviation ``u``; the likelihood starts from it. At least 0.01
    (sd 0.1), at most 0.25.
    """
    lower = min(0.01, upper / 4)
    if not series:
        return lower
    d = np.concatenate([x[1] for x in series])
    s = np.concatenate([x[3] for x in series])
    if len(d) < 5 or np.ptp(s) < 1e-3:
        return lower
    x = np.column_stack([np.ones(len(s)), s * s])
    coef, *_ = np.linalg.lstsq(x, (d - d.mean()) ** 2, rcond=None)
    return float(np.clip(coef[1], lower, upper))


def fit_saturation(
    national: tuple[np.ndarray, np.ndarray],
    provinces: list[tuple[np.ndarray, np.ndarray]],
    *,
    level_max: float = 100.0,
    level_prior: tuple[float, float] | None = LEVEL_PRIOR,
    kappa_prior: tuple[float, float] | None = KAPPA_PRIOR,
    ceiling: float = CEILING,
    targets: tuple | None = None,
    rho_prior: tuple[float, float] | None = RHO_PRIOR,
) -> SaturationFit:
    """Estimate the saturation model's parameters.

    Parameters
    ----------
    national : (t, y)
        The national series (years, percent), sorted by time.
    provinces : list of (t, y)
        Each territory's figures, sorted by time.
    level_max : float
        Upper bound of the national long-run level (percent).
    level_prior : (mean, sd), optional
        Normal prior of the national long-run level (percent); None: none.
    kappa_prior : (median, sd of log), optional
        Log-normal prior of the national reversion rate per year; None: none.
    ceiling : float
        Upper end of the model scale (percent, above ``level_max``).
    targets : tuple of (first day in force, deadline, percent), optional
        National targets (years, as the figures' times; None:
        :data:`NATIONAL_TARGETS`, empty: none). Only those in force by the
        latest figure are used: a fit never knows a plan that began after
        its data. The response to them (``rho``) is estimated with the other
        national parameters, with the prior ``rho_prior`` (mean, sd).

    Returns
    -------
    SaturationFit
    """
    notes: list[str] = []
    t_n, y_n = (np.asarray(a, float) for a in national)
    t_end = max([float(t_n.max())] + [float(np.max(t)) for t, _ in provinces if len(t)])
    known = tuple(
        (float(a), float(b), float(to_scale(v, ceiling)))
        for a, b, v in sorted(NATIONAL_TARGETS if targets is None else targets)
        if a <= t_end
    )
    # the disagreement of two sources about (nearly) the same date, kept as a diagnostic
    spread = _same_date_spread([*provinces, (t_n, y_n)])
    # noise of one province figure (the core of the mixture); heavy tails and jumps do the rest
    sigma2 = PROVINCE_NOISE_SD**2
    # a national count is published to two decimals from one register: (0.1 pp)^2
    sigma2_nat_floor = 0.01
    # the level moves by at least 0.5 pp a year (sd) at 98%: coverage of an enrolment
    # programme is never frozen (cleansing, denominators, budget years)
    s2_floor = 0.25 / (ceiling - 98.0) ** 2
    floors = {
        "sigma2": sigma2,
        "sigma2_nat": sigma2_nat_floor,
        "s2": s2_floor,
        "same_date_spread": spread,
    }
    z_n = to_scale(y_n, ceiling)

    def nat_nll(theta: np.ndarray) -> float:
        level, lk, ls2, lsn, rho = theta
        ev = make_events(t_n, y_n, np.full(len(t_n), math.exp(lsn)))
        res = kalman_2state(
            ev,
            math.exp(lk),
            math.exp(ls2),
            (float(z_n[0]), level),
            (_DIFFUSE, 0.0, _TINY),
            smooth=False,
            ceiling=ceiling,
            pull=TargetPull(known, rho) if known else None,
        )
        # the first figure only sets the diffuse start
        s0 = (ceiling - min(float(y_n[0]), ceiling - 0.5)) ** 2 * _DIFFUSE + math.exp(lsn)
        pen = 0.0
        if level_prior is not None:
            pen += (
                0.5 * ((float(from_scale(level, ceiling)) - level_prior[0]) / level_prior[1]) ** 2
            )
        if kappa_prior is not None:
            pen += 0.5 * ((lk - math.log(kappa_prior[0])) / kappa_prior[1]) ** 2
        if known and rho_prior is not None:
            pen += 0.5 * ((rho - rho_prior[0]) / rho_prior[1]) ** 2
        return -(res["loglik"] + 0.5 * math.log(2 * math.pi * s0)) + pen

    top = float(min(level_max, max(y_n.max(), 50.0)))
    z_max = float(to_scale(level_max, ceiling))
    x0 = np.array(
        [
            float(to_scale(min(top + 0.5, level_max), ceiling)),
            math.log(0.3),
            math.log(max(s2_floor, 0.05)),
            math.log(0.25),
            0.5 if known else 0.0,
        ]
    )
    bounds = [
        (float(to_scale(min(y_n.min(), level_max - 1), ceiling)), z_max),
        (math.log(0.02), math.log(5.0)),
        (math.log(s2_floor), math.log(5.0)),
        (math.log(sigma2_nat_floor), math.log(25.0)),
        (0.0, RHO_MAX if known else 0.0),
    ]
    x0[0] = min(max(x0[0], bounds[0][0]), z_max)
    theta_n, ok_n = _minimize(nat_nll, x0, bounds, notes, "national level")
    param_cov = laplace_cov(nat_nll, theta_n, bounds, _STEPS)
    level, kappa, s2, sigma2_nat, rho = (
        float(theta_n[0]),
        math.exp(theta_n[1]),
        math.exp(theta_n[2]),
        math.exp(theta_n[3]),
        float(theta_n[4]),
    )
    p_jump, v_jump = JUMP
    mixture = (
        *((prob * (1 - p_jump), mult, 0.0) for prob, mult in NOISE_MIXTURE),
        (p_jump, 1.0, v_jump),
    )
    fit = SaturationFit(
        level,
        kappa,
        s2,
        sigma2_nat,
        kappa_d=1.0,
        s2_d=1.0,
        sigma2=sigma2,
        tau2=_TINY,
        delta_bar=0.0,
        floors=floors,
        notes=notes,
        national_t=t_n,
        national_y=y_n,
        param_cov=param_cov,
        ceiling=ceiling,
        mixture=mixture,
        rho=rho,
        targets=known,
    )
    # offsets: each territory's figures beside the smoothed national level
    series, moments = [], []
    for t, y in provinces:
        t = np.asarray(t, float)
        m, v = fit.national(t)
        y = np.asarray(y, float)
        series.append((t, y, v, level - m, m))
        moments.append((t, to_scale(y, ceiling) - m, v, level - m))
    padded = pad_series(series, width=5)
    half_life, sd_log = OFFSET_HALF_LIFE_PRIOR
    log_kappa_d = math.log(math.log(2.0) / half_life)

    # no long-run offset of its own (delta = 0): provinces in the news are a
    # selection (they are published when they reach UHC), so a mean offset
    # learned from them would lift every province
    def off_nll(theta: np.ndarray) -> float:
        lk, ls2, lom = theta
        pen = 0.5 * ((lk - log_kappa_d) / sd_log) ** 2
        return pen - kalman_offset_many(
            padded,
            math.exp(lk),
            math.exp(ls2),
            sigma2,
            _TINY,
            0.0,
            math.exp(lom),
            ceiling=ceiling,
            mixture=mixture,
        )

    omega2 = _spread_growth(moments, upper=0.25)
    x0 = np.array([log_kappa_d, math.log(0.02), math.log(omega2)])
    bounds = [
        (math.log(0.02), math.log(5.0)),
        (math.log(1e-4), math.log(5.0)),
        (math.log(1e-4), math.log(0.25)),
    ]
    theta_d, ok_d = _minimize(off_nll, x0, bounds, notes, "province offsets")
    fit.kappa_d, fit.s2_d, fit.omega2 = (math.exp(v) for v in theta_d)
    fit.converged = bool(ok_n and ok_d)
    return fit
