"""What the pages say about registration agrees with the model's own numbers.

Small inline panels with hand-set figures; nothing here reads the shipped data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.forecast import (
    ABOVE_NOW_PROB,
    STATUS_ABOVE,
    STATUS_ABOVE_MODELLED,
    STATUS_EXPECTED,
    compute_targets,
    crossing_summary,
    own_figure,
    probably_above,
)
from perjaka_analysis.provinces import NATIONAL
from perjaka_analysis.saturation import CEILING
from perjaka_analysis.trend import CoverageTrendModel

PB_PRE = "Papua Barat (pre-2022-12-08 boundaries)"


def panel() -> pd.DataFrame:
    """A nation near 98%, a province at 97.9%, a laggard far below, one reported above
    100%, and Papua Barat before Papua Barat Daya was split from it."""
    rows = []
    for i, date in enumerate(pd.date_range("2019-06-30", "2025-06-30", freq="6ME")):
        rows.append((NATIONAL, NATIONAL, date, 97.6 + 0.1 * i / 2 + 0.1 * np.sin(i)))
    for date, value in (("2022-05-31", 97.8), ("2023-09-30", 98.0), ("2025-03-31", 97.9)):
        rows.append(("Jawa Tengah", "Jawa Tengah", pd.Timestamp(date), value))
    for date, value in (("2019-03-31", 80.47), ("2021-09-30", 81.9), ("2024-06-30", 83.62)):
        rows.append(("Bengkulu", "Bengkulu", pd.Timestamp(date), value))
    for date, value in (("2021-06-30", 101.9), ("2023-06-30", 101.5), ("2024-12-31", 101.7)):
        rows.append(("Bali", "Bali", pd.Timestamp(date), value))
    for date, value in (("2019-06-30", 99.0), ("2021-06-30", 99.2)):
        rows.append(("Papua Barat", PB_PRE, pd.Timestamp(date), value))
    frame = pd.DataFrame(rows, columns=["province", "territory", "date", "coverage_pct"])
    return frame.assign(district=pd.NA, measure="registered", source_url=pd.NA)


@pytest.fixture(scope="module")
def fit():
    return CoverageTrendModel(panel(), method="saturation").fit()


def test_above_now_needs_most_paths_above_on_the_date():
    dates = pd.date_range("2025-01-01", periods=4, freq="YS")
    # 60 of 100 paths above 98 on the first date: probably above, not "already above"
    # (nor "expected" later, while the median estimate is above), by the date the 90th
    # percentile of the paths has crossed
    paths = np.full((100, 4), 99.0)
    paths[60:, :] = [97.0, 97.5, 98.5, 99.0]
    out = crossing_summary(dates, paths, 98.0, pd.Timestamp("2027-12-31"))
    assert out["status"] == STATUS_ABOVE_MODELLED
    assert probably_above(out["status"], out["date_upper_80"])
    assert pd.isna(out["expected_date"]) and out["date_upper_80"] == dates[2]
    # 96 of 100: already above (modelled)
    paths[:96, :] = 99.0
    paths[96:, :] = [97.0, 97.5, 98.5, 99.0]
    assert ABOVE_NOW_PROB <= 0.96
    out = crossing_summary(dates, paths, 98.0, pd.Timestamp("2027-12-31"))
    assert out["status"] == STATUS_ABOVE_MODELLED
    assert not probably_above(out["status"], out["date_upper_80"])
    # 40 of 100: expected, on the median crossing
    paths[:40, :] = 99.0
    paths[40:, :] = [97.0, 97.5, 98.5, 99.0]
    out = crossing_summary(dates, paths, 98.0, pd.Timestamp("2027-12-31"))
    assert out["status"] == STATUS_EXPECTED and out["expected_date"] == dates[2]


def test_an_estimate_just_below_a_target_is_not_already_above(fit):
    """Jawa Tengah estimated near 97.9% is not "98% probably exceeded"."""
    t = compute_targets(fit, targets=(98.0,), deadline="2029-12-31", n_paths=500)
    row = t.set_index("province").loc["Jawa Tengah"]
    now = fit.nowcast(provinces=["Jawa Tengah"])["mean"].iloc[0]
    assert abs(now - 98.0) < 0.5
    assert row["status"] not in (STATUS_ABOVE, STATUS_ABOVE_MODELLED)


def test_a_predecessor_figure_says_nothing_already_met_nor_dates_the_new_province(fit):
    """Papua Barat Daya: no P = 100% nor a date from a figure of Papua Barat before it."""
    trend = fit.trend("Papua Barat Daya")
    assert trend.last_pct == pytest.approx(99.2)  # the predecessor's figure is behind it
    assert not own_figure(trend)
    t = compute_targets(fit, targets=(98.0,), deadline="2029-12-31", n_paths=500)
    row = t.set_index("province").loc["Papua Barat Daya"]
    assert row["status"] != STATUS_ABOVE
    assert pd.isna(row["expected_date"]) or row["expected_date"] > pd.Timestamp("2022-12-08")
    assert 0.02 <= row["prob_by_deadline"] <= 0.98


def test_no_place_without_figures_of_its_own_is_near_certain(fit):
    t = compute_targets(fit, targets=(95.0, 98.0), deadline="2029-12-31", n_paths=500)
    none = t[[not own_figure(fit.trend(p)) for p in t["province"]]]
    assert len(none) > 30
    assert (none["prob_by_deadline"] < 0.99).all()
    assert (none["status"] != STATUS_ABOVE).all()


def test_no_trend_before_a_province_existed(fit):
    """Papua Pegunungan (established 2022-07-25) has no trend drawn back to 2019."""
    hist = fit.history("Papua Pegunungan")
    assert not hist.empty
    assert hist["date"].min() >= pd.Timestamp("2022-07-25")
    assert fit.history("Bengkulu")["date"].min() < pd.Timestamp("2019-07-01")


def test_pace_is_the_models_change_over_the_year_to_the_end_of_the_data(fit):
    end = fit.data_end
    population = {"Bengkulu": 2_000_000.0}
    t = compute_targets(
        fit, targets=(95.0,), deadline="2029-12-31", population=population, n_paths=200
    )
    row = t.set_index("province").loc["Bengkulu"]
    pred = fit.predict(
        "Bengkulu", [end - pd.DateOffset(years=1), end], levels=(80,), observation=False
    )["mean"].to_numpy()
    expected = (pred[1] - pred[0]) / 100 * 2_000_000.0 / 12
    assert row["recent_per_month"] == pytest.approx(expected)
    assert fit.trend("Bengkulu").last_date < end - pd.DateOffset(months=6)


def test_a_pace_below_zero_is_the_trend_falling_over_the_year_it_reports():
    """A nation whose figures rose to 99.1% and fell back to 98.6% in the last year: the
    pace of a province that follows it is a fall, and its two ends say how far."""
    rows = []
    values = (96.0, 96.8, 97.4, 97.9, 98.3, 98.9, 99.1, 98.6)
    dates = pd.date_range("2022-06-30", periods=8, freq="6ME")
    for date, value in zip(dates, values, strict=True):
        rows.append((NATIONAL, date, value))
        rows.append(("Banten", date, value + 0.3))
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    frame = frame.assign(territory=frame["province"], district=pd.NA, measure="registered")
    fit = CoverageTrendModel(frame.assign(source_url=pd.NA), method="saturation").fit()
    t = compute_targets(
        fit, targets=(95.0,), deadline="2029-12-31", population={"Banten": 12_000_000.0},
        provinces=["Banten"], n_paths=200,
    )  # fmt: skip
    row = t.iloc[0]
    assert row["recent_to_pct"] < row["recent_from_pct"]
    # the pace is the same fall in people a month: points / 100 x residents / 12
    by_hand = (row["recent_to_pct"] - row["recent_from_pct"]) / 100 * 12_000_000.0 / 12
    assert row["recent_per_month"] == pytest.approx(by_hand) and by_hand < 0
    assert pd.isna(row["pace_ratio"])  # no ratio to a fall


def test_the_estimated_trend_passes_within_the_noise_of_each_own_figure(fit):
    """Bengkulu 80.47% is drawn near 80.5%, not at the nation's level."""
    sd = float(np.sqrt(fit.saturation.model.sigma2))
    for province in ("Bengkulu", "Jawa Tengah"):
        rows = fit.panel[fit.panel["territory"] == province]
        est = fit.predict(province, rows["date"], levels=(80,), observation=False)["mean"]
        gap = np.abs(est.to_numpy() - rows["pct"].to_numpy())
        assert gap.max() < 1.5 * sd, (province, gap.round(2).tolist())


def test_interval_bands_stay_below_the_ceiling(fit):
    fc = fit.forecast("2035-12-31", levels=(80, 95))
    assert (fc["upper"] < CEILING).all()
    assert fc.loc[fc["province"] == "Bali", "upper"].max() < CEILING
    assert (fc.loc[fc["province"] == NATIONAL, "mean"] <= 100.0).all()
