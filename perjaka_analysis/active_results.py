"""A fitted active-share model (:class:`ActiveResults`) and the Gaussian algebra it shares
with the fit in :mod:`perjaka_analysis.active`."""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .active_data import _DAYS_PER_YEAR, _Z80, T_REF, _logit, _years
from .errors import PerjakaError
from .plotting import plot_fan
from .provinces import NATIONAL
from .results import ModelResults, path_dates

__all__ = ["ActivePlace", "ActiveResults"]

#: Since 2024 UHC asks >= 80% active (``targets.csv``): the drift may change from then on.
THRESHOLD_IN_FORCE = pd.Timestamp("2024-01-01")
T_THRESHOLD = (THRESHOLD_IN_FORCE - T_REF).days / 365.25


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _seed(seed: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8")), 7])


@dataclass(frozen=True)
class ActivePlace:
    """What the model knows of one place.

    Attributes
    ----------
    province : str
        Official name or ``INDONESIA``.
    basis : str
        ``own data`` (two figures or more), ``one figure + pooled trend``,
        ``national series`` or ``pooled (no data)``.
    n_points : int
        Figures of the place in the panel.
    t, y, v : ndarray
        Times (years since 2020-01-01), logit shares and their known extra
        variance (from the basis conversion).
    last_date, last_pct
        The latest figure (of population; None without figures).
    report_t, report_c : ndarray
        Dates (years since 2020-01-01) of UHC status reports of today's
        definition and the logit of the modelled share they vouch for (the
        share is at or above it on that date: a censored observation).
    """

    province: str
    basis: str
    n_points: int
    t: np.ndarray
    y: np.ndarray
    v: np.ndarray
    last_date: pd.Timestamp | None = None
    last_pct: float | None = None
    report_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    report_c: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _brownian(s: np.ndarray, t: np.ndarray, t0: float) -> np.ndarray:
    return np.clip(np.minimum.outer(s, t) - t0, 0.0, None)


def _chol(cov: np.ndarray) -> np.ndarray:
    """A square root ``L`` (``L @ L.T`` = cov) of a covariance matrix: Cholesky with the
    smallest jitter that works, else from the eigenvalues."""
    scale = float(np.mean(np.diag(cov))) or 1.0
    for jitter in (1e-10, 1e-8, 1e-6, 1e-4):
        try:
            return np.linalg.cholesky(cov + np.eye(len(cov)) * jitter * scale)
        except np.linalg.LinAlgError:
            continue
    # nearly singular (figures without noise pin some dates): a square root from the
    # eigenvalues, negative rounding errors set to zero
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    if w.min() < -1e-6 * max(scale, 1e-12) - 1e-12:
        raise PerjakaError("the covariance of the simulated paths is not positive definite")
    return v * np.sqrt(np.clip(w, 0.0, None))


def _place_cov(t: np.ndarray, tau2: float, q: float, t0: float) -> np.ndarray:
    return tau2 + q * _brownian(t, t, t0)


#: Common standard normal draws for the quantiles of a product of two normals' transforms.
_COMMON_DRAWS = np.random.default_rng(20240101).standard_normal((2, 4000))


def _truncate_above(
    mean: np.ndarray, cov: np.ndarray, k: int, bound: float
) -> tuple[np.ndarray, np.ndarray]:
    """Condition a Gaussian vector on its k-th element being at or above a bound.

    The k-th marginal becomes the truncated normal's mean and variance; the
    other elements follow through their covariance with it (assumed density
    filtering).

    Examples
    --------
    >>> m, c = _truncate_above(np.array([0.0, 0.0]), np.array([[1.0, 1.0], [1.0, 2.0]]), 0, 0.0)
    >>> [round(float(v), 3) for v in (m[0], m[1], c[0, 0])]
    [0.798, 0.798, 0.363]
    """
    v = float(cov[k, k])
    if v <= 1e-12:
        return mean, cov
    s = math.sqrt(v)
    a = min((bound - float(mean[k])) / s, 30.0)
    lam = float(stats.norm.pdf(a) / max(stats.norm.sf(a), 1e-300))
    m_new = float(mean[k]) + s * lam
    v_new = v * max(1.0 + a * lam - lam**2, 1e-6)
    g = cov[:, k] / v
    mean = mean + g * (m_new - float(mean[k]))
    cov = cov - np.outer(g, g) * (v - v_new)
    return mean, (cov + cov.T) / 2


def _design(t: np.ndarray, gap: np.ndarray | None = None) -> np.ndarray:
    """Common trend: intercept, national drift, change of drift once the 80% rule is in force,
    and the place's registration above the nation's (in units of the provinces' spread; 0
    without a registration trend)."""
    t = np.asarray(t, dtype=float)
    g = np.zeros_like(t) if gap is None else np.asarray(gap, dtype=float)
    return np.column_stack([np.ones_like(t), t, np.clip(t - T_THRESHOLD, 0.0, None), g])


@dataclass
class ActiveResults(ModelResults):
    """A fitted active-share model: the same methods and frames as registration trends.

    Attributes
    ----------
    places : dict of str to ActivePlace
    panel : pandas.DataFrame
        The figures used (see :func:`prepare_active_panel`).
    converted : pandas.DataFrame
        Every share with both readings (see :func:`convert_active_shares`).
    method, unclear : str
    scale : str
        ``participants`` (the latent share is of registered participants; the
        share of population is it times the registration trend) or
        ``population`` (without a registration trend).
    registration : TrendResults or None
        The registration trend the shares of population are made with.
    gaps : dict of str to float
        Each place's registration above the nation's (pp) at the end of the
        active figures, by the registration trend: a covariate of the
        province offsets (places that register more also have more of their
        participants active); 0 for the nation and on the population scale.
    gap_sd : float
        The spread (sd, pp) of the provinces' registration above the nation's
        on that date: the covariate is ``gaps / gap_sd``, the place's
        registration above the nation's in units of that spread (1 on the
        population scale).
    pooled : dict
        ``beta`` (common intercept at 2020-01-01 and slope per year, logit),
        ``cov_beta``, ``sigma2``, ``tau2``, ``q``, ``t0``, ``converged``,
        ``notes``.
    """

    places: dict[str, ActivePlace]
    panel: pd.DataFrame
    converted: pd.DataFrame
    method: str
    unclear: str
    pooled: dict = field(default_factory=dict)
    measure: str = "active"
    ceiling: float = 100.0
    scale: str = "population"
    registration: object = None
    gaps: dict = field(default_factory=dict)
    gap_sd: float = 1.0

    # -- helpers --------------------------------------------------------------------------
    def place(self, province: str) -> ActivePlace:
        """Return what the model knows of one place (official name or alias)."""
        return self._place(province)

    def _fitted(self) -> dict[str, ActivePlace]:
        return self.places

    def _moments(self, place: ActivePlace, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean vector and covariance matrix of the latent logit share at times t
        (:func:`_pooled_moments`, or :func:`_baseline_moments` for a baseline)."""
        if self.method != "pooled":
            return _baseline_moments(self, place, t)
        return _pooled_moments(self, place, t)

    def _registration(
        self, province: str, dates: pd.DatetimeIndex
    ) -> tuple[np.ndarray, np.ndarray]:
        """Registration trend (mean, sd) at dates; 100 and 0 on the population scale."""
        if self.scale != "participants" or self.registration is None:
            return np.full(len(dates), 100.0), np.zeros(len(dates))
        try:
            pred = self.registration.predict(province, dates, levels=(80,), observation=False)
        except PerjakaError:
            return np.full(len(dates), 100.0), np.zeros(len(dates))
        sd = (pred["upper"].to_numpy(float) - pred["lower"].to_numpy(float)) / (2 * _Z80)
        return pred["mean"].to_numpy(float), sd

    @property
    def data_end_t(self) -> float:
        return float(self.panel["t"].max())

    # -- the registration contract -------------------------------------------------------------
    def predict(
        self,
        province: str,
        dates: Sequence | pd.DatetimeIndex,
        *,
        levels: Sequence[int] = (80, 95),
        observation: bool = True,
    ) -> pd.DataFrame:
        """Predictive distribution of the active share of population at given dates.

        Parameters
        ----------
        province : str
            Official name or alias.
        dates : sequence of dates
        levels : sequence of int
            Central interval levels in percent.
        observation : bool
            Intervals for a new published figure (True) or for the latent
            share (False).

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` (percent), one row
            per date and level; ``mean`` is the mean of the back-transformed
            normal (probit approximation), interval ends exact quantiles.
        """
        place = self.place(province)
        dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        mu, cov = self._moments(place, _years(dates))
        var = np.clip(np.diag(cov), 1e-12, None) + (self.pooled["sigma2"] if observation else 0.0)
        sd = np.sqrt(var)
        frames = []
        if self.scale == "participants":
            # share of population = share of participants x registration, by common draws
            r_mean, r_sd = self._registration(place.province, dates)
            e1, e2 = _COMMON_DRAWS
            draws = np.minimum(
                _expit(mu[:, None] + sd[:, None] * e1[None, :])
                * (r_mean[:, None] + r_sd[:, None] * e2[None, :]),
                100.0,
            )
            mean = draws.mean(axis=1)
            bounds = {
                level: np.quantile(draws, [0.5 - level / 200, 0.5 + level / 200], axis=1)
                for level in levels
            }
        else:
            mean = 100 * _expit(mu / np.sqrt(1 + np.pi * var / 8))
            bounds = {}
            for level in levels:
                zq = stats.norm.ppf(0.5 + level / 200)
                bounds[level] = (100 * _expit(mu - zq * sd), 100 * _expit(mu + zq * sd))
        for level in levels:
            lower, upper = bounds[level]
            frames.append(
                pd.DataFrame(
                    {
                        "province": place.province,
                        "date": dates,
                        "mean": mean,
                        "lower": np.minimum(lower, mean),
                        "upper": np.maximum(upper, mean),
                        "level": int(level),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def simulate(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Simulate latent active-share paths from the last figure until a date.

        Paths are drawn from the joint Gaussian of the latent share at every
        date (given the place's figures), so they carry the uncertainty of the
        common trend, of the province's offset and the random walk; the noise
        of single figures is left out.

        Returns
        -------
        dates : DatetimeIndex
        paths : ndarray, shape (n_paths, len(dates))
            Active share of population in percent.
        """
        dates, share = self.simulate_share(province, until, n_paths=n_paths, seed=seed, freq=freq)
        if self.scale != "participants" or self.registration is None:
            return dates, share
        place = self.place(province)
        d_r, reg = self.registration.simulate(
            place.province, until, n_paths=n_paths, seed=seed, freq=freq
        )
        idx = np.clip(np.searchsorted(d_r.values, dates.values, side="right") - 1, 0, None)
        return dates, np.minimum(share * reg[:, idx] / 100, 100.0)

    def simulate_share(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Simulate paths of the modelled latent share (see :attr:`scale`).

        With ``scale == "participants"`` these are shares of registered
        participants: times a registration path they give the share of
        population (:func:`perjaka_analysis.uhc.draw_joint_paths` pairs them
        with the registration paths it draws).

        Returns
        -------
        dates : DatetimeIndex
        paths : ndarray, shape (n_paths, len(dates))
            Percent.
        """
        place = self.place(province)
        start = place.last_date or self.data_end
        dates = path_dates(start, until, freq)
        mu, cov = self._moments(place, _years(dates))
        rng = np.random.default_rng(_seed(seed, place.province))
        z = mu + rng.standard_normal((n_paths, len(dates))) @ _chol(cov).T
        return dates, 100 * _expit(z)

    def nowcast(
        self, as_of: str | pd.Timestamp | None = None, *, levels: Sequence[int] = (80,)
    ) -> pd.DataFrame:
        """The active share of every place on a date, next to its latest figure.

        Parameters
        ----------
        as_of : date, optional
            Default: the latest figure of the panel.
        levels : sequence of int

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` (latent share,
            percent) plus ``basis, n_points, last_date, last_pct,
            age_years`` (age of the latest figure on ``as_of``).
        """
        as_of = pd.Timestamp(as_of) if as_of is not None else self.data_end
        frames = []
        for name, place in self.places.items():
            frame = self.predict(name, [as_of], levels=levels, observation=False)
            frame["basis"] = place.basis
            frame["n_points"] = place.n_points
            frame["last_date"] = place.last_date
            frame["last_pct"] = place.last_pct
            frame["age_years"] = (
                (as_of - place.last_date).days / _DAYS_PER_YEAR if place.last_date else np.nan
            )
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def __repr__(self) -> str:
        p = self.pooled
        n_own = sum(pl.n_points > 0 for pl in self.places.values())
        return (
            f"ActiveResults(method={self.method!r}, unclear={self.unclear!r}, "
            f"places={len(self.places)}, with figures={n_own}, figures={len(self.panel)}, "
            f"scale={self.scale!r}, drift={p['beta'][1]:.3f} logit/yr, response from 2024="
            f"{p['beta'][2]:+.3f} logit/yr, per registration sd ({self.gap_sd:.2f} pp)="
            f"{p['beta'][3]:.3f}, "
            f"obs sd={math.sqrt(p['sigma2']):.3f}, "
            f"province sd={math.sqrt(p['tau2']):.3f}, random walk sd/yr={math.sqrt(p['q']):.3f}, "
            f"converged={p['converged']})"
        )

    def plot(
        self,
        province: str,
        *,
        until: str | pd.Timestamp | None = None,
        targets: Sequence[float] = (80.0,),
        ax=None,
    ):
        """Fan chart of the active share: figures, fitted share, 80%/95% bands, target lines.

        Returns
        -------
        matplotlib.axes.Axes
        """
        place = self.place(province)
        until = pd.Timestamp(until) if until is not None else self.data_end + pd.DateOffset(years=3)
        obs = self.panel[self.panel["province"] == place.province].assign(territory=place.province)
        ax = plot_fan(
            place.province,
            observed=obs,
            history=self.history(place.province),
            forecast=self.forecast(until, provinces=[place.province]),
            targets=targets,
            basis=place.basis if place.basis != "own data" else "",
            ax=ax,
        )
        ax.set_ylabel("active share of population (%)")
        return ax


def _pooled_moments(
    res: ActiveResults, place: ActivePlace, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The pooled model's mean vector and covariance matrix of the latent logit share at t.

    Conditioned on the place's figures, then on its status reports (each
    a censored observation: the share was at or above a bound on that
    date), by matching the moments of the truncated normal one report
    after the other.
    """
    k = len(place.report_t)
    if k == 0:
        return _figure_moments(res, place, t)
    mean, cov = _figure_moments(res, place, np.concatenate([place.report_t, t]))
    for j in range(k):
        mean, cov = _truncate_above(mean, cov, j, float(place.report_c[j]))
    return mean[k:], cov[k:, k:]


def _figure_moments(
    res: ActiveResults, place: ActivePlace, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The latent logit share at t given the place's figures (Gaussian conditioning)."""
    p = res.pooled
    tau2 = 0.0 if place.province == NATIONAL else p["tau2"]
    x = _design(t, _gap(res, place.province, t))
    k_tt = _place_cov(t, tau2, p["q"], p["t0"]) + x @ p["cov_beta"] @ x.T
    mean = x @ p["beta"]
    if place.n_points == 0:
        return mean, k_tt
    xo = _design(place.t, _gap(res, place.province, place.t))
    w = _weights(res, place)
    k_oo = (
        _place_cov(place.t, tau2, p["q"], p["t0"])
        + xo @ p["cov_beta"] @ xo.T
        + np.diag((p["sigma2"] + place.v) / w)
    )
    k_to = tau2 + p["q"] * _brownian(t, place.t, p["t0"]) + x @ p["cov_beta"] @ xo.T
    gain = np.linalg.solve(k_oo, k_to.T).T
    mean = mean + gain @ (place.y - xo @ p["beta"])
    cov = k_tt - gain @ k_to.T
    return mean, (cov + cov.T) / 2


def _gap(res: ActiveResults, province: str, t: np.ndarray) -> np.ndarray:
    """The place's registration covariate at times t (constant: see :attr:`gaps`), in units
    of the provinces' spread (:attr:`gap_sd`)."""
    return np.full(len(t), float(res.gaps.get(province, 0.0)) / res.gap_sd)


def _weights(res: ActiveResults, place: ActivePlace) -> np.ndarray:
    """Student-t weights of the place's figures (1 = as noisy as any figure)."""
    w = res.pooled.get("weights")
    if w is None or place.n_points == 0:
        return np.ones(place.n_points)
    idx = np.flatnonzero(res.panel["province"].to_numpy() == place.province)
    return np.asarray(w)[idx] if len(idx) == place.n_points else np.ones(place.n_points)


def _national_at(res: ActiveResults, t: float) -> float:
    """The national figure (logit) at or before t (the first one when none is)."""
    nat = res.places.get(NATIONAL)
    if nat is None or nat.n_points == 0:
        rows = res.panel[res.panel["province"] == NATIONAL]
        if rows.empty:
            return float(_design(np.array([t]))[0] @ res.pooled["beta"])  # gap 0: nation
        nat_t, nat_y = rows["t"].to_numpy(), rows["z"].to_numpy()
    else:
        nat_t, nat_y = nat.t, nat.y
    before = np.flatnonzero(nat_t <= t + 1e-9)
    return float(nat_y[before[-1]] if len(before) else nat_y[0])


def _baseline_moments(
    res: ActiveResults, place: ActivePlace, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The baselines (module docs of :mod:`perjaka_analysis.active`): ``last`` and
    ``national_ratio``, with the random walk's spread after the last figure."""
    p = res.pooled
    nat = res.places.get(NATIONAL)
    if place.n_points:
        t_last, z_last = float(place.t[-1]), float(place.y[-1])
    else:
        t_last = float(nat.t[-1]) if nat is not None and nat.n_points else p["t0"]
        z_last = _national_at(res, res.data_end_t)
    level = z_last
    if res.method == "national_ratio" and place.n_points and place.province != NATIONAL:
        ratio = _expit(np.array(z_last)) / _expit(np.array(_national_at(res, t_last)))
        latest_nat = _expit(np.array(_national_at(res, res.data_end_t)))
        level = float(_logit(np.clip(ratio * latest_nat, 0.005, 0.995)))
    h = np.clip(t - t_last, 0.0, None)
    extra = 0.0 if place.n_points else p["tau2"]
    cov = p["sigma2"] + extra + p["q"] * np.minimum.outer(h, h)
    return np.full(len(t), level), cov
