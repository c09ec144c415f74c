"""Noncompliance risk model: features from the registry contract, a calibrated
scikit-learn pipeline, and the metrics a PERJAKA team needs to trust a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ..contracts import SECTORS
from ..errors import PerjakaError

__all__ = [
    "CATEGORICAL",
    "NUMERIC",
    "RiskModel",
    "build_pipeline",
    "calibration_slope",
    "derive_features",
    "precision_at_capacity",
]

CONTRIBUTION_RATE = 0.05
WAGE_CAP_IDR = 12_000_000

NUMERIC = [
    "log_workers",
    "share_registered",
    "log_unregistered",
    "wage_ratio",
    "below_ump",
    "dependants_per_worker",
    "months_in_arrears",
    "log_arrears_per_worker",
    "late_payments_12m",
    "deactivation_rate",
    "firm_age_years",
]
CATEGORICAL = ["sector", "province"]
#: Direction of each numeric feature's effect on risk that the model may learn
#: (+1 only up, -1 only down, 0 free): more arrears, late payments,
#: deactivations or unregistered workers never lower the risk; a higher share
#: registered, wage or family ratio, or an older registration never raises it.
MONOTONE = {
    "log_workers": 0,
    "share_registered": -1,
    "log_unregistered": 1,
    "wage_ratio": -1,
    "below_ump": 1,
    "dependants_per_worker": -1,
    "months_in_arrears": 1,
    "log_arrears_per_worker": 1,
    "late_payments_12m": 1,
    "deactivation_rate": 1,
    "firm_age_years": -1,
}


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float, or all-NaN when the optional column is absent."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _province_names() -> tuple[str, ...]:
    from ..provinces import province_table

    return tuple(province_table()["province"])


def _codes(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """Integer codes against a fixed vocabulary (KBLI sections, the 38 provinces);
    -1 for anything else. A fixed vocabulary keeps codes identical across
    registries and avoids learning the categories at fit time."""
    return pd.Categorical(values.astype(str), categories=list(vocabulary)).codes.astype(float)


def derive_features(
    registry: pd.DataFrame,
    ump: pd.Series | None = None,
    as_of: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Model features derived from the registry contract.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry; optional columns may be absent (their features
        are then missing, which the model handles).
    ump : pandas.Series, optional
        Provincial minimum wage by province (Rp/month); without it the wage
        features are missing.
    as_of : date, optional
        Date the firm age is measured at (default: the latest
        ``registered_since`` in the registry).

    Returns
    -------
    pandas.DataFrame
        The :data:`NUMERIC` and :data:`CATEGORICAL` columns.
    """
    reported = _col(registry, "workers_reported")
    registered = _col(registry, "workers_registered")
    per = np.maximum(registered, 1)
    wage = _col(registry, "wage_reported_idr")
    floor = (
        ump.reindex(registry["province"]).to_numpy(dtype=float)
        if ump is not None
        else np.full(len(registry), np.nan)
    )
    ratio = wage / floor
    if "registered_since" in registry:
        since = pd.to_datetime(registry["registered_since"])
        end = pd.Timestamp(as_of) if as_of is not None else since.max()
        age = ((end - since).dt.days / 365.25).to_numpy(dtype=float, na_value=np.nan)
    else:
        age = np.full(len(registry), np.nan)
    arrears = _col(registry, "arrears_idr")
    return pd.DataFrame(
        {
            "log_workers": np.log1p(reported),
            "share_registered": np.clip(registered / np.maximum(reported, 1), 0, 2),
            "log_unregistered": np.log1p(np.clip(reported - registered, 0, None)),
            "wage_ratio": ratio,
            "below_ump": np.where(np.isnan(ratio), np.nan, (ratio < 1).astype(float)),
            "dependants_per_worker": _col(registry, "dependants_registered") / per,
            "months_in_arrears": _col(registry, "months_in_arrears"),
            "log_arrears_per_worker": np.log1p(arrears / per),
            "late_payments_12m": _col(registry, "late_payments_12m"),
            "deactivation_rate": _col(registry, "deactivations_12m") / per,
            "firm_age_years": age,
            "sector": _codes(registry["sector"], SECTORS),
            "province": _codes(registry["province"], _province_names()),
        },
        index=registry.index,
    )


class _FillAbsent(TransformerMixin, BaseEstimator):
    """Features that are missing in every training row (an optional column the
    registry lacks) become a constant, so the booster can be trained; the
    same columns are filled at prediction time, other gaps stay missing."""

    def fit(self, x: pd.DataFrame, y: object = None) -> _FillAbsent:
        self.absent_ = [c for c in NUMERIC if x[c].isna().all()]
        return self

    def transform(self, x: pd.DataFrame) -> pd.DataFrame:
        return x.assign(**dict.fromkeys(self.absent_, 0.0)) if self.absent_ else x

    def set_output(self, *, transform: object = None) -> _FillAbsent:
        return self


def build_pipeline(
    ump: pd.Series | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    random_state: int = 0,
    max_iter: int = 300,
) -> Pipeline:
    """The uncalibrated pipeline: derived features -> columns -> gradient boosting
    (with the monotone constraints of :data:`MONOTONE`).

    Parameters
    ----------
    ump : pandas.Series, optional
        Provincial minimum wage by province.
    as_of : date, optional
        Date firm age is measured at.
    random_state : int
        Seed of the booster's validation split.
    max_iter : int
        Maximum boosting iterations (early stopping on a validation split).

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    features = FunctionTransformer(
        derive_features, kw_args={"ump": ump, "as_of": as_of}, validate=False
    )
    # sector and province arrive as codes of fixed vocabularies (see _codes)
    columns = ColumnTransformer(
        [("num", "passthrough", NUMERIC), ("cat", "passthrough", CATEGORICAL)],
        verbose_feature_names_out=False,
    )
    booster = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=max_iter,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=[False] * len(NUMERIC) + [True] * len(CATEGORICAL),
        monotonic_cst=[MONOTONE[c] for c in NUMERIC] + [0] * len(CATEGORICAL),
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=15,
        random_state=random_state,
    )
    return Pipeline(
        [
            ("features", features),
            ("absent", _FillAbsent()),
            ("columns", columns),
            ("model", booster),
        ]
    )


def calibration_slope(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the logistic recalibration of ``y`` on logit(p).

    A slope of 1 and intercept of 0 mean calibrated scores; a slope below 1
    means over-confident scores.
    """
    p = np.clip(p, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    fit = LogisticRegression(C=1e6).fit(logit, y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


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
    of each province, so that evaluating on a labelled subset keeps the same
    inspection intensity; otherwise the top ``capacity`` rows per province.

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


class _Calibrated(BaseEstimator, ClassifierMixin):
    """Pipeline + probability calibration (isotonic with enough labels, else sigmoid)."""

    def __init__(self, pipeline: Pipeline, cv: int = 3, random_state: int = 0) -> None:
        self.pipeline = pipeline
        self.cv = cv
        self.random_state = random_state

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> _Calibrated:
        method = "isotonic" if len(y) >= 5000 else "sigmoid"
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        # ensemble=False: calibrate on out-of-fold scores, then keep one model
        # refitted on all rows, so scoring a large registry costs one pass.
        self.model_ = CalibratedClassifierCV(
            clone(self.pipeline), method=method, cv=folds, ensemble=False
        )
        self.model_.fit(x, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(x)


@dataclass
class RiskModel:
    """Calibrated noncompliance risk, trained on the labelled rows of a registry.

    Parameters
    ----------
    ump : pandas.Series, optional
        Provincial minimum wage by province (default: shipped ``ump.csv``).
    random_state : int
        Seed (same seed and data, same scores).
    calibration_folds : int
        Folds of the probability calibration.

    Examples
    --------
    >>> from perjaka_analysis.employers.synth import generate_registry
    >>> reg = generate_registry(3000, seed=2, label_share=0.5).frame
    >>> model = RiskModel(random_state=0).fit(reg)
    >>> risk = model.predict(reg)
    >>> bool(((risk > 0) & (risk < 1)).all())
    True
    """

    ump: pd.Series | None = None
    random_state: int = 0
    calibration_folds: int = 3
    as_of: pd.Timestamp | None = None
    estimator_: _Calibrated | None = field(default=None, init=False, repr=False)
    n_labelled_: int = field(default=0, init=False)
    base_rate_: float = field(default=float("nan"), init=False)

    def _ump(self) -> pd.Series:
        if self.ump is None:
            from .synth import ump_table

            self.ump = ump_table()
        return self.ump

    def _estimator(self) -> _Calibrated:
        if self.as_of is None:
            raise PerjakaError("as_of is not set")
        pipe = build_pipeline(self._ump(), as_of=self.as_of, random_state=self.random_state)
        return _Calibrated(pipe, cv=self.calibration_folds, random_state=self.random_state)

    @staticmethod
    def labelled(registry: pd.DataFrame) -> pd.DataFrame:
        """The rows with an inspection outcome."""
        if "noncompliant" not in registry:
            raise PerjakaError(
                "the registry has no 'noncompliant' column: a risk model needs inspection "
                "outcomes (0 or 1) for at least some employers"
            )
        return registry[registry["noncompliant"].notna()]

    def _check_labels(self, labelled: pd.DataFrame) -> np.ndarray:
        y = labelled["noncompliant"].astype(int).to_numpy()
        counts = np.bincount(y, minlength=2)
        if counts.min() < 2 * self.calibration_folds:
            raise PerjakaError(
                f"too few inspection outcomes to train: {counts[1]} noncompliant and "
                f"{counts[0]} compliant labelled rows; need at least "
                f"{2 * self.calibration_folds} of each"
            )
        return y

    def fit(self, registry: pd.DataFrame) -> RiskModel:
        """Train on the labelled rows of a validated registry.

        Returns
        -------
        RiskModel
            self
        """
        if self.as_of is None and "registered_since" in registry:
            self.as_of = pd.to_datetime(registry["registered_since"]).max()
        if self.as_of is None or pd.isna(self.as_of):
            self.as_of = pd.Timestamp.today().normalize()
        labelled = self.labelled(registry)
        y = self._check_labels(labelled)
        self.estimator_ = self._estimator().fit(labelled, y)
        self.n_labelled_ = len(y)
        self.base_rate_ = float(y.mean())
        return self

    def predict(self, registry: pd.DataFrame) -> pd.Series:
        """Calibrated probability of noncompliance of every row."""
        if self.estimator_ is None:
            raise PerjakaError("the risk model is not fitted")
        return pd.Series(
            self.estimator_.predict_proba(registry)[:, 1], index=registry.index, name="risk"
        )

    def cross_validated(self, registry: pd.DataFrame, folds: int = 5) -> pd.Series:
        """Out-of-fold risk for the labelled rows (each scored by a model that never saw it)."""
        if self.as_of is None:
            self.as_of = pd.to_datetime(registry.get("registered_since")).max()
        labelled = self.labelled(registry)
        y = self._check_labels(labelled)
        out = np.empty(len(labelled))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(labelled, y):
            est = self._estimator().fit(labelled.iloc[train], y[train])
            out[test] = est.predict_proba(labelled.iloc[test])[:, 1]
        return pd.Series(out, index=labelled.index, name="risk_oof")


def rule_of_thumb(registry: pd.DataFrame) -> np.ndarray:
    """Baseline score: months in arrears, ties broken by the registration gap."""
    reported = np.maximum(_col(registry, "workers_reported"), 1)
    gap = np.clip((reported - _col(registry, "workers_registered")) / reported, 0, 1)
    return _col(registry, "months_in_arrears") + 0.01 * gap


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
    capacity (per province) and in the top 5% nationally.

    For a score that is not a probability (``probabilistic=False``) the Brier
    score and calibration are NaN.
    """
    slope, intercept = calibration_slope(y, p) if probabilistic else (np.nan, np.nan)
    precision, lift = precision_at_capacity(
        y, p, province, capacity=capacity, registry_size=registry_size
    )
    top = np.argsort(-np.asarray(p, dtype=float), kind="stable")[: max(1, len(y) // 20)]
    top_precision = float(np.mean(np.asarray(y)[top]))
    return {
        "n": len(y),
        "base_rate": float(np.mean(y)),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)) if probabilistic else np.nan,
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
    folds: int = 5,
    model: RiskModel | None = None,
) -> dict:
    """Everything ``perjaka employers evaluate`` prints.

    Cross-validated metrics on the labelled rows, for the model and for the
    rule of thumb (months in arrears). When the registry carries the
    synthetic truth columns (``true_risk``, ``true_noncompliant``), also the
    metrics on *every* row against the true outcome, the Bayes-optimal AUC of
    the true probabilities and the gap to it, and how far the labelled-row
    metrics are from the population ones (the effect of which employers were
    inspected).

    Returns
    -------
    dict
        ``cv`` (model), ``baseline`` (rule of thumb), and for synthetic data
        ``population`` (model on all rows), ``bayes_auc``, ``auc_gap``,
        ``label_bias`` (labelled minus population, per metric); plus
        ``oof`` (out-of-fold scores) and ``scores`` (all rows).
    """
    model = model or RiskModel(random_state=random_state)
    labelled = RiskModel.labelled(registry)
    y = labelled["noncompliant"].astype(int).to_numpy()
    size = registry.groupby("province").size()
    oof = model.cross_validated(registry, folds=folds)
    out: dict = {
        "cv": score_metrics(
            y,
            oof.to_numpy(),
            labelled["province"].to_numpy(),
            capacity=capacity,
            registry_size=size,
        ),
        "baseline": score_metrics(
            y,
            rule_of_thumb(labelled),
            labelled["province"].to_numpy(),
            capacity=capacity,
            registry_size=size,
            probabilistic=False,
        ),
        "oof": oof,
    }
    model.fit(registry)
    scores = model.predict(registry)
    scores.loc[oof.index] = oof  # labelled rows: out-of-fold, never in-sample
    out["scores"] = scores
    if {"true_risk", "true_noncompliant"} <= set(registry.columns):
        truth = registry["true_noncompliant"].astype(int).to_numpy()
        prov = registry["province"].to_numpy()
        pop = score_metrics(truth, scores.to_numpy(), prov, capacity=capacity)
        out["population"] = pop
        out["bayes_auc"] = float(roc_auc_score(truth, registry["true_risk"]))
        out["bayes_precision_at_capacity"] = precision_at_capacity(
            truth, registry["true_risk"].to_numpy(), prov, capacity=capacity
        )[0]
        out["auc_gap"] = out["bayes_auc"] - pop["roc_auc"]
        out["label_bias"] = {
            k: out["cv"][k] - pop[k]
            for k in ("base_rate", "roc_auc", "pr_auc", "brier", "calibration_slope")
        }
    return out


def metrics_table(result: dict) -> pd.DataFrame:
    """The metrics of :func:`evaluate` as one table (rows: metrics; columns: settings)."""
    cols = {"model, labelled rows (5-fold CV)": result["cv"], "rule of thumb": result["baseline"]}
    if "population" in result:
        cols["model, all rows vs true outcome"] = result["population"]
    return pd.DataFrame(cols)


SIZE_BANDS = ([-1, 4, 19, 99, 499, np.inf], ["1–4", "5–19", "20–99", "100–499", "500+"])


def size_band(workers_reported: pd.Series) -> pd.Series:
    """Firm size band by reported workers: 1–4, 5–19, 20–99, 100–499, 500+."""
    edges, labels = SIZE_BANDS
    return pd.cut(workers_reported.astype(float), edges, labels=labels).astype(str)


def equity_table(
    scored: pd.DataFrame,
    *,
    by: Sequence[str] = ("size_band", "sector", "district"),
    province: str | None = None,
) -> pd.DataFrame:
    """Who the inspection list concentrates on, against the whole registry.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`perjaka_analysis.employers.score_registry` (with
        ``on_list`` and the grouping columns).
    by : sequence of str
        Groupings: ``size_band``, ``sector``, ``district``.
    province : str, optional
        Restrict to one province (official name).

    Returns
    -------
    pandas.DataFrame
        ``grouping, group, registry_n, registry_share, list_n, list_share,
        ratio`` (list share / registry share; above 1 = over-represented).
    """
    frame = scored if province is None else scored[scored["province"] == province]
    on_list = frame["on_list"].to_numpy(dtype=bool)
    rows = []
    for grouping in by:
        if grouping not in frame:
            continue
        keys = frame[grouping].astype(str).fillna("(missing)")
        all_n = keys.value_counts()
        list_n = keys[on_list].value_counts()
        for group, n in all_n.items():
            k = int(list_n.get(group, 0))
            rows.append(
                {
                    "grouping": grouping,
                    "group": group,
                    "registry_n": int(n),
                    "registry_share": n / len(frame),
                    "list_n": k,
                    "list_share": k / max(int(on_list.sum()), 1),
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["ratio"] = out["list_share"] / out["registry_share"]
    return out
