"""The national overview page (``index.html``) of a report run.

Self-contained HTML: a coverage map drawn as inline SVG from the shipped
province boundaries (equirectangular projection), a ranking table sortable by
any column (a few lines of inline script), and links to every brief. No
external resources, so it opens offline. Every name is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ReportConfig, slugify
from .i18n import fmt_date, fmt_int, fmt_pct
from .provinces import NATIONAL, province_table

__all__ = ["coverage_colour", "render_index", "svg_map"]

LON0, LON1, LAT0, LAT1 = 94.5, 141.5, -11.5, 6.5
SCALE = 20.0  # px per degree

BINS = [(0, 80, "#d7301f"), (80, 90, "#fc8d59"), (90, 95, "#fdcc8a"), (95, 98, "#9ecae1"),
        (98, 1000, "#2171b5")]  # fmt: skip
NO_DATA = "#d9d9d9"
GEO_CREDIT = (
    "Province boundaries: denyherianto/indonesia-geojson-topojson-maps-with-38-provinces, "
    "CC BY 4.0."
)


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


def _ring(coords: list) -> str:
    pts = np.asarray(coords, dtype=float)
    x = (pts[:, 0] - LON0) * SCALE
    y = (LAT1 - pts[:, 1]) * SCALE
    xy = np.round(np.column_stack([x, y]), 1)
    # drop consecutive duplicates after rounding (smaller file, same drawing)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.diff(xy, axis=0) != 0, axis=1)
    xy = xy[keep]
    return "M" + "L".join(f"{a:g},{b:g}" for a, b in xy) + "Z"


def svg_map(geojson: str | Path, values: pd.DataFrame, language: str = "id") -> str:
    """Inline SVG of the provinces coloured by coverage, each linked to its brief.

    Parameters
    ----------
    geojson : str or Path
        The province boundaries (``data/raw/provinces.geojson``).
    values : pandas.DataFrame
        ``province``, ``latest_pct``, ``brief`` (file name or "").
    language : {"id", "en"}

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    data = json.loads(Path(geojson).read_text(encoding="utf-8"))
    ref = province_table().set_index("geojson_id")["province"]
    vals = values.set_index("province")
    width, height = (LON1 - LON0) * SCALE, (LAT1 - LAT0) * SCALE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="coverage map" class="map">'
    ]
    for feature in data["features"]:
        gid = str(feature["properties"].get("id"))
        name = ref.get(gid)
        if name is None:
            continue
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        d = "".join(_ring(ring) for poly in polys for ring in poly)
        pct = vals["latest_pct"].get(name) if name in vals.index else None
        brief = vals["brief"].get(name, "") if name in vals.index else ""
        label = f"{name}: {fmt_pct(pct, language) if pct is not None else '–'}"
        path = (
            f'<path d="{d}" fill="{coverage_colour(pct)}" stroke="#ffffff" stroke-width="0.6">'
            f"<title>{html.escape(label)}</title></path>"
        )
        if brief:
            path = f'<a href="{html.escape(brief, quote=True)}">{path}</a>'
        parts.append(path)
    parts.append("</svg>")
    return "".join(parts)


def _legend(language: str) -> str:
    items = [
        f'<span><i style="background:{c}"></i>{"&lt;80%" if lo == 0 else ""}'
        f"{'' if lo == 0 else (f'≥{lo}%' if hi > 100 else f'{lo}–{hi}%')}</span>"
        for lo, hi, c in BINS
    ]
    no = "tanpa angka" if language == "id" else "no figure"
    items.append(f'<span><i style="background:{NO_DATA}"></i>{no}</span>')
    return '<div class="legend">' + "".join(items) + "</div>"


def _map_values(summary: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Coverage of every province for the map; links only where a brief exists."""
    links = table.set_index("province")["brief"]
    out = summary[summary["province"] != NATIONAL][["province", "latest_pct"]].copy()
    out["brief"] = out["province"].map(links).fillna("")
    return out


def render_index(table: pd.DataFrame, config: ReportConfig, shared: str | Path) -> str:
    """The national overview page.

    Parameters
    ----------
    table : pandas.DataFrame
        The run's summary table (:func:`perjaka_analysis.report.summary_table`).
    config : ReportConfig
        Run parameters.
    shared : str or Path
        The run's shared folder.

    Returns
    -------
    str
        A complete HTML document.
    """
    from .datasets import raw_path

    lang = config.language
    shared = Path(shared)
    meta = json.loads((shared / "meta.json").read_text(encoding="utf-8"))
    targets = pd.read_parquet(shared / "targets.parquet")
    summary = pd.read_parquet(shared / "summary.parquet")
    nat = summary[summary["province"] == NATIONAL].iloc[0]
    nat_t = targets[targets["province"] == NATIONAL]
    esc = html.escape

    headers = {
        "province": "Provinsi" if lang == "id" else "Province",
        "latest_pct": "Cakupan terakhir" if lang == "id" else "Latest coverage",
        "latest_date": "Tanggal" if lang == "id" else "Date",
        "rank": "Peringkat" if lang == "id" else "Rank",
    }
    t_cols = []
    for t in config.targets:
        label = f"{t:g}"
        t_cols.append((f"expected_{label}", f"{label}%"))
        t_cols.append((f"prob_{label}_by_deadline", f"P({label}%)"))
    rows_html = []
    for r in table.itertuples(index=False):
        rd = r._asdict()
        name = esc(str(rd["province"]))
        link = f'<a href="{esc(rd["brief"], quote=True)}">{name}</a>' if rd["brief"] else name
        status = "" if rd["status"] == "ok" else ' class="failed"'
        cells = [
            f'<td data-sort="{name}"{status}>{link}</td>',
            f'<td data-sort="{rd["latest_pct"] if pd.notna(rd["latest_pct"]) else -1}">'
            f"{esc(fmt_pct(rd['latest_pct'], lang))}</td>",
            f'<td data-sort="{esc(str(rd["latest_date"]))}">'
            f"{esc(fmt_date(rd['latest_date'], lang, 'month'))}</td>",
            f'<td data-sort="{rd["rank"] if pd.notna(rd["rank"]) else 999}">'
            f"{esc(fmt_int(rd['rank'], lang))}</td>",
        ]
        for col, _ in t_cols:
            v = rd.get(col)
            if col.startswith("expected_"):
                sort = str(v) if pd.notna(v) else "9999"
                cells.append(f'<td data-sort="{esc(sort)}">{esc(fmt_date(v, lang, "month"))}</td>')
            else:
                sort = v if v is not None and pd.notna(v) else -1
                cells.append(f'<td data-sort="{sort}">{esc(fmt_pct(100 * v, lang, 0))}</td>')
        rows_html.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(
        f'<th onclick="sortBy({i})">{esc(h)}</th>'
        for i, h in enumerate([*headers.values(), *[h for _, h in t_cols]])
    )
    failed = table[table["status"] != "ok"]["province"].tolist()
    failures = (
        "<p class='failed'>"
        + esc(("Gagal: " if lang == "id" else "Failed: ") + ", ".join(failed))
        + "</p>"
        if failed
        else ""
    )
    nat_lines = "".join(
        f"<li>{esc(f'{r.target_pct:g}%')}: {esc(fmt_date(r.expected_date, lang, 'month'))} "
        f"(P = {esc(fmt_pct(100 * r.prob_by_deadline, lang, 0))})</li>"
        for r in nat_t.itertuples()
    )
    synthetic = ""
    if meta.get("registry_synthetic"):
        from .i18n import text

        synthetic = f"<p class='synthetic'>{esc(text('synthetic', lang))}</p>"
    title = "Cakupan JKN per provinsi" if lang == "id" else "JKN coverage by province"
    deadline = fmt_date(config.deadline, lang)
    return INDEX.format(
        title=esc(title),
        as_of=esc(fmt_date(config.as_of, lang)),
        national=esc(fmt_pct(nat["latest_pct"], lang)),
        national_date=esc(fmt_date(nat["latest_date"], lang)),
        national_targets=nat_lines,
        deadline=esc(deadline),
        map=svg_map(raw_path("provinces.geojson"), _map_values(summary, table), lang),
        legend=_legend(lang),
        head=head,
        rows="".join(rows_html),
        failures=failures,
        synthetic=synthetic,
        credit=esc(GEO_CREDIT),
        provenance=esc(
            f"perjaka-analysis {meta['package_version']}, commit {meta['git_commit']}, "
            f"seed {meta['seed']}"
        ),
        lang=esc(lang),
        slug_example=esc(slugify(config.province)),
    )


INDEX = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 70rem;
  margin: 1.5rem auto; padding: 0 1rem; color: #1d2733; }}
.map {{ width: 100%; height: auto; background: #f7fbff; border-radius: 6px; }}
.map path:hover {{ stroke: #000; stroke-width: 1.2; }}
.legend span {{ margin-right: 1rem; font-size: .85rem; }}
.legend i {{ display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem;
  vertical-align: middle; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; margin-top: 1rem; }}
th {{ background: #f2f5f8; cursor: pointer; text-align: left; padding: .35rem; }}
th:hover {{ background: #e2e8f0; }}
td {{ border-bottom: 1px solid #dde3ea; padding: .3rem .35rem; }}
.failed {{ color: #b00020; }} .note {{ color: #55606b; font-size: .85rem; }}
.synthetic {{ background: #fff4d6; border-left: 4px solid #e0a800; padding: .4rem .6rem; }}
.big {{ font-size: 2rem; font-weight: 600; }}
</style></head>
<body>
<h1>{title}</h1>
<p class="note">{as_of}</p>
<p>INDONESIA: <span class="big">{national}</span> ({national_date})</p>
<ul>{national_targets}</ul>
<p class="note">P = deadline {deadline}</p>
{synthetic}
{map}
{legend}
<p class="note">{credit}</p>
{failures}
<table id="ranking"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<p class="note">{provenance}</p>
<script>
function sortBy(col) {{
  var table = document.getElementById("ranking");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var asc = table.getAttribute("data-col") != String(col)
    || table.getAttribute("data-dir") == "desc";
  rows.sort(function (a, b) {{
    var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
    var nx = parseFloat(x), ny = parseFloat(y);
    var r = (!isNaN(nx) && !isNaN(ny) && String(nx) == x && String(ny) == y)
      ? nx - ny : x.localeCompare(y);
    return asc ? r : -r;
  }});
  rows.forEach(function (r) {{ body.appendChild(r); }});
  table.setAttribute("data-col", String(col));
  table.setAttribute("data-dir", asc ? "asc" : "desc");
}}
</script>
</body></html>
"""
