"""Selection-aware evaluation of the risk model.

Inspection outcomes are known only for the employers that were inspected,
and inspections target suspicious employers, so metrics computed on the
labelled rows alone (the *naive* figures) describe the inspected employers,
not the registry. Each figure is therefore also given

- **IPW**: the labelled rows weighted by the inverse of their probability of
  having been inspected (read from an ``inspection_probability`` column when
  the registry has one, e.g. outcomes fed back from a list file; otherwise
  estimated from the features);
- **doubly robust (DR)**: the model's risk as outcome model for every row,
  corrected by the inverse-probability-weighted residuals of the labelled
  rows; it is consistent when either the propensity or the risk is right.

Labelled rows are always scored out-of-fold.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score

from ..errors import PerjakaError
from .features import NUMERIC, derive_features, rule_of_thumb
from .model import RiskModel, _threads, canonical_order, labelled_rows
from .score import priority_scores

__all__ = [
    "MAX_NAIVE_DIFFERENCE",
    "RECOMMENDED_RANDOM_SHARE",
    "SelectionWarning",
    "calibration_slope",
    "estimate_propensity",
    "evaluate",
    "evaluation_summary",
    "metrics_table",
    "pair_auc",
    "precision_at_capacity",
    "selection_metrics",
]

#: Largest difference between a naive and a corrected figure before a warning.
MAX_NAIVE_DIFFERENCE = 0.02
#: Share of each province's capacity the project recommends drawing at random
#: among uninspected employers: every employer then has a known, positive
#: chance of inspection, so outcomes fed back can be evaluated without bias,
#: at a cost of at most this share of the list's yield.
RECOMMENDED_RANDOM_SHARE = 0.05
#: Propensities are floored here (weights at most 200).
MIN_PROPENSITY = 0.005


class SelectionWarning(UserWarning):
    """Naive labelled-row metrics differ from the selection-corrected ones."""


def calibration_slope(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the logistic recalibration of ``y`` on logit(p).

    A slope of 1 and intercept of 0 mean calibrated scores; a slope below 1
    means over-confident scores.
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    fit = LogisticRegression(C=1e6).fit(logit, np.asarray(y))
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def pair_auc(score: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC with per-row weights of being a positive and a negative.

    ``sum_{i != j} pos_i * neg_j * [s_i > s_j] (+ 1/2 on ties)`` over
    ``sum_{i != j} pos_i * neg_j``. With ``pos = y`` and ``neg = 1 - y`` this
    is the usual AUC; with inverse-propensity or doubly robust pseudo-outcomes
    it estimates the AUC of the whole population.

    Examples
    --------
    >>> y = np.array([1, 0, 1, 0])
    >>> pair_auc(np.array([0.9, 0.1, 0.4, 0.5]), y, 1 - y)
    0.75
    """
    s = np.asarray(score, dtype=float)
    a = np.asarray(pos, dtype=float)
    b = np.asarray(neg, dtype=float)
    _, inv = np.unique(s, return_inverse=True)
    a_g = np.bincount(inv, weights=a)
    b_g = np.bincount(inv, weights=b)
    below = np.cumsum(b_g) - b_g
    self_pairs = float(np.sum(a * b))
    num = float(np.sum(a_g * (below + 0.5 * b_g))) - 0.5 * self_pairs
    den = float(a.sum() * b.sum()) - self_pairs
    return num / den


def estimate_propensity(
    registry: pd.DataFrame, *, ump: pd.Series | None = None, random_state: int = 0
) -> tuple[pd.Series, str]:
    """Probability that each employer was inspected (has a label).

    Read from the ``inspection_probability`` column when every labelled row
    has one (a list file's inclusion probabilities fed back), else estimated
    by a gradient-boosting classifier of "labelled" on the model features.

    Returns
    -------
    propensity : pandas.Series
        In ``[MIN_PROPENSITY, 1]``, for every row.
    source : {"recorded", "estimated"}
    """
    labelled = registry["noncompliant"].notna().to_numpy()
    if "inspection_probability" in registry:
        recorded = pd.to_numeric(registry["inspection_probability"], errors="coerce")
        if recorded[labelled].notna().all() and (recorded[labelled] > 0).all():
            return recorded.clip(MIN_PROPENSITY, 1).rename("propensity"), "recorded"
    x = derive_features(registry, ump=ump)
    x = x.assign(**{c: x[c].fillna(-1.0) for c in NUMERIC if x[c].isna().all()})
    order = canonical_order(registry)
    clf = HistGradientBoostingClassifier(
        max_leaf_nodes=15,
        min_samples_leaf=100,
        learning_rate=0.1,
        max_iter=200,
        l2_regularization=1.0,
        categorical_features=[c in ("sector", "province") for c in x.columns],
        early_stopping=True,
        random_state=random_state,
    )
    with _threads(len(x)):
        clf.fit(x.iloc[order], labelled[order])
        p = clf.predict_proba(x)[:, 1]
    return pd.Series(np.clip(p, MIN_PROPENSITY, 1), index=registry.index, name="propensity"), (
        "estimated"
    )


def precision_at_capacity(
    y: np.ndarray,
    score: np.ndarray,
    province: np.ndarray,
    *,
    capacity: int = 480,
    registry_size: pd.Series | None = None,
) -> tuple[float, float]:
    """Precision of inspecting the top-scored employers of each province.

    With ``registry_size`` (employers per province in the registry), the
    capacity is applied as a share (``capacity / size``) to the evaluated rows
    of each province; otherwise the top ``capacity`` rows per province. This
    is the naive figure on labelled rows; :func:`selection_metrics` gives the
    precision of the list built from every row.

    Returns
    -------
    precision : float
        Share of noncompliant among the selected rows.
    lift : float
        Precision divided by the base rate of the evaluated rows.
    """
    frame = pd.DataFrame({"y": y, "s": score, "p": province})
    picked = []
    for prov, g in frame.groupby("p", sort=False):
        k = capacity
        if registry_size is not None:
            share = min(1.0, capacity / float(registry_size.get(prov, len(g))))
            k = int(np.ceil(share * len(g)))
        picked.append(g.nlargest(min(k, len(g)), "s"))
    top = pd.concat(picked)
    precision = float(top["y"].mean())
    return precision, precision / float(frame["y"].mean())


def _top_per_province(score: np.ndarray, province: np.ndarray, capacity: int) -> np.ndarray:
    """Boolean mask of the ``capacity`` highest scores in each province (ties by position)."""
    frame = pd.DataFrame({"s": score, "p": province})
    rank = frame.groupby("p")["s"].rank(ascending=False, method="first")
    return (rank <= capacity).to_numpy()


def selection_metrics(
    score: np.ndarray,
    y: np.ndarray,
    labelled: np.ndarray,
    propensity: np.ndarray,
    on_list: np.ndarray,
) -> dict[str, dict[str, float]]:
    """Naive, IPW and doubly robust base rate, ROC AUC, Brier and precision on the list.

    Parameters
    ----------
    score : array
        Risk of every row (out-of-fold for labelled rows).
    y : array
        Outcome (any value where not labelled).
    labelled : bool array
        Rows with an outcome.
    propensity : array
        Probability of each row being labelled.
    on_list : bool array
        Rows of the inspection list built from every row.

    Returns
    -------
    dict
        ``naive``, ``ipw``, ``dr``: each ``base_rate, roc_auc, brier,
        precision_at_capacity``.

    Examples
    --------
    >>> s = np.array([0.8, 0.2, 0.6, 0.4])
    >>> m = selection_metrics(s, np.array([1, 0, 1, 0]), np.ones(4, bool),
    ...                       np.ones(4), np.array([True, False, True, False]))
    >>> all(np.allclose(list(m["naive"].values()), list(m[k].values())) for k in ("ipw", "dr"))
    True
    """
    s = np.asarray(score, dtype=float)
    r = np.asarray(labelled, dtype=bool)
    yl = np.where(r, np.nan_to_num(np.asarray(y, dtype=float)), 0.0)
    w = np.where(r, 1.0 / np.asarray(propensity, dtype=float), 0.0)
    listed = np.asarray(on_list, dtype=bool)
    psi = s + w * (yl - s)  # doubly robust pseudo-outcome of every row
    naive = {
        "base_rate": float(yl[r].mean()),
        "roc_auc": pair_auc(s[r], yl[r], 1 - yl[r]),
        "brier": float(np.mean((yl[r] - s[r]) ** 2)),
        "precision_at_capacity": float(yl[r & listed].mean()) if (r & listed).any() else np.nan,
    }
    ipw = {
        "base_rate": float(np.sum(w * yl) / w.sum()),
        "roc_auc": pair_auc(s[r], (w * yl)[r], (w * (1 - yl))[r]),
        "brier": float(np.sum(w * (yl - s) ** 2) / w.sum()),
        "precision_at_capacity": (
            float(np.sum((w * yl)[listed]) / w[listed].sum()) if w[listed].sum() > 0 else np.nan
        ),
    }
    dr = {
        "base_rate": float(psi.mean()),
        "roc_auc": pair_auc(s, psi, 1 - psi),
        "brier": float(np.mean(s**2 + psi * (1 - 2 * s))),
        "precision_at_capacity": float(psi[listed].mean()),
    }
    return {"naive": naive, "ipw": ipw, "dr": dr}


def score_metrics(
    y: np.ndarray,
    p: np.ndarray,
    province: np.ndarray,
    *,
    capacity: int = 480,
    registry_size: pd.Series | None = None,
    probabilistic: bool = True,
) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier, calibration slope/intercept, precision and lift at
    capacity (per province) and in the top 5% nationally, on the given rows.

    For a score that is not a probability (``probabilistic=False``) the Brier
    score and calibration are NaN.
    """
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    slope, intercept = calibration_slope(y, p) if probabilistic else (np.nan, np.nan)
    precision, lift = precision_at_capacity(
        y, p, province, capacity=capacity, registry_size=registry_size
    )
    top = np.argsort(-p, kind="stable")[: max(1, len(y) // 20)]
    top_precision = float(np.mean(y[top]))
    return {
        "n": len(y),
        "base_rate": float(np.mean(y)),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(np.mean((y - p) ** 2)) if probabilistic else np.nan,
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "precision_at_capacity": precision,
        "lift_at_capacity": lift,
        "precision_top_5pct": top_precision,
        "lift_top_5pct": top_precision / float(np.mean(y)),
    }


def evaluate(
    registry: pd.DataFrame,
    *,
    capacity: int = 480,
    random_state: int = 0,
    folds: int = 3,
    model: RiskModel | None = None,
    rank_by: str = "blend",
) -> dict:
    """Everything ``perjaka employers evaluate`` prints.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry with labelled rows.
    capacity : int
        Inspections per province.
    random_state : int
        Seed of the model and the propensity model.
    folds : int
        Folds of the out-of-fold scores (the model's calibration folds).
    model : RiskModel, optional
        A model fitted on ``registry`` (fitted here when omitted).
    rank_by : {"gain", "risk", "blend"}
        How the list whose precision is reported is ranked.

    Returns
    -------
    dict
        ``naive``, ``ipw``, ``dr`` (:func:`selection_metrics`), ``cv`` (all
        naive metrics on the labelled rows, out-of-fold), ``baseline`` (rule
        of thumb), ``propensity_source``, ``warnings`` (naive figures more
        than :data:`MAX_NAIVE_DIFFERENCE` from the DR ones),
        ``recommended_random_share``, ``oof`` and ``scores``. With the
        synthetic truth columns also ``truth`` (the same figures against the
        true outcome of every row), ``population``, ``bayes_auc``,
        ``auc_gap``, ``auc_gap_uninspected`` and ``label_bias``.
    """
    labelled = labelled_rows(registry)
    if model is None:
        model = RiskModel(random_state=random_state, calibration_folds=folds).fit(registry)
    y = labelled["noncompliant"].astype(int).to_numpy()
    size = registry.groupby("province").size()
    scores = model.risk_out_of_fold(registry)
    oof = scores.loc[labelled.index]
    is_lab = registry["noncompliant"].notna().to_numpy()
    prov = registry["province"].to_numpy()
    priority = priority_scores(registry, scores, model.ump_, rank_by=rank_by)
    on_list = _top_per_province(priority.to_numpy(), prov, capacity)
    propensity, source = estimate_propensity(registry, ump=model.ump_, random_state=random_state)
    y_all = pd.to_numeric(registry["noncompliant"], errors="coerce").to_numpy(dtype=float)
    out: dict = selection_metrics(scores.to_numpy(), y_all, is_lab, propensity.to_numpy(), on_list)
    out["propensity_source"] = source
    out["cv"] = score_metrics(
        y, oof.to_numpy(), labelled["province"].to_numpy(), capacity=capacity, registry_size=size
    )
    out["baseline"] = score_metrics(
        y,
        rule_of_thumb(labelled),
        labelled["province"].to_numpy(),
        capacity=capacity,
        registry_size=size,
        probabilistic=False,
    )
    out["oof"] = oof
    out["scores"] = scores
    out["propensity"] = propensity
    out["recommended_random_share"] = RECOMMENDED_RANDOM_SHARE
    out["warnings"] = [
        f"{k}: labelled rows give {out['naive'][k]:.3f}, corrected for who was inspected "
        f"{out['dr'][k]:.3f} (doubly robust); the labelled rows are not representative"
        for k in out["naive"]
        if abs(out["naive"][k] - out["dr"][k]) > MAX_NAIVE_DIFFERENCE
    ]
    for message in out["warnings"]:
        warnings.warn(message, SelectionWarning, stacklevel=2)
    if {"true_risk", "true_noncompliant"} <= set(registry.columns):
        truth = registry["true_noncompliant"].astype(int).to_numpy()
        s = scores.to_numpy()
        out["truth"] = {
            "base_rate": float(truth.mean()),
            "roc_auc": pair_auc(s, truth, 1 - truth),
            "brier": float(np.mean((truth - s) ** 2)),
            "precision_at_capacity": float(truth[on_list].mean()),
        }
        pop = score_metrics(truth, s, prov, capacity=capacity)
        out["population"] = pop
        true_p = registry["true_risk"].to_numpy(dtype=float)
        out["bayes_auc"] = float(roc_auc_score(truth, true_p))
        out["bayes_precision_at_capacity"] = float(
            truth[_top_per_province(true_p, prov, capacity)].mean()
        )
        out["auc_gap"] = out["bayes_auc"] - pop["roc_auc"]
        un = ~is_lab
        out["auc_gap_uninspected"] = float(
            roc_auc_score(truth[un], true_p[un]) - roc_auc_score(truth[un], s[un])
        )
        out["label_bias"] = {
            k: out["cv"][k] - pop[k]
            for k in ("base_rate", "roc_auc", "pr_auc", "brier", "calibration_slope")
        }
    return out


def metrics_table(result: dict) -> pd.DataFrame:
    """The headline figures of :func:`evaluate` as one table.

    Rows: base rate, ROC AUC, Brier, precision at capacity; columns: naive
    (labelled rows), IPW, doubly robust, and on synthetic data the truth;
    then the rule of thumb on the labelled rows.
    """
    if "naive" not in result:
        raise PerjakaError("not an evaluate() result")
    cols = {
        "labelled rows (naive)": result["naive"],
        "IPW": result["ipw"],
        "doubly robust": result["dr"],
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
    keys = ("naive", "ipw", "dr", "truth")
    out: dict = {k: {m: float(v) for m, v in result[k].items()} for k in keys if k in result}
    out["rule_of_thumb_naive"] = {k: float(v) for k, v in result["baseline"].items()}
    for k in ("propensity_source", "warnings", "recommended_random_share"):
        out[k] = result[k]
    for k in ("bayes_auc", "auc_gap", "auc_gap_uninspected", "bayes_precision_at_capacity"):
        if k in result:
            out[k] = float(result[k])
    return out
