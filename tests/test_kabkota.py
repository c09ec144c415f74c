"""Every kab/kota: the contract, news spellings, the facts table, populations, the registry."""

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.errors import DataValidationError
from perjaka_analysis.facts.kabkota import compute_kabkota_table, compute_people_missing
from perjaka_analysis.kabkota import (
    KABKOTA_COLUMNS,
    district_key,
    fill_populations,
    official_district_names,
    province_populations,
    read_kabupaten_kota,
    validate_kabupaten_kota,
)

HEADER = "kemendagri_code,name,kind,province,population,population_date,source\n"


def _kab(rows):
    return pd.DataFrame(
        rows, columns=["province", "kemendagri_code", "name", "kind", "population"]
    ).assign(population_date="2024-12-31", source="Dukcapil")


def test_reader_keeps_codes_as_text_and_collapses_spaces(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(
        HEADER + "36.10,Kabupaten  Pandeglang,kabupaten,Banten,1300000,2024-12-31,x\n"
        "36.71,Kota Tangerang,Kota,Banten,1900000,2024-12-31,x\n",
        encoding="utf-8",
    )
    out = read_kabupaten_kota(path)
    assert out["kemendagri_code"].tolist() == ["36.10", "36.71"]
    assert out["name"].tolist() == ["Kabupaten Pandeglang", "Kota Tangerang"]
    assert out["kind"].tolist() == ["kabupaten", "kota"]
    assert out["population"].tolist() == [1300000, 1900000]


def test_contract_lists_every_problem_with_file_column_and_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "36.1,Kabupaten A,kabupaten,Banten,10,2024-12-31,x\n"  # line 2: code
        "33.71,Kota B,kota,Banten,10,2024-12-31,x\n"  # line 3: another province's code
        "36.72,Kota C,kota,Banten,0,2024-12-31,x\n"  # line 4: population 0
        "36.72,Kabupaten C,kota,Banten,5,2024-12-31,x\n"  # line 5: code twice, kind vs name
        "36.73,Kota D,desa,Bantn,5,2024-12-31,x\n",  # line 6: kind, province
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_kabupaten_kota(path)
    text = str(err.value)
    assert "bad.csv" in text
    for needle in (
        "NN.NN",
        "Kemendagri code",
        "code listed twice",
        "begin with its kind",
        "unknown province",
        "population",
        "kabupaten, kota",
    ):
        assert needle in text, needle
    assert "line 2" in text and "line 6" in text


def test_name_twice_in_a_province_is_an_error():
    rows = _kab(
        [["Banten", "36.01", "Kota A", "kota", 1], ["Banten", "36.02", "Kota  A", "kota", 1]]
    )
    with pytest.raises(DataValidationError, match="twice in its province"):
        validate_kabupaten_kota(rows)


@pytest.mark.parametrize(
    ("news", "official"),
    [
        ("Kota Palangka Raya", "Kota Palangkaraya"),
        ("Kota Pangkalpinang", "Kota Pangkal Pinang"),
        ("Kota Tanjungpinang", "Kota Tanjung Pinang"),
        ("Kabupaten Tojo Una-Una", "Kabupaten Tojo Una Una"),
        ("Kabupaten Tolitoli", "Kabupaten Toli-Toli"),
    ],
)
def test_news_spellings_share_the_official_key(news, official):
    assert district_key(news) == district_key(official)


def test_official_names_match_within_the_province_only():
    kab = pd.DataFrame(
        {"province": ["Sulawesi Tengah", "Bali"], "name": ["Kabupaten Toli-Toli", "Kota X"]}
    )
    rows = pd.DataFrame(
        {
            "province": ["Sulawesi Tengah", "Bali", "Bali"],
            "district": ["Kabupaten Tolitoli", "Kabupaten Tolitoli", None],
            "coverage_pct": [90.0, 91.0, 92.0],
        }
    )
    out = official_district_names(rows, kab)
    assert out["district"].tolist()[:2] == ["Kabupaten Toli-Toli", "Kabupaten Tolitoli"]
    assert pd.isna(out["district"].iloc[2])
    assert rows["district"].iloc[0] == "Kabupaten Tolitoli"  # the input is not changed


def test_kabkota_table_by_hand():
    kab = _kab(
        [
            ["Banten", "36.01", "Kabupaten A", "kabupaten", 200_000],
            ["Banten", "36.02", "Kabupaten B", "kabupaten", 500_000],
            ["Banten", "36.71", "Kota C", "kota", 300_000],
            ["Banten", "36.72", "Kota D", "kota", 100_000],
        ]
    )
    figures = pd.DataFrame(
        {
            "province": ["Banten"] * 3,
            "district": ["Kabupaten A", "Kota C", "Kota D"],
            "date": pd.to_datetime(["2025-06-30", "2025-12-31", "2025-01-31"]),
            "date_precision": ["day", "year", "month"],
            "coverage_pct": [95.5, 97.0, 99.0],
            "qualifier": ["", "", ""],
            "target_pct": [98.0, 98.0, 98.0],
            "target_basis": ["national"] * 3,
            "gap_pp": [2.5, 1.0, 0.0],
        }
    )
    out = compute_kabkota_table(kab, figures, "2026-01-27")
    assert list(out.columns) == list(KABKOTA_COLUMNS)
    # 2.5 pp of 200,000 = 5,000 (95.5%: ±0.05 pp = ±100 persons, to the 100);
    # 1 pp of 300,000 = 3,000 (97%: ±0.5 pp = ±1,500, to the 1,000); at the target: 0
    assert out["district"].tolist() == ["Kabupaten A", "Kota C", "Kota D", "Kabupaten B"]
    assert out["people_missing"].tolist()[:3] == [5000.0, 3000.0, 0.0]
    assert np.isnan(out["people_missing"].iloc[3]) and np.isnan(out["coverage_pct"].iloc[3])
    assert out["population"].tolist() == [200_000, 300_000, 100_000, 500_000]


def test_kabkota_table_refuses_a_figure_for_an_unknown_place():
    kab = _kab([["Banten", "36.01", "Kabupaten A", "kabupaten", 10]])
    figures = pd.DataFrame({"province": ["Banten"], "district": ["Wilayah 09"], "gap_pp": [1.0]})
    with pytest.raises(Exception, match="Wilayah 09"):
        compute_kabkota_table(kab, figures, "2026-01-27")


def test_province_without_population_takes_the_kabkota_sum_with_its_source():
    kab = _kab(
        [
            ["Papua", "91.01", "Kabupaten A", "kabupaten", 700],
            ["Papua", "91.71", "Kota B", "kota", 300],
            ["Bali", "51.71", "Kota C", "kota", 5],
        ]
    )
    sums = province_populations(kab).set_index("province")
    assert sums.loc["Papua", "population"] == 1000 and sums.loc["Bali", "population"] == 5
    provinces = pd.DataFrame(
        {
            "province": ["Papua", "Bali"],
            "population": pd.array([None, 4_400_000], dtype="Int64"),
            "population_year": [None, 2024],
            "population_source": [None, "BPS"],
        }
    )
    out = fill_populations(provinces, kab)
    assert out["population"].tolist() == [1000, 4_400_000]  # Bali keeps its BPS figure
    assert "kabupaten/kota" in out["population_source"].iloc[0]
    assert out["population_source"].iloc[1] == "BPS"
    assert out["population_year"].iloc[0] == 2024


def test_synthetic_districts_are_the_provinces_real_kabkota_by_population():
    from perjaka_analysis.employers.synth import draw_districts, generate_registry
    from perjaka_analysis.kabkota import load_kabupaten_kota

    kab = _kab(
        [
            ["Banten", "36.01", "Kabupaten A", "kabupaten", 900],
            ["Banten", "36.71", "Kota B", "kota", 100],
            ["Bali", "51.71", "Kota C", "kota", 5],
        ]
    )
    drawn = draw_districts(np.array(["Banten"] * 5000), kab, np.random.default_rng(3))
    assert set(drawn) == {"Kabupaten A", "Kota B"}
    assert abs((drawn == "Kota B").mean() - 0.1) < 0.02
    reg = generate_registry(3000, seed=4, province="Banten").frame
    official = set(load_kabupaten_kota().query("province == 'Banten'")["name"])
    assert set(reg["district"]) <= official
    assert not reg["district"].str.startswith("Wilayah").any()


def test_people_are_rounded_to_the_precision_of_the_percentage():
    from perjaka_analysis.kabkota import round_people

    population = pd.Series([1_791_795.0, 1_791_795.0, 1_000.0])
    people = pd.Series([394_195.0, 394_195.0, 12.4])
    # 76% (0 decimals): ±0.5 pp of 1.79 M = ±8,959 -> to the 1,000; 76.02%: ±90 -> to the 10
    # 1,000 people at 2 decimals: ±0.05 persons -> whole persons
    got = round_people(people, [0, 2, 2], population).tolist()
    assert got == [394_000.0, 394_200.0, 12.0]


def test_people_missing_keep_the_figures_qualifier_date_and_age_by_hand():
    rows = pd.DataFrame(
        {
            "district": ["A", "B", "C", "D", "E", "F"],
            "population": [1_000_000.0, 2_061_700.0, 500_000.0, 800_000.0, np.nan, 719_000.0],
            "coverage_pct": [96.0, 96.0, 105.0, np.nan, 90.0, 72.0],
            "qualifier": ["", "more_than", "", "", "", "about"],
            "target_pct": [98.0] * 6,
            "date": pd.to_datetime(
                ["2020-06-05", "2025-06-30", "2024-12-31", None, "2025-12-01", "2018-12-31"]
            ),
            "date_precision": ["month", "month", "year", None, "day", "month"],
        }
    )
    # the counts of figures of December 2025 (on 27 January 2026 A, C and F are old: no count)
    recent = rows.assign(date=pd.Timestamp("2025-12-01"), date_precision="day")
    out = compute_people_missing(recent, "2026-01-27").set_index("district")
    # A: 2 pp of 1,000,000 = 20,000 (96%: ±0.5 pp = ±5,000 persons, to the 1,000)
    assert out.loc["A", ["gap_pp", "gap_bound", "people_missing"]].tolist() == [2.0, "", 20_000]
    # B: "> 96%": at most 2 pp; 2 % of 2,061,700 = 41,234, to the 10,000 (±10,308): 40,000
    assert out.loc["B", ["gap_pp", "gap_bound", "people_missing"]].tolist() == [
        2.0, "at_most", 40_000,
    ]  # fmt: skip
    # C: above its threshold (registration counts people from elsewhere): nobody missing
    assert out.loc["C", "people_missing"] == 0 and out.loc["C", "gap_pp"] == 0
    # D: no figure, E: no population: nothing can be said
    assert np.isnan(out.loc["D", "people_missing"]) and out.loc["D", "gap_bound"] == ""
    assert np.isnan(out.loc["E", "people_missing"]) and out.loc["E", "gap_pp"] == 8.0
    # F: "sekitar 72%": about 26 pp of 719,000 = 186,940, to the 1,000 (±3,595): about 187,000
    assert out.loc["F", ["gap_bound", "people_missing"]].tolist() == ["about", 187_000]
    # ages in whole months to 27 January 2026; a year's figure counts from January
    out = compute_people_missing(rows, "2026-01-27").set_index("district")
    assert out["age_months"].fillna(-1).tolist() == [67, 7, 24, -1, 1, 85]
    assert out["old"].tolist() == [True, False, True, False, False, True]


def test_an_old_kabkota_figure_gives_its_gap_and_no_count_of_people_today():
    # A province at 98% today whose kab/kota were last published years ago, far below it:
    # gap x today's population would count 150,000 + 40,000 people short on the page beside
    # the province's own figure. A figure of 13 months or more keeps its gap on its date
    # and gives no count; one of 12 months or less keeps its count.
    rows = pd.DataFrame(
        {
            "district": ["Old A", "Old B", "Recent C", "Recent D"],
            "population": [1_000_000.0, 500_000.0, 400_000.0, 200_000.0],
            "coverage_pct": [83.0, 90.0, 95.0, 99.0],
            "qualifier": [""] * 4,
            "target_pct": [98.0] * 4,
            "date": pd.to_datetime(["2020-06-05", "2024-12-01", "2025-01-01", "2025-12-31"]),
            "date_precision": ["month", "day", "month", "day"],
        }
    )
    out = compute_people_missing(rows, "2026-01-27").set_index("district")
    assert out["gap_pp"].tolist() == [15.0, 8.0, 3.0, 0.0]
    assert out["age_months"].tolist() == [67, 13, 12, 1]
    assert out["old"].tolist() == [True, True, False, False]
    # C: 3 pp of 400,000 = 12,000 (95%: ±0.5 pp = ±2,000, to the 1,000); D above: 0
    assert np.isnan(out.loc["Old A", "people_missing"])
    assert np.isnan(out.loc["Old B", "people_missing"])
    assert out.loc["Recent C", "people_missing"] == 12_000
    assert out.loc["Recent D", "people_missing"] == 0
    assert "_short" not in out
    # the table still ranks by the gap on each figure's date x population: A (150,000),
    # B (40,000), C (12,000), D (0)
    kab = _kab(
        [
            ["Banten", "36.01", "Kabupaten Old A", "kabupaten", 1_000_000],
            ["Banten", "36.02", "Kabupaten Old B", "kabupaten", 500_000],
            ["Banten", "36.71", "Kota Recent C", "kota", 400_000],
            ["Banten", "36.72", "Kota Recent D", "kota", 200_000],
        ]
    )
    figures = rows.assign(
        province="Banten",
        district=["Kabupaten Old A", "Kabupaten Old B", "Kota Recent C", "Kota Recent D"],
    ).drop(columns="population")
    table = compute_kabkota_table(kab, figures, "2026-01-27")
    assert table["district"].tolist() == figures["district"].tolist()
    assert table["people_missing"].fillna(-1).tolist() == [-1, -1, 12_000, 0]
