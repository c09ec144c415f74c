"""The backtest of the active share and the joint UHC status, on tiny fixtures by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.uhc import joint_uhc_probability
from perjaka_analysis.uhc_backtest import (
    UhcBacktest,
    backtest_active_uhc,
    brier,
    joint_events,
    reliability,
)

T = pd.Timestamp


def shares(rows):
    frame = pd.DataFrame(
        rows, columns=["province", "date", "active_pct", "active_basis", "registration_pct"]
    )
    return frame.assign(date=pd.to_datetime(frame["date"]), district=None,
                        date_precision="day", source_file="t.csv", source_url=None,
                        note=None)  # fmt: skip


def status(rows):
    frame = pd.DataFrame(
        rows, columns=["province", "date", "threshold_pct", "above", "active_above", "source_date"]
    )
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_events_that_decide_both_conditions():
    sh = shares([
        ("A", "2025-01-31", 85.0, "of_population", 99.0),    # both above: UHC
        ("B", "2025-01-31", 81.0, "unclear", 98.5),           # 81 or 79.8: undecided
        ("C", "2025-01-31", 84.0, "unclear", 99.0),           # 84 or 83.2: UHC
        ("D", "2025-01-31", 90.0, "of_participants", 97.0),   # registration below: not
        ("E", "2025-01-31", 82.0, "of_participants", 98.0),   # 80.4 of population: UHC
        ("F", "2025-01-31", 75.0, "of_population", np.nan),   # no registration figure
    ])  # fmt: skip
    st = status([
        ("G", "2025-06-30", 98.0, True, True, "2025-08"),     # UHC Prioritas: 1
        ("H", "2023-12-31", 95.0, False, False, "2024-01-08"),  # below 95%: 0
        ("I", "2024-08-08", 98.0, True, False, "2024-08-08"),   # registration only: no
    ])  # fmt: skip
    ev = joint_events(sh, st).set_index("province")
    assert ev["outcome"].to_dict() == {"A": 1, "C": 1, "D": 0, "E": 1, "G": 1, "H": 0}
    assert ev["registration_met"].to_dict() == {
        "A": True,
        "C": True,
        "D": False,
        "E": True,
        "G": True,
        "H": False,
    }
    assert ev.loc["G", "published"] == T("2025-08-01")
    assert ev.loc["G", "kind"] == "report" and ev.loc["A", "kind"] == "figures"


def test_brier_and_reliability_by_hand():
    p, y = [0.9, 0.8, 0.3, 0.05], [1, 0, 1, 0]
    # (0.01 + 0.64 + 0.49 + 0.0025) / 4
    assert brier(p, y) == pytest.approx(0.285625)
    rel = reliability(p, y)
    assert rel["bin"].tolist() == ["0–0.1", "0.3–0.5", "0.7–0.9", "0.9–1"]
    assert rel["observed"].tolist() == [0.0, 1.0, 0.0, 1.0]


def test_tables_by_hand():
    active = pd.DataFrame({
        "origin": T("2024-01-01"), "province": ["A", "A", "B"],
        "date": pd.to_datetime(["2024-06-30", "2025-06-30", "2024-06-30"]),
        "horizon_years": [0.5, 1.5, 0.5], "horizon": ["≤6 m", "1–2 y", "≤6 m"],
        "scored_as": "population", "has_figure": [True, True, False],
        "actual": [80.0, 82.0, 70.0], "mean": [81.0, 80.0, 74.0],
        "lower_80": [75.0, 75.0, 60.0], "upper_80": [85.0, 81.0, 80.0],
        "last": [78.0, 78.0, 76.0],
    })  # fmt: skip
    joint = pd.DataFrame({
        "origin": T("2024-01-01"), "province": ["A", "B"], "date": T("2024-06-30"),
        "horizon_years": 0.5, "horizon": "≤6 m", "kind": ["report", "figures"],
        "outcome": [1, 0], "registration_met": [True, False], "prob": [0.8, 0.4],
        "prob_registered": 0.9, "prob_active": 0.9, "last_registered": [96.0, np.nan],
    })  # fmt: skip
    bt = UhcBacktest(active=active, joint=joint)
    row = bt.active_table(n_boot=20).set_index(["places_with", "horizon"]).loc[("all", "all")]
    # errors 1, -2, 4; last 2, 4, 6
    assert row["mae_pp"] == pytest.approx(7 / 3)
    assert row["mae_ratio"] == pytest.approx(7 / 12)
    assert row["bias_pp"] == pytest.approx(1.0)
    assert row["cover_80"] == pytest.approx(2 / 3)
    assert row["median_width_pp"] == pytest.approx(10.0)
    j = bt.joint_table(n_boot=20).set_index(["events", "horizon"]).loc[("all", "all")]
    assert j["brier"] == pytest.approx((0.04 + 0.16) / 2)
    assert j["brier_base_rate"] == pytest.approx(0.25) and j["ratio"] == pytest.approx(0.4)
    # the rule: 0.5 for A (96%, outcome 1), 0.7 for B (no figure, outcome 0)
    assert j["brier_rule"] == pytest.approx((0.25 + 0.49) / 2)
    # registration as published: 0.9 where met (outcome 1), 0 where not (outcome 0)
    k = bt.joint_table(n_boot=20).set_index(["events", "horizon"])
    assert k.loc[("registration as published", "all"), "brier"] == pytest.approx(0.01 / 2)


class Level:
    """A model known exactly: a constant level per place, constant paths."""

    scale = "population"

    def __init__(self, levels, start="2022-01-01"):
        self.levels, self.start = levels, T(start)
        self.places = {p: type("P", (), {"n_points": 1})() for p in levels}

    def place(self, province):
        return self.places[province]

    def predict(self, province, dates, *, levels=(80,), observation=True):
        m = self.levels[province]
        d = pd.to_datetime(list(dates))
        return pd.DataFrame({"province": province, "date": d, "mean": m, "lower": m - 1.0,
                             "upper": m + 1.0, "level": 80})  # fmt: skip

    def simulate(self, province, until, *, n_paths=2000, seed=0, freq="MS"):
        dates = pd.date_range(self.start, T(until), freq=freq)
        return dates, np.full((n_paths, len(dates)), float(self.levels[province]))


def test_each_origin_sees_only_what_was_public_before_it():
    coverage = pd.DataFrame({"province": ["Aceh", "Aceh"], "date": pd.to_datetime(["2023-06-30",
                             "2024-06-30"]), "coverage_pct": [97.0, 99.0], "measure": "registered",
                             "district": None, "date_precision": "day", "active_pct": np.nan,
                             "source_url": ["a", "b"], "territory": None})  # fmt: skip
    sh = shares([("Aceh", "2023-06-30", 75.0, "of_population", 97.0),
                 ("Aceh", "2024-06-30", 85.0, "of_population", 99.0)])  # fmt: skip
    st = status([("Aceh", "2024-09-30", 98.0, True, True, "2025-02-01")])
    seen = []

    def fit_registration(cov, s):
        return Level({"Aceh": float(cov["coverage_pct"].iloc[-1]) if len(cov) else 99.0})

    def fit_active(sh_o, reg, st_o):
        seen.append((len(sh_o), len(st_o)))
        return Level({"Aceh": 82.0})

    bt = backtest_active_uhc(coverage, sh, st, fit_registration=fit_registration,
                             fit_active=fit_active, origins=["2024-01-01", "2025-03-01"],
                             n_paths=10)  # fmt: skip
    # 1 share / no report before 2024, 2 shares / the report before 2025-03
    assert seen == [(1, 0), (2, 1)]
    # 2024-01: the 2024-06 figure (85) forecast 82, last value 75
    a = bt.active.set_index("origin").loc[T("2024-01-01")]
    assert (a["actual"], a["mean"]) == (85.0, 82.0) and a["last"] == pytest.approx(75.0)
    # joint: registration 97 at the 2024-01 origin: no path at 98% -> P = 0 for both events
    j = bt.joint[bt.joint["origin"] == T("2024-01-01")]
    assert j["outcome"].tolist() == [1, 1] and j["prob"].tolist() == [0.0, 0.0]
    assert j["last_registered"].tolist() == [97.0, 97.0]  # the 2024-06 figure not yet public
    assert bt.joint[bt.joint["origin"] == T("2025-03-01")].empty  # nothing after it


def test_joint_probability_on_the_briefs_date():
    d = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    reg = np.array([[97.0, 99.0, 99.0], [99.0, 99.0, 99.0]])
    act = np.array([[81.0, 81.0, 81.0], [70.0, 85.0, 85.0]])
    first = joint_uhc_probability(d, reg, act, registered_pct=98, active_pct=80,
                                  deadline="2025-12-31")  # fmt: skip
    on = joint_uhc_probability(d, reg, act, registered_pct=98, active_pct=80,
                               deadline="2025-12-31", as_of="2025-02-15")  # fmt: skip
    assert first.prob_now == 0.0 and on.prob_now == 1.0
