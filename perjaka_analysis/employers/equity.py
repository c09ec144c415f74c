"""Whom the inspection list concentrates on, and whether that is justified.

Over-representation of a group on the list is justified when the group's
employers are more often noncompliant; the table therefore shows, per group,
the outcome rate next to the list's and the registry's shares, and the
list's precision and recall within the group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import PerjakaError
from .features import SIZE_BANDS

__all__ = ["equity_table"]


def _order(grouping: str):
    """Sort key of a grouping's groups: size bands smallest first, others alphabetically."""
    bands = SIZE_BANDS[1]
    if grouping == "size_band":
        return lambda g: (bands.index(g), g) if g in bands else (len(bands), g)
    return lambda g: (0, g)


def equity_table(
    scored: pd.DataFrame,
    *,
    by: Sequence[str] = ("size_band", "sector", "district"),
    province: str | None = None,
    outcome: str = "risk",
) -> pd.DataFrame:
    """Who the inspection list concentrates on, against the whole registry.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`perjaka_analysis.employers.score_registry` (with
        ``on_list`` and the grouping columns), optionally joined with an
        outcome column.
    by : sequence of str
        Groupings: ``size_band``, ``sector``, ``district``.
    province : str, optional
        Restrict to one province (official name).
    outcome : str
        Column holding each employer's outcome or its probability: ``risk``
        (default; expected figures), or e.g. ``true_noncompliant`` on
        synthetic data.

    Returns
    -------
    pandas.DataFrame
        ``grouping, group`` (size bands smallest first, other groups in
        alphabetical order), ``registry_n, registry_share, list_n, list_share,
        ratio`` (list share / registry share; above 1 = over-represented),
        ``outcome_rate`` (noncompliance rate of the group in the registry),
        ``precision`` (rate among the group's listed employers) and
        ``recall`` (share of the group's noncompliant employers that are
        listed).

    Examples
    --------
    >>> s = pd.DataFrame({"sector": ["C", "C", "G", "G"], "on_list": [True, False, True, False],
    ...                   "risk": [0.8, 0.2, 0.4, 0.0]})
    >>> equity_table(s, by=("sector",))[["group", "precision", "recall"]].to_dict("list")
    {'group': ['C', 'G'], 'precision': [0.8, 0.4], 'recall': [0.8, 1.0]}

    Size bands come smallest first:

    >>> b = s.assign(size_band=["100–499", "1–4", "500+", "20–99"])
    >>> equity_table(b, by=("size_band",))["group"].tolist()
    ['1–4', '20–99', '100–499', '500+']
    """
    if outcome not in scored:
        raise PerjakaError(f"equity_table: no outcome column {outcome!r} in the scored table")
    frame = scored if province is None else scored[scored["province"] == province]
    on_list = frame["on_list"].to_numpy(dtype=bool)
    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    rows = []
    for grouping in by:
        if grouping not in frame:
            continue
        keys = frame[grouping].astype(str).fillna("(missing)").to_numpy()
        for group in sorted(set(keys), key=_order(grouping)):
            member = keys == group
            listed = member & on_list
            n, k = int(member.sum()), int(listed.sum())
            positives = float(np.nansum(y[member]))
            rows.append(
                {
                    "grouping": grouping,
                    "group": group,
                    "registry_n": n,
                    "registry_share": n / len(frame),
                    "list_n": k,
                    "list_share": k / max(int(on_list.sum()), 1),
                    "outcome_rate": float(np.nanmean(y[member])),
                    "precision": float(np.nanmean(y[listed])) if k else np.nan,
                    "recall": float(np.nansum(y[listed])) / positives if positives else np.nan,
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out.insert(6, "ratio", out["list_share"] / out["registry_share"])
    return out
