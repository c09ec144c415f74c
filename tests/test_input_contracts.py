"""Contracts of provinces.csv, targets.csv and uhc_status.csv, like the coverage contract."""

from __future__ import annotations

import shutil

import pytest

from conftest import write
from perjaka_analysis import DataValidationError
from perjaka_analysis.cli import main
from perjaka_analysis.datasets import data_dir, load_provinces, raw_path
from perjaka_analysis.loaders import (
    check_file,
    guess_kind,
    read_provinces,
    read_targets,
    read_uhc_status,
)

PROVINCES = "bps_code,province,population,population_year\n"
TARGETS = "scope,target_name,metric,target_value,unit,target_year_or_date,source_date\n"
STATUS = "province,date,date_precision,status,n_provinces_uhc,criterion\n"


def only_problem(read, path):
    with pytest.raises(DataValidationError) as info:
        read(path)
    (problem,) = info.value.problems
    return problem


@pytest.mark.parametrize("name", ["provinces.csv", "targets.csv", "uhc_status.csv"])
def test_shipped_files_follow_their_contract(name):
    frame = check_file(raw_path(name))
    assert len(frame) > 25 and guess_kind(raw_path(name)) == name.removesuffix(".csv")


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("11,Aceh,0,2024", "population", "value out of range"),
        ("11,Aceh,-5,2024", "population", "negative value"),
        ("11,Aceh,inf,2024", "population", "not a finite number"),
        ("11,Aceh,5554800,24", "population_year", "value out of range"),
        ("11,Atjeh Raya,5554800,2024", "province", "unknown province"),
        ("12,Aceh,5554800,2024", "bps_code", "not the province's BPS code"),
    ],
)
def test_bad_province_rows_are_rejected(tmp_path, row, column, message):
    path = write(tmp_path, PROVINCES + row + "\n13,Sumbar,5836200,2024\n")
    problem = only_problem(read_provinces, path)
    assert problem.column == column and message in problem.message and problem.rows == (0,)


def test_a_province_listed_twice_is_rejected(tmp_path):
    path = write(tmp_path, PROVINCES + "11,Aceh,1,2024\n11,NAD,2,2024\n")
    problem = only_problem(read_provinces, path)
    assert problem.message == "province listed twice" and problem.rows == (0, 1)


def test_province_table_types_and_codes(tmp_path):
    path = write(tmp_path, PROVINCES + "11,NAD,5554800,2024\n9,,,\n")
    with pytest.raises(DataValidationError, match="empty cell in a required column"):
        read_provinces(path)
    frame = read_provinces(write(tmp_path, PROVINCES + "11,NAD,5554800,2024\n"))
    assert frame.loc[0, ["bps_code", "province", "population"]].tolist() == ["11", "Aceh", 5554800]


def test_population_zero_in_the_data_folder_is_an_error_not_an_infinite_share(
    tmp_path, monkeypatch
):
    raw = tmp_path / "data" / "raw"
    shutil.copytree(data_dir() / "raw", raw)
    text = (raw / "provinces.csv").read_text(encoding="utf-8")
    (raw / "provinces.csv").write_text(text.replace(",5554800,", ",0,"), encoding="utf-8")
    monkeypatch.setenv("PERJAKA_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DataValidationError, match=r"column 'population': value out of range"):
        load_provinces()


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("Atjeh,t,coverage_pct,95,percent,2024,2024-01", "scope", "unknown province in scope"),
        ("Jawa Tengah;Jogjakartaa,t,coverage_pct,95,,2024,", "scope", "unknown province"),
        ("Kota Tegal (Jawa Tenga),t,coverage_pct,98,,,", "scope", "unknown province in scope"),
        ("INDONESIA,t,coverage_pct,0,,,", "target_value", "value out of range"),
        ("INDONESIA,t,coverage_pct,101,,,", "target_value", "value out of range"),
        ("INDONESIA,t,coverage_pct,1e400,,,", "target_value", "not a finite number"),
        ("INDONESIA,t,coverage,98,,,", "metric", "unknown value"),
        ("INDONESIA,t,coverage_pct,98,persen,,", "unit", "unknown value"),
        ("INDONESIA,t,coverage_pct,98,,Dec 2029,", "target_year_or_date", "not a year"),
        ("INDONESIA,t,coverage_pct,98,,2029,5/1/2024", "source_date", "not a year"),
    ],
)
def test_bad_target_rows_are_rejected(tmp_path, row, column, message):
    path = write(tmp_path, TARGETS + row + "\nINDONESIA,RPJMN,coverage_pct_min,98.6,,2025-2029,\n")
    problem = only_problem(read_targets, path)
    assert problem.column == column and message in problem.message and problem.rows == (0,)


def test_target_scopes_of_every_documented_form_are_valid(tmp_path):
    rows = [
        "INDONESIA,a,coverage_pct_min,98.6,percent,2025-2029,2025-09-29",
        "Sumut,b,coverage_pct,98.6,percent,2025-08,2025-06-03",
        "Jawa Tengah;DI Yogyakarta,c,coverage_pct,95,percent,2024,2021-09-21",
        "Kabupaten Lombok Timur (NTB),d,coverage_pct,98,percent,2024-03,2024-03-05",
    ]
    frame = read_targets(write(tmp_path, TARGETS + "\n".join(rows) + "\n"))
    assert frame["target_value"].tolist() == [98.6, 98.6, 95.0, 98.0]
    assert frame["scope"].tolist()[1] == "Sumut"  # scope kept as written


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("Aceh,2023-03-01,day,,,>95%", "status", "a province row without a status"),
        ("Aceh,2023-03-01,day,uhc!,,>95%", "status", "unknown value"),
        ("Aceh,2099-03-01,day,UHC,,>95%", "date", "date is in the future"),
        ("Aceh,01/03/2023,day,UHC,,>95%", "date", "not a valid date"),
        ("INDONESIA,2023-03-01,day,,40,UHC", "n_provinces_uhc", "value out of range"),
        ("Atjeh,2023-03-01,day,UHC,,>95%", "province", "unknown province"),
    ],
)
def test_bad_uhc_status_rows_are_rejected(tmp_path, row, column, message):
    path = write(tmp_path, STATUS + row + "\nINDONESIA,2023-12-31,day,,31,UHC\n")
    problem = only_problem(read_uhc_status, path)
    assert problem.column == column and message in problem.message and problem.rows == (0,)


def test_data_check_knows_the_new_contracts(capsys, tmp_path):
    path = write(tmp_path, PROVINCES + "11,Aceh,0,2024\n")
    assert main(["data", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "against the provinces contract" in err and "line 2" in err
    assert main(["data", "check", "--kind", "targets", str(raw_path("targets.csv"))]) == 0
