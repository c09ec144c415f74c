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
* ``d_p(t)``, the province's offset from the nation, reverts at rate
  ``kappa_d`` towards its own long-run offset ``delta_p`` with variance
  ``s2_d`` per year; ``delta_p`` is drawn from ``N(delta_bar, tau2)`` (the
  pooled prior: a province with few figures borrows from the others);
* ``e`` the noise of one figure: ``sigma2_nat`` for the official national
  count, ``sigma2`` for a province figure quoted in the news.

The national parameters are estimated by maximum likelihood on the national
series, the offset parameters on the province figures less the national
path (Kalman filter at irregular dates, written here; see
:func:`kalman_2state`). UHC status reports ("above/below X% on date d") enter
the filter as censored observations (a moment-matched probit update).
Forecasts start from each place's latest filtered state and widen with the
horizon. Province means are reconciled to the nation: at every date the
population-weighted offsets sum to zero, the gap shared out in proportion to
each province's uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

__all__ = ["SaturationFit", "fit_saturation", "kalman_2state"]

_DIFFUSE = 1.0e4  # prior variance (pp^2) of the national level at its first figure
_TINY = 1.0e-10


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
        nothing), ``mean`` and ``var`` of the level at every event (smoothed
        when ``smooth``), and ``last`` = (mean, cov) of the state after the
        last event (filtered).
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
            s = math.sqrt(p11 + rs[i])
            sign = 1.0 if aboves[i] else -1.0
            z = sign * (a - ys[i]) / s
            lam = math.exp(stats.norm.logpdf(z) - stats.norm.logcdf(z))
            shrink = lam * (z + lam) / (s * s)
            k1, k2 = p11, p12
            a += sign * k1 * lam / s
            c += sign * k2 * lam / s
            p11, p12, p22 = p11 - k1 * k1 * shrink, p12 - k1 * k2 * shrink, p22 - k2 * k2 * shrink
        if keep:
            mf[i] = a, c
            pf[i] = p11, p12, p22
    out = {"loglik": loglik, "last": (np.array([a, c]), np.array([[p11, p12], [p12, p22]]))}
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


@dataclass
class SaturationFit:
    """Estimated parameters of the saturation model (percentage points, years).

    Attributes
    ----------
    level, kappa, s2, sigma2_nat
        National long-run level (%), reversion rate per year, level variance
        per year (pp^2) and noise of a national figure (pp^2).
    kappa_d, s2_d, sigma2, tau2, delta_bar
        Province offsets: reversion rate, variance per year, noise of a
        province figure, spread of long-run offsets and their mean.
    floors : dict
        Lower bounds used for the variances and where they come from.
    converged : bool
    notes : list of str
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
    floors: dict = field(default_factory=dict)
    converged: bool = True
    notes: list = field(default_factory=list)
    national_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    national_y: np.ndarray = field(default_factory=lambda: np.zeros(0))

    # -- national --------------------------------------------------------------------------
    def national_prior(self) -> tuple[tuple[float, float], tuple[float, float, float]]:
        y0 = float(self.national_y[0]) if len(self.national_y) else self.level
        return (y0, self.level), (_DIFFUSE, 0.0, _TINY)

    def national(self, t_query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smoothed mean and variance of the national level at ``t_query``."""
        t_query = np.asarray(t_query, float)
        key = t_query.tobytes()
        cache = self.__dict__.setdefault("_national_cache", {})
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = self._national(t_query)
        return cache[key]

    def _national(self, t_query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ev = make_events(
            self.national_t,
            self.national_y,
            np.full(len(self.national_t), self.sigma2_nat),
            t_query=np.asarray(t_query, float),
        )
        m0, p0 = self.national_prior()
        res = kalman_2state(ev, self.kappa, self.s2, m0, p0)
        q = ev.kind == 2
        return _unsort(ev, q, res["mean"], t_query), _unsort(ev, q, res["var"], t_query)

    # -- offsets ---------------------------------------------------------------------------
    def offset_prior(self) -> tuple[tuple[float, float], tuple[float, float, float]]:
        v0 = self.s2_d / (2 * self.kappa_d)
        return (self.delta_bar, self.delta_bar), (self.tau2 + v0, self.tau2, self.tau2)

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
        nat_m, nat_v = (
            self.national(np.concatenate(t_all))
            if len(np.concatenate(t_all))
            else (
                np.zeros(0),
                np.zeros(0),
            )
        )
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
        res = kalman_2state(ev, self.kappa_d, self.s2_d, m0, p0)
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


def _pad(series: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    """Series of unequal length as (places x figures) arrays with a mask."""
    k = max((len(t) for t, _, _ in series), default=0)
    n = len(series)
    t_ = np.zeros((n, k))
    y_ = np.zeros((n, k))
    v_ = np.zeros((n, k))
    m_ = np.zeros((n, k), bool)
    for i, (t, y, v) in enumerate(series):
        j = len(t)
        t_[i, :j], y_[i, :j], v_[i, :j], m_[i, :j] = t, y, v, True
        t_[i, j:] = t[-1] if j else 0.0
    return t_, y_, v_, m_


def _loglik_many(
    padded: tuple[np.ndarray, ...], kappa: float, s2: float, sigma2: float, tau2: float, dbar: float
) -> float:
    """Log-likelihood of every place's offsets at once (vectorised :func:`kalman_2state`)."""
    t_, y_, v_, m_ = padded
    n, k = t_.shape
    v0 = s2 / (2 * kappa)
    a = np.full(n, dbar)
    c = np.full(n, dbar)
    p11 = np.full(n, tau2 + v0)
    p12 = np.full(n, tau2)
    p22 = np.full(n, tau2)
    total = 0.0
    for j in range(k):
        if j:
            dt = t_[:, j] - t_[:, j - 1]
            b = np.exp(-kappa * dt)
            u = 1 - b
            qv = s2 * (1 - b * b) / (2 * kappa)
            a = b * a + u * c
            p11 = b * b * p11 + 2 * b * u * p12 + u * u * p22 + qv
            p12 = b * p12 + u * p22
        m = m_[:, j]
        sv = p11 + sigma2 + v_[:, j]
        innov = y_[:, j] - a
        total -= 0.5 * float(np.sum((np.log(2 * np.pi * sv) + innov * innov / sv)[m]))
        k1 = np.where(m, p11 / sv, 0.0)
        k2 = np.where(m, p12 / sv, 0.0)
        a = a + k1 * innov
        c = c + k2 * innov
        p11, p12, p22 = p11 - k1 * p11, p12 - k1 * p12, p22 - k2 * p12
    return total


def fit_saturation(
    national: tuple[np.ndarray, np.ndarray],
    provinces: list[tuple[np.ndarray, np.ndarray]],
    *,
    level_max: float = 100.0,
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
        return -(res["loglik"] + 0.5 * math.log(2 * math.pi * s0))

    top = float(min(level_max, max(y_n.max(), 50.0)))
    x0 = np.array([min(top + 0.5, level_max), math.log(0.3), math.log(1.0), math.log(0.25)])
    bounds = [
        (float(min(y_n.min(), level_max - 1)), level_max),
        (math.log(0.02), math.log(5.0)),
        (math.log(s2_floor), math.log(100.0)),
        (math.log(sigma2_nat_floor), math.log(25.0)),
    ]
    theta_n, ok_n = _minimize(nat_nll, x0, bounds, notes, "national level")
    level, kappa, s2, sigma2_nat = (
        float(theta_n[0]),
        math.exp(theta_n[1]),
        math.exp(theta_n[2]),
        math.exp(theta_n[3]),
    )
    fit = SaturationFit(
        level, kappa, s2, sigma2_nat, 1.0, 1.0, 1.0, 1.0, 0.0, floors, True, notes, t_n, y_n
    )
    # offsets: each territory's figures less the smoothed national level
    series = []
    for t, y in provinces:
        m, v = fit.national(t)
        series.append((np.asarray(t, float), np.asarray(y, float) - m, v))

    padded = _pad(series)

    # the mean offset of the provinces with figures (those in the news) is
    # estimated; the reconciliation then sets the population-weighted mean of
    # all offsets to zero at every date
    def off_nll(theta: np.ndarray) -> float:
        lk, ls2, lsig, ltau, dbar = theta
        return -_loglik_many(
            padded, math.exp(lk), math.exp(ls2), math.exp(lsig), math.exp(ltau), dbar
        )

    allr = np.concatenate([r for _, r, _ in series]) if series else np.zeros(1)
    x0 = np.array(
        [
            math.log(0.5),
            math.log(2.0),
            math.log(max(sigma2_floor, 1.0)),
            math.log(max(float(np.var(allr)), 1.0)),
            float(np.median(allr)),
        ]
    )
    bounds = [
        (math.log(0.02), math.log(5.0)),
        (math.log(s2_floor), math.log(400.0)),
        (math.log(sigma2_floor), math.log(100.0)),
        (math.log(0.01), math.log(1000.0)),
        (-30.0, 30.0),
    ]
    theta_d, ok_d = _minimize(off_nll, x0, bounds, notes, "province offsets")
    fit.kappa_d, fit.s2_d, fit.sigma2, fit.tau2 = (math.exp(v) for v in theta_d[:4])
    fit.delta_bar = float(theta_d[4])
    fit.converged = bool(ok_n and ok_d)
    return fit
