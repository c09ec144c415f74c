"""Parameters given on the command line or to a notebook: strict, bounded, clear errors."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.errors import PerjakaError
from perjaka_analysis.validate import (
    validate_date,
    validate_int,
    validate_number,
    validate_numbers,
)


@pytest.mark.parametrize(
    "text",
    ["Jan 5 2024", "05/01/2024", "2024/01/05", "20240105", "2024-1-5", "", "2024-01-05T00:00"],
)
def test_only_iso_dates_are_read(text):
    with pytest.raises(PerjakaError, match="must be a date written YYYY-MM-DD"):
        validate_date(text, "as_of")


def test_impossible_calendar_dates_are_named():
    with pytest.raises(PerjakaError, match="'2024-02-30' is not a calendar date"):
        validate_date("2024-02-30", "deadline")


def test_dates_out_of_the_default_range_are_rejected_with_the_range():
    with pytest.raises(PerjakaError, match="from 2000-01-01 to 2100-12-31, got '2262-01-01'"):
        validate_date("2262-01-01", "deadline")
    assert validate_date("2100-12-31", "deadline") == pd.Timestamp("2100-12-31")


@pytest.mark.parametrize(
    "value", [0, -1, 1.5, math.inf, math.nan, "2", True, None, 10**40, float("1e400")]
)
def test_bad_whole_numbers_are_rejected(value):
    with pytest.raises(PerjakaError, match="jobs must be a whole number at least 1"):
        validate_int(value, "jobs", minimum=1, maximum=10**30)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_any_seed_in_range_is_kept(seed):
    assert validate_int(seed, "seed", minimum=0, maximum=2**32 - 1) == seed


@pytest.mark.parametrize("value", [0, 100.01, math.inf, -math.inf, math.nan, "95", None])
def test_bad_targets_are_rejected(value):
    with pytest.raises(PerjakaError, match=r"target must be a finite number above 0"):
        validate_number(value, "target", minimum=0, maximum=100, min_exclusive=True)


def test_a_single_number_is_not_a_list_of_targets():
    with pytest.raises(PerjakaError, match=r"targets must be a list of numbers .* got 95$"):
        validate_numbers(95, "targets")
    with pytest.raises(PerjakaError, match=r"targets\[1\] must be a finite number"):
        validate_numbers([95, "x"], "targets")


# papermill -p / -y values reach the notebook as plain Python values; the
# parameters cell hands them to ReportConfig.from_mapping.
@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"targets": 95}, "targets must be a list of numbers"),
        ({"targets": []}, "targets must be a list of numbers"),
        ({"targets": [95, 1e400]}, r"targets\[1\] must be a finite number"),
        ({"capacity": "1e400"}, "capacity must be a whole number"),  # YAML reads 1e400 as text
        ({"capacity": math.inf}, "capacity must be a whole number"),
        ({"capacity": -1}, "capacity must be a whole number at least 0"),
        ({"seed": -1}, "seed must be a whole number at least 0"),
        ({"seed": 2.5}, "seed must be a whole number"),
        ({"as_of": "Jan 5 2024"}, "as_of must be a date written YYYY-MM-DD"),
        ({"as_of": "2099-01-01"}, "as_of must be from 2000-01-01 to"),
        ({"deadline": "2262-01-01"}, "deadline must be from 2000-01-01 to 2100-12-31"),
        ({"deadline": 2029}, "deadline must be text"),
        ({"language": "fr"}, "language must be one of"),
        ({"province": 11.5}, "province must be text"),
    ],
)
def test_bad_report_parameters_are_one_clear_error(parameters, message):
    with pytest.raises(PerjakaError, match=message):
        ReportConfig.from_mapping(parameters)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("language", "fr", r"language must be one of \('id', 'en'\), got 'fr'"),
        ("province", "Atlantis", r"unknown province: 'Atlantis' \(closest: "),
        ("capacity", -1, r"capacity must be a whole number at least 0 and at most 1,000,000"),
        ("deadline", "31/12/2029", r"deadline must be a date written YYYY-MM-DD"),
        ("targets", [95, 101], r"targets\[1\] must be a finite number above 0 and at most 100"),
    ],
)
def test_an_invalid_report_config_cannot_be_built(field, value, message):
    """Built directly or by replacing one field of a valid config: the same clear error."""
    with pytest.raises(PerjakaError, match=message):
        ReportConfig(**{field: value})
    with pytest.raises(PerjakaError, match=message):
        dataclasses.replace(ReportConfig(), **{field: value})


def test_a_report_config_is_normalised_when_built():
    config = ReportConfig(province="sulteng", targets=[98.6, 95], capacity=480.0)
    assert (config.province, config.targets, config.capacity) == (
        "Sulawesi Tengah",
        [95.0, 98.6],
        480,
    )
    assert dataclasses.replace(config, province="32").province == "Jawa Barat"


def test_good_report_parameters_are_normalised():
    config = ReportConfig.from_mapping(
        {"province": "Sulteng", "targets": [98.6, 95], "capacity": 480.0, "seed": 7}
    )
    assert config.province == "Sulawesi Tengah"
    assert config.targets == [95.0, 98.6]
    assert config.capacity == 480 and isinstance(config.capacity, int)
    # an empty as_of is resolved once, to the end of the run's data, never to the run date
    assert config.as_of == ""
    assert config.resolved("2024-12-31").as_of == "2024-12-31"
