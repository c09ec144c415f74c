"""Every rule of the employer registry contract (../shared/contracts/employers.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REGISTRY_CSV, write
from perjaka_analysis import DataValidationError, read_registry
from perjaka_analysis.contracts import REGISTRY
from perjaka_analysis.validate import validate_registry

HEADER = REGISTRY_CSV.splitlines()[0]
GOOD = REGISTRY_CSV.splitlines()[1]


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def error_of(frame_or_path) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        if isinstance(frame_or_path, pd.DataFrame):
            validate_registry(frame_or_path)
        else:
            read_registry(frame_or_path)
    return info.value


def test_valid_registry_reads_with_official_names_and_types(registry_csv):
    reg = read_registry(registry_csv)
    assert reg["province"].tolist() == ["Jawa Barat", "Jawa Barat", "Bengkulu"]
    assert reg["workers_reported"].dtype == "Int64"
    assert reg["noncompliant"].tolist()[:2] == [1, 0]
    assert pd.isna(reg.loc[2, "noncompliant"])
    assert reg["registered_since"].dtype.kind == "M"


def test_ids_are_kept_as_text(tmp_path):
    reg = read_registry(write(tmp_path, rows(GOOD.replace("E001", "007"))))
    assert reg.loc[0, "employer_id"] == "007"


@pytest.mark.parametrize("column", REGISTRY.required)
def test_each_missing_required_column_is_named(registry_frame, column):
    err = error_of(registry_frame.drop(columns=column))
    assert any(p.column == column and "missing" in p.message for p in err.problems)


def test_optional_columns_may_all_be_absent(registry_frame):
    reg = validate_registry(registry_frame[REGISTRY.required])
    assert list(reg.columns) == REGISTRY.required


def test_extra_columns_are_kept_unchanged(registry_frame):
    reg = validate_registry(registry_frame.assign(employer_name=["PT A", "PT B", "CV C"]))
    assert reg["employer_name"].tolist() == ["PT A", "PT B", "CV C"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("workers_reported", "forty", "not a whole number"),
        ("workers_reported", "4.5", "not a whole number"),
        ("workers_registered", "-1", "negative value"),
        ("dependants_registered", "-3", "negative value"),
        ("months_in_arrears", "-2", "negative value"),
        ("arrears_idr", "-100", "negative value"),
        ("wage_reported_idr", "lots", "not a number"),
        ("late_payments_12m", "13", "value out of range"),
        ("late_payments_12m", "-1", "negative value"),
        ("deactivations_12m", "-1", "negative value"),
        ("sector", "V", "unknown value"),
        ("sector", "CC", "unknown value"),
        ("province", "Atlantis", "unknown province"),
        ("province", "INDONESIA", "unknown province"),
        ("registered_since", "2015-02-30", "not a valid date"),
        ("noncompliant", "2", "not a valid label"),
        ("noncompliant", "yes", "not a whole number"),
        ("employer_id", "", "empty cell"),
        ("employer_id", "   ", "empty cell"),
        ("sector", "  ", "empty cell"),
        ("months_in_arrears", "", "empty cell"),
    ],
)
def test_each_broken_rule_names_column_row_and_valid_values(registry_frame, column, value, message):
    frame = registry_frame.copy()
    frame.loc[1, column] = value
    err = error_of(frame)
    hits = [p for p in err.problems if p.column == column and message in p.message]
    assert hits, str(err)
    assert hits[0].rows == (1,)
    assert "line 3" in str(err) and "valid:" in str(err)


def test_lowercase_sector_letter_is_accepted(registry_frame):
    frame = registry_frame.assign(sector=["c", " g ", "A"])
    assert validate_registry(frame)["sector"].tolist() == ["C", "G", "A"]


def test_duplicate_employer_ids_list_every_copy(tmp_path):
    path = write(tmp_path, rows(GOOD, GOOD.replace("E001", "E002"), GOOD))
    err = error_of(path)
    (p,) = err.problems
    assert p.column == "employer_id" and p.rows == (0, 2)
    assert "line 2 ('E001'), line 4 ('E001')" in str(err)


def test_more_registered_than_reported_is_data_not_an_error(registry_frame):
    frame = registry_frame.assign(workers_registered=["400", "10", "5"])
    assert validate_registry(frame)["workers_registered"].iloc[0] == 400


def test_unknown_province_lists_closest_names(registry_frame):
    frame = registry_frame.assign(province=["Jawa Barrat", "32", "17"])
    assert "closest are Jawa Barat" in str(error_of(frame))


def test_na_text_is_not_silently_missing(tmp_path):
    path = write(tmp_path, rows(GOOD.replace(",5,12000000,", ",NA,12000000,")))
    err = error_of(path)
    assert any(p.column == "months_in_arrears" and p.values == ("NA",) for p in err.problems)


def test_numeric_province_codes_and_ids_in_csv_are_read_as_text(tmp_path):
    body = "\n".join(
        [
            "employer_id,province,sector,workers_reported,workers_registered,months_in_arrears",
            "001,17,C,4,4,0",
            "002,32,g,9,3,2",
        ]
    )
    reg = read_registry(write(tmp_path, body + "\n"))
    assert reg["employer_id"].tolist() == ["001", "002"]
    assert reg["province"].tolist() == ["Bengkulu", "Jawa Barat"]


REG_HEADER = "employer_id,province,sector,workers_reported,workers_registered,months_in_arrears"


def _registry(tmp_path, *lines, extra=""):
    header = REG_HEADER + ("," + extra if extra else "")
    return write(tmp_path, "\n".join([header, *lines]) + "\n", "reg.csv")


@pytest.mark.parametrize(
    ("extra", "value", "column", "message"),
    [
        ("wage_reported_idr", "inf", "wage_reported_idr", "not a finite number"),
        ("wage_reported_idr", "1e400", "wage_reported_idr", "not a finite number"),
        ("arrears_idr", "1e308", "arrears_idr", "value out of range"),
        ("arrears_idr", "-inf", "arrears_idr", "not a finite number"),
        ("dependants_registered", "10000000000000000000", "dependants_registered", "out of range"),
    ],
)
def test_non_finite_and_absurd_numbers_are_rejected(tmp_path, extra, value, column, message):
    path = _registry(tmp_path, f"E1,Aceh,C,10,5,0,{value}", "E2,Aceh,C,10,5,0,0", extra=extra)
    with pytest.raises(DataValidationError) as info:
        read_registry(path)
    (problem,) = info.value.problems
    assert problem.column == column and message in problem.message and problem.rows == (0,)


def test_workers_beyond_64_bits_are_a_clear_error_not_an_overflow(tmp_path):
    path = _registry(tmp_path, "E1,Aceh,C,10000000000000000000,5,0", "E2,Aceh,C,10,5,0")
    with pytest.raises(DataValidationError) as info:
        read_registry(path)
    (problem,) = info.value.problems
    assert problem.column == "workers_reported" and "out of range" in problem.message
    assert problem.expected == "a whole number from 0 to 10,000,000"


def test_ids_differing_only_by_spaces_are_one_id(tmp_path):
    path = _registry(tmp_path, "DUP,Aceh,C,10,5,0", " DUP ,Aceh,C,10,5,0")
    with pytest.raises(DataValidationError) as info:
        read_registry(path)
    (problem,) = info.value.problems
    assert problem.message == "duplicate employer_id" and problem.rows == (0, 1)


def test_float_and_integer_spellings_of_an_id_are_one_id(tmp_path):
    path = _registry(tmp_path, "7,Aceh,C,10,5,0", "7.0,Aceh,C,10,5,0", "8,Aceh,C,10,5,0")
    with pytest.raises(DataValidationError, match="duplicate employer_id") as info:
        read_registry(path)
    assert info.value.problems[0].rows == (0, 1)


def test_ids_are_stored_in_one_spelling(tmp_path):
    path = _registry(tmp_path, " 007 ,Aceh,C,10,5,0", "7.0,Aceh,C,10,5,0", "E 1 ,Aceh,C,1,1,0")
    assert read_registry(path)["employer_id"].tolist() == ["007", "7", "E 1"]


def test_float_ids_in_parquet_are_whole_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "employer_id": [7.0, 8.0, 7.0],
            "province": ["Aceh"] * 3,
            "sector": ["C"] * 3,
            "workers_reported": [1, 2, 3],
            "workers_registered": [1, 2, 3],
            "months_in_arrears": [0, 0, 0],
        }
    )
    frame.to_parquet(tmp_path / "r.parquet")
    with pytest.raises(DataValidationError, match="duplicate employer_id") as info:
        read_registry(tmp_path / "r.parquet")
    assert info.value.problems[0].rows == (0, 2)
    frame.iloc[2, 0] = 9.0
    frame.to_parquet(tmp_path / "r.parquet")
    assert read_registry(tmp_path / "r.parquet")["employer_id"].tolist() == ["7", "8", "9"]
