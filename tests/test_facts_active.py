"""Active-share and UHC facts: by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from perjaka_analysis import PerjakaError
from perjaka_analysis.facts import (
    SCHEMA,
    compute_active_latest,
    compute_uhc_today,
)
from perjaka_analysis.provinces import NATIONAL

NAT = NATIONAL


def test_latest_active_share_is_the_latest_province_row_with_basis_age_and_source():
    shares = pd.DataFrame(
        {
            "province": ["A", "A", "A", "B"],
            "district": [None, None, "Kota X", None],
            "date": pd.to_datetime(["2022-06-30", "2024-04-30", "2024-12-31", "2023-12-31"]),
            "date_precision": ["day", "month", "day", "year"],
            "active_pct": [70.0, 84.0, 90.0, 61.5],
            "active_basis": ["unclear", "of_participants", "of_population", "of_population"],
            "source_url": ["https://a.example/1", "https://a.example/2", "https://x/3", None],
            "note": ["", "", "", "source: Tribun Jambi, March 2024"],
        }
    )
    out = compute_active_latest(shares, "2024-12-31").set_index("province")
    assert list(out.columns) == list(SCHEMA["active_latest"])[1:]
    # the district row (2024-12-31) is not the province's figure
    assert out.loc["A", "active_pct"] == 84.0
    assert out.loc["A", "active_basis"] == "of_participants"
    assert out.loc["A", "active_precision"] == "month"
    assert out.loc["A", "active_age_months"] == 8.0
    assert out.loc["A", "active_source"] == "a.example"
    assert out.loc["B", "active_source"] == "Tribun Jambi"
    assert out.loc["B", "active_source_url"] == ""
    assert out.loc["B", "active_age_months"] == 23.0  # "of 2023": may be from January 2023


def test_uhc_today_keeps_the_condition_rows_and_names_the_others_when_missing():
    status = pd.DataFrame(
        {
            "province": ["A", "A"],
            "condition": ["UHC definition (2024-)", "UHC Award Madya"],
            "registered_pct": [98.0, 98.0],
            "active_pct": [80.0, 85.0],
            "prob_now": [0.1, 0.0],
            "prob_by_deadline": [0.6, 0.2],
            "prob_registered": [0.9, 0.9],
            "prob_active": [0.65, 0.2],
            "expected_date": pd.to_datetime(["2027-01-01", pd.NaT]),
            "date_lower_80": pd.to_datetime(["2025-01-01", pd.NaT]),
            "date_upper_80": pd.to_datetime([pd.NaT, pd.NaT]),
            "binding": ["active", "active"],
            "rho": [0.5, 0.5],
        }
    )
    out = compute_uhc_today(status, "UHC definition (2024-)")
    assert list(out.columns) == list(SCHEMA["uhc"])
    assert out["prob_by_deadline"].tolist() == [0.6] and out["active_pct"].tolist() == [80.0]
    with pytest.raises(PerjakaError, match="UHC Award Madya"):
        compute_uhc_today(status, "UHC 2030")


def test_the_charted_active_figures_are_the_published_values_with_their_basis():
    from perjaka_analysis.facts import compute_active_observed

    # Banten-like: "80%" of unclear basis stays 80.0 (the model reads it as about 79% of
    # the population); a district figure is not the province's
    shares = pd.DataFrame({
        "province": ["Banten", "Banten", "Banten", "Bali"],
        "district": [None, "Kota Serang", None, None],
        "date": pd.to_datetime(["2025-06-30", "2025-06-30", "2023-12-31", "2025-01-31"]),
        "active_pct": [80.0, 71.0, 62.5, 90.0],
        "active_basis": ["unclear", "of_population", "of_population", "of_population"],
    })  # fmt: skip
    got = compute_active_observed(shares, ["Banten"])
    assert got["pct"].tolist() == [62.5, 80.0]
    assert got["basis"].tolist() == ["of_population", "unclear"]
    assert got["province"].unique().tolist() == ["Banten"]
