"""Fitted coverage trends (:class:`TrendResults`) and the logit methods' scale.

A fit predicts through its scale: :class:`LogitScale` for the logit methods
(each place a Gaussian trend of ``logit(coverage / ceiling)``, its
:class:`~perjaka_analysis.trend_base.ProvinceTrend`) or the saturation
method's state (:mod:`perjaka_analysis.trend_saturation`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from .plotting import plot_fan
from .provinces import province_table
from .results import ModelResults, path_dates
from .trend_base import ProvinceTrend, _expit, _normal_quantile, _stable_seed, to_years

__all__ = ["LogitScale", "Scale", "TrendResults"]


class Scale(Protocol):
    """How a fit turns one place's trend into coverage (percent) at times ``t`` (years)."""

    def pct(self, z: np.ndarray) -> np.ndarray:
        """Coverage (percent) of a value on the model scale."""

    def mean_pct(self, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
        """The predictive mean (percent) of a normal ``N(mu, var)`` on the model scale."""

    def moments(
        self, trend: ProvinceTrend, t: np.ndarray, *, observation: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance on the model scale of one place at times ``t``."""

    def simulate(
        self, trend: ProvinceTrend, t: np.ndarray, n_paths: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Latent paths (percent), shape ``(n_paths, len(t))``."""

    def describe(self, results: TrendResults) -> str:
        """The fit in one line (the results' ``repr``)."""


@dataclass(frozen=True)
class LogitScale:
    """The logit methods: ``z = logit(coverage / ceiling)``, a Gaussian trend per place."""

    ceiling: float

    def pct(self, z: np.ndarray) -> np.ndarray:
        return self.ceiling * _expit(z)

    def mean_pct(self, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
        """Mean of the back-transformed normal (probit approximation of E[expit])."""
        return self.pct(mu / np.sqrt(1 + np.pi * var / 8))

    def moments(
        self, trend: ProvinceTrend, t: np.ndarray, *, observation: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        return trend.moments(t, observation=observation)

    def simulate(
        self, trend: ProvinceTrend, t: np.ndarray, n_paths: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Intercept and slope drawn from their distribution, plus the random walk."""
        x = trend.design(t)
        ab = rng.multivariate_normal(trend.mean, trend.cov, size=n_paths, method="eigh")
        z = ab @ x.T
        h = np.clip(t - trend.t_last, 0.0, None)
        level = trend.level_mean + math.sqrt(trend.level_var) * rng.standard_normal(n_paths)
        z += np.where(h > 0, level[:, None], 0.0)
        steps = np.diff(h, prepend=0.0)
        if trend.q > 0:
            z += np.cumsum(rng.standard_normal((n_paths, len(t))) * np.sqrt(trend.q * steps), 1)
        return self.pct(z)

    def describe(self, results: TrendResults) -> str:
        fe = results.pooled.get("fixed_effects", np.zeros(2))
        n_own = sum(t.basis == "own data" for t in results.trends.values())
        return (
            f"TrendResults(method={results.method!r}, measure={results.measure!r}, "
            f"ceiling={results.ceiling:g}%, places={len(results.trends)}, with own data={n_own}, "
            f"pooled slope={fe[1]:.3f} logit/yr, obs sd={math.sqrt(results.pooled['sigma2']):.3f}, "
            f"random walk sd/yr={math.sqrt(results.pooled['q']):.3f})"
        )


@dataclass
class TrendResults(ModelResults):
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
    saturation : optional
        The ``saturation`` method's estimates and each place's figures
        (:class:`~perjaka_analysis.trend_saturation.SaturationState`); None for
        the logit methods, which predict each place from its
        :class:`ProvinceTrend`.
    """

    trends: dict[str, ProvinceTrend]
    panel: pd.DataFrame
    method: str
    measure: str
    ceiling: float
    pooled: dict = field(default_factory=dict)
    converged: bool = True
    fit_notes: tuple[str, ...] = ()
    saturation: Scale | None = field(default=None, repr=False)
    #: Paths kept by :meth:`keep_paths`, by ``(place, until, n_paths, seed, freq)``.
    _kept_paths: dict | None = field(default=None, init=False, repr=False, compare=False)

    def _fitted(self) -> Mapping[str, ProvinceTrend]:
        return self.trends

    def keep_paths(self) -> None:
        """Keep every path :meth:`simulate` draws from now on, for this object's life.

        A second call with the same place, ``until``, ``n_paths``, ``seed``
        and ``freq`` returns a copy of the kept paths instead of drawing them
        again (the same numbers: each place's stream depends only on these).
        A run's targets, UHC status and enforcement scenario draw the same
        paths of every place; the memory is about ``8 * n_paths`` bytes per
        place and month.
        """
        if self._kept_paths is None:
            self._kept_paths = {}

    @property
    def _scale(self) -> Scale:
        return self.saturation if self.saturation is not None else LogitScale(self.ceiling)

    def _history_start(self, place: ProvinceTrend) -> pd.Timestamp:
        """The panel's first figure, or the day the province was established if later
        (no trend before a province existed)."""
        start = pd.Timestamp(self.panel["date"].min())
        table = province_table().set_index("province")
        if place.province in table.index and pd.notna(table.loc[place.province, "established"]):
            start = max(start, pd.Timestamp(table.loc[place.province, "established"]))
        return start

    def trend(self, province: str) -> ProvinceTrend:
        """Return the trend of one place (official name or alias)."""
        return self._place(province)

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
        scale = self._scale
        mu, var = scale.moments(trend, to_years(dates), observation=observation)
        sd = np.sqrt(var)
        mean = scale.mean_pct(mu, var)
        frames = []
        for level in levels:
            zq = float(_normal_quantile(0.5 + level / 200))
            frames.append(
                pd.DataFrame(
                    {
                        "province": trend.province,
                        "date": dates,
                        "mean": mean,
                        "lower": scale.pct(mu - zq * sd),
                        "upper": scale.pct(mu + zq * sd),
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
        key = (trend.province, pd.Timestamp(until), n_paths, seed, freq)
        kept = self._kept_paths
        if kept is not None and key in kept:
            dates, paths = kept[key]
            return dates, paths.copy()
        start = trend.last_date or self.data_end
        dates = path_dates(start, until, freq)
        rng = np.random.default_rng(_stable_seed(seed, trend.province))
        paths = self._scale.simulate(trend, to_years(dates), n_paths, rng)
        if kept is not None:
            kept[key] = (dates, paths.copy())
        return dates, paths

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
        >>> from perjaka_analysis.trend import CoverageTrendModel
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

    def __repr__(self) -> str:
        return self._scale.describe(self)

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
