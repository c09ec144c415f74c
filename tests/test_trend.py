"""Trend models on tiny synthetic panels whose true trend is known."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perjaka_analysis import PerjakaError
from perjaka_analysis.backtest import backtest
from perjaka_analysis.forecast import (
    STATUS_ABOVE,
    STATUS_ABOVE_MODELLED,
    STATUS_EXPECTED,
    STATUS_OUT_OF_REACH,
    compute_targets,
)
from perjaka_analysis.provinces import NATIONAL, province_table
from perjaka_analysis.trend import (
    METHODS,
    CoverageTrendModel,
    FitCache,
    PooledTrendModel,
    SaturationTrendModel,
    to_years,
)

PROVINCES = ["Aceh", "Bali", "Banten", "Jambi", "Riau", "Lampung", "Maluku", "Bengkulu"]


def synthetic_panel(
    *,
    slope: float = 0.4,
    ceiling: float = 102.0,
    noise: float = 0.0,
    seed: int = 0,
    years: tuple[int, ...] = (2016, 2018, 2020, 2022, 2024),
) -> pd.DataFrame:
    """Coverage rows following logit(pct/ceiling) = a_p + slope * t exactly (plus noise)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, province in enumerate(PROVINCES):
        a = -0.5 + 0.25 * i
        for year in years:
            date = pd.Timestamp(f"{year}-06-30")
            z = a + slope * to_years(date) + noise * rng.standard_normal()
            rows.append((province, date, ceiling / (1 + np.exp(-z))))
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    return frame.assign(
        district=pd.NA,
        measure="registered",
        territory=frame["province"],
        source_url=pd.NA,
    )


def test_pooled_model_recovers_the_true_slope():
    res = CoverageTrendModel(synthetic_panel(noise=0.05), method="pooled", knots=()).fit()
    assert res.pooled["fixed_effects"][1] == pytest.approx(0.4, abs=0.03)
    aceh = res.trend("Aceh")
    assert aceh.mean[0] == pytest.approx(-0.5, abs=0.1)


@pytest.mark.parametrize("method", ["pooled", "damped"])
def test_forecast_follows_the_true_curve(method):
    panel = synthetic_panel(noise=0.1)
    res = CoverageTrendModel(panel, method=method, phi=1.0, knots=(), breaks=()).fit()
    fc = res.forecast("2026-06-30", levels=(95,))
    got = fc[(fc.province == "Bali")].iloc[-1]
    true = 102 / (1 + np.exp(-(-0.25 + 0.4 * to_years(pd.Timestamp("2026-06-30")))))
    assert got["mean"] == pytest.approx(true, abs=1.5)
    assert got["lower"] < true < got["upper"]


@pytest.mark.parametrize("method", METHODS)
def test_intervals_contain_the_mean_and_widen_with_the_level(method):
    res = CoverageTrendModel(synthetic_panel(noise=0.2), method=method).fit()
    fc = res.forecast("2028-12-31")
    wide = fc.pivot_table(index=["province", "date"], columns="level", values=["lower", "upper"])
    assert (fc["lower"] <= fc["mean"]).all() and (fc["mean"] <= fc["upper"]).all()
    assert (wide[("lower", 95)] <= wide[("lower", 80)]).all()
    assert (wide[("upper", 95)] >= wide[("upper", 80)]).all()
    assert list(fc.columns[:6]) == ["province", "date", "mean", "lower", "upper", "level"]


def test_province_without_data_is_forecast_from_the_pooled_trend_and_labelled():
    res = CoverageTrendModel(synthetic_panel(noise=0.1), provinces=["Aceh", "Papua"]).fit()
    assert res.trend("Papua").basis == "pooled (no data)"
    assert res.trend("Aceh").basis == "own data"
    fc = res.forecast("2026-12-31")
    assert set(fc.loc[fc.province == "Papua", "basis"]) == {"pooled (no data)"}


def test_same_input_same_output():
    panel = synthetic_panel(noise=0.2, seed=3)
    kw = {"deadline": "2030-12-31", "seed": 7, "n_paths": 300, "provinces": ["Aceh", "Papua"]}
    a = compute_targets(CoverageTrendModel(panel).fit(), **kw)
    b = compute_targets(CoverageTrendModel(panel).fit(), **kw)
    pd.testing.assert_frame_equal(a, b)


@functools.cache
def _noisy_fit():
    return CoverageTrendModel(synthetic_panel(noise=0.2)).fit()


def test_kept_paths_are_the_paths_drawn_anew_and_each_caller_gets_its_own_copy():
    kept = CoverageTrendModel(synthetic_panel(noise=0.2)).fit()
    kept.keep_paths()
    kw = {"n_paths": 50, "seed": 3}
    dates, drawn = _noisy_fit().simulate("Aceh", "2030-12-31", **kw)  # nothing kept
    first = kept.simulate("Aceh", "2030-12-31", **kw)[1]
    first += 100.0  # the caller's own array
    again_dates, again = kept.simulate("Aceh", "2030-12-31", **kw)
    assert again_dates.equals(dates)
    np.testing.assert_array_equal(again, drawn)
    other_seed = kept.simulate("Aceh", "2030-12-31", n_paths=50, seed=4)[1]
    longer = kept.simulate("Aceh", "2031-12-31", **kw)[1]
    assert not np.array_equal(other_seed, drawn) and longer.shape[1] == drawn.shape[1] + 12


@settings(max_examples=10, deadline=None)
@given(st.floats(80, 97), st.floats(0.1, 4.0))
def test_a_higher_target_is_never_reached_sooner(low, step):
    high = min(low + step, 100.0)
    t = compute_targets(
        _noisy_fit(),
        targets=(low, high),
        deadline="2030-12-31",
        n_paths=300,
        provinces=["Aceh", "Bali", "Maluku", "Papua"],
    )
    for _, g in t.groupby("province"):
        lo, hi = g.iloc[0], g.iloc[1]
        assert hi["prob_by_deadline"] <= lo["prob_by_deadline"]
        if pd.notna(hi["expected_date"]) and pd.notna(lo["expected_date"]):
            assert hi["expected_date"] >= lo["expected_date"]


def test_a_province_above_target_says_so():
    panel = synthetic_panel()
    res = CoverageTrendModel(panel).fit()
    t = compute_targets(res, targets=(50.0,), deadline="2030-12-31", n_paths=300)
    t = t.set_index("province")
    top = panel.sort_values("date").groupby("province").tail(1).set_index("province")
    above = top.index[top["coverage_pct"] >= 50]
    assert len(above)
    assert (t.loc[above, "status"] == STATUS_ABOVE).all()
    assert (t.loc[above, "required_per_month"] == 0).all()


def test_a_target_the_model_puts_behind_needs_no_more_participants():
    """Status and required pace agree: "already above (modelled)" asks for nothing more."""
    panel = synthetic_panel()
    res = CoverageTrendModel(panel).fit()
    # 50-70% are behind every place; 99% is ahead of all, expected before 2031 in some,
    # whose pace in people needs their population
    population = dict.fromkeys([*province_table()["province"], NATIONAL], 1_000_000.0)
    t = compute_targets(
        res, targets=(50.0, 60.0, 70.0, 99.0), deadline="2030-12-31", n_paths=300,
        population=population,
    )  # fmt: skip
    modelled = t["status"] == STATUS_ABOVE_MODELLED
    assert modelled.any()
    assert (t.loc[modelled, "required_per_month"] == 0).all()
    expected = t["status"] == STATUS_EXPECTED
    assert expected.any()
    assert (t.loc[expected, "required_per_month"] > 0).all()


def test_an_unreachable_target_is_out_of_reach_not_a_far_date():
    panel = synthetic_panel(slope=0.0, noise=0.1)  # flat: nobody moves
    res = CoverageTrendModel(panel, method="last").fit()
    t = compute_targets(res, targets=(99.0,), deadline="2030-12-31", provinces=["Aceh"])
    assert t.loc[0, "status"] == STATUS_OUT_OF_REACH
    assert pd.isna(t.loc[0, "expected_date"])


def test_required_pace_is_gap_in_people_over_months_left():
    panel = synthetic_panel()
    res = CoverageTrendModel(panel).fit()
    t = compute_targets(
        res,
        targets=(99.0,),
        deadline="2026-06-30",
        population={"Aceh": 1_000_000},
        provinces=["Aceh"],
    )
    last = res.trend("Aceh").last_pct
    months = 24  # 2024-06 -> 2026-06
    assert t.loc[0, "required_per_month"] == pytest.approx((99 - last) / 100 * 1e6 / months)


def test_single_point_and_single_date_inputs_are_clear_errors():
    one = synthetic_panel().iloc[[0]]
    with pytest.raises(PerjakaError, match="at least two different dates"):
        CoverageTrendModel(one).fit()
    panel = synthetic_panel()
    same_day = panel[panel["date"] == pd.Timestamp("2020-06-30")]
    with pytest.raises(PerjakaError, match="at least two different dates"):
        CoverageTrendModel(same_day).fit()


def test_forecast_until_before_data_and_bad_method_are_clear_errors():
    res = CoverageTrendModel(synthetic_panel()).fit()
    with pytest.raises(PerjakaError, match="must be after the latest figure"):
        res.forecast("2020-01-01")
    with pytest.raises(PerjakaError, match="unknown method"):
        CoverageTrendModel(synthetic_panel(), method="prophet")
    with pytest.raises(PerjakaError, match="deadline"):
        compute_targets(res, deadline="2021-01-01")


def test_a_ceiling_under_the_saturation_method_is_an_error_not_a_silent_change():
    panel = synthetic_panel()
    with pytest.raises(PerjakaError, match=r"ceiling=110 applies to the logit methods"):
        CoverageTrendModel(panel, ceiling=110)
    with pytest.raises(PerjakaError, match="saturation"):
        CoverageTrendModel(panel, method="saturation", ceiling=102)
    # the logit methods keep the ceiling they are given
    assert CoverageTrendModel(panel, method="pooled", ceiling=110).ceiling == 110.0
    assert CoverageTrendModel(panel, method="last").ceiling == 102.0


def test_survey_measures_are_never_mixed_in():
    panel = synthetic_panel(noise=0.05)
    survey = panel.assign(measure="survey_any", coverage_pct=20.0)
    res = CoverageTrendModel(pd.concat([panel, survey])).fit()
    assert len(res.panel) == len(panel)


def test_backtest_uses_only_data_before_each_origin():
    panel = synthetic_panel(slope=0.5, noise=0.1)
    origins = ["2021-01-01", "2023-01-01"]
    bt = backtest(panel, methods=["pooled", "last"], origins=origins, status=None)
    p = bt.predictions
    assert (p["date"] >= p["origin"]).all()
    assert set(bt.table()["method"]) == {"pooled", "last"}
    # every pooled fit behind the backtest converged (no silent unconverged fit)
    for origin in origins:
        res = CoverageTrendModel(panel[panel["date"] < origin]).fit()
        assert res.converged, res.fit_notes
    # on a clean rising trend the model beats carrying the last value forward
    t = bt.table().set_index(["method", "horizon"])
    assert t.loc[("pooled", "all"), "mae_pp"] < t.loc[("last", "all"), "mae_pp"]


def test_an_unconverged_mixed_fit_is_recorded_and_warned_once(monkeypatch):
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    from perjaka_analysis.trend import FitConvergenceWarning

    real_fit = sm.MixedLM.fit

    def failing_fit(self, *args, **kwargs):
        result = real_fit(self, *args, **kwargs)
        warnings.warn(
            "Maximum Likelihood optimization failed to converge.", ConvergenceWarning, stacklevel=2
        )
        return result

    monkeypatch.setattr(sm.MixedLM, "fit", failing_fit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = CoverageTrendModel(synthetic_panel(noise=0.1), method="pooled", knots=()).fit()
    assert not res.converged
    assert any("no optimizer converged" in note for note in res.fit_notes)
    ours = [w for w in caught if issubclass(w.category, FitConvergenceWarning)]
    assert len(ours) == 1


def test_status_reports_condition_a_place_without_figures(monkeypatch):
    import perjaka_analysis.saturation as saturation

    monkeypatch.setattr(saturation, "NATIONAL_TARGETS", ())  # the reports alone move Papua
    panel = synthetic_panel(noise=0.2)
    low = pd.DataFrame(
        {
            "province": ["Papua"],
            "date": [pd.Timestamp("2023-06-30")],
            "threshold_pct": [60.0],
            "above": [False],
        }
    )
    plain = CoverageTrendModel(panel, provinces=["Papua"]).fit()
    told = CoverageTrendModel(panel, provinces=["Papua"], status=low).fit()
    assert "UHC status" in told.trend("Papua").basis
    until = "2025-06-30"
    before = plain.forecast(until, levels=(80,)).iloc[-1]["mean"]
    after = told.forecast(until, levels=(80,)).iloc[-1]["mean"]
    assert after < before - 5


class CountingCache(FitCache):
    """A fit cache that counts the fits it computes."""

    def __init__(self) -> None:
        super().__init__()
        self.computed = 0

    def get(self, key, compute):
        def counted():
            self.computed += 1
            return compute()

        return super().get(key, counted)


def test_a_repeated_fit_of_the_same_figures_is_an_independent_equal_copy():
    panel = synthetic_panel(noise=0.1)
    cache = CountingCache()
    first = CoverageTrendModel(panel, method="pooled", cache=cache).fit()
    second = CoverageTrendModel(panel, method="last", cache=cache).fit()
    assert cache.computed == 1  # the second model shares the first one's cache
    np.testing.assert_array_equal(first.pooled["fixed_effects"], second.pooled["fixed_effects"])
    first.pooled["fixed_effects"][:] = 0.0  # changing one result leaves the other alone
    assert np.all(second.pooled["fixed_effects"] != 0.0)
    # other figures are another fit
    other = CoverageTrendModel(synthetic_panel(noise=0.2), method="pooled", cache=cache).fit()
    assert cache.computed == 2
    assert not np.array_equal(other.pooled["fixed_effects"], second.pooled["fixed_effects"])
    # a model without a cache of its own fits anew; asked twice, it fits once
    model = CoverageTrendModel(panel, method="pooled")
    model.fit()
    model.fit()
    assert model.cache is not cache and len(model.cache.fits) == 1


def test_each_method_is_its_own_model_class():
    panel = synthetic_panel()
    for method in METHODS:
        model = CoverageTrendModel(panel, method=method)
        assert isinstance(model, CoverageTrendModel)
        assert model.method == method
        assert type(model) is type(CoverageTrendModel(panel, method=method))
    assert type(CoverageTrendModel(panel)) is SaturationTrendModel
    assert isinstance(PooledTrendModel(panel), CoverageTrendModel)
    with pytest.raises(PerjakaError, match="fits the pooled method, not 'damped'"):
        PooledTrendModel(panel, method="damped")


def test_a_path_that_crossed_before_the_data_end_and_fell_back_has_not_reached_the_target():
    """'Already above (modelled)' agrees with the level on the brief's date, not a past peak."""
    from perjaka_analysis.forecast import crossing_summary

    dates = pd.date_range("2024-01-01", periods=4, freq="YS")
    paths = np.array(
        [
            [97.0, 98.5, 97.5, 99.0],  # crossed in 2025, back below in 2026, above in 2027
            [97.0, 98.3, 97.6, 98.4],
            [97.0, 97.0, 97.2, 97.3],  # never
        ]
    )
    out = crossing_summary(
        dates, paths, 98.0, pd.Timestamp("2027-12-31"), as_of=pd.Timestamp("2026-06-30")
    )
    assert out["status"] == "expected"
    assert out["expected_date"] == pd.Timestamp("2027-01-01")
    assert out["prob_by_deadline"] == pytest.approx(2 / 3)
    # on a date when two of three paths are above it is probably above, not "already"
    # (that needs 95% of the paths): by the next date at the latest
    out = crossing_summary(
        dates, paths, 98.0, pd.Timestamp("2027-12-31"), as_of=pd.Timestamp("2025-06-30")
    )
    assert out["status"] == STATUS_ABOVE_MODELLED and pd.isna(out["expected_date"])
    assert out["date_upper_80"] == pd.Timestamp("2026-01-01")
    # when every path is above on that date, it is already above (modelled)
    paths[2, 1] = 98.1
    out = crossing_summary(
        dates, paths, 98.0, pd.Timestamp("2027-12-31"), as_of=pd.Timestamp("2025-06-30")
    )
    assert out["status"] == STATUS_ABOVE_MODELLED
