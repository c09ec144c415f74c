"""What every coverage trend method shares: the time axis, one place's trend, the panel.

:class:`CoverageTrendModel` is the base of the per-method models (see
:mod:`perjaka_analysis.trend`); :class:`FitCache` keeps the fits of a model, or
of the models that share it, by the content of their figures.
"""

from __future__ import annotations

import copy
import math
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from .coverage import sort_coverage
from .errors import PerjakaError
from .provinces import NATIONAL, province_table
from .results import ModelResults

__all__ = [
    "METHODS",
    "CoverageTrendModel",
    "FitCache",
    "FitConvergenceWarning",
    "ProvinceTrend",
    "prepare_panel",
    "to_years",
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


def _stable_seed(seed: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8"))])


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


def _warn_unconverged(converged: bool, method: str, notes: Sequence[str]) -> None:
    """One warning per fit when no optimizer converged."""
    if not converged:
        warnings.warn(
            f"the {method} trend fit did not converge; results use the best fit found "
            f"(see TrendResults.fit_notes): {'; '.join(notes[-3:])}",
            FitConvergenceWarning,
            stacklevel=3,
        )


class FitCache:
    """Recent fits by the content of their figures; a repeated fit is a copy of the first.

    Fits are deterministic, so the same figures (and options) give the same
    fit: a model asked twice, or several models sharing one cache, fit once.
    Each answer is a deep copy, so changing one result leaves the others
    alone.

    Parameters
    ----------
    size : int
        Fits kept; the oldest leaves a full cache.

    Examples
    --------
    >>> cache = FitCache(size=2)
    >>> calls = []
    >>> first = cache.get("a", lambda: calls.append(1) or [1.0])
    >>> second = cache.get("a", lambda: calls.append(1) or [1.0])
    >>> len(calls), first == second, first is second
    (1, True, False)
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.fits: dict[str, object] = {}

    def get(self, key: str, compute: Callable[[], object]):
        """A copy of the fit kept under ``key``, computed once."""
        if key not in self.fits:
            if len(self.fits) >= self.size:
                self.fits.pop(next(iter(self.fits)))
            self.fits[key] = compute()
        return copy.deepcopy(self.fits[key])


class CoverageTrendModel:
    """Coverage trend per province: one class per method, made by ``method``.

    ``CoverageTrendModel(coverage, method=m)`` is the model of method ``m``:
    :class:`~perjaka_analysis.trend_saturation.SaturationTrendModel` (the
    default) or one of the logit methods of :mod:`perjaka_analysis.trend_logit`
    (``PooledTrendModel``, ``DampedTrendModel``, ``LastTrendModel``,
    ``DriftTrendModel``), each of which can also be made directly.

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
    cache : FitCache, optional
        Where fits are kept by the content of their figures, so that models
        sharing one (the methods of one backtest origin) fit the same figures
        once; default a cache of this model's own.

    Examples
    --------
    >>> import perjaka_analysis as pa
    >>> from perjaka_analysis.trend import CoverageTrendModel
    >>> res = CoverageTrendModel(pa.load_coverage()).fit()
    >>> fc = res.forecast(until="2026-12-31")
    >>> sorted(fc["level"].unique().tolist())
    [80, 95]
    """

    #: The method a subclass fits (its ``method=`` class keyword).
    method: ClassVar[str] = ""
    _by_method: ClassVar[dict[str, type[CoverageTrendModel]]] = {}

    def __init_subclass__(cls, *, method: str = "", **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if method:
            cls.method = method
            CoverageTrendModel._by_method[method] = cls

    def __new__(cls, *args, method: str | None = None, **options):
        if cls is CoverageTrendModel:
            name = "saturation" if method is None else method
            if name not in METHODS:
                raise PerjakaError(f"unknown method {name!r}; valid: {', '.join(METHODS)}")
            if name not in CoverageTrendModel._by_method:
                raise PerjakaError(
                    f"the {name} model is not loaded: import CoverageTrendModel from "
                    "perjaka_analysis.trend"
                )
            cls = CoverageTrendModel._by_method[name]
        return super().__new__(cls)

    def __init__(
        self,
        coverage: pd.DataFrame,
        *,
        method: Method | None = None,
        measure: str = "registered",
        ceiling: float | None = None,
        phi: float = 0.8,
        q: float | None = None,
        window_years: float | None = None,
        knots: Sequence[str] = DEFAULT_KNOTS,
        breaks: Sequence[str] = DEFAULT_BREAKS,
        status: pd.DataFrame | None = None,
        provinces: Sequence[str] | None = None,
        cache: FitCache | None = None,
    ) -> None:
        if method is not None and method != self.method:
            raise PerjakaError(
                f"{type(self).__name__} fits the {self.method} method, not {method!r}"
            )
        if not 0 < phi <= 1:
            raise PerjakaError(f"phi must be in (0, 1], got {phi}")
        self.coverage = coverage
        self.measure = measure
        self.ceiling = self._ceiling(ceiling)
        self.phi = phi
        self.q = q
        self.window_years = window_years
        self.knots = tuple(knots)
        self.breaks = tuple(sorted(breaks))
        self.status = status
        self.provinces = provinces
        self.cache = FitCache() if cache is None else cache

    def _ceiling(self, ceiling: float | None) -> float:
        """The ceiling of the scale (percent) given the one asked for."""
        return DEFAULT_CEILING if ceiling is None else float(ceiling)

    def _panel(self) -> pd.DataFrame:
        """The figures to fit (:func:`prepare_panel`, within ``window_years`` of the last)."""
        panel = prepare_panel(self.coverage, measure=self.measure, ceiling=self.ceiling)
        if self.window_years is not None:
            panel = panel[panel["t"] >= panel["t"].max() - self.window_years].reset_index(drop=True)
        return panel

    def _places(self) -> list[str]:
        """The places to describe: those asked for, else the 38 provinces and the nation."""
        return list(self.provinces) if self.provinces else [*province_table()["province"], NATIONAL]

    def fit(self) -> ModelResults:
        """Fit the trend of every place.

        Returns
        -------
        TrendResults
        """
        raise NotImplementedError(f"{type(self).__name__} does not fit")
