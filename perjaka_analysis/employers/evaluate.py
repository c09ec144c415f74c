"""Selection-aware evaluation of the risk model.

Inspection outcomes are known only for the employers that were inspected,
and inspections target suspicious employers, so metrics computed on the
labelled rows alone (the *naive* figures) describe the inspected employers,
not the registry. Each figure is therefore also given

- **IPW**: the labelled rows weighted by the inverse of their probability of
  having been inspected;
- **doubly robust (DR)**: an outcome model for every row, corrected by the
  inverse-probability-weighted residuals of the labelled rows; consistent
  when either the probabilities or the outcome model are right. The outcome
  model is the model's risk *recalibrated* (a weighted logistic map of its
  log-odds) on the findings that stand for the uninspected employers, so the
  DR figures do not inherit the model's own calibration error;
- **model**: the known outcomes and, for every other row, the model's risk
  (:func:`model_metrics`): much less variable than DR after one round, and
  checked against it (``calibration_check``: the two base rates within two
  DR standard errors, else a warning to trust DR).

Where the probabilities come from (:func:`inspection_weights`):

- findings merged from a plan carry the plan's ``inspection_probability``:
  those of the latest round (the plans ranked by one model) are used as
  recorded — never estimated, never clipped;
- every employer inspected before that round (older inspections without a
  recorded probability, earlier rounds) is a known outcome of the registry
  the round's plan was drawn from: it counts once, with weight 1, since the
  plan gave every other employer a known probability;
- only labels of unknown origin inspected while the latest round ran, or all
  labels when no round was recorded, have their probability estimated (a
  booster of "inspected" on the features, floored at :data:`MIN_PROPENSITY`).

The precision at capacity is that of the plan ``perjaka employers score``
writes for the same registry and parameters (its ranked and random picks,
inspected employers left off). Labelled rows are always scored out-of-fold.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score

from ..errors import PerjakaError
from .evaluate_output import evaluation_summary, metrics_table  # re-exported: names stay here
from .features import NUMERIC, derive_features, rule_of_thumb
from .model import RiskModel, _threads, canonical_order, labelled_rows
from .plan import WholeRegistryWarning
from .score import plan_selection

__all__ = [
    "MAX_NAIVE_DIFFERENCE",
    "RECOMMENDED_RANDOM_SHARE",
    "SelectionWarning",
    "calibration_slope",
    "evaluate",
    "evaluation_summary",
    "findings_for_half_width",
    "inspection_weights",
    "metrics_table",
    "model_metrics",
    "pair_auc",
    "precision_at_capacity",
    "recalibrated_outcome",
    "selection_metrics",
]

#: Largest difference between a naive and a corrected figure before a warning.
MAX_NAIVE_DIFFERENCE = 0.02
#: Share of each province's capacity the project recommends drawing at random
#: among uninspected employers: every employer then has a known, positive
#: chance of inspection, so outcomes fed back can be evaluated without bias,
#: at a cost of at most this share of the list's yield.
RECOMMENDED_RANDOM_SHARE = 0.05
#: Half-width of the 95% interval of the doubly robust base rate that the
#: evaluation reports how many random findings would take (``dr_uncertainty``).
TARGET_HALF_WIDTH = 0.01


def findings_for_half_width(
    findings: int, standard_error: float, half_width: float = TARGET_HALF_WIDTH
) -> int:
    """Random findings a round would need for a 95% interval of ± ``half_width``.

    The standard error of the doubly robust figures falls as one over the
    square root of the number of findings that stand for the uninspected
    employers (each weighted by its inverse probability), so ``findings``
    with ``standard_error`` scale to ``findings * (1.96 * se / half_width)**2``.

    Examples
    --------
    >>> findings_for_half_width(900, 0.014)
    6777
    >>> findings_for_half_width(900, 0.004)
    900
    """
    if findings <= 0 or standard_error <= 0:
        return int(findings)
    needed = findings * (1.96 * standard_error / half_width) ** 2
    return int(max(findings, np.ceil(needed - 1e-9)))


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


def _estimated_propensity(
    registry: pd.DataFrame,
    target: np.ndarray,
    among: np.ndarray,
    *,
    ump: pd.Series | None = None,
    random_state: int = 0,
) -> np.ndarray:
    """P(``target`` | features) among the rows ``among``, by a booster, floored at
    :data:`MIN_PROPENSITY`; NaN outside ``among``."""
    x = derive_features(registry, ump=ump)
    x = x.assign(**{c: x[c].fillna(-1.0) for c in NUMERIC if x[c].isna().all()})
    order = canonical_order(registry)
    order = order[among[order]]
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
    out = np.full(len(x), np.nan)
    with _threads(len(order)):
        clf.fit(x.iloc[order], target[order])
        out[among] = clf.predict_proba(x[among])[:, 1]
    return np.where(among, np.clip(out, MIN_PROPENSITY, 1), np.nan)


def _latest_round(registry: pd.DataFrame, recorded: np.ndarray) -> np.ndarray:
    """Rows of the latest recorded round: the plans ranked by the model of the
    plan with the latest inspection (one round may have a plan per province)."""
    key_col = "inspection_model" if "inspection_model" in registry else "inspection_list"
    if key_col not in registry:
        return recorded.copy()
    key = registry[key_col].astype(object).where(registry[key_col].notna(), "").astype(str)
    when = (
        pd.to_datetime(registry["inspected_on"])
        if "inspected_on" in registry
        else pd.Series(pd.NaT, index=registry.index)
    )
    frame = pd.DataFrame({"key": key.to_numpy(), "when": when.to_numpy()})[recorded]
    last = frame.groupby("key")["when"].max().fillna(pd.Timestamp.min)
    latest = last.reset_index().sort_values(["when", "key"]).iloc[-1]["key"]
    return recorded & (key.to_numpy() == latest)


def inspection_weights(
    registry: pd.DataFrame, *, ump: pd.Series | None = None, random_state: int = 0
) -> tuple[pd.Series, str]:
    """Probability with which each labelled row came to be inspected (see the module).

    Returns
    -------
    propensity : pandas.Series
        For labelled rows: the recorded probability (latest round), 1 (known
        before that round) or an estimate; NaN for unlabelled rows.
    source : str
        ``recorded`` (every probability recorded or known), ``estimated``
        (no recorded round) or ``recorded; estimated for N rows``.

    Raises
    ------
    PerjakaError
        When a labelled row's recorded probability is not in (0, 1].
    """
    labelled = registry["noncompliant"].notna().to_numpy()
    recorded = np.zeros(len(registry), dtype=bool)
    if "inspection_probability" in registry:
        prob = pd.to_numeric(registry["inspection_probability"], errors="coerce").to_numpy(float)
        recorded = labelled & ~np.isnan(prob)
        bad = recorded & ~((prob > 0) & (prob <= 1))
        if bad.any():
            raise PerjakaError(
                f"inspection_probability must be in (0, 1] where recorded; {int(bad.sum())} "
                "labelled rows are not"
            )
    out = np.full(len(registry), np.nan)
    if not recorded.any():
        out[labelled] = _estimated_propensity(
            registry, labelled, np.ones(len(registry), bool), ump=ump, random_state=random_state
        )[labelled]
        return pd.Series(out, index=registry.index, name="propensity"), "estimated"
    latest = _latest_round(registry, recorded)
    out[latest] = prob[latest]
    before = labelled & ~latest
    if "inspected_on" in registry:
        when = pd.to_datetime(registry["inspected_on"]).to_numpy()
        start = when[latest].min() if not np.isnat(when[latest]).all() else np.datetime64("NaT")
        during = before & ~recorded & ~np.isnat(when) & (when >= start)
    else:
        during = np.zeros(len(registry), dtype=bool)
    out[before & ~during] = 1.0
    if not during.any():
        return pd.Series(out, index=registry.index, name="propensity"), "recorded"
    # labels of unknown origin made while the round ran: inspected outside the plan
    among = ~(before & ~during) & ~latest
    out[during] = _estimated_propensity(
        registry, during, among, ump=ump, random_state=random_state
    )[during]
    source = f"recorded; estimated for {int(during.sum())} rows inspected outside the plan"
    return pd.Series(out, index=registry.index, name="propensity"), source


def recalibrated_outcome(
    score: np.ndarray, y: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, bool]:
    """The outcome model of the DR figures: ``score`` recalibrated on weighted findings.

    A logistic regression of ``y`` on logit(score) over the rows with a
    positive ``weight`` (the findings that stand for uninspected employers,
    weighted by their inverse probability); its intercept makes the weighted
    residuals sum to zero on those rows. With fewer than 10 of either
    outcome among them the score is returned as it is.

    Returns
    -------
    outcome : numpy.ndarray
        Recalibrated probability of every row.
    recalibrated : bool
        False when the score was returned as it is.
    """
    s = np.clip(np.asarray(score, dtype=float), 1e-6, 1 - 1e-6)
    logit = np.log(s / (1 - s))
    use = np.asarray(weight, dtype=float) > 0
    yy = np.asarray(y, dtype=float)[use]
    if min((yy == 1).sum(), (yy == 0).sum()) < 10:
        return s, False
    fit = LogisticRegression(C=1e6).fit(
        logit[use].reshape(-1, 1), yy.astype(int), sample_weight=np.asarray(weight)[use]
    )
    return fit.predict_proba(logit.reshape(-1, 1))[:, 1], True


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
    outcome: np.ndarray | None = None,
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
        Rows of the inspection plan.
    outcome : array, optional
        Outcome model of the DR pseudo-outcomes (default: ``score`` itself;
        :func:`evaluate` gives :func:`recalibrated_outcome`).

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
    w = np.where(r, 1.0 / np.where(r, np.asarray(propensity, dtype=float), 1.0), 0.0)
    listed = np.asarray(on_list, dtype=bool)
    m = s if outcome is None else np.asarray(outcome, dtype=float)
    psi = m + w * (yl - m)  # doubly robust pseudo-outcome of every row
    naive = {
        "base_rate": float(yl[r].mean()),
        "roc_auc": pair_auc(s[r], yl[r], 1 - yl[r]),
        "brier": float(np.mean((yl[r] - s[r]) ** 2)),
        "precision_at_capacity": float(yl[r & listed].mean()) if (r & listed).any() else np.nan,
        # (on a plan of uninspected employers only the DR figure exists)
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


def model_metrics(
    score: np.ndarray,
    y: np.ndarray,
    labelled: np.ndarray,
    outcome: np.ndarray,
    on_list: np.ndarray,
) -> dict[str, float]:
    """Base rate, ROC AUC, Brier and precision on the plan from the known outcomes
    and, for every other row, a probability (``outcome``: the model's risk).

    Far less variable than the DR figures after one round (each DR correction
    carries the weight of a random finding, a few hundred), and right when the
    probability is calibrated among the uninspected employers, which the
    random findings check (:func:`evaluate`'s ``calibration_check``: the base
    rate against the DR one, within two standard errors).

    Examples
    --------
    >>> m = model_metrics(np.array([0.9, 0.2, 0.6]), np.array([1, np.nan, 0]),
    ...     np.array([True, False, True]), np.array([0.8, 0.3, 0.5]),
    ...     np.array([False, True, False]))
    >>> round(m["base_rate"], 3), m["precision_at_capacity"]
    (0.433, 0.3)
    """
    s = np.asarray(score, dtype=float)
    r = np.asarray(labelled, dtype=bool)
    q = np.where(r, np.nan_to_num(np.asarray(y, dtype=float)), np.asarray(outcome, dtype=float))
    listed = np.asarray(on_list, dtype=bool)
    return {
        "base_rate": float(q.mean()),
        "roc_auc": pair_auc(s, q, 1 - q),
        "brier": float(np.mean(s**2 + q * (1 - 2 * s))),
        "precision_at_capacity": float(q[listed].mean()) if listed.any() else np.nan,
    }


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
    folds: int | None = None,
    model: RiskModel | None = None,
    rank_by: str = "blend",
    random_share: float | None = None,
    min_inclusion: float | None = None,
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
    folds : int, optional
        Folds of the out-of-fold scores (the model's calibration folds;
        default those of :class:`RiskModel`, as ``score`` fits it).
    model : RiskModel, optional
        A model fitted on ``registry`` (fitted here when omitted).
    rank_by : {"gain", "risk", "blend"}
        How the plan whose precision is reported is ranked.
    random_share, min_inclusion : float, optional
        The plan's random reserve (default those of
        :func:`~.score.score_registry`): with the same registry, capacity,
        seed and these, the plan is the one ``score`` writes.

    Returns
    -------
    dict
        ``naive``, ``ipw``, ``dr`` (:func:`selection_metrics`; the
        precision at capacity of the plan exists only as DR, since nobody on
        it has been inspected), ``outcome_model``, ``dr_standard_error``
        (of the DR base rate), ``dr_uncertainty`` (the findings that stand for
        the uninspected employers, the 95% interval of the DR base rate and
        the findings a round would need for ± :data:`TARGET_HALF_WIDTH`,
        :func:`findings_for_half_width`), ``on_list``, ``cv`` (all
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
        chosen = {} if folds is None else {"calibration_folds": folds}
        model = RiskModel(random_state=random_state, **chosen).fit(registry)
    y = labelled["noncompliant"].astype(int).to_numpy()
    size = registry.groupby("province").size()
    scores = model.risk_out_of_fold(registry)
    oof = scores.loc[labelled.index]
    is_lab = registry["noncompliant"].notna().to_numpy()
    prov = registry["province"].to_numpy()
    reserve = {
        k: v
        for k, v in (("random_share", random_share), ("min_inclusion", min_inclusion))
        if v is not None
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WholeRegistryWarning)
        _, selection, _ = plan_selection(
            registry, scores, capacity, rank_by=rank_by, random_state=random_state, **reserve
        )
    on_list = (selection != "").to_numpy()
    propensity, source = inspection_weights(registry, ump=model.ump_, random_state=random_state)
    y_all = pd.to_numeric(registry["noncompliant"], errors="coerce").to_numpy(dtype=float)
    p = propensity.to_numpy()
    sampled = np.where(is_lab & (p < 1), 1.0 / np.where(is_lab, p, 1.0), 0.0)
    outcome, recalibrated = recalibrated_outcome(scores.to_numpy(), np.nan_to_num(y_all), sampled)
    out: dict = selection_metrics(scores.to_numpy(), y_all, is_lab, p, on_list, outcome)
    n_sampled = int((sampled > 0).sum())
    out["outcome_model"] = (
        f"risk recalibrated on {n_sampled} findings weighted by their inverse probability"
        if recalibrated
        else "the model's risk (too few findings stand for the uninspected employers)"
    )
    out["on_list"] = on_list
    # standard error of the DR base rate: the sampling variance of its weighted residuals
    resid = np.where(is_lab, np.nan_to_num(y_all) - outcome, 0.0)
    pi = np.where(is_lab, p, 1.0)
    se = float(np.sqrt(np.sum((1 - pi) / pi**2 * resid**2)) / len(registry))
    out["dr_standard_error"] = {"base_rate": se}
    dr_rate = out["dr"]["base_rate"]
    out["dr_uncertainty"] = {
        "findings": n_sampled,
        "base_rate_interval_95": [max(0.0, dr_rate - 1.96 * se), min(1.0, dr_rate + 1.96 * se)],
        "findings_for_half_width": findings_for_half_width(n_sampled, se),
        "half_width": TARGET_HALF_WIDTH,
    }
    out["model"] = model_metrics(scores.to_numpy(), y_all, is_lab, scores.to_numpy(), on_list)
    gap = out["model"]["base_rate"] - out["dr"]["base_rate"]
    out["calibration_check"] = {
        "difference": gap,
        "standard_errors": abs(gap) / se if se > 0 else 0.0,
        "consistent": bool(abs(gap) <= 2 * se),
    }
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
    if source.startswith("recorded") and n_sampled == 0:
        out["warnings"].append(
            "no finding of the latest plan's random reserve was merged: nothing recorded "
            "stands for the uninspected employers, so the IPW figures are the inspected "
            "employers' and the DR figures the model's own; merge the findings of the "
            "random picks (selection 'random') too"
        )
    if not out["calibration_check"]["consistent"]:
        out["warnings"].append(
            f"base_rate: the model's risk gives {out['model']['base_rate']:.3f}, the doubly "
            f"robust figure {out['dr']['base_rate']:.3f} (more than two standard errors "
            "apart): the risk may not be calibrated among uninspected employers (or the "
            "random findings are an unusual draw, about 1 time in 20); trust the doubly "
            "robust figures until the next round says which"
        )
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
        # the best plan of the same size per province among uninspected employers
        size_on = pd.Series(on_list).groupby(prov).sum()
        order = (
            pd.Series(np.where(is_lab, -np.inf, true_p))
            .groupby(prov)
            .rank(ascending=False, method="first")
        )
        best = (order <= pd.Series(prov).map(size_on)).to_numpy() & ~is_lab
        out["bayes_precision_at_capacity"] = float(truth[best].mean())
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
