"""Plans that can be fed back, outcomes merged into the registry, pseudonyms back to ids."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.cli import main
from perjaka_analysis.employers import score_registry
from perjaka_analysis.employers.outcomes import merge_outcomes, read_plan, reidentify
from perjaka_analysis.employers.plan import OUTCOME_COLUMNS, WholeRegistryWarning, reserve_size
from perjaka_analysis.errors import DataValidationError, PerjakaError
from perjaka_analysis.validate import validate_outcomes, validate_registry


def test_reserve_meets_the_floor_by_hand():
    # 1,000 uninspected, capacity 100: 5% gives 5 random picks among 905 (0.0055);
    # a floor of 0.01 needs r / (900 + r) >= 0.01, i.e. r >= 9.09 -> 10
    assert reserve_size(100, 1000, 0.05, 0.0) == 5
    assert reserve_size(100, 1000, 0.05, 0.01) == 10
    assert 10 / (900 + 10) >= 0.01 > 9 / (900 + 9)
    assert reserve_size(100, 100, 0.05, 0.01) == 0  # capacity covers everyone
    assert reserve_size(10, 100_000, 0.05, 0.5) == 10  # never more than the capacity


@pytest.fixture(scope="module")
def plan(small_registry, risk_model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WholeRegistryWarning)
        return score_registry(small_registry, model=risk_model, capacity=20, key=b"k")


def test_default_plan_has_a_reserve_above_the_floor_and_its_ids(plan, risk_model):
    open_ = plan[~plan["inspected"]]
    assert (plan["selection"] == "random").sum() > 0
    big = open_.groupby("province")["province"].transform("size") > 20
    assert big.any()
    assert (open_.loc[big, "inclusion_probability"] >= 0.002).all()
    assert (open_["inclusion_probability"] > 0).all()
    assert plan["inspection_list"].nunique() == 1
    assert plan["inspection_list"].iloc[0].startswith("PLAN-")
    assert (plan["model_version"] == risk_model.version_).all()
    assert (plan["data_date"] == f"{risk_model.as_of_:%Y-%m-%d}").all()
    for column in OUTCOME_COLUMNS:
        assert plan[column].isna().all()


def test_plan_id_follows_the_plan_not_the_file_order(small_registry, risk_model, plan):
    shuffled = small_registry.sample(frac=1, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WholeRegistryWarning)
        again = score_registry(shuffled, model=risk_model, capacity=20, key=b"k")
        other = score_registry(small_registry, model=risk_model, capacity=21, key=b"k")
    assert again["inspection_list"].iloc[0] == plan["inspection_list"].iloc[0]
    assert other["inspection_list"].iloc[0] != plan["inspection_list"].iloc[0]


def test_capacity_covering_the_uninspected_registry_warns(small_registry, risk_model):
    with pytest.warns(WholeRegistryWarning, match="covers every uninspected employer"):
        table = score_registry(small_registry, model=risk_model, capacity=10_000, key=b"k")
    assert (table.loc[~table["inspected"], "selection"] == "ranked").all()


def _outcomes(plan: pd.DataFrame, n: int = 6) -> pd.DataFrame:
    listed = plan[plan["on_list"]].head(n)
    return pd.DataFrame(
        {
            "employer": listed["pseudonym"].to_numpy(),
            "inspection_list": listed["inspection_list"].to_numpy(),
            "inspected_on": "2025-09-01",
            "noncompliant": ["1", "0"] * (n // 2),
            "workers_registered_after": "3",
        }
    )


def test_merge_writes_the_findings_with_their_plan_and_is_idempotent(small_registry, plan):
    rows = _outcomes(plan)
    before = small_registry.copy()
    merged = merge_outcomes(small_registry, validate_outcomes(rows), plan, key=b"k")
    pd.testing.assert_frame_equal(small_registry, before)  # the input is not modified
    again = merge_outcomes(validate_registry(merged), validate_outcomes(rows), plan, key=b"k")
    pd.testing.assert_frame_equal(validate_registry(merged), validate_registry(again))
    ids = plan.loc[plan["on_list"], "pseudonym"].head(6)
    from perjaka_analysis.privacy import pseudonymise

    got = merged[pseudonymise(merged["employer_id"], b"k").isin(ids).to_numpy()]
    assert len(got) == 6
    assert got["noncompliant"].sum() == 3
    assert (got["inspection_list"] == plan["inspection_list"].iloc[0]).all()
    expected = plan.set_index("pseudonym").loc[ids, "inclusion_probability"].sort_values()
    assert np.allclose(got["inspection_probability"].sort_values(), expected)
    assert (got["inspection_model"] == plan["model_version"].iloc[0]).all()
    assert (got["workers_registered_after"] == 3).all()
    # the merged registry is a valid registry, untouched rows unchanged
    valid = validate_registry(merged)
    assert valid["noncompliant"].notna().sum() == small_registry["noncompliant"].notna().sum() + 6


def test_bad_outcomes_name_column_and_rows_and_merge_nothing(small_registry, plan):
    rows = _outcomes(plan)
    rows.loc[1, "employer"] = "BU-NOT-ON-PLAN"
    rows.loc[2, "inspection_list"] = "PLAN-UNKNOWN"
    rows.loc[3, "inspected_on"] = "2001-01-01"
    with pytest.raises(DataValidationError) as err:
        merge_outcomes(small_registry, validate_outcomes(rows), plan, key=b"k")
    text = str(err.value)
    assert "employer not on that plan" in text and "line 3" in text
    assert "unknown plan" in text and "line 4" in text
    assert "before the plan's date" in text and "line 5" in text
    dup = pd.concat([_outcomes(plan), _outcomes(plan).head(1)], ignore_index=True)
    with pytest.raises(DataValidationError, match="duplicate row"):
        validate_outcomes(dup)
    missing = _outcomes(plan).assign(noncompliant=["1", "", "0", "2", "1", "0"])
    with pytest.raises(DataValidationError) as err:
        validate_outcomes(missing)
    assert "noncompliant" in str(err.value) and "line 5" in str(err.value)


def test_registry_rejects_recorded_columns_without_a_label():
    frame = pd.DataFrame(
        {
            "employer_id": ["a", "b"],
            "province": "Aceh",
            "sector": "C",
            "workers_reported": 3,
            "workers_registered": 3,
            "months_in_arrears": 0,
            "noncompliant": [None, 1],
            "inspection_list": ["PLAN-X", "PLAN-X"],
            "inspection_probability": [0.5, 0.0],
            "inspected_on": [None, "2025-01-01"],
        }
    )
    with pytest.raises(DataValidationError) as err:
        validate_registry(frame)
    text = str(err.value)
    assert "without an inspection outcome" in text
    assert "inspection_probability" in text  # 0 is not a probability of a done inspection


def test_reidentify_maps_pseudonyms_back_for_the_key_holder(small_registry, plan):
    listed = plan[plan["on_list"]]
    out = reidentify(listed, small_registry, b"k")
    from perjaka_analysis.privacy import pseudonymise

    assert (pseudonymise(out["employer_id"], b"k").to_numpy() == out["pseudonym"].to_numpy()).all()
    with pytest.raises(PerjakaError, match="match no employer"):
        reidentify(listed, small_registry, b"another key")


def test_cli_round_trip_and_a_bad_file_writes_nothing(tmp_path, small_registry, capsys):
    reg = tmp_path / "reg.csv"
    # the session's registry, of which the plan alone is written (--plan-only): its
    # random picks have no rank, and the plan file is still an outcomes file
    small_registry.to_csv(reg, index=False)
    key = tmp_path / "k.key"
    key.write_text("k")
    key.chmod(0o600)
    plan_csv = tmp_path / "plan.xlsx"
    assert main(["employers", "score", "--registry", str(reg), "--out", str(plan_csv),
                 "--capacity", "20", "--key-file", str(key), "--plan-only"]) == 0  # fmt: skip
    written = read_plan(plan_csv)
    assert written["on_list"].all() and (written["selection"] == "random").any()
    assert written.loc[written["selection"] == "random", "rank_in_province"].isna().all()
    filled = written.tail(4).assign(inspected_on="2025-09-01", noncompliant=[1, 0, 0, 1])
    outcomes = tmp_path / "outcomes.csv"
    filled.to_csv(outcomes, index=False)
    out = tmp_path / "merged.csv"
    args = ["employers", "merge", "--registry", str(reg), "--plan", str(plan_csv),
            "--outcomes", str(outcomes), "--key-file", str(key), "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    merged = pd.read_csv(out)
    assert merged["inspection_list"].notna().sum() == 4
    bad = filled.assign(inspection_list="PLAN-NOPE")
    bad.to_csv(outcomes, index=False)
    out.unlink()
    assert main(args) == 2
    assert not out.exists()
    assert "unknown plan" in capsys.readouterr().err


def _recorded_registry() -> pd.DataFrame:
    """Six employers: two inspected long ago (no probability), a round of three
    (ranked with probability 1, two random with 0.25), one never inspected."""
    return pd.DataFrame(
        {
            "noncompliant": [1, 0, 1, 0, 1, None],
            "inspected_on": pd.to_datetime(
                ["2020-01-01", None, "2025-09-01", "2025-09-02", "2025-09-03", None]
            ),
            "inspection_probability": [None, None, 1.0, 0.25, 0.25, None],
            "inspection_list": [None, None, "PLAN-A", "PLAN-A", "PLAN-A", None],
            "inspection_model": [None, None, "m1", "m1", "m1", None],
        }
    )


def test_recorded_probabilities_are_used_as_they_are_and_older_labels_count_once():
    from perjaka_analysis.employers.evaluate import inspection_weights

    reg = _recorded_registry()
    p, source = inspection_weights(reg)
    assert source == "recorded"
    assert p.tolist()[:5] == [1.0, 1.0, 1.0, 0.25, 0.25]  # 0.25 is not clipped or estimated
    assert np.isnan(p.iloc[5])
    # an earlier round counts once too: only the latest round is weighted
    later = reg.assign(
        inspection_probability=[0.5, None, 1.0, 0.25, 0.25, None],
        inspection_list=["PLAN-0", None, "PLAN-A", "PLAN-A", "PLAN-A", None],
        inspection_model=["m0", None, "m1", "m1", "m1", None],
    )
    assert inspection_weights(later)[0].tolist()[:5] == [1.0, 1.0, 1.0, 0.25, 0.25]
    bad = reg.assign(inspection_probability=[None, None, 1.0, 0.25, 1.5, None])
    with pytest.raises(PerjakaError, match=r"\(0, 1\]"):
        inspection_weights(bad)


def test_dr_outcome_model_is_recalibrated_on_the_sampled_findings():
    from perjaka_analysis.employers.evaluate import recalibrated_outcome

    rng = np.random.default_rng(0)
    s = rng.uniform(0.05, 0.95, 4000)
    true = 1 / (1 + np.exp(-(np.log(s / (1 - s)) - 1.0)))  # the score is too high by 1 logit
    y = (rng.random(4000) < true).astype(float)
    m, fitted = recalibrated_outcome(s, y, np.ones(4000))
    assert fitted
    assert abs(m.mean() - true.mean()) < 0.02 < abs(s.mean() - true.mean())
    same, fitted = recalibrated_outcome(s, y, np.zeros(4000))
    assert not fitted and np.allclose(same, s)


def test_evaluate_reports_the_precision_of_the_plan_score_writes(small_registry, risk_model, plan):
    from perjaka_analysis.employers import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate(small_registry, capacity=20, model=risk_model)
    on_plan = plan.set_index("pseudonym")["on_list"]
    from perjaka_analysis.privacy import pseudonymise

    expected = on_plan.loc[pseudonymise(small_registry["employer_id"], b"k")].to_numpy()
    assert (result["on_list"] == expected).all()
    truth = small_registry["true_noncompliant"].to_numpy()
    assert result["truth"]["precision_at_capacity"] == pytest.approx(truth[expected].mean())
    assert np.isnan(result["naive"]["precision_at_capacity"])  # nobody on the plan is inspected
    # the model's figures on the plan are its mean risk there; checked against DR
    risk = result["scores"].to_numpy()
    assert result["model"]["precision_at_capacity"] == pytest.approx(risk[expected].mean())
    check = result["calibration_check"]
    assert (
        check["consistent"] == (check["standard_errors"] <= 2)
        and result["dr_standard_error"]["base_rate"] > 0
    )
    # the DR base rate comes with its 95% interval, the findings it rests on and
    # the findings a round would need for +-0.01
    unc, rate = result["dr_uncertainty"], result["dr"]["base_rate"]
    se = result["dr_standard_error"]["base_rate"]
    assert unc["base_rate_interval_95"] == pytest.approx(
        [max(0.0, rate - 1.96 * se), min(1.0, rate + 1.96 * se)]
    )
    labelled = small_registry["noncompliant"].notna().to_numpy()
    assert unc["findings"] == int((labelled & (result["propensity"].to_numpy() < 1)).sum()) > 0
    needed = unc["findings"] * (1.96 * se / 0.01) ** 2
    assert unc["findings_for_half_width"] == max(unc["findings"], int(np.ceil(needed - 1e-9)))


def test_a_round_without_its_random_findings_is_said(small_registry, risk_model, plan):
    from perjaka_analysis.employers import evaluate

    ranked_only = plan[plan["selection"] == "ranked"]
    rows = _outcomes(ranked_only)
    merged = merge_outcomes(small_registry, validate_outcomes(rows), ranked_only, key=b"k")
    with pytest.warns(UserWarning, match="random reserve"):
        result = evaluate(validate_registry(merged), capacity=20)
    assert result["propensity_source"] == "recorded"
