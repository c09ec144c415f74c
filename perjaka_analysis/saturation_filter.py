"""Kalman filters of the saturation model at irregular dates.

The national level (:func:`kalman_2state`) and a province's offset from it
(:func:`kalman_offset`) are filtered on the model scale ``z = -log(C - y)``
(:func:`to_scale`), each figure linearised by an iterated extended Kalman step
and moment-matched over the noise mixture (:func:`_observe`); UHC status reports
enter as censored observations. The model itself is described in
:mod:`perjaka_analysis.saturation`, which fits its parameters with these filters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "CEILING",
    "Events",
    "TargetPull",
    "from_scale",
    "kalman_2state",
    "kalman_offset",
    "kalman_offset_many",
    "level_step",
    "make_events",
    "pad_series",
    "to_scale",
]


_TINY = 1.0e-10
#: The national level drifts towards the target in force at ``rho / max(years to its
#: deadline, PULL_FLOOR)`` per year: the pace that would meet it on time, times the
#: response ``rho``. Past its deadline a target stays in force (at the floor's pace)
#: until the next plan's: 98% is also the UHC criterion since 2024.
PULL_FLOOR = 1.0
#: Sub-steps of a transition under a pull (years): the pull changes with the time left.
_PULL_STEP = 1.0 / 12.0

#: Upper end of the saturation model's scale (percent): coverage is modelled as
#: ``z = -log(CEILING - y)``, so forecasts and intervals stay below it. A little above
#: 100% because a few published province figures are (rolled-over denominators).
CEILING = 102.0
#: Relinearisations of a province figure on the model scale (iterated extended Kalman).
_ITERATIONS = 4


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


def level_step(
    t0: float, t1: float, kappa: float, s2: float, pull: TargetPull | None
) -> tuple[float, float, float, float]:
    """Transition of the national level from ``t0`` to ``t1``: ``x' = B x + C L + D``
    plus noise of variance ``q`` (``L`` the long-run level).

    Without a pull it is the Ornstein-Uhlenbeck step (``B = exp(-kappa dt)``,
    ``C = 1 - B``, ``D = 0``); with one, monthly sub-steps, each an exact
    step of the reversion to the mix of the long-run level and the target in
    force at its middle (weights ``kappa`` and the pull).

    Parameters
    ----------
    t0, t1 : float
        Start and end, in years.
    kappa, s2 : float
        Reversion rate towards the long-run level and variance rate.
    pull : TargetPull, optional
        The pull towards the targets in force (None: none).

    Returns
    -------
    B, C, D, q : float
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
            b, u, d, qv = level_step(t_prev, ts[i], kappa, s2, pull)
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


def pad_series(series: list[tuple[np.ndarray, ...]], width: int = 4) -> tuple[np.ndarray, ...]:
    """Series of unequal length as (places x figures) arrays with a mask.

    Parameters
    ----------
    series : list of tuple of numpy.ndarray
        Each place's arrays (times first), all of one place the same length.
    width : int
        Arrays per series when there is no series.

    Returns
    -------
    tuple of numpy.ndarray
        One (places x longest) array per array of a series, then the mask of
        the figures present; a place's times continue with its last time.
    """
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


def kalman_offset_many(
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
    """Log-likelihood of every place's offsets at once: :func:`kalman_offset` vectorised.

    Parameters
    ----------
    padded : tuple of numpy.ndarray
        The places' series as (places x figures) arrays, :func:`pad_series`:
        without ``ceiling``, ``(t, y, v, s, mask)``, figures ``y`` of offsets
        with noise variance ``sigma2 + v``; with it, ``(t, y, v, s, nm,
        mask)``, figures in percent with noise ``sigma2`` and the national
        level ``N(nm, v)`` on the model scale. ``s`` is the nation's shortfall.
    kappa, s2 : float
        Reversion rate and variance rate of the offsets' deviation.
    sigma2 : float
        Noise variance of a figure.
    tau2, dbar : float
        Prior variance and mean of the offsets' long-run level.
    omega2 : float
        Prior variance of the share of the shortfall.
    ceiling : float, optional
        The model scale's ceiling (percent), with figures in percent.
    mixture : tuple of (probability, variance multiplier, jump variance)
        The figures' noise as a scale mixture of normals.

    Returns
    -------
    float
        The sum over places of the log-likelihood of their figures.
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
