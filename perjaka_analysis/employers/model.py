"""Noncompliance risk model: a scikit-learn estimator over the registry contract.

``RiskModel`` follows the scikit-learn estimator contract: ``__init__`` only
stores its parameters, ``fit`` returns ``self`` and keeps everything it learns
in trailing-underscore attributes, so ``sklearn.base.clone`` and
``sklearn.model_selection.cross_val_predict`` work. Scores do not depend on
the order of the rows: the training rows are put in a canonical order (by
``employer_id``) before any random split, and the calibration is a smooth,
strictly increasing map (Platt scaling of out-of-fold booster scores), so
employers with different booster scores never share a risk.
"""

from __future__ import annotations

import contextlib
import hashlib
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..datasets import raw_path
from ..errors import PerjakaError
from ..provinces import normalise_province
from .features import CATEGORICAL, MONOTONE, NUMERIC, derive_features, ump_for

try:  # the booster's own thread count (booster_scores); absent: decision_function
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - other scikit-learn versions
    _openmp_effective_n_threads = None

#: Below this many rows, fits and predictions run on one OpenMP thread: on
#: small data, threads cost more than they save (ten times more on a busy
#: 2-core machine). Results do not depend on the number of threads.
SERIAL_BELOW = 50_000

__all__ = [
    "RiskModel",
    "booster_scores",
    "build_pipeline",
    "canonical_order",
    "label_sources",
    "labelled_rows",
    "read_ump_table",
]


def read_ump_table() -> pd.DataFrame:
    """Minimum wage per province and year (``province, year, ump_idr``), from ``ump.csv``."""
    ump = pd.read_csv(raw_path("ump.csv"))
    ump["province"] = ump["province"].map(normalise_province)
    return ump[["province", "year", "ump_idr"]]


def labelled_rows(registry: pd.DataFrame) -> pd.DataFrame:
    """The rows with an inspection outcome (``noncompliant`` 0 or 1)."""
    if "noncompliant" not in registry:
        raise PerjakaError(
            "the registry has no 'noncompliant' column: a risk model needs inspection "
            "outcomes (0 or 1) for at least some employers"
        )
    return registry[registry["noncompliant"].notna()]


def _package_version() -> str:
    """The installed package's version (as ``perjaka_analysis.__version__``)."""
    try:
        return version("perjaka-analysis")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def label_sources(labelled: pd.DataFrame) -> pd.DataFrame:
    """Where the labels came from: labelled rows per plan (``inspection_list``) and
    the model that ranked that plan (``inspection_model``); empty for labels
    recorded without a plan.

    Examples
    --------
    >>> rows = pd.DataFrame({"noncompliant": [1, 0, 1],
    ...                      "inspection_list": ["PLAN-A", "PLAN-A", None]})
    >>> label_sources(rows).to_dict("records")
    [{'inspection_list': '', 'inspection_model': '', 'labels': 1}, \
{'inspection_list': 'PLAN-A', 'inspection_model': '', 'labels': 2}]
    """
    cols = {}
    for c in ("inspection_list", "inspection_model"):
        values = labelled[c] if c in labelled else pd.Series(None, index=labelled.index)
        cols[c] = values.astype(object).where(values.notna(), "").astype(str).to_numpy()
    frame = pd.DataFrame(cols)
    out = frame.groupby(["inspection_list", "inspection_model"]).size().rename("labels")
    return out.reset_index()


def canonical_order(frame: pd.DataFrame) -> np.ndarray:
    """Positions that sort the rows canonically: by ``employer_id`` when present,
    else by a hash of the row's values. The same rows in any file order give
    the same sequence, so random splits made after it do not depend on file order.

    Examples
    --------
    >>> canonical_order(pd.DataFrame({"employer_id": ["b", "a", "c"]})).tolist()
    [1, 0, 2]
    """
    if "employer_id" in frame:
        key = frame["employer_id"].astype(str).to_numpy()
    else:
        key = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return np.argsort(key, kind="stable")


def _threads(n_rows: int) -> threadpool_limits | contextlib.nullcontext:
    """One OpenMP thread for small data (see :data:`SERIAL_BELOW`)."""
    if n_rows < SERIAL_BELOW:
        return threadpool_limits(limits=1, user_api="openmp")
    return contextlib.nullcontext()


def booster_scores(pipeline: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Raw scores (log-odds) of a fitted :func:`build_pipeline` for the rows of ``X``.

    The booster's trees are applied to ``X`` binned by the booster's own bin
    thresholds: a row falls on the same side of every split as its raw values
    would (a split's threshold is a bin edge), so the scores equal
    ``pipeline.decision_function(X)`` exactly, in about 60% of the time on a
    million rows (the trees compare one byte per feature instead of a
    float64). Where the installed scikit-learn lacks the booster's internals
    used here, ``decision_function`` gives the same scores.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted :func:`build_pipeline`.
    X : pandas.DataFrame
        Registry rows.

    Returns
    -------
    numpy.ndarray
        One raw score per row.
    """
    features = pipeline[:-1].transform(X)
    booster = pipeline[-1]
    if _openmp_effective_n_threads is None:  # pragma: no cover - other scikit-learn versions
        return np.asarray(booster.decision_function(features), dtype=float)
    try:
        values = booster._preprocess_X(features, reset=False)
        binned = booster._bin_mapper.transform(values)
        raw = np.zeros((len(binned), 1), dtype=booster._baseline_prediction.dtype, order="F")
        raw += booster._baseline_prediction
        booster._predict_iterations(
            binned, booster._predictors, raw, True, _openmp_effective_n_threads()
        )
    except (AttributeError, TypeError):  # other scikit-learn internals
        return np.asarray(booster.decision_function(features), dtype=float)
    return raw[:, 0]


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
    (with the monotone constraints of :data:`~.features.MONOTONE`).

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
    # sector and province arrive as codes of fixed vocabularies (see features._codes)
    columns = ColumnTransformer(
        [("num", "passthrough", NUMERIC), ("cat", "passthrough", CATEGORICAL)],
        verbose_feature_names_out=False,
    )
    # learning rate 0.15 and 10 rounds without improvement: on a 1,000,000-employer
    # registry 76 trees instead of 134 (scoring time is trees x rows) for the same
    # AUC gap to the true probabilities among uninspected rows (0.0091 either way);
    # on 200,000 employers of the independent generator, targeted inspections,
    # seeds 1-3: gap 0.0085 / 0.0087 / 0.0096 against 0.0086 / 0.0095 / 0.0089
    booster = HistGradientBoostingClassifier(
        learning_rate=0.15,
        max_iter=max_iter,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=[False] * len(NUMERIC) + [True] * len(CATEGORICAL),
        monotonic_cst=[MONOTONE[c] for c in NUMERIC] + [0] * len(CATEGORICAL),
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=10,
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


class RiskModel(ClassifierMixin, BaseEstimator):
    """Calibrated noncompliance risk, trained on the labelled rows of a registry.

    Parameters
    ----------
    ump : pandas.Series or pandas.DataFrame, optional
        Provincial minimum wage: one value per province, or a table
        ``province, year, ump_idr`` from which the year of ``as_of`` is taken
        (default: the shipped ``ump.csv``).
    as_of : date, optional
        Date of the data (firm age and the minimum wage's year); default: the
        latest ``registered_since`` of the training rows, else today.
    random_state : int
        Seed (same seed and data, same scores, whatever the row order).
    calibration_folds : int
        Folds of the out-of-fold booster scores the calibration is fitted on;
        they also give each training row an out-of-fold risk (``oof_risk_``).
        Two by default: one booster per half of the labelled rows, then one on
        all of them, which scores every other row (three boosters, not four).
        On 200,000-employer registries of the independent generator (targeted
        inspections, seeds 1-3, learning rate 0.1) two folds left the AUC gap
        to the true probabilities among uninspected rows as three did
        (0.0086 / 0.0095 / 0.0089 either way) and its calibration slope at
        0.97-1.01 (three: 0.98-0.99).
    max_iter : int
        Maximum boosting iterations.

    Attributes
    ----------
    as_of_, ump_ : the date and minimum wages used.
    pipeline_ : the booster pipeline refitted on every training row.
    calibrator_ : logistic map from booster score to probability.
    oof_risk_ : pandas.Series, out-of-fold risk of each training row, indexed
        by ``employer_id`` (by training position when the frame has none).
    version_ : str, ``<package version>-<digest of parameters and training rows>``
        (printed on every plan as ``model_version``).
    label_sources_ : pandas.DataFrame, the training labels per plan and model
        they came from (:func:`label_sources`).
    n_labelled_, base_rate_, classes_

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from perjaka_analysis.employers.synth import generate_registry
    >>> reg = generate_registry(2000, seed=2, label_share=0.5).frame
    >>> model = RiskModel(random_state=0).fit(reg)
    >>> risk = model.predict_risk(reg)
    >>> bool(((risk > 0) & (risk < 1)).all()), clone(model).as_of is None
    (True, True)
    """

    def __init__(
        self,
        ump: pd.Series | pd.DataFrame | None = None,
        as_of: str | pd.Timestamp | None = None,
        random_state: int = 0,
        calibration_folds: int = 2,
        max_iter: int = 300,
    ) -> None:
        self.ump = ump
        self.as_of = as_of
        self.random_state = random_state
        self.calibration_folds = calibration_folds
        self.max_iter = max_iter

    # -- fitting -------------------------------------------------------------
    def _training_rows(self, x: pd.DataFrame, y: object) -> tuple[pd.DataFrame, np.ndarray]:
        if y is None:
            x = labelled_rows(x)
            y = x["noncompliant"]
        y = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce")
        if y.isna().any() or not y.isin([0, 1]).all():
            raise PerjakaError("outcomes must be 0 or 1 (noncompliant), without gaps")
        y = y.astype(int).to_numpy()
        counts = np.bincount(y, minlength=2)
        if counts.min() < 2 * self.calibration_folds:
            raise PerjakaError(
                f"too few inspection outcomes to train: {counts[1]} noncompliant and "
                f"{counts[0]} compliant labelled rows; need at least "
                f"{2 * self.calibration_folds} of each"
            )
        return x, y

    def fit(self, X: pd.DataFrame, y: object = None) -> RiskModel:
        """Train on a registry.

        Parameters
        ----------
        X : pandas.DataFrame
            Validated registry rows.
        y : array-like, optional
            Outcomes of every row of ``X``; when omitted, the rows of ``X``
            with a ``noncompliant`` label are used with that label.

        Returns
        -------
        RiskModel
            self
        """
        x, y = self._training_rows(X, y)
        with _threads(len(x)):
            return self._fit(x, y)

    def _fit(self, x: pd.DataFrame, y: np.ndarray) -> RiskModel:
        as_of = self.as_of
        if as_of is None and "registered_since" in x:
            as_of = pd.to_datetime(x["registered_since"]).max()
        as_of = pd.Timestamp.today().normalize() if as_of is None or pd.isna(as_of) else as_of
        self.as_of_ = pd.Timestamp(as_of)
        self.ump_ = ump_for(self.ump if self.ump is not None else read_ump_table(), self.as_of_)
        order = canonical_order(x)
        xo, yo = x.iloc[order], y[order]
        pipe = build_pipeline(
            self.ump_, as_of=self.as_of_, random_state=self.random_state, max_iter=self.max_iter
        )
        folds = StratifiedKFold(
            self.calibration_folds, shuffle=True, random_state=self.random_state
        )
        raw = np.empty(len(yo))
        for train, test in folds.split(np.zeros(len(yo)), yo):
            part = clone(pipe).fit(xo.iloc[train], yo[train])
            raw[test] = booster_scores(part, xo.iloc[test])
        self.calibrator_ = LogisticRegression(C=1e4).fit(raw.reshape(-1, 1), yo)
        self.pipeline_ = clone(pipe).fit(xo, yo)
        keys = xo["employer_id"].astype(str).to_numpy() if "employer_id" in xo else order
        self.oof_risk_ = pd.Series(self._calibrate(raw), index=keys, name="risk")
        self.classes_ = np.array([0, 1])
        self.n_labelled_ = len(yo)
        self.base_rate_ = float(yo.mean())
        self.version_ = self._version(xo, yo)
        self.label_sources_ = label_sources(xo)
        return self

    def _version(self, xo: pd.DataFrame, yo: np.ndarray) -> str:
        """``<package version>-<digest>``: the digest of the parameters and the
        training rows (ids and labels), so the same training gives the same version."""
        digest = hashlib.blake2b(digest_size=4)
        params = {k: v for k, v in self.get_params().items() if k != "ump"}
        digest.update(repr(sorted(params.items())).encode("utf-8"))
        digest.update(str(self.as_of_.date()).encode("utf-8"))
        keys = (
            xo["employer_id"].astype(str) if "employer_id" in xo else pd.Series(np.arange(len(xo)))
        )
        hashed = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        digest.update((hashed ^ yo.astype(np.uint64)).tobytes())
        return f"{_package_version()}-{digest.hexdigest()}"

    # -- prediction ----------------------------------------------------------
    def _calibrate(self, raw: np.ndarray) -> np.ndarray:
        a, b = float(self.calibrator_.coef_[0, 0]), float(self.calibrator_.intercept_[0])
        return 1.0 / (1.0 + np.exp(-(a * raw + b)))

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated log-odds of noncompliance."""
        check_is_fitted(self, "pipeline_")
        with _threads(len(X)):
            raw = booster_scores(self.pipeline_, X)
        a, b = float(self.calibrator_.coef_[0, 0]), float(self.calibrator_.intercept_[0])
        return a * raw + b

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of compliant (column 0) and noncompliant (column 1)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the risk is at least 0.5 (the scikit-learn classifier contract)."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def predict_risk(self, registry: pd.DataFrame) -> pd.Series:
        """Calibrated probability of noncompliance of every row (index kept)."""
        self._check_fitted()
        return pd.Series(self.predict_proba(registry)[:, 1], index=registry.index, name="risk")

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise PerjakaError("the risk model is not fitted")

    def risk_out_of_fold(self, registry: pd.DataFrame) -> pd.Series:
        """Risk of every row, out-of-fold for the rows the model was trained on.

        Rows whose ``employer_id`` was a training row get the risk of a fold
        model that never saw them; every other row gets :meth:`predict_risk`.
        """
        self._check_fitted()
        if "employer_id" not in registry or not len(self.oof_risk_):
            return self.predict_risk(registry)
        at = pd.Index(self.oof_risk_.index).get_indexer(registry["employer_id"].astype(str))
        seen = at >= 0
        risk = np.empty(len(registry))
        risk[seen] = self.oof_risk_.to_numpy(dtype=float)[at[seen]]
        if not seen.all():  # only the rows the model never saw go through the booster
            risk[~seen] = self.predict_proba(registry[~seen])[:, 1]
        return pd.Series(risk, index=registry.index, name="risk")
