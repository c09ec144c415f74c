"""Active shares: basis conversion by hand, bad input, and the pooled model on known panels."""

from __future__ import annotations

import warnings
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from conftest import write
from perjaka_analysis import DataQualityWarning, DataValidationError, PerjakaError, read_coverage
from perjaka_analysis.active import (
    ActiveShareModel,
    backtest_active,
    collect_active_shares,
    compare_unclear,
    convert_active_shares,
    load_active_shares,
    to_population_share,
    validate_other_points,
)
from perjaka_analysis.datasets import raw_path

Z80 = stats.norm.ppf(0.9)


class FixedRegistration:
    """A registration trend known exactly: mean and sd per place (same at every date)."""

    def __init__(self, levels: dict[str, tuple[float, float]]) -> None:
        self.levels = levels

    def predict(self, province, dates, *, levels=(80,), observation=True):
        if province not in self.levels:
            raise PerjakaError(f"{province} is not among the fitted places")
        mean, sd = self.levels[province]
        return pd.DataFrame(
            {
                "province": province,
                "date": pd.to_datetime(list(dates)),
                "mean": mean,
                "lower": mean - Z80 * sd,
                "upper": mean + Z80 * sd,
                "level": 80,
            }
        )


def shares_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows (province, date, active_pct, basis, registration_pct) as collect_active_shares gives."""
    frame = pd.DataFrame(
        rows, columns=["province", "date", "active_pct", "active_basis", "registration_pct"]
    )
    return frame.assign(
        date=pd.to_datetime(frame["date"]),
        district=None,
        date_precision="day",
        source_file="test.csv",
        source_url=None,
        note=None,
    )


# -- basis conversion ------------------------------------------------------------------------
def test_share_of_participants_times_registration_with_its_sd():
    # 84% of participants, registration 95% (sd 2): 84 * 0.95 = 79.8, sd 84 * 2 / 100 = 1.68
    mean, sd = to_population_share([84.0], ["of_participants"], [95.0], [2.0])
    assert mean[0] == pytest.approx(79.8)
    assert sd[0] == pytest.approx(1.68)


def test_share_of_population_is_kept_as_published():
    mean, sd = to_population_share([75.27], ["of_population"], [np.nan], [np.nan])
    assert mean[0] == 75.27 and sd[0] == 0.0


@pytest.mark.parametrize(
    ("treatment", "mean", "sd"),
    [
        # 70 unclear, registration 90 (sd 0): readings 70 and 63
        ("population", 70.0, 0.0),
        ("participants", 63.0, 0.0),
        # mixture: mean 66.5; variance 0.5 * 0 + 3.5^2 -> sd 3.5
        ("mixture", 66.5, 3.5),
        ("drop", np.nan, np.nan),
    ],
)
def test_unclear_share_under_each_reading(treatment, mean, sd):
    m, s = to_population_share([70.0], ["unclear"], [90.0], [0.0], unclear=treatment)
    np.testing.assert_allclose([m[0], s[0]], [mean, sd], equal_nan=True)


def test_mixture_variance_adds_the_registration_uncertainty():
    # 80 unclear, registration 95 sd 2: readings 80 and 76 (sd 1.6)
    # mixture var = 0.5 * 1.6^2 + 2^2 = 5.28
    m, s = to_population_share([80.0], ["unclear"], [95.0], [2.0])
    assert m[0] == pytest.approx(78.0)
    assert s[0] == pytest.approx(np.sqrt(5.28))


def test_conversion_uses_the_same_row_figure_before_the_trend():
    shares = shares_frame(
        [
            ("Bali", "2024-04-30", 84.0, "of_participants", 100.0),
            ("Bali", "2023-12-31", 84.69, "of_participants", np.nan),
            ("Gorontalo", "2023-03-31", 93.3, "of_population", np.nan),
        ]
    )
    reg = FixedRegistration({"Bali": (98.0, 1.0)})
    out = convert_active_shares(shares, reg)
    assert out["registration_source"].tolist() == [
        "same figure",
        "registration trend",
        "not needed",
    ]
    np.testing.assert_allclose(out["active_pop_pct"], [84.0, 84.69 * 0.98, 93.3])
    np.testing.assert_allclose(out["active_pop_sd"], [0.0, 0.8469, 0.0], atol=1e-9)
    assert len(shares) == 3 and "active_pop_pct" not in shares  # input untouched


def test_conversion_without_registration_names_the_rows():
    shares = shares_frame([("Bali", "2023-12-31", 84.69, "of_participants", np.nan)])
    with pytest.raises(PerjakaError, match="Bali 2023-12-31"):
        convert_active_shares(shares)


def test_compare_unclear_shows_both_readings():
    shares = shares_frame([("Jambi", "2024-09-26", 65.49, "unclear", 91.03)])
    table = compare_unclear(shares)
    row = table.iloc[0]
    assert row["if_population_pct"] == pytest.approx(65.49)
    assert row["if_participants_pct"] == pytest.approx(65.49 * 0.9103)
    assert row["difference_pp"] == pytest.approx(65.49 * (1 - 0.9103))
    assert row["mixture_pct"] == pytest.approx(65.49 * (1 + 0.9103) / 2)


# -- collecting and bad input ----------------------------------------------------------------
COVERAGE = """\
province,district,date,measure,coverage_pct,active_pct,active_basis,source_url
Bali,,2024-04-30,registered,100,84,of_participants,https://a.example/1
Jambi,,2024-09-26,registered,91.03,65.49,,https://a.example/2
Sulteng,,2024-12-31,registered,100.3,,,https://a.example/3
"""
OTHER = """\
province,date,date_precision,participants,active_pct,active_basis,source_url,note
Sulawesi Tengah,2024-12-31,year,,70,of_population,https://b.example/1,
Kalteng,2024-06-30,month,,80.42,of_population,https://b.example/2,
Bengkulu,2024-05-01,day,2090665,,,https://b.example/3,
"""


def test_collect_takes_every_active_share_with_its_basis(tmp_path):
    coverage = read_coverage(write(tmp_path, COVERAGE, "coverage.csv"))
    other = validate_other_points(pd.read_csv(StringIO(OTHER)))
    shares = collect_active_shares(coverage, other)
    got = shares[["province", "active_pct", "active_basis", "registration_pct"]]
    expected = pd.DataFrame(
        {
            "province": ["Bali", "Jambi", "Kalimantan Tengah", "Sulawesi Tengah"],
            "active_pct": [84.0, 65.49, 80.42, 70.0],
            # a share without a basis is read as unclear
            "active_basis": ["of_participants", "unclear", "of_population", "of_population"],
            # the same-date registration figure is found for the other_points row
            "registration_pct": [100.0, 91.03, np.nan, 100.3],
        }
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_active_share_above_100_is_an_error_naming_file_column_and_line():
    bad = OTHER.replace("80.42", "104.2")
    with pytest.raises(DataValidationError) as info:
        validate_other_points(pd.read_csv(StringIO(bad)), "other_points.csv")
    text = str(info.value)
    assert "other_points.csv" in text and "active_pct" in text and "line 3" in text
    assert "from 0 to 100" in text


def test_active_share_above_100_in_a_coverage_file_is_rejected(tmp_path):
    path = write(tmp_path, COVERAGE.replace(",84,", ",101,"), "coverage.csv")
    with pytest.raises(DataValidationError, match="active_pct"):
        read_coverage(path)


def test_unknown_basis_is_an_error_listing_the_valid_ones():
    bad = OTHER.replace("of_population,https://b.example/2", "of_households,https://b.example/2")
    with pytest.raises(DataValidationError) as info:
        validate_other_points(pd.read_csv(StringIO(bad)), "other_points.csv")
    text = str(info.value)
    assert "active_basis" in text and "of_households" in text
    assert "of_population, of_participants, unclear" in text


def test_unknown_basis_in_the_conversion_is_an_error():
    with pytest.raises(PerjakaError, match="of_households"):
        to_population_share([80.0], ["of_households"], [95.0], [0.0])


def test_active_of_population_above_registration_warns_and_keeps_the_row(tmp_path):
    text = COVERAGE + "Aceh,,2024-06-30,registered,96.5,97.0,of_population,https://a.example/4\n"
    coverage = read_coverage(write(tmp_path, text, "coverage.csv"))
    other_text = OTHER + "Jambi,2024-09-26,month,,92.0,of_population,https://b.example/4,\n"
    other = validate_other_points(pd.read_csv(StringIO(other_text)))
    with pytest.warns(DataQualityWarning) as caught:
        shares = collect_active_shares(coverage, other)
    messages = [str(w.message) for w in caught]
    assert any(
        "coverage.csv" in m and "line 5" in m and "97 > registered 96.5" in m for m in messages
    )
    assert any("line 5" in m and "92 > registered 91.03" in m for m in messages)
    assert {"Aceh", "Jambi"} <= set(shares["province"])


# -- the model -------------------------------------------------------------------------------
def known_panel(*, slope: float = 0.15, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Shares of population following logit(a/100) = 1.2 + slope*t + offset (plus noise)."""
    rng = np.random.default_rng(seed)
    offsets = {"INDONESIA": 0.0, "Aceh": 0.4, "Bali": -0.3, "Riau": 0.2, "Banten": -0.2}
    dates = ["2022-06-30", "2023-06-30", "2024-06-30"]
    rows = []
    for place, off in offsets.items():
        for d in dates:
            t = (pd.Timestamp(d) - pd.Timestamp("2020-01-01")).days / 365.25
            z = 1.2 + slope * t + off + noise * rng.standard_normal()
            rows.append((place, d, 100 / (1 + np.exp(-z)), "of_population", np.nan))
    # one province with a single figure, far above the common trend
    t = (pd.Timestamp("2024-06-30") - pd.Timestamp("2020-01-01")).days / 365.25
    rows.append(
        (
            "Jambi",
            "2024-06-30",
            100 / (1 + np.exp(-(1.2 + slope * t + 0.8))),
            "of_population",
            np.nan,
        )
    )
    return shares_frame(rows)


@pytest.fixture(scope="module")
def known_fit():
    return ActiveShareModel(
        known_panel(noise=0.02), provinces=["INDONESIA", "Aceh", "Jambi", "Papua"]
    ).fit()


def test_model_recovers_the_common_slope(known_fit):
    assert known_fit.pooled["beta"][1] == pytest.approx(0.15, abs=0.03)
    assert known_fit.pooled["converged"]


def test_province_with_one_figure_borrows_the_slope_and_says_so(known_fit):
    summary = known_fit.summary().set_index("province")
    assert summary.loc["Jambi", "basis"] == "one figure + pooled trend"
    assert summary.loc["Jambi", "n_points"] == 1
    # its level stays near its own figure (far above the national) ...
    assert summary.loc["Jambi", "level_pct"] > summary.loc["INDONESIA", "level_pct"] + 5
    assert summary.loc["Jambi", "level_pct"] == pytest.approx(
        summary.loc["Jambi", "last_pct"], abs=2
    )
    # ... and moves with the common trend (logit slope 0.15 a year at its level)
    p = summary.loc["Jambi", "level_pct"] / 100
    assert summary.loc["Jambi", "change_pp_per_year"] == pytest.approx(
        100 * 0.15 * p * (1 - p), abs=0.5
    )
    far = known_fit.forecast("2027-06-30", levels=(80,))
    far = far[far["date"] == pd.Timestamp("2027-06-30")].set_index("province")

    def logit(pct):
        return np.log(pct / (100 - pct))

    width = logit(far["upper"]) - logit(far["lower"])  # on the model scale
    assert width["Aceh"] < width["Jambi"] < width["Papua"]
    assert far.loc["Papua", "basis"] == "pooled (no data)"


def test_forecast_frame_has_the_registration_contract(known_fit):
    fc = known_fit.forecast("2026-12-31")
    assert fc.columns.tolist() == ["province", "date", "mean", "lower", "upper", "level", "basis"]
    assert set(fc["level"]) == {80, 95}
    assert (fc["lower"] <= fc["mean"]).all() and (fc["mean"] <= fc["upper"]).all()
    with pytest.raises(PerjakaError, match="must be after the latest figure"):
        known_fit.forecast("2024-01-01")


def test_nowcast_reports_the_latest_figure_and_its_age(known_fit):
    now = known_fit.nowcast("2025-06-30").set_index("province")
    assert now.loc["Aceh", "last_date"] == pd.Timestamp("2024-06-30")
    assert now.loc["Aceh", "age_years"] == pytest.approx(365 / 365.25)
    assert np.isnan(now.loc["Papua", "age_years"])


def test_same_seed_gives_the_same_paths(known_fit):
    d1, p1 = known_fit.simulate("Aceh", "2027-12-31", n_paths=50, seed=3)
    d2, p2 = known_fit.simulate("Aceh", "2027-12-31", n_paths=50, seed=3)
    _, p3 = known_fit.simulate("Aceh", "2027-12-31", n_paths=50, seed=4)
    assert d1.equals(d2) and np.array_equal(p1, p2) and not np.array_equal(p1, p3)
    assert d1[0] == pd.Timestamp("2024-06-30")


@settings(max_examples=15, deadline=None)
@given(level=st.sampled_from([50, 80, 95]), years=st.integers(1, 6))
def test_intervals_contain_the_mean_and_widen_with_the_level(known_fit, level, years):
    date = pd.Timestamp("2024-06-30") + pd.DateOffset(years=years)
    pred = known_fit.predict("Jambi", [date], levels=(level, 99))
    narrow, wide = pred.iloc[0], pred.iloc[1]
    assert narrow["lower"] <= narrow["mean"] <= narrow["upper"]
    assert wide["lower"] <= narrow["lower"] and narrow["upper"] <= wide["upper"]


def test_baselines_by_hand():
    shares = shares_frame(
        [
            ("INDONESIA", "2023-01-31", 70.0, "of_population", np.nan),
            ("INDONESIA", "2024-01-31", 75.0, "of_population", np.nan),
            ("Aceh", "2023-01-31", 84.0, "of_population", np.nan),
            ("Bali", "2023-06-30", 80.0, "of_population", np.nan),
        ]
    )
    last = ActiveShareModel(shares, method="last", provinces=["Aceh", "Papua"]).fit()
    ratio = ActiveShareModel(shares, method="national_ratio", provinces=["Aceh"]).fit()
    at = ["2025-01-31"]

    def median(res, place):
        p = (
            res.predict(place, at, levels=(80,), observation=False).iloc[0][["lower", "upper"]]
            / 100
        )
        z = (np.log(p["lower"] / (1 - p["lower"])) + np.log(p["upper"] / (1 - p["upper"]))) / 2
        return 100 / (1 + np.exp(-z))

    assert median(last, "Aceh") == pytest.approx(84.0)
    # no figure: the latest national figure
    assert median(last, "Papua") == pytest.approx(75.0)
    # 84 / 70 * 75 = 90
    assert median(ratio, "Aceh") == pytest.approx(90.0)


def test_backtest_compares_the_model_with_both_baselines():
    bt = backtest_active(
        convert_active_shares(known_panel(noise=0.05)), origins=["2023-01-01", "2024-01-01"]
    )
    table = bt.table()
    assert set(table["method"]) == {"pooled", "last", "national_ratio"}
    overall = table[table["horizon"] == "all"].set_index("method")
    # a known trend: the pooled model beats carrying the last value forward
    assert overall.loc["pooled", "mae_pp"] < overall.loc["last", "mae_pp"]


def test_shipped_shares_load_with_their_basis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        shares = load_active_shares()
    national = shares[(shares["province"] == "INDONESIA") & shares["district"].isna()]
    # every national active share of the raw files is loaded with its stated basis
    raw = pd.concat([pd.read_csv(raw_path(name)) for name in ("coverage.csv", "other_points.csv")])
    raw = raw[(raw["province"] == "INDONESIA") & raw["active_pct"].notna()]
    pairs = sorted(zip(raw["active_pct"], raw["active_basis"], strict=True))
    assert sorted(zip(national["active_pct"], national["active_basis"], strict=True)) == pairs


# -- the share of participants, the threshold in force, heavy tails, status reports ----------
class PathRegistration(FixedRegistration):
    """A registration trend known exactly, with constant simulated paths."""

    def simulate(self, province, until, *, n_paths=2000, seed=0, freq="MS"):
        dates = pd.date_range("2020-01-01", pd.Timestamp(until), freq=freq)
        return dates, np.full((n_paths, len(dates)), self.levels[province][0])


def stepped_panel(response: float, basis: str = "of_participants") -> pd.DataFrame:
    """Shares (of `basis`): flat (logit 1.0 + offset) to 2024, then rising by `response`/yr."""
    offsets = {"INDONESIA": 0.0, "Aceh": 0.5, "Bali": -0.3, "Riau": 0.2, "Banten": -0.4}
    rows = []
    for place, off in offsets.items():
        for d in pd.date_range("2021-06-30", "2025-12-31", freq="6ME"):
            t = (d - pd.Timestamp("2024-01-01")).days / 365.25
            z = 1.0 + off + response * max(t, 0.0)
            rows.append((place, d.strftime("%Y-%m-%d"), 100 / (1 + np.exp(-z)), basis,
                         np.nan))  # fmt: skip
    return shares_frame(rows)


def test_the_response_to_the_threshold_is_estimated_from_figures_after_it():
    reg = FixedRegistration({p: (100.0, 0.0) for p in ["INDONESIA", "Aceh", "Bali", "Riau",
                                                        "Banten"]})  # fmt: skip
    flat = ActiveShareModel(stepped_panel(0.0), registration=reg, provinces=["Aceh"]).fit()
    rising = ActiveShareModel(stepped_panel(0.6), registration=reg, provinces=["Aceh"]).fit()
    # figures say no change of drift / +0.6 a year: the prior (+0.2) gives way to them
    assert flat.pooled["beta"][2] == pytest.approx(0.0, abs=0.05)
    assert rising.pooled["beta"][2] == pytest.approx(0.6, abs=0.05)
    assert flat.pooled["beta"][1] == pytest.approx(0.0, abs=0.05)


def test_share_of_population_is_the_share_of_participants_times_registration():
    reg = PathRegistration({p: (90.0, 0.0) for p in ["INDONESIA", "Aceh", "Bali", "Riau",
                                                      "Banten"]})  # fmt: skip
    res = ActiveShareModel(stepped_panel(0.0), registration=reg, provinces=["Aceh"]).fit()
    assert res.scale == "participants"
    d1, share = res.simulate_share("Aceh", "2027-12-31", n_paths=40, seed=1)
    d2, pop = res.simulate("Aceh", "2027-12-31", n_paths=40, seed=1)
    assert d1.equals(d2)
    np.testing.assert_allclose(pop, share * 0.9)
    # the figures are shares of participants near expit(1.5) = 81.8%; of population x 0.9
    now = res.predict("Aceh", ["2025-12-31"], levels=(80,), observation=False).iloc[0]
    assert now["mean"] == pytest.approx(0.9 * 100 / (1 + np.exp(-1.5)), abs=0.6)


def test_a_figure_far_from_the_others_weighs_less():
    shares = stepped_panel(0.0, "of_population")
    out = (shares["province"] == "Bali") & (shares["date"] == pd.Timestamp("2023-06-30"))
    shares.loc[out, "active_pct"] = 40.0  # 27 pp below Bali's other figures
    res = ActiveShareModel(shares, provinces=["Bali"]).fit()
    w = pd.Series(res.pooled["weights"], index=res.panel.index)
    bali = res.panel["province"] == "Bali"
    odd = bali & (res.panel["date"] == pd.Timestamp("2023-06-30"))
    assert w[odd].iloc[0] < 0.2
    assert w[~odd].min() > 0.6
    # the fitted share at that date stays near Bali's other figures (logit 0.7: 66.8%)
    at = res.predict("Bali", ["2023-06-30"], levels=(80,), observation=False).iloc[0]
    assert at["mean"] == pytest.approx(100 / (1 + np.exp(-0.7)), abs=3)


def test_a_places_only_figure_keeps_its_weight_and_its_level():
    # Papua's one figure, far above the others (logit 3: 95.3%): nothing of its own
    # to be far from, so it is not read as a stray figure
    shares = pd.concat(
        [stepped_panel(0.0, "of_population"),
         shares_frame([("Papua", "2025-06-30", 100 / (1 + np.exp(-3.0)), "of_population",
                        np.nan)])],
        ignore_index=True,
    )  # fmt: skip
    res = ActiveShareModel(shares, provinces=["Papua"]).fit()
    w = pd.Series(res.pooled["weights"], index=res.panel.index)
    assert w[res.panel["province"] == "Papua"].tolist() == [1.0]
    # its level is the figure's, shrunk by the figure's noise against the provinces'
    # spread only: the 80% interval at its date holds the figure
    at = res.predict("Papua", ["2025-06-30"], levels=(80,), observation=False).iloc[0]
    assert at["lower"] <= 100 / (1 + np.exp(-3.0)) <= at["upper"]


def test_a_status_report_is_a_censored_observation():
    from perjaka_analysis.active import status_reports

    status = pd.DataFrame(
        {"province": ["Papua"], "date": pd.to_datetime(["2025-06-30"]), "threshold_pct": [98.0],
         "above": [True], "active_above": [True]}
    )  # fmt: skip
    assert status_reports(status)["active_min_pct"].tolist() == [80.0]
    panel = stepped_panel(0.0, "of_population")  # about 73% active
    base = ActiveShareModel(panel, provinces=["Papua"]).fit()
    told = ActiveShareModel(panel, provinces=["Papua"], status=status).fit()
    assert told.place("Papua").basis == "pooled (no data) + UHC status (1 report)"
    before = base.predict("Papua", ["2025-06-30"], levels=(80,), observation=False).iloc[0]
    after = told.predict("Papua", ["2025-06-30"], levels=(80,), observation=False).iloc[0]
    assert before["lower"] < 80.0
    # at or above 80% on that date: the mean above the bound, the interval (a normal
    # matched to the truncated one) at about the bound and above, narrower
    assert after["mean"] > 80.0 > before["mean"]
    assert after["lower"] > 79.0 > before["lower"] + 5
    assert after["upper"] - after["lower"] < before["upper"] - before["lower"]
    # a report of a registration threshold alone says nothing of the active share
    old = status.assign(active_above=False)
    assert (
        ActiveShareModel(panel, provinces=["Papua"], status=old).fit().place("Papua").basis
        == "pooled (no data)"
    )


#: registration above the nation's (98%), pp, of the places with figures
REG_GAPS = {"INDONESIA": 0.0, "Aceh": 2.0, "Bali": -1.2, "Riau": 0.8, "Banten": -1.6}


def registering_panel(per_pp: float) -> pd.DataFrame:
    """Shares of participants with offsets of `per_pp` logit per pp of REG_GAPS."""
    rng = np.random.default_rng(0)
    rows = []
    for place, gap in REG_GAPS.items():
        for d in pd.date_range("2021-06-30", "2025-12-31", freq="6ME"):
            z = 1.0 + per_pp * gap + 0.03 * rng.standard_normal()
            rows.append((place, d.strftime("%Y-%m-%d"), 100 / (1 + np.exp(-z)), "of_participants",
                         np.nan))  # fmt: skip
    return shares_frame(rows)


def registration_with_gaps(scale: float) -> PathRegistration:
    """The nation at 98%, every province `scale` x its gap above it (Papua +2, Jambi -2)."""
    gaps = {**REG_GAPS, "Papua": 2.0, "Jambi": -2.0}
    return PathRegistration({p: (98.0 + scale * g, 0.0) for p, g in gaps.items()})


def test_provinces_that_register_more_are_more_active_when_the_figures_say_so():
    # offsets 0.25 logit per pp of registration above the nation's
    reg = registration_with_gaps(1.0)
    res = ActiveShareModel(
        registering_panel(0.25), registration=reg, provinces=["Papua", "Jambi", "INDONESIA"]
    ).fit()
    assert res.gaps["Papua"] == pytest.approx(2.0) and res.gaps["INDONESIA"] == 0.0
    # the covariate is in units of the spread of the provinces the trend describes
    spread = np.std([2.0, -1.2, 0.8, -1.6, 2.0, -2.0], ddof=1)
    assert res.gap_sd == pytest.approx(spread)
    assert res.pooled["beta"][3] / res.gap_sd == pytest.approx(0.25, abs=0.06)
    now = res.nowcast("2025-12-31").set_index("province")["mean"]
    # neither has a figure: Papua (registration 2 pp above) above Jambi (2 pp below)
    assert now["Papua"] > now["INDONESIA"] > now["Jambi"]


def test_the_registration_covariate_is_a_rank_among_the_provinces_not_pp():
    # every province twice as far from the nation, the same figures of participants: the same
    # rank among the provinces, so the same fit and the same shares of participants
    one, two = (
        ActiveShareModel(
            registering_panel(0.25), registration=registration_with_gaps(k), provinces=["Papua"]
        ).fit()
        for k in (1.0, 2.0)
    )
    assert two.gaps["Papua"] == pytest.approx(2 * one.gaps["Papua"])
    assert two.gap_sd == pytest.approx(2 * one.gap_sd)
    np.testing.assert_allclose(two.pooled["beta"], one.pooled["beta"], rtol=1e-6, atol=1e-9)
    _, a = one.simulate_share("Papua", "2026-12-31", n_paths=20, seed=3)
    _, b = two.simulate_share("Papua", "2026-12-31", n_paths=20, seed=3)
    np.testing.assert_allclose(a, b, rtol=1e-6)
