"""Figures at their precision: qualifiers from the source's words, bounded gaps, dates."""

import pandas as pd

from perjaka_analysis.i18n import fmt_amount
from perjaka_analysis.precision import cap_precision, compute_gap_bounds, note_qualifier
from perjaka_analysis.public_figures import employer_figures


def _compliance(rows):
    cols = ["province", "district_or_area", "date", "date_precision", "metric", "value", "unit"]
    frame = pd.DataFrame(rows, columns=[*cols, "source_url", "note"])
    return frame.assign(source_date=None)


def test_the_sources_word_is_kept_lebih_and_sekitar():
    rows = _compliance(
        [
            ["Aceh", None, "2021-06-03", "month", "employer_arrears_idr_min", 5e9, "IDR",
             "https://a", '"Rp5 miliar lebih"'],
            ["Aceh", None, "2018-12-21", "day", "employers_registered", 24000, "employers",
             "https://b", '"baru sekitar 24.000 badan usaha"'],
            ["Aceh", None, "2018-12-20", "day", "workers_not_registered_min", 25000, "persons",
             "https://c", "BPJS statement"],
        ]
    )  # fmt: skip
    out = employer_figures(rows, "Aceh").set_index("metric")
    assert out.loc["employer_arrears_idr_min", "qualifier"] == "more_than"  # not "sedikitnya"
    assert out.loc["employers_registered", "qualifier"] == "about"
    assert out.loc["workers_not_registered_min", "qualifier"] == "at_least"  # from the metric
    shown = fmt_amount(5e9, "IDR", "id", "more_than")
    assert shown == "lebih dari Rp5 miliar"
    assert fmt_amount(5e9, "IDR", "en", "more_than") == "more than Rp5 billion"


def test_words_outside_quotes_are_not_the_sources():
    assert note_qualifier("sekitar; Kemenkes figure") == ""
    assert note_qualifier('"kurang lebih sebesar 21 juta"') == "about"  # not "lebih"


def test_a_lower_bound_gives_a_gap_of_at_most_and_keeps_its_decimals():
    gaps = pd.DataFrame(
        {
            "province": ["B", "B", "C"],
            "target_pct": [95.0, 98.0, 98.0],
            "gap_pp": [0.0, 2.0, 0.48],
            "gap_people": [0.0, 41_234.0, 4_800.0],
        }
    )
    places = pd.DataFrame(
        {
            "province": ["B", "C"],
            "latest_qualifier": ["more_than", ""],
            "latest_decimals": [0, 2],
            "population": [2_061_700.0, 1_000_000.0],
        }
    )
    out = compute_gap_bounds(gaps, places)
    assert out["gap_bound"].tolist() == ["at_most", "at_most", ""]
    assert out["gap_decimals"].tolist() == [0, 0, 2]
    # "> 96%" of 2,061,700: ±0.5 pp = ±10,308 persons -> to the 10,000;
    # 97.52% of 1,000,000: ±0.005 pp = ±50 -> to the 10
    assert out["gap_people"].tolist() == [0.0, 40_000.0, 4_800.0]


def test_a_note_only_citation_caps_the_date_precision():
    rows = _compliance(
        [
            ["Sulawesi Tengah", None, "2021-06-18", "day", "employers_registered", 2073,
             "employers", None, "source: ANTARA Palu, June 2021"],
            ["Sulawesi Tengah", None, "2021-06-18", "day", "ppu_bu_participants", 163051,
             "persons", "https://palu.antaranews.com/x", "source: ANTARA Palu, June 2021"],
        ]
    )  # fmt: skip
    out = employer_figures(rows, "Sulawesi Tengah").set_index("metric")
    assert out.loc["employers_registered", "date_precision"] == "month"
    assert out.loc["ppu_bu_participants", "date_precision"] == "day"  # it has an address
    same = cap_precision(pd.Series(["year"]), pd.Series(["day"]), pd.Series([None]))
    assert same.tolist() == ["year"]  # never made finer
