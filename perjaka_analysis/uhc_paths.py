"""Paths of registration and active share of one place, drawn and paired.

:func:`simulate_measures` draws the monthly paths of both measures of a place,
each from its own model; :meth:`MeasurePaths.paired` makes them dependent
(:func:`couple_paths`); :func:`draw_joint_paths` does both.

Registration paths come from the registration trend, active paths from the
active-share model; each is drawn on its own. They are then paired with a
Gaussian copula on their values on the date asked about — the deadline for
the probability by the deadline, the brief's date for today's — with rank
correlation ``rho``, which keeps both marginal distributions exactly. When the active model
describes the share of registered participants who are active (as the briefs
fit it), that share is what is paired with registration, and the active share
of population is the product of the two on the same path; otherwise the
active share of population is paired directly and capped at the registration
share of the same path and date (nobody is active without being registered).

Why positive: regional governments enrol residents and pay their
contributions (PBI APBD, PBPU Pemda), which raises registration and the share
of participants who pay at once, and employer enforcement registers workers
whose contributions are then paid; the cleansing of inactive members pulls
the other way (registration falls, the paying share rises). The value is the
one the saturation-years backtest of the joint status supports
(``benchmarks/uhc_backtest.py --rho-grid``: over 166 status reports and
pairs of figures, 27 places, origins 2023-01 to 2025-07, the Brier score
falls steadily from independence, 0.163, to comonotone paths, 0.132; table
in ``docs/models.md``). :func:`perjaka_analysis.uhc.dependence_sensitivity` shows the answer for
independence (0), 0.5 and the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import PerjakaError

__all__ = [
    "DEFAULT_RHO",
    "MeasurePaths",
    "column_on",
    "couple_paths",
    "draw_joint_paths",
    "simulate_measures",
]

#: Default rank correlation of the registration and active paths: comonotone, the
#: value the saturation-years backtest of the joint status supports (module docs).
DEFAULT_RHO = 1.0


def couple_paths(
    registration_paths: np.ndarray,
    active_paths: np.ndarray,
    *,
    rho: float = DEFAULT_RHO,
    at: int = -1,
    rng: np.random.Generator,
    cap: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Pair independently drawn paths with a given rank dependence, then cap active.

    Paths are paired by a Gaussian copula on their values in column ``at``
    (correlation ``rho``): each measure keeps exactly its own set of paths,
    only the pairing changes. Then, with ``cap``, the active share is capped
    at the registration share of the same path and date.

    Parameters
    ----------
    registration_paths, active_paths : ndarray, shape (n, T)
    rho : float
        Copula correlation in [-1, 1]; 0 pairs at random, 1 pairs by rank.
    at : int
        Column whose values are ranked (default the last).
    rng : numpy.random.Generator
    cap : bool
        Cap the active paths at the registration paths (both shares of
        population); ``False`` when ``active_paths`` is a share of
        registered participants.

    Returns
    -------
    registration, active : ndarray, shape (n, T)
        Paired paths (registration sorted by its value in column ``at``).

    Examples
    --------
    >>> r = np.array([[99.0], [97.0], [98.0]])
    >>> a = np.array([[70.0], [90.0], [80.0]])
    >>> rr, aa = couple_paths(r, a, rho=1.0, rng=np.random.default_rng(0))
    >>> rr[:, 0].tolist(), aa[:, 0].tolist()
    ([97.0, 98.0, 99.0], [70.0, 80.0, 90.0])
    """
    if not -1 <= rho <= 1:
        raise PerjakaError(f"rho must be between -1 and 1, got {rho}")
    reg = np.asarray(registration_paths, dtype=float)
    act = np.asarray(active_paths, dtype=float)
    if reg.shape != act.shape:
        raise PerjakaError(f"paths of different shapes: {reg.shape} and {act.shape}")
    n = len(reg)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n, method="eigh")
    if rho == 1:
        z[:, 1] = z[:, 0]
    order_z1 = np.argsort(z[:, 0], kind="stable")
    rank_z2 = np.argsort(np.argsort(z[:, 1], kind="stable"), kind="stable")
    r_sorted = np.argsort(reg[:, at], kind="stable")
    a_sorted = np.argsort(act[:, at], kind="stable")
    reg_out = reg[r_sorted]
    act_out = act[a_sorted[rank_z2[order_z1]]]
    return reg_out, np.minimum(act_out, reg_out) if cap else act_out


def column_on(dates: pd.DatetimeIndex, when: str | pd.Timestamp) -> int:
    """Index of the latest path date on or before ``when`` (the first date if earlier).

    Examples
    --------
    >>> d = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    >>> column_on(d, "2025-02-15"), column_on(d, "2024-12-31"), column_on(d, "2030-01-01")
    (1, 0, 2)
    """
    return max(int(np.searchsorted(dates, pd.Timestamp(when), side="right")) - 1, 0)


def _on_grid(dates: pd.DatetimeIndex, paths: np.ndarray, grid: pd.DatetimeIndex) -> np.ndarray:
    """Columns of ``paths`` at the latest path date on or before each grid date."""
    idx = np.searchsorted(dates.values, grid.values, side="right") - 1
    return paths[:, np.clip(idx, 0, None)]


@dataclass(frozen=True)
class MeasurePaths:
    """Monthly simulated paths of both measures of one place, not yet paired.

    Attributes
    ----------
    dates : DatetimeIndex
        From the later of the two measures' last figures, then month starts.
    registration : ndarray, shape (n_paths, len(dates))
        Registration, percent of population.
    active : ndarray, shape (n_paths, len(dates))
        Active share: of registered participants when ``participants``,
        else of population.
    participants : bool
    seed : int
        The seed the paths were drawn with (also seeds the pairing).
    """

    dates: pd.DatetimeIndex
    registration: np.ndarray
    active: np.ndarray
    participants: bool
    seed: int

    def paired(
        self, at: str | pd.Timestamp, *, rho: float = DEFAULT_RHO
    ) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
        """Registration and active share of population, paired on their values at ``at``.

        Parameters
        ----------
        at : date
            The paths' values on this date (the latest path date on or
            before it) are ranked and paired (:func:`couple_paths`).
        rho : float

        Returns
        -------
        dates : DatetimeIndex
        registration_paths, active_paths : ndarray, shape (n_paths, len(dates))
            Both shares of population.
        """
        n = len(self.registration)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 2024, n]))
        reg, act = couple_paths(
            self.registration,
            self.active,
            rho=rho,
            at=column_on(self.dates, at),
            rng=rng,
            cap=not self.participants,
        )
        if self.participants:
            return self.dates, reg, np.minimum(act * reg / 100, reg)
        return self.dates, reg, act


def simulate_measures(
    registration,
    active,
    province: str,
    *,
    until: str | pd.Timestamp,
    n_paths: int = 2000,
    seed: int = 0,
) -> MeasurePaths:
    """Monthly paths of both measures of one place, each drawn on its own.

    Parameters
    ----------
    registration : TrendResults
        Fitted registration trend (``.simulate``).
    active : ActiveResults
        Fitted active-share model (``.simulate``; ``.simulate_share`` when it
        describes the share of registered participants, ``active.scale ==
        "participants"``).
    province : str
    until : date
        Last date of the paths.
    n_paths, seed : int

    Returns
    -------
    MeasurePaths
    """
    d_r, p_r = registration.simulate(province, until, n_paths=n_paths, seed=seed, freq="MS")
    participants = getattr(active, "scale", "population") == "participants"
    if participants:  # the active share of population is a share of the registered
        d_a, p_a = active.simulate_share(province, until, n_paths=n_paths, seed=seed, freq="MS")
    else:
        d_a, p_a = active.simulate(province, until, n_paths=n_paths, seed=seed, freq="MS")
    start = max(d_r[0], d_a[0])
    grid = pd.date_range(start, pd.Timestamp(until), freq="MS")
    grid = pd.DatetimeIndex([start]).append(grid[grid > start])
    reg, act = _on_grid(d_r, p_r, grid), _on_grid(d_a, p_a, grid)
    return MeasurePaths(grid, reg, act, participants, seed)


def draw_joint_paths(
    registration,
    active,
    province: str,
    *,
    until: str | pd.Timestamp,
    deadline: str | pd.Timestamp | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    rho: float = DEFAULT_RHO,
) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Paired monthly paths of registration and active share for one place.

    :func:`simulate_measures`, then :meth:`MeasurePaths.paired` on the deadline.

    Parameters
    ----------
    registration : TrendResults
        Fitted registration trend (``.simulate``).
    active : ActiveResults
        Fitted active-share model (``.simulate``).
    province : str
    until : date
        Last date of the paths.
    deadline : date, optional
        The date whose values are paired (default ``until``).
    n_paths, seed : int
    rho : float
        See :func:`couple_paths`. When the active model describes the share
        of registered participants (``active.scale == "participants"``),
        that share is paired with registration and each active path is the
        share times the registration path of the same row.

    Returns
    -------
    dates : DatetimeIndex
        From the later of the two measures' last figures, then month starts.
    registration_paths, active_paths : ndarray, shape (n_paths, len(dates))
    """
    paths = simulate_measures(
        registration, active, province, until=until, n_paths=n_paths, seed=seed
    )
    return paths.paired(deadline or until, rho=rho)
