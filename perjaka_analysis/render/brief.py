"""The province brief: each section is one call that returns displayable HTML.

Sections read a :class:`~perjaka_analysis.facts.ProvinceFacts` and nothing
else; their words come from the message catalogue and their markup from
Jinja2 templates with autoescaping, so every text from data is escaped.
"""

from __future__ import annotations

import functools

import pandas as pd
from markupsafe import Markup

from ..facts import ProvinceFacts, age_months
from ..facts.kabkota import STALE_MONTHS
from ..i18n import banded_reasons, fmt_amount, fmt_date
from . import environment, render_page, to_context
from .figures import uhc_chart_svg
from .message import (
    active_sentences,
    chart_caption,
    key_message,
    later_text,
    no_figure_source,
    published_pct,
    scenario_sentences,
    uhc_sentences,
)

__all__ = ["HTML", "SECTIONS", "Brief", "render_brief_html"]

from ..forecast import (
    STATUS_ABOVE,
    STATUS_ABOVE_MODELLED,
    STATUS_EXPECTED,
    STATUS_OUT_OF_REACH,
    probably_above,
)
from ..i18n import text
from ..public_figures import metric_label, sector_label

#: The sections of a brief, in order.
#: Rows of the inspection plan a brief shows (the full plan is in lists/<province>.xlsx|csv).
PLAN_ROWS = 5
#: Kab/kota on page two (largest number of people missing first); the annex lists all.
TOP_DISTRICTS = 8
SECTIONS = ("title", "chart", "forecast", "public", "employers", "scenario", "method", "annex")
STATUS_KEYS = {
    STATUS_ABOVE: "status_above",
    STATUS_ABOVE_MODELLED: "status_above_modelled",
    STATUS_EXPECTED: "status_expected",
    STATUS_OUT_OF_REACH: "status_out",
}


class HTML:
    """A piece of HTML that notebooks display as such."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return self.body

    def __str__(self) -> str:
        return self.body

    def __repr__(self) -> str:
        # the plain-text form saved beside the HTML in a notebook: no memory address,
        # so the same brief gives the same notebook
        return f"<HTML section, {len(self.body)} characters>"


class Brief:
    """One province's brief, drawn from its facts.

    Parameters
    ----------
    facts : ProvinceFacts
        :func:`perjaka_analysis.facts.province_facts` (what the brief notebook
        calls) or :meth:`perjaka_analysis.facts.RunFacts.for_province`. The
        brief reads its facts and never computes them.
    """

    def __init__(self, facts: ProvinceFacts) -> None:
        self.facts = facts

    def _render(self, name: str, **context: object) -> HTML:
        env = environment(self.facts.config.language)
        later = later_text(self.facts)
        return HTML(env.get_template(f"{name}.html").render(f=self.facts, later=later, **context))

    def _dated(self, row: pd.Series) -> dict:
        """A row as context with ``old``: its date more than STALE_MONTHS before the brief's."""
        out = to_context(row)
        age = age_months(out["date"], self.facts.config.as_of, out["date_precision"] or "day")
        out["old"] = age > STALE_MONTHS
        return out

    # -- sections -------------------------------------------------------------------------------
    def title(self) -> HTML:
        """Title, date with the date of the data, the key message, the synthetic-data notice."""
        f = self.facts
        place = f.row("places")
        data_date = active_date = None
        if place is not None and not pd.isna(place["latest_date"]):
            data_date = fmt_date(place["latest_date"], f.config.language,
                                 place["latest_precision"] or "day")  # fmt: skip
        card_row = f.row("card") if "card" in f.tables else None
        if card_row is not None and not pd.isna(card_row["active_latest_date"]):
            active_date = fmt_date(card_row["active_latest_date"], f.config.language,
                                   card_row["active_latest_precision"] or "day")  # fmt: skip
        card = None
        if "card" in f.tables:
            env = environment(f.config.language)
            row, status = (
                f.row("card"),
                f.row("status_report") if "status_report" in f.tables else None,
            )
            published = None
            if place is not None and not pd.isna(place["latest_pct"]):
                published = published_pct(
                    place["latest_pct"], place["latest_qualifier"], place["latest_decimals"],
                    f.config.language,
                )  # fmt: skip
            card = Markup(
                env.get_template("card.html").render(
                    c=to_context(row),
                    place=to_context(place),
                    published=published,
                    status=None if status is None else self._dated(status),
                    stale_months=STALE_MONTHS,
                    deadline=f.config.deadline,
                    as_of=f.config.as_of,
                )
            )
        return self._render(
            "title",
            data_date=data_date,
            active_date=active_date if active_date != data_date else None,
            message=key_message(f, f.config.language),
            card=card,
        )

    def chart(self) -> HTML:
        """Both measures in one chart (:func:`~perjaka_analysis.render.figures.uhc_chart_svg`).

        Registered and active share of the population over time, the
        thresholds of UHC under today's definition, published figures
        against the model's path, and the sources in the caption.
        """
        f = self.facts
        return self._render(
            "chart",
            chart=Markup(uhc_chart_svg(f)),
            caption=chart_caption(f, f.config.language),
        )

    def headline(self) -> HTML:
        """Latest coverage (date, source), rank, distance to each target, nowcast."""
        f = self.facts
        nowcast = f.rows("nowcast") if "nowcast" in f.tables else None
        now = None
        if nowcast is not None and not nowcast.empty:
            now = to_context(nowcast.sort_values("level").iloc[0])
        place = to_context(f.row("places"))
        published = None
        if place is not None and place["latest_pct"] is not None:
            published = published_pct(
                place["latest_pct"], place["latest_qualifier"], place["latest_decimals"],
                f.config.language,
            )  # fmt: skip
        now_gaps = {}
        if "enforcement" in f.tables:
            now_gaps = {r["target_pct"]: r for r in to_context(f.rows("enforcement"))}
        return self._render(
            "headline", place=place, gaps=to_context(f.rows("gaps")), nowcast=now,
            published=published, stale_months=STALE_MONTHS, now_gaps=now_gaps,
        )  # fmt: skip

    def forecast(self) -> HTML:
        """Expected date of each target, probability, required vs recent pace; active; UHC."""
        f = self.facts
        place = f.row("places")
        lang = f.config.language
        targets = to_context(f.rows("targets"))
        for r in targets:
            # a pace that rounds to a fall of one person or more, with the trend's two ends
            pace, start = r.get("recent_per_month"), r.get("recent_from_pct")
            r["falling"] = pace is not None and start is not None and round(pace) < 0
        return self._render(
            "forecast",
            basis="" if place is None else str(place["basis"]),
            no_figure_source=no_figure_source(f),
            latest_precision="" if place is None else str(place["latest_precision"]),
            targets=targets,
            status_keys=STATUS_KEYS,
            above=STATUS_ABOVE,
            above_modelled=STATUS_ABOVE_MODELLED,
            active_text=active_sentences(f, lang),
            uhc_text=uhc_sentences(f, lang),
        )

    def public(self) -> HTML:
        """Real public PERJAKA figures on employers and the district table, with sources."""
        f = self.facts
        lang = f.config.language
        figures = f.rows("employer_public") if "employer_public" in f.tables else None
        shown = []
        if figures is not None:
            for r in to_context(figures):
                r["label"] = metric_label(r["metric"], lang)
                r["shown"] = fmt_amount(r["value"], r["unit"], lang, r["qualifier"] or "")
                shown.append(r)
        # every kab/kota of the province, its people missing and age from the facts
        districts = to_context(f.rows("kabkota")) if "kabkota" in f.tables else []
        for r in shown:
            age = age_months(r["date"], f.config.as_of, r["date_precision"] or "day")
            r["old"] = age > STALE_MONTHS
        n_districts = len(districts)
        districts = districts[:TOP_DISTRICTS]
        # the order is by people short only where no shown figure is too old to count them
        districts_dated = any(r["old"] for r in districts)
        segments = to_context(f.rows("segments")) if "segments" in f.tables else []
        for r in segments:
            r["old"] = age_months(r["date"], f.config.as_of, r["date_precision"]) > STALE_MONTHS
        status = f.row("status_report") if "status_report" in f.tables else None
        return self._render(
            "public",
            figures=shown,
            districts=districts,
            n_districts=n_districts,
            districts_dated=districts_dated,
            segments=segments,
            status=None if status is None else self._dated(status),
            stale_months=STALE_MONTHS,
        )

    def employers(self, n: int = PLAN_ROWS) -> HTML:
        """Top of the inspection list (pseudonyms, reasons), risk by sector and district."""
        f = self.facts
        label = functools.partial(sector_label, lang=f.config.language)
        listed = f.rows("inspection_list").head(n)
        listed = listed.assign(
            sector=listed["sector"].map(label),
            reasons=banded_reasons(listed, f.config.language),
        )
        return self._render(
            "employers",
            gains=to_context(f.row("gains")),
            capacity=to_context(f.row("capacity")) if "capacity" in f.tables else None,
            slug=f.config.slug,
            blend_offset=f.meta.get("list_blend_offset"),
            listed=to_context(listed),
        )

    def scenario(self) -> HTML:
        """If the listed employers complied: participants added, points, months earlier."""
        f = self.facts
        targets = f.rows("targets")
        text_of = environment(f.config.language).globals["t"]
        return self._render(
            "scenario",
            gains=to_context(f.row("gains")),
            scenario=to_context(f.rows("scenario")),
            words=scenario_sentences(f, f.config.language),
            status_text={
                r.target_pct: text_of[
                    "status_above_likely"
                    if probably_above(r.status, r.date_upper_80)
                    else STATUS_KEYS.get(r.status, "status_out")
                ]
                for r in targets.itertuples(index=False)
            },
        )

    def method(self) -> HTML:
        """Sources with dates, caveats, provenance (version, commit, hashes, parameters)."""
        f = self.facts
        sources = to_context(f.rows("sources"))
        for r in sources:
            r["shown"] = (
                ""
                if r["coverage_pct"] is None
                else published_pct(
                    r["coverage_pct"], r["qualifier"] or "", r["decimals"], f.config.language
                )
            )
        return self._render("method", sources=sources)

    def annex(self) -> HTML:
        """Every kab/kota of the province, in full (page two shows the largest gaps)."""
        f = self.facts
        rows = to_context(f.rows("kabkota")) if "kabkota" in f.tables else []
        return self._render("annex", districts=rows, stale_months=STALE_MONTHS)

    def sections(self) -> list[HTML]:
        """Every section, in order."""
        return [getattr(self, name)() for name in SECTIONS]

    def _repr_html_(self) -> str:
        return "".join(str(s) for s in self.sections())


def render_brief_html(facts: ProvinceFacts, body: str | None = None) -> str:
    """A complete, self-contained HTML page of one brief.

    Parameters
    ----------
    facts : ProvinceFacts
    body : str, optional
        The page body (e.g. an executed notebook's code-free export); by
        default the brief's sections.
    """
    lang = facts.config.language
    if body is None:
        body = "".join(str(s) for s in Brief(facts).sections())
    title = f"{facts.province} — {text('title', lang)}"
    return render_page(lang, title, body, back=True)
