"""Figures. Every function draws on a given Axes or returns a new Figure; none calls show()."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .provinces import NATIONAL

__all__ = [
    "plot_calibration",
    "plot_coverage_observations",
    "plot_fan",
    "plot_forecast_grid",
    "plot_loop_history",
    "plot_precision_at_k",
    "plot_province_observations",
    "plot_risk_by",
]

TARGET_STYLE = {"color": "0.45", "linestyle": "--", "linewidth": 0.8}
SOURCE_NOTE = (
    "Source: public BPJS Kesehatan / government figures reported in news; see data/README.md"
)


def plot_province_observations(
    coverage: pd.DataFrame,
    province: str,
    *,
    measure: str = "registered",
    targets: Sequence[float] = (95.0, 98.0),
    ax: Axes | None = None,
) -> Axes:
    """Plot one place's coverage observations over time.

    Filled markers are figures for today's territory; hollow markers are
    figures dated before a boundary split (older, larger territory).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.
    province : str
        Official name or ``INDONESIA``.
    measure : str
        Which measure to draw.
    targets : sequence of float
        Horizontal target lines (percent).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    rows = coverage[
        (coverage["province"] == province)
        & (coverage["measure"] == measure)
        & coverage["district"].isna()
    ].sort_values("date")
    current = rows["territory"] == rows["province"]
    ax.plot(rows["date"], rows["coverage_pct"], color="tab:blue", linewidth=0.8, alpha=0.6)
    ax.plot(
        rows.loc[current, "date"],
        rows.loc[current, "coverage_pct"],
        "o",
        color="tab:blue",
        markersize=4,
        label="figure",
    )
    if (~current).any():
        ax.plot(
            rows.loc[~current, "date"],
            rows.loc[~current, "coverage_pct"],
            "o",
            markerfacecolor="white",
            color="tab:blue",
            markersize=4,
            label="pre-split territory",
        )
    for t in targets:
        ax.axhline(t, **TARGET_STYLE)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=3))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_title(province, fontsize=9)
    ax.tick_params(labelsize=7)
    if rows.empty:
        ax.text(0.5, 0.5, "no figure", ha="center", va="center", transform=ax.transAxes)
    return ax


def _panel_grid(n: int, ncols: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    """A figure of ``n`` panels in rows of ``ncols`` (panels beyond ``n`` hidden).

    Panels are not shared axes: matplotlib's shared axes and ``tight_layout``
    cost O(panels²) (about 15 s for 39 panels); :func:`_finish_grid` sets
    one scale on every panel instead.
    """
    nrows = math.ceil(max(n, 1) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows + 0.6), squeeze=False
    )
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat


def _finish_grid(
    fig: Figure,
    axes: list[Axes],
    n: int,
    ncols: int,
    *,
    xlim: tuple[pd.Timestamp, pd.Timestamp],
    ylim: tuple[float, float],
    title: str,
) -> None:
    """One scale, tick labels on the outer panels only, title and source note."""
    years = max(1, round((xlim[1].year - xlim[0].year) / 4))  # about four year ticks
    for i, ax in enumerate(axes[:n]):
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.xaxis.set_major_locator(mdates.YearLocator(base=years))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.tick_params(labelsize=6, labelbottom=i + ncols >= n, labelleft=i % ncols == 0)
    height = fig.get_figheight()
    fig.suptitle(title, fontsize=9, y=1 - 0.12 / height)
    fig.text(0.01, 0.005, SOURCE_NOTE, fontsize=7, color="0.35")
    fig.subplots_adjust(
        left=0.04, right=0.99, bottom=0.45 / height, top=1 - 0.55 / height, wspace=0.12, hspace=0.45
    )


def plot_coverage_observations(
    coverage: pd.DataFrame,
    *,
    measure: str = "registered",
    provinces: Sequence[str] | None = None,
    targets: Sequence[float] = (95.0, 98.0),
    ncols: int = 6,
) -> Figure:
    """Small multiples: every place's observations over time, on a shared scale.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.
    measure : str
        Which measure to draw (measures are never mixed).
    provinces : sequence of str, optional
        Places to draw; default every place with at least one figure,
        ``INDONESIA`` first.
    targets : sequence of float
        Target lines (percent), dashed.
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if provinces is None:
        present = coverage.loc[
            (coverage["measure"] == measure) & coverage["district"].isna(), "province"
        ].unique()
        provinces = sorted(present, key=lambda p: (p != NATIONAL, p))
    n = len(provinces)
    fig, flat = _panel_grid(n, ncols, 2.4, 1.9)
    for ax, province in zip(flat, provinces, strict=False):
        plot_province_observations(coverage, province, measure=measure, targets=targets, ax=ax)
    lo = min(60.0, float(coverage["coverage_pct"].min()) - 2)
    dates = pd.to_datetime(coverage["date"])
    _finish_grid(
        fig,
        flat,
        n,
        ncols,
        xlim=(pd.Timestamp(dates.min().year, 1, 1), dates.max() + pd.Timedelta(days=240)),
        ylim=(lo, max(105.0, float(coverage["coverage_pct"].max()) + 2)),
        title=f"JKN coverage (%), measure: {measure}; dashed: "
        + ", ".join(f"{t:g}%" for t in targets),
    )
    return fig


def plot_fan(
    province: str,
    *,
    observed: pd.DataFrame,
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    targets: Sequence[float] = (95.0, 98.0),
    basis: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Fan chart of one place: figures, fitted trend, forecast bands, targets.

    Parameters
    ----------
    province : str
        Title.
    observed : pandas.DataFrame
        Figures with ``date``, ``pct`` and ``territory``.
    history : pandas.DataFrame
        Fitted latent trend (``date``, ``mean``) over the observed period.
    forecast : pandas.DataFrame
        Long forecast frame (``date, mean, lower, upper, level``).
    targets : sequence of float
        Target lines (percent).
    basis : str
        What the trend rests on (shown when it is not the place's own data).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    levels = sorted(forecast["level"].unique(), reverse=True)
    shades = {lvl: alpha for lvl, alpha in zip(levels, (0.18, 0.35, 0.5), strict=False)}
    for lvl in levels:
        band = forecast[forecast["level"] == lvl]
        ax.fill_between(
            band["date"],
            band["lower"],
            band["upper"],
            color="tab:blue",
            alpha=shades[lvl],
            linewidth=0,
            label=f"{lvl}% interval",
        )
    first = forecast[forecast["level"] == levels[0]]
    ax.plot(first["date"], first["mean"], color="tab:blue", linewidth=1.5, label="forecast")
    ax.plot(history["date"], history["mean"], color="tab:blue", linewidth=1, linestyle=":")
    if not observed.empty:
        pre = observed["territory"] != province
        ax.plot(
            observed.loc[~pre, "date"],
            observed.loc[~pre, "pct"],
            "o",
            color="black",
            markersize=4,
            label="published figure",
        )
        if pre.any():
            ax.plot(
                observed.loc[pre, "date"],
                observed.loc[pre, "pct"],
                "o",
                color="black",
                markerfacecolor="white",
                markersize=4,
                label="figure, older territory",
            )
    for t in targets:
        ax.axhline(t, **TARGET_STYLE)
        ax.annotate(
            f"{t:g}%",
            (1.0, t),
            xycoords=("axes fraction", "data"),
            fontsize=7,
            color="0.35",
            va="bottom",
            ha="right",
        )
    title = province if basis in ("", "own data") else f"{province} — trend from {basis}"
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("registered (% of population)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    return ax


def plot_forecast_grid(
    results,
    *,
    until: str | pd.Timestamp,
    targets: Sequence[float] = (95.0, 98.0),
    provinces: Sequence[str] | None = None,
    ncols: int = 6,
) -> Figure:
    """Small multiples of fan charts, one per place, on a shared scale.

    Parameters
    ----------
    results : TrendResults
        A fitted trend.
    until : date
        End of the forecasts.
    targets : sequence of float
        Target lines (percent).
    provinces : sequence of str, optional
        Places (default every fitted place, ``INDONESIA`` first).
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = (
        list(provinces) if provinces else sorted(results.trends, key=lambda p: (p != NATIONAL, p))
    )
    fig, flat = _panel_grid(len(names), ncols, 2.5, 2.0)
    for ax, name in zip(flat, names, strict=False):
        results.plot(name, until=until, targets=targets, ax=ax)
        basis = results.trends[name].basis
        ax.set_title(name if basis == "own data" else f"{name}*", fontsize=8)
        ax.set_ylabel("")
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    start = pd.Timestamp(results.panel["date"].min())
    _finish_grid(
        fig,
        flat,
        len(names),
        ncols,
        xlim=(pd.Timestamp(start.year, 1, 1), pd.Timestamp(pd.Timestamp(until).year + 1, 1, 1)),
        ylim=(40, 102),
        title=f"Registration coverage (%) and forecast to {pd.Timestamp(until):%Y}, 80% and 95% "
        f"intervals ({results.method} model); * = no own figure, trend borrowed",
    )
    return fig


def plot_calibration(
    y: Sequence[int], risk: Sequence[float], *, bins: int = 10, ax: Axes | None = None
) -> Axes:
    """Reliability diagram: observed noncompliance rate against predicted risk (deciles).

    Parameters
    ----------
    y : sequence of int
        Outcomes (0/1).
    risk : sequence of float
        Predicted probabilities.
    bins : int
        Number of quantile bins.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    frame = pd.DataFrame({"y": np.asarray(y, dtype=float), "p": np.asarray(risk, dtype=float)})
    frame["bin"] = pd.qcut(frame["p"], bins, duplicates="drop")
    g = frame.groupby("bin", observed=True).agg(p=("p", "mean"), y=("y", "mean"), n=("y", "size"))
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=0.8, label="perfect")
    ax.plot(g["p"], g["y"], "o-", color="tab:blue", markersize=4, label="model")
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("observed share noncompliant")
    ax.set_title("Calibration (out-of-fold)", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    return ax


#: What :func:`plot_loop_history` can draw: title and y-axis label of each.
LOOP_PANELS = {
    "hit_rate": ("Noncompliance found, ranked vs random picks (95% CI)", "share found"),
    "calibration": ("Random picks: risk expected vs found (95% CI)", "share noncompliant"),
    "auc": ("ROC AUC on uninspected employers vs the truth", "ROC AUC"),
    "workers": (
        "Workers brought in: semester report vs simulated truth (95% CI)",
        "report / truth − 1",
    ),
}


def plot_loop_history(history: pd.DataFrame, what: str, *, ax: Axes | None = None) -> Axes:
    """One view of a simulated inspection loop, semester by semester.

    Parameters
    ----------
    history : pandas.DataFrame
        :attr:`perjaka_analysis.employers.loop.LoopResults.history`.
    what : {"hit_rate", "calibration", "auc", "workers"}
        Hit rates of ranked and random picks with their intervals; the
        model's mean risk of the random picks against the share found; the
        model's ROC AUC among uninspected employers against the true
        probability's; the report's workers brought in against the truth
        (relative difference, with the report's 95% interval when the history
        has ``workers_lower`` and ``workers_upper``; dotted lines at ±5%).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if what not in LOOP_PANELS:
        raise ValueError(f"what must be one of {sorted(LOOP_PANELS)}, got {what!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    x = np.arange(len(history))

    def with_interval(prefix: str, label: str, color: str, shift: float = 0.0) -> None:
        rate = history[f"{prefix}_rate"].to_numpy(float)
        err = [rate - history[f"{prefix}_lower"], history[f"{prefix}_upper"] - rate]
        ax.errorbar(x + shift, rate, yerr=err, fmt="o-", color=color, capsize=3, label=label)

    if what == "hit_rate":
        with_interval("ranked", "ranked picks", "tab:blue", -0.04)
        with_interval("random", "random picks", "tab:orange", 0.04)
    elif what == "calibration":
        with_interval("random", "found", "tab:orange")
        ax.plot(x, history["random_mean_risk"], "s--", color="tab:blue", label="model's mean risk")
    elif what == "auc":
        ax.plot(x, history["auc_uninspected"], "o-", color="tab:blue", label="model")
        ax.plot(x, history["bayes_auc_uninspected"], "s--", color="0.4",
                label="true probability (Bayes)")  # fmt: skip
    else:
        truth = history["workers_truth"].to_numpy(float)
        rel = history["workers_reported"].to_numpy(float) / truth - 1
        err = None
        if {"workers_lower", "workers_upper"} <= set(history.columns):
            err = [rel - (history["workers_lower"] / truth - 1),
                   history["workers_upper"] / truth - 1 - rel]  # fmt: skip
        ax.errorbar(x, rel, yerr=err, fmt="o", color="tab:blue", capsize=3, label="report")
        ax.axhline(0, color="0.4", lw=1, label="simulated truth")
        for level in (-0.05, 0.05):
            ax.axhline(level, color="0.6", lw=1, ls=":")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:+.0%}")
    ax.set_xticks(x, history["period"])
    title, ylabel = LOOP_PANELS[what]
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_precision_at_k(
    y: Sequence[int],
    scores: dict[str, Sequence[float]],
    *,
    max_share: float = 0.3,
    ax: Axes | None = None,
) -> Axes:
    """Precision of inspecting the top-scored share of employers, for several scores.

    Parameters
    ----------
    y : sequence of int
        Outcomes (0/1).
    scores : dict
        Label to score (e.g. model, rule of thumb, true probability).
    max_share : float
        Largest share inspected shown.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    y = np.asarray(y, dtype=float)
    n = len(y)
    shares = np.linspace(0.005, max_share, 60)
    for label, score in scores.items():
        order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
        hits = np.cumsum(y[order])
        k = np.maximum((shares * n).astype(int), 1)
        ax.plot(shares * 100, hits[k - 1] / k, label=label)
    ax.axhline(y.mean(), color="0.5", linestyle=":", linewidth=1, label="base rate")
    ax.set_xlabel("share of employers inspected (%)")
    ax.set_ylabel("precision (share noncompliant)")
    ax.set_ylim(0, 1)
    ax.set_title("Precision at inspection capacity", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    return ax


def plot_risk_by(scored: pd.DataFrame, by: str, *, top: int = 21, ax: Axes | None = None) -> Axes:
    """Mean predicted risk by a grouping (sector, province, district), with counts.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`perjaka_analysis.employers.score_registry`.
    by : str
        Column to group by.
    top : int
        Largest number of groups shown (highest mean risk first).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    g = (
        scored.groupby(by, observed=True)["risk"]
        .agg(["mean", "size"])
        .sort_values("mean", ascending=False)
        .head(top)
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 0.25 * len(g) + 1))
    ax.barh(g.index.astype(str)[::-1], g["mean"][::-1], color="tab:orange")
    for y_pos, (m, n) in enumerate(zip(g["mean"][::-1], g["size"][::-1], strict=True)):
        ax.annotate(f" n={n:,}", (m, y_pos), va="center", fontsize=6)
    ax.set_xlabel("mean predicted risk")
    ax.set_title(f"Risk by {by}", fontsize=10)
    ax.tick_params(labelsize=7)
    return ax
