"""The backtest runs what ships: status reports as published, a drift with a span, bias."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.backtest import backtest
from perjaka_analysis.trend import CoverageTrendModel

ROOT = Path(__file__).resolve().parents[1]


def panel_with_papua() -> pd.DataFrame:
    """Three provinces with figures every year; Papua with a single figure in 2024."""
    rows = []
    for i, province in enumerate(["Aceh", "Bali", "Jambi"]):
        for year in range(2017, 2025):
            noise = 0.7 * np.sin(3.0 * year + i)  # fixed, irregular wobble
            rows.append(
                (province, pd.Timestamp(f"{year}-06-30"), 80 + 2 * (year - 2017) + i + noise)
            )
    rows.append(("Papua", pd.Timestamp("2024-03-31"), 96.0))
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct"])
    return frame.assign(
        district=pd.NA, measure="registered", territory=frame["province"], source_url=pd.NA
    )


def status(published: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["Papua"],
            "date": [pd.Timestamp("2022-06-30")],
            "threshold_pct": [88.0],
            "above": [True],
            "published": [pd.Timestamp(published)],
        }
    )


@pytest.mark.parametrize(("published", "used"), [("2022-07-15", True), ("2023-06-01", False)])
def test_a_status_report_counts_only_after_it_was_published(published, used):
    bt = backtest(
        panel_with_papua(), methods=["pooled"], origins=["2023-01-01"], status=status(published)
    )
    basis = bt.predictions.set_index("province").loc["Papua", "basis"]
    assert ("UHC status" in basis) is used
    assert not bt.predictions.set_index("province").loc["Papua", "has_earlier"]


def test_drift_needs_a_year_between_its_two_figures():
    frame = panel_with_papua()
    close = frame[frame["province"] == "Papua"].assign(
        date=pd.Timestamp("2024-01-01"), coverage_pct=80.0
    )
    res = CoverageTrendModel(pd.concat([frame, close]), method="drift").fit()
    fc = res.forecast("2026-12-31", levels=(80,))
    # 80% then 96% three months later: no slope, the forecast stays near the last figure
    papua = fc.loc[fc["province"] == "Papua", "mean"]
    assert papua.between(94.0, 98.0).all()


def test_table_reports_bias_and_separates_places_without_an_earlier_figure():
    bt = backtest(panel_with_papua(), methods=["last"], origins=["2023-01-01"], status=None)
    p = bt.predictions
    with_fig = bt.table(places="with figure").set_index("horizon")
    expected = (p.loc[p["has_earlier"], "mean"] - p.loc[p["has_earlier"], "actual"]).mean()
    assert with_fig.loc["all", "bias_pp"] == pytest.approx(expected)
    assert with_fig.loc["all", "n"] == int(p["has_earlier"].sum())
    assert bt.table(places="without figure").set_index("horizon").loc["all", "n"] == 1
    with pytest.raises(Exception, match="places must be"):
        bt.table(places="some")


def test_national_errors_are_reported_per_origin():
    frame = panel_with_papua()
    nat = pd.DataFrame(
        {"province": "INDONESIA", "date": pd.date_range("2017-06-30", periods=8, freq="12ME")}
    )
    nat["coverage_pct"] = np.linspace(75, 96, 8)
    nat = nat.assign(district=pd.NA, measure="registered", territory="INDONESIA", source_url=pd.NA)
    bt = backtest(
        pd.concat([frame, nat]),
        methods=["last"],
        origins=["2021-01-01", "2023-01-01"],
        status=None,
    )
    n = bt.national()
    assert list(n["origin"]) == list(pd.to_datetime(["2021-01-01", "2023-01-01"]))
    held = nat[nat["date"] >= "2023-01-01"]
    before = nat[nat["date"] < "2023-01-01"]["coverage_pct"].iloc[-1]
    row = n[n["origin"] == "2023-01-01"].iloc[0]
    # "last" carries the last figure (its mean on the logit scale, within 0.1 pp)
    assert row["first_error_pp"] == pytest.approx(before - held["coverage_pct"].iloc[0], abs=0.1)


def test_readme_backtest_table_is_the_benchmarks_last_output():
    generated = (ROOT / "benchmarks" / "forecast_backtest.md").read_text(encoding="utf-8")
    readme = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- forecast-backtest:start -->\n(.*)<!-- forecast-backtest:end -->", readme, re.S
    )
    assert block is not None, "docs/models.md lacks the forecast-backtest markers"
    assert block.group(1) == generated


def test_a_known_national_path_leaves_only_the_offsets_error(monkeypatch):
    """Provinces at fixed offsets from a nation that jumps after the origin: as a
    forecast the jump is missed; with the national path known (the diagnostic)
    the province figures are met and no national figure is scored."""
    import perjaka_analysis.saturation as saturation

    monkeypatch.setattr(saturation, "NATIONAL_TARGETS", ())  # no target foretells the jump
    years = range(2014, 2025)
    level = {y: 70 + 2 * (y - 2014) + (6 if y >= 2021 else 0) for y in years}
    rows = [("INDONESIA", y, level[y]) for y in years]
    for i, (province, offset) in enumerate([("Aceh", 3.0), ("Bali", 1.0), ("Jambi", -2.0)]):
        rows += [
            (province, y, level[y] + offset + 0.4 * np.sin(2.0 * y + i))
            for y in years
            if (y + i) % 2 == 0  # each province reports every other year
        ]
    frame = pd.DataFrame(rows, columns=["province", "year", "coverage_pct"])
    frame = frame.assign(
        date=pd.to_datetime(frame["year"].astype(str) + "-06-30"),
        district=pd.NA,
        measure="registered",
        territory=frame["province"],
        source_url=pd.NA,
    ).drop(columns="year")
    runs = {
        known: backtest(
            frame,
            methods=["saturation"],
            origins=["2021-01-01"],
            status=None,
            national_known=known,
        ).predictions
        for known in (False, True)
    }
    assert "INDONESIA" in set(runs[False]["province"])
    assert "INDONESIA" not in set(runs[True]["province"])
    provinces = {known: p[p["province"] != "INDONESIA"] for known, p in runs.items()}
    error = {known: (p["mean"] - p["actual"]).mean() for known, p in provinces.items()}
    assert error[False] < -4.0  # the 6 pp jump of the nation is missed
    # (offsets fixed in pp are not quite fixed on the model scale)
    assert abs(error[True]) < 0.75


def test_saturation_backtest_scores_against_the_last_value_published_before_each_origin():
    """Hand-computed on a fixture: the ``last`` method forecasts the last value, so its
    MAE ratio is 1; a figure published after the origin is not the last value; the
    laggards' bias is over places whose last value is below 97.5%."""
    from perjaka_analysis.backtest import latest_before, saturation_backtest

    rows = [
        ("Aceh", "2022-06-30", 96.0, pd.NA),
        ("Aceh", "2022-12-01", 97.0, "2023-02-01"),  # dated before, published after
        ("Aceh", "2023-03-31", 98.0, pd.NA),
        ("Bali", "2022-06-30", 99.0, pd.NA),
        ("Bali", "2023-09-30", 98.0, pd.NA),
        ("Jambi", "2022-09-30", 90.0, pd.NA),
        ("Jambi", "2024-06-30", 93.0, pd.NA),
    ]
    frame = pd.DataFrame(rows, columns=["province", "date", "coverage_pct", "source_date"])
    frame = frame.assign(
        date=pd.to_datetime(frame["date"]),
        district=pd.NA,
        measure="registered",
        territory=frame["province"],
        source_url=pd.NA,
    )
    last = latest_before(frame, "2023-01-01").set_index("province")["last_pct"]
    assert last.to_dict() == {"Aceh": 96.0, "Bali": 99.0, "Jambi": 90.0}
    bt = saturation_backtest(frame, origins=["2023-01-01"], status=None, method="last")
    p = bt.predictions.set_index("province")
    assert p.loc["Aceh", "last_pct"] == 96.0
    table = bt.table(n_boot=200).set_index("horizon")
    # held out: Aceh 98 (last 96), Bali 98 (last 99), Jambi 93 (last 90)
    assert table.loc["all", "last_mae_pp"] == pytest.approx((2 + 1 + 3) / 3)
    assert table.loc["all", "bias_laggards_pp"] == pytest.approx((-2 - 3) / 2, abs=0.05)
    assert table.loc["≤6 m", "n"] == 1 and table.loc["1–2 y", "n"] == 1
    assert table.loc["all", "mae_ratio"] == pytest.approx(1.0, abs=0.05)
    row = table.loc["all"]
    assert row["mae_pp_lo"] <= row["mae_pp"] <= row["mae_pp_hi"]
    with pytest.raises(Exception, match="places must be"):
        bt.table(places="all")
