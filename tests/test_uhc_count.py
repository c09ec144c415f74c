"""The national count of UHC provinces as evidence: hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis import PerjakaError
from perjaka_analysis.datasets import load_uhc_counts
from perjaka_analysis.uhc import CountEvidence, compute_uhc_status
from perjaka_analysis.uhc_count import (
    MAX_COUNT_AGE_MONTHS,
    condition_on_count,
    count_distribution,
    count_weights,
    latest_count,
    resample_paths,
)


def test_count_distribution_by_hand():
    # P(S=0) = 0.9*0.8, P(S=1) = 0.1*0.8 + 0.9*0.2, P(S=2) = 0.1*0.2
    np.testing.assert_allclose(count_distribution(np.array([0.1, 0.2])), [0.72, 0.26, 0.02])
    assert count_distribution(np.array([])).tolist() == [1.0]


def test_conditioning_on_a_count_by_hand():
    q = np.array([0.9, 0.2, 0.5])
    post = condition_on_count(q, 2)
    # exactly two of three: {1,2}: .9*.2*.5=.09, {1,3}: .9*.8*.5=.36, {2,3}: .1*.2*.5=.01
    total = 0.09 + 0.36 + 0.01
    np.testing.assert_allclose(post, [(0.09 + 0.36) / total, (0.09 + 0.01) / total, 0.37 / total])
    assert post.sum() == pytest.approx(2)
    # a count of all (or none) makes every event certain (or impossible)
    np.testing.assert_allclose(condition_on_count(q, 3), 1.0)
    np.testing.assert_allclose(condition_on_count(q, 0), 0.0)


def test_count_weights_leave_the_place_out():
    if_met, if_not = count_weights(np.array([0.5, 0.5, 0.5]), 1)
    # the other two: P(none) = 0.25, P(exactly one) = 0.5
    np.testing.assert_allclose(if_met, 0.25)
    np.testing.assert_allclose(if_not, 0.5)
    with pytest.raises(PerjakaError, match="impossible among 3"):
        count_weights(np.array([0.5, 0.5, 0.5]), 4)


def test_resampling_follows_the_weights():
    met = np.arange(1000) < 200  # 20% of the paths meet the condition
    idx = resample_paths(met, 4.0, 1.0, seed=3)
    assert len(idx) == 1000
    # weight 4 on 20% and 1 on 80%: half of the resampled paths meet it
    assert met[idx].mean() == pytest.approx(0.5, abs=0.002)
    assert np.array_equal(idx, resample_paths(met, 4.0, 1.0, seed=3))


def test_evidence_resamples_paired_paths_on_the_count_date():
    dates = pd.DatetimeIndex(["2025-11-01", "2025-12-01", "2026-01-01"])
    reg = np.array([[97.0, 99.0, 99.0], [99.0, 97.0, 97.0]])
    act = np.array([[85.0, 85.0, 85.0], [85.0, 85.0, 85.0]])
    ev = CountEvidence(pd.Timestamp("2025-12-31"), (98.0, 80.0), if_met=1.0, if_not=0.0)
    assert ev.met(dates, reg, act).tolist() == [True, False]
    r, _ = ev.condition(dates, reg, act, seed=0)
    assert r[:, 1].tolist() == [99.0, 99.0]  # only the path that met it on 2025-12 is kept


def test_latest_count_is_public_and_recent():
    counts = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-06-17", "2025-12-31"]),
            "n_provinces": [15, 31],
            "source_url": ["a", "b"],
            "published": pd.to_datetime(["2025-08-25", "2026-01-27"]),
        }
    )
    assert latest_count(counts, "2026-02-01")["n_provinces"] == 31
    assert latest_count(counts, "2026-01-10")["n_provinces"] == 15  # 31 not yet published
    late = pd.Timestamp("2025-06-17") + pd.DateOffset(months=MAX_COUNT_AGE_MONTHS, days=1)
    assert latest_count(counts.iloc[:1], late) is None
    assert latest_count(None, "2026-01-01") is None


def test_shipped_counts_are_of_todays_definition():
    counts = load_uhc_counts()
    assert counts["n_provinces"].between(0, 38).all()
    assert counts["date"].min() >= pd.Timestamp("2024-01-01")  # the 98% + 80% definition
    assert (counts["published"] >= counts["date"]).all()


def test_a_count_needs_every_province(fitted_partial):
    registration, active = fitted_partial
    conditions = pd.DataFrame(
        {"condition": ["UHC definition (2024-)"], "registered_pct": [98.0], "active_pct": [80.0]}
    )
    counts = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-12-31"]),
            "n_provinces": [31],
            "source_url": ["x"],
            "published": pd.to_datetime(["2026-01-27"]),
        }
    )
    with pytest.raises(PerjakaError, match="every province"):
        compute_uhc_status(
            registration, active, conditions=conditions, counts=counts, as_of="2026-01-31",
            n_paths=50,
        )  # fmt: skip


@pytest.fixture(scope="module")
def fitted_partial():
    import warnings

    import perjaka_analysis as pa
    from perjaka_analysis import DataQualityWarning
    from perjaka_analysis.active import ActiveShareModel, load_active_shares
    from perjaka_analysis.trend import CoverageTrendModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        registration = CoverageTrendModel(pa.load_coverage()).fit()
        shares = load_active_shares()
    active = ActiveShareModel(shares, registration=registration, provinces=["INDONESIA", "Bali"])
    return registration, active.fit()
