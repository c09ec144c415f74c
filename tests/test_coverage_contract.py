"""Every rule of the coverage contract (../shared/contracts/coverage.md)."""

from __future__ import annotations

import hashlib
import warnings
from datetime import date

import pandas as pd
import pytest

from conftest import COVERAGE_CSV, write
from perjaka_analysis import DataQualityWarning, DataValidationError, read_coverage
from perjaka_analysis.validate import validate_coverage

HEADER = COVERAGE_CSV.splitlines()[0]


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def problems_of(path) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        read_coverage(path)
    return info.value


def test_valid_file_reads_with_official_names_and_types(coverage_csv):
    cov = read_coverage(coverage_csv)
    assert cov["province"].tolist() == [
        "Aceh",
        "Sulawesi Tengah",
        "Sulawesi Tengah",
        "INDONESIA",
        "Bali",
    ]
    assert cov["date"].dtype.kind == "M"
    assert cov["participants"].dtype == "Int64"


def test_coverage_is_computed_from_counts_when_not_stated(coverage_csv):
    cov = read_coverage(coverage_csv).set_index("province")
    assert cov.loc["INDONESIA", "coverage_pct"] == pytest.approx(100 * 260 / 278, abs=1e-4)
    assert cov.loc["INDONESIA", "coverage_basis"] == "computed"
    assert cov.loc["Aceh", "coverage_basis"] == "stated"


def test_missing_required_column_is_named_with_a_hint(tmp_path):
    path = write(tmp_path, "province,dte,coverage_pct\nAceh,2020-01-01,90\n")
    err = problems_of(path)
    text = str(err)
    assert "column 'date': required column is missing (is 'dte' meant?)" in text
    assert str(path) in text


def test_optional_columns_may_be_absent_and_get_defaults(tmp_path):
    path = write(tmp_path, "province,date,coverage_pct\nJabar,2020-01-01,90\n")
    cov = read_coverage(path)
    assert cov.loc[0, "measure"] == "registered"
    assert cov.loc[0, "date_precision"] == "day"
    assert cov.loc[0, "province"] == "Jawa Barat"


def test_extra_unknown_columns_are_kept(tmp_path):
    path = write(tmp_path, "province,date,coverage_pct,my_flag\nAceh,2020-01-01,90,x\n")
    assert read_coverage(path).loc[0, "my_flag"] == "x"


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("Aceh,,2020-13-01,day,registered,90,,,,,", "date", "not a valid date"),
        ("Aceh,,01/02/2020,day,registered,90,,,,,", "date", "not a valid date"),
        ("Aceh,,2020-01-01,day,registered,151,,,,,", "coverage_pct", "value out of range"),
        ("Aceh,,2020-01-01,day,registered,-1,,,,,", "coverage_pct", "negative value"),
        ("Aceh,,2020-01-01,day,registered,ninety,,,,,", "coverage_pct", "not a number"),
        ("Aceh,,2020-01-01,day,registered,,-5,100,,,", "participants", "negative value"),
        ("Aceh,,2020-01-01,day,registered,,5.5,100,,,", "participants", "not a whole number"),
        ("Aceh,,2020-01-01,day,registered,,5,0,,,", "population", "value out of range"),
        ("Aceh,,2020-01-01,day,registered,90,,,101,,", "active_pct", "value out of range"),
        ("Aceh,,2020-01-01,week,registered,90,,,,,", "date_precision", "unknown value"),
        ("Aceh,,2020-01-01,day,active,90,,,,,", "measure", "unknown value"),
        ("Atlantis,,2020-01-01,day,registered,90,,,,,", "province", "unknown province"),
        ("Aceh,,2020-01-01,day,registered,,5,,,,", "coverage_pct", "no coverage_pct"),
        ("Aceh,,2020-01-01,day,registered,,200,100,,,", "participants", "above 150%"),
        (",,2020-01-01,day,registered,90,,,,,", "province", "empty cell"),
        ("Aceh,,2099-01-01,day,registered,90,,,,,", "date", "in the future"),
    ],
)
def test_each_broken_rule_names_column_line_and_valid_values(tmp_path, line, column, message):
    path = write(tmp_path, rows("Bali,,2019-01-01,day,registered,80,,,,,", line))
    err = problems_of(path)
    matching = [p for p in err.problems if p.column == column and message in p.message]
    assert matching, str(err)
    assert matching[0].rows == (1,)  # the second data row
    assert "line 3" in str(err)
    assert "valid:" in str(err)


def test_unknown_province_message_lists_closest_names(tmp_path):
    path = write(tmp_path, rows("Sulawesi Tegah,,2020-01-01,day,registered,90,,,,,"))
    assert "closest are Sulawesi Tengah" in str(problems_of(path))


def test_all_problems_are_listed_at_once(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Atlantis,,2020-01-01,day,registered,90,,,,,",
            "Aceh,,not-a-date,day,registered,90,,,,,",
            "Aceh,,2020-01-01,day,registered,500,,,,,",
        ),
    )
    err = problems_of(path)
    assert {p.column for p in err.problems} == {"province", "date", "coverage_pct"}
    assert "3 problems" in str(err)


def test_first_offending_rows_are_shown_and_the_rest_counted(tmp_path):
    lines = [f"Aceh,,2020-01-{d:02d},day,registered,200,,,,," for d in range(1, 13)]
    err = problems_of(write(tmp_path, rows(*lines)))
    (p,) = err.problems
    assert p.n_rows == 12 and len(p.rows) == 5
    assert "and 7 more" in str(err)


def test_conflicting_rows_with_same_source_are_an_error(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Aceh,,2020-01-01,day,registered,90,,,,https://x.example,",
            "Aceh,,2020-01-01,day,registered,91,,,,https://x.example,",
        ),
    )
    err = problems_of(path)
    assert "conflicting rows" in str(err)
    assert err.problems[0].rows == (0, 1)


def test_conflicting_rows_without_source_are_an_error(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Aceh,,2020-01-01,day,registered,90,,,,https://x.example,",
            "Aceh,,2020-01-01,day,registered,91,,,,,",
        ),
    )
    assert "conflicting rows" in str(problems_of(path))


def test_rows_from_two_sources_on_one_date_are_both_kept(tmp_path):
    path = write(
        tmp_path,
        rows(
            "INDONESIA,,2023-12-31,year,registered,94.77,,,,https://a.example,",
            "INDONESIA,,2023-12-31,year,registered,95.77,,,,https://b.example,",
        ),
    )
    assert read_coverage(path)["coverage_pct"].tolist() == [94.77, 95.77]


def test_same_date_different_measure_or_district_is_no_conflict(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Aceh,,2021-12-31,year,survey_any,96.62,,,,,",
            "Aceh,,2021-12-31,year,survey_bpjs,95.15,,,,,",
            "Aceh,Kota Banda Aceh,2021-12-31,year,survey_any,90,,,,,",
        ),
    )
    assert len(read_coverage(path)) == 3


def test_exact_duplicates_are_dropped_with_a_warning(tmp_path):
    line = "Aceh,,2020-01-01,day,registered,90,,,,https://x.example,"
    path = write(tmp_path, rows(line, line))
    with pytest.warns(DataQualityWarning, match="exact duplicate"):
        cov = read_coverage(path)
    assert len(cov) == 1


def test_stated_coverage_far_from_counts_is_kept_with_a_warning(tmp_path):
    path = write(tmp_path, rows("Sulut,,2024-05-20,month,registered,101.89,2700000,2600000,,,"))
    with pytest.warns(DataQualityWarning, match=r"more than 1 percentage point.*line 2"):
        cov = read_coverage(path)
    assert cov.loc[0, "coverage_pct"] == 101.89


def test_coverage_above_100_is_data_not_an_error(tmp_path):
    path = write(tmp_path, rows("Sulut,,2024-05-20,month,registered,118,,,,,"))
    assert read_coverage(path).loc[0, "coverage_pct"] == 118


def test_pre_split_papua_figures_keep_the_old_territory(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Papua,,2021-12-31,year,survey_any,85.21,,,,,",
            "Papua,,2023-12-31,year,survey_any,80,,,,,",
        ),
    )
    cov = read_coverage(path)
    assert cov["territory"].tolist() == ["Papua (pre-2022-07-25 boundaries)", "Papua"]


def test_parquet_input_follows_the_same_rules(tmp_path, coverage_csv):
    frame = pd.read_csv(coverage_csv)
    frame.to_parquet(tmp_path / "c.parquet")
    cov = read_coverage(tmp_path / "c.parquet")
    assert len(cov) == 5
    frame.loc[0, "coverage_pct"] = 300
    frame.to_parquet(tmp_path / "bad.parquet")
    err = problems_of(tmp_path / "bad.parquet")
    assert "row 1" in str(err) and "coverage_pct" in str(err)


def test_validation_never_modifies_the_input_frame_or_file(coverage_csv):
    before = hashlib.sha256(coverage_csv.read_bytes()).hexdigest()
    frame = pd.read_csv(coverage_csv, dtype=str)
    snapshot = frame.copy()
    validate_coverage(frame, coverage_csv)
    pd.testing.assert_frame_equal(frame, snapshot)
    assert hashlib.sha256(coverage_csv.read_bytes()).hexdigest() == before


def test_today_can_be_fixed_for_the_future_date_rule():
    frame = pd.DataFrame({"province": ["Aceh"], "date": ["2024-01-01"], "coverage_pct": ["90"]})
    with pytest.raises(DataValidationError, match="in the future"):
        validate_coverage(frame, today=date(2023, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(validate_coverage(frame, today=date(2025, 1, 1))) == 1


def test_conflict_message_names_province_district_date_and_measure(tmp_path):
    path = write(
        tmp_path,
        rows(
            "Aceh,,2020-01-01,day,registered,90,,,,https://x.example,",
            "Bali,,2020-01-01,day,registered,91,,,,https://x.example,",
            "Aceh,,2020-01-01,day,registered,91.5,,,,https://x.example,",
            "Aceh,Kota Banda Aceh,2021-06-30,day,survey_any,80,,,,,",
            "Aceh,Kota Banda Aceh,2021-06-30,day,survey_any,81,,,,,",
        ),
    )
    err = problems_of(path)
    first, second = err.problems
    assert first.message == (
        "conflicting rows for province Aceh, date 2020-01-01, measure registered: "
        "coverage 90 vs 91.5 with the same or no source_url"
    )
    assert first.rows == (0, 2)
    assert "province Aceh, district Kota Banda Aceh, date 2021-06-30, measure survey_any" in (
        second.message
    )
    assert second.rows == (3, 4)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("coverage_pct", "inf", "not a finite number"),
        ("coverage_pct", "1e400", "not a finite number"),
        ("participants", "1e308", "value out of range"),
        ("population", "10000000000000000000", "value out of range"),
    ],
)
def test_non_finite_or_absurd_coverage_numbers_are_rejected(tmp_path, column, value, message):
    path = write(tmp_path, f"province,date,coverage_pct,{column}\nAceh,2020-01-01,90,{value}\n")
    if column == "coverage_pct":
        path = write(tmp_path, f"province,date,coverage_pct\nAceh,2020-01-01,{value}\n")
    problem = next(p for p in problems_of(path).problems if p.column == column)
    assert message in problem.message


def _pairwise_reference(keys, values, sources):
    """The rule in its plainest form: every pair of rows of one key."""
    n = len(keys)
    exact, conflict = [False] * n, [False] * n
    for i in range(n):
        for j in range(i + 1, n):
            if keys[i] != keys[j]:
                continue
            a, b = sources[i], sources[j]
            if not (a is None or b is None or a == b):
                continue
            if values[i] == values[j] or (values[i] is None and values[j] is None):
                exact[j] = True
            else:
                conflict[i] = conflict[j] = True
    return exact, conflict


@pytest.mark.parametrize("seed", range(40))
def test_repeated_rows_match_the_pairwise_rule(seed):
    import numpy as np

    from perjaka_analysis.validate.tables import repeated_rows

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    province = rng.choice(["Aceh", "Bali"], n)
    district = rng.choice([None, "Kota A"], n)
    date = pd.to_datetime(rng.choice(["2020-01-01", "2021-01-01"], n))
    measure = np.array(["registered"] * n)
    value = [None if x == 0 else float(x) for x in rng.integers(0, 3, n)]
    source = [None if x == 0 else f"https://s{x}.example" for x in rng.integers(0, 3, n)]
    df = pd.DataFrame(
        {"province": province, "district": district, "date": date, "measure": measure,
         "source_url": source}
    )  # fmt: skip
    exact, conflict = repeated_rows(df, pd.Series(value, dtype="float64"))
    keys = list(zip(province, district, date, measure, strict=True))
    want_exact, want_conflict = _pairwise_reference(keys, value, source)
    assert exact.tolist() == want_exact
    assert conflict.tolist() == want_conflict
