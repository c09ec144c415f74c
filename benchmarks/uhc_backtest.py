"""Backtest of the active share and the joint UHC status in the saturation years.

Origins every six months from 2023-01-01 to 2025-07-01; at each, the
registration trend and the active model see only what was public before it
(figures dated before it, status reports published before it) and forecast
up to two years ahead (:mod:`perjaka_analysis.uhc_backtest`). Prints

1. the active share on one basis (share of population; unclear basis apart):
   MAE against the place's last figure, bias, 80% cover and median width by
   horizon band, with place-bootstrap 90% intervals of the MAE ratio;
2. the joint UHC status (every status report and every pair of figures that
   decides both conditions): Brier score against the base rate and against
   a three-band rule on the latest registration figure, by band;
3. the reliability table of the joint probabilities (and with ``--plot FILE``
   a reliability chart).

With ``--readme`` the tables are written into docs/models.md between the
``uhc-backtest`` markers.

With ``--rho-grid`` it also scores the joint status for every dependence of
the paths in :data:`RHO_GRID` (the table that sets
:data:`perjaka_analysis.uhc.DEFAULT_RHO`).

Usage: python benchmarks/uhc_backtest.py [--readme] [--rho-grid] [--plot FILE.png]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

# the table and block writers of the active-share benchmark (this folder is on sys.path)
from active_backtest import markdown, replace_block

import perjaka_analysis as pa
from perjaka_analysis.active import load_active_shares
from perjaka_analysis.datasets import load_uhc_counts, load_uhc_status
from perjaka_analysis.uhc_backtest import backtest_active_uhc

README = Path(__file__).resolve().parents[1] / "docs" / "models.md"
N_PATHS = 1000
#: Dependences of the registration and active paths scored with --rho-grid.
RHO_GRID = (0.0, 0.25, 0.5, 0.8, 0.9, 1.0)


def rho_table(coverage, shares, status) -> pd.DataFrame:
    """Joint-status Brier score by horizon band for each dependence in :data:`RHO_GRID`."""
    rows = []
    for rho in RHO_GRID:
        bt = backtest_active_uhc(coverage, shares, status, n_paths=N_PATHS, rho=rho)
        t = bt.joint_table(n_boot=100)
        t = t[t["events"] == "all"].set_index("horizon")
        rows.append({"rho": rho, **{f"brier {h}": t.loc[h, "brier"] for h in t.index}})
        rows[-1]["ratio all"] = t.loc["all", "ratio"]
    return pd.DataFrame(rows)


#: The joint Brier score first asked for, and the rule's score on the protocol it was
#: set on (forecasts of 31 December 2025 from the figures to the end of 2024).
FIRST_TARGET, RULE_THEN = 0.10, 0.13


def against_rule(joint: pd.DataFrame) -> str:
    """The joint score against the three-band rule, and the first target on this protocol."""
    t = joint[joint["events"] == "all"].set_index("horizon")
    share = FIRST_TARGET / RULE_THEN
    bands = [h for h in t.index if h != "all"]
    each = " / ".join(f"{share * t.loc[h, 'brier_rule']:.3f}" for h in bands)
    model = " / ".join(f"{t.loc[h, 'brier']:.3f}" for h in bands)
    rule = " / ".join(f"{t.loc[h, 'brier_rule']:.3f}" for h in bands)
    a = t.loc["all"]
    return (
        "**What the joint score is measured against.** The three-band rule on the "
        "latest registration figure (0.85 at ≥ 98%, 0.5 at 95–98%, 0.2 below, 0.7 "
        f"without a figure) scored {RULE_THEN} on the forecasts of 31 December 2025 made "
        f"with the figures to the end of 2024; on this backtest it scores "
        f"{a['brier_rule']:.3f} ({rule} by band: {', '.join(bands)}). A Brier score of "
        f"{FIRST_TARGET} on that date asks for {share:.2f}× the rule's; on this backtest "
        f"that is {share * a['brier_rule']:.3f} overall and {each} by band. The model "
        f"scores {a['brier']:.3f} ({a['brier'] / a['brier_rule']:.2f}× the rule, "
        f"{a['ratio']:.2f}× the base rate) and {model} by band."
    )


def plot_reliability(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    ax.scatter(table["mean_prob"], table["observed"], s=12 + 3 * table["n"], color="#2171b5")
    for row in table.itertuples(index=False):
        ax.annotate(str(row.n), (row.mean_prob, row.observed), fontsize=7, xytext=(4, -8),
                    textcoords="offset points")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast P(UHC)")
    ax.set_ylabel("share of events that were UHC")
    ax.set_title("Joint UHC status, saturation years", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"written: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--readme", action="store_true", help="write the tables into docs/models.md"
    )
    parser.add_argument("--plot", type=Path, help="write a reliability chart (PNG)")
    parser.add_argument(
        "--rho-grid",
        action="store_true",
        help="also score the joint status for each dependence in RHO_GRID (~25 s each)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    coverage = pa.load_coverage()
    shares = load_active_shares(coverage=coverage, districts=False)
    status = load_uhc_status()
    bt = backtest_active_uhc(coverage, shares, status, n_paths=N_PATHS, counts=load_uhc_counts())
    two = ("mae_pp", "last_mae_pp", "mae_ratio", "ratio_lo", "ratio_hi", "bias_pp")
    active = bt.active_table().round({k: 2 for k in (*two, "cover_80", "median_width_pp")})
    joint = bt.joint_table().round(3)
    rel = bt.reliability().round(3)
    origins = sorted(pd.DatetimeIndex(bt.active["origin"]).unique().strftime("%Y-%m"))
    print(f"origins: {', '.join(origins)}; skipped: {bt.skipped or 'none'}")
    print("\nActive share (percent of population)")
    print(active.to_string(index=False))
    print("\nJoint UHC status (>= 98% registered and >= 80% active on the event's date)")
    print(joint.to_string(index=False))
    print("\n" + against_rule(joint))
    print("\nReliability")
    print(rel.to_string(index=False))
    grid = None
    if args.rho_grid:
        grid = rho_table(coverage, shares, status).round(3)
        print("\nJoint UHC status by dependence of the paths (rho; Brier score)")
        print(grid.to_string(index=False))
    print(f"\nwall time: {time.perf_counter() - t0:.1f} s")
    if args.plot:
        plot_reliability(rel, args.plot)
    if args.readme:
        note = (
            "Generated by `python benchmarks/uhc_backtest.py --readme`: origins "
            f"{', '.join(origins)}; at each, only figures dated before it and status reports "
            f"published before it; events up to two years ahead; {N_PATHS} paired paths per "
            "place and origin; `ratio_lo`–`ratio_hi`: 90% interval of a bootstrap over places."
        )
        text = README.read_text(encoding="utf-8")
        text = replace_block(
            text,
            "uhc-backtest",
            f"{note}\n\nActive share, percent of population (`mae_ratio` = MAE / MAE of the "
            f"place's last figure; the nation's where it had none):\n\n{markdown(active)}\n\n"
            "Joint UHC status (Brier score; `ratio` = Brier / Brier of the base rate; "
            "`brier_rule`: Brier score of the three-band rule on the place's latest "
            "registration figure before the origin, `uhc_backtest.three_band_rule`):\n\n"
            f"{markdown(joint)}\n\n{against_rule(joint)}\n\n"
            f"Reliability of the joint probabilities:\n\n{markdown(rel)}",
        )
        if grid is not None:
            text = replace_block(
                text,
                "uhc-rho",
                "Generated by `python benchmarks/uhc_backtest.py --rho-grid --readme`: the "
                "joint UHC status of the backtest above for each rank correlation `rho` of the "
                "registration and active paths (the default is the one with the lowest Brier "
                f"score):\n\n{markdown(grid)}",
            )
        README.write_text(text, encoding="utf-8")
        print(f"written: {README}")


if __name__ == "__main__":
    main()
