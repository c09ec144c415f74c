"""The one interface of a fitted model of a coverage measure per place.

Registration trends (:class:`perjaka_analysis.trend.TrendResults`) and active
shares (:class:`perjaka_analysis.active.ActiveResults`) answer the same
questions with the same frames: ``predict`` (one place at given dates),
``forecast`` (every place until a date), ``simulate`` (latent paths),
``nowcast`` (every place on a date), ``history`` (the fitted path behind the
figures), ``summary`` (one row per place) and ``plot``. What a fit knows of
one place (its ``basis``, ``n_points``, ``last_date`` and ``last_pct``) is a
:class:`FittedPlace`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from .errors import PerjakaError
from .provinces import normalise_province

__all__ = ["FittedPlace", "ModelResults", "forecast_places", "path_dates"]


class FittedPlace(Protocol):
    """What every fit knows of one place."""

    province: str
    basis: str
    n_points: int
    last_date: pd.Timestamp | None
    last_pct: float | None


class ModelResults(ABC):
    """A fitted model of one measure (percent) for every place.

    Subclasses hold ``panel`` (the figures, with ``province`` and ``date``)
    and ``method``, say which places they describe (:meth:`_fitted`) and
    predict one place (:meth:`predict`); :meth:`forecast`, :meth:`summary`
    and :meth:`history` are the same for every model.
    """

    panel: pd.DataFrame
    method: str
    pooled: dict

    @abstractmethod
    def _fitted(self) -> Mapping[str, FittedPlace]:
        """Every described place by its official name."""

    @abstractmethod
    def predict(
        self,
        province: str,
        dates: Sequence | pd.DatetimeIndex,
        *,
        levels: Sequence[int] = (80, 95),
        observation: bool = True,
    ) -> pd.DataFrame:
        """``province, date, mean, lower, upper, level`` (percent) of one place at dates."""

    @abstractmethod
    def simulate(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Latent paths (percent) of one place from its last figure until a date."""

    @abstractmethod
    def nowcast(self, as_of: str | pd.Timestamp | None = None, **options) -> pd.DataFrame:
        """Every place on a date: ``province, date, mean, lower, upper, level, basis, ...``."""

    @abstractmethod
    def plot(self, province: str, **options):
        """Fan chart of one place; returns the matplotlib Axes."""

    def _place(self, province: str) -> FittedPlace:
        """What the fit knows of one place (official name or alias)."""
        name = normalise_province(province)
        fitted = self._fitted()
        if name not in fitted:
            raise PerjakaError(f"{name} is not among the fitted places")
        return fitted[name]

    def _history_start(self, place: FittedPlace) -> pd.Timestamp:
        """First date of a place's :meth:`history`: the panel's first figure."""
        return pd.Timestamp(self.panel["date"].min())

    @property
    def data_end(self) -> pd.Timestamp:
        """Date of the latest figure in the panel."""
        return pd.Timestamp(self.panel["date"].max())

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
            Last forecast date (after the latest figure).
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
            (percent), sorted by province, level and date; intervals for a
            newly published figure. Stable signature: ``forecast(until, *,
            levels, freq, provinces)``.

        Raises
        ------
        PerjakaError
            If ``until`` is not after the latest figure.
        """
        fitted = self._fitted()
        names = [self._place(p).province for p in provinces] if provinces else list(fitted)
        return forecast_places(
            self.predict, fitted, names, until, self.data_end, levels=levels, freq=freq
        )

    def history(self, province: str) -> pd.DataFrame:
        """The fitted latent path of a place, quarterly, from the panel's first figure
        (for a registration trend: or the day the province was established, if later)
        to the place's last figure (or the panel's end).

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean`` (percent); empty when the span is shorter
            than a quarter.
        """
        place = self._place(province)
        end = place.last_date or self.data_end
        dates = pd.date_range(self._history_start(place), end, freq="QE")
        if len(dates) == 0:
            return pd.DataFrame(columns=["province", "date", "mean"])
        frame = self.predict(place.province, dates, levels=(80,), observation=False)
        return frame[["province", "date", "mean"]]

    def summary(self) -> pd.DataFrame:
        """One row per place: the figures behind it, its level now and its yearly change.

        Returns
        -------
        pandas.DataFrame
            ``province, basis, n_points, last_date, last_pct, level_pct``
            (the prediction at the latest panel date), ``change_pp_per_year``
            (over the year before it) and ``method``; the pooled estimates
            in ``.attrs["pooled"]``.
        """
        end = self.data_end
        rows = []
        for name, place in self._fitted().items():
            now = self.predict(name, [end - pd.DateOffset(years=1), end], levels=(80,))
            rows.append(
                {
                    "province": name,
                    "basis": place.basis,
                    "n_points": place.n_points,
                    "last_date": place.last_date,
                    "last_pct": place.last_pct,
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


def path_dates(
    start: pd.Timestamp, until: str | pd.Timestamp, freq: str = "MS"
) -> pd.DatetimeIndex:
    """Dates of simulated paths: ``start`` (a last figure), then every ``freq`` to ``until``.

    Examples
    --------
    >>> path_dates(pd.Timestamp("2025-01-15"), "2025-03-01").strftime("%Y-%m-%d").tolist()
    ['2025-01-15', '2025-02-01', '2025-03-01']
    """
    dates = pd.date_range(start, pd.Timestamp(until), freq=freq)
    dates = dates[dates >= start]
    if len(dates) == 0 or dates[0] != start:
        dates = pd.DatetimeIndex([start]).append(dates)
    return dates


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

    What :meth:`ModelResults.forecast` returns:
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
