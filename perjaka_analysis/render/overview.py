"""The national overview page (``index.html``) of a run, from its facts.

Self-contained HTML: a coverage map drawn as inline SVG (province outlines
from the facts' ``map`` table), a ranking sortable by any column (a few lines
of inline script), links to every brief and the status of each (failed and
cancelled briefs are marked). Targets are addressed by position, never by a
column name built from the number, so 98.6% works like 98%.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..facts import RunFacts
from ..facts.kabkota import STALE_MONTHS
from ..forecast import STATUS_ABOVE, STATUS_ABOVE_MODELLED, probably_above
from ..geo import LAT0, LAT1, LON0, LON1, SCALE, geojson_paths
from ..i18n import fmt_date, fmt_pct, probability_phrase, text
from ..provinces import NATIONAL
from . import environment, render_page, to_context
from .message import no_figure_source, published_pct

__all__ = [
    "coverage_colour",
    "geojson_paths",
    "national_target_text",
    "render_overview",
    "svg_map",
]

BINS = [(0, 80, "#d7301f"), (80, 90, "#fc8d59"), (90, 95, "#fdcc8a"), (95, 98, "#9ecae1"),
        (98, 1000, "#2171b5")]  # fmt: skip
NO_DATA = "#d9d9d9"
#: Fill of each class of UHC today (card.uhc_class), in legend order.
UHC_COLOURS = {
    "almost_certain": "#08519c",
    "very_likely": "#3182bd",
    "likely": "#9ecae1",
    "even": "#fee391",
    "unlikely": "#fdae6b",
    "very_unlikely": "#e6550d",
    "almost_never": "#a50f15",
    "unknown": NO_DATA,
}
#: The map's data and licence, named in the catalogue's sentence (``geo_credit``).
GEO_SOURCE = "denyherianto/indonesia-geojson-topojson-maps-with-38-provinces, CC BY 4.0"
SORT_SCRIPT = """
function sortBy(col) {
  var table = document.getElementById("ranking");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var asc = table.getAttribute("data-col") != String(col)
    || table.getAttribute("data-dir") == "desc";
  rows.sort(function (a, b) {
    var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
    var nx = parseFloat(x), ny = parseFloat(y);
    var r = (!isNaN(nx) && !isNaN(ny) && String(nx) == x && String(ny) == y)
      ? nx - ny : x.localeCompare(y);
    return asc ? r : -r;
  });
  rows.forEach(function (r) { body.appendChild(r); });
  table.setAttribute("data-col", String(col));
  table.setAttribute("data-dir", asc ? "asc" : "desc");
}
"""


def national_target_text(row: pd.Series, precision: str = "day", lang: str = "id") -> str:
    """One national target of the overview: reached, when, and how likely, in words.

    A target a published figure is at or above reads "already (figure of
    <date>)", without a probability; otherwise the status (modelled above,
    probably above, expected date, out of reach) and ``P =`` the
    probability by the deadline in the words of its band
    (:func:`perjaka_analysis.i18n.probability_phrase`).

    Examples
    --------
    >>> row = pd.Series({"target_pct": 98.0, "status": STATUS_ABOVE,
    ...     "expected_date": pd.Timestamp("2025-12-31"), "date_upper_80": pd.NaT,
    ...     "prob_by_deadline": 0.99})
    >>> national_target_text(row, "day", "en")
    '98.0%: already (figure of 31 December 2025)'
    """
    head = f"{fmt_pct(row['target_pct'], lang, 1)}: "
    status = row["status"]
    if status == STATUS_ABOVE:
        date = fmt_date(row["expected_date"], lang, precision)
        return head + text("reached_on", lang).format(date=date)
    if status == STATUS_ABOVE_MODELLED:
        upper = row.get("date_upper_80")
        words = text(
            "reached_likely" if probably_above(status, upper) else "reached_modelled", lang
        )
    elif pd.isna(row.get("expected_date")):
        words = text("status_out", lang)
    else:
        words = fmt_date(row["expected_date"], lang, "month")
    return f"{head}{words}; P = {probability_phrase(row['prob_by_deadline'], lang)}"


def uhc_label(code: str, t: Mapping[str, str]) -> str:
    """Words of a class of UHC today: the probability words of its band, or "cannot be assessed"."""
    return t["uhc_class_unknown"] if code == "unknown" else t["p_" + code]


def coverage_colour(pct: float | None) -> str:
    """Fill colour of a coverage value (grey when missing).

    Examples
    --------
    >>> coverage_colour(99.0), coverage_colour(None)
    ('#2171b5', '#d9d9d9')
    """
    if pct is None or pd.isna(pct):
        return NO_DATA
    for lo, hi, colour in BINS:
        if lo <= pct < hi:
            return colour
    return NO_DATA


def svg_map(paths: pd.DataFrame, values: pd.DataFrame, lang: str = "id") -> str:
    """Inline SVG of the provinces coloured by today's estimate, each linked to its brief.

    Parameters
    ----------
    paths : pandas.DataFrame
        ``province, path`` (the facts' ``map`` table).
    values : pandas.DataFrame
        ``province, nowcast_pct`` (the colour), ``stale`` (hatched: the latest
        published figure is old or missing), ``published`` (the latest figure
        as shown, "" when none), ``brief`` (file name or "").
    lang : {"id", "en"}
    """
    env = environment(lang)
    t = env.globals["t"]
    fmt = env.filters["pct1"]
    vals = values.set_index("province")
    width, height = (LON1 - LON0) * SCALE, (LAT1 - LAT0) * SCALE
    items = []
    for r in paths.itertuples(index=False):
        pct = vals["nowcast_pct"].get(r.province)
        published = vals["published"].get(r.province, "")
        joint = vals["uhc_class"].get(r.province, "") if "uhc_class" in vals else ""
        label = t["map_tooltip"].format(place=r.province, now=fmt(pct))
        if joint:
            label += " · " + uhc_label(joint, t)
        if published:
            label += " · " + t["map_tooltip_latest"].format(latest=published)
        items.append(
            {
                "path": r.path,
                "fill": UHC_COLOURS[joint] if joint else coverage_colour(pct),
                "stale": bool(vals["stale"].get(r.province, False)),
                "label": label,
                "brief": vals["brief"].get(r.province, ""),
            }
        )
    template = env.from_string(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ w }} {{ h }}" role="img" '
        'aria-label="{{ t.map_label }}" class="map"><defs>'
        '<pattern id="stale" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="1.3" height="5" fill="#ffffff" '
        'fill-opacity="0.85"/><rect x="2.5" width="1.3" height="5" fill="#222222" '
        'fill-opacity="0.55"/></pattern></defs>{% for i in items %}'
        '{% if i.brief | href_local %}<a href="{{ i.brief | href_local }}">{% endif %}'
        '<path d="{{ i.path }}" fill="{{ i.fill }}" stroke="#ffffff" stroke-width="0.6">'
        "<title>{{ i.label }}</title></path>"
        '{% if i.stale %}<path d="{{ i.path }}" fill="url(#stale)" class="stale" '
        'pointer-events="none"/>{% endif %}'
        "{% if i.brief | href_local %}</a>{% endif %}{% endfor %}</svg>"
    )
    return template.render(w=f"{width:g}", h=f"{height:g}", items=items)


def _published(place, lang: str) -> str:
    """The latest figure of a ``places`` row at its published precision ("" when none)."""
    if pd.isna(place.latest_pct):
        return ""
    return published_pct(place.latest_pct, place.latest_qualifier, place.latest_decimals, lang)


def _one_row(facts: RunFacts, name: str) -> pd.DataFrame:
    """One row per place of a table, indexed by place (the lowest interval ``level``)."""
    if name not in facts.tables:
        return pd.DataFrame()
    frame = facts.table(name)
    if "level" in frame:
        frame = frame.sort_values("level", kind="stable")
    return frame.drop_duplicates("province").set_index("province")


def map_values(
    facts: RunFacts, briefs: Mapping[str, tuple[str, str]], lang: str = "id"
) -> pd.DataFrame:
    """What the map shows of each place: today's estimate, whether its figure is old, its brief.

    Parameters
    ----------
    facts : RunFacts
    briefs : mapping
        Province to ``(status, file)``.
    lang : {"id", "en"}

    Returns
    -------
    pandas.DataFrame
        ``province, nowcast_pct`` (the registration nowcast on ``as_of``,
        lowest interval level; missing without one), ``stale`` (True when
        the latest published figure is older than :data:`STALE_MONTHS` or
        there is none of its own), ``published`` and ``brief``.
    """
    places = facts.table("places")
    now = _one_row(facts, "nowcast")["mean"] if "nowcast" in facts.tables else {}
    card = _one_row(facts, "card")
    age = places["latest_age_months"]
    return pd.DataFrame(
        {
            "province": places["province"],
            "nowcast_pct": places["province"].map(now).astype("float64"),
            "stale": (places["latest_pct"].isna() | (age > STALE_MONTHS)).to_numpy(bool),
            "published": [_published(p, lang) for p in places.itertuples(index=False)],
            "brief": places["province"].map({k: v[1] for k, v in briefs.items()}).fillna(""),
            "uhc_class": places["province"].map(card["uhc_class"]).fillna("unknown")
            if "uhc_class" in card
            else "",
        }
    )


def render_overview(facts: RunFacts, briefs: Mapping[str, tuple[str, str]]) -> str:
    """The national overview page.

    Parameters
    ----------
    facts : RunFacts
    briefs : mapping
        Province to ``(status, file)``: status ``ok``, ``failed`` or
        ``cancelled``; file the brief's HTML name ("" when none).

    Returns
    -------
    str
        A complete HTML document.
    """
    config = facts.config
    lang = config.language
    env = environment(lang)
    t = env.globals["t"]
    places = facts.table("places")
    targets = facts.table("targets")
    by_place = {p: g.sort_values("target_pct") for p, g in targets.groupby("province")}

    active_latest, active_now, uhc = (
        {p: r for p, r in _one_row(facts, name).iterrows()}
        for name in ("active_latest", "active_nowcast", "uhc")
    )
    first_uhc = next(iter(uhc.values()), None)
    card = _one_row(facts, "card")
    rows = []
    for p in places.itertuples(index=False):
        if p.province == NATIONAL or p.province not in briefs:
            continue
        status, brief = briefs[p.province]
        tr = by_place.get(p.province, targets.iloc[:0])
        rows.append(
            {
                "place": to_context(pd.Series(p._asdict())),
                "status": status,
                "brief": brief,
                "targets": to_context(tr),
                "active": to_context(active_latest.get(p.province)),
                "active_now": to_context(active_now.get(p.province)),
                "uhc": to_context(uhc.get(p.province)),
                "card": to_context(card.loc[p.province]) if p.province in card.index else None,
                "published": _published(p, lang),
            }
        )
    nat = places[places["province"] == NATIONAL]
    national_precision = str(nat.iloc[0]["latest_precision"] or "day") if not nat.empty else "day"
    labels = [env.filters["pct1"](x) for x in config.targets]
    values = map_values(facts, briefs, lang)
    if "uhc_class" in card:  # coloured by UHC today: the classes that occur
        present = set(values["uhc_class"])
        legend = [(uhc_label(k, t), c) for k, c in UHC_COLOURS.items() if k in present]
    else:
        legend = [
            ("<80%" if lo == 0 else (f"≥{lo}%" if hi > 100 else f"{lo}–{hi}%"), c)
            for lo, hi, c in BINS
        ]
        if values["nowcast_pct"].isna().any():
            legend.append((t["no_figure_short"], NO_DATA))
    legend.append((t["map_stale"], "url(#stale)"))
    body = env.get_template("overview.html").render(
        facts=facts,
        national=to_context(nat.iloc[0]) if not nat.empty else None,
        national_active=to_context(active_latest.get(NATIONAL)),
        national_targets=[
            national_target_text(r, national_precision, lang)
            for _, r in by_place.get(NATIONAL, targets.iloc[:0]).iterrows()
        ],
        labels=labels,
        rows=rows,
        failed=[r["place"]["province"] for r in rows if r["status"] == "failed"],
        cancelled=[r["place"]["province"] for r in rows if r["status"] == "cancelled"],
        map=svg_map(facts.table("map"), values, lang),
        legend=legend,
        credit=text("geo_credit", lang).format(source=GEO_SOURCE),
        stale_months=STALE_MONTHS,
        first_extra=4 + 2 * len(labels),
        has_uhc=bool(uhc),
        has_card="uhc_class" in card,
        colours=UHC_COLOURS,
        no_figure_source=no_figure_source(facts),
        above_statuses=(STATUS_ABOVE, STATUS_ABOVE_MODELLED),
        uhc_reg=env.filters["pct1"](first_uhc["registered_pct"]) if first_uhc is not None else "",
        uhc_act=env.filters["pct1"](first_uhc["active_pct"]) if first_uhc is not None else "",
    )
    return render_page(lang, t["overview_title"], body, body_class="overview", script=SORT_SCRIPT)
