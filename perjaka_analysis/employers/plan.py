"""Inspection plans that can be fed back: who is listed, why, and with what probability.

A plan lists, per province, the employers a team is to visit. Most are
*ranked* (the highest priority among the employers not inspected yet); a
reserve of the capacity (:data:`RANDOM_SHARE`, 5% by default) is drawn at
random among the other uninspected employers of the province. Every
uninspected employer therefore has a known, positive probability of being
on the plan (its ``inclusion_probability``: 1 for ranked picks, the
reserve's sampling fraction for everybody else), and the reserve is made
large enough that no uninspected employer's probability is below
:data:`MIN_INCLUSION`. When the findings of the plan come back with these
probabilities (:mod:`.outcomes`), the evaluation weights each finding by the
inverse of its probability and needs to estimate nothing about who was
inspected.

Each plan carries an id (``inspection_list``), the version of the model that
ranked it (``model_version``) and the date of its data (``data_date``), and
the empty columns a team fills in after its visits (:data:`OUTCOME_COLUMNS`,
the outcomes contract), so that a filled-in copy of the plan is an outcomes
file.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, PerjakaError

__all__ = [
    "MIN_INCLUSION",
    "OUTCOME_COLUMNS",
    "PLAN_META",
    "RANDOM_SHARE",
    "WholeRegistryWarning",
    "check_plan_parameters",
    "draw_plan",
    "id_ranks",
    "plan_id",
    "reserve_size",
    "reserve_sizes",
]

#: Share of each province's capacity drawn at random among uninspected
#: employers by default. Enough random picks for the findings of one round to
#: correct the evaluation for who was inspected (the ranked picks are all
#: high-risk; without random ones nothing is known of the rest of the
#: registry but what the model says of it), at a cost of at most this share
#: of the plan's expected yield.
RANDOM_SHARE = 0.05
#: Smallest inclusion probability of an uninspected employer in a province
#: whose capacity does not cover it: the reserve is enlarged beyond
#: :data:`RANDOM_SHARE` where needed. Inverse-probability weights are then at
#: most 1 / MIN_INCLUSION (500), and a province of 20,000 uninspected
#: employers contributes at least 40 random findings per round. A higher
#: floor gives more precise corrected figures and a poorer plan: on
#: 200,000-employer registries with a capacity of 480 (``benchmarks/
#: inspection_loop.py``), floors of 0, 0.002 and 0.005 keep 0.972, 0.958 and
#: 0.920 of the best plan's unregistered workers, and leave a standard error
#: of 0.022, 0.014 and 0.010 on the corrected base rate.
MIN_INCLUSION = 0.002
#: Columns a team fills in after its visits (the outcomes contract), empty on the plan.
OUTCOME_COLUMNS = (
    "inspected_on",
    "noncompliant",
    "workers_registered_after",
    "dependants_registered_after",
    "arrears_recovered_idr",
    "referred_to_prosecutor",
)
#: Plan-level columns repeated on every row of a plan.
PLAN_META = ("inspection_list", "model_version", "data_date")


class WholeRegistryWarning(DataQualityWarning):
    """The capacity covers every uninspected employer of a province: nothing is ranked."""


def check_plan_parameters(random_share: float, min_inclusion: float) -> None:
    """Raise a :class:`~perjaka_analysis.errors.PerjakaError` naming a share out of range.

    ``random_share`` must be in [0, 1] and ``min_inclusion`` in [0, 1) (NaN is
    neither).

    Examples
    --------
    >>> check_plan_parameters(0.05, 0.002)
    >>> check_plan_parameters(0.05, 1.0)
    Traceback (most recent call last):
    ...
    perjaka_analysis.errors.PerjakaError: min_inclusion must be in [0, 1), got 1.0
    """
    if not 0 <= random_share <= 1:
        raise PerjakaError(f"random_share must be between 0 and 1, got {random_share}")
    if not 0 <= min_inclusion < 1:
        raise PerjakaError(f"min_inclusion must be in [0, 1), got {min_inclusion}")


def reserve_size(capacity: int, n_open: int, share: float, floor: float) -> int:
    """Random picks of a province: ``share`` of its capacity, enlarged to meet ``floor``.

    With ``r`` random picks among the ``n_open - (capacity - r)`` uninspected
    employers not ranked, each of them has probability ``r / pool``; the
    smallest ``r`` with that at least ``floor`` is
    ``ceil(floor * (n_open - capacity) / (1 - floor))``.

    Examples
    --------
    >>> reserve_size(480, 4000, 0.05, 0.002), reserve_size(480, 30000, 0.05, 0.002)
    (24, 60)
    >>> reserve_size(480, 400, 0.05, 0.002), reserve_size(480, 30000, 0.0, 0.002)
    (0, 0)
    """
    if n_open <= capacity or share <= 0:
        return 0
    r = max(round(capacity * share), int(np.ceil(floor * (n_open - capacity) / (1 - floor))))
    return min(capacity, r)


def reserve_sizes(
    prov_code: np.ndarray,
    uninspected: np.ndarray,
    capacity: pd.Series,
    share: float,
    floor: float,
) -> np.ndarray:
    """Each row's province reserve (:func:`reserve_size`), computed once per
    province and capacity.

    Examples
    --------
    >>> reserve_sizes(np.array([0, 0, 1]), np.array([True, True, True]),
    ...               pd.Series([1, 1, 5]), 0.5, 0.0).tolist()
    [0, 0, 0]
    """
    open_in = np.bincount(prov_code, weights=uninspected, minlength=prov_code.max(initial=-1) + 1)
    cap = capacity.to_numpy(dtype="int64")
    span = int(cap.max(initial=0)) + 1
    pair_code, pairs = pd.factorize(prov_code.astype("int64") * span + cap)
    sizes = np.array(
        [reserve_size(int(k % span), int(open_in[k // span]), share, floor) for k in pairs],
        dtype="int64",
    )
    return sizes[pair_code]


def id_ranks(ids: pd.Series) -> np.ndarray:
    """Each row's position in the order of the ids as text (equal ids: file order).

    Examples
    --------
    >>> id_ranks(pd.Series(["b", "a", "c"])).tolist()
    [1, 0, 2]
    """
    ranks = np.empty(len(ids), dtype="int64")
    ranks[ids.astype(str).argsort(kind="stable").to_numpy()] = np.arange(len(ids))
    return ranks


def draw_plan(
    province: pd.Series,
    rank: pd.Series,
    ids: pd.Series,
    capacity: pd.Series,
    *,
    random_share: float = RANDOM_SHARE,
    min_inclusion: float = MIN_INCLUSION,
    random_state: int = 0,
    uninspected: pd.Series | np.ndarray | None = None,
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Who is on the plan (ranked or random) and each uninspected employer's probability.

    Parameters
    ----------
    province : pandas.Series
        Province of every row.
    rank : pandas.Series
        Rank within the province (1 = first) of the uninspected rows; ``<NA>``
        for inspected rows (never listed).
    ids : pandas.Series
        Employer ids (the random draw runs over them in sorted order, so it
        does not depend on file order).
    capacity : pandas.Series
        Each row's province capacity.
    random_share, min_inclusion : float
        See :data:`RANDOM_SHARE` and :data:`MIN_INCLUSION`.
    random_state : int
        Seed of the draw (with the province's name).
    uninspected : array-like of bool, optional
        The employers not inspected yet (default: the rows with a rank). Given
        when only some of them are ranked: the first ones of each province by
        priority, which must include its ranked picks (``score_registry(rows=
        "plan")``); the reserve is still drawn among all of them.

    Returns
    -------
    selection : pandas.Series
        ``ranked``, ``random`` or empty.
    inclusion : pandas.Series
        Probability of being on the plan of every uninspected row (NaN for
        inspected rows).
    whole : list of str
        Provinces whose capacity covers every uninspected employer.
    """
    check_plan_parameters(random_share, min_inclusion)
    open_ = rank.notna().to_numpy() if uninspected is None else np.asarray(uninspected, bool)
    prov_code, names = pd.factorize(province.astype(str), sort=True)
    n_random = pd.Series(
        reserve_sizes(prov_code, open_, capacity, random_share, min_inclusion),
        index=province.index,
    )
    n_open = np.bincount(prov_code, weights=open_, minlength=len(names)).astype("int64")[prov_code]
    cap = capacity.to_numpy(dtype="int64")
    ranked = (rank <= capacity - n_random).fillna(False).astype(bool).to_numpy()
    selection = pd.Series(np.where(ranked, "ranked", ""), index=province.index, dtype=object)
    inclusion = pd.Series(np.where(ranked, 1.0, 0.0), index=province.index)
    inclusion[~open_] = np.nan
    pool = open_ & ~ranked
    if pool.any() and n_random[pool].max() > 0:
        # the pool of each province in id order, from one sort
        at = np.flatnonzero(pool)
        pool_code = prov_code[at]
        at = at[np.lexsort([id_ranks(ids.iloc[at]), pool_code])]
        bounds = np.searchsorted(np.sort(pool_code), np.arange(len(names) + 1))
        wanted = n_random.to_numpy()
        sel, inc = selection.to_numpy(copy=True), inclusion.to_numpy(copy=True)
        for i, prov in enumerate(names):
            rows = at[bounds[i] : bounds[i + 1]]
            k = min(int(wanted[rows[0]]), len(rows)) if len(rows) else 0
            if k == 0:
                continue
            seed = [random_state, *str(prov).encode("utf-8")]
            sel[np.random.default_rng(seed).choice(rows, size=k, replace=False)] = "random"
            inc[rows] = k / len(rows)
        selection = pd.Series(sel, index=province.index, dtype=object)
        inclusion = pd.Series(inc, index=province.index)
    covered = (n_open > 0) & (n_open <= cap)
    whole = sorted({str(p) for p in pd.unique(province.to_numpy()[covered])})
    return selection, inclusion, whole


def warn_whole_registry(provinces: list[str], capacity: pd.Series | int | Mapping) -> None:
    """Warn that the capacity covers every uninspected employer of some provinces."""
    if not provinces:
        return
    shown = ", ".join(provinces[:5]) + (
        f" and {len(provinces) - 5} more" if len(provinces) > 5 else ""
    )
    warnings.warn(
        f"the capacity covers every uninspected employer in {len(provinces)} "
        f"province{'s' if len(provinces) != 1 else ''} ({shown}): their plans list everyone, "
        "so the ranking chooses nothing there; give a smaller --capacity or a larger registry",
        WholeRegistryWarning,
        stacklevel=3,
    )


def plan_id(model_version: str, ids: pd.Series, *parameters: object) -> str:
    """A short id of a plan: the model, the employers it chose from and its parameters.

    The same registry, model and parameters give the same id.

    Examples
    --------
    >>> a = plan_id("m1", pd.Series(["x", "y"]), 480, 0.05)
    >>> a == plan_id("m1", pd.Series(["y", "x"]), 480, 0.05), a.startswith("PLAN-"), len(a)
    (True, True, 17)
    """
    digest = hashlib.blake2b(digest_size=6)
    digest.update(model_version.encode("utf-8"))
    # hash_pandas_object's values, without the factorizing it does first
    hashed = np.sort(
        pd.util.hash_array(np.asarray(ids.astype(str), dtype=object), categorize=False)
    )
    digest.update(hashed.tobytes())
    digest.update(repr(parameters).encode("utf-8"))
    return "PLAN-" + digest.hexdigest().upper()
