"""The saturation model on synthetic panels with a known plateau, and on the shipped data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.structural import UnobservedComponents

import perjaka_analysis as pa
import perjaka_analysis.saturation as saturation
from perjaka_analysis.forecast import (
    STATUS_ABOVE_MODELLED,
    STATUS_EXPECTED,
    compute_targets,
    scenario_targets,
)
from perjaka_analysis.provinces import NATIONAL
from perjaka_analysis.saturation import kalman_2state, make_events
from perjaka_analysis.trend import CoverageTrendModel, FitCache, to_years

PLATEAUS = {"Aceh": 99.0, "Bali": 96.0, "Banten": 94.0, "Jambi": 97.5, "Riau": 95.0}
NATIONAL_LEVEL = 97.0


def plateau_panel(seed: int = 0) -> pd.DataFrame:
    """National figures flat at 97%, provinces flat at their plateau, Maluku falling."""
    rng = np.random.default_rng(seed)
    rows = []
    for date in pd.date_range("2018-06-30", "2024-06-30", freq="6ME"):
        rows.append((NATIONAL, date, NATIONAL_LEVEL + 0.2 * rng.standard_normal()))
    for i, (province, level) in enumerate(PLATEAUS.items()):
        for date in pd.date_range(f"2018-0{i + 2}-15", "2024-09-30", freq="9ME"):
            rows.append((province, date, level + 1.0 * rng.standard_normal()))
    for date, value in (("2019-03-31", 96.0), ("2021-03-31", 96.2), ("2023-03-31", 95.8)):
        rows.append(("Maluku", pd.Timestamp(date), value))
    rows += [
        ("Maluku", pd.Timestamp("2024-03-31"), 94.0),
        ("Maluku", pd.Timestamp("2024-09-30"), 92.5),
    ]
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    return frame.assign(
        district=pd.NA, measure="registered", territory=frame["province"], source_url=pd.NA
    )


def fit_without_targets(panel: pd.DataFrame):
    """The saturation fit of ``panel`` with no national target in force (no pull)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(saturation, "NATIONAL_TARGETS", ())
        return CoverageTrendModel(panel, method="saturation").fit()


@pytest.fixture(scope="module")
def plateau_fit():
    # the reversion, offsets and intervals alone; the pull of targets is tested below
    return fit_without_targets(plateau_panel())


@pytest.fixture(scope="module")
def shipped_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coverage = pa.load_coverage()
    return CoverageTrendModel(
        coverage, method="saturation", status=pa.datasets.load_uhc_status()
    ).fit()


def test_filter_matches_statsmodels_on_an_ar1_plus_noise():
    # an OU level seen yearly is an AR(1) with phi = exp(-kappa); noise r
    rng = np.random.default_rng(1)
    y = rng.normal(0, 1, 12).cumsum() * 0.5
    kappa, s2, r = 0.5, 2.0, 0.7
    phi = np.exp(-kappa)
    params = np.array([r, s2 * (1 - phi**2) / (2 * kappa), phi])
    model = UnobservedComponents(y, irregular=True, autoregressive=1)
    smoothed = model.smooth(params)
    t = np.arange(12.0)
    ev = make_events(t, y, np.full(12, r), t_query=t)
    ours = kalman_2state(ev, kappa, s2, (0.0, 0.0), (s2 / (2 * kappa), 0.0, 1e-12))
    assert ours["loglik"] == pytest.approx(model.loglike(params), abs=1e-8)
    q = ev.kind == 2
    np.testing.assert_allclose(ours["mean"][q], smoothed.smoothed_state[0], atol=1e-8)
    np.testing.assert_allclose(ours["var"][q], smoothed.smoothed_state_cov[0, 0], atol=1e-8)


def test_the_national_plateau_is_recovered(plateau_fit):
    assert plateau_fit.converged
    # the prior of the long-run level (99 +- 1) lifts a plateau at 97 by well under a point
    assert plateau_fit.pooled["long_run_level_pct"] == pytest.approx(NATIONAL_LEVEL, abs=0.75)
    far = plateau_fit.predict(NATIONAL, ["2034-12-31"], levels=(80,))
    assert far["mean"].iloc[0] == pytest.approx(NATIONAL_LEVEL, abs=0.75)


def test_a_province_forecast_stays_near_its_plateau(plateau_fit):
    # offsets revert to the nation slowly (a half-life of years): two years on a
    # province is still near its own plateau
    fc = plateau_fit.forecast("2026-12-31", levels=(80,))
    for province, level in PLATEAUS.items():
        means = fc.loc[fc["province"] == province, "mean"]
        assert means.between(level - 2.0, level + 2.0).all(), (province, means.round(2).tolist())


def test_intervals_widen_with_the_horizon_on_the_model_scale_and_stay_below_the_ceiling(
    plateau_fit,
):
    from perjaka_analysis.saturation import CEILING, to_scale

    fc = plateau_fit.forecast("2030-12-31", levels=(80, 95))
    assert (fc["upper"] < CEILING).all()
    dates = pd.date_range("2025-03-31", "2030-12-31", freq="QE")
    for province in [*PLATEAUS, "Maluku", "Papua", NATIONAL]:
        p = plateau_fit.predict(province, dates, levels=(80,), observation=False)
        width = to_scale(p["upper"].to_numpy()) - to_scale(p["lower"].to_numpy())
        assert width[-1] > width[0], province


def test_a_falling_figure_is_not_forecast_above_its_plateau(plateau_fit):
    # the latest figures (94.0, 92.5) hold the forecast below the earlier plateau for
    # the next two years; later it reverts slowly towards the nation
    fc = plateau_fit.forecast("2026-12-31", levels=(80,))
    maluku = fc.loc[fc["province"] == "Maluku", "mean"]
    assert (maluku <= 96.0).all(), maluku.round(2).tolist()


def test_forecasts_start_at_the_latest_figures(plateau_fit):
    aceh = plateau_fit.trend("Aceh")
    now = plateau_fit.predict("Aceh", [aceh.last_date], levels=(80,), observation=False)
    # the latent level at the last figure sits between the plateau and that figure
    lo, hi = sorted([aceh.last_pct, PLATEAUS["Aceh"]])
    assert lo - 0.5 <= now["mean"].iloc[0] <= hi + 0.5


def test_identical_input_gives_identical_output():
    a = CoverageTrendModel(plateau_panel(seed=4), method="saturation").fit()
    b = CoverageTrendModel(plateau_panel(seed=4), method="saturation").fit()
    pd.testing.assert_frame_equal(a.forecast("2028-12-31"), b.forecast("2028-12-31"))
    kw = {"deadline": "2029-12-31", "n_paths": 200, "seed": 3, "provinces": ["Maluku", "Papua"]}
    ta = compute_targets(a, **kw)
    tb = compute_targets(b, **kw)
    pd.testing.assert_frame_equal(ta, tb)


def test_nowcast_has_the_forecast_columns_and_contains_its_mean(plateau_fit):
    now = plateau_fit.nowcast("2024-12-31", provinces=["Aceh", "Papua", NATIONAL])
    assert list(now.columns[:6]) == ["province", "date", "mean", "lower", "upper", "level"]
    assert (now["level"] == 80).all()
    assert ((now["lower"] < now["mean"]) & (now["mean"] < now["upper"])).all()
    assert pd.isna(now.set_index("province").loc["Papua", "last_date"])


def test_shipped_provinces_agree_with_the_nation_and_the_nation_stays_at_most_100(shipped_fit):
    fc = shipped_fit.forecast("2030-12-31", levels=(80,))
    pop = pa.load_provinces().set_index("province")["population"]
    prov = fc[fc["province"] != NATIONAL].assign(w=lambda d: d["province"].map(pop))
    prov = prov.dropna(subset=["w"])
    weighted = prov.groupby("date").apply(
        lambda d: float(np.average(d["mean"], weights=d["w"])), include_groups=False
    )
    nat = fc[fc["province"] == NATIONAL].set_index("date")["mean"]
    common = weighted.index.intersection(nat.index)
    assert len(common) >= 20
    assert (weighted[common] - nat[common]).abs().max() <= 0.3
    assert (nat <= 100.0).all()


def test_a_place_without_figures_is_never_certain(shipped_fit):
    t = compute_targets(shipped_fit, deadline="2029-12-31", n_paths=300)
    none = t[t["last_pct"].isna()]
    assert not none.empty
    assert (none["prob_by_deadline"] < 0.99).all()
    zero = none["date_lower_80"].notna() & (none["date_lower_80"] == none["date_upper_80"])
    assert not zero.any()
    # no place is "expected" at or before the end of the data
    exp = t[t["status"] == STATUS_EXPECTED]
    assert (exp["expected_date"] > shipped_fit.data_end).all()


def test_a_crossing_before_the_data_end_is_already_above_modelled(plateau_fit):
    # a target well below the estimate of a place: at least 95% of the paths are above
    t = compute_targets(
        plateau_fit, targets=(85.0,), deadline="2029-12-31", provinces=["Papua"], n_paths=300
    )
    assert t.loc[0, "status"] == STATUS_ABOVE_MODELLED
    assert pd.isna(t.loc[0, "expected_date"])


def test_scenario_targets_share_the_crossing_definition(plateau_fit):
    t = compute_targets(
        plateau_fit, targets=(98.0,), deadline="2029-12-31", provinces=["Bali"], n_paths=300
    )
    s = scenario_targets(
        plateau_fit,
        "Bali",
        added_pp=0.0,
        start="2025-01-01",
        targets=(98.0,),
        deadline="2029-12-31",
        n_paths=300,
    )
    assert s.loc[0, "baseline_status"] == t.loc[0, "status"]
    assert s.loc[0, "baseline_prob"] == t.loc[0, "prob_by_deadline"]
    a, b = s.loc[0, "baseline_date"], t.loc[0, "expected_date"]
    assert (pd.isna(a) and pd.isna(b)) or a == b


def test_offset_filter_matches_exact_gaussian_conditioning():
    # offsets u + delta + beta * s(t): joint normal, conditioned by hand
    from scipy import stats

    from perjaka_analysis.saturation import kalman_offset

    rng = np.random.default_rng(3)
    t_obs = np.array([0.0, 0.7, 1.5, 3.0, 3.2])
    t_q = np.array([-1.0, 0.7, 2.0, 5.0])  # before, at, between and after the figures
    kappa, s2, r = 0.6, 3.0, 0.8
    m0 = np.array([0.0, 1.5, 0.1])
    p0 = np.diag([s2 / (2 * kappa), 4.0, 0.09])
    y = rng.normal(0.0, 2.0, len(t_obs))
    ev = make_events(t_obs, y, np.full(len(t_obs), r), t_query=t_q)
    shortfall = lambda t: 20.0 * np.exp(-0.4 * np.asarray(t))  # noqa: E731
    res = kalman_offset(ev, shortfall(ev.t), kappa, s2, m0, p0)

    def cov(a, b):
        return (
            p0[0, 0] * np.exp(-kappa * np.abs(a[:, None] - b[None, :]))
            + p0[1, 1]
            + p0[2, 2] * np.outer(shortfall(a), shortfall(b))
        )

    mean = lambda t: m0[1] + m0[2] * shortfall(t)  # noqa: E731
    c_oo = cov(t_obs, t_obs) + r * np.eye(len(t_obs))
    c_qo = cov(t_q, t_obs)
    w = np.linalg.solve(c_oo, y - mean(t_obs))
    exact_mean = mean(t_q) + c_qo @ w
    exact_var = np.diag(cov(t_q, t_q) - c_qo @ np.linalg.solve(c_oo, c_qo.T))
    q = ev.kind == 2
    np.testing.assert_allclose(res["mean"][q], exact_mean, atol=1e-7)
    np.testing.assert_allclose(res["var"][q], exact_var, atol=1e-7)
    loglik = stats.multivariate_normal(mean(t_obs), c_oo).logpdf(y)
    assert res["loglik"] == pytest.approx(loglik, abs=1e-8)


def test_vectorised_offset_likelihood_is_the_sum_of_the_filters():
    from perjaka_analysis.saturation_filter import kalman_offset, kalman_offset_many, pad_series

    rng = np.random.default_rng(4)
    kappa, s2, sigma2, tau2, dbar, omega2 = 0.5, 2.0, 1.0, 9.0, 0.5, 0.04
    series, total = [], 0.0
    for n in (3, 5, 1):
        t = np.sort(rng.uniform(0, 6, n))
        y, v, s = rng.normal(0, 3, n), rng.uniform(0, 0.5, n), rng.uniform(0, 20, n)
        series.append((t, y, v, s))
        ev = make_events(t, y, sigma2 + v)
        p0 = np.diag([s2 / (2 * kappa), tau2, omega2])
        total += kalman_offset(ev, s, kappa, s2, np.array([0.0, dbar, 0.0]), p0)["loglik"]
    ours = kalman_offset_many(pad_series(series), kappa, s2, sigma2, tau2, dbar, omega2)
    assert ours == pytest.approx(total, rel=1e-7)


def test_laggards_catch_up_as_the_nation_saturates():
    # a province 15 pp behind a nation 25 pp short, 3 pp behind once it is 5 pp short:
    # its forecast gap keeps closing with the nation's
    rows = []
    for year, nat, prov in ((2016, 74.0, 59.0), (2018, 82.0, 70.0), (2020, 88.0, 80.0)):
        rows.append((NATIONAL, pd.Timestamp(f"{year}-06-30"), nat))
        rows.append(("Maluku", pd.Timestamp(f"{year}-06-30"), prov))
    for year, nat in ((2021, 91.0), (2022, 93.0), (2023, 94.5)):
        rows.append((NATIONAL, pd.Timestamp(f"{year}-06-30"), nat))
    for province, base in (("Aceh", 6.0), ("Bali", -4.0), ("Riau", 2.0), ("Jambi", -8.0)):
        for year, nat in ((2016, 74.0), (2019, 85.0), (2023, 94.5)):
            gap = base * (99.0 - nat) / 25.0
            rows.append((province, pd.Timestamp(f"{year}-03-31"), nat + gap))
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    frame = frame.assign(
        district=pd.NA, measure="registered", territory=frame["province"], source_url=pd.NA
    )
    res = CoverageTrendModel(frame, method="saturation").fit()
    dates = pd.DatetimeIndex(["2020-06-30", "2026-06-30"])
    nat = res.predict(NATIONAL, dates, levels=(80,))["mean"].to_numpy()
    lag = res.predict("Maluku", dates, levels=(80,))["mean"].to_numpy()
    assert nat[1] - lag[1] < nat[0] - lag[0] - 2.0


def test_a_repeated_saturation_fit_is_an_independent_equal_copy(monkeypatch):
    import perjaka_analysis.saturation as sat
    import perjaka_analysis.trend_saturation as trend_saturation

    fits = []
    real = sat.fit_saturation
    # patched where the trend model calls it
    monkeypatch.setattr(
        trend_saturation, "fit_saturation", lambda *a, **k: fits.append(1) or real(*a, **k)
    )
    cache = FitCache()
    first = CoverageTrendModel(plateau_panel(), method="saturation", cache=cache).fit()
    second = CoverageTrendModel(plateau_panel(), method="saturation", cache=cache).fit()
    assert len(fits) == 1  # the second fit is answered from the shared cache
    assert first.pooled == second.pooled
    first.saturation.model.level = 0.0  # changing one result leaves the other alone
    assert second.saturation.model.level_pct == second.pooled["long_run_level_pct"]
    CoverageTrendModel(plateau_panel(seed=1), method="saturation", cache=cache).fit()
    assert len(fits) == 2  # other figures are another fit
    CoverageTrendModel(plateau_panel(), method="saturation").fit()
    assert len(fits) == 3  # a model with a cache of its own fits anew


def test_laplace_covariance_is_the_inverse_hessian_and_zero_at_a_bound():
    from perjaka_analysis.saturation import laplace_cov

    a = np.array([[4.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]])

    def quadratic(x):
        return 0.5 * x @ a @ x

    steps = (1e-3, 1e-3, 1e-3)
    wide = [(-100.0, 100.0)] * 3  # bounds far away: the inverse Hessian itself
    np.testing.assert_allclose(laplace_cov(quadratic, np.zeros(3), wide, steps),
                               np.linalg.inv(a), rtol=1e-3, atol=1e-6)  # fmt: skip
    # the third parameter held at its lower bound: no curvature read for it
    held = laplace_cov(quadratic, np.zeros(3), [*wide[:2], (0.0, 100.0)], steps)
    np.testing.assert_allclose(held[:2, :2], np.linalg.inv(a[:2, :2]), rtol=1e-3)
    assert not held[2].any() and not held[:, 2].any()
    # a posterior that is not finite around its minimum gives no reading, not NaN
    ragged = laplace_cov(lambda x: np.nan if x[0] > 0 else quadratic(x), np.zeros(3),
                          wide, steps)  # fmt: skip
    assert not ragged.any()


@pytest.mark.parametrize("curvature", [0.0, 1e-8, -0.5])
def test_a_flat_or_negative_direction_gets_the_variance_of_its_bounds_not_more(curvature):
    from perjaka_analysis.saturation import laplace_cov

    def posterior(x):  # the first parameter well determined, the second not
        return 0.5 * (25.0 * x[0] ** 2 + curvature * x[1] ** 2)

    cov = laplace_cov(posterior, np.zeros(2), [(-1.0, 1.0), (-3.0, 3.0)], (1e-3, 1e-3))
    assert np.all(np.isfinite(cov))
    assert cov[1, 1] == pytest.approx(36.0 / 12.0, rel=1e-3)  # uniform over (-3, 3)
    assert cov[0, 0] == pytest.approx(1.0 / (25.0 + 3.0), rel=1e-3)  # data + bounds


def growth_panel() -> pd.DataFrame:
    """A nation approaching its level from 70% with few figures, and two provinces."""
    rows = [
        (NATIONAL, pd.Timestamp(f"{y}-12-31"), v)
        for y, v in [(2015, 70.1), (2016, 75.2), (2018, 82.3), (2019, 85.9), (2021, 89.4)]
    ]
    rows += [("Aceh", pd.Timestamp(f"{y}-06-30"), v) for y, v in [(2016, 80.0), (2020, 92.0)]]
    rows += [("Bali", pd.Timestamp(f"{y}-06-30"), v) for y, v in [(2017, 74.0), (2020, 85.0)]]
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    return frame.assign(
        district=pd.NA, measure="registered", territory=frame["province"], source_url=pd.NA
    )


def test_parameter_uncertainty_widens_the_nation_as_monte_carlo_over_the_parameters_does():
    model = fit_without_targets(growth_panel()).saturation.model
    assert np.diag(model.param_cov)[:2].min() > 0  # level and rate are uncertain
    t = model.national_t.max() + np.array([0.5, 2.0, 4.0, 9.0])  # years after the last figure
    delta = model.national_param_var(t)
    # the parameters' uncertainty matters more the further from the figures (in pp^2:
    # the model scale -log(ceiling - y) times (ceiling - y)^2)
    delta_pp = delta * np.exp(-2 * model.national(t)[0])
    assert np.all(np.diff(delta) > 0) and delta_pp[-1] > 0.3
    theta = np.array(
        [model.level, np.log(model.kappa), np.log(model.s2), np.log(model.sigma2_nat), model.rho]
    )
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(theta, 0.05 * model.param_cov, size=400, method="eigh")
    means = np.array([model.national_mean_under(d, t) for d in draws])
    # small perturbations: the linearisation is exact to first order
    np.testing.assert_allclose(means.var(axis=0), 0.05 * delta, rtol=0.2)


def test_simulated_national_paths_carry_the_parameter_uncertainty_of_the_intervals():
    res = fit_without_targets(growth_panel())
    dates, paths = res.simulate(NATIONAL, "2030-12-31", n_paths=4000, seed=1, freq="YS")
    pred = res.predict(NATIONAL, dates[-1:], levels=(80,), observation=False)
    # on the model scale the paths are normal: their spread and median are the intervals'
    from perjaka_analysis.saturation import to_scale

    z = to_scale(paths[:, -1])
    sd = (to_scale(pred["upper"].iloc[0]) - to_scale(pred["lower"].iloc[0])) / (2 * 1.2816)
    assert z.var() == pytest.approx(sd**2, rel=0.1)
    assert abs(np.median(paths[:, -1]) - pred["mean"].iloc[0]) < 0.2
    model = res.saturation.model
    t = np.array([model.national_t.max() + 9.0])
    assert model.national_param_var(t)[0] > 0.05 * sd**2  # a material share of the spread


def test_a_province_with_figures_is_held_by_them_a_place_without_moves_with_the_nation():
    res = CoverageTrendModel(
        growth_panel(), method="saturation", provinces=["Aceh", "Bali", "Jambi", NATIONAL]
    ).fit()
    model = res.saturation.model
    aceh, jambi, nation = (res.trend(p) for p in ("Aceh", "Jambi", NATIONAL))
    t_last = to_years([aceh.last_date])
    later = t_last + np.array([0.0, 2.0, 8.0])
    # at its latest figure the national parameters do not move Aceh; later they do
    moved = res.saturation.param_jacobian(aceh, later)
    assert np.abs(moved[0]).max() < 1e-9 and np.abs(moved[-1]).max() > 0.1
    # Jambi has no figure: it moves as the nation does
    np.testing.assert_allclose(
        res.saturation.param_jacobian(jambi, later), res.saturation.param_jacobian(nation, later)
    )
    # the intervals agree: Aceh's variance at its figure date is that without parameter
    # uncertainty, and larger eight years on
    with_params = res.predict("Aceh", [aceh.last_date + pd.DateOffset(years=8)], levels=(80,))
    at_figure = res.predict("Aceh", [aceh.last_date], levels=(80,))
    cov = model.param_cov.copy()
    try:
        model.param_cov = np.zeros_like(cov)
        without = res.predict("Aceh", [aceh.last_date + pd.DateOffset(years=8)], levels=(80,))
        at_figure_without = res.predict("Aceh", [aceh.last_date], levels=(80,))
    finally:
        model.param_cov = cov
    width = {k: float(p["upper"].iloc[0] - p["lower"].iloc[0]) for k, p in
             (("with", with_params), ("without", without), ("fig", at_figure),
              ("fig0", at_figure_without))}  # fmt: skip
    assert width["fig"] == pytest.approx(width["fig0"], rel=1e-9)
    assert width["with"] > width["without"]


def test_two_national_figures_either_side_of_a_level_meet_at_it_on_the_ceiling_scale():
    """In percent, 97 and 99 on one date with equal noise put the level near 98: the
    filter linearises at the level, not at each figure (which would trust the lower
    figure about three times as much on the model scale and give 97.64)."""
    from perjaka_analysis.saturation import CEILING, from_scale, to_scale

    ev = make_events(np.array([0.0, 0.0]), np.array([97.0, 99.0]), np.array([1.0, 1.0]))
    res = kalman_2state(
        ev, 0.3, 0.01, (float(to_scale(98.0)), float(to_scale(99.0))), (1e4, 0.0, 1e-10),
        ceiling=CEILING,
    )  # fmt: skip
    assert from_scale(res["mean"][-1]) == pytest.approx(98.0, abs=0.2)


def test_one_step_under_a_constant_pull_is_the_exact_reversion_to_the_mix():
    # kappa 0.2 towards L; the deadline has passed, so the pull is at the floor's pace
    # (rho / 1 = 0.5 a year towards the target); over half a year
    pull = saturation.TargetPull(((0.0, 1.0, -1.0),), rho=0.5, floor=1.0)
    kappa, s2 = 0.2, 0.3
    b_, c_, d_, q_ = saturation.level_step(2.0, 2.5, kappa, s2, pull)
    rate = kappa + 0.5
    b = np.exp(-rate * 0.5)
    assert b_ == pytest.approx(b)
    assert c_ == pytest.approx((1 - b) * kappa / rate)
    assert d_ == pytest.approx((1 - b) * 0.5 * -1.0 / rate)
    assert q_ == pytest.approx(s2 * (1 - b * b) / (2 * rate))
    # no pull: the Ornstein-Uhlenbeck step
    b0, c0, d0, _ = saturation.level_step(2.0, 2.5, kappa, s2, None)
    assert (b0, c0, d0) == pytest.approx((np.exp(-0.1), 1 - np.exp(-0.1), 0.0))


def test_the_pull_quickens_as_the_deadline_nears_and_waits_for_its_plan():
    pull = saturation.TargetPull(((0.0, 5.0, -1.4), (5.0, 10.0, -1.2)), rho=0.8)
    assert pull.at(-1.0) == (0.0, 0.0)  # before the first plan
    assert pull.at(1.0) == pytest.approx((0.8 / 4.0, -1.4))
    assert pull.at(4.5) == pytest.approx((0.8, -1.4))  # within a year: the floor
    assert pull.at(6.0) == pytest.approx((0.8 / 4.0, -1.2))  # the next plan


def test_a_target_pulls_the_national_forecast_up_only_once_its_plan_began():
    # a nation at 86% at the end of 2021, 98% due by the end of 2024 (plan from 2020)
    t = np.array([-3.0, -2.0, -1.0, 0.5, 2.0])
    y = np.array([73.0, 78.5, 83.9, 82.0, 86.1])
    late = ((0.0, 5.0, 98.0),)
    known = saturation.fit_saturation((t, y), [], targets=late)
    none = saturation.fit_saturation((t, y), [], targets=())
    future = saturation.fit_saturation((t, y), [], targets=((2.5, 5.0, 98.0),))
    q = np.array([3.0, 4.9])
    with_pull = saturation.from_scale(known.national(q)[0])
    without = saturation.from_scale(none.national(q)[0])
    assert known.rho > 0.3 and none.rho == 0.0
    assert np.all(with_pull > without + 1.0)
    assert np.all(with_pull < 98.0 + 0.5)
    # a plan that begins after the latest figure is unknown to the fit
    assert future.targets == () and future.rho == 0.0
