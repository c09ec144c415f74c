"""The chart of both measures on page one, on tiny facts written by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import SCHEMA, ProvinceFacts
from perjaka_analysis.render.brief import Brief
from perjaka_analysis.render.figures import uhc_chart_svg
from perjaka_analysis.render.message import chart_caption

T = pd.Timestamp


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SCHEMA[name])).assign(province="A")


def facts(lang: str = "id", **override: pd.DataFrame) -> ProvinceFacts:
    """Province A on 2024-12-31: registered 90% (2020) and 95% (2023); active 75% (2024)."""
    band = [
        {"date": T("2025-12-31"), "mean": 97.0, "lower": 96.0, "upper": 98.0, "level": 80},
        {"date": T("2026-12-31"), "mean": 98.0, "lower": 96.0, "upper": 98.5, "level": 80},
        {"date": T("2025-12-31"), "mean": 97.0, "lower": 94.0, "upper": 99.0, "level": 95},
        {"date": T("2026-12-31"), "mean": 98.0, "lower": 93.0, "upper": 99.5, "level": 95},
    ]
    tables = {
        "places": table("places", [{
            "population": 1_000_000.0, "latest_date": T("2023-06-30"),
            "latest_precision": "month", "latest_pct": 95.0, "latest_source": "antaranews.com",
            "latest_qualifier": "", "latest_decimals": 0, "basis": "own data",
            "basis_kind": "own",
        }]),
        "observed": table("observed", [
            {"date": T("2020-06-30"), "pct": 90.0, "territory": "A", "own_territory": True},
            {"date": T("2023-06-30"), "pct": 95.0, "territory": "A", "own_territory": True},
        ]),
        "history": table("history", [
            {"date": T("2020-06-30"), "mean": 90.5}, {"date": T("2024-12-31"), "mean": 96.0},
        ]),
        "forecast": table("forecast", band),
        "active_observed": table("active_observed", [
            {"date": T("2024-06-30"), "pct": 75.0, "basis": "of_population"},
        ]),
        "active_history": table("active_history", [
            {"date": T("2022-01-31"), "mean": 71.0}, {"date": T("2024-12-31"), "mean": 76.0},
        ]),
        "active_forecast": table("active_forecast", [
            {"date": T("2025-12-31"), "mean": 77.0, "lower": 74.0, "upper": 80.0, "level": 80},
            {"date": T("2026-12-31"), "mean": 78.0, "lower": 74.0, "upper": 82.0, "level": 80},
        ]),
        "active_nowcast": table("active_nowcast", [{
            "date": T("2024-12-31"), "mean": 76.0, "lower": 74.0, "upper": 78.0, "level": 80,
            "basis": "own data", "n_points": 1,
        }]),
        "active_latest": table("active_latest", [{
            "active_date": T("2024-06-30"), "active_precision": "month", "active_pct": 75.0,
            "active_basis": "of_population", "active_source": "bpjs-kesehatan.go.id",
        }]),
        "uhc": table("uhc", [{"registered_pct": 98.0, "active_pct": 80.0}]),
    }  # fmt: skip
    tables.update(override)
    config = ReportConfig(as_of="2024-12-31", language=lang)
    return ProvinceFacts("A", config, {}, tables, {}, tables["places"])


def test_both_measures_and_both_thresholds_in_one_chart_by_hand():
    svg = uhc_chart_svg(facts("id"))
    # y from 70 (active 71 - 1, down to a multiple of 5) to 100 (98.5 + 1, up); plot 218 px
    # high from y = 24: 98% at 24 + 2/30 * 218 = 38.5; 80% at 24 + 20/30 * 218 = 169.3
    assert '<line x1="40" x2="584" y1="38.5" y2="38.5" stroke="#1f77b4"' in svg
    assert '<line x1="40" x2="584" y1="169.3" y2="169.3" stroke="#e07b00"' in svg
    assert ">98% terdaftar</text>" in svg and ">80% aktif</text>" in svg
    # published points: two registered (blue), one active (orange), plus one legend dot each
    assert svg.count('r="3.4" fill="#1f77b4"') == 3 and svg.count('r="3.4" fill="#e07b00"') == 2
    # model path: the 80% band of each measure only (the 95% band is not drawn)
    assert svg.count("<polygon") == 2
    assert svg.count('stroke-dasharray="2 3"') == 2  # each measure's fitted trend
    # x axis: 2020 to 2027 in steps of two years
    assert [t for t in re.findall(r'class="tick">(\d{4})<', svg)] == [
        "2020",
        "2022",
        "2024",
        "2026",
    ]


def test_the_legend_names_what_each_estimate_borrows():
    borrowed = table("active_nowcast", [{
        "date": T("2024-12-31"), "mean": 76.0, "lower": 70.0, "upper": 82.0, "level": 80,
        "basis": "pooled (no data)", "n_points": 0,
    }])  # fmt: skip
    svg = uhc_chart_svg(facts("en", active_nowcast=borrowed, active_observed=table(
        "active_observed", [])))  # fmt: skip
    assert "(borrowed from other provinces)</text>" in svg
    assert "active figure" not in svg  # no active figure: no legend entry for one
    assert "registered figure" in svg


def test_an_active_figure_of_unclear_basis_is_drawn_at_its_published_value_and_marked():
    # "80%", basis unclear: drawn at 80 (y = 169.3, as the threshold) as a hollow diamond
    # 4.4 px each way, not at the model's reading as a share of the population
    observed = table("active_observed", [
        {"date": T("2024-06-30"), "pct": 75.0, "basis": "of_population"},
        {"date": T("2024-09-30"), "pct": 80.0, "basis": "unclear"},
    ])  # fmt: skip
    svg = uhc_chart_svg(facts("en", active_observed=observed))
    diamonds = re.findall(r'<polygon points="([^"]+)" fill="#ffffff" stroke="#e07b00"', svg)
    assert len(diamonds) == 2  # the figure and its legend sample
    ys = sorted({float(p.split(",")[1]) for p in diamonds[0].split()})
    assert ys == [164.9, 169.3, 173.7]
    assert "active figure (basis unclear), drawn as published</text>" in svg
    assert ">active figure</text>" in svg  # the figure of the population keeps its dot
    assert svg.count('r="3.4" fill="#e07b00"') == 2  # one dot and its legend sample
    svg = uhc_chart_svg(facts("id", active_observed=observed.assign(basis="of_participants")))
    assert "angka aktif (dari jumlah peserta), digambar seperti dipublikasikan</text>" in svg
    assert ">angka aktif</text>" not in svg  # no figure of the population, no dot legend


def test_nothing_to_draw_gives_no_chart():
    empty = {n: table(n, []) for n in ("observed", "history", "forecast")}
    assert uhc_chart_svg(facts("id", **empty, active_forecast=table("active_forecast", []),
                               active_history=table("active_history", []),
                               active_observed=table("active_observed", []))) == ""  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", "Angka terakhir — terdaftar: 95%, Juni 2023 (antaranews.com); aktif: 75% dari "
               "jumlah penduduk, Juni 2024 (bpjs-kesehatan.go.id). Model: perkiraan per "
               "31 Desember 2024."),
        ("en", "Latest figures — registered: 95%, June 2023 (antaranews.com); active: 75% of the "
               "population, June 2024 (bpjs-kesehatan.go.id). Model: estimates as of "
               "31 December 2024."),
    ],
)  # fmt: skip
def test_the_caption_names_the_sources_and_dates_of_the_latest_figures(lang, expected):
    assert chart_caption(facts(lang), lang).startswith(expected)


def test_page_one_has_the_one_chart_and_the_trend_section_none():
    brief = Brief(facts("id", targets=table("targets", [])))
    chart = str(brief.chart())
    assert chart.count("<svg") == 1 and "<figcaption" in chart and "antaranews.com" in chart
    assert "<svg" not in str(brief.forecast())  # the two charts it had are this one


STYLE = Path(__file__).parents[1] / "perjaka_analysis" / "render" / "templates" / "style.css"


def test_chart_text_is_at_least_11_px_on_screen_and_8_pt_in_print():
    svg = uhc_chart_svg(facts("id"))
    classes = set(re.findall(r'<text[^>]* class="(\w+)"', svg))
    assert classes <= {"tick", "legend", "label", "title"}
    css = STYLE.read_text(encoding="utf-8")
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    # on screen the chart is at most 44rem = 704 px wide, in print the A4 width less margins
    # (210 - 24 mm = 703 px): one viewBox unit is at least 704 / width px either way
    scale = 703 / width
    for name in classes:
        px = float(re.search(rf"svg\.chart \.{name} {{ font-size: ([\d.]+)px", css).group(1))
        assert px >= 11, name
        assert px * scale * 0.75 >= 8, name  # 1 px = 0.75 pt
