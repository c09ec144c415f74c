"""Facts about employers: inspections per province, the scoring task, lists, risk by group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ReportConfig
from ..datasets import load_employer_compliance
from ..io import data_dir
from ..loaders import read_registry
from ..public_figures import SMALL_GROUPS, capacity_rule
from .schema import LIST_ROWS, _frame

SHIPPED_REGISTRY = "synthetic/employers.parquet"


def registry_path(config: ReportConfig) -> Path:
    """The registry of a run: the configured one, or the shipped synthetic one."""
    return Path(config.registry) if config.registry else data_dir() / SHIPPED_REGISTRY


def compute_risk_by(scored: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """Employers, mean risk, listed employers and expected workers by sector, district, size.

    A group of fewer than ``k`` employers of its province would disclose
    those employers' risk: such groups are pooled into one group
    :data:`perjaka_analysis.public_figures.SMALL_GROUPS` per province and
    grouping, which is left out when it too has fewer than ``k`` employers.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored registry (``province, sector, district, size_band, risk,
        on_list, expected_unregistered_workers``).
    k : int, optional
        Smallest group shown (default
        :data:`perjaka_analysis.employers.disclosure.K_ANONYMITY`).

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["A"] * 3, "sector": ["x", "x", "y"],
    ...     "district": ["d"] * 3, "size_band": ["s"] * 3, "risk": [0.2, 0.4, 0.9],
    ...     "on_list": [False, True, True], "expected_unregistered_workers": [0.0, 1.0, 2.0]})
    >>> r = compute_risk_by(s, k=1)
    >>> r[r.grouping == "sector"][["group", "employers", "mean_risk", "on_list"]].values.tolist()
    [['x', 2, 0.3, 1], ['y', 1, 0.9, 1]]
    >>> r = compute_risk_by(s, k=2)  # y (one employer) is pooled; the pool is too small
    >>> r[r.grouping == "sector"][["group", "employers"]].values.tolist()
    [['x', 2]]
    """
    if k is None:
        # heavy: the constant lives beside the scikit-learn model (see score_employers)
        from ..employers.disclosure import K_ANONYMITY

        k = K_ANONYMITY
    frames = []
    for by in ("sector", "district", "size_band"):
        g = (
            scored.assign(_risk_sum=scored["risk"])
            .groupby(["province", by], observed=True, sort=True)
            .agg(
                employers=("risk", "size"),
                _risk_sum=("_risk_sum", "sum"),
                on_list=("on_list", "sum"),
                expected_unregistered_workers=("expected_unregistered_workers", "sum"),
            )
        )
        g = g.reset_index().rename(columns={by: "group"})
        g["group"] = g["group"].astype(str)
        small = g["employers"] < k
        pooled = (
            g[small]
            .groupby("province", sort=True)[
                ["employers", "_risk_sum", "on_list", "expected_unregistered_workers"]
            ]
            .sum()
            .reset_index()
            .assign(group=SMALL_GROUPS)
        )
        g = pd.concat([g[~small], pooled[pooled["employers"] >= k]], ignore_index=True)
        g["mean_risk"] = g["_risk_sum"] / g["employers"]
        g = g.drop(columns="_risk_sum").sort_values(["province", "group"], kind="stable")
        g.insert(1, "grouping", by)
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["employers"] = out["employers"].astype("int64")
    out["on_list"] = out["on_list"].astype("int64")
    out["mean_risk"] = out["mean_risk"].round(12)
    return _frame("risk_by", out)


def compute_inspection_list(listed: pd.DataFrame, n: int | None = LIST_ROWS) -> pd.DataFrame:
    """The top ``n`` listed employers of each province, by rank (pseudonyms only).

    ``n=None`` keeps every listed employer (the full plan).

    Examples
    --------
    >>> listed = pd.DataFrame({"province": ["A", "A", "B"], "rank_in_province": [2, 1, 1],
    ...     "pseudonym": ["p2", "p1", "q1"], "district": "d", "sector": "s", "risk": 0.5,
    ...     "reason_codes": "arrears", "expected_unregistered_workers": 1.0})
    >>> compute_inspection_list(listed, n=1)["pseudonym"].tolist()
    ['p1', 'q1']
    """
    frame = listed.copy()
    if "pseudonym" not in frame:
        frame["pseudonym"] = frame["employer_id"].astype(str)
    frame = frame.sort_values(["province", "rank_in_province"], kind="stable")
    if n is not None:
        frame = frame.groupby("province", sort=False).head(n)
    for name in ("district", "sector", "size_band", "risk_band", "reason_codes", "reason_bands"):
        if name not in frame:
            frame[name] = ""
        frame[name] = frame[name].fillna("").astype(str)
    if "workers_band" not in frame:  # the disclosure-safe band when the list has one
        frame["workers_band"] = band_workers(frame["expected_unregistered_workers"])
    frame["workers_band"] = frame["workers_band"].fillna("").astype(str)
    if "disclosure_level" not in frame:
        frame["disclosure_level"] = 0
    if n is not None:
        return _frame("inspection_list", frame)
    # the full plan: how each employer was chosen and the plan it is on
    for name in ("selection", "inspection_list", "model_version", "data_date"):
        frame[name] = frame[name].fillna("").astype(str) if name in frame else ""
    if "inclusion_probability" not in frame:
        frame["inclusion_probability"] = np.nan
    return _frame("inspection_plan", frame)


def band_workers(expected: pd.Series) -> pd.Series:
    """Expected unregistered workers in bands (see ``employers.disclosure.band_workers``).

    Examples
    --------
    >>> band_workers(pd.Series([0.4, 350.0])).tolist()
    ['< 1', '≥ 100']
    """
    # heavy: the employers package loads scikit-learn; a brief kernel reads the bands
    # from the facts and never calls this
    from ..employers.disclosure import band_workers as bands

    return bands(expected)


def score_employers(config: ReportConfig, key: bytes) -> dict[str, Any]:
    """Score the run's registry; return what the facts need (runs in a worker).

    Returns plain frames, so a worker on another machine needs nothing of
    the client's filesystem beyond the registry path it is given.
    """
    # heavy: scikit-learn (the risk model), imported only when a run scores a registry;
    # a brief kernel that reads the facts never loads it
    from ..employers import disclosure_safe_list, score_registry
    from ..employers.disclosure import K_ANONYMITY
    from ..employers.score import BLEND_OFFSET

    reg_path = registry_path(config)
    registry = read_registry(reg_path)
    synthetic = "true_risk" in registry.columns or str(reg_path).endswith(SHIPPED_REGISTRY)
    capacity = compute_capacity(registry["province"].value_counts(sort=False), config.capacity)
    scored = score_registry(
        registry,
        capacity=dict(zip(capacity["province"], capacity["capacity"], strict=True)),
        key=key,
        random_state=config.seed,
    )
    listed = scored[scored["on_list"]].reset_index(drop=True)
    # what a shareable brief may show of each listed employer (k-anonymous bands)
    safe = disclosure_safe_list(scored, registry, key=key)
    facts_shown = [
        "district", "sector", "size_band", "risk_band", "workers_band", "reason_codes",
        "reason_bands",
    ]  # fmt: skip
    shown = [*facts_shown, "disclosure_level"]
    # a province with fewer than k employers: nothing about its listed employers is shown
    few = safe["class_size"] < K_ANONYMITY
    safe.loc[few, facts_shown] = ""
    safe = safe.set_index(safe.columns[0])[shown]
    listed = listed.drop(columns=shown, errors="ignore").join(
        safe, on=listed.columns[0] if "pseudonym" not in listed else "pseudonym"
    )

    return {
        "blend_offset": BLEND_OFFSET,
        "listed": listed,
        "counts": scored.groupby("province").size(),
        "risk_by": compute_risk_by(scored),
        "synthetic": bool(synthetic),
        "capacity": capacity,
    }


def compute_capacity(counts: pd.Series, capacity: int = 0) -> pd.DataFrame:
    """Inspections per province of a registry, and the rule that set them.

    Parameters
    ----------
    counts : pandas.Series
        Employers in the registry per province.
    capacity : int
        A number for every province (capped at its employers), or 0: the
        public-figures rule (:func:`~perjaka_analysis.public_figures.capacity_rule`
        on ``employer_compliance.csv``).

    Returns
    -------
    pandas.DataFrame
        The ``capacity`` table of the facts, one row per province with
        employers, sorted by name.

    Examples
    --------
    >>> t = compute_capacity(pd.Series({"Aceh": 300, "Bali": 40}), 50)
    >>> t[["province", "capacity", "rule", "whole_registry"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'province': 'Aceh', 'capacity': 50, 'rule': 'given', 'whole_registry': False},
     {'province': 'Bali', 'capacity': 40, 'rule': 'given', 'whole_registry': True}]
    """
    counts = counts[counts > 0].sort_index()
    if capacity:
        cap = counts.clip(upper=int(capacity)).astype("int64")
        table = pd.DataFrame(
            {
                "province": counts.index,
                "n_registry": counts.to_numpy("int64"),
                "capacity": cap.to_numpy(),
                "rule": "given",
                "public_metric": "",
                "public_count": np.nan,
                "public_date": pd.NaT,
                "registered_employers": np.nan,
                "whole_registry": (cap >= counts).to_numpy(bool),
                "registered_date": pd.NaT,
            }
        )
    else:
        table = capacity_rule(counts, load_employer_compliance())
    return _frame("capacity", table)
