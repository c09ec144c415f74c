"""Reading files: empty, header only, encodings, types, and atomic writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from conftest import REGISTRY_CSV
from perjaka_analysis import DataValidationError, PerjakaError, read_coverage, read_registry
from perjaka_analysis.io import atomic_path, read_table, write_table


def test_empty_file_is_rejected_with_the_expected_header(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"the file is empty.*employer_id"):
        read_registry(path)


def test_header_only_is_rejected(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(REGISTRY_CSV.splitlines()[0] + "\n")
    with pytest.raises(DataValidationError, match="no data rows"):
        read_registry(path)


def test_non_utf8_file_names_the_offending_lines(tmp_path):
    path = tmp_path / "latin1.csv"
    text = "province,date,coverage_pct\nAceh,2020-01-01,90\nBali,2020-01-01,80 é\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(DataValidationError) as info:
        read_coverage(path)
    assert "not UTF-8" in str(info.value)
    assert "line 3" in str(info.value)


def test_utf8_with_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("province,date,coverage_pct\nAceh,2020-01-01,90\n".encode("utf-8-sig"))
    assert read_coverage(path).loc[0, "province"] == "Aceh"


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(DataValidationError, match="file not found"):
        read_coverage(tmp_path / "nope.csv")
    ods = tmp_path / "a.ods"
    ods.write_bytes(b"PK")
    with pytest.raises(DataValidationError, match="unsupported file type"):
        read_coverage(ods)
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(b"PK")
    with pytest.raises(DataValidationError, match="not a readable Excel file"):
        read_coverage(xlsx)


def test_excel_reads_text_as_text_and_typed_dates_as_dates(tmp_path):
    path = tmp_path / "outcomes.xlsx"
    frame = pd.DataFrame(
        {"employer": ["007", " x "], "inspected_on": [pd.Timestamp("2025-08-01"), "2025-08-02"]}
    )
    frame.to_excel(path, index=False)
    read = read_table(path)
    assert read["employer"].tolist() == ["007", "x"]
    assert read["inspected_on"].tolist() == ["2025-08-01", "2025-08-02"]


def test_broken_parquet_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataValidationError, match="not a readable Parquet file"):
        read_registry(path)


def test_registry_parquet_with_native_types(tmp_path, registry_frame):
    frame = registry_frame.copy()
    for c in ["workers_reported", "workers_registered", "months_in_arrears"]:
        frame[c] = frame[c].astype(int)
    frame["registered_since"] = pd.to_datetime(frame["registered_since"].replace("", None))
    frame.to_parquet(tmp_path / "r.parquet")
    reg = read_registry(tmp_path / "r.parquet")
    assert reg["workers_reported"].tolist() == [40, 10, 5]


def test_atomic_write_leaves_nothing_when_the_block_fails(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_a_full_disk_is_one_message_naming_the_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    """Writers that fail with ENOSPC name no file; the message names the target."""
    target = tmp_path / "t.parquet"
    write_table(pd.DataFrame({"a": [1]}), target)

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(PerjakaError, match=r"cannot write .*t\.parquet: No space left on device"):
        write_table(pd.DataFrame({"a": [2]}), target)
    monkeypatch.undo()
    assert pd.read_parquet(target)["a"].tolist() == [1]  # the previous table is intact
    assert sorted(os.listdir(tmp_path)) == ["t.parquet"]  # no partial file left


def test_write_table_replaces_atomically(tmp_path):
    target = tmp_path / "t.parquet"
    write_table(pd.DataFrame({"a": [1]}), target)
    write_table(pd.DataFrame({"a": [2]}), target)
    assert pd.read_parquet(target)["a"].tolist() == [2]
    assert sorted(os.listdir(tmp_path)) == ["t.parquet"]


def test_semicolon_separated_file_gets_a_delimiter_hint(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("province;date;coverage_pct\nAceh;2020-01-01;98\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_coverage(path)
    message = str(info.value)
    assert "separated by semicolons" in message and "CSV UTF-8 (comma delimited)" in message
    assert "required column is missing" not in message


def test_semicolon_file_with_decimal_commas_gets_the_same_hint(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("province;date;coverage_pct\nAceh;2020-01-01;98,5\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="separated by semicolons"):
        read_coverage(path)


def test_repeated_column_names_are_rejected_not_renamed(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "province,date,coverage_pct, coverage_pct\nAceh,2020-01-01,90,91\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError, match=r"repeated column name: 'coverage_pct' \(2"):
        read_coverage(path)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_cells_starting_a_formula_are_neutralised(tmp_path, start):
    frame = pd.DataFrame(
        {"district": [f'{start}HYPERLINK("http://x")', "Kota Bandung"], "n": [-1.5, 2.0]}
    )
    target = write_table(frame, tmp_path / "out.csv")
    back = pd.read_csv(target, keep_default_na=False)
    assert back["district"].tolist() == [f'\'{start}HYPERLINK("http://x")', "Kota Bandung"]
    assert back["n"].tolist() == [-1.5, 2.0]  # numbers stay numbers
    assert frame["district"][0].startswith(start)  # the caller's frame is untouched


def test_column_names_are_neutralised_too_and_parquet_keeps_values(tmp_path):
    frame = pd.DataFrame({"=cmd": ["@SUM(A1)"]})
    write_table(frame, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text().splitlines() == ["'=cmd", "'@SUM(A1)"]
    write_table(frame, tmp_path / "a.parquet")
    assert pd.read_parquet(tmp_path / "a.parquet").equals(frame)
