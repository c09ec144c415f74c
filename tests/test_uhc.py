"""UHC under today's definition: conditions from targets, joint probability on known paths."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import perjaka_analysis as pa
from perjaka_analysis import DataQualityWarning, PerjakaError
from perjaka_analysis.datasets import raw_path
from perjaka_analysis.forecast import PROB_BOUNDS_NO_FIGURE
from perjaka_analysis.provinces import NATIONAL
from perjaka_analysis.uhc import (
    TODAY,
    compute_uhc_status,
    couple_paths,
    draw_joint_paths,
    joint_uhc_probability,
    simulate_measures,
    uhc_conditions,
)


# -- conditions from targets.csv -------------------------------------------------------------
def test_conditions_pair_thresholds_by_name_or_legal_basis():
    targets = pd.DataFrame(
        {
            "scope": ["INDONESIA"] * 6 + ["Jambi"],
            "target_name": ["Award A", "Award A", "Plan reg", "Plan act", "Lonely", "Award A", "X"],
            "metric": [
                "coverage_pct_min",
                "active_pct_min",
                "coverage_pct_min",
                "active_pct_min",
                "active_pct_min",
                "coverage_pct",
                "active_pct_min",
            ],
            "target_value": [97.0, 70.0, 98.5, 81.0, 85.0, 99.0, 75.0],
            "target_year_or_date": ["2026", "2026", "2025-2029", "2025-2029", None, "2026", None],
            "legal_basis": ["Award rules", "Award rules", "Plan", "Plan", "quoted", "x", "y"],
            "source_url": ["u1", "u1", "u2", "u2", "u3", "u4", "u5"],
        }
    )
    got = uhc_conditions(targets)[["condition", "registered_pct", "active_pct"]]
    expected = pd.DataFrame(
        {
            "condition": ["Award A", "Plan"],
            "registered_pct": [97.0, 98.5],
            "active_pct": [70.0, 81.0],
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_shipped_targets_give_todays_definition_and_the_award_levels():
    """The pairs of the shipped targets are the thresholds the file states (read here)."""
    raw = pd.read_csv(raw_path("targets.csv"))
    raw = raw[raw["scope"] == NATIONAL]
    pairs = {
        r.condition: (r.registered_pct, r.active_pct)
        for r in uhc_conditions(pa.load_targets()).itertuples()
    }

    def stated(rows: pd.DataFrame, metric: str) -> float:
        return float(rows.loc[rows["metric"] == metric, "target_value"].item())

    # today's definition and every award level: both thresholds under one name
    named = [n for n in raw["target_name"].unique() if n == TODAY or "Awards" in n]
    assert TODAY in named and len(named) >= 2
    for name in named:
        rows = raw[raw["target_name"] == name]
        both = (stated(rows, "coverage_pct_min"), stated(rows, "active_pct_min"))
        assert pairs[name] == both, name
    # the plan states its two thresholds as separately named targets: paired by basis;
    # an active threshold without a registered one beside it is no condition
    active = raw[(raw["metric"] == "active_pct_min") & ~raw["target_name"].isin(named)]
    paired = 0
    for row in active.itertuples():
        same = raw[(raw["legal_basis"] == row.legal_basis)
                   & (raw["target_year_or_date"] == row.target_year_or_date)]  # fmt: skip
        if (same["metric"] == "coverage_pct_min").sum() == 1:
            assert pairs[row.legal_basis] == (stated(same, "coverage_pct_min"), row.target_value)
            paired += 1
        else:
            assert row.legal_basis not in pairs and row.target_name not in pairs
    assert paired >= 1
    assert len(pairs) == len(named) + paired


# -- the joint probability on paths ----------------------------------------------------------
DATES = pd.to_datetime(["2025-01-01", "2026-01-01", "2027-01-01", "2028-01-01"])


def test_joint_probability_by_hand():
    reg = np.array(
        [
            [97, 98, 99, 99],  # registration met in 2026, active in 2027: both 2027, active binds
            [99, 99, 99, 99],  # registration met at once, active never: active binds
            [95, 96, 97, 98],  # active met at once, registration only in 2028: registration binds
            [98, 97, 98, 98],  # both met at once, registration dips in 2026
        ],
        dtype=float,
    )
    act = np.array(
        [
            [70, 75, 80, 82],
            [60, 61, 62, 63],
            [85, 85, 85, 85],
            [81, 81, 81, 81],
        ],
        dtype=float,
    )
    s = joint_uhc_probability(
        DATES, reg, act, registered_pct=98, active_pct=80, deadline="2027-06-30"
    )
    assert s.prob_now == 0.25  # path 4
    assert s.prob_by_deadline == 0.5  # paths 1 (2027) and 4 (2025)
    assert s.prob_at_deadline == 0.5  # on 2027-01-01: paths 1 and 4
    assert s.prob_registered == 0.75  # paths 1, 2, 4
    assert s.prob_active == 0.75  # paths 1, 3, 4
    assert s.prob_if_independent == pytest.approx(0.5625)
    # first joint dates sorted: 2025, 2027, 2028, never; lower quantiles at
    # positions 0.5 * 3 -> 1, 0.1 * 3 -> 0, 0.9 * 3 -> 2
    assert s.expected_date == pd.Timestamp("2027-01-01")
    assert s.date_lower_80 == pd.Timestamp("2025-01-01")
    assert s.date_upper_80 == pd.Timestamp("2028-01-01")
    assert s.share_active_binds == 0.5 and s.share_registration_binds == 0.25
    assert s.binding == "active"


def shared_shock_paths(n: int, weight: float, seed: int = 0):
    """Both measures rise linearly; each path is shifted by a*shock + b*own noise.

    registration = 97 + 0.5 * t + 1.0 * x_r, active = 77 + 1.0 * t + 3.0 * x_a, with
    (x_r, x_a) standard normal of correlation ``weight``. Both rise, so each is met by the
    deadline (t = 2 years) iff its value at the deadline is above the threshold.
    """
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal([0, 0], [[1, weight], [weight, 1]], size=n)
    t = np.arange(0, 37) / 12
    reg = 97 + 0.5 * t[None, :] + 1.0 * x[:, [0]]
    act = 77 + 1.0 * t[None, :] + 3.0 * x[:, [1]]
    dates = pd.date_range("2025-01-01", periods=37, freq="MS")
    return dates, reg, act


@pytest.mark.parametrize("weight", [0.9, -0.6])
def test_joint_probability_matches_the_known_dependence_not_the_product(weight):
    dates, reg, act = shared_shock_paths(40_000, weight)
    s = joint_uhc_probability(
        dates, reg, act, registered_pct=98, active_pct=80, deadline="2027-01-01"
    )
    # at the deadline (t = 2): need x_r >= 0 and x_a >= 1/3
    c_r, c_a = 0.0, 1 / 3
    truth = stats.multivariate_normal(mean=[0, 0], cov=[[1, weight], [weight, 1]]).cdf([-c_r, -c_a])
    product = (1 - stats.norm.cdf(c_r)) * (1 - stats.norm.cdf(c_a))
    assert s.prob_by_deadline == pytest.approx(truth, abs=0.01)
    assert abs(truth - product) > 0.05  # the product of marginals would be wrong here
    assert s.prob_if_independent == pytest.approx(product, abs=0.01)


def test_comonotone_pairing_gives_the_smaller_marginal_and_keeps_the_marginals():
    rng = np.random.default_rng(1)
    n = 4000
    reg = 97.5 + rng.standard_normal((n, 1)) + np.zeros((1, 12))
    act = 79 + 2 * rng.standard_normal((n, 1)) + np.zeros((1, 12))
    dates = pd.date_range("2025-01-01", periods=12, freq="MS")
    kw = {"registered_pct": 98, "active_pct": 80, "deadline": "2025-12-01"}
    r1, a1 = couple_paths(reg, act, rho=1.0, rng=np.random.default_rng(0))
    r0, a0 = couple_paths(reg, act, rho=0.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(r1[:, -1]), np.sort(reg[:, -1]))
    both = joint_uhc_probability(dates, r1, a1, **kw)
    assert both.prob_by_deadline == pytest.approx(min(both.prob_registered, both.prob_active))
    indep = joint_uhc_probability(dates, r0, a0, **kw)
    assert indep.prob_by_deadline == pytest.approx(indep.prob_if_independent, abs=0.03)


def test_coupling_caps_active_at_registration():
    reg = np.array([[90.0, 91.0], [99.0, 99.0]])
    act = np.array([[95.0, 95.0], [80.0, 81.0]])
    r, a = couple_paths(reg, act, rho=1.0, rng=np.random.default_rng(0))
    assert (a <= r).all()
    np.testing.assert_array_equal(a, [[80.0, 81.0], [95.0, 95.0]])


def test_a_share_of_participants_is_paired_but_not_capped():
    reg = np.array([[90.0], [99.0]])
    share = np.array([[95.0], [92.0]])  # of registered participants: may exceed registration
    r, a = couple_paths(reg, share, rho=1.0, rng=np.random.default_rng(0), cap=False)
    np.testing.assert_array_equal(r, [[90.0], [99.0]])
    np.testing.assert_array_equal(a, [[92.0], [95.0]])
    _, capped = couple_paths(reg, share, rho=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(capped, [[90.0], [95.0]])


class _Paths:
    """Fixed simulated paths standing in for fitted results (two monthly dates)."""

    scale = "participants"

    def __init__(self, paths):
        self.paths = np.asarray(paths, dtype=float)

    def simulate(self, province, until, *, n_paths, seed, freq):
        return pd.DatetimeIndex(["2025-12-01", "2026-01-01"]), self.paths

    simulate_share = simulate


def test_joint_paths_pair_the_paying_share_with_registration():
    # registration 97 or 99; share of participants paying 78 or 84: comonotone pairing puts
    # the high share on the high registration (99 x 84% = 83.16% of population)
    registration = _Paths([[99.0, 99.0], [97.0, 97.0]])
    active = _Paths([[84.0, 84.0], [78.0, 78.0]])
    kw = {"until": "2026-01-01", "n_paths": 2, "seed": 0}
    _, reg, act = draw_joint_paths(registration, active, "X", rho=1.0, **kw)
    np.testing.assert_allclose(reg[:, -1], [97.0, 99.0])
    np.testing.assert_allclose(act[:, -1], [97 * 0.78, 99 * 0.84])
    _, reg, act = draw_joint_paths(registration, active, "X", rho=-1.0, **kw)
    np.testing.assert_allclose(act[:, -1], [97 * 0.84, 99 * 0.78])


def test_paths_are_paired_on_the_date_asked_about():
    # two registration paths whose ranks swap between December and January
    registration = _Paths([[99.0, 97.0], [97.0, 99.0]])
    active = _Paths([[84.0, 84.0], [78.0, 78.0]])
    paths = simulate_measures(registration, active, "X", until="2026-01-01", n_paths=2, seed=0)
    _, reg, act = paths.paired("2025-12-15", rho=1.0)  # December's values ranked
    assert reg[np.argmax(act[:, 0]), 0] == 99.0
    _, reg, act = paths.paired("2026-01-01", rho=1.0)  # January's
    assert reg[np.argmax(act[:, 1]), 1] == 99.0


@settings(max_examples=25, deadline=None)
@given(rho=st.floats(-1, 1), seed=st.integers(0, 1000))
def test_joint_never_exceeds_either_marginal(rho, seed):
    rng = np.random.default_rng(seed)
    reg = 97 + np.cumsum(rng.normal(0.1, 0.5, (200, 24)), axis=1)
    act = 78 + np.cumsum(rng.normal(0.1, 1.0, (200, 24)), axis=1)
    r, a = couple_paths(reg, act, rho=rho, rng=rng)
    dates = pd.date_range("2025-01-01", periods=24, freq="MS")
    s = joint_uhc_probability(dates, r, a, registered_pct=98, active_pct=80, deadline="2026-06-30")
    assert s.prob_by_deadline <= min(s.prob_registered, s.prob_active) + 1e-12
    assert s.prob_at_deadline <= s.prob_by_deadline + 1e-12


def test_bad_paths_are_errors():
    with pytest.raises(PerjakaError, match="same shape"):
        joint_uhc_probability(
            DATES,
            np.zeros((3, 4)),
            np.zeros((3, 3)),
            registered_pct=98,
            active_pct=80,
            deadline="2027-01-01",
        )
    with pytest.raises(PerjakaError, match="before the first path date"):
        joint_uhc_probability(
            DATES,
            np.zeros((3, 4)),
            np.zeros((3, 4)),
            registered_pct=98,
            active_pct=80,
            deadline="2020-01-01",
        )
    with pytest.raises(PerjakaError, match="rho"):
        couple_paths(np.zeros((2, 2)), np.zeros((2, 2)), rho=1.5, rng=np.random.default_rng(0))


# -- the wrapper on the shipped data ---------------------------------------------------------
@pytest.fixture(scope="module")
def fitted():
    """Both models on the shipped data, and three places: the nation, a province with
    figures of both measures and one with a figure of neither (found, not named)."""
    from perjaka_analysis.active import ActiveShareModel, load_active_shares
    from perjaka_analysis.trend import CoverageTrendModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        registration = CoverageTrendModel(pa.load_coverage()).fit()
        shares = load_active_shares()
    active = ActiveShareModel(shares, registration=registration).fit()

    def figures(name: str) -> tuple[bool, bool]:
        place = active.place(name)
        return registration.trend(place.province).basis == "own data", place.n_points > 0

    own = next(p for p in active.places if p != NATIONAL and figures(p) == (True, True))
    bare = next(p for p in active.places if figures(p) == (False, False))
    return registration, active, [NATIONAL, own, bare]


def test_a_place_without_figures_of_its_own_is_never_certain(fitted):
    registration, active, (_, own, bare) = fitted
    # a condition every path meets: certain where the figures are the place's own
    trivial = pd.DataFrame({"condition": ["any"], "registered_pct": [0.0], "active_pct": [0.0]})
    table = compute_uhc_status(
        registration, active, conditions=trivial, provinces=[own, bare], n_paths=200
    )
    table = table.set_index("province")
    keys = ["prob_now", "prob_by_deadline", "prob_at_deadline"]
    assert (table.loc[own, keys] == 1.0).all()
    assert (table.loc[bare, keys] == PROB_BOUNDS_NO_FIGURE[1]).all()  # no figure of either


def test_uhc_status_per_place_and_condition(fitted):
    registration, active, places = fitted
    conditions = uhc_conditions(pa.load_targets())
    kw = {"conditions": conditions, "deadline": "2029-12-31", "provinces": places, "n_paths": 300}
    table = compute_uhc_status(registration, active, **kw)
    assert len(table) == 3 * len(conditions)
    assert table["prob_by_deadline"].between(0, 1).all()
    assert (
        table["prob_by_deadline"] <= table[["prob_registered", "prob_active"]].min(axis=1) + 1e-12
    ).all()
    bare = table[(table["province"] == places[2]) & (table["condition"] == TODAY)].iloc[0]
    assert bare["active_basis"] == "pooled (no data)"
    # a harder condition (both thresholds at least as high) is never more likely
    nat = table[table["province"] == NATIONAL].set_index("condition")
    harder = [
        (a, b)
        for a in nat.index
        for b in nat.index
        if a != b
        and nat.loc[a, "registered_pct"] >= nat.loc[b, "registered_pct"]
        and nat.loc[a, "active_pct"] >= nat.loc[b, "active_pct"]
    ]
    assert harder
    for a, b in harder:
        assert nat.loc[a, "prob_by_deadline"] <= nat.loc[b, "prob_by_deadline"], (a, b)
    again = compute_uhc_status(registration, active, **kw)
    pd.testing.assert_frame_equal(table, again)
