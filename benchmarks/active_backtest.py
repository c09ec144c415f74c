"""Backtest of the active-share model, and the national UHC status under today's definition.

Prints (and with ``--readme`` writes into docs/models.md between the
``active-backtest`` and ``uhc-national`` markers):

1. the rolling-origin backtest of the pooled active-share model against the
   last-value and national-ratio baselines (MAE in percentage points, 90th
   percentile of the absolute error, share of held-out figures inside the 80%
   and 95% intervals), overall and split by whether the place had an active
   figure before the origin;
2. the national probability of meeting each UHC condition of ``targets.csv``
   by 2029-12-31 (joint, from paired paths), with its sensitivity to the
   dependence of the two measures and to the reading of unclear bases.

Usage: python benchmarks/active_backtest.py [--readme]
"""

from __future__ import annotations

import argparse
import re
import time
import warnings
from pathlib import Path

import pandas as pd

import perjaka_analysis as pa
from perjaka_analysis.active import (
    ActiveShareModel,
    backtest_active,
    convert_active_shares,
    load_active_shares,
)
from perjaka_analysis.trend import CoverageTrendModel
from perjaka_analysis.uhc import (
    TODAY,
    compute_uhc_status,
    dependence_sensitivity,
    uhc_conditions,
    unclear_sensitivity,
)

README = Path(__file__).resolve().parents[1] / "docs" / "models.md"
DEADLINE = "2029-12-31"


def markdown(frame: pd.DataFrame) -> str:
    """A plain GitHub table (no extra dependency)."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/models.md has no {start} ... {end} block")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def backtest_tables(converted: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    bt = backtest_active(converted)
    table = bt.table(places="all")
    table = table[table["horizon"] == "all"].drop(columns="horizon")
    p = bt.predictions.assign(
        figures_before_origin=lambda d: (
            d["basis"].ne("pooled (no data)").map({True: "yes", False: "no"})
        ),
        abs_error=lambda d: (d["mean"] - d["actual"]).abs(),
        in_80=lambda d: d["actual"].between(d["lower_80"], d["upper_80"]),
    )
    split = (
        p.groupby(["figures_before_origin", "method"], sort=False)
        .agg(n=("abs_error", "size"), mae_pp=("abs_error", "mean"), coverage_80=("in_80", "mean"))
        .reset_index()
    )
    return table, split, bt.predictions["origin"].nunique()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--readme", action="store_true", help="write the tables into docs/models.md"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    coverage = pa.load_coverage()
    registration = CoverageTrendModel(coverage).fit()
    shares = load_active_shares(coverage=coverage)
    converted = convert_active_shares(shares, registration)
    table, split, n_origins = backtest_tables(converted)
    fmt = {"mae_pp": 2, "bias_pp": 2, "p90_error_pp": 2, "coverage_80": 2, "coverage_95": 2}
    table = table.round(fmt)
    split = split.round({"mae_pp": 2, "coverage_80": 2})
    print(f"Active-share backtest: {n_origins} quarterly origins, figures up to 2 years ahead")
    print(table.to_string(index=False))
    print(split.to_string(index=False))

    active = ActiveShareModel(converted).fit()
    conditions = uhc_conditions(pa.load_targets())
    status = compute_uhc_status(
        registration, active, conditions=conditions, deadline=DEADLINE, provinces=[pa.NATIONAL]
    )
    nat = status[
        [
            "condition",
            "registered_pct",
            "active_pct",
            "prob_by_deadline",
            "prob_at_deadline",
            "prob_registered",
            "prob_active",
            "expected_date",
            "binding",
        ]
    ].assign(expected_date=lambda d: d["expected_date"].dt.strftime("%Y-%m").fillna("after 2039"))
    nat = nat.round(3)
    today = conditions[conditions["condition"] == TODAY].iloc[0]
    dep = dependence_sensitivity(
        registration,
        active,
        pa.NATIONAL,
        registered_pct=today["registered_pct"],
        active_pct=today["active_pct"],
        deadline=DEADLINE,
    ).round(3)
    unc = unclear_sensitivity(
        shares,
        registration,
        registered_pct=today["registered_pct"],
        active_pct=today["active_pct"],
        deadline=DEADLINE,
    )
    unc = unc.assign(expected_date=unc["expected_date"].dt.strftime("%Y-%m").fillna("after 2039"))
    unc = unc.round(3)
    print(f"\nINDONESIA, UHC conditions by {DEADLINE} (2000 paired paths, seed 0, rho 0.5)")
    print(nat.to_string(index=False))
    print("\nDependence of the two measures (today's definition):")
    print(dep.to_string(index=False))
    print("\nReading of unclear bases (today's definition):")
    print(unc.to_string(index=False))
    print(f"\nwall time: {time.perf_counter() - t0:.1f} s")

    if args.readme:
        text = README.read_text(encoding="utf-8")
        note = (
            f"Generated by `python benchmarks/active_backtest.py --readme`: {n_origins} "
            "quarterly origins, held-out province and national active shares up to two years "
            "ahead, shares converted to the population basis first (with this benchmark's "
            "registration trend, no status reports: the model describes the share of population)."
        )
        text = replace_block(
            text,
            "active-backtest",
            f"{note}\n\n{markdown(table)}\n\nBy whether the place had an active figure before "
            f"the origin:\n\n{markdown(split)}",
        )
        text = replace_block(
            text,
            "uhc-national",
            f"Generated by `python benchmarks/active_backtest.py --readme` (2000 paired paths, "
            f"seed 0, deadline {DEADLINE}).\n\n{markdown(nat)}\n\nDependence of the two "
            f"measures (today's definition; `upper_bound` = the smaller marginal):\n\n"
            f"{markdown(dep)}\n\nReading of the shares of unclear basis:\n\n{markdown(unc)}",
        )
        README.write_text(text, encoding="utf-8")
        print(f"written: {README}")


if __name__ == "__main__":
    main()
