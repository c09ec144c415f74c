"""Pages and charts of a run, read from its facts only.

:mod:`~perjaka_analysis.render.brief` (province brief sections),
:mod:`~perjaka_analysis.render.overview` (the national ``index.html``),
:mod:`~perjaka_analysis.render.figures` (inline SVG charts) and
:mod:`~perjaka_analysis.render.pdf` (A4 PDF with Chromium). Templates are
Jinja2 with autoescaping; one stylesheet; words from
:func:`perjaka_analysis.i18n.catalogue`. Nothing here reads a data file or
fits a model.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pandas as pd

from ..forecast import probably_above
from ..i18n import (
    catalogue,
    fmt_about,
    fmt_amount,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_plain,
    fmt_pp,
    fmt_prob,
    fmt_rp,
    probability_phrase,
)
from ..sources import link_url, stated_decimals
from .message import borrowed_active

__all__ = ["environment", "render_page", "to_context"]


def _missing(x: object) -> bool:
    return x is None or (not isinstance(x, str | bytes | bool) and bool(pd.isna(x)))


def _absent(x: object) -> bool:
    """``_missing`` for the Python scalars of an object array (cheaper than ``pd.isna``)."""
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and x != x)


def to_context(row: Any) -> Any:
    """A table row (Series) or frame as plain dicts with missing values as None."""
    if isinstance(row, pd.DataFrame):
        # one object array for the frame (Python scalars and Timestamps): a brief's
        # tables have a few rows, where iterrows or to_dict("records") cost ~1 ms a frame
        names = list(row.columns)
        return [
            {k: (None if _absent(v) else v) for k, v in zip(names, values, strict=True)}
            for values in row.to_numpy(dtype=object).tolist()
        ]
    if row is None:
        return None
    return {k: (None if _missing(v) else v) for k, v in row.items()}


@lru_cache(maxsize=4)
def environment(lang: str):
    """The Jinja2 environment of one language: autoescape on, format filters bound."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("perjaka_analysis.render", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=lambda x: fmt_pct(x, lang),
        pct1=lambda x: fmt_pct(x, lang, 1),
        # a published share at the precision it was stated with ("73%", "72,5%")
        pct_stated=lambda x: fmt_pct(x, lang, stated_decimals(x)),
        # a model's probability: "> 99%" / "< 1%", never a bare 100% or 0% (fmt_prob)
        prob=lambda x: fmt_prob(x, lang),
        # an observed rate or share (0-1) as a percentage: 100% done is 100%
        rate=lambda x: "–" if _missing(x) else fmt_pct(100 * float(x), lang, 0),
        prob1=lambda x: "–" if _missing(x) else fmt_pct(100 * float(x), lang, 1),
        # a probability in the words of its band and its value: "sangat mungkin (85%)"
        likelihood=lambda x: probability_phrase(x, lang),
        pp=lambda x: fmt_pp(x, lang),
        pp3=lambda x: fmt_pp(x, lang, 3),
        # points at the precision of the figure they come from ("2 poin persen" from "> 96%")
        ppd=lambda x, digits=2: fmt_pp(x, lang, int(digits)),
        int=lambda x: fmt_int(x, lang),
        about=lambda x: fmt_about(x, lang),
        rp2=lambda x: fmt_rp(x, lang, significant=2),
        num1=lambda x: fmt_num(x, lang, 1),
        num_pub=lambda x: fmt_plain(x, lang),
        idr=lambda x: fmt_amount(x, "IDR", lang),
        # rupiah of a report's tables: three significant digits throughout ("Rp 12,3 juta")
        rp3=lambda x: fmt_rp(x, lang, significant=3),
        pct_pub=lambda x, qualifier="": fmt_amount(x, "percent", lang, qualifier or ""),
        date=lambda x, precision="day": fmt_date(x, lang, precision or "day"),
        month=lambda x: fmt_date(x, lang, "month"),
        # every <a href> of a page passes here: http(s) only, or a page of the run
        href=link_url,
        href_local=lambda x: link_url(x, relative=True),
    )

    # one rule for "probably already above" in every template (a targets row)
    env.tests["probably_above"] = lambda r: probably_above(r["status"], r["date_upper_80"])
    # one rule for "the active share is borrowed" in the brief and the overview
    env.tests["active_borrowed"] = lambda n: bool(n) and borrowed_active(n["n_points"], n["basis"])
    env.globals["t"] = catalogue(lang)
    env.globals["lang"] = lang
    env.globals["json"] = json.dumps
    return env


def render_page(
    lang: str, title: str, body: str, *, back: bool = False, body_class: str = "", script: str = ""
) -> str:
    """A complete HTML document around ``body`` (already safe HTML) with the stylesheet."""
    from markupsafe import Markup

    return (
        environment(lang)
        .get_template("page.html")
        .render(
            title=title,
            body=Markup(body),
            back=back,
            body_class=body_class,
            script=Markup(script),
        )
    )
