"""Public figures for the briefs: citations, precision, PERJAKA figures, districts, capacity."""

from __future__ import annotations

import pandas as pd
import pytest

from perjaka_analysis.datasets import raw_path
from perjaka_analysis.errors import PerjakaError
from perjaka_analysis.public_figures import (
    capacity_rule,
    district_table,
    employer_figures,
    metric_label,
    sector_name,
    uhc_threshold,
)
from perjaka_analysis.sources import PublishedValue, cite, published_value

TARGETS = pd.DataFrame(
    {
        "scope": ["INDONESIA", "INDONESIA", "Kota Tegal (Jawa Tengah)", "Kota X (Jateng)"],
        "target_name": ["UHC definition (2024-)", "UHC definition (2024-)", "t", "t"],
        "metric": ["coverage_pct_min", "active_pct_min", "coverage_pct", "coverage_pct"],
        "target_value": [98, 80, 97, 99.5],
        "source_url": [None, None, None, "https://x.example/t"],
        "note": [None, None, "source: Vimanews Tegal, published 2022-01-06", None],
    }
)


def _districts(rows):
    cols = ["province", "district", "date", "date_precision", "measure", "coverage_pct"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source_url"] = "https://news.example/" + frame.index.astype(str)
    frame["note"] = None
    return frame


# --- citations ---------------------------------------------------------------------------


def test_cite_prefers_the_url_and_names_its_host():
    c = cite("https://amp.suara.com/x", "source: Someone else, June 2021")
    assert (c.url, c.publisher, c.published) == ("https://amp.suara.com/x", "suara.com", None)


@pytest.mark.parametrize(
    ("note", "publisher", "published", "precision"),
    [
        ("source: ANTARA Palu, June 2021", "ANTARA Palu", "2021-06-30", "month"),
        (
            # the gloss in parentheses is the data file's description, not the name
            "source: Jamkesnews (BPJS Kesehatan news portal), published 2021-06-08; date is x",
            "Jamkesnews",
            "2021-06-08",
            "day",
        ),
        ('"quoted"; source: Vimanews Tegal', "Vimanews Tegal", None, "day"),
    ],
)
def test_cite_reads_the_publisher_named_in_the_note(note, publisher, published, precision):
    c = cite(None, note)
    assert c.publisher == publisher and c.url == ""
    assert (c.published is None) == (published is None)
    if published:
        assert c.published == pd.Timestamp(published)
        assert c.published_precision == precision


def test_cite_without_url_or_source_note_is_unknown():
    assert not cite(None, "computed from counts").known
    assert cite(float("nan"), None).publisher == ""


def test_cite_keeps_an_explicit_source_date():
    assert cite("https://a.example/x", None, "2023-06-22").published == pd.Timestamp("2023-06-22")


# --- precision of published values ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": 96.0, "note": '">96%"; declared'}, PublishedValue(96.0, "more_than", 0)),
        ({"value": 96.5, "note": '">96%"'}, PublishedValue(96.5, "", 1)),
        ({"value": 90.0, "note": 'approximate: "hanya 90%"'}, PublishedValue(90.0, "about", 0)),
        ({"value": 95.0, "note": "registered ~95%, active 8%"}, PublishedValue(95.0, "about", 0)),
        (
            {"value": 31 / 37 * 100, "basis": "computed", "participants": 31_000_000,
             "population": 37_000_000},
            PublishedValue(31 / 37 * 100, "about", 0),
        ),
        (
            {"value": 99.26, "basis": "computed", "participants": 5_214_516,
             "population": 5_253_512},
            PublishedValue(99.26, "", 2),
        ),
        ({"value": 100.3}, PublishedValue(100.3, "", 1)),
        ({"value": 98.0}, PublishedValue(98.0, "", 0)),
    ],
)  # fmt: skip
def test_published_value_keeps_the_precision_of_the_source(kwargs, expected):
    assert published_value(**kwargs) == expected


# --- names ---------------------------------------------------------------------------------


def test_every_kbli_section_has_names_in_both_languages():
    for letter in "ABCDEFGHIJKLMNOPQRSTU":
        for lang in ("id", "en"):
            assert sector_name(letter, lang) and sector_name(letter, lang, short=True)
    assert sector_name(" c ", "en") == "Manufacturing"
    with pytest.raises(PerjakaError, match="KBLI"):
        sector_name("Z")


def test_every_shipped_employer_metric_has_a_label():
    raw = pd.read_csv(raw_path("employer_compliance.csv"))
    for metric in raw["metric"].unique():
        assert metric_label(metric, "id") != metric_label(metric, "en")
    with pytest.raises(PerjakaError, match=r"employer_metrics\.csv"):
        metric_label("nope")


# --- PERJAKA figures ------------------------------------------------------------------------


def test_employer_figures_keep_source_area_qualifier_and_drop_undated_rows():
    comp = pd.DataFrame(
        {
            "province": ["Banten", "Banten", "Banten", "Bali"],
            "district_or_area": [None, "Kota Serang", None, None],
            "date": ["2021-06-08", "2023-06-20", None, "2017-05-10"],
            "date_precision": ["month", "day", "unknown", "month"],
            "metric": [
                "employers_noncompliant",
                "employers_noncompliant_min",
                "employers_participating",
                "employers_registered",
            ],
            "value": [480, 64, 925, 8937],
            "unit": ["employers"] * 4,
            "source_url": [None, "https://radarbanten.example/1", None, None],
            "source_date": [None, "2023-06-20", None, None],
            "note": ["source: Jamkesnews, published 2021-06-08", None, None, None],
        }
    )
    out = employer_figures(comp, "Banten")
    assert out["metric"].tolist() == ["employers_noncompliant_min", "employers_noncompliant"]
    assert out["area"].tolist() == ["Kota Serang", ""]
    assert out["qualifier"].tolist() == ["at_least", ""]
    assert out["publisher"].tolist() == ["radarbanten.example", "Jamkesnews"]
    assert out["value"].tolist() == [64.0, 480.0]


# --- districts -----------------------------------------------------------------------------------


def test_district_table_uses_own_target_else_national_and_the_latest_figure():
    d = _districts(
        [
            ("Jawa Tengah", "Kota Tegal", "2018-04-30", "month", "registered", 75.04),
            ("Jawa Tengah", "Kota Tegal", "2022-05-18", "month", "registered", 86.71),
            ("Jawa Tengah", "Kota Tegal", "2022-05-18", "year", "registered", 80.00),
            ("Jawa Tengah", "Kota Magelang", "2021-09-20", "month", "registered", 99.2),
            ("Jawa Tengah", "Kota Semarang", "2021-09-20", "month", "registered", 95.51),
            ("Jawa Tengah", "Kota Semarang", "2022-01-01", "day", "survey_any", 70.0),
            ("Bali", "Kabupaten Jembrana", "2023-01-01", "day", "registered", 90.0),
        ]
    )
    out = district_table(d, TARGETS, "Jawa Tengah")
    assert out["district"].tolist() == ["Kota Tegal", "Kota Semarang", "Kota Magelang"]
    assert out["coverage_pct"].tolist() == [86.71, 95.51, 99.2]
    assert out["target_pct"].tolist() == [97.0, 98.0, 98.0]
    assert out["target_basis"].tolist() == ["district", "national", "national"]
    assert out["gap_pp"].tolist() == [pytest.approx(10.29), pytest.approx(2.49), 0.0]


def test_uhc_threshold_comes_from_targets_and_fails_clearly_without_it():
    assert uhc_threshold(TARGETS) == 98.0
    assert uhc_threshold(TARGETS, "active_pct_min") == 80.0
    with pytest.raises(PerjakaError, match="UHC definition"):
        uhc_threshold(TARGETS.iloc[2:])


# --- inspection capacity ----------------------------------------------------------------------


def _compliance(rows):
    cols = ["province", "district_or_area", "date", "metric", "value"]
    return pd.DataFrame(rows, columns=cols)


def test_capacity_rule_public_count_scaled_and_proportional_computed_by_hand():
    comp = _compliance(
        [
            ("A", None, "2021-06-08", "employers_noncompliant", 480),
            ("A", "Kota A", "2023-01-01", "employers_noncompliant", 9999),  # district: ignored
            ("B", None, "2023-05-31", "employers_in_arrears", 3000),
            ("B", None, "2023-06-22", "business_entities_registered", 40000),
            ("C", None, "2023-06-22", "employers_registered", 5000),  # count without a public count
        ]
    )
    out = capacity_rule(pd.Series({"A": 300, "B": 8000, "C": 1000, "D": 0}), comp).set_index(
        "province"
    )
    # A: public count 480 > 300 employers -> whole registry, flagged
    assert out.loc["A", ["capacity", "rule", "whole_registry"]].tolist() == [
        300,
        "public count",
        True,
    ]
    # B: 3000 of 40000 real employers, scaled to 8000 in the registry = 600
    assert out.loc["B", ["capacity", "rule"]].tolist() == [600, "public count scaled"]
    assert out.loc["B", "share"] == pytest.approx(0.075)
    # C: pooled share 3000 / 40000 = 7.5% of 1000 = 75
    assert out.loc["C", ["capacity", "rule", "whole_registry"]].tolist() == [
        75,
        "proportional",
        False,
    ]
    assert out.loc["D", "capacity"] == 0


def test_capacity_rule_never_zero_for_a_nonempty_registry_and_checks_the_share():
    comp = _compliance([])
    out = capacity_rule(pd.Series({"A": 3}), comp, default_share=0.05)
    assert out["capacity"].tolist() == [1]
    with pytest.raises(PerjakaError, match="default_share"):
        capacity_rule(pd.Series({"A": 3}), comp)
    with pytest.raises(PerjakaError, match=r"\(0, 1\]"):
        capacity_rule(pd.Series({"A": 3}), comp, default_share=1.5)


# --- the facts tables and how a brief shows them ---------------------------------------------


def test_facts_sources_keep_a_publisher_named_only_in_the_note_and_list_uhc_reports():
    from perjaka_analysis.facts import compute_sources

    coverage = pd.DataFrame({
        "province": ["Sulawesi Tengah", "Sulawesi Tengah"], "district": [None, "Kota Palu"],
        "date": pd.to_datetime(["2021-06-01", "2021-06-01"]), "date_precision": ["day", "day"],
        "measure": ["registered", "registered"], "coverage_pct": [83.62, 90.0],
        "source_url": [None, None], "note": ["source: ANTARA Palu, June 2021", None],
    })  # fmt: skip
    status = pd.DataFrame({
        "province": ["Papua Pegunungan"], "date": pd.to_datetime(["2023-03-01"]),
        "threshold_pct": [95.0], "above": [True],
        "source_url": ["https://finansial.bisnis.com/read/x"], "date_precision": ["day"],
        "source_date": ["2023-03-14"], "note": [None],
    })  # fmt: skip
    out = compute_sources(coverage, status)
    assert out["province"].tolist() == ["Papua Pegunungan", "Sulawesi Tengah"]  # no district row
    papua, sulteng = out.iloc[0], out.iloc[1]
    assert papua["measure"] == "uhc_report_95" and pd.isna(papua["coverage_pct"])
    assert papua["publisher"] == "finansial.bisnis.com"
    assert sulteng["publisher"] == "ANTARA Palu" and sulteng["source_url"] == ""
    assert (sulteng["published"], sulteng["published_precision"]) == (
        pd.Timestamp("2021-06-30"),
        "month",
    )


def test_facts_enforcement_leaves_share_and_growth_missing_where_they_mean_nothing():
    from perjaka_analysis.facts import compute_enforcement

    gains = pd.DataFrame({"province": ["A", "B"], "added_participants": [300.0, 10.0],
                          "added_pp": [0.03, float("nan")],
                          "population": [1_000_000.0, float("nan")]})  # fmt: skip
    now = pd.DataFrame({"province": ["A", "A", "B"], "mean": [97.0, 97.0, 90.0],
                        "level": [95, 80, 80]})  # fmt: skip
    targets = pd.DataFrame({"province": ["A", "B"], "target_pct": [98.0, 98.0],
                            "recent_per_month": [0.0, 5.0]})  # fmt: skip
    out = compute_enforcement(gains, now, targets).set_index("province")
    # A: gap 1 point = 10,000 people; 300 close 3%; 9,700 remain; no growth: no months
    assert out.loc["A", "gap_people"] == pytest.approx(10_000)
    assert out.loc["A", "share_closed_pct"] == pytest.approx(3.0)
    assert out.loc["A", "remaining_people"] == pytest.approx(9_700)
    assert pd.isna(out.loc["A", "months_of_growth"])
    # B: population unknown: people and share missing; 10 / 5 = 2 months of growth
    assert pd.isna(out.loc["B", "gap_people"]) and pd.isna(out.loc["B", "share_closed_pct"])
    assert out.loc["B", "months_of_growth"] == pytest.approx(2.0)


def test_facts_district_and_employer_tables_cover_each_place_and_only_its_rows():
    from perjaka_analysis.facts import compute_districts, compute_employer_public

    d = _districts([
        ("Jawa Tengah", "Kota Tegal", "2022-05-18", "month", "registered", 86.71),
        ("Bali", "Kabupaten Jembrana", "2023-03-31", "day", "registered", 100.04),
    ])  # fmt: skip
    out = compute_districts(d, TARGETS, ["Jawa Tengah", "Aceh"])
    assert out[["province", "district", "target_pct"]].values.tolist() == [
        ["Jawa Tengah", "Kota Tegal", 97.0]
    ]
    assert compute_districts(d, TARGETS, ["Aceh"]).empty
    comp = pd.DataFrame({
        "province": ["Banten", "Bali"], "district_or_area": [None, None],
        "date": ["2021-06-08", "2017-05-10"], "date_precision": ["month", "month"],
        "metric": ["employers_noncompliant", "employers_registered"], "value": [480, 8937],
        "unit": ["employers", "employers"], "source_url": [None, "https://r.example/1"],
        "source_date": [None, None], "note": ["source: Jamkesnews, published 2021-06-08", None],
    })  # fmt: skip
    pub = compute_employer_public(comp, ["Banten", "Aceh"])
    assert pub[["province", "metric", "value", "publisher"]].values.tolist() == [
        ["Banten", "employers_noncompliant", 480.0, "Jamkesnews"]
    ]
    # a brief dated before a figure does not show it
    assert compute_employer_public(comp, ["Banten"], as_of="2021-05-31").empty
    assert len(compute_employer_public(comp, ["Banten"], as_of="2021-06-30")) == 1


@pytest.mark.parametrize(
    ("value", "unit", "lang", "qualifier", "shown"),
    [
        (935_000_000, "IDR", "id", "", "Rp935 juta"),
        (12_000_000_000, "IDR", "id", "", "Rp12 miliar"),
        (3_500_000_000, "IDR", "en", "", "Rp3.5 billion"),
        (35_150_000_000_000, "IDR", "id", "", "Rp35,15 triliun"),
        (21_000_000, "IDR", "id", "about", "sekitar Rp21 juta"),
        (283_360_624, "IDR", "en", "", "Rp283.36 million"),
        (950_000, "IDR", "id", "", "Rp950.000"),
        (163_051, "persons", "id", "", "163.051 jiwa"),
        (25_000, "persons", "en", "at_least", "at least 25,000 persons"),
        (480, "employers", "id", "", "480 badan usaha"),
        (69.5, "percent", "id", "", "69,5%"),
    ],
)
def test_public_amounts_keep_their_unit_qualifier_and_published_precision(
    value, unit, lang, qualifier, shown
):
    from perjaka_analysis.i18n import fmt_amount

    assert fmt_amount(value, unit, lang, qualifier) == shown


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_public_section_shows_figures_districts_and_sources_at_their_precision(lang):
    from perjaka_analysis.config import ReportConfig
    from perjaka_analysis.facts import SCHEMA, ProvinceFacts
    from perjaka_analysis.render.brief import Brief

    def table(name, rows):
        return pd.DataFrame(rows, columns=list(SCHEMA[name])).assign(province="Jawa Tengah")

    figures = table("employer_public", [{
        "area": "", "date": pd.Timestamp("2023-05-31"), "date_precision": "month",
        "metric": "employers_in_arrears", "value": 3672.0, "unit": "employers", "qualifier": "",
        "source_url": "https://jateng.tribunnews.com/x", "publisher": "jateng.tribunnews.com",
        "published": pd.Timestamp("2023-06-22"), "published_precision": "day",
    }, {
        "area": "Kota Semarang", "date": pd.Timestamp("2022-12-31"), "date_precision": "year",
        "metric": "employers_referred_kejari", "value": 7.0, "unit": "employers",
        "qualifier": "", "source_url": "", "publisher": "ANTARA Jateng",
        "published": pd.Timestamp("2023-01-31"), "published_precision": "month",
    }])  # fmt: skip
    districts = table("kabkota", [{
        "district": "Kota Tegal", "population": 290_000, "date": pd.Timestamp("2022-05-18"),
        "date_precision": "month", "coverage_pct": 86.0, "qualifier": "", "target_pct": 98.0,
        "target_basis": "district", "gap_pp": 12.0, "gap_bound": "", "people_missing": 34_800.0,
        "age_months": 31.0, "old": True, "source_url": "https://radartegal.com/x",
        "publisher": "radartegal.com", "published": None, "published_precision": "day",
    }, {
        "district": "Kota B", "population": 2_061_700, "date": pd.Timestamp("2024-06-30"),
        "date_precision": "month", "coverage_pct": 96.0, "qualifier": "more_than",
        "target_pct": 98.0, "target_basis": "national", "gap_pp": 2.0, "gap_bound": "at_most",
        "people_missing": 40_000.0, "age_months": 6.0, "old": False,
        "source_url": "https://b.example/x", "publisher": "b.example", "published": None,
        "published_precision": "day",
    }])  # fmt: skip
    config = ReportConfig(province="Jawa Tengah", as_of="2024-12-31", language=lang)
    tables = {"employer_public": figures, "kabkota": districts}
    html = str(Brief(ProvinceFacts("Jawa Tengah", config, {}, tables, {}, None)).public())
    may, jan, month = ("Mei 2023", "Januari 2023", "Mei 2022") if lang == "id" else (
        "May 2023", "January 2023", "May 2022")  # fmt: skip
    assert ("3.672 badan usaha" if lang == "id" else "3,672 employers") in html
    # period at its precision; older than 12 months on the brief's date: marked
    assert f'<td class="old">{may} ⚠</td>' in html and '<td class="old">2022 ⚠</td>' in html
    assert f"ANTARA Jateng, {jan}" in html  # publisher from the note, month only
    assert '<a href="https://jateng.tribunnews.com/x">jateng.tribunnews.com</a>' in html
    assert "Kota Tegal" in html and ">86%<" in html and ">98%*<" in html and ">12<" in html
    assert f'<td class="old">{month} ⚠</td>' in html and "⚠ =" in html
    # a lower bound stays one: "> 96%" is at most 2 points and at most 40,000 people short
    more, most, people = ("lebih dari 96%", "paling banyak 2", "paling banyak 40.000") if (
        lang == "id") else ("more than 96%", "at most 2", "at most 40,000")  # fmt: skip
    assert f">{more}<" in html and f">{most}<" in html and f">{people}<" in html
    assert "<td>Juni 2024</td>" in html or "<td>June 2024</td>" in html  # 6 months: not old
    assert "31 Mei" not in html and "31 May" not in html  # no made-up day
    empty = {"employer_public": figures.iloc[:0], "kabkota": districts.iloc[:0]}
    html = str(Brief(ProvinceFacts("Jawa Tengah", config, {}, empty, {}, None)).public())
    assert "–" not in html and "<table" not in html


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_district_table_of_old_figures_shows_their_gaps_and_no_count_of_people(lang):
    from perjaka_analysis.config import ReportConfig
    from perjaka_analysis.facts import SCHEMA, ProvinceFacts
    from perjaka_analysis.render.brief import Brief

    def row(district, date, pct, gap, people, old):
        return {
            "district": district, "population": 1_000_000, "date": pd.Timestamp(date),
            "date_precision": "month", "coverage_pct": pct, "qualifier": "",
            "target_pct": 98.0, "target_basis": "national", "gap_pp": gap, "gap_bound": "",
            "people_missing": people, "age_months": 67.0 if old else 1.0, "old": old,
            "source_url": "https://a.example/x", "publisher": "a.example", "published": None,
            "published_precision": "day",
        }  # fmt: skip

    def public(rows):
        frame = pd.DataFrame(rows, columns=list(SCHEMA["kabkota"])).assign(province="Banten")
        config = ReportConfig(province="Banten", as_of="2026-01-27", language=lang)
        facts = ProvinceFacts("Banten", config, {}, {"kabkota": frame}, {}, None)
        return str(Brief(facts).public())

    header = "Penduduk belum terdaftar" if lang == "id" else "People not registered (approx.)"
    # every figure of June 2020: the gaps on their date, no column of people short today
    html = public([row("Kota A", "2020-06-30", 83.0, 15.0, None, True)])
    assert ">15<" in html and '<th class="num">' + header not in html
    assert ("tidak dihitung" if lang == "id" else "are not counted") in html
    # with a recent figure the column is there, and the old row's cell says nothing
    html = public(
        [row("Kota A", "2020-06-30", 83.0, 15.0, None, True),
         row("Kota B", "2025-12-31", 95.0, 3.0, 30_000.0, False)]
    )  # fmt: skip
    assert header in html and (">30.000<" if lang == "id" else ">30,000<") in html
    assert html.count('<td class="num">–</td>') == 1
    assert ("paling lama 12 bulan" if lang == "id" else "at most 12 months old") in html


def test_facts_sources_list_every_active_share_and_a_joint_report_with_both_criteria():
    from perjaka_analysis.facts import compute_sources

    coverage = pd.DataFrame({
        "province": ["Banten"], "district": [None], "date": pd.to_datetime(["2025-12-31"]),
        "date_precision": ["year"], "measure": ["registered"], "coverage_pct": [98.0],
        "source_url": ["https://seketika.com/a"], "note": [None],
    })  # fmt: skip
    status = pd.DataFrame({
        "province": ["Banten"], "date": pd.to_datetime(["2025-12-31"]), "threshold_pct": [98.0],
        "above": [True], "active_above": [True], "source_url": ["https://seketika.com/b"],
        "date_precision": ["day"], "source_date": ["2026-01-27"], "note": [None],
    })  # fmt: skip
    active = pd.DataFrame({
        "province": ["Banten", "Banten"], "district": [None, "Kota Serang"],
        "date": pd.to_datetime(["2025-12-31", "2025-12-31"]), "date_precision": ["year", "year"],
        "active_pct": [80.0, 71.0], "active_basis": ["unclear", "of_population"],
        "source_url": ["https://seketika.com/a", None], "note": [None, None],
    })  # fmt: skip
    out = compute_sources(coverage, status, active=active)
    # the figure, its active share (not the district's) and the report under today's definition
    assert out["measure"].tolist() == ["active_unclear", "registered", "uhc_report_98_80"]
    assert out["coverage_pct"].tolist()[:2] == [80.0, 98.0]
    assert out["publisher"].tolist() == ["seketika.com"] * 3
    # a report of registration alone keeps its code
    alone = compute_sources(coverage, status.assign(active_above=False))
    assert alone["measure"].tolist() == ["registered", "uhc_report_98"]


def test_facts_enforcement_people_are_rounded_to_what_the_nowcast_interval_supports():
    from perjaka_analysis.facts import compute_enforcement

    # 40,000,000 residents, nowcast 96.9% (80% interval 94.9 - 99.0), target 98%:
    # gap 1.1 points = 440,000 people, interval 0 - 3.1 points = 0 - 1,240,000
    # (half-width 620,000: to the ten thousand); the list adds 21,603: 418,397 remain
    # -> 420,000; without an interval, to the hundred
    gains = pd.DataFrame({"province": ["A", "B"], "added_participants": [21_603.0, 1_616.0],
                          "added_pp": [0.054, 0.016], "population": [40e6, 1e7]})  # fmt: skip
    now = pd.DataFrame({"province": ["A", "B"], "mean": [96.9, 97.0], "lower": [94.9, None],
                        "upper": [99.0, None], "level": [80, 80]})  # fmt: skip
    targets = pd.DataFrame({"province": ["A", "B"], "target_pct": [98.0, 98.0],
                            "recent_per_month": [7_000.0, 100.0]})  # fmt: skip
    out = compute_enforcement(gains, now, targets).set_index("province")
    assert out.loc["A", ["gap_people", "remaining_people"]].tolist() == [440_000, 420_000]
    assert out.loc["A", "share_closed_pct"] == pytest.approx(100 * 0.054 / 1.1)  # unrounded
    # B: 1 point of 10,000,000 = 100,000; 98,384 remain -> 98,400
    assert out.loc["B", ["gap_people", "remaining_people"]].tolist() == [100_000, 98_400]
