"""A brief's charts as inline SVG, drawn from a province's facts only.

Plain SVG text (no plotting library, no files): the page embeds it, so a
brief mailed alone shows its charts; it prints sharply to PDF; the same
facts give the same bytes. Labels and legends come from the message
catalogue (:func:`perjaka_analysis.i18n.text`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd

from ..facts import ProvinceFacts, basis_kind
from ..i18n import fmt_num, text
from ..public_figures import sector_label
from .message import model_basis_label, no_figure_source

__all__ = ["fan_chart_svg", "sector_chart_svg"]

BLUE = "#1f77b4"
ORANGE = "#e07b00"
GREY = "#737373"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _pts(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys, strict=True))


#: Width of one character of a chart title (12 px, semibold; about 6.9 px in DejaVu Sans).
TITLE_CHAR_PX = 7.0


def _title(title: str, x: float, y: float, room: float) -> str:
    """A chart title that never runs past ``room`` pixels: a long one is condensed."""
    fit = ""
    if len(title) * TITLE_CHAR_PX > room:
        fit = f' textLength="{_num(room)}" lengthAdjust="spacingAndGlyphs"'
    return f'<text x="{x}" y="{y}" class="title"{fit}>{escape(title)}</text>'


def _years(dates: pd.Series | pd.DatetimeIndex) -> list[float]:
    """Dates as decimal years (year + (day of year - 1) / 365.25)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    years = days.astype("datetime64[Y]")
    return (years.astype(np.int64) + 1970 + (days - years).astype(np.int64) / 365.25).tolist()


def _active_threshold(facts: ProvinceFacts) -> list[float]:
    uhc = facts.rows("uhc") if "uhc" in facts.tables else None
    if uhc is None or uhc.empty:
        return []
    return [float(uhc["active_pct"].iloc[0])]


def fan_chart_svg(
    facts: ProvinceFacts, *, measure: str = "registered", width: int = 680, height: int = 330
) -> str:
    """Fan chart of one place: published figures, fitted trend, forecast bands, targets.

    Parameters
    ----------
    facts : ProvinceFacts
        Reads ``observed``, ``history``, ``forecast``, ``places`` and the
        targets; with ``measure="active"`` the ``active_*`` tables and the
        active threshold of today's UHC definition (``uhc``).
    measure : {"registered", "active"}
    width, height : int
        Size in CSS pixels (the chart scales with the page).

    Returns
    -------
    str
        An ``<svg>`` element ("" when there is nothing to draw).
    """
    lang = facts.config.language
    if measure == "active":
        if "active_forecast" not in facts.tables:
            return ""
        obs = facts.rows("active_observed").assign(own_territory=True)
        hist, fc = facts.rows("active_history"), facts.rows("active_forecast")
        targets = _active_threshold(facts)
        now = facts.row("active_nowcast")
        basis = "" if now is None else str(now["basis"])
        ylabel = text("chart_ylabel_active", lang)
    else:
        obs, hist = facts.rows("observed"), facts.rows("history")
        fc = facts.rows("forecast")
        targets = list(facts.config.targets)
        place = facts.row("places")
        basis = "" if place is None else str(place["basis"])
        ylabel = text("chart_ylabel", lang)
    left, right, top, bottom = 46, 44, 26, 62
    pw, ph = width - left - right, height - top - bottom
    xs = _years(pd.concat([obs["date"], hist["date"], fc["date"]], ignore_index=True))
    if not xs:
        return ""
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    ys = [*obs["pct"], *hist["mean"], *fc["lower"], *fc["upper"], *targets]
    y0 = max(0.0, 5 * math.floor((min(ys) - 1) / 5))
    y1 = 5 * math.ceil((max(ys) + 1) / 5)

    def sx(v: float) -> float:
        return left + (v - x0) / max(x1 - x0, 1e-9) * pw

    def sy(v: float) -> float:
        return top + (y1 - v) / max(y1 - y0, 1e-9) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(text("trend", lang))}">',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#d0d7de"/>',
    ]
    step = 5 if y1 - y0 > 25 else (2 if y1 - y0 > 10 else 1)
    for v in range(int(y0), int(y1) + 1, step):
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{_num(sy(v))}" y2="{_num(sy(v))}" '
            f'stroke="#eef1f4"/><text x="{left - 4}" y="{_num(sy(v) + 3)}" '
            f'text-anchor="end" class="tick">{v}</text>'
        )
    ystep = 2 if x1 - x0 <= 12 else 3
    for yr in range(x0, x1 + 1, ystep):
        out.append(
            f'<text x="{_num(sx(yr))}" y="{top + ph + 13}" text-anchor="middle" '
            f'class="tick">{yr}</text>'
        )
    levels = sorted(fc["level"].unique(), reverse=True)
    shades = dict(zip(levels, (0.18, 0.35, 0.5), strict=False))
    for lvl in levels:
        band = fc[fc["level"] == lvl].sort_values("date")
        bx = _years(band["date"])
        poly = _pts(
            [sx(v) for v in [*bx, *bx[::-1]]],
            [sy(v) for v in [*band["upper"], *band["lower"][::-1]]],
        )
        out.append(f'<polygon points="{poly}" fill="{BLUE}" fill-opacity="{shades[lvl]}"/>')
    if levels:
        first = fc[fc["level"] == levels[0]].sort_values("date")
        pts = _pts([sx(v) for v in _years(first["date"])], [sy(v) for v in first["mean"]])
        out.append(f'<polyline points="{pts}" fill="none" stroke="{BLUE}" stroke-width="1.8"/>')
    if not hist.empty:
        pts = _pts([sx(v) for v in _years(hist["date"])], [sy(v) for v in hist["mean"]])
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="{BLUE}" stroke-width="1.2" '
            f'stroke-dasharray="2 3"/>'
        )
    for t in targets:
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{_num(sy(t))}" y2="{_num(sy(t))}" '
            f'stroke="{GREY}" stroke-dasharray="5 3" stroke-width="0.9"/>'
            f'<text x="{left + pw + 3}" y="{_num(sy(t) + 3)}" class="tick">'
            f"{escape(fmt_num(t, lang, 1))}%</text>"
        )
    for r in obs.itertuples(index=False):
        fill = "#000000" if r.own_territory else "#ffffff"
        out.append(
            f'<circle cx="{_num(sx(_years([r.date])[0]))}" cy="{_num(sy(r.pct))}" r="3.2" '
            f'fill="{fill}" stroke="#000000" stroke-width="1"/>'
        )
    out.append(
        f'<text x="12" y="{top + ph / 2}" class="label" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + ph / 2})">{escape(ylabel)}</text>'
    )
    title = facts.province
    if measure == "active":
        title += f" — {text('active_title', lang)}"
        if basis not in ("", "own data"):
            title += f" ({model_basis_label(basis, lang)})"
    elif basis not in ("", "own data"):
        kind = basis_kind(basis)
        if kind == "none":
            kind = no_figure_source(facts)
        title += f" — {text('chart_basis_' + kind, lang)}"
        if "UHC status" in basis:
            title += f" {text('chart_basis_status', lang)}"
    out.append(_title(title, left, 16, width - left - 4))
    legend = [("dot", text("chart_published", lang))]
    if not obs.empty and (~obs["own_territory"].astype(bool)).any():
        legend.append(("hollow", text("chart_older_territory", lang)))
    legend += [("line", text("chart_forecast", lang)), ("dash", text("chart_trend", lang))]
    legend += [
        (f"band{lvl}", text("chart_interval", lang).format(level=lvl)) for lvl in levels[::-1]
    ]
    x, y = left, top + ph + 30
    for kind, label in legend:
        if kind in ("dot", "hollow"):
            fill = "#000000" if kind == "dot" else "#ffffff"
            mark = f'<circle cx="{x + 6}" cy="{y - 3}" r="3.2" fill="{fill}" stroke="#000000"/>'
        elif kind.startswith("band"):
            opacity = shades[int(kind[4:])]
            mark = (
                f'<rect x="{x}" y="{y - 8}" width="12" height="9" fill="{BLUE}" '
                f'fill-opacity="{opacity}"/>'
            )
        else:
            dash = ' stroke-dasharray="2 3"' if kind == "dash" else ""
            mark = (
                f'<line x1="{x}" x2="{x + 12}" y1="{y - 3}" y2="{y - 3}" stroke="{BLUE}" '
                f'stroke-width="1.6"{dash}/>'
            )
        out.append(mark + f'<text x="{x + 16}" y="{y}" class="legend">{escape(label)}</text>')
        x += 26 + 5.6 * len(label)
        if x > width - 120:
            x, y = left, y + 14
    out.append(
        f'<text x="{left}" y="{height - 4}" class="source">{escape(text("chart_source", lang))}'
        "</text></svg>"
    )
    return "".join(out)


def sector_chart_svg(facts: ProvinceFacts, *, width: int = 620) -> str:
    """Horizontal bars: mean predicted risk of the province's employers by sector.

    Returns
    -------
    str
        An ``<svg>`` element, or "" when the province has no employers.
    """
    lang = facts.config.language
    risk = facts.rows("risk_by")
    sectors = risk[risk["grouping"] == "sector"].sort_values(
        ["mean_risk", "group"], ascending=[False, True], kind="stable"
    )
    if sectors.empty:
        return ""
    bar, gap, left, top = 14, 4, 250, 24
    height = top + len(sectors) * (bar + gap) + 30
    pw = width - left - 50
    hi = max(float(sectors["mean_risk"].max()), 1e-9)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(text("chart_sectors", lang))}">',
        f'<text x="4" y="15" class="title">{escape(text("chart_sectors", lang))}</text>',
    ]
    for i, r in enumerate(sectors.itertuples(index=False)):
        y = top + i * (bar + gap)
        w = pw * float(r.mean_risk) / hi
        name = sector_label(r.group, lang)
        label = name if len(name) <= 42 else name[:41] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + bar - 3}" text-anchor="end" class="tick">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{_num(w)}" height="{bar}" fill="{ORANGE}"/>'
            f'<text x="{_num(left + w + 4)}" y="{y + bar - 3}" class="tick">'
            f"{escape(fmt_num(100 * float(r.mean_risk), lang, 1))}%</text>"
        )
    out.append(
        f'<text x="{left}" y="{height - 8}" class="label">'
        f"{escape(text('chart_mean_risk', lang))}</text></svg>"
    )
    return "".join(out)
