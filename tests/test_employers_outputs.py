"""Shareable lists (disclosure control), equity table and the cost of employer arrears."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.employers import (
    compute_arrears_cost,
    disclosure_safe_list,
    equity_table,
    unique_listed_employers,
)
from perjaka_analysis.employers.disclosure import K_ANONYMITY


def test_no_listed_employer_is_unique_on_what_is_shown_where_its_province_allows(
    small_registry, small_scored, risk_model
):
    exact = unique_listed_employers(small_scored, small_registry, key=b"k", shown="exact")
    view = disclosure_safe_list(
        small_scored, small_registry, key=b"k", ump=risk_model.ump_, language="en"
    )
    assert len(view) == small_scored["on_list"].sum()
    assert exact > 0.5 * len(view)  # the exact reasons identify most listed employers
    # only a province with fewer than k employers in the registry cannot hide one: its
    # listed employers are shown with the province alone (level 5); the 3,000 employers
    # of small_registry have one such province, so both branches are checked
    per_province = small_registry["province"].value_counts()
    tiny = view["province"].isin(per_province[per_province < K_ANONYMITY].index)
    assert tiny.any() and (~tiny).sum() > 100
    assert (view.loc[~tiny, "class_size"] >= K_ANONYMITY).all()
    assert (view.loc[tiny, "disclosure_level"] == 5).all()
    assert (view.loc[tiny, ["district", "sector", "size_band", "reason_codes"]] == "").all().all()
    safe = unique_listed_employers(small_scored, small_registry, key=b"k")
    assert safe == tiny.sum()
    assert not view["reasons"].str.contains(r"\d+ of \d+|Rp", regex=True).any()
    # a risk band is shown in 10 points, coarsely (0–50%, 50–100%) or not at all
    assert view["risk_band"].str.fullmatch(r"(\d+–\d+%)?").all()
    assert (view["risk_band"] != "").any() and (view["workers_band"] != "").any()


def test_disclosure_generalises_until_k_employers_share_the_facts():
    # six employers of one district share sector and size; one stands out
    reg = pd.DataFrame(
        {
            "employer_id": [f"E{i}" for i in range(8)],
            "province": ["Aceh"] * 8,
            "district": ["D1"] * 6 + ["D2"] * 2,
            "sector": ["C"] * 6 + ["G", "G"],
            "workers_reported": [10] * 6 + [200, 10],
            "workers_registered": [6] * 5 + [2, 100, 10],
            "months_in_arrears": [0] * 8,
        }
    )
    # every employer is scored; E0, E5 and E6 are listed (expected = risk x unregistered)
    risk = [0.42, 0.41, 0.45, 0.44, 0.43, 0.3, 0.2, 0.1]
    gap = reg["workers_reported"] - reg["workers_registered"]
    scored = pd.DataFrame(
        {
            "employer_id": reg["employer_id"],
            "province": "Aceh",
            "rank_in_province": [1, 4, 5, 6, 7, 2, 3, 8],
            "on_list": [True] + [False] * 4 + [True, True, False],
            "risk": risk,
            "expected_unregistered_workers": gap * risk,
            "reason_codes": ["registration"] * 7 + [""],
        }
    )
    view = disclosure_safe_list(scored, reg, k=5, language="en")
    # E0: E0-E4 of D1/C/5–19 registered 50–75%, risk 40–50%, 1–5 expected -> all shown
    assert view.loc[0, "reasons"] == "registered 50–75% of reported workers"
    assert view["reason_codes"].tolist() == ["registration"] * 3
    assert view["reason_bands"].tolist() == ["50–75%", "", ""]  # bands only at level 0
    assert view.loc[0, "class_size"] == 5 and view.loc[0, "disclosure_level"] == 0
    # E5: alone in its band; 6 employers of D1/C/5–19 do not register everyone, all with
    # a risk under 50% and 1–5 expected, but E5 alone at 30–40%: the risk band is coarse
    assert view.loc[1, "reasons"] == "not all workers registered"
    assert view.loc[1, "class_size"] == 6 and view.loc[1, "disclosure_level"] == 1
    # E6: only 7 employers in Aceh do not register everyone -> province level; it alone
    # expects 20 unregistered workers (100 x 0.2): neither band is shown
    assert view.loc[2, "district"] == "" and view.loc[2, "sector"] == ""
    assert view.loc[2, "class_size"] == 7 and view.loc[2, "disclosure_level"] == 4
    assert view["risk_band"].tolist() == ["40–50%", "0–50%", ""]
    assert view["workers_band"].tolist() == ["1–5", "1–5", ""]
    exact = disclosure_safe_list(scored, reg, k=5, identified=True)
    assert exact["risk"].tolist() == [0.42, 0.3, 0.2]


def test_equity_table_shows_outcome_precision_and_recall_by_group(small_scored):
    eq = equity_table(small_scored, by=("size_band", "sector"))
    assert np.allclose(eq.groupby("grouping")["registry_share"].sum(), 1)
    assert np.allclose(eq.groupby("grouping")["list_share"].sum(), 1)
    for _, row in eq[eq["grouping"] == "sector"].iterrows():
        g = small_scored[small_scored["sector"] == row["group"]]
        assert row["outcome_rate"] == pytest.approx(g["risk"].mean())
        on = g[g["on_list"]]
        if len(on):
            assert row["precision"] == pytest.approx(on["risk"].mean())
            assert row["recall"] == pytest.approx(on["risk"].sum() / g["risk"].sum())
    everyone = equity_table(small_scored.assign(on_list=True), by=("sector",))
    assert np.allclose(everyone["ratio"], 1) and np.allclose(everyone["recall"], 1)


def test_arrears_cost_on_a_tiny_registry_computed_by_hand():
    reg = pd.DataFrame(
        {
            "province": ["Aceh", "Aceh", "Aceh", "Bali"],
            "workers_registered": [10, 4, 6, 20],
            "dependants_registered": [12, np.nan, 1, 5],
            "months_in_arrears": [2, 3, 0, 1],
        }
    )
    scored = pd.DataFrame(
        {
            "province": ["Aceh", "Aceh", "Aceh", "Bali"],
            "on_list": [True, True, False, False],
            "rank_in_province": [1, 2, 3, 1],
            "inactive_workers": [10, 4, 0, 20],
            "inactive_dependants": [12, 0, 0, 5],
        }
    )
    pop = pd.Series({"Aceh": 1000.0, "Bali": 500.0})
    cost = compute_arrears_cost(reg, scored, top_k=1, population=pop)
    assert cost.loc["Aceh", "employers_in_arrears"] == 2
    assert cost.loc["Aceh", "inactive_workers"] == 14
    assert cost.loc["Aceh", "inactive_dependants"] == 12  # a missing count counts as 0
    assert cost.loc["Bali", "inactive_participants"] == 25
    assert cost.loc["Aceh", "regained_participants"] == 22  # only rank 1 pays
    assert cost.loc["Aceh", "regained_active_pp"] == pytest.approx(2.2)
    assert cost.loc["Bali", "regained_participants"] == 0  # not on the list
    every = compute_arrears_cost(reg, scored, population=pop)
    assert every.loc["Aceh", "regained_participants"] == 26


def test_arrears_cost_of_a_scored_registry_regains_what_its_list_covers(
    small_registry, small_scored
):
    """Every employer listed: every inactive participant regained; none listed: none."""
    cost = compute_arrears_cost(small_registry, small_scored)
    assert (cost["employers_in_arrears"] > 0).any()
    assert (cost["regained_participants"] <= cost["inactive_participants"]).all()
    assert (cost["regained_participants"] < cost["inactive_participants"]).any()
    everyone = compute_arrears_cost(small_registry, small_scored.assign(on_list=True))
    for what in ("workers", "dependants", "participants"):
        assert everyone[f"regained_{what}"].tolist() == everyone[f"inactive_{what}"].tolist()
    nobody = compute_arrears_cost(small_registry, small_scored.assign(on_list=False))
    assert (nobody["regained_participants"] == 0).all()
