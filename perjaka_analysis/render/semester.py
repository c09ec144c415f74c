"""The semester report page, drawn from its facts only.

:func:`render_semester_html` shows a
:class:`~perjaka_analysis.employers.semester.SemesterFacts` in one language:
every number is computed there, every word comes from the message catalogue,
the reliability chart is inline SVG (text at least 12 px).
"""

from __future__ import annotations

from html import escape

import pandas as pd
from markupsafe import Markup

from ..employers.disclosure import K_ANONYMITY
from ..employers.semester import SemesterFacts
from ..i18n import fmt_date, fmt_num, fmt_pct, fmt_period, text
from ..provinces import NATIONAL
from ..public_figures import sector_label
from . import environment, render_page, to_context

__all__ = ["data_as_of", "reliability_svg", "render_semester_html"]

BLUE = "#1f77b4"
GREY = "#737373"
#: Width of one letter of the chart title (14 px, semibold DejaVu Sans), in pixels.
TITLE_PX = 8.5


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def reliability_svg(table: pd.DataFrame, lang: str = "id", *, size: int = 420) -> str:
    """Reliability plot: the share found noncompliant against the model's risk, by band.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~perjaka_analysis.employers.semester.reliability_table`.
    lang : {"id", "en"}
    size : int
        Width of the square plotting area in CSS pixels.

    Returns
    -------
    str
        An ``<svg>`` element: the diagonal of perfect calibration, one point
        per band at (mean risk, share found) with its 95% interval, the
        number visited beside it; axis labels and legend from the catalogue,
        all text 12 px or larger.
    """
    left, top, right, bottom = 64, 34, 20, 92
    w, h = left + size + right, top + size + bottom

    def x(v: float) -> float:
        return left + v * size

    def y(v: float) -> float:
        return top + (1 - v) * size

    title = text("sem_chart_title", lang)
    room = w - left - 4
    fit = ""  # a title longer than the chart is condensed, never cut (about 8.5 px a letter)
    if len(title) * TITLE_PX > room:
        fit = f' textLength="{room}" lengthAdjust="spacingAndGlyphs"'
    parts = [
        f'<svg class="chart reliability" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{escape(text("sem_chart_title", lang))}" '
        'style="max-width:34rem" font-size="12">',
        f'<text x="{left}" y="20" font-size="14" font-weight="600"{fit}>{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#b8c2cc"/>',
    ]
    for v in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        label = fmt_pct(100 * v, lang, 0)
        parts.append(
            f'<line x1="{_n(x(v))}" y1="{top}" x2="{_n(x(v))}" y2="{top + size}" '
            'stroke="#eef1f4"/>'
            f'<line x1="{left}" y1="{_n(y(v))}" x2="{left + size}" y2="{_n(y(v))}" '
            'stroke="#eef1f4"/>'
            f'<text x="{_n(x(v))}" y="{top + size + 18}" text-anchor="middle">{label}</text>'
            f'<text x="{left - 6}" y="{_n(y(v) + 4)}" text-anchor="end">{label}</text>'
        )
    parts.append(
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="{GREY}" '
        'stroke-dasharray="5 4"/>'
    )
    for r in table.itertuples():
        cx, cy = x(r.mean_risk), y(r.observed)
        parts.append(
            f'<line x1="{_n(cx)}" y1="{_n(y(r.lower))}" x2="{_n(cx)}" y2="{_n(y(r.upper))}" '
            f'stroke="{BLUE}" stroke-width="2"/>'
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="5" fill="{BLUE}"/>'
            f'<text x="{_n(cx + 8)}" y="{_n(cy - 6 if cy > top + 20 else cy + 18)}" '
            f'fill="#33414e">n = {int(r.n)}</text>'
        )
    parts.append(
        f'<text x="{left + size / 2}" y="{top + size + 40}" text-anchor="middle">'
        f"{escape(text('sem_axis_risk', lang))}</text>"
        f'<text transform="translate(16 {top + size / 2}) rotate(-90)" text-anchor="middle">'
        f"{escape(text('sem_axis_found', lang))}</text>"
    )
    ly = top + size + 64
    parts.append(
        f'<line x1="{left}" y1="{ly - 4}" x2="{left + 26}" y2="{ly - 4}" stroke="{GREY}" '
        'stroke-dasharray="5 4"/>'
        f'<text x="{left + 32}" y="{ly}">{escape(text("sem_legend_ideal", lang))}</text>'
        f'<circle cx="{left + 13}" cy="{ly + 16}" r="5" fill="{BLUE}"/>'
        f'<text x="{left + 32}" y="{ly + 20}">{escape(text("sem_legend_observed", lang))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _place(name: str, lang: str) -> str:
    return text("sem_national", lang) if name == NATIONAL else name


def data_as_of(facts: SemesterFacts, lang: str = "id") -> str:
    """The date the report's data stand at, in ``lang``: its latest finding and the plans' data.

    Dated by the data, never by the clock, so the same inputs give the same page.

    Parameters
    ----------
    facts : SemesterFacts
    lang : {"id", "en"}

    Returns
    -------
    str
        The latest finding the report counts and each plan's data date, at day
        precision (:func:`~perjaka_analysis.i18n.fmt_date`).
    """
    dates = pd.to_datetime(pd.Series(facts.plans["data_date"].unique()), errors="coerce")
    plans = ", ".join(fmt_date(d, lang) for d in sorted(dates.dropna())) or "–"
    if facts.latest_finding is None:
        return text("sem_as_of_none", lang).format(plans=plans)
    return text("sem_as_of", lang).format(finding=fmt_date(facts.latest_finding, lang), plans=plans)


def render_semester_html(facts: SemesterFacts, lang: str = "id", *, version: str = "") -> str:
    """The semester report as one HTML page in ``lang``.

    Parameters
    ----------
    facts : SemesterFacts
        :func:`~perjaka_analysis.employers.semester.compute_semester`.
    lang : {"id", "en"}
    version : str
        Package version named in the provenance line.

    Returns
    -------
    str
        A complete HTML document (the brief's stylesheet).
    """
    env = environment(lang)
    summary = facts.summary.assign(
        place=[
            text("sem_other_provinces_joined" if joined else "sem_other_provinces", lang).format(
                n=int(n), k=K_ANONYMITY
            ) if pooled
            else _place(p, lang)
            for p, pooled, n, joined in facts.summary[
                ["province", "pooled", "provinces", "joined"]
            ].itertuples(index=False)
        ]
    )  # fmt: skip
    equity = None
    if facts.equity is not None:
        equity = facts.equity.assign(
            grouping_label=[text(f"sem_grouping_{g}", lang) for g in facts.equity["grouping"]],
            group_label=[
                sector_label(v, lang) if g == "sector" else v
                for g, v in zip(facts.equity["grouping"], facts.equity["group"], strict=True)
            ],
        )
    cal = facts.calibration_overall
    cal_text = ""
    if cal["n"]:
        cal_text = text("sem_cal_text", lang).format(
            n=cal["n"],
            expected=fmt_num(cal["expected"], lang, 1),
            mean=fmt_pct(100 * cal["mean_risk"], lang, 1),
            found=int(cal["found"]),
            observed=fmt_pct(100 * cal["observed"], lang, 1),
            lower=fmt_pct(100 * cal["lower"], lang, 1),
            upper=fmt_pct(100 * cal["upper"], lang, 1),
            ratio=fmt_num(cal["ratio"], lang, 2),
        )
    scope = facts.province or text("sem_scope_national", lang)
    title = text("sem_title", lang).format(period=fmt_period(facts.period, lang))
    body = env.get_template("semester.html").render(
        f=facts,
        title=title,
        scope=scope,
        period_text=text("sem_period", lang).format(
            start=fmt_date(facts.start, lang), end=fmt_date(facts.end, lang)
        ),
        as_of=data_as_of(facts, lang),
        plans=to_context(facts.plans),
        summary=to_context(summary),
        districts=to_context(facts.districts) if len(facts.districts) else [],
        equity=to_context(equity) if equity is not None else None,
        cal_text=cal_text,
        chart=Markup(reliability_svg(facts.calibration, lang)) if cal["n"] else "",
        outside=int(facts.national["outside"]),
        k=K_ANONYMITY,
        provenance=text("sem_provenance", lang).format(version=version),
    )
    return render_page(lang, f"{title} · {scope}", body, body_class="semester")
