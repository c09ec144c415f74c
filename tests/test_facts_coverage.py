"""Coverage facts (population, latest figures, ranks, gaps, observed, ages): by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.facts import (
    SCHEMA,
    age_months,
    basis_kind,
    compute_gaps,
    compute_latest,
    compute_observed,
    compute_population,
    compute_ranks,
)
from perjaka_analysis.provinces import NATIONAL

NAT = NATIONAL


def coverage_rows(rows: list[tuple]) -> pd.DataFrame:
    """(province, date, pct, population, source_url, territory) as validated coverage rows."""
    frame = pd.DataFrame(
        rows, columns=["province", "date", "coverage_pct", "population", "source_url", "territory"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["district"] = pd.NA
    frame["measure"] = "registered"
    frame["date_precision"] = "day"
    frame["active_pct"] = np.nan
    return frame


def test_national_population_is_the_latest_national_denominator():
    prov = pd.DataFrame({"province": ["A", "B"], "population": [100, 300]})
    cov = coverage_rows(
        [(NAT, "2023-01-01", 95.0, 390.0, "", NAT), (NAT, "2024-01-01", 96.0, 410.0, "", NAT)]
    )
    pop = compute_population(prov, cov)
    assert pop.to_dict() == {"A": 100.0, "B": 300.0, NAT: 410.0}


def test_national_population_falls_back_to_the_sum_and_zero_is_missing():
    prov = pd.DataFrame({"province": ["A", "B"], "population": [100, 0]})
    pop = compute_population(prov, coverage_rows([]))
    assert pop["A"] == 100.0 and np.isnan(pop["B"]) and np.isnan(pop[NAT])


def test_latest_figure_is_the_latest_date_with_its_source_and_count():
    cov = coverage_rows(
        [
            ("A", "2022-01-01", 90.0, np.nan, "https://a.example/1", "A"),
            ("A", "2024-03-01", 93.5, np.nan, "https://a.example/2", "A"),
            ("B", "2023-06-30", 99.0, np.nan, "", "B (pre-2022)"),
        ]
    )
    latest = compute_latest(cov).set_index("province")
    assert latest.loc["A", "latest_pct"] == 93.5
    assert latest.loc["A", "latest_date"] == pd.Timestamp("2024-03-01")
    assert latest.loc["A", "n_points"] == 2 and latest.loc["B", "n_points"] == 1
    assert latest.loc["B", "territory"] == "B (pre-2022)"


def test_ranks_put_the_highest_first_share_ties_and_skip_the_nation():
    ranks = compute_ranks(pd.Series({"A": 96.0, "B": 99.5, "C": 96.0, "D": 80.0, NAT: 100.0}))
    assert ranks.tolist()[:4] == [2, 1, 2, 4]
    assert pd.isna(ranks[NAT])


def test_gaps_by_hand_for_a_fractional_target():
    gaps = compute_gaps(
        pd.Series({"A": 97.0, "B": np.nan}), pd.Series({"A": 2_000_000.0}), [98.6, 95]
    )
    a = gaps[gaps["province"] == "A"].set_index("target_pct")
    # 98.6 - 97.0 = 1.6 points of 2,000,000 people = 32,000 people; 95% is reached
    assert a.loc[98.6, "gap_pp"] == pytest.approx(1.6)
    assert a.loc[98.6, "gap_people"] == 32_000
    assert a.loc[95.0, "gap_pp"] == 0.0 and a.loc[95.0, "gap_people"] == 0
    assert gaps[gaps["province"] == "B"]["gap_pp"].isna().all()
    assert list(gaps.columns) == list(SCHEMA["gaps"])[:4]  # bounds: compute_gap_bounds


def test_observed_figures_follow_the_trend_group_not_a_label():
    panel = pd.DataFrame(
        {
            "territory": ["Papua Barat (pre-2022)", "Papua Barat (pre-2022)", "Bali"],
            "date": pd.to_datetime(["2019-02-08", "2022-12-05", "2024-01-01"]),
            "pct": [96.27, 99.07, 98.0],
        }
    )
    obs = compute_observed(
        panel, {"Papua Barat Daya": "Papua Barat (pre-2022)", "Bali": "Bali", "X": None}
    )
    pbd = obs[obs["province"] == "Papua Barat Daya"]
    assert pbd["pct"].tolist() == [96.27, 99.07] and not pbd["own_territory"].any()
    assert obs[obs["province"] == "Bali"]["own_territory"].tolist() == [True]


def test_latest_figure_cites_a_source_named_in_the_note_and_keeps_its_precision():
    cov = coverage_rows(
        [
            ("A", "2021-04-30", 83.4, np.nan, "", "A"),
            ("B", "2023-12-31", 96.0, np.nan, "https://b.example/x", "B"),
        ]
    )
    cov["date_precision"] = ["month", "day"]
    cov["note"] = ["source: Jamkesnews, published 2021-06-08", '">96%"; UHC declared']
    latest = compute_latest(cov).set_index("province")
    assert latest.loc["A", "latest_source"] == "Jamkesnews"
    assert latest.loc["A", "latest_source_url"] == ""
    assert latest.loc["A", "latest_precision"] == "month"
    assert (latest.loc["A", "latest_qualifier"], latest.loc["A", "latest_decimals"]) == ("", 1)
    assert latest.loc["B", "latest_source"] == "b.example"
    assert (latest.loc["B", "latest_qualifier"], latest.loc["B", "latest_decimals"]) == (
        "more_than",
        0,
    )


def test_age_in_whole_calendar_months_by_hand():
    assert age_months("2021-04-30", "2024-12-31") == 44.0  # 3 years 8 months
    assert age_months("2024-12-01", "2024-12-31") == 0.0
    assert age_months("2025-03-01", "2024-12-31") == 0.0  # never negative
    assert np.isnan(age_months(pd.NaT, "2024-12-31"))


def test_basis_kind_own_borrowed_none():
    assert basis_kind("own data") == "own"
    assert basis_kind("pre-split territory + UHC status (2 reports)") == "borrowed"
    assert basis_kind("predecessor territory") == "borrowed"
    assert basis_kind("pooled (no data) + UHC status (1 report)") == "none"
    assert basis_kind("") == "none"
