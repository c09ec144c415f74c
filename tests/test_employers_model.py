"""Risk model contract, stable scores, inspection lists and selection-aware evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from perjaka_analysis import PerjakaError
from perjaka_analysis.employers import RiskModel, evaluate, score_registry
from perjaka_analysis.employers.evaluate import pair_auc, selection_metrics
from perjaka_analysis.employers.features import ump_for
from perjaka_analysis.employers.model import read_ump_table


def test_risk_model_is_a_scikit_learn_estimator(small_registry, risk_model):
    params = risk_model.get_params()
    assert params["as_of"] is None and params["ump"] is None  # fit never rewrites them
    copy = clone(risk_model)
    assert not hasattr(copy, "pipeline_") and copy.get_params() == params
    labelled = small_registry[small_registry["noncompliant"].notna()]
    y = labelled["noncompliant"].astype(int).to_numpy()
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    proba = cross_val_predict(
        RiskModel(random_state=0), labelled, y, cv=folds, method="predict_proba"
    )
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    assert roc_auc_score(y, proba[:, 1]) > 0.7
    assert set(risk_model.predict(labelled)) <= {0, 1}


def test_refit_on_a_newer_registry_takes_its_date(small_registry, risk_model):
    newer = small_registry.assign(
        registered_since=pd.to_datetime(small_registry["registered_since"]) + pd.DateOffset(years=1)
    )
    labelled = small_registry["noncompliant"].notna()
    latest = pd.to_datetime(small_registry.loc[labelled, "registered_since"]).max()
    assert risk_model.as_of_ == latest
    refit = clone(risk_model).fit(newer)
    assert refit.as_of_ == latest + pd.DateOffset(years=1) and refit.as_of is None


def test_minimum_wage_is_taken_from_the_data_year():
    table = read_ump_table()
    aceh = table[table["province"] == "Aceh"].set_index("year")["ump_idr"]
    assert ump_for(table, pd.Timestamp("2024-06-30"))["Aceh"] == aceh[2024]
    assert ump_for(table, pd.Timestamp("2025-06-30"))["Aceh"] == aceh[2025]
    assert ump_for(table, pd.Timestamp("2010-01-01"))["Aceh"] == aceh.sort_index().iloc[0]


def test_shuffling_rows_changes_no_score_and_no_listed_employer(small_registry, small_scored):
    shuffled = small_registry.sample(frac=1, random_state=7)
    again = score_registry(
        shuffled,
        model=RiskModel(random_state=0).fit(shuffled),
        capacity=30,
        key=b"k",
        language="en",
    )
    pd.testing.assert_frame_equal(again, small_scored)


def test_scores_are_tie_free_and_ties_never_broken_by_file_order(small_scored):
    open_ = small_scored[~small_scored["inspected"]]
    # distinct employers get distinct risks unless their facts are identical
    assert open_["risk"].nunique() > 0.95 * len(open_)
    top = small_scored[small_scored["rank_in_province"] == 1]
    assert top["province"].is_unique


def test_ties_are_broken_by_gain_then_id():
    from perjaka_analysis.employers.score import rank_within_province

    prov = pd.Series(["A"] * 4)
    rank = rank_within_province(
        prov,
        pd.Series([1.0, 1.0, 1.0, 2.0]),
        pd.Series([5.0, 7.0, 5.0, 0.0]),
        ids=pd.Series(["d", "c", "b", "a"]),
    )
    assert rank.tolist() == [4, 2, 3, 1]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 400),
    n_ranked=st.integers(0, 30),
    rank_by=st.sampled_from(["blend", "gain", "risk"]),
)
def test_candidates_alone_give_the_ranked_picks_of_ranking_everybody(seed, n, n_ranked, rank_by):
    from perjaka_analysis.employers.score import (
        plan_candidates,
        priority_scores,
        rank_within_province,
    )

    rng = np.random.default_rng(seed)
    reported = rng.integers(0, 60, n)
    reg = pd.DataFrame(
        {
            "province": rng.choice(["A", "B", "C"], n),
            "workers_reported": reported,
            # many without a gap, some priorities tied
            "workers_registered": np.where(rng.random(n) < 0.6, reported, reported // 2),
            "employer_id": [f"E{i:04d}" for i in rng.permutation(n)],
        }
    )
    risk = np.round(rng.random(n), 1)
    uninspected = rng.random(n) < 0.9
    asked = []

    def risk_of(at):
        asked.extend(at.tolist())
        return risk[at]

    cand, got = plan_candidates(reg, risk_of, np.full(n, n_ranked), uninspected, rank_by=rank_by)
    assert len(asked) == len(set(asked)) and set(np.flatnonzero(cand)) <= set(asked)
    np.testing.assert_array_equal(got[cand], risk[cand])
    assert np.isnan(got[~cand]).all()

    def first(eligible, values):
        rank = rank_within_province(
            reg["province"],
            priority_scores(reg, values, rank_by=rank_by),
            pd.Series(values),
            ids=reg["employer_id"],
            eligible=eligible,
        )
        return rank.where(rank <= n_ranked)

    pd.testing.assert_series_equal(first(cand, got), first(uninspected, risk))


def test_plan_candidates_leave_out_employers_that_cannot_be_ranked():
    from perjaka_analysis.employers.score import plan_candidates

    # two ranked picks; 20 employers without a gap (priority at most 3)
    reg = pd.DataFrame(
        {
            "province": ["A"] * 24,
            "workers_reported": [50, 40, 30, 2] + [5] * 20,
            "workers_registered": [0, 0, 0, 0] + [5] * 20,
        }
    )
    risk = np.r_[0.5, 0.2, 0.1, 0.9, np.full(20, 0.9)]
    asked = []

    def risk_of(at):
        asked.extend(at.tolist())
        return risk[at]

    cand, got = plan_candidates(reg, risk_of, np.full(24, 2), np.ones(24, bool))
    # the second priority among the first six scored is 0.2 x 43 = 8.6: no employer
    # whose gap + 3 is below it can pass it
    assert cand.tolist() == [True, True, True] + [False] * 21
    assert len(asked) == 6 and np.isnan(got[3:]).all()


def test_inspected_employers_are_flagged_off_the_list_and_scored_out_of_fold(
    small_registry, risk_model, small_scored
):
    done = small_scored[small_scored["inspected"]]
    assert len(done) == small_registry["noncompliant"].notna().sum()
    assert not done["on_list"].any() and done["rank_in_province"].isna().all()
    assert done["known_outcome"].notna().all()
    ids = small_registry.loc[small_registry["noncompliant"].notna(), "employer_id"]
    in_sample = risk_model.predict_risk(small_registry.loc[ids.index])
    oof = ids.map(risk_model.oof_risk_)
    assert not np.allclose(in_sample.to_numpy(), oof.to_numpy())
    assert np.allclose(
        np.sort(done["risk"].to_numpy()), np.sort(oof.round(6).to_numpy()), atol=1e-9
    )
    whole = risk_model.risk_out_of_fold(small_registry)
    assert np.array_equal(whole.loc[ids.index].to_numpy(), oof.to_numpy())
    unseen = small_registry.index.difference(ids.index)
    assert np.array_equal(
        whole.loc[unseen].to_numpy(), risk_model.predict_risk(small_registry.loc[unseen]).to_numpy()
    )


def test_ranking_by_gain_lists_more_expected_workers_than_by_risk(small_registry, risk_model):
    by = {
        r: score_registry(small_registry, model=risk_model, capacity=30, key=b"k", rank_by=r)
        for r in ("gain", "risk")
    }
    workers = {r: t.loc[t["on_list"], "expected_unregistered_workers"].sum() for r, t in by.items()}
    risk = {r: t.loc[t["on_list"], "risk"].sum() for r, t in by.items()}
    assert workers["gain"] > workers["risk"] and risk["risk"] > risk["gain"]
    with pytest.raises(PerjakaError, match="rank_by"):
        score_registry(small_registry, model=risk_model, key=b"k", rank_by="size")


def test_random_share_is_reserved_with_recorded_inclusion_probabilities(small_registry, risk_model):
    kw = {"capacity": 20, "key": b"k", "random_share": 0.25, "min_inclusion": 0.0}
    a = score_registry(small_registry, model=risk_model, **kw)
    b = score_registry(small_registry, model=risk_model, **kw)
    pd.testing.assert_frame_equal(a, b)
    for _, g in a.groupby("province"):
        open_ = g[~g["inspected"]]
        ranked = open_[open_["selection"] == "ranked"]
        randoms = open_[open_["selection"] == "random"]
        # a capacity that covers every uninspected employer lists them all, ranked
        assert len(ranked) == (15 if len(open_) > 20 else len(open_))
        pool = len(open_) - len(ranked)
        assert len(randoms) == min(5, pool)
        assert (ranked["inclusion_probability"] == 1).all()
        if pool:
            rest = open_[open_["selection"] != "ranked"]
            assert np.allclose(rest["inclusion_probability"], len(randoms) / pool, atol=1e-6)
    assert a.loc[a["inspected"], "inclusion_probability"].isna().all()
    assert (a["on_list"] == (a["selection"] != "")).all()


@pytest.mark.filterwarnings("ignore::UserWarning")  # whether labelled rows look selected
def test_evaluate_works_without_optional_registered_since(small_registry):
    slim = small_registry.drop(columns=["registered_since"])
    result = evaluate(slim, capacity=20)
    assert 0.5 < result["dr"]["roc_auc"] < 1
    assert 0 < result["dr"]["base_rate"] < 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 5), st.floats(0.1, 3)), min_size=4, max_size=30
    )
)
def test_weighted_pair_auc_equals_the_auc_of_repeated_rows(rows):
    y = np.array([r[0] for r in rows])
    s = np.array([r[1] for r in rows], dtype=float)
    w = np.array([r[2] for r in rows])
    if y.min() == y.max():
        return
    assert pair_auc(s, y, 1 - y) == pytest.approx(roc_auc_score(y, s))
    # integer weights equal repeating the rows (self-pairs are never counted)
    n = np.array([round(x) + 1 for x in w])
    rep = np.repeat(np.arange(len(y)), n)
    assert pair_auc(s, y * n, (1 - y) * n) == pytest.approx(roc_auc_score(y[rep], s[rep]))


def test_ipw_and_dr_on_a_hand_computed_frame():
    # four employers; two inspected (rows 0 and 2) with known probabilities
    s = np.array([0.8, 0.6, 0.4, 0.2])
    y = np.array([1, np.nan, 0, np.nan])
    labelled = np.array([True, False, True, False])
    p = np.array([0.5, 0.5, 0.25, 0.25])
    on_list = np.array([True, True, False, False])
    m = selection_metrics(s, y, labelled, p, on_list)
    assert m["naive"]["base_rate"] == 0.5
    assert m["ipw"]["base_rate"] == pytest.approx(2 / (2 + 4))  # weights 2 and 4
    # DR pseudo-outcomes: 0.8 + 2 * 0.2 = 1.2, 0.6, 0.4 - 4 * 0.4 = -1.2, 0.2
    assert m["dr"]["base_rate"] == pytest.approx((1.2 + 0.6 - 1.2 + 0.2) / 4)
    assert m["dr"]["precision_at_capacity"] == pytest.approx((1.2 + 0.6) / 2)
    assert m["ipw"]["precision_at_capacity"] == 1.0
    assert m["naive"]["brier"] == pytest.approx((0.2**2 + 0.4**2) / 2)


def test_evaluate_warns_when_inspections_were_selective_and_corrects_the_base_rate():
    from perjaka_analysis.employers.synth import generate_registry

    reg = generate_registry(3000, seed=11, label_share=0.15, selective=True).frame
    with pytest.warns(UserWarning, match="base_rate"):
        result = evaluate(reg, capacity=20)
    truth = result["truth"]["base_rate"]
    assert abs(result["dr"]["base_rate"] - truth) < abs(result["naive"]["base_rate"] - truth) / 2
    assert abs(result["ipw"]["base_rate"] - truth) < abs(result["naive"]["base_rate"] - truth) / 2


@pytest.mark.parametrize("method", ["predict_risk", "risk_out_of_fold"])
def test_an_unfitted_model_says_so(small_registry, method):
    with pytest.raises(PerjakaError, match="not fitted"):
        getattr(RiskModel(), method)(small_registry)
