"""Employer facts (risk by group, inspection lists): by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import (
    compute_inspection_list,
    compute_risk_by,
)


def test_risk_by_groups_by_hand():
    scored = pd.DataFrame(
        {
            "province": ["A", "A", "A", "B"],
            "sector": ["C", "C", "G", "C"],
            "district": ["d1", "d2", "d2", "d9"],
            "size_band": ["s", "s", "m", "s"],
            "risk": [0.1, 0.3, 0.8, 0.5],
            "on_list": [False, True, True, True],
            "expected_unregistered_workers": [0.0, 1.5, 2.5, 1.0],
        }
    )
    r = compute_risk_by(scored, k=1)
    d2 = r[(r["province"] == "A") & (r["grouping"] == "district") & (r["group"] == "d2")].iloc[0]
    assert d2["employers"] == 2 and d2["mean_risk"] == pytest.approx(0.55)
    assert d2["on_list"] == 2 and d2["expected_unregistered_workers"] == 4.0


def test_risk_by_pools_groups_too_small_to_show_and_drops_a_pool_still_too_small():
    from perjaka_analysis.public_figures import SMALL_GROUPS

    scored = pd.DataFrame(
        {
            "province": ["A"] * 7,
            "sector": ["C", "C", "C", "G", "G", "F", "F"],
            "district": ["d1"] * 6 + ["d2"],
            "size_band": "s",
            "risk": [0.1, 0.2, 0.3, 0.8, 0.6, 0.4, 0.2],
            "on_list": [False, False, True, True, True, False, False],
            "expected_unregistered_workers": [0.0, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0],
        }
    )
    r = compute_risk_by(scored, k=3)
    sectors = r[r["grouping"] == "sector"].set_index("group")
    # C (3 employers) is shown; G (2) and F (2) are pooled: 4 employers, mean 0.5
    assert sorted(sectors.index) == sorted(["C", SMALL_GROUPS])
    pool = sectors.loc[SMALL_GROUPS]
    assert pool["employers"] == 4 and pool["mean_risk"] == pytest.approx(0.5)
    assert pool["on_list"] == 2 and pool["expected_unregistered_workers"] == 5.0
    # d2 alone (1 employer) is pooled into a group of 1: not shown at all
    districts = r[r["grouping"] == "district"]
    assert districts["group"].tolist() == ["d1"] and districts["employers"].tolist() == [6]


def test_inspection_list_keeps_the_top_ranks_and_no_raw_id_when_pseudonymised():
    listed = pd.DataFrame(
        {
            "province": ["A"] * 3,
            "rank_in_province": [3, 1, 2],
            "pseudonym": ["c", "a", "b"],
            "district": "d",
            "sector": "s",
            "risk": 0.5,
            "reasons": "r",
            "expected_unregistered_workers": 1.0,
            "arrears_idr": 9.0,
        }
    )
    out = compute_inspection_list(listed, n=2)
    assert out["pseudonym"].tolist() == ["a", "b"]
    assert "arrears_idr" not in out and "employer_id" not in out


def test_the_brief_list_shows_only_the_disclosure_safe_view(tmp_path, small_registry):
    from perjaka_analysis.employers import (
        disclosure_safe_list,
        score_registry,
    )
    from perjaka_analysis.facts import compute_inspection_list, score_employers

    path = tmp_path / "employers.parquet"
    small_registry.to_parquet(path)
    key = b"test-only-key"
    config = ReportConfig(registry=str(path), capacity=25, seed=3)
    listed = score_employers(config, key)["listed"]
    scored = score_registry(small_registry, capacity=25, key=key, language="id", random_state=3)
    safe = disclosure_safe_list(scored, small_registry, key=key).set_index("pseudonym")
    shown = listed.set_index("pseudonym")
    facts = [
        "district", "sector", "size_band", "risk_band", "workers_band", "reason_codes",
        "reason_bands",
    ]  # fmt: skip
    few = safe.index[safe["class_size"] < 5]  # provinces with fewer than 5 employers
    assert len(few) > 0 and (shown.loc[few, facts].fillna("") == "").all().all()
    many = shown.index.difference(few)
    for name in facts:
        assert shown.loc[many, name].fillna("").equals(safe.loc[many, name].fillna("")), name
    # that none of them is unique on what is shown where its province has k employers is
    # test_employers_outputs.py's disclosure test
    table = compute_inspection_list(listed)
    assert "risk" not in table and "expected_unregistered_workers" not in table
    assert set(table["workers_band"]) <= {"< 1", "1–5", "5–20", "20–100", "≥ 100", "< 5", "≥ 5", ""}
