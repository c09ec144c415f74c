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
  official national count; for a province figure ``sigma2``, the
  disagreement of two sources about the same date (:func:`_same_date_spread`,
  held within 1.0-1.5 pp), with heavy tails (a scale mixture,
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
from scipy import optimize, stats

__all__ = [
    "CEILING",
    "SaturationFit",
    "fit_saturation",
    "from_scale",
    "kalman_2state",
    "kalman_offset",
    "to_scale",
]

_DIFFUSE = 1.0e4  # prior variance (pp^2) of the national level at its first figure
_TINY = 1.0e-10
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
#: The national level drifts towards the target in force at ``rho / max(years to its
#: deadline, PULL_FLOOR)`` per year: the pace that would meet it on time, times the
#: response ``rho``. Past its deadline a target stays in force (at the floor's pace)
#: until the next plan's: 98% is also the UHC criterion since 2024.
PULL_FLOOR = 1.0
#: Upper bound of the response ``rho`` (1: the pace that meets the target on time).
RHO_MAX = 2.0
#: Prior of the response (mean, sd), set on the backtest of the saturation years
#: (all origins, all provinces): the national figures before 2023 alone cannot
#: estimate it (the 2019 target of 95% was missed by 11 pp, and 2019-2021 were the
#: years of the PBI cleansing), and without it the forecasts of 2023 missed the
#: 2023-2024 rise to 98% (bias -3.1 pp at one to two years).
RHO_PRIOR = (0.8, 0.1)
#: Sub-steps of a transition under a pull (years): the pull changes with the time left.
_PULL_STEP = 1.0 / 12.0

#: Upper end of the saturation model's scale (percent): coverage is modelled as
#: ``z = -log(CEILING - y)``, so forecasts and intervals stay below it. A little above
#: 100% because a few published province figures are (rolled-over denominators).
CEILING = 102.0
#: The noise of one province figure is a scale mixture of normals (heavy tails):
#: (probability, variance multiplier) of an ordinary figure and of a stray one
#: (a different denominator, a district total read as the province's).
NOISE_MIXTURE = ((0.85, 1.0), (0.15, 9.0))
#: Data cleansing: with this probability a figure follows a jump of the offset,
#: of this variance on the model scale (1.0: about 4 pp at 98%, 10 pp at 90%).
JUMP = (0.05, 1.0)
#: Relinearisations of a province figure on the model scale (iterated extended Kalman).
_ITERATIONS = 4
#: Prior of the offsets' reversion rate: median half-life 5 years, sd of its log.
OFFSET_HALF_LIFE_PRIOR = (5.0, 0.5)


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


def to_scale(y: np.ndarray, ceiling: float = CEILING) -> np.ndarray:
    """Percent to the model scale ``-log(ceiling - y)`` (``y`` capped half a point below)."""
    y = np.minimum(np.asarray(y, float), ceiling - 0.5)
    return -np.log(ceiling - y)


def from_scale(z: np.ndarray, ceiling: float = CEILING) -> np.ndarray:
    """The model scale back to percent (always below ``ceiling``)."""
    return ceiling - np.exp(-np.asarray(z, float))


def _observe(
    m: np.ndarray,
    p: np.ndarray,
    h: np.ndarray,
    y: np.ndarray,
    r: np.ndarray,
    nm: np.ndarray,
    nv: np.ndarray,
    ceiling: float | None,
    mixture: tuple,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Update of offset states ``[u, delta, beta]`` (rows of ``m``, ``p``) by one figure each.

    Without a ``ceiling`` the figure is ``h . x + e`` with ``e ~ N(0, r)``
    (``nm``, ``nv`` unused). With one, the figure is in percent,
    ``ceiling - exp(-(nm + h . x)) + e`` with the national level ``~ N(nm, nv)``
    on the model scale, linearised at the predicted state (extended Kalman).
    ``mixture`` lists components ``(probability, noise multiplier, jump
    variance of u)``: each is a Gaussian update, weighted by how well it
    predicts the figure and moment-matched (a heavy-tailed noise and jumps).

    Returns the updated means and covariances and each figure's log-likelihood.
    """
    d = np.einsum("ni,ni->n", h, m)
    logs, means, covs = [], [], []
    for prob, mult, jump in mixture:
        pc = p.copy()
        pc[:, 0, 0] += jump
        ph = np.einsum("nij,nj->ni", pc, h)
        var = np.einsum("ni,ni->n", h, ph)
        if ceiling is None:
            k = np.ones_like(d)
            innov = y - d
            sv = var + r * mult
        else:
            # iterated extended Kalman: linearise at the figure's own level first,
            # then at the updated state (a figure far from the prediction is not
            # overshot by a tangent taken at the prediction)
            lin = to_scale(y, ceiling) - nm
            for _ in range(_ITERATIONS):
                k = np.exp(-(nm + lin))
                innov = y - (ceiling - k) - k * (d - lin)
                sv = k * k * (var + nv) + r * mult
                lin = d + var * k / sv * innov
        gain = ph * (k / sv)[:, None]
        logs.append(math.log(prob) - 0.5 * (np.log(2 * np.pi * sv) + innov * innov / sv))
        means.append(m + gain * innov[:, None])
        covs.append(pc - gain[:, :, None] * ph[:, None, :] * k[:, None, None])
    logs = np.array(logs)
    top = logs.max(axis=0)
    w = np.exp(logs - top)
    total = w.sum(axis=0)
    w /= total
    mean = np.einsum("cn,cni->ni", w, np.array(means))
    cov = np.zeros_like(p)
    for c in range(len(mixture)):
        dm = means[c] - mean
        cov += w[c][:, None, None] * (covs[c] + dm[:, :, None] * dm[:, None, :])
    return mean, 0.5 * (cov + np.transpose(cov, (0, 2, 1))), top + np.log(total)


def _transition(dt: float, kappa: float, s2: float) -> tuple[float, float]:
    """OU decay factor and added variance over ``dt`` years."""
    b = math.exp(-kappa * dt)
    return b, s2 * (1.0 - b * b) / (2.0 * kappa)


@dataclass(frozen=True)
class TargetPull:
    """The pull of the national level towards the target in force.

    ``targets`` lists ``(first day in force, deadline, level on the model
    scale)`` in years, sorted by the first day; ``rho`` is the response: at
    ``t`` the level drifts towards the target in force at ``rho /
    max(deadline - t, floor)`` per year (the pace that would meet it on
    time, times the response), on top of its reversion to the long-run
    level. Before the first target there is no pull; past its deadline a
    target pulls at ``rho / floor`` until the next plan's begins.
    """

    targets: tuple
    rho: float
    floor: float = PULL_FLOOR

    def at(self, t: float) -> tuple[float, float]:
        """Rate of the pull (per year) and the target in force (model scale) at ``t``."""
        current = None
        for start, deadline, level in self.targets:
            if start <= t:
                current = (deadline, level)
        if current is None or self.rho <= 0:
            return 0.0, 0.0
        deadline, level = current
        return self.rho / max(deadline - t, self.floor), level


def _step(
    t0: float, t1: float, kappa: float, s2: float, pull: TargetPull | None
) -> tuple[float, float, float, float]:
    """Transition of the national level from ``t0`` to ``t1``: ``x' = B x + C L + D``
    plus noise of variance ``q`` (``L`` the long-run level).

    Without a pull it is the Ornstein-Uhlenbeck step (``B = exp(-kappa dt)``,
    ``C = 1 - B``, ``D = 0``); with one, monthly sub-steps, each an exact
    step of the reversion to the mix of the long-run level and the target in
    force at its middle (weights ``kappa`` and the pull).
    """
    dt = t1 - t0
    if pull is None or dt <= 0:
        b, q = _transition(dt, kappa, s2) if dt > 0 else (1.0, 0.0)
        return b, 1.0 - b, 0.0, q
    n = max(1, math.ceil(dt / _PULL_STEP - 1e-9))
    h = dt / n
    big_b, big_c, big_d, q = 1.0, 0.0, 0.0, 0.0
    for j in range(n):
        g, target = pull.at(t0 + (j + 0.5) * h)
        rate = kappa + g
        b = math.exp(-rate * h)
        big_b *= b
        big_c = b * big_c + (1 - b) * kappa / rate
        big_d = b * big_d + (1 - b) * g * target / rate
        q = b * b * q + s2 * (1 - b * b) / (2 * rate)
    return big_b, big_c, big_d, q


def kalman_2state(
    ev: Events,
    kappa: float,
    s2: float,
    m0: tuple[float, float],
    p0: tuple[float, float, float],
    *,
    smooth: bool = True,
    ceiling: float | None = None,
    pull: TargetPull | None = None,
) -> dict:
    """Kalman filter (and RTS smoother) of ``[level, long-run level]`` at irregular times.

    Without ``ceiling`` a figure is the level plus noise of variance ``r``;
    with it, a figure is in percent, ``ceiling - exp(-level)`` plus noise of
    variance ``r`` (pp^2), linearised at each figure by an iterated extended
    Kalman step (so a figure's weight does not depend on which side of the
    level it falls).

    The level reverts at rate ``kappa`` towards the long-run level, with
    variance ``s2`` per year; the long-run level is constant. With ``pull``
    the level is also drawn towards the target in force (:class:`TargetPull`,
    :func:`_step`). The prior ``N(m0, P0)`` (``p0 = (P_ll, P_lL, P_LL)``)
    holds at the first event.

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
        cs = np.empty(n)
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
        b, u = 1.0, 0.0
        if dt > 0:
            # x' = b x + u L + d
            b, u, d, qv = _step(t_prev, ts[i], kappa, s2, pull)
            a = b * a + u * c + d
            n11 = b * b * p11 + 2 * b * u * p12 + u * u * p22 + qv
            n12 = b * p12 + u * p22
            p11, p12 = n11, n12
        t_prev = ts[i]
        if keep:
            bs[i] = b
            cs[i] = u
            mp[i] = a, c
            pp[i] = p11, p12, p22
        kind = kinds[i]
        if kind == 0:
            h, s, v = 1.0, p11 + rs[i], ys[i] - a
            if ceiling is not None:
                lin = float(to_scale(ys[i], ceiling))
                for _ in range(_ITERATIONS):
                    h = math.exp(-lin)
                    v = ys[i] - (ceiling - h) - h * (a - lin)
                    s = h * h * p11 + rs[i]
                    lin = a + p11 * h / s * v
            loglik -= 0.5 * (math.log(2 * math.pi * s) + v * v / s)
            k1, k2 = p11 * h / s, p12 * h / s
            a += k1 * v
            c += k2 * v
            p11, p12, p22 = p11 - k1 * h * p11, p12 - k1 * h * p12, p22 - k2 * h * p12
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
        b, u = bs[i + 1], cs[i + 1]
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
    *,
    national: tuple[np.ndarray, np.ndarray] | None = None,
    ceiling: float | None = None,
    mixture: tuple = ((1.0, 1.0, 0.0),),
) -> dict:
    """Kalman filter and RTS smoother of a province offset ``[u, delta, beta]``.

    The offset at time ``t`` is ``u + delta + beta * s(t)``: ``u`` reverts to
    zero at rate ``kappa`` with variance ``s2`` per year, ``delta`` and
    ``beta`` are constant, ``s`` (one value per event of ``ev``) is the
    nation's shortfall from its long-run level. The prior ``N(m0, p0)``
    (``u`` at its stationary distribution, so it holds at any date) holds at
    the first event.

    Without ``ceiling`` a figure is the offset plus noise of variance ``r``
    (``ev.y``, ``ev.r``). With it, a figure is in percent and the national
    level on the model scale at each event is ``N(national[0], national[1])``
    (see :func:`_observe`, which also reads ``mixture``); a censored report's
    ``y`` is its threshold on the model scale and ``r`` its noise there.

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
        nm, nv = (float(national[0][i]), float(national[1][i])) if national else (0.0, 0.0)
        if ev.kind[i] == 0:
            m1, p1, ll = _observe(
                m[None],
                p[None],
                h[None],
                np.array([float(ev.y[i])]),
                np.array([float(ev.r[i])]),
                np.array([nm]),
                np.array([nv]),
                ceiling,
                mixture,
            )
            m, p = m1[0], p1[0]
            loglik += float(ll[0])
        else:
            ph = p @ h
            var = float(h @ ph)
            step, shrink = _censored(
                float(h @ m),
                float(ev.y[i]) - nm,
                math.sqrt(var + float(ev.r[i]) + nv),
                bool(ev.above[i]),
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
        b, _, _, q = _step(t0, t1, self.kappa, self.s2, self.pull())
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

    def _mean_at(self, theta: np.ndarray, t_query: np.ndarray) -> np.ndarray:
        """National mean at ``t_query`` under ``theta`` = (level, log kappa, log s2,
        log noise, rho)."""
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
                jac[:, j] = (self._mean_at(up, grid) - self._mean_at(down, grid)) / (2 * h)
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


def _scale_noise(noise: float, y: np.ndarray, ceiling: float) -> np.ndarray:
    """A noise variance in pp^2 on the model scale at levels ``y`` (percent): the
    delta method, ``noise / (ceiling - y)^2`` with ``y`` at most a point below."""
    gap = ceiling - np.minimum(np.asarray(y, float), ceiling - 1.0)
    return noise / (gap * gap)


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


def _pad(series: list[tuple[np.ndarray, ...]], width: int = 4) -> tuple[np.ndarray, ...]:
    """Series of unequal length as (places x figures) arrays with a mask (``width``
    arrays per series when there is none)."""
    k = max((len(x[0]) for x in series), default=0)
    n = len(series)
    width = len(series[0]) if series else width
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
    *,
    ceiling: float | None = None,
    mixture: tuple = ((1.0, 1.0, 0.0),),
) -> float:
    """Log-likelihood of every place's offsets at once (vectorised :func:`kalman_offset`).

    ``padded`` holds ``(t, y, v, s, mask)`` (:func:`_pad`): without ``ceiling``
    figures ``y`` of offsets with noise variance ``sigma2 + v``; with it,
    ``(t, y, v, s, nm, mask)``, figures in percent with noise ``sigma2`` and
    the national level ``N(nm, v)`` on the model scale.
    """
    if ceiling is None:
        t_, y_, v_, s_, m_ = padded
        nm_ = np.zeros_like(t_)
    else:
        t_, y_, v_, s_, nm_, m_ = padded
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
        if ceiling is None:
            r, nv = sigma2 + v_[:, j], np.zeros(n)
        else:
            r, nv = np.full(n, sigma2), v_[:, j]
        m1, p1, ll = _observe(m, p, h, y_[:, j], r, nm_[:, j], nv, ceiling, mixture)
        total += float(np.sum(ll[ok]))
        m = np.where(ok[:, None], m1, m)
        p = np.where(ok[:, None, None], p1, p)
    return total


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
    spread = _same_date_spread([*provinces, (t_n, y_n)])
    # noise of one province figure: the disagreement of two sources about (nearly)
    # the same date, held within 1.0-1.5 pp (sd); heavy tails and jumps do the rest
    sigma2 = float(np.clip(spread if np.isfinite(spread) else 1.44, 1.0, 2.25))
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
    param_cov = _laplace_cov(nat_nll, theta_n, bounds, _STEPS)
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
    padded = _pad(series, width=5)
    half_life, sd_log = OFFSET_HALF_LIFE_PRIOR
    log_kappa_d = math.log(math.log(2.0) / half_life)

    # no long-run offset of its own (delta = 0): provinces in the news are a
    # selection (they are published when they reach UHC), so a mean offset
    # learned from them would lift every province
    def off_nll(theta: np.ndarray) -> float:
        lk, ls2, lom = theta
        pen = 0.5 * ((lk - log_kappa_d) / sd_log) ** 2
        return pen - _loglik_many(
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
