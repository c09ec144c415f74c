"""Run facts: each derived number on a tiny frame computed by hand; one schema, one reader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis import PerjakaError
from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import (
    SCHEMA,
    RunFacts,
    age_months,
    basis_kind,
    compute_active_latest,
    compute_gains,
    compute_gaps,
    compute_inspection_list,
    compute_latest,
    compute_observed,
    compute_population,
    compute_ranks,
    compute_risk_by,
    compute_uhc_today,
    facts_key,
    load_run_facts,
    months_earlier,
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
    assert list(gaps.columns) == list(SCHEMA["gaps"])


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


def tiny_facts(as_of: str = "2025-01-31") -> RunFacts:
    config = ReportConfig(as_of=as_of, targets=[95.0, 98.6]).validated()
    pop = pd.Series({"A": 1000.0, NAT: 1000.0})
    tables = {
        "gaps": compute_gaps(pd.Series({"A": 97.0, NAT: 97.0}), pop, config.targets),
        "observed": compute_observed(
            pd.DataFrame(
                {"territory": ["A"], "date": pd.to_datetime(["2024-01-01"]), "pct": [97.0]}
            ),
            {"A": "A"},
        ),
    }
    return RunFacts(config=config, meta={"key": "k"}, tables=tables)


def test_save_and_load_round_trip_byte_identically(tmp_path):
    facts = tiny_facts()
    folder = facts.save(tmp_path / "facts")
    again = load_run_facts(folder)
    assert again.to_bytes() == facts.to_bytes()
    assert again.config == facts.config
    pd.testing.assert_frame_equal(again.table("gaps"), facts.table("gaps"))
    assert RunFacts.from_bytes(facts.to_bytes()).to_bytes() == facts.to_bytes()


def test_loading_a_folder_without_facts_says_what_is_missing(tmp_path):
    with pytest.raises(PerjakaError, match=r"facts\.json is missing"):
        load_run_facts(tmp_path)


def test_province_view_holds_only_its_rows():
    view = tiny_facts().for_province("A")
    assert set(view.rows("gaps")["province"]) == {"A"}
    assert set(view.national["gaps"]["province"]) == {NAT}
    assert view.config.province == "A"


def test_facts_key_changes_with_the_code_that_computes_the_facts(monkeypatch):
    from perjaka_analysis import facts as facts_module

    base = ReportConfig(as_of="2025-01-31")
    key = facts_key({"coverage.csv": "1"}, base)
    monkeypatch.setattr(facts_module, "code_hash", lambda: "other code")
    assert facts_key({"coverage.csv": "1"}, base) != key


def test_facts_key_changes_with_inputs_and_parameters_only():
    base = ReportConfig(as_of="2025-01-31")
    key = facts_key({"coverage.csv": "1"}, base)
    assert key == facts_key({"coverage.csv": "1"}, ReportConfig(as_of="2025-01-31", facts="x"))
    assert key != facts_key({"coverage.csv": "1"}, ReportConfig(as_of="2025-01-31", seed=1))
    assert key != facts_key({"coverage.csv": "2"}, base)


def test_as_of_is_resolved_once_to_the_data_end_and_read_strictly():
    assert ReportConfig().resolved("2024-12-31").as_of == "2024-12-31"
    with pytest.raises(PerjakaError, match="YYYY-MM-DD"):
        ReportConfig(as_of="Jan 5 2024").validated()
    with pytest.raises(PerjakaError, match="YYYY-MM-DD"):
        ReportConfig(as_of="05/01/2024").validated()


def test_the_brief_list_shows_only_the_disclosure_safe_view(tmp_path, small_registry):
    from perjaka_analysis.config import ReportConfig
    from perjaka_analysis.employers import (
        disclosure_safe_list,
        score_registry,
        unique_listed_employers,
    )
    from perjaka_analysis.facts import compute_inspection_list, score_employers

    path = tmp_path / "employers.parquet"
    small_registry.to_parquet(path)
    key = b"test-only-key"
    config = ReportConfig(registry=str(path), capacity=25, seed=3).validated()
    listed = score_employers(config, key)["listed"]
    scored = score_registry(small_registry, capacity=25, key=key, language="id", random_state=3)
    safe = disclosure_safe_list(scored, small_registry, key=key).set_index("pseudonym")
    shown = listed.set_index("pseudonym")
    facts = ["district", "sector", "size_band", "risk_band", "reasons"]
    few = safe.index[safe["class_size"] < 5]  # provinces with fewer than 5 employers
    assert len(few) > 0 and (shown.loc[few, facts].fillna("") == "").all().all()
    many = shown.index.difference(few)
    for name in facts:
        assert shown.loc[many, name].fillna("").equals(safe.loc[many, name].fillna("")), name
    # on the provinces with enough employers, none is unique on what is shown
    enough = small_registry[~small_registry["province"].isin(shown.loc[few, "province"])]
    scored_enough = score_registry(enough, capacity=25, key=key, random_state=3)
    assert unique_listed_employers(scored_enough, enough, key=key) == 0
    table = compute_inspection_list(listed)
    assert "risk" not in table and "expected_unregistered_workers" not in table
    assert set(table["workers_band"]) <= {"< 1", "1–5", "5–20", "20–100", "≥ 100"}


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


def test_basis_kind_own_borrowed_none():
    assert basis_kind("own data") == "own"
    assert basis_kind("pre-split territory + UHC status (2 reports)") == "borrowed"
    assert basis_kind("predecessor territory") == "borrowed"
    assert basis_kind("pooled (no data) + UHC status (1 report)") == "none"
    assert basis_kind("") == "none"


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
