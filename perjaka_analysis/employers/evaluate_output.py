"""The figures of :func:`perjaka_analysis.employers.evaluate.evaluate`, as a table and as JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PerjakaError

__all__ = ["evaluation_summary", "metrics_table"]


def metrics_table(result: dict) -> pd.DataFrame:
    """The headline figures of :func:`evaluate` as one table.

    Rows: base rate, ROC AUC, Brier, precision at capacity; columns: naive
    (labelled rows), IPW, doubly robust, the model's risk (checked), and on
    synthetic data the truth;
    then the rule of thumb on the labelled rows.
    """
    if "naive" not in result:
        raise PerjakaError("not an evaluate() result")
    cols = {
        "labelled rows (naive)": result["naive"],
        "IPW": result["ipw"],
        "doubly robust": result["dr"],
        "model's risk (checked)": result["model"],
    }
    if "truth" in result:
        cols["truth (synthetic)"] = result["truth"]
    table = pd.DataFrame(cols)
    base = result["baseline"]
    table["rule of thumb (naive)"] = [
        base["base_rate"],
        base["roc_auc"],
        np.nan,
        base["precision_at_capacity"],
    ]
    return table


def evaluation_summary(result: dict) -> dict:
    """The figures of :func:`evaluate` as plain JSON types (no frames or series).

    Returns
    -------
    dict
        ``naive``, ``ipw``, ``dr`` (and ``truth`` on synthetic data): each
        ``base_rate, roc_auc, brier, precision_at_capacity``; plus
        ``propensity_source``, ``warnings``, ``recommended_random_share`` and,
        on synthetic data, ``bayes_auc``, ``auc_gap``, ``auc_gap_uninspected``.
    """
    keys = ("naive", "ipw", "dr", "model", "truth")

    def plain(v: float) -> float | None:  # JSON has no NaN
        return None if np.isnan(v) else float(v)

    out: dict = {k: {m: plain(v) for m, v in result[k].items()} for k in keys if k in result}
    out["rule_of_thumb_naive"] = {k: plain(v) for k, v in result["baseline"].items()}
    for k in (
        "propensity_source",
        "outcome_model",
        "dr_standard_error",
        "dr_uncertainty",
        "calibration_check",
        "warnings",
        "recommended_random_share",
    ):
        out[k] = result[k]
    for k in ("bayes_auc", "auc_gap", "auc_gap_uninspected", "bayes_precision_at_capacity"):
        if k in result:
            out[k] = float(result[k])
    return out
