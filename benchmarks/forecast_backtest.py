"""Backtest of the coverage trend methods, and the time to fit and forecast every place.

Prints the rolling-origin backtest table (MAE in percentage points by horizon,
90th percentile of the absolute error, share of held-out figures inside the
80% and 95% intervals), the method it supports, and the wall time of fitting
the default model and forecasting all 38 provinces and the nation to 2030
(best of 5; target under 5 s), plus the time of the target questions.

Usage: python benchmarks/forecast_backtest.py
"""

from __future__ import annotations

import time
import warnings

import pandas as pd

import perjaka_analysis as pa
from perjaka_analysis.backtest import backtest
from perjaka_analysis.forecast import compute_targets, population_by_place
from perjaka_analysis.trend import CoverageTrendModel


def main() -> None:
    warnings.simplefilter("ignore")
    coverage = pa.load_coverage()
    t0 = time.perf_counter()
    bt = backtest(coverage)
    bt_time = time.perf_counter() - t0
    table = bt.table()
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))
    print(f"\nmethod the backtest supports: {bt.best_method()}")
    print(f"backtest wall time: {bt_time:.1f} s ({bt.predictions['origin'].nunique()} origins)")

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = CoverageTrendModel(coverage).fit()
        fc = res.forecast("2030-12-31")
        times.append(time.perf_counter() - t0)
    print(
        f"fit + forecast {fc['province'].nunique()} places to 2030: "
        f"{min(times):.2f} s (best of 5; target < 5 s)"
    )
    t0 = time.perf_counter()
    compute_targets(
        res, deadline="2029-12-31", population=population_by_place(pa.load_provinces(), coverage)
    )
    print(f"targets (2 targets x 39 places, 2000 paths each): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
