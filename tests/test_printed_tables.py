"""The tables ``perjaka summary`` and ``perjaka targets`` print, built by library functions."""

from __future__ import annotations

import pandas as pd

from perjaka_analysis.coverage import PRE_SPLIT, summary_view
from perjaka_analysis.facts import AWARD_GRADES, uhc_status_view
from perjaka_analysis.forecast import STATUS_ABOVE, STATUS_EXPECTED, targets_view

T = pd.to_datetime


def test_summary_view_notes_a_figure_of_the_older_territory_only():
    table = pd.DataFrame({
        "province": ["Papua Tengah", "Bali", "Papua"],
        "n_points": [2, 1, 0],
        "first_date": T(["2019-03-31", "2024-01-15", None]),
        "latest_date": T(["2021-06-30", "2024-01-15", None]),
        "latest_pct": [90.456, 99.994, None],
        "rank": pd.array([2, 1, None], dtype="Int64"),
        "gap_95_pp": [4.54, 0.0, None], "gap_98_pp": [7.54, 0.0, None],
        "gap_98_people": pd.array([75, 0, None], dtype="Int64"),
        "source": ["a", "b", ""],
        "territory": pd.array(["Papua", "Bali", None], dtype="string"),
        "population": [1000, 10, None],
    })  # fmt: skip
    view = summary_view(table)
    assert list(view.columns) == [
        "province", "n_points", "first_date", "latest_date", "latest_pct", "rank",
        "gap_95_pp", "gap_98_pp", "gap_98_people", "source", "note",
    ]  # fmt: skip
    assert view["first_date"].tolist()[:2] == ["2019-03", "2024-01"]
    assert view["latest_date"].tolist()[:2] == ["2021-06-30", "2024-01-15"]
    assert view["latest_pct"].tolist()[:2] == [90.46, 99.99]
    assert view["note"].tolist()[:2] == [PRE_SPLIT, ""]
    assert pd.isna(view["note"].iloc[2])  # no figure: neither note


def test_targets_view_leaves_the_interval_empty_when_already_above():
    table = pd.DataFrame({
        "province": ["A", "A", "B"], "target_pct": [95.0, 98.0, 95.0],
        "status": [STATUS_ABOVE, STATUS_EXPECTED, STATUS_EXPECTED],
        "expected_date": T(["2023-05-31", "2027-02-28", "2031-12-31"]),
        "date_lower_80": T(["2023-05-31", "2026-06-30", "2029-01-31"]),
        "date_upper_80": T(["2023-05-31", "2028-01-31", None]),
        "prob_by_deadline": [1.0, 0.6549, 0.1],
        "required_per_month": [0.0, 1249.0, 5051.0], "recent_per_month": [10.0, 950.0, 49.0],
        "basis": ["own data"] * 3,
    })  # fmt: skip
    view = targets_view(table)
    assert view["interval_80"].tolist() == ["", "2026-06 – 2028-01", "2029-01 – later"]
    assert view["expected"].tolist() == ["2023-05", "2027-02", "2031-12"]
    assert view["p_deadline"].tolist() == [1.0, 0.65, 0.1]
    # to hundreds: 1249 -> 1200, 5051 -> 5100, 49 -> 0
    assert view["required_month"].tolist() == [0.0, 1200.0, 5100.0]
    assert view["recent_month"].tolist() == [0.0, 1000.0, 0.0]


def test_uhc_status_view_has_one_column_per_award_grade_in_order():
    conditions = ["UHC today", *(f"UHC Awards 2026 - {g}" for g in reversed(AWARD_GRADES))]
    status = pd.DataFrame({
        "province": ["Bali"] * 4 + ["Aceh"] * 4,
        "condition": conditions * 2,
        # today, Utama, Madya, Pratama
        "prob_by_deadline": [0.804, 0.1, 0.5, 0.804, 0.333, 0.0, 0.2, 0.333],
        "expected_date": T(["2026-01-31", None, None, None, "2031-07-31", None, None, None]),
        "binding": ["active", None, None, None, "registration", None, None, None],
        "active_basis": ["own data"] * 8,
    })  # fmt: skip
    view = uhc_status_view(status, "UHC today")
    assert view.index.tolist() == ["Bali", "Aceh"]  # the order of the status table
    assert list(view.columns) == [
        "p_uhc", "expected", "binds", "p_pratama", "p_madya", "p_utama", "active_basis",
    ]  # fmt: skip
    assert view.loc["Bali"].tolist() == [0.8, "2026-01", "active", 0.8, 0.5, 0.1, "own data"]
    assert view.loc["Aceh", ["p_uhc", "p_pratama", "p_madya", "p_utama"]].tolist() == [
        0.33, 0.33, 0.2, 0.0,
    ]  # fmt: skip
