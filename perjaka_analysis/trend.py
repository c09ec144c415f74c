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

``CoverageTrendModel(coverage, method=m)`` makes the model class of method
``m``: :class:`SaturationTrendModel` (:mod:`perjaka_analysis.trend_saturation`)
or a logit method's (:mod:`perjaka_analysis.trend_logit`); what they share is
in :mod:`perjaka_analysis.trend_base` and the fitted results are
:class:`TrendResults` (:mod:`perjaka_analysis.trend_results`).
"""

from __future__ import annotations

from .results import forecast_places
from .trend_base import (
    DAYS_PER_YEAR,
    DEFAULT_BREAKS,
    DEFAULT_CEILING,
    DEFAULT_KNOTS,
    METHODS,
    SATURATION_SCALE_MAX,
    T_REF,
    CoverageTrendModel,
    FitCache,
    FitConvergenceWarning,
    Method,
    ProvinceTrend,
    prepare_panel,
    to_years,
)
from .trend_logit import (
    DRIFT_MIN_SPAN,
    DampedTrendModel,
    DriftTrendModel,
    LastTrendModel,
    LogitTrendModel,
    PooledTrendModel,
)
from .trend_results import LogitScale, TrendResults
from .trend_saturation import SaturationState, SaturationTrendModel

__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULT_BREAKS",
    "DEFAULT_CEILING",
    "DEFAULT_KNOTS",
    "DRIFT_MIN_SPAN",
    "METHODS",
    "SATURATION_SCALE_MAX",
    "T_REF",
    "CoverageTrendModel",
    "DampedTrendModel",
    "DriftTrendModel",
    "FitCache",
    "FitConvergenceWarning",
    "LastTrendModel",
    "LogitScale",
    "LogitTrendModel",
    "Method",
    "PooledTrendModel",
    "ProvinceTrend",
    "SaturationState",
    "SaturationTrendModel",
    "TrendResults",
    "forecast_places",
    "prepare_panel",
    "to_years",
]
