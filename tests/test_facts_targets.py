"""Target facts (gains, months earlier, points as people): by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.facts import (
    compute_enforcement,
    compute_gains,
    compute_gaps,
    months_earlier,
    pp_to_people,
)
from perjaka_analysis.provinces import NATIONAL

NAT = NATIONAL


def test_added_participants_and_added_pp_by_hand():
    listed = pd.DataFrame(
        {
            "province": ["A", "A", "B"],
            "expected_unregistered_workers": [3.0, 1.0, 2.0],
            "expected_unregistered_dependants": [2.0, 2.0, 0.0],
            "expected_contributions_idr_per_month": [100.0, 50.0, 20.0],
        }
    )
    pop = pd.Series({"A": 800.0, "B": 0.0, "C": 100.0, NAT: 1000.0})
    g = compute_gains(listed, pd.Series({"A": 5, "B": 2}), pop, ["A", "B", "C"]).set_index(
        "province"
    )
    # A: (3+1) workers + (2+2) dependants = 8 people of 800 = 1 point
    assert g.loc["A", "added_participants"] == 8.0 and g.loc["A", "added_pp"] == 1.0
    assert g.loc["A", "employers_on_list"] == 2 and g.loc["A", "employers_in_registry"] == 5
    # B has no usable population: the points are missing, not infinite
    assert g.loc["B", "added_participants"] == 2.0 and np.isnan(g.loc["B", "added_pp"])
    assert g.loc["C", "added_participants"] == 0.0 and g.loc["C", "added_pp"] == 0.0
    # the nation is the sum: 10 people of 1000 = 1 point; contributions 170
    assert g.loc[NAT, "added_participants"] == 10.0 and g.loc[NAT, "added_pp"] == 1.0
    assert g.loc[NAT, "expected_contributions_idr_per_month"] == 170.0


def test_months_earlier_counts_calendar_months():
    assert months_earlier(pd.Timestamp("2028-01-31"), pd.Timestamp("2027-10-31")) == 3.0
    assert months_earlier(pd.Timestamp("2028-01-31"), pd.Timestamp("2028-01-31")) == 0.0
    assert np.isnan(months_earlier(pd.NaT, pd.Timestamp("2027-10-31")))


def test_points_of_coverage_as_people_by_hand():
    # 1.1 pp of 1,000 people = 11; 0.25 pp of 4,000,000 = 10,000; a missing point stays missing
    assert pp_to_people(1.1, 1000.0) == pytest.approx(11.0)
    out = pp_to_people(pd.Series([0.25, np.nan]), pd.Series([4_000_000.0, 5.0]))
    assert out.iloc[0] == pytest.approx(10_000.0)
    assert np.isnan(out.iloc[1])


def test_gaps_and_enforcement_count_people_with_the_same_conversion():
    # gap 98 - 97.8 = 0.2 pp of 1,000,000 = 2,000 people, in both tables
    gaps = compute_gaps(pd.Series({"A": 97.8}), pd.Series({"A": 1_000_000.0}), [98.0])
    gains = pd.DataFrame(
        {"province": ["A"], "added_participants": [0.0], "added_pp": [0.0],
         "population": [1_000_000.0]}
    )  # fmt: skip
    now = pd.DataFrame({"province": ["A"], "mean": [97.8], "level": [80]})
    targets = pd.DataFrame({"province": ["A"], "target_pct": [98.0], "recent_per_month": [0.0]})
    enforcement = compute_enforcement(gains, now, targets)
    assert gaps["gap_people"].tolist() == [2000.0]
    assert enforcement["gap_people"].round(6).tolist() == [2000.0]


def test_a_target_a_published_figure_reached_has_no_scenario_crossing_dates():
    from perjaka_analysis.facts import drop_reached
    from perjaka_analysis.forecast import STATUS_ABOVE, STATUS_ABOVE_MODELLED, STATUS_EXPECTED

    # Jawa Tengah-like: 98.68% published on 31 May 2025 (98% reached by a figure), yet the
    # simulated paths cross 98% in February 2026; B is only modelled above: its dates stay
    scenario = pd.DataFrame({
        "province": ["J", "J", "B"], "target_pct": [95.0, 98.0, 98.0],
        "baseline_date": pd.to_datetime([None, "2026-02-28", "2025-03-31"]),
        "scenario_date": pd.to_datetime([None, "2026-02-28", "2025-02-28"]),
        "months_earlier": [np.nan, 0.0, 1.0], "baseline_prob": [1.0, 0.93, 0.9],
        "scenario_prob": [1.0, 0.94, 0.92],
    })  # fmt: skip
    targets = pd.DataFrame({
        "province": ["J", "J", "B"], "target_pct": [95.0, 98.0, 98.0],
        "status": [STATUS_ABOVE, STATUS_ABOVE, STATUS_ABOVE_MODELLED],
    })  # fmt: skip
    out = drop_reached(scenario, targets)
    assert out["baseline_date"].isna().tolist() == [True, True, False]
    assert out["scenario_date"].isna().tolist() == [True, True, False]
    assert out["months_earlier"].isna().tolist() == [True, True, False]
    assert out["baseline_prob"].tolist() == [1.0, 0.93, 0.9]  # the probabilities stay
    assert drop_reached(scenario, targets.assign(status=STATUS_EXPECTED)).equals(scenario)
