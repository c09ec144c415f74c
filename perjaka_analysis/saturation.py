"""The saturation model: each province as the national path plus an offset.

Coverage in the saturation years plateaus between ~92% and 100% and falls
back after cleansing, so the model works in percentage points and describes
every figure as::

    y = n(t) + d_p(t) + e

* ``n(t)``, the national level, reverts at rate ``kappa`` per year towards a
  long-run level ``L`` (estimated, at most 100%: the nation cannot register
  more people than it has) with level variance ``s2`` per year
  (an Ornstein-Uhlenbeck process; in the growth years it is the saturating
  curve, in the saturation years a plateau that moves);
* ``d_p(t) = delta_p + beta_p * (L - n(t)) + u_p(t)``, the province's
  offset from the nation: a long-run offset ``delta_p`` (where the province
  settles once the nation has), a share ``beta_p`` of the nation's remaining
  shortfall (in the growth years provinces ahead of the nation are ahead by
  more, and laggards catch up as the nation saturates: on the shipped
  figures the spread of offsets is about 11 pp while the nation is 15-30 pp
  short and about 3 pp within 3 pp of its level), and ``u_p`` an
  Ornstein-Uhlenbeck deviation (rate ``kappa_d``, variance ``s2_d`` per
  year). ``delta_p ~ N(delta_bar, tau2)`` and ``beta_p ~ N(0, omega2)``
  are the pooled prior: a province with few figures borrows from the
  others (``beta_bar = 0``: the nation is its provinces' weighted mean, so
  on average a province holds no share of the shortfall);
* ``e`` the noise of one figure: ``sigma2_nat`` for the official national
  count, ``sigma2`` for a province figure quoted in the news.

The national parameters are estimated by maximum a posteriori on the
national series, with a prior on the reversion rate (:data:`KAPPA_PRIOR`)
and on the long-run level ``L ~ N(99, 1)``
truncated at 100%: membership is compulsory for every resident (Perpres
82/2018), the targets are 98% (RPJMN 2020-2024) and 98.6% (RPJMN
2025-2029), so the nation settles close to, and never above, full
registration; without it a short national series (two figures in 2018, a
plateau in 2020-2021) puts ``L`` at its latest figure. The offset
parameters are estimated by maximum likelihood on the province figures less
the national path (Kalman filters at irregular dates, written here; see
:func:`kalman_2state` and :func:`kalman_offset`). UHC status reports
("above/below X% on date d") enter the filter as censored observations (a
moment-matched probit update).
Forecasts start from each place's latest filtered state and widen with the
horizon; the uncertainty of the national parameters (their Laplace
covariance, :attr:`SaturationFit.param_cov`) is added to the national level
by the delta method. Province means are reconciled to the nation: at every date the
population-weighted offsets sum to zero, the gap shared out in proportion to
each province's uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

__all__ = ["SaturationFit", "fit_saturation", "kalman_2state", "kalman_offset"]

_DIFFUSE = 1.0e4  # prior variance (pp^2) of the national level at its first figure
_TINY = 1.0e-10
#: Prior of the national long-run level (mean, sd; percent): see the module notes.
LEVEL_PRIOR = (99.0, 1.0)
#: Prior of the national reversion rate (median per year, sd of its log): the
#: level closes most of its gap within a decade (0.3/yr: 95% in 10 years),
#: otherwise a flat stretch of figures is read as a slow approach to any level.
KAPPA_PRIOR = (0.3, 0.5)
#: Difference steps of the national parameters (level in pp; logs of the rate and
#: of the variances) for their curvature and for the forecast's derivatives.
_STEPS = (1e-2, 1e-3, 1e-3, 1e-3)


@dataclass(frozen=True)
class Events:
    """What the filter sees of one place, sorted by time.

    ``kind``: 0 a figure (value ``y``, noise variance ``r``), 1 a censored
    report (``y`` the threshold minus the known part, ``r`` the noise
    variance, ``above`` its side), 2 a query (no information).
    """

    t: np.ndarray
    kind: np.ndarray
    y: np.ndarray
    r: np.ndarray
    above: np.ndarray


def make_events(
    t_obs: np.ndarray,
    y_obs: np.ndarray,
    r_obs: np.ndarray,
    *,
    t_cens: np.ndarray | None = None,
    y_cens: np.ndarray | None = None,
    r_cens: np.ndarray | None = None,
    above: np.ndarray | None = None,
    t_query: np.ndarray | None = None,
) -> Events:
    """Merge figures, censored reports and query times into one sorted stream."""
    parts = [(np.asarray(t_obs, float), 0, y_obs, r_obs, np.zeros(len(t_obs), bool))]
    if t_cens is not None and len(t_cens):
        parts.append((np.asarray(t_cens, float), 1, y_cens, r_cens, np.asarray(above, bool)))
    if t_query is not None and len(t_query):
        n = len(t_query)
        parts.append((np.asarray(t_query, float), 2, np.zeros(n), np.zeros(n), np.zeros(n, bool)))
    t = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    y = np.concatenate([np.asarray(p[2], float) for p in parts])
    r = np.concatenate([np.asarray(p[3], float) for p in parts])
    ab = np.concatenate([p[4] for p in parts])
    order = np.lexsort((kind, t))  # queries after figures of the same date
    return Events(t[order], kind[order], y[order], r[order], ab[order])


def _censored(predicted: float, threshold: float, sd: float, above: bool) -> tuple[float, float]:
    """Moment-matched update by a report "above (or below) ``threshold``".

    ``predicted`` and ``sd`` are the report's predictive mean and sd. Returns
    the mean step per unit of the state's covariance with the report
    (``sign * lambda / sd``) and the variance shrink per unit squared
    (``lambda * (z + lambda) / sd^2``), the truncated-normal moments.
    """
    sign = 1.0 if above else -1.0
    z = sign * (predicted - threshold) / sd
    lam = math.exp(stats.norm.logpdf(z) - stats.norm.logcdf(z))
    return sign * lam / sd, lam * (z + lam) / (sd * sd)


def _transition(dt: float, kappa: float, s2: float) -> tuple[float, float]:
    """OU decay factor and added variance over ``dt`` years."""
    b = math.exp(-kappa * dt)
    return b, s2 * (1.0 - b * b) / (2.0 * kappa)


def kalman_2state(
    ev: Events,
    kappa: float,
    s2: float,
    m0: tuple[float, float],
    p0: tuple[float, float, float],
    *,
    smooth: bool = True,
) -> dict:
    """Kalman filter (and RTS smoother) of ``[level, long-run level]`` at irregular times.

    The level reverts at rate ``kappa`` towards the long-run level, with
    variance ``s2`` per year; the long-run level is constant. The prior
    ``N(m0, P0)`` (``p0 = (P_ll, P_lL, P_LL)``) holds at the first event.

    Returns
    -------
    dict
        ``loglik`` (of the figures; censored reports and queries add
        nothing) and, when ``smooth``, the smoothed ``mean`` and ``var`` of
        the level at every event.
    """
    n = len(ev.t)
    a, c = m0
    p11, p12, p22 = p0
    loglik = 0.0
    keep = smooth
    if keep:
        mp = np.empty((n, 2))
        pp = np.empty((n, 3))
        mf = np.empty((n, 2))
        pf = np.empty((n, 3))
        bs = np.empty(n)
    ts, kinds, ys, rs, aboves = (
        ev.t.tolist(),
        ev.kind.tolist(),
        ev.y.tolist(),
        ev.r.tolist(),
        ev.above.tolist(),
    )
    t_prev = ts[0] if n else 0.0
    for i in range(n):
        dt = ts[i] - t_prev
        t_prev = ts[i]
        b = 1.0
        if dt > 0:
            b, qv = _transition(dt, kappa, s2)
            # x' = b x + (1-b) L
            a = b * a + (1 - b) * c
            u = 1 - b
            n11 = b * b * p11 + 2 * b * u * p12 + u * u * p22 + qv
            n12 = b * p12 + u * p22
            p11, p12 = n11, n12
        if keep:
            bs[i] = b
            mp[i] = a, c
            pp[i] = p11, p12, p22
        kind = kinds[i]
        if kind == 0:
            s = p11 + rs[i]
            v = ys[i] - a
            loglik -= 0.5 * (math.log(2 * math.pi * s) + v * v / s)
            k1, k2 = p11 / s, p12 / s
            a += k1 * v
            c += k2 * v
            p11, p12, p22 = p11 - k1 * p11, p12 - k1 * p12, p22 - k2 * p12
        elif kind == 1:
            step, shrink = _censored(a, ys[i], math.sqrt(p11 + rs[i]), aboves[i])
            k1, k2 = p11, p12
            a += k1 * step
            c += k2 * step
            p11, p12, p22 = p11 - k1 * k1 * shrink, p12 - k1 * k2 * shrink, p22 - k2 * k2 * shrink
        if keep:
            mf[i] = a, c
            pf[i] = p11, p12, p22
    out = {"loglik": loglik}
    if not keep:
        return out
    ms = mf.copy()
    ps = pf.copy()
    for i in range(n - 2, -1, -1):
        b = bs[i + 1]
        u = 1 - b
        f11, f12, f22 = pf[i]
        q11, q12, q22 = pp[i + 1]
        q22 += _TINY
        q11 += _TINY
        det = q11 * q22 - q12 * q12
        i11, i12, i22 = q22 / det, -q12 / det, q11 / det
        # C = Pf F^T (F = [[b, u], [0, 1]])
        c11, c12 = b * f11 + u * f12, f12
        c21, c22 = b * f12 + u * f22, f22
        # J = C Pp^-1
        j11, j12 = c11 * i11 + c12 * i12, c11 * i12 + c12 * i22
        j21, j22 = c21 * i11 + c22 * i12, c21 * i12 + c22 * i22
        d1, d2 = ms[i + 1, 0] - mp[i + 1, 0], ms[i + 1, 1] - mp[i + 1, 1]
        ms[i, 0] = mf[i, 0] + j11 * d1 + j12 * d2
        ms[i, 1] = mf[i, 1] + j21 * d1 + j22 * d2
        e11 = ps[i + 1, 0] - pp[i + 1, 0]
        e12 = ps[i + 1, 1] - pp[i + 1, 1]
        e22 = ps[i + 1, 2] - pp[i + 1, 2]
        # J E J^T
        g11, g12 = j11 * e11 + j12 * e12, j11 * e12 + j12 * e22
        g21, g22 = j21 * e11 + j22 * e12, j21 * e12 + j22 * e22
        ps[i, 0] = f11 + g11 * j11 + g12 * j12
        ps[i, 1] = f12 + g11 * j21 + g12 * j22
        ps[i, 2] = f22 + g21 * j21 + g22 * j22
    out["mean"] = ms[:, 0]
    out["var"] = np.maximum(ps[:, 0], 0.0)
    out["state_mean"] = ms
    out["state_cov"] = ps
    return out


def _carry(m: np.ndarray, p: np.ndarray, b: np.ndarray, v0: float) -> tuple[np.ndarray, np.ndarray]:
    """States ``[u, delta, beta]`` (rows of ``m``, ``p``) carried forward without information.

    ``u`` decays by ``b`` (one factor per row) and gains ``v0 * (1 - b^2)``
    of variance (``v0`` its stationary variance); ``delta`` and ``beta``
    stay.
    """
    f = np.stack([b, np.ones_like(b), np.ones_like(b)], axis=1)
    p = p * f[:, :, None] * f[:, None, :]
    p[:, 0, 0] += v0 * (1 - b * b)
    return m * f, p


def kalman_offset(
    ev: Events,
    s: np.ndarray,
    kappa: float,
    s2: float,
    m0: np.ndarray,
    p0: np.ndarray,
) -> dict:
    """Kalman filter and RTS smoother of a province offset ``[u, delta, beta]``.

    The offset at time ``t`` is ``u + delta + beta * s(t)``: ``u`` reverts to
    zero at rate ``kappa`` with variance ``s2`` per year, ``delta`` and
    ``beta`` are constant, ``s`` (one value per event of ``ev``) is the
    nation's shortfall from its long-run level. The prior ``N(m0, p0)``
    (``u`` at its stationary distribution, so it holds at any date) holds at
    the first event.

    The filter and smoother run over the figures and reports only; a query
    (which carries no information) is then smoothed in one vectorised step
    between its neighbouring figures, which is what the smoother would give
    with the query in its chain.

    Returns
    -------
    dict
        ``loglik`` (of the figures), ``mean`` and ``var`` of the offset at
        every event (smoothed), ``state_mean`` (n x 3) and ``state_cov``
        (n x 3 x 3) of the smoothed state.
    """
    n = len(ev.t)
    t_all = np.asarray(ev.t, float)
    s = np.asarray(s, float)
    info = np.flatnonzero(ev.kind != 2)
    k = len(info)
    m = np.array(m0, float)
    p = np.array(p0, float)
    mp = np.empty((k, 3))
    pp = np.empty((k, 3, 3))
    mf = np.empty((k, 3))
    pf = np.empty((k, 3, 3))
    bs = np.ones(k)
    loglik = 0.0
    for j, i in enumerate(info):
        if j and t_all[i] > t_all[info[j - 1]]:
            b, qv = _transition(t_all[i] - t_all[info[j - 1]], kappa, s2)
            bs[j] = b
            m[0] *= b
            p[0, :] *= b
            p[:, 0] *= b
            p[0, 0] += qv
        mp[j], pp[j] = m, p
        h = np.array([1.0, 1.0, s[i]])
        ph = p @ h
        var = float(h @ ph)
        if ev.kind[i] == 0:
            sv = var + float(ev.r[i])
            v = float(ev.y[i]) - float(h @ m)
            loglik -= 0.5 * (math.log(2 * math.pi * sv) + v * v / sv)
            gain = ph / sv
            m = m + gain * v
            p = p - np.outer(gain, ph)
        else:
            step, shrink = _censored(
                float(h @ m), float(ev.y[i]), math.sqrt(var + float(ev.r[i])), bool(ev.above[i])
            )
            m = m + ph * step
            p = p - np.outer(ph, ph) * shrink
        p = 0.5 * (p + p.T)
        mf[j], pf[j] = m, p
    ms, ps = mf.copy(), pf.copy()
    for j in range(k - 2, -1, -1):
        f = np.array([bs[j + 1], 1.0, 1.0])
        gain = (pf[j] * f[None, :]) @ np.linalg.inv(pp[j + 1] + _TINY * np.eye(3))
        ms[j] = mf[j] + gain @ (ms[j + 1] - mp[j + 1])
        ps[j] = pf[j] + gain @ (ps[j + 1] - pp[j + 1]) @ gain.T
    state_mean = np.empty((n, 3))
    state_cov = np.empty((n, 3, 3))
    state_mean[info], state_cov[info] = ms, ps
    q = np.flatnonzero(ev.kind == 2)
    if len(q):
        tq = t_all[q]
        if k == 0:  # no information: the prior, at any date
            state_mean[q], state_cov[q] = np.array(m0, float), np.array(p0, float)
        else:
            # the latest figure at or before each query (queries follow figures of their date)
            prev = np.searchsorted(t_all[info], tq, side="right") - 1
            first = prev < 0
            # filtered state at the query: the prior before the first figure, else
            # the previous filtered state carried forward
            src = np.maximum(prev, 0)
            dt1 = np.where(first, 0.0, tq - t_all[info][src])
            m_q, p_q = _carry(
                np.where(first[:, None], np.asarray(m0, float)[None, :], mf[src]),
                np.where(first[:, None, None], np.asarray(p0, float)[None], pf[src]),
                np.exp(-kappa * dt1),
                s2 / (2 * kappa),
            )
            m_s, p_s = m_q.copy(), p_q.copy()
            # smoothed from the next figure back to the query (one RTS step)
            nxt = prev + 1
            inner = nxt < k
            if inner.any():
                nx = nxt[inner]
                dt2 = t_all[info][nx] - tq[inner]
                b2 = np.exp(-kappa * dt2)
                pfq, mfq = p_q[inner], m_q[inner]
                m_next, p_next = _carry(mfq, pfq, b2, s2 / (2 * kappa))
                f2 = np.stack([b2, np.ones_like(b2), np.ones_like(b2)], axis=1)
                gain = (pfq * f2[:, None, :]) @ np.linalg.inv(p_next + _TINY * np.eye(3))
                m_s[inner] = mfq + np.einsum("nij,nj->ni", gain, ms[nx] - m_next)
                p_s[inner] = pfq + gain @ (ps[nx] - p_next) @ np.transpose(gain, (0, 2, 1))
            state_mean[q], state_cov[q] = m_s, p_s
    h = np.column_stack([np.ones(n), np.ones(n), s])
    return {
        "loglik": loglik,
        "mean": np.einsum("ij,ij->i", h, state_mean),
        "var": np.maximum(np.einsum("ij,ijk,ik->i", h, state_cov, h), 0.0),
        "state_mean": state_mean,
        "state_cov": state_cov,
    }


@dataclass
class SaturationFit:
    """Estimated parameters of the saturation model (percentage points, years).

    Attributes
    ----------
    level, kappa, s2, sigma2_nat
        National long-run level (%), reversion rate per year, level variance
        per year (pp^2) and noise of a national figure (pp^2).
    kappa_d, s2_d, sigma2, tau2, delta_bar, omega2
        Province offsets: reversion rate and variance per year of the
        deviation ``u``, noise of a province figure, spread of long-run
        offsets and their mean, spread of the shares of the national
        shortfall (whose mean is 0).
    floors : dict
        Lower bounds used for the variances and where they come from.
    converged : bool
    notes : list of str
    param_cov : ndarray, shape (4, 4)
        Uncertainty of the national parameters ``(level, log kappa, log s2,
        log sigma2_nat)``: the inverse Hessian of their negative log
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
    param_cov: np.ndarray = field(default_factory=lambda: np.zeros((4, 4)))

    # -- national --------------------------------------------------------------------------
    def national_prior(
        self, level: float | None = None
    ) -> tuple[tuple[float, float], tuple[float, float, float]]:
        """Prior of ``[level, long-run level]`` at the first national figure."""
        level = self.level if level is None else level
        y0 = float(self.national_y[0]) if len(self.national_y) else level
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
                t_query, self.level, self.kappa, self.s2, self.sigma2_nat
            )
        return cache[key]

    def _national_at(
        self, t_query: np.ndarray, level: float, kappa: float, s2: float, noise: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Smoothed mean and variance of the national level under the given parameters."""
        ev = make_events(
            self.national_t,
            self.national_y,
            np.full(len(self.national_t), noise),
            t_query=np.asarray(t_query, float),
        )
        m0, p0 = self.national_prior(level)
        res = kalman_2state(ev, kappa, s2, m0, p0)
        q = ev.kind == 2
        return _unsort(ev, q, res["mean"], t_query), _unsort(ev, q, res["var"], t_query)

    def _mean_at(self, theta: np.ndarray, t_query: np.ndarray) -> np.ndarray:
        """National mean at ``t_query`` under ``theta`` = (level, log kappa, log s2, log noise)."""
        level, log_kappa, log_s2, log_noise = theta
        return self._national_at(
            t_query, level, math.exp(log_kappa), math.exp(log_s2), math.exp(log_noise)
        )[0]

    def national_param_jacobian(self, t_query: np.ndarray) -> np.ndarray:
        """Derivatives of the national mean at ``t_query`` with respect to the national
        parameters ``(level, log kappa, log s2, log sigma2_nat)``, shape (n, 4).

        Central differences on a monthly grid from a year before the first
        national figure to 40 years after the last, interpolated (constant
        beyond it); zero columns for parameters held at a bound.
        """
        t_query = np.asarray(t_query, float).ravel()
        grid, jac = self._jacobian_grid()
        return np.column_stack([np.interp(t_query, grid, jac[:, j]) for j in range(4)])

    def _jacobian_grid(self) -> tuple[np.ndarray, np.ndarray]:
        if "_jacobian" not in self.__dict__:
            t_n = self.national_t
            start = float(t_n.min()) - 1.0 if len(t_n) else 0.0
            end = float(t_n.max()) + 40.0 if len(t_n) else 40.0
            grid = np.arange(start, end + 1.0 / 24, 1.0 / 12)
            theta = np.array(
                [self.level, math.log(self.kappa), math.log(self.s2), math.log(self.sigma2_nat)]
            )
            jac = np.zeros((len(grid), 4))
            for j in np.flatnonzero(np.diag(self.param_cov) > 0):
                h = _STEPS[j]
                up, down = theta.copy(), theta.copy()
                up[j] += h
                down[j] -= h
                jac[:, j] = (self._mean_at(up, grid) - self._mean_at(down, grid)) / (2 * h)
            self.__dict__["_jacobian"] = (grid, jac)
        return self.__dict__["_jacobian"]

    def param_var(self, jac: np.ndarray) -> np.ndarray:
        """Variance the parameters' uncertainty adds to a mean with derivatives ``jac``
        (n x 4): the delta method, ``J param_cov J^T`` row by row."""
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
        """Events of one province's offset: its figures less the national level."""
        t_obs = np.asarray(t_obs, float)
        t_all = [t_obs]
        if status is not None:
            t_all.append(np.asarray(status[0], float))
        t_cat = np.concatenate(t_all)
        nat_m, nat_v = self.national(t_cat) if len(t_cat) else (np.zeros(0), np.zeros(0))
        k = len(t_obs)
        kw = {}
        if status is not None and len(status[0]):
            kw = {
                "t_cens": status[0],
                "y_cens": np.asarray(status[1], float) - nat_m[k:],
                "r_cens": self.sigma2 + nat_v[k:],
                "above": status[2],
            }
        return make_events(
            t_obs,
            np.asarray(y_obs, float) - nat_m[:k],
            self.sigma2 + nat_v[:k],
            t_query=t_query,
            **kw,
        )

    def offset(self, ev: Events, t_query: np.ndarray) -> dict:
        """Smoothed offset at the query times of ``ev`` (which must hold ``t_query``)."""
        m0, p0 = self.offset_prior()
        res = kalman_offset(ev, self.shortfall(ev.t), self.kappa_d, self.s2_d, m0, p0)
        q = ev.kind == 2
        return {
            "mean": _unsort(ev, q, res["mean"], t_query),
            "var": _unsort(ev, q, res["var"], t_query),
            "state_mean": res["state_mean"][q],
            "state_cov": res["state_cov"][q],
            "t": ev.t[q],
        }


def _unsort(ev: Events, q: np.ndarray, values: np.ndarray, t_query: np.ndarray) -> np.ndarray:
    """Values at query events, back in the order of ``t_query``."""
    tq = ev.t[q]
    order = np.argsort(np.asarray(t_query, float), kind="stable")
    out = np.empty(len(tq))
    out[order] = values[q]
    del tq
    return out


def _same_date_spread(groups: list[tuple[np.ndarray, np.ndarray]], days: float = 31.0) -> float:
    """Median half squared difference of two figures of one place within ``days``.

    The disagreement of two sources about (nearly) the same date: the noise of
    one figure cannot be smaller than this. NaN when no such pair exists.
    """
    half_sq = []
    for t, y in groups:
        for i in range(len(t)):
            for j in range(i + 1, len(t)):
                if abs(t[j] - t[i]) <= days / 365.25:
                    half_sq.append(0.5 * (y[j] - y[i]) ** 2)
    return float(np.median(half_sq)) if half_sq else float("nan")


def _laplace_cov(fun, theta: np.ndarray, bounds: list, steps: tuple) -> np.ndarray:
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


def _pad(series: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """Series of unequal length as (places x figures) arrays with a mask."""
    k = max((len(x[0]) for x in series), default=0)
    n = len(series)
    width = len(series[0]) if series else 4
    out = [np.zeros((n, k)) for _ in range(width)]
    mask = np.zeros((n, k), bool)
    for i, arrays in enumerate(series):
        j = len(arrays[0])
        for a, v in zip(out, arrays, strict=True):
            a[i, :j] = v
        mask[i, :j] = True
        out[0][i, j:] = arrays[0][-1] if j else 0.0
    return (*out, mask)


def _loglik_many(
    padded: tuple[np.ndarray, ...],
    kappa: float,
    s2: float,
    sigma2: float,
    tau2: float,
    dbar: float,
    omega2: float,
) -> float:
    """Log-likelihood of every place's offsets at once (vectorised :func:`kalman_offset`)."""
    t_, y_, v_, s_, m_ = padded
    n, k = t_.shape
    m = np.zeros((n, 3))
    m[:, 1] = dbar
    p = np.zeros((n, 3, 3))
    p[:, 0, 0], p[:, 1, 1], p[:, 2, 2] = s2 / (2 * kappa), tau2, omega2 + _TINY
    total = 0.0
    for j in range(k):
        if j:
            m, p = _carry(m, p, np.exp(-kappa * (t_[:, j] - t_[:, j - 1])), s2 / (2 * kappa))
        ok = m_[:, j]
        h = np.stack([np.ones(n), np.ones(n), s_[:, j]], axis=1)
        ph = np.einsum("nij,nj->ni", p, h)
        sv = np.einsum("ni,ni->n", h, ph) + sigma2 + v_[:, j]
        innov = y_[:, j] - np.einsum("ni,ni->n", h, m)
        total -= 0.5 * float(np.sum((np.log(2 * np.pi * sv) + innov * innov / sv)[ok]))
        gain = np.where(ok[:, None], ph / sv[:, None], 0.0)
        m = m + gain * innov[:, None]
        p = p - gain[:, :, None] * ph[:, None, :]
    return total


def _spread_growth(series: list[tuple[np.ndarray, ...]]) -> float:
    """How fast the spread of offsets grows with the nation's shortfall (pp^2 per pp^2).

    The least-squares slope of squared centred offsets on the squared
    shortfall, ``E[(d - mean)^2] = a + omega2 * s^2``: the variance of the
    shares ``beta_p`` when offsets are ``delta_p + beta_p * s``. A moment
    estimate from the cross-section, because the likelihood of a few
    figures per province cannot tell a share of the shortfall from a
    wandering deviation ``u``; the likelihood starts from it. At least 0.01
    (sd 0.1), at most 0.25.
    """
    if not series:
        return 0.01
    d = np.concatenate([x[1] for x in series])
    s = np.concatenate([x[3] for x in series])
    if len(d) < 5 or np.ptp(s) < 1.0:
        return 0.01
    x = np.column_stack([np.ones(len(s)), s * s])
    coef, *_ = np.linalg.lstsq(x, (d - d.mean()) ** 2, rcond=None)
    return float(np.clip(coef[1], 0.01, 0.25))


def fit_saturation(
    national: tuple[np.ndarray, np.ndarray],
    provinces: list[tuple[np.ndarray, np.ndarray]],
    *,
    level_max: float = 100.0,
    level_prior: tuple[float, float] | None = LEVEL_PRIOR,
    kappa_prior: tuple[float, float] | None = KAPPA_PRIOR,
) -> SaturationFit:
    """Estimate the saturation model's parameters by maximum likelihood.

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

    Returns
    -------
    SaturationFit
    """
    notes: list[str] = []
    t_n, y_n = (np.asarray(a, float) for a in national)
    spread = _same_date_spread([*provinces, (t_n, y_n)])
    # noise of one news figure: at least a third of the same-date disagreement of
    # sources (different denominators), at least (0.5 pp)^2 when none is known
    sigma2_floor = max(spread / 3 if np.isfinite(spread) else 0.25, 0.25)
    # a national count is published to two decimals from one register: (0.1 pp)^2
    sigma2_nat_floor = 0.01
    # the level moves by at least 0.5 pp a year (sd): coverage of an enrolment
    # programme is never frozen (cleansing, denominators, budget years)
    s2_floor = 0.25
    floors = {
        "sigma2": sigma2_floor,
        "sigma2_nat": sigma2_nat_floor,
        "s2": s2_floor,
        "s2_d": s2_floor,
        "same_date_spread": spread,
    }

    def nat_nll(theta: np.ndarray) -> float:
        level, lk, ls2, lsn = theta
        ev = make_events(t_n, y_n, np.full(len(t_n), math.exp(lsn)))
        res = kalman_2state(
            ev,
            math.exp(lk),
            math.exp(ls2),
            (float(y_n[0]), level),
            (_DIFFUSE, 0.0, _TINY),
            smooth=False,
        )
        # the first figure only sets the diffuse start
        s0 = _DIFFUSE + math.exp(lsn)
        pen = 0.0
        if level_prior is not None:
            pen += 0.5 * ((level - level_prior[0]) / level_prior[1]) ** 2
        if kappa_prior is not None:
            pen += 0.5 * ((lk - math.log(kappa_prior[0])) / kappa_prior[1]) ** 2
        return -(res["loglik"] + 0.5 * math.log(2 * math.pi * s0)) + pen

    top = float(min(level_max, max(y_n.max(), 50.0)))
    x0 = np.array([min(top + 0.5, level_max), math.log(0.3), math.log(1.0), math.log(0.25)])
    bounds = [
        (float(min(y_n.min(), level_max - 1)), level_max),
        (math.log(0.02), math.log(5.0)),
        (math.log(s2_floor), math.log(100.0)),
        (math.log(sigma2_nat_floor), math.log(25.0)),
    ]
    theta_n, ok_n = _minimize(nat_nll, x0, bounds, notes, "national level")
    param_cov = _laplace_cov(nat_nll, theta_n, bounds, _STEPS)
    level, kappa, s2, sigma2_nat = (
        float(theta_n[0]),
        math.exp(theta_n[1]),
        math.exp(theta_n[2]),
        math.exp(theta_n[3]),
    )
    fit = SaturationFit(
        level,
        kappa,
        s2,
        sigma2_nat,
        kappa_d=1.0,
        s2_d=1.0,
        sigma2=1.0,
        tau2=1.0,
        delta_bar=0.0,
        floors=floors,
        notes=notes,
        national_t=t_n,
        national_y=y_n,
        param_cov=param_cov,
    )
    # offsets: each territory's figures less the smoothed national level
    series = []
    for t, y in provinces:
        m, v = fit.national(t)
        series.append((np.asarray(t, float), np.asarray(y, float) - m, v, level - m))

    padded = _pad(series)

    # the mean offset of the provinces with figures (those in the news) is
    # estimated; the reconciliation then sets the population-weighted mean of
    # all offsets to zero at every date
    def off_nll(theta: np.ndarray) -> float:
        lk, ls2, lsig, ltau, dbar, lom = theta
        return -_loglik_many(
            padded,
            math.exp(lk),
            math.exp(ls2),
            math.exp(lsig),
            math.exp(ltau),
            dbar,
            math.exp(lom),
        )

    allr = np.concatenate([x[1] for x in series]) if series else np.zeros(1)
    omega2 = _spread_growth(series)
    x0 = np.array(
        [
            math.log(0.5),
            math.log(2.0),
            math.log(max(sigma2_floor, 1.0)),
            math.log(max(float(np.var(allr)), 1.0)),
            float(np.median(allr)),
            math.log(omega2),
        ]
    )
    bounds = [
        (math.log(0.02), math.log(5.0)),
        (math.log(s2_floor), math.log(400.0)),
        (math.log(sigma2_floor), math.log(100.0)),
        (math.log(0.01), math.log(1000.0)),
        (-30.0, 30.0),
        # a share sd of at most 0.5: two sd is the nation's whole shortfall again
        (math.log(1e-4), math.log(0.25)),
    ]
    theta_d, ok_d = _minimize(off_nll, x0, bounds, notes, "province offsets")
    fit.kappa_d, fit.s2_d, fit.sigma2, fit.tau2 = (math.exp(v) for v in theta_d[:4])
    fit.delta_bar = float(theta_d[4])
    fit.omega2 = math.exp(theta_d[5])
    fit.converged = bool(ok_n and ok_d)
    return fit
