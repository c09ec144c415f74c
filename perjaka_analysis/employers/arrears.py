"""What employer arrears cost active participation.

When an employer does not pay its contributions, the JKN cover of its
workers and their registered family members is suspended from the following
month until the arrears are paid (Perpres 82/2018 art. 42, as amended by
Perpres 64/2020): they stay registered but are not *active*. Since 2024 a
region is UHC only when at least 80% of its residents are active, so every
employer in arrears costs active participation, and enforcement that makes
an employer pay its arrears brings its workers and family members back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets import load_provinces
from ..errors import PerjakaError

__all__ = ["compute_arrears_cost", "inactive_by_arrears"]


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def inactive_by_arrears(registry: pd.DataFrame) -> pd.DataFrame:
    """Participants of each employer that are inactive because it is in arrears.

    Returns
    -------
    pandas.DataFrame
        ``inactive_workers`` (registered workers) and ``inactive_dependants``
        (registered family members; a missing count counts as 0) of employers
        with at least one month in arrears; 0 for the others.

    Examples
    --------
    >>> reg = pd.DataFrame({"workers_registered": [10, 4], "dependants_registered": [12, 3],
    ...                     "months_in_arrears": [2, 0]})
    >>> inactive_by_arrears(reg).to_dict("list")
    {'inactive_workers': [10.0, 0.0], 'inactive_dependants': [12.0, 0.0]}
    """
    in_arrears = _num(registry, "months_in_arrears").fillna(0) > 0
    workers = _num(registry, "workers_registered").fillna(0)
    deps = _num(registry, "dependants_registered").fillna(0)
    return pd.DataFrame(
        {
            "inactive_workers": workers.where(in_arrears, 0.0),
            "inactive_dependants": deps.where(in_arrears, 0.0),
        },
        index=registry.index,
    )


def compute_arrears_cost(
    registry: pd.DataFrame,
    scored: pd.DataFrame | None = None,
    *,
    top_k: int | None = None,
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Per province: participants inactive because of employer arrears, and what
    the inspection list would regain if its employers paid.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry (real or synthetic).
    scored : pandas.DataFrame, optional
        Output of :func:`~.score.score_registry` for this registry (its
        ``on_list``, ``rank_in_province``, ``inactive_workers`` and
        ``inactive_dependants`` columns). Without it only the cost is given.
    top_k : int, optional
        Employers per province that pay their arrears in the scenario: the
        first ``top_k`` of the list (default: every listed employer).
    population : pandas.Series, optional
        Residents per province, to express the regained participants as
        points of the active share (default: ``provinces.csv``).

    Returns
    -------
    pandas.DataFrame
        Indexed by province: ``employers``, ``employers_in_arrears``,
        ``inactive_workers``, ``inactive_dependants``,
        ``inactive_participants``; with ``scored`` also
        ``listed_in_arrears``, ``regained_workers``,
        ``regained_dependants``, ``regained_participants`` and
        ``regained_active_pp`` (percentage points of the population; NaN
        where the population is unknown).

    Examples
    --------
    >>> reg = pd.DataFrame({"province": ["Aceh"] * 3, "workers_registered": [10, 4, 6],
    ...                     "dependants_registered": [12, 3, 1],
    ...                     "months_in_arrears": [2, 0, 1]})
    >>> compute_arrears_cost(reg).loc["Aceh", "inactive_participants"]
    np.float64(29.0)
    """
    if top_k is not None and top_k < 1:
        raise PerjakaError(f"top_k must be at least 1, got {top_k}")
    inactive = inactive_by_arrears(registry)
    prov = registry["province"]
    out = pd.DataFrame(
        {
            "employers": prov.value_counts(),
            "employers_in_arrears": (_num(registry, "months_in_arrears").fillna(0) > 0)
            .groupby(prov)
            .sum(),
            "inactive_workers": inactive["inactive_workers"].groupby(prov).sum(),
            "inactive_dependants": inactive["inactive_dependants"].groupby(prov).sum(),
        }
    ).fillna(0)
    out["employers_in_arrears"] = out["employers_in_arrears"].astype(int)
    out["inactive_participants"] = out["inactive_workers"] + out["inactive_dependants"]
    out.index.name = "province"
    if scored is None:
        return out.sort_index()
    need = {"on_list", "rank_in_province", "inactive_workers", "inactive_dependants", "province"}
    missing = sorted(need - set(scored.columns))
    if missing:
        raise PerjakaError(f"compute_arrears_cost: the scored table lacks {', '.join(missing)}")
    pays = scored["on_list"].astype(bool)
    if top_k is not None:
        rank = pd.to_numeric(scored["rank_in_province"], errors="coerce")
        pays &= (rank <= top_k).fillna(False)
    listed = scored[pays]
    in_arrears = listed["inactive_workers"] + listed["inactive_dependants"] > 0
    by = listed["province"]
    out["listed_in_arrears"] = in_arrears.groupby(by).sum().reindex(out.index).fillna(0).astype(int)
    out["regained_workers"] = listed["inactive_workers"].groupby(by).sum().reindex(out.index)
    out["regained_dependants"] = listed["inactive_dependants"].groupby(by).sum().reindex(out.index)
    out[["regained_workers", "regained_dependants"]] = out[
        ["regained_workers", "regained_dependants"]
    ].fillna(0)
    out["regained_participants"] = out["regained_workers"] + out["regained_dependants"]
    if population is None:
        population = load_provinces().set_index("province")["population"].astype(float)
    pop = population.reindex(out.index).astype(float)
    out["regained_active_pp"] = np.where(pop > 0, 100 * out["regained_participants"] / pop, np.nan)
    return out.sort_index()
