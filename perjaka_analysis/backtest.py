"""Rolling-origin backtest of the coverage trend methods, as the CLI runs them.

For each origin, every method is fitted only on figures dated before the
origin, with the UHC status reports published before it (``source_date``
where known, else the report's date) as the CLI uses them, and asked to
predict the figures dated after it (within three years). Errors are reported
in percentage points by horizon: mean absolute error, bias (mean of forecast
minus figure), and the share of held-out figures inside the 80% and 95%
intervals (calibration), for places with an earlier figure and for places
without one; plus the error on the national series at each origin.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .datasets import load_uhc_status, raw_path
from .errors import PerjakaError
from .provinces import NATIONAL
from .trend import METHODS, CoverageTrendModel, FitCache, prepare_panel

__all__ = [
    "BacktestResults",
    "SaturationBacktest",
    "backtest",
    "saturation_backtest",
    "status_with_publication",
]

HORIZONS = (("≤1 y", 0.0, 1.0), ("1–2 y", 1.0, 2.0), ("2–3 y", 2.0, 3.0))


@dataclass(frozen=True)
class BacktestResults:
    """Held-out predictions of every method at every origin.

    Attributes
    ----------
    predictions : pandas.DataFrame
        One row per (origin, method, held-out figure): ``origin, method,
        province, date, horizon_years, horizon, actual, mean, lower_80,
        upper_80, lower_95, upper_95, basis, has_earlier`` (the place had a
        figure before the origin).
    """

    predictions: pd.DataFrame

    def table(self, *, places: str = "with figure") -> pd.DataFrame:
        """MAE, bias and interval coverage by method and horizon.

        Parameters
        ----------
        places : {"with figure", "without figure", "all"}
            Held-out figures of places that had a figure before the origin
            (default), of places that had none, or all.

        Returns
        -------
        pandas.DataFrame
            ``method, horizon, n, mae_pp, bias_pp`` (mean of forecast minus
            figure), ``p90_error_pp`` (90th percentile of the absolute
            error), ``coverage_80, coverage_95`` plus an ``all`` row per
            method.
        """
        pred = self.predictions
        if places == "with figure":
            pred = pred[pred["has_earlier"]]
        elif places == "without figure":
            pred = pred[~pred["has_earlier"]]
        elif places != "all":
            raise PerjakaError(
                f"places must be 'with figure', 'without figure' or 'all', got {places!r}"
            )
        p = pred.assign(
            error=lambda d: d["mean"] - d["actual"],
            abs_error=lambda d: (d["mean"] - d["actual"]).abs(),
            in_80=lambda d: d["actual"].between(d["lower_80"], d["upper_80"]),
            in_95=lambda d: d["actual"].between(d["lower_95"], d["upper_95"]),
        )
        rows = []
        order = [h for h, _, _ in HORIZONS] + ["all"]
        for method, group in p.groupby("method", sort=False):
            for label in order:
                sub = group if label == "all" else group[group["horizon"] == label]
                if sub.empty:
                    continue
                rows.append(
                    {
                        "method": method,
                        "horizon": label,
                        "n": len(sub),
                        "mae_pp": sub["abs_error"].mean(),
                        "bias_pp": sub["error"].mean(),
                        "p90_error_pp": sub["abs_error"].quantile(0.9),
                        "coverage_80": sub["in_80"].mean(),
                        "coverage_95": sub["in_95"].mean(),
                    }
                )
        return pd.DataFrame(rows)

    def national(self) -> pd.DataFrame:
        """Error on the national series at each origin.

        Returns
        -------
        pandas.DataFrame
            ``origin, method, n, mean_error_pp`` (forecast minus figure,
            averaged over the national figures held out at that origin) and
            ``first_error_pp`` (on the first of them).
        """
        p = self.predictions[self.predictions["province"] == NATIONAL]
        p = p.sort_values(["origin", "method", "date"], kind="stable")
        out = p.assign(error=p["mean"] - p["actual"]).groupby(["origin", "method"], sort=False)[
            "error"
        ]
        return pd.DataFrame(
            {"n": out.size(), "mean_error_pp": out.mean(), "first_error_pp": out.first()}
        ).reset_index()

    def best_method(self) -> str:
        """The method the backtest supports.

        Among methods whose 80% intervals cover 70–90% of held-out figures
        (all methods if none does): the lowest overall MAE rounded to 0.1
        percentage point, ties broken by the 80% coverage closest to 80%.
        """
        t = self.table()
        overall = t[t["horizon"] == "all"].copy()
        calibrated = overall[overall["coverage_80"].between(0.7, 0.9)]
        pool = (calibrated if not calibrated.empty else overall).assign(
            mae_key=lambda d: d["mae_pp"].round(1),
            cal_key=lambda d: (d["coverage_80"] - 0.8).abs(),
        )
        return str(pool.sort_values(["mae_key", "cal_key"]).iloc[0]["method"])

    def plot(self, ax=None):
        """MAE by horizon per method (bars) with the 80% coverage annotated.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        t = self.table()
        t = t[t["horizon"] != "all"]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        methods = list(dict.fromkeys(t["method"]))
        horizons = [h for h, _, _ in HORIZONS if h in set(t["horizon"])]
        width = 0.8 / max(len(methods), 1)
        for i, m in enumerate(methods):
            sub = t[t["method"] == m].set_index("horizon").reindex(horizons)
            x = np.arange(len(horizons)) + i * width
            bars = ax.bar(x, sub["mae_pp"], width, label=m)
            for bar, cov80 in zip(bars, sub["coverage_80"], strict=True):
                if np.isfinite(cov80):
                    ax.annotate(
                        f"{cov80:.0%}",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center",
                        va="bottom",
                        fontsize=6,
                    )
        ax.set_xticks(np.arange(len(horizons)) + width * (len(methods) - 1) / 2, horizons)
        ax.set_ylabel("mean absolute error (pp)")
        ax.set_title("Backtest: error by horizon (labels: share inside the 80% interval)")
        ax.legend(fontsize=7, frameon=False)
        return ax


def status_with_publication() -> pd.DataFrame:
    """The shipped UHC status reports with the date each became public.

    Returns
    -------
    pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status` plus ``published``:
        ``source_date`` of the report where known (a month or a day), else
        its ``date``.
    """
    status = load_uhc_status()
    raw = pd.read_csv(raw_path("uhc_status.csv"))
    raw = raw[raw["province"] != NATIONAL].reset_index(drop=True)
    if len(raw) != len(status):  # pragma: no cover - the loader drops the same rows
        raise PerjakaError("uhc_status.csv: could not align publication dates")
    published = pd.to_datetime(raw["source_date"], errors="coerce", format="mixed")
    status = status.copy()
    status["published"] = published.fillna(status["date"]).to_numpy()
    return status


def default_origins(panel: pd.DataFrame) -> pd.DatetimeIndex:
    """Half-yearly origins from 2017-07-01 to the half-year before the latest figure."""
    end = pd.Timestamp(panel["date"].max())
    return pd.date_range("2017-07-01", end - pd.DateOffset(months=6), freq="6MS")


def backtest(
    coverage: pd.DataFrame,
    *,
    methods: Sequence[str] = METHODS,
    origins: Sequence | None = None,
    horizon_years: float = 3.0,
    measure: str = "registered",
    ceiling: float | None = None,
    status: pd.DataFrame | str | None = "shipped",
    national_known: bool = False,
    **model_options,
) -> BacktestResults:
    """Rolling-origin evaluation of the trend methods.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.
    methods : sequence of str
        Methods to compare (default all).
    origins : sequence of dates, optional
        Forecast origins (default :func:`default_origins`).
    horizon_years : float
        Held-out figures up to this many years after the origin are scored.
    measure : str
        The measure to model.
    ceiling : float, optional
        Ceiling of the logit methods in percent (default 102; the saturation
        method estimates its own).
    status : DataFrame, None or "shipped"
        UHC status reports used as the CLI uses them (default: the shipped
        ones, :func:`status_with_publication`); each origin sees only reports
        published before it (column ``published``, else ``date``). None:
        no reports.
    national_known : bool
        A diagnostic, not a forecast: every origin also sees the national
        figures of the whole period, as if the national path were known in
        advance, so the error left on the province figures is the error of
        their offsets from the nation. The national figures are then not
        held out.
    **model_options
        Passed to :class:`~perjaka_analysis.trend.CoverageTrendModel`.

    Returns
    -------
    BacktestResults
    """
    panel = prepare_panel(coverage, measure=measure, ceiling=ceiling or 102.0)
    if isinstance(status, str):
        status = status_with_publication()
    origins = pd.DatetimeIndex(origins) if origins is not None else default_origins(panel)
    frames = []
    nation = (coverage["province"] == NATIONAL) & (coverage["measure"] == measure)
    for origin in origins:
        seen_rows = coverage["date"] < origin
        train = coverage[seen_rows | nation] if national_known else coverage[seen_rows]
        held, seen = _held_and_seen(panel, status, origin, horizon_years, national_known)
        if held.empty:
            continue
        fits = {}
        cache = FitCache()  # the logit methods of one origin share one pooled fit
        try:
            for method in methods:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fits[method] = CoverageTrendModel(
                        train,
                        method=method,
                        measure=measure,
                        ceiling=None if method == "saturation" else ceiling,
                        status=seen,
                        provinces=sorted(held["province"].unique()),
                        cache=cache,
                        **model_options,
                    ).fit()
        except PerjakaError:  # too little data before this origin for some method
            continue
        for method, res in fits.items():
            for province, rows in held.groupby("province", sort=True):
                trend = res.trends[province]
                frames.append(
                    held_out_predictions(
                        res, method, province, rows, origin, trend.basis, trend.n_points > 0
                    )
                )
    return backtest_results(frames)


def held_out_predictions(
    results,
    method: str,
    province: str,
    rows: pd.DataFrame,
    origin: pd.Timestamp,
    basis: str,
    has_earlier: bool,
) -> pd.DataFrame:
    """One place's held-out figures (``date``, ``pct``) beside the 80% and 95% predictions.

    Shared by the registration and active-share backtests; ``results`` has
    ``predict(province, dates, levels=(80, 95))``.
    """
    pred = results.predict(province, rows["date"], levels=(80, 95))
    p80 = pred[pred["level"] == 80].reset_index(drop=True)
    p95 = pred[pred["level"] == 95].reset_index(drop=True)
    h = (rows["date"].to_numpy() - np.datetime64(origin)) / np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "origin": origin,
            "method": method,
            "province": province,
            "date": rows["date"].to_numpy(),
            "horizon_years": h / 365.25,
            "actual": rows["pct"].to_numpy(),
            "mean": p80["mean"].to_numpy(),
            "lower_80": p80["lower"].to_numpy(),
            "upper_80": p80["upper"].to_numpy(),
            "lower_95": p95["lower"].to_numpy(),
            "upper_95": p95["upper"].to_numpy(),
            "basis": basis,
            "has_earlier": has_earlier,
        }
    )


def backtest_results(frames: list[pd.DataFrame]) -> BacktestResults:
    """Join held-out predictions and band them by horizon (:data:`HORIZONS`)."""
    if not frames:
        raise PerjakaError("no origin has both training figures and held-out figures")
    out = pd.concat(frames, ignore_index=True)
    bins = [lo for _, lo, _ in HORIZONS] + [HORIZONS[-1][2] + 1e-9]
    out["horizon"] = pd.cut(
        out["horizon_years"],
        bins=bins,
        labels=[h for h, _, _ in HORIZONS],
        right=True,
        include_lowest=True,
    ).astype(str)
    return BacktestResults(out)


# -- the saturation years ----------------------------------------------------------------------

#: Origins of the saturation-years backtest: every six months from the start of
#: January 2023 to the end of June 2025.
SATURATION_ORIGINS = tuple(pd.date_range("2023-01-01", "2025-07-01", freq="6MS"))
#: Horizon bands of the saturation-years backtest (label, from, to; years).
SATURATION_BANDS = (("≤6 m", 0.0, 0.5), ("6–12 m", 0.5, 1.0), ("1–2 y", 1.0, 2.0))
#: A held-out figure is a laggard's when the place's latest figure before the
#: origin is below this (percent).
LAGGARD_BELOW = 97.5


def latest_before(coverage: pd.DataFrame, origin, measure: str = "registered") -> pd.DataFrame:
    """Each place's latest figure published before ``origin`` (the last value).

    A figure counts from its ``source_date`` where the frame has one and it is
    known, else from its ``date``; figures of one place on its latest date are
    averaged.

    Returns
    -------
    pandas.DataFrame
        ``province, last_date, last_pct``.
    """
    origin = pd.Timestamp(origin)
    rows = coverage[coverage["measure"] == measure]
    seen = published_before(rows, origin)
    rows = rows[seen]
    if rows.empty:
        return pd.DataFrame(columns=["province", "last_date", "last_pct"])
    latest = rows.groupby("province")["date"].transform("max")
    rows = rows[rows["date"] == latest]
    out = rows.groupby("province", sort=True).agg(
        last_date=("date", "max"), last_pct=("coverage_pct", "mean")
    )
    return out.reset_index()


def published_before(rows: pd.DataFrame, origin: pd.Timestamp) -> pd.Series:
    """Rows dated before ``origin`` and, where known, published before it."""
    seen = rows["date"] < origin
    if "source_date" in rows:
        published = pd.to_datetime(rows["source_date"], errors="coerce", format="mixed")
        seen &= published.isna() | (published < origin)
    return seen


def saturation_backtest(
    coverage: pd.DataFrame,
    *,
    origins: Sequence = SATURATION_ORIGINS,
    horizon_years: float = 2.0,
    status: pd.DataFrame | str | None = "shipped",
    method: str = "saturation",
    national_known: bool = False,
    **model_options,
) -> SaturationBacktest:
    """The backtest of the saturation years: what a user would have been told.

    At each origin the model is fitted on the figures published before it
    (``source_date`` where the frame has one, else ``date``) and the status
    reports published before it, and every registration figure of the
    following ``horizon_years`` is predicted beside the place's last value.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.
    origins : sequence of dates
        Forecast origins (default :data:`SATURATION_ORIGINS`).
    horizon_years : float
        Held-out figures up to this many years after the origin are scored.
    status : DataFrame, None or "shipped"
        As in :func:`backtest`.
    method : str
        The trend method (default the shipped ``saturation``).
    national_known : bool
        A diagnostic, not a forecast: every origin also sees the national
        figures of the whole period (which are then not scored), so the error
        left on the province figures is that of their offsets.
    **model_options
        Passed to :class:`~perjaka_analysis.trend.CoverageTrendModel`.

    Returns
    -------
    SaturationBacktest
    """
    if isinstance(status, str):
        status = status_with_publication()
    panel = prepare_panel(coverage, measure="registered", ceiling=102.0)
    frames = []
    for origin in pd.DatetimeIndex(origins):
        seen_rows = published_before(coverage, origin)
        if national_known:
            seen_rows |= (coverage["province"] == NATIONAL) & (coverage["measure"] == "registered")
        train = coverage[seen_rows]
        held, seen = _held_and_seen(panel, status, origin, horizon_years, national_known)
        if held.empty:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = CoverageTrendModel(
                    train,
                    method=method,
                    measure="registered",
                    status=seen,
                    provinces=sorted(held["province"].unique()),
                    **model_options,
                ).fit()
        except PerjakaError:  # too little data before this origin
            continue
        last = latest_before(coverage, origin).set_index("province")
        for province, rows in held.groupby("province", sort=True):
            trend = res.trends[province]
            frame = held_out_predictions(
                res, method, province, rows, origin, trend.basis, province in last.index
            )
            frame["last_pct"] = last["last_pct"].get(province, np.nan)
            frame["last_date"] = last["last_date"].get(province, pd.NaT)
            frames.append(frame)
    if not frames:
        raise PerjakaError("no origin has both training figures and held-out figures")
    out = pd.concat(frames, ignore_index=True)
    bins = [lo for _, lo, _ in SATURATION_BANDS] + [SATURATION_BANDS[-1][2] + 1e-9]
    out["horizon"] = pd.cut(
        out["horizon_years"],
        bins=bins,
        labels=[h for h, _, _ in SATURATION_BANDS],
        right=True,
        include_lowest=True,
    ).astype(str)
    return SaturationBacktest(out)


_SCORED = ("mean", "actual", "last_pct", "lower_80", "upper_80")


def _registration_stats(a: dict) -> dict:
    """The scores of one set of held-out figures (arrays ``_SCORED``; see
    :meth:`SaturationBacktest.table`)."""
    err = a["mean"] - a["actual"]
    last_err = np.abs(a["last_pct"] - a["actual"])
    lag = a["last_pct"] < LAGGARD_BELOW
    inside = (a["actual"] >= a["lower_80"]) & (a["actual"] <= a["upper_80"])
    n = len(err)
    mae = float(np.mean(np.abs(err))) if n else np.nan
    last_mae = float(np.nanmean(last_err)) if np.isfinite(last_err).any() else np.nan
    return {
        "mae_pp": mae,
        "last_mae_pp": last_mae,
        "mae_ratio": mae / last_mae if np.isfinite(last_mae) and last_mae > 0 else np.nan,
        "bias_pp": float(np.mean(err)) if n else np.nan,
        "bias_laggards_pp": float(np.mean(err[lag])) if lag.any() else np.nan,
        "cover_80": float(np.mean(inside)) if n else np.nan,
        "width_80_pp": float(np.median(a["upper_80"] - a["lower_80"])) if n else np.nan,
    }


@dataclass(frozen=True)
class SaturationBacktest:
    """Held-out registration figures of the saturation years beside their forecasts.

    Attributes
    ----------
    predictions : pandas.DataFrame
        As :class:`BacktestResults` (``horizon`` from :data:`SATURATION_BANDS`)
        plus ``last_pct`` and ``last_date``: the place's latest figure
        published before the origin (NaN/NaT for a place without one).
    """

    predictions: pd.DataFrame

    def table(
        self,
        *,
        places: str = "with figure",
        n_boot: int = 1000,
        seed: int = 0,
        level: float = 0.9,
    ) -> pd.DataFrame:
        """Scores per horizon band with place-clustered bootstrap intervals.

        Parameters
        ----------
        places : {"with figure", "without figure"}
            Provinces with a figure of their own before the origin (the
            default; the nation is not counted), or provinces without one
            (their last value is undefined: its columns are NaN).
        n_boot : int
            Bootstrap replicates: each draws provinces with replacement and
            keeps all their held-out figures at every origin.
        seed : int
            Seed of the bootstrap.
        level : float
            Level of the bootstrap intervals (default 90%).

        Returns
        -------
        pandas.DataFrame
            One row per band and ``all``: ``horizon, n, places``, then for
            each score its value and ``*_lo``/``*_hi``: ``mae_pp`` (forecast),
            ``last_mae_pp`` (the last value's), ``mae_ratio``, ``bias_pp``
            (forecast minus figure), ``bias_laggards_pp`` (held-out figures of
            places whose last value is below :data:`LAGGARD_BELOW`),
            ``cover_80`` (share inside the 80% interval) and ``width_80_pp``
            (median width of the 80% interval).
        """
        pred = self.predictions[self.predictions["province"] != NATIONAL]
        if places == "with figure":
            pred = pred[pred["has_earlier"]]
        elif places == "without figure":
            pred = pred[~pred["has_earlier"]]
        else:
            raise PerjakaError(f"places must be 'with figure' or 'without figure', got {places!r}")
        rng = np.random.default_rng(seed)
        rows = []
        for label in [h for h, _, _ in SATURATION_BANDS] + ["all"]:
            sub = pred if label == "all" else pred[pred["horizon"] == label]
            if sub.empty:
                continue
            row = {"horizon": label, "n": len(sub), "places": sub["province"].nunique()}
            arrays = {k: sub[k].to_numpy(float) for k in _SCORED}
            point = _registration_stats(arrays)
            rows_of = list(sub.groupby("province", sort=True).indices.values())
            boots = []
            for _ in range(n_boot):
                pick = rng.integers(0, len(rows_of), len(rows_of))
                idx = np.concatenate([rows_of[i] for i in pick])
                boots.append(_registration_stats({k: v[idx] for k, v in arrays.items()}))
            boot = pd.DataFrame(boots)
            for key, value in point.items():
                row[key] = value
                col = boot[key].dropna()
                lo, hi = (
                    (col.quantile((1 - level) / 2), col.quantile((1 + level) / 2))
                    if len(col)
                    else (np.nan, np.nan)
                )
                row[f"{key}_lo"], row[f"{key}_hi"] = lo, hi
            rows.append(row)
        return pd.DataFrame(rows)


def _held_and_seen(
    panel: pd.DataFrame,
    status: pd.DataFrame | None,
    origin: pd.Timestamp,
    horizon_years: float,
    national_known: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Figures held out after an origin, and status reports public before it.

    ``held``: figures dated from ``origin`` to ``horizon_years`` later (the
    nation's left out where it is known in advance); ``seen``: reports dated
    and published (``published``, or ``date`` without it) before ``origin``.
    """
    held = panel[
        (panel["date"] >= origin)
        & (panel["date"] < origin + pd.DateOffset(days=round(365.25 * horizon_years)))
    ]
    if national_known:
        held = held[held["province"] != NATIONAL]
    seen = None
    if status is not None:
        when = status["published"] if "published" in status else status["date"]
        seen = status[(when < origin) & (status["date"] < origin)]
    return held, seen
