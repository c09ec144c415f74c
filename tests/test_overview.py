"""The overview map: coloured by today's estimate, old or missing figures hatched, linked briefs."""

from __future__ import annotations

import pandas as pd

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import SCHEMA, RunFacts
from perjaka_analysis.render.overview import coverage_colour, map_values, svg_map

T = pd.Timestamp


def _facts() -> RunFacts:
    places = pd.DataFrame(
        [
            # fresh figure, estimate above 98: dark; latest 99 published a month ago
            {"province": "Aceh", "latest_pct": 99.0, "latest_age_months": 1.0,
             "latest_qualifier": "", "latest_decimals": 0},
            # an old figure (73% in 2017) but an estimate of 99.5 today: coloured by the estimate
            {"province": "Bali", "latest_pct": 73.0, "latest_age_months": 84.0,
             "latest_qualifier": "", "latest_decimals": 0},
            # no figure of its own
            {"province": "Papua Pegunungan", "latest_pct": float("nan"),
             "latest_age_months": float("nan"), "latest_qualifier": "", "latest_decimals": 2},
        ],
        columns=list(SCHEMA["places"]),
    )  # fmt: skip
    nowcast = pd.DataFrame(
        {
            "province": ["Aceh", "Aceh", "Bali", "Papua Pegunungan"],
            "date": T("2024-12-31"),
            "mean": [98.5, 98.5, 99.5, 91.0],
            "lower": [97.0, 96.0, 98.0, 80.0],
            "upper": [99.0, 99.5, 100.0, 99.0],
            "level": [80, 95, 80, 80],
        }
    )
    config = ReportConfig(as_of="2024-12-31")
    return RunFacts(config=config, meta={}, tables={"places": places, "nowcast": nowcast})


def test_map_values_take_the_nowcast_and_mark_old_or_missing_figures():
    v = map_values(_facts(), {"Aceh": ("ok", "aceh.html")}).set_index("province")
    assert v["nowcast_pct"].tolist() == [98.5, 99.5, 91.0]
    assert v["stale"].tolist() == [False, True, True]
    assert v["published"].tolist() == ["99%", "73%", ""]
    assert v["brief"].tolist() == ["aceh.html", "", ""]


def test_the_map_colours_by_the_estimate_hatches_old_figures_and_says_both():
    paths = pd.DataFrame({"province": ["Aceh", "Bali", "Papua Pegunungan"],
                          "path": ["M0 0L1 1Z", "M2 2L3 3Z", "M4 4L5 5Z"]})  # fmt: skip
    svg = svg_map(paths, map_values(_facts(), {"Aceh": ("ok", "aceh.html")}), "id")
    bali = svg[svg.index('d="M2 2L3 3Z"') :]
    assert bali.startswith(f'd="M2 2L3 3Z" fill="{coverage_colour(99.5)}"')
    assert coverage_colour(99.5) != coverage_colour(73.0)  # not the 2017 figure's colour
    assert "Bali: perkiraan saat ini 99,5% · angka terakhir 73%" in svg
    assert svg.count('fill="url(#stale)"') == 2  # Bali (old) and Papua Pegunungan (none)
    assert '<a href="aceh.html">' in svg and svg.count("<a ") == 1


def test_the_note_under_the_table_says_why_registered_today_can_be_above_100_percent():
    # Aceh 100.6%, Sulawesi Utara 101.1% "registered today": the note under the table says why
    from perjaka_analysis.i18n import text

    assert "ID-card residents and can exceed 100%" in text("ov_today_note", "en")
    assert "penduduk ber-KTP setempat sehingga bisa melebihi 100%" in text("ov_today_note", "id")


def test_the_overview_gives_the_nations_latest_active_figure_beside_its_registration():
    from perjaka_analysis.render.overview import render_overview

    f = _facts()
    nat = {"province": "INDONESIA", "latest_pct": 98.62, "latest_age_months": 1.0,
           "latest_qualifier": "", "latest_decimals": 2, "latest_date": T("2025-12-31"),
           "latest_precision": "day"}  # fmt: skip
    places = pd.concat([f.table("places"), pd.DataFrame([nat])], ignore_index=True)
    places["basis_kind"] = ["own", "own", "none", "own"]
    active = pd.DataFrame([{"province": "INDONESIA", "active_date": T("2025-12-31"),
                            "active_precision": "day", "active_pct": 81.45,
                            "active_basis": "of_population", "active_age_months": 1.0,
                            "active_source": "example.id",
                            "active_source_url": "https://x"}])  # fmt: skip
    empty = {name: pd.DataFrame(columns=list(cols)) for name, cols in SCHEMA.items()}
    tables = {**empty, **f.tables, "places": places[list(SCHEMA["places"])],
              "active_latest": active}  # fmt: skip
    html = render_overview(
        RunFacts(
            config=ReportConfig(as_of="2026-01-27", language="en"),
            meta={"registry_synthetic": False, "package_version": "0", "git_commit": "x"},
            tables=tables,
        ),
        {"Aceh": ("ok", "aceh.html")},
    )
    assert "active, latest figure: <strong>81.45%</strong> of the population " in html
    assert "(31 December 2025; example.id)" in html
