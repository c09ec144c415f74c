"""One inspection round, closed: plan, visits, findings merged back, evaluation against the truth.

On SYNTHETIC registries from a generator of this script's own (independent of
``perjaka_analysis.employers.synth``: other distributions, another form of the
true risk, inspections targeted on other signals), for each seed:

1. ``perjaka employers score`` writes the default plan (pseudonymised, with
   its random reserve);
2. the team's visit is simulated: ``perjaka employers reidentify`` gives the
   key's holder the employers behind the pseudonyms, whose true outcome is
   recorded in an outcomes file (only the plan's employers);
3. ``perjaka employers merge`` writes the findings, with the plan's recorded
   probabilities, into the registry;
4. ``perjaka employers evaluate --json`` on the merged registry: its doubly
   robust figures and those of the model's risk checked against them (base
   rate, ROC AUC and precision at capacity) are compared with the truth
   (targets 0.01, 0.01 and 0.02), and the truth with the 95% interval
   ``evaluate`` gives for the DR base rate. The truth is computed here: the mean
   true outcome of every employer; the AUC of the scores ``evaluate`` used
   against every true outcome; the mean true outcome of the plan ``score``
   writes for the merged registry (checked to be the plan ``evaluate`` used).

It also prints the list quality of the round's plan: the expected
unregistered workers it reaches, against the best plan of the same size per
province (uninspected employers ranked by true risk x unregistered workers);
target at least 0.95.

Usage: python benchmarks/inspection_loop.py [--rows 200000] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SECTORS = list("ABCDEFGHIJKLMNOPQRSTU")


def make_registry(n: int, seed: int, inspected: float = 0.08) -> pd.DataFrame:
    """A SYNTHETIC registry following the contract, with ``true_risk`` and
    ``true_noncompliant``; ``inspected`` of the employers carry a label,
    chosen by targeted inspections (arrears, late payments, size, sector)."""
    from perjaka_analysis.datasets import load_provinces

    rng = np.random.default_rng(seed + 7919)
    prov = load_provinces()
    weight = prov["population"].astype(float).fillna(1_000_000).to_numpy() ** 1.15
    province = rng.choice(prov["province"].to_numpy(), size=n, p=weight / weight.sum())
    sector_p = rng.dirichlet(np.full(len(SECTORS), 0.8))
    sector = rng.choice(SECTORS, size=n, p=sector_p)
    sector_effect = dict(zip(SECTORS, rng.normal(0, 0.45, len(SECTORS)), strict=True))
    prov_effect = dict(zip(prov["province"], rng.normal(0, 0.35, len(prov)), strict=True))
    # size: a Pareto-like tail of workers
    workers = np.maximum(1, np.round(rng.pareto(1.3, n) * 6 + 1)).astype(int)
    workers = np.minimum(workers, 50_000)
    age_years = rng.gamma(2.0, 4.0, n)
    latent = rng.normal(0, 1, n)  # unobserved tendency to evade
    se = np.vectorize(sector_effect.get)(sector)
    pe = np.vectorize(prov_effect.get)(province)
    # registration share falls with the latent tendency
    share_reg = 1 / (1 + np.exp(-(2.2 - 1.4 * latent + 0.3 * np.log(workers) - se)))
    registered = np.minimum(workers, rng.binomial(workers, np.clip(share_reg, 0, 1)))
    over = rng.random(n) < 0.04  # stale labour reports
    registered = np.where(over, workers + rng.integers(1, 4, n), registered)
    months = rng.poisson(np.exp(-1.3 + 0.8 * latent + 0.2 * pe))
    late = np.minimum(12, rng.poisson(np.exp(0.1 + 0.55 * latent)))
    deact = rng.binomial(np.maximum(registered, 0), np.clip(0.03 + 0.04 * (latent > 1), 0, 1))
    deps = rng.binomial(np.maximum(registered, 0) * 2, np.clip(0.5 - 0.12 * latent, 0.02, 0.9))
    ump = 2_000_000 + 1_500_000 * rng.random(n)
    wage = ump * np.exp(rng.normal(0.25 - 0.18 * latent, 0.3))
    gap_share = np.clip(1 - registered / workers, 0, 1)
    logit = (
        -1.6
        + 2.6 * gap_share
        + 0.35 * np.minimum(months, 8)
        + 0.12 * late
        - 0.5 * (wage > ump * 1.3)
        + 0.25 * np.log1p(workers) * (gap_share > 0.3)
        - 0.04 * np.minimum(age_years, 30)
        + se
        + 0.5 * pe
        + 0.55 * latent
    )
    risk = 1 / (1 + np.exp(-logit))
    outcome = (rng.random(n) < risk).astype(int)
    # targeted inspections: arrears, late payments, size and some sectors
    pull = np.exp(0.45 * (months > 0) + 0.08 * late + 0.25 * np.log1p(workers) + 0.6 * se)
    p_inspect = np.minimum(1.0, pull * inspected * n / pull.sum())
    labelled = rng.random(n) < p_inspect
    since = pd.Timestamp("2025-06-30") - pd.to_timedelta(np.round(age_years * 365.25), "D")
    return pd.DataFrame(
        {
            "employer_id": [f"IND{seed:02d}-{i:07d}" for i in range(n)],
            "province": province,
            "district": [f"Kab {k:02d}" for k in rng.integers(1, 15, n)],
            "sector": sector,
            "workers_reported": workers,
            "workers_registered": registered,
            "dependants_registered": deps,
            "wage_reported_idr": np.round(wage, -3),
            "months_in_arrears": months,
            "arrears_idr": np.round(months * registered * wage * 0.05, -3),
            "late_payments_12m": late,
            "deactivations_12m": deact,
            "registered_since": since.strftime("%Y-%m-%d"),
            "noncompliant": pd.array(np.where(labelled, outcome, pd.NA), dtype="Int8"),
            "true_risk": np.round(risk, 6),
            "true_noncompliant": outcome,
        }
    )


def perjaka(*argv: str) -> str:
    """Run one ``perjaka`` command in this process; its standard output."""
    from perjaka_analysis.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(list(argv))
    if status != 0:
        raise SystemExit(f"perjaka {' '.join(argv)} exited with {status}")
    return out.getvalue()


def best_share(reg: pd.DataFrame, listed: np.ndarray, value: np.ndarray) -> float:
    """``value`` reached by the listed rows, over the best plan of the same size
    per province among uninspected rows."""
    open_ = reg["noncompliant"].isna().to_numpy()
    v = pd.Series(np.where(open_, value, -np.inf))
    size = pd.Series(listed).groupby(reg["province"].to_numpy()).sum()
    best = sum(
        g.nlargest(int(size.get(p, 0))).clip(lower=0).sum()
        for p, g in v.groupby(reg["province"].to_numpy())
    )
    return float(value[listed].sum() / best)


def one_round(rows: int, seed: int, folder: Path) -> dict:
    reg = make_registry(rows, seed)
    path = folder / f"registry-{seed}.csv"
    reg.to_csv(path, index=False)
    t0 = time.perf_counter()
    plan = folder / f"plan-{seed}.csv"
    perjaka("employers", "score", "--registry", str(path), "--out", str(plan))
    score_s = time.perf_counter() - t0
    ident = folder / f"plan-{seed}-identified.csv"
    perjaka("employers", "reidentify", "--registry", str(path), "--plan", str(plan),
            "--out", str(ident))  # fmt: skip
    visited = pd.read_csv(ident)
    truth = reg.set_index("employer_id")["true_noncompliant"]
    gap = (reg["workers_reported"] - reg["workers_registered"]).clip(lower=0).to_numpy()
    listed = reg["employer_id"].isin(visited["employer_id"]).to_numpy()
    quality = best_share(reg, listed, reg["true_risk"].to_numpy() * gap)
    data_date = pd.Timestamp(visited["data_date"].iloc[0])
    outcomes = pd.DataFrame(
        {
            "employer": visited["pseudonym"],
            "inspection_list": visited["inspection_list"],
            "inspected_on": f"{data_date + pd.Timedelta(days=45):%Y-%m-%d}",
            "noncompliant": truth.loc[visited["employer_id"]].to_numpy(),
        }
    )
    out_path = folder / f"outcomes-{seed}.csv"
    outcomes.to_csv(out_path, index=False)
    merged = folder / f"registry-{seed}-merged.csv"
    perjaka("employers", "merge", "--registry", str(path), "--plan", str(plan),
            "--outcomes", str(out_path), "--out", str(merged))  # fmt: skip
    t1 = time.perf_counter()
    ev = json.loads(perjaka("employers", "evaluate", "--registry", str(merged), "--json"))
    evaluate_s = time.perf_counter() - t1
    # the truth, computed here
    from perjaka_analysis.employers import RiskModel
    from perjaka_analysis.employers.evaluate import pair_auc
    from perjaka_analysis.loaders import read_registry

    after = read_registry(merged)
    y = after["true_noncompliant"].to_numpy()
    scores = RiskModel(random_state=0).fit(after).risk_out_of_fold(after).to_numpy()
    next_plan = folder / f"plan-{seed}-next.csv"
    perjaka("employers", "score", "--registry", str(merged), "--out", str(next_plan),
            "--identified")  # fmt: skip
    nxt = pd.read_csv(next_plan)
    on = after["employer_id"].isin(nxt.loc[nxt["on_list"], "employer_id"]).to_numpy()
    true = {
        "base_rate": float(y.mean()),
        "roc_auc": pair_auc(scores, y, 1 - y),
        "precision_at_capacity": float(y[on].mean()),
    }
    dr = ev["dr"]
    cal = ev["model"]
    return {
        "seed": seed,
        "rows": rows,
        "inspected_before": int(reg["noncompliant"].notna().sum()),
        "plan": int(listed.sum()),
        "random_picks": int((visited["selection"] == "random").sum()),
        "min_inclusion": float(visited["inclusion_probability"].min()),
        "workers_vs_best": quality,
        "propensity_source": ev["propensity_source"],
        "base_rate_dr_se": ev["dr_standard_error"]["base_rate"],
        "dr_findings": ev["dr_uncertainty"]["findings"],
        "base_rate_dr_interval_95": ev["dr_uncertainty"]["base_rate_interval_95"],
        "truth_in_dr_interval": bool(
            ev["dr_uncertainty"]["base_rate_interval_95"][0]
            <= true["base_rate"]
            <= ev["dr_uncertainty"]["base_rate_interval_95"][1]
        ),
        "findings_for_0.01": ev["dr_uncertainty"]["findings_for_half_width"],
        **{f"{k}_dr": dr[k] for k in true},
        **{f"{k}_ipw": ev["ipw"][k] for k in true},
        **{f"{k}_truth": true[k] for k in true},
        **{f"{k}_error": dr[k] - true[k] for k in true},
        **{f"{k}_model": cal[k] for k in true},
        **{f"{k}_model_error": cal[k] - true[k] for k in true},
        "calibration_check": ev["calibration_check"]["consistent"],
        "evaluate_truth_agrees": all(abs(ev["truth"][k] - true[k]) < 1e-9 for k in true),
        "score_s": score_s,
        "evaluate_s": evaluate_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    os.environ.setdefault("PERJAKA_PSEUDONYM_KEY", "benchmark-key")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = one_round(args.rows, seed, Path(tmp))
            results.append(r)
            print(json.dumps(r), flush=True)
    table = pd.DataFrame(results).set_index("seed")
    limits = {"base_rate": 0.01, "roc_auc": 0.01, "precision_at_capacity": 0.02}
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.T.to_string())
    print("\n| seed | base rate DR / model / truth | ROC AUC DR / model / truth | "
          "precision DR / model / truth | workers vs best |")  # fmt: skip
    print("|---|---|---|---|---|")
    for seed, r in table.iterrows():
        cells = [
            f"{r[f'{k}_dr']:.3f} / {r[f'{k}_model']:.3f} / {r[f'{k}_truth']:.3f}" for k in limits
        ]
        print(f"| {seed} | " + " | ".join(cells) + f" | {r['workers_vs_best']:.3f} |")
    for k, limit in limits.items():
        for name, col in (("DR", f"{k}_error"), ("model", f"{k}_model_error")):
            worst = table[col].abs().max()
            print(f"{k}: largest |{name} - truth| {worst:.4f} (target {limit}) "
                  f"{'met' if worst <= limit else 'NOT met'}")  # fmt: skip
    print(
        "DR base rate: truth inside the reported 95% interval in "
        f"{int(table['truth_in_dr_interval'].sum())} of {len(table)} seeds; random findings "
        f"{', '.join(f'{int(x):,}' for x in table['dr_findings'])}; for +-0.01 a round would "
        f"need about {', '.join(f'{int(x):,}' for x in table['findings_for_0.01'])}"
    )
    worst = table["workers_vs_best"].min()
    print(f"list quality: lowest workers vs best {worst:.3f} (target 0.95) "
          f"{'met' if worst >= 0.95 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
