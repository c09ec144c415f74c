"""Workers brought in: the semester report against the simulated truth, over seeds.

For each seed, the inspection loop of ``notebooks/05_inspection_loop``
(:func:`perjaka_analysis.employers.loop.simulate_loop` on a SYNTHETIC registry
from :func:`perjaka_analysis.employers.generate_registry`) runs its semesters;
each semester's report counts the workers brought in (the change in registered
workers at the employers found noncompliant beyond the ordinary change measured
at those found compliant), and the simulation knows how many the visits really
brought in. The script prints, per seed and semester, the report's figure with
its 95% interval, the truth and the relative error, how many semesters are
within the target (5% by default) and how often the interval holds the truth.

Usage: python benchmarks/semester_workers.py [--employers 60000] [--capacity 35]
[--seeds 1 2 3 4 5 6 7 8] [--target 0.05]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd


def one_seed(employers: int, capacity: int, seed: int) -> pd.DataFrame:
    """The loop's history for one seed (the notebook's call, with its seed)."""
    from perjaka_analysis.employers import generate_registry
    from perjaka_analysis.employers.loop import simulate_loop

    registry = generate_registry(employers, seed=seed, selective=True).frame
    loop = simulate_loop(registry, capacity=capacity, seed=seed)
    return loop.history.assign(seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employers", type=int, default=60_000)
    parser.add_argument("--capacity", type=int, default=35, help="inspections per province")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 9)))
    parser.add_argument("--target", type=float, default=0.05, help="largest relative error")
    args = parser.parse_args()
    os.environ.setdefault("PERJAKA_PSEUDONYM_KEY", "benchmark-key")
    frames = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        frames.append(one_seed(args.employers, args.capacity, seed))
        print(f"seed {seed}: {time.perf_counter() - t0:.1f} s", flush=True)
    table = pd.concat(frames, ignore_index=True)
    table["within"] = table["workers_error"].abs() <= args.target
    has_interval = "workers_lower" in table
    if has_interval:
        truth = table["workers_truth"]
        table["covered"] = (table["workers_lower"] <= truth) & (truth <= table["workers_upper"])
        table["half_width"] = (table["workers_upper"] - table["workers_lower"]) / 2 / truth
    print(f"\n{args.employers:,} employers, capacity {args.capacity} per province\n")
    print("| seed | semester | visited | reported (95% interval) | truth | error |")
    print("|---|---|---|---|---|---|")
    for r in table.itertuples():
        interval = ""
        if has_interval:
            interval = f" ({r.workers_lower:,.0f}–{r.workers_upper:,.0f})"
        print(
            f"| {r.seed} | {r.period} | {r.visited:,} | {r.workers_reported:,.0f}{interval} | "
            f"{r.workers_truth:,.0f} | {100 * r.workers_error:+.1f}% |"
        )
    worst = table["workers_error"].abs().max()
    print(
        f"\nwithin {args.target:.0%} of the truth in {int(table['within'].sum())} of "
        f"{len(table)} semesters; largest |error| {100 * worst:.1f}%; "
        f"RMS error {100 * np.sqrt((table['workers_error'] ** 2).mean()):.1f}%"
    )
    if has_interval:
        print(
            f"the report's 95% interval holds the truth in {int(table['covered'].sum())} of "
            f"{len(table)} semesters; its half-width, relative to the truth: median "
            f"{100 * table['half_width'].median():.1f}%, largest "
            f"{100 * table['half_width'].max():.1f}%"
        )
    for period, g in table.groupby("period", sort=False):
        print(
            f"{period}: truth {g['workers_truth'].median():,.0f} (median), "
            f"RMS error {100 * np.sqrt((g['workers_error'] ** 2).mean()):.1f}%, "
            f"within {args.target:.0%} in {int(g['within'].sum())} of {len(g)}"
            + (f", interval half-width {100 * g['half_width'].median():.1f}% (median)"
               if has_interval else "")
        )  # fmt: skip


if __name__ == "__main__":
    main()
