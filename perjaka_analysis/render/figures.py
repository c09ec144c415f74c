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

from ..facts import ProvinceFacts
from ..i18n import fmt_num, text
from ..public_figures import sector_label
from .message import basis_note

__all__ = ["chart_title", "decimal_years", "sector_chart_svg", "uhc_chart_svg"]

BLUE = "#1f77b4"
ORANGE = "#e07b00"
GREY = "#737373"
#: Bases of a published active share that is not a share of the population: drawn at the
#: published value as a hollow diamond, the legend says so.
OTHER_BASES = ("of_participants", "unclear")


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _pts(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys, strict=True))


#: Width of one character of a chart title (12 px, semibold; about 6.9 px in DejaVu Sans).
TITLE_CHAR_PX = 7.0


def chart_title(title: str, x: float, y: float, room: float) -> str:
    """A chart title that never runs past ``room`` pixels: a long one is condensed.

    Parameters
    ----------
    title : str
        The title's text (escaped here).
    x, y : float
        Where the title starts, in the chart's pixels.
    room : float
        Width available to it, in pixels.

    Returns
    -------
    str
        An SVG ``<text>`` element; one longer than ``room`` at
        :data:`TITLE_CHAR_PX` a character is squeezed into ``room``
        (``textLength``).
    """
    fit = ""
    if len(title) * TITLE_CHAR_PX > room:
        fit = f' textLength="{_num(room)}" lengthAdjust="spacingAndGlyphs"'
    return f'<text x="{x}" y="{y}" class="title"{fit}>{escape(title)}</text>'


def decimal_years(dates: pd.Series | pd.DatetimeIndex) -> list[float]:
    """Dates as decimal years, the charts' horizontal axis.

    Parameters
    ----------
    dates : pandas.Series or pandas.DatetimeIndex

    Returns
    -------
    list of float
        ``year + (day of year - 1) / 365.25`` for each date.
    """
    days = np.asarray(dates, dtype="datetime64[D]")
    years = days.astype("datetime64[Y]")
    return (years.astype(np.int64) + 1970 + (days - years).astype(np.int64) / 365.25).tolist()


def _measure(facts: ProvinceFacts, measure: str) -> dict | None:
    """One measure's rows: published points, fitted path, forecast bands (80% only), threshold."""
    uhc = facts.rows("uhc") if "uhc" in facts.tables else None
    if measure == "active":
        if "active_forecast" not in facts.tables:
            return None
        obs = facts.rows("active_observed").assign(own_territory=True)
        hist, fc = facts.rows("active_history"), facts.rows("active_forecast")
        threshold = None if uhc is None or uhc.empty else float(uhc["active_pct"].iloc[0])
    else:
        obs, hist, fc = facts.rows("observed"), facts.rows("history"), facts.rows("forecast")
        threshold = None if uhc is None or uhc.empty else float(uhc["registered_pct"].iloc[0])
    band = fc[fc["level"] == fc["level"].min()].sort_values("date") if not fc.empty else fc
    return {"obs": obs, "hist": hist, "band": band, "threshold": threshold}


def _diamond(cx: float, cy: float, colour: str) -> str:
    """A hollow diamond: a published active share of another or unclear basis."""
    pts = _pts([cx, cx + 4.4, cx, cx - 4.4], [cy - 4.4, cy, cy + 4.4, cy])
    return f'<polygon points="{pts}" fill="#ffffff" stroke="{colour}" stroke-width="1.6"/>'


def _legend_mark(kind: str, colour: str, x: float, y: float) -> str:
    """The legend's sample of a published point (filled, hollow, diamond) or a model path."""
    if kind == "diamond":
        return _diamond(x + 6, y - 4, colour)
    if kind in ("dot", "hollow"):
        fill = colour if kind == "dot" else "#ffffff"
        return (
            f'<circle cx="{_num(x + 6)}" cy="{y - 4}" r="3.4" fill="{fill}" '
            f'stroke="#1d2733" stroke-width="0.9"/>'
        )
    return (
        f'<rect x="{_num(x)}" y="{y - 9}" width="14" height="10" fill="{colour}" '
        f'fill-opacity="0.22"/><line x1="{_num(x)}" x2="{_num(x + 14)}" y1="{y - 4}" '
        f'y2="{y - 4}" stroke="{colour}" stroke-width="1.8"/>'
    )


def uhc_chart_svg(facts: ProvinceFacts, *, width: int = 680, height: int = 300) -> str:
    """Both measures of UHC today in one chart: registered and active share of the population.

    For each measure (registered blue, active orange): the published figures
    (dots; hollow for figures of an older territory), the model's fitted path
    (dotted), its forecast (line) with the 80% interval (band), and the
    threshold of UHC under today's definition (dashed: 98% registered, 80%
    active, from the ``uhc`` table). Every published figure is drawn at its
    published value, as the caption and the text quote it; an active share
    of participants or of unclear basis is a hollow diamond, and the legend
    says it is drawn as published (the model's path is a share of the
    population). The legend says what each path borrows
    (the key message's words). Text is 11 px at the chart's size (about 8.5
    pt in print); the sources go in the caption under it
    (:func:`perjaka_analysis.render.message.chart_caption`).

    Parameters
    ----------
    facts : ProvinceFacts
        Reads ``observed``, ``history``, ``forecast``, ``active_observed``,
        ``active_history``, ``active_forecast``, ``active_nowcast``,
        ``places`` and ``uhc``.
    width, height : int
        Width, and height of the plot with its axes, in CSS pixels (the
        legend's lines come below; the chart scales with the page).

    Returns
    -------
    str
        An ``<svg>`` element ("" when there is nothing to draw).
    """
    lang = facts.config.language
    measures = {
        name: m for name in ("registered", "active") if (m := _measure(facts, name)) is not None
    }
    dates = [
        frame["date"]
        for m in measures.values()
        for frame in (m["obs"], m["hist"], m["band"])
        if not frame.empty
    ]
    if not dates:
        return ""
    xs = decimal_years(pd.concat(dates, ignore_index=True))
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    ys = [
        v
        for m in measures.values()
        for v in (
            *m["obs"]["pct"], *m["hist"]["mean"], *m["band"]["lower"], *m["band"]["upper"],
            *([m["threshold"]] if m["threshold"] is not None else []),
        )
    ]  # fmt: skip
    y0 = max(0.0, 5 * math.floor((min(ys) - 1) / 5))
    y1 = 5 * math.ceil((max(ys) + 1) / 5)
    left, right, top, bottom = 40, 96, 24, 58
    pw, ph = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + (v - x0) / max(x1 - x0, 1e-9) * pw

    def sy(v: float) -> float:
        return top + (y1 - v) / max(y1 - y0, 1e-9) * ph

    out = [
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#d0d7de"/>',
    ]
    step = 10 if y1 - y0 > 40 else (5 if y1 - y0 > 15 else 2)
    for v in range(int(y0), int(y1) + 1, step):
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{_num(sy(v))}" y2="{_num(sy(v))}" '
            f'stroke="#eef1f4"/><text x="{left - 4}" y="{_num(sy(v) + 4)}" '
            f'text-anchor="end" class="tick">{v}</text>'
        )
    ystep = 2 if x1 - x0 <= 12 else 3
    for yr in range(x0, x1 + 1, ystep):
        out.append(
            f'<text x="{_num(sx(yr))}" y="{top + ph + 14}" text-anchor="middle" '
            f'class="tick">{yr}</text>'
        )
    colours = {"registered": BLUE, "active": ORANGE}
    for name, m in measures.items():
        colour, band, hist = colours[name], m["band"], m["hist"]
        if not band.empty:
            bx = decimal_years(band["date"])
            poly = _pts(
                [sx(v) for v in [*bx, *bx[::-1]]],
                [sy(v) for v in [*band["upper"], *band["lower"][::-1]]],
            )
            out.append(f'<polygon points="{poly}" fill="{colour}" fill-opacity="0.22"/>')
            pts = _pts([sx(v) for v in bx], [sy(v) for v in band["mean"]])
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
            )
        if not hist.empty:
            pts = _pts([sx(v) for v in decimal_years(hist["date"])], [sy(v) for v in hist["mean"]])
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.3" '
                f'stroke-dasharray="2 3"/>'
            )
        if m["threshold"] is not None:
            t = m["threshold"]
            label = text(f"chart_threshold_{name}", lang).format(t=fmt_num(t, lang, 0))
            out.append(
                f'<line x1="{left}" x2="{left + pw}" y1="{_num(sy(t))}" y2="{_num(sy(t))}" '
                f'stroke="{colour}" stroke-dasharray="6 3" stroke-width="1"/>'
                f'<text x="{left + pw + 4}" y="{_num(sy(t) + 4)}" class="tick">'
                f"{escape(label)}</text>"
            )
    for name, m in measures.items():
        for r in m["obs"].itertuples(index=False):
            fill = colours[name] if r.own_territory else "#ffffff"
            if getattr(r, "basis", None) in OTHER_BASES:
                out.append(_diamond(sx(decimal_years([r.date])[0]), sy(r.pct), colours[name]))
                continue
            cx = _num(sx(decimal_years([r.date])[0]))
            out.append(
                f'<circle cx="{cx}" cy="{_num(sy(r.pct))}" r="3.4" '
                f'fill="{fill}" stroke="#1d2733" stroke-width="0.9"/>'
            )
    out.append(
        f'<text x="11" y="{top + ph / 2}" class="label" text-anchor="middle" '
        f'transform="rotate(-90 11 {top + ph / 2})">{escape(text("chart_ylabel_both", lang))}'
        "</text>"
    )
    out.append(chart_title(f"{facts.province} — {text('chart_uhc_title', lang)}", left, 15, pw))
    x, y = left, top + ph + 32
    for name, m in measures.items():
        own = m["obs"]["own_territory"].astype(bool)
        bases = m["obs"]["basis"] if "basis" in m["obs"] else pd.Series("", index=own.index)
        other = bases.isin(OTHER_BASES)
        legend = [("dot", text(f"chart_published_{name}", lang))] if (own & ~other).any() else []
        if other.any():
            words = [text(f"active_basis_{b}", lang) for b in OTHER_BASES if (bases == b).any()]
            legend.append(
                ("diamond", text("chart_published_as_stated", lang).format(basis=", ".join(words)))
            )
        if (~own).any():
            legend.append(("hollow", text("chart_older_territory", lang)))
        legend.append(("line", text(f"chart_path_{name}", lang) + basis_note(facts, name, lang)))
        for kind, label in legend:
            room = 26 + 6.2 * len(label)
            if x > left and x + room > width:
                x, y = left, y + 15
            out.append(
                _legend_mark(kind, colours[name], x, y)
                + f'<text x="{_num(x + 18)}" y="{y}" class="legend">{escape(label)}</text>'
            )
            x += room
        x, y = left, y + 15
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {y - 7}" '
        f'class="chart" role="img" aria-label="{escape(text("chart_uhc_title", lang))}">'
    )
    return head + "".join(out) + "</svg>"


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
