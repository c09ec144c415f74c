"""The shipped data: valid against the contracts, processed tables, DuckDB."""

from __future__ import annotations

import hashlib
import warnings

import pandas as pd
import pytest

from perjaka_analysis import DataQualityWarning, connect, load_coverage, load_provinces
from perjaka_analysis.coverage import coverage_summary, latest_coverage
from perjaka_analysis.datasets import build_processed, data_dir, raw_path
from perjaka_analysis.validate import validate_coverage


def _hashes():
    raw = data_dir() / "raw"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()}


def test_shipped_raw_files_match_the_data_readme():
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    for path in (data_dir() / "raw").iterdir():
        if path.name == "README.md":  # the source collection's own notes, kept verbatim
            continue
        assert f"`{path.name}`" in readme, f"{path.name} is not documented in data/README.md"


def test_shipped_coverage_files_follow_the_contract():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        cov = load_coverage()
        districts = load_coverage(raw_path("coverage_districts.csv"))
    # every data line of the shipped files is kept (nothing dropped on the way in)
    assert len(cov) == len(pd.read_csv(raw_path("coverage.csv")))
    assert len(districts) == len(pd.read_csv(raw_path("coverage_districts.csv")))
    assert set(cov["measure"]) == {"registered", "survey_any", "survey_bpjs"}
    assert districts["district"].notna().all()


def test_provinces_have_population_where_published():
    p = load_provinces()
    assert len(p) == 38
    assert p["population"].notna().all()
    # provinces without a BPS figure take the sum of their kab/kota, and say so
    from_kabkota = p["population_source"].str.contains("kabupaten/kota", na=False)
    assert p.loc[from_kabkota, "population_year"].notna().all()
    assert (p.loc[~from_kabkota, "population_source"] != "").all()


def test_build_writes_parquet_and_never_touches_raw(tmp_path):
    before = _hashes()
    written = build_processed(out=tmp_path)
    assert _hashes() == before
    assert set(written) >= {"coverage", "provinces", "targets", "ump", "segments"}
    cov = pd.read_parquet(written["coverage"])
    assert len(cov) == len(pd.read_csv(raw_path("coverage.csv")))
    assert not list(tmp_path.glob(".build-*"))


def test_build_failure_leaves_previous_tables_in_place(tmp_path):
    out = tmp_path / "processed"
    build_processed(out=out)
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in (data_dir() / "raw").iterdir():
        (raw / p.name).write_bytes(p.read_bytes())
    (raw / "coverage.csv").write_text("province,date,coverage_pct\nAtlantis,2020-01-01,90\n")
    with pytest.raises(Exception, match="Atlantis"):
        build_processed(raw=raw, out=out)
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    assert not list(out.glob(".build-*"))


def test_connect_gives_sql_over_the_processed_tables(tmp_path):
    con = connect(tmp_path)  # empty folder: built on first use
    n = con.execute("select count(*) from coverage where measure = 'registered'").fetchone()[0]
    assert n == pd.read_csv(raw_path("coverage.csv")).query("measure == 'registered'").shape[0]
    top = con.execute(
        "select province from ump where year = 2025 order by ump_idr desc limit 1"
    ).fetchone()[0]
    ump = pd.read_csv(raw_path("ump.csv")).query("year == 2025")
    assert top == ump.loc[ump["ump_idr"].idxmax(), "province"]


def test_latest_coverage_prefers_latest_date_then_precision():
    frame = pd.DataFrame(
        {
            "province": ["Aceh"] * 3,
            "district": [pd.NA] * 3,
            "date": pd.to_datetime(["2020-01-01", "2021-12-31", "2021-12-31"]),
            "date_precision": ["day", "year", "day"],
            "measure": ["registered"] * 3,
            "coverage_pct": [90.0, 95.0, 96.0],
            "active_pct": [None] * 3,
            "source_url": ["a", "b", "c"],
            "territory": ["Aceh"] * 3,
        }
    )
    assert latest_coverage(frame)["coverage_pct"].tolist() == [96.0]


def test_summary_has_every_province_and_the_gaps_in_people():
    """Gaps by hand on three provinces' figures; every other province has none."""
    rows = [
        ("INDONESIA", "2023-06-30", 95.0),
        ("Banten", "2021-04-30", 83.4),
        ("Banten", "2019-12-31", 80.0),
        ("Aceh", "2023-06-30", 99.1),
        ("Papua Barat", "2020-01-31", 90.0),
    ]
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"]).assign(
        measure="registered", source_url="https://example.org/a"
    )
    cov = validate_coverage(frame)
    provinces = load_provinces()
    table = coverage_summary(cov, provinces).set_index("province")
    assert len(table) == 39 and table.index[-1] == "INDONESIA"
    assert table.loc["Papua Tengah", "n_points"] == 0
    banten = table.loc["Banten"]
    population = provinces.set_index("province").loc["Banten", "population"]
    assert banten["n_points"] == 2 and banten["latest_pct"] == 83.4
    assert banten["gap_95_pp"] == pytest.approx(95 - 83.4)
    assert banten["gap_95_people"] == round((95 - 83.4) / 100 * population)
    assert table.loc["Aceh", "gap_95_pp"] == 0
    assert table.loc["Papua Barat", "territory"].startswith("Papua Barat (pre-")
    assert table.loc["Aceh", "rank"] == 1 and table.loc["Banten", "rank"] == 3


def test_uhc_status_threshold_is_a_percentage_never_a_year():
    from perjaka_analysis.datasets import load_uhc_status

    status = load_uhc_status()
    assert status["threshold_pct"].between(90, 100).all()
    # "UHC Award 2024": no percentage in the criterion -> the 98% threshold in force in 2024
    raw = pd.read_csv(raw_path("uhc_status.csv"))
    award = raw.loc[raw["criterion"] == "UHC Award 2024", ["province", "date"]]
    assert len(award)
    award = award.assign(date=pd.to_datetime(award["date"]))
    thresholds = status.merge(award, on=["province", "date"])["threshold_pct"]
    assert thresholds.tolist() == [98.0] * len(award)
