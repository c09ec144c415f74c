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
