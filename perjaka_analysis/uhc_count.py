"""How many provinces were UHC on a date: the national count as evidence.

Besides the reports about single provinces, the national count of provinces
that met both conditions of today's definition is published now and then
(:func:`perjaka_analysis.datasets.load_uhc_counts`: 15 on 2025-06-17, 31 of
38 on 2025-12-31 by the UHC Awards 2026). The models fit each province on its
own figures and reports and never see that count, so the sum of their
probabilities on the count's date can disagree with it.

The count is used as evidence by conditioning. On the count's date ``d``
each province ``i`` meets both conditions with probability ``q_i`` (the share
of its joint paths that do); taken as independent across provinces (an
approximation: they share the national path), the number that meet them is
Poisson-binomial, and Bayes' rule gives::

    P(X_i = 1 | S = n) = q_i P(S_-i = n - 1) / P(S = n)

where ``S_-i`` counts the other provinces. Each path of province ``i`` is
weighted by the likelihood of the count given that path — ``P(S_-i = n - 1)``
when the path meets both conditions on ``d``, ``P(S_-i = n)`` when it does
not — and the paths are resampled with those weights (systematic
resampling, seeded), so every probability and date computed from them
afterwards is conditioned on the count. A count older than
:data:`MAX_COUNT_AGE_MONTHS` at the brief's date is not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import PerjakaError

__all__ = [
    "MAX_COUNT_AGE_MONTHS",
    "condition_on_count",
    "count_distribution",
    "count_weights",
    "latest_count",
    "resample_paths",
]

#: A national count older than this at the brief's date is not used as evidence.
MAX_COUNT_AGE_MONTHS = 12


def count_distribution(q: np.ndarray) -> np.ndarray:
    """Distribution of the number of independent events that happen (Poisson-binomial).

    Parameters
    ----------
    q : array of float
        Probability of each event.

    Returns
    -------
    ndarray, length ``len(q) + 1``
        ``P(S = k)`` for ``k = 0 .. len(q)``.

    Examples
    --------
    >>> count_distribution(np.array([0.5, 0.5])).tolist()
    [0.25, 0.5, 0.25]
    """
    pmf = np.zeros(len(q) + 1)
    pmf[0] = 1.0
    for k, p in enumerate(np.asarray(q, dtype=float), start=1):
        pmf[1 : k + 1] = pmf[1 : k + 1] * (1 - p) + pmf[:k] * p
        pmf[0] *= 1 - p
    return pmf


def count_weights(q: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Likelihood of a count of ``n`` for each event, given that it happened or not.

    Parameters
    ----------
    q : array of float
        Probability of each event (of each province meeting both conditions).
    n : int
        How many happened (the published count).

    Returns
    -------
    if_met, if_not : ndarray
        ``P(S_-i = n - 1)`` and ``P(S_-i = n)`` for every ``i``.

    Raises
    ------
    PerjakaError
        If ``n`` is outside ``0 .. len(q)``.
    """
    q = np.asarray(q, dtype=float)
    if not 0 <= n <= len(q):
        raise PerjakaError(f"a count of {n} is impossible among {len(q)} places")
    if_met, if_not = np.zeros(len(q)), np.zeros(len(q))
    for i in range(len(q)):
        pmf = count_distribution(np.delete(q, i))
        if_met[i] = pmf[n - 1] if n >= 1 else 0.0
        if_not[i] = pmf[n] if n <= len(q) - 1 else 0.0
    return if_met, if_not


def condition_on_count(q: np.ndarray, n: int) -> np.ndarray:
    """Probability of each event given that exactly ``n`` of them happened.

    Parameters
    ----------
    q : array of float
        Probability of each event, independent.
    n : int

    Returns
    -------
    ndarray
        ``P(X_i = 1 | S = n)``; they sum to ``n``.

    Examples
    --------
    >>> condition_on_count(np.array([0.9, 0.2]), 1).round(3).tolist()
    [0.973, 0.027]
    """
    q = np.asarray(q, dtype=float)
    if_met, if_not = count_weights(q, n)
    met, not_met = q * if_met, (1 - q) * if_not
    total = met + not_met
    if np.any(total <= 0):
        raise PerjakaError(f"a count of {n} has probability 0 under these probabilities")
    return met / total


def resample_paths(met: np.ndarray, if_met: float, if_not: float, *, seed: int) -> np.ndarray:
    """Row indices of paths resampled with weight ``if_met`` or ``if_not`` (systematic).

    Parameters
    ----------
    met : array of bool
        Whether each path meets the condition on the count's date.
    if_met, if_not : float
        The count's likelihood given each (:func:`count_weights`).
    seed : int

    Returns
    -------
    ndarray of int
        As many indices as paths, sorted; every path appears about its
        weight's share of the total times.

    Examples
    --------
    Weight 3 on the first of four paths, 1 on the others: half of the draws
    are the first path.

    >>> resample_paths(np.array([True, False, False, False]), 3.0, 1.0, seed=0).tolist()
    [0, 0, 1, 3]
    """
    met = np.asarray(met, dtype=bool)
    w = np.where(met, if_met, if_not).astype(float)
    if w.sum() <= 0:
        return np.arange(len(met))
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    u = (np.random.default_rng(seed).random() + np.arange(len(met))) / len(met)
    return np.searchsorted(cum, u, side="right")


def latest_count(counts: pd.DataFrame | None, as_of: str | pd.Timestamp) -> pd.Series | None:
    """The latest national count dated and published on or before ``as_of``.

    Parameters
    ----------
    counts : pandas.DataFrame or None
        :func:`perjaka_analysis.datasets.load_uhc_counts` output.
    as_of : date

    Returns
    -------
    pandas.Series or None
        Its row (``date, n_provinces, source_url, published``); ``None``
        when there is none, or it is older than :data:`MAX_COUNT_AGE_MONTHS`.
    """
    if counts is None or counts.empty:
        return None
    as_of = pd.Timestamp(as_of)
    seen = counts[
        (pd.to_datetime(counts["date"]) <= as_of) & (pd.to_datetime(counts["published"]) <= as_of)
    ]
    if seen.empty:
        return None
    row = seen.sort_values("date").iloc[-1]
    if pd.Timestamp(row["date"]) < as_of - pd.DateOffset(months=MAX_COUNT_AGE_MONTHS):
        return None
    return row
