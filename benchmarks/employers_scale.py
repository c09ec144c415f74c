"""Employer risk pipeline at scale: 1,000,000 synthetic employers.

In separate child processes (so that each peak memory is its own):

1. pipeline: read + validate the registry CSV, train the calibrated risk model
   on the labelled rows and build the plan a team receives
   (``score_registry(rows="plan")``, ``perjaka employers score --plan-only``:
   the risk of the employers that could be ranked picks and of the random
   picks, pseudonyms, reasons and expected gain of the plan's rows; code
   without that option writes every row). Once more, not alternated, it
   scores and writes every employer (``rows="all"``, the command's default),
   for the record;
2. plain (same training rows): read the CSV, HistGradientBoostingClassifier
   with default settings fit on the same labelled rows' raw columns, predict
   all rows — the like-for-like reference (target: pipeline within 1.5x);
3. with ``--all-rows``, plain (all rows): the same, fit on all 1,000,000 rows
   with their true synthetic outcome (for scale only).

The pipeline and the plain reference run ``--repeat`` times each, alternated
(pipeline, plain, pipeline, ...), so that a change in the machine's load
falls on both sides; the medians and their ratio are reported, with the load
average (1 minute) before each run. Both sides run with the same thread
settings: the library defaults, or ``OMP_NUM_THREADS=--threads``.

``--quality`` instead measures the lists and the evaluation on 200,000-row
registries of the shipped and of an independent generator, random and
targeted inspections (workers and noncompliant employers found against the
best possible lists, stability under shuffling, naive / IPW / doubly robust
figures against the truth, AUC gap to Bayes on uninspected rows).

Prints wall times, peak memory (max RSS), the ratios, and the ROC AUC of the
scores on the rows the model never saw, against the Bayes-optimal AUC of the
true probabilities (target gap <= 0.01).

Usage: python benchmarks/employers_scale.py [--rows 1000000] [--label-share 0.08]
       [--repeat 5] [--threads N] [--all-rows]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAW = [
    "workers_reported",
    "workers_registered",
    "dependants_registered",
    "wage_reported_idr",
    "months_in_arrears",
    "arrears_idr",
    "late_payments_12m",
    "deactivations_12m",
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(path: str, every_row: bool = False) -> dict:
    import warnings

    from sklearn.metrics import roc_auc_score

    from perjaka_analysis import read_registry
    from perjaka_analysis.employers import RiskModel, score_registry

    warnings.simplefilter("ignore")
    c0, t0 = time.process_time(), time.perf_counter()
    registry = read_registry(path)
    t_read = time.perf_counter() - t0
    model = RiskModel(random_state=0).fit(registry)
    t_fit = time.perf_counter() - t0 - t_read
    # the plan's rows (what a team receives), where the code can write them alone
    plan_only = "rows" in inspect.signature(score_registry).parameters
    written = {"rows": "plan"} if plan_only and not every_row else {}
    table = score_registry(registry, model=model, key=b"benchmark-key", **written)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    unseen = registry["noncompliant"].isna().to_numpy()
    risk = model.predict_risk(registry).to_numpy()
    truth = registry["true_noncompliant"].to_numpy()
    return {
        "seconds": total,
        "cpu_s": cpu,
        "read_validate_s": t_read,
        "train_s": t_fit,
        "score_s": total - t_read - t_fit,
        "peak_mb": peak_mb(),
        "rows": len(table),
        "labelled": int((~unseen).sum()),
        "auc_unseen": float(roc_auc_score(truth[unseen], risk[unseen])),
        "bayes_auc_unseen": float(
            roc_auc_score(truth[unseen], registry["true_risk"].to_numpy()[unseen])
        ),
        "on_list": int(table["on_list"].sum()),
    }


def run_plain(path: str, all_rows: bool) -> dict:
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    # the CSV read is timed, as on the pipeline side
    c0, t0 = time.process_time(), time.perf_counter()
    frame = pd.read_csv(path)
    x = frame[RAW].copy()
    x["sector"] = frame["sector"].astype("category").cat.codes
    x["province"] = frame["province"].astype("category").cat.codes
    if all_rows:
        train, y = x, frame["true_noncompliant"]
    else:
        labelled = frame["noncompliant"].notna()
        train, y = x[labelled], frame.loc[labelled, "noncompliant"].astype(int)
    clf = HistGradientBoostingClassifier(random_state=0).fit(train, y)
    clf.predict_proba(x)
    return {
        "seconds": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "peak_mb": peak_mb(),
        "train_rows": len(train),
    }


def _best_share(frame, listed, value, capacity):
    """Sum of ``value`` over the listed rows, as a share of the best list of the
    same size per province among uninspected rows (ranked by ``value`` itself)."""
    import numpy as np
    import pandas as pd

    open_ = frame["noncompliant"].isna().to_numpy()
    v = pd.Series(np.where(open_, value, -np.inf), index=frame.index)
    size = listed.groupby(frame["province"]).sum()
    best = 0.0
    for prov, g in v.groupby(frame["province"]):
        best += g.nlargest(int(size.get(prov, 0))).clip(lower=0).sum()
    return float(value[listed.to_numpy()].sum() / best)


def run_quality(generator: str, selective: bool, rows: int, capacity: int, seed: int) -> dict:
    """The list and evaluation figures on one registry (new or old API)."""
    import warnings

    import numpy as np
    from sklearn.metrics import roc_auc_score

    from perjaka_analysis.employers import RiskModel, evaluate, score_registry, synth

    warnings.simplefilter("ignore")
    make = synth.generate_registry
    if generator == "independent":
        make = synth.generate_independent_registry
    reg = make(rows, seed=seed, label_share=0.08, selective=selective).frame
    new_api = hasattr(RiskModel, "predict_risk")
    t0 = time.perf_counter()
    model = RiskModel(random_state=0).fit(reg)
    fit_s = time.perf_counter() - t0
    table = score_registry(reg, model=model, capacity=capacity, identified=True)
    listed_ids = set(table.loc[table["on_list"], "employer_id"])
    shuffled = reg.sample(frac=1, random_state=1)
    model2 = RiskModel(random_state=0).fit(shuffled)
    table2 = score_registry(shuffled, model=model2, capacity=capacity, identified=True)
    risk2 = table2.set_index("employer_id")["risk"]
    listed2 = set(table2.loc[table2["on_list"], "employer_id"])
    risk1 = table.set_index("employer_id")["risk"]
    listed = reg["employer_id"].isin(listed_ids)
    gap = (reg["workers_reported"] - reg["workers_registered"]).clip(lower=0).to_numpy()
    p = reg["true_risk"].to_numpy()
    truth = reg["true_noncompliant"].to_numpy()
    risk = model.predict_risk(reg) if new_api else model.predict(reg)
    un = reg["noncompliant"].isna().to_numpy()
    out = {
        "generator": generator,
        "inspections": "targeted" if selective else "random",
        "fit_s": fit_s,
        "listed": int(listed.sum()),
        "listed_inspected": int((listed & ~reg["noncompliant"].isna()).sum()),
        "expected_workers_found": float((p * gap)[listed.to_numpy()].sum()),
        "workers_vs_best": _best_share(reg, listed, p * gap, capacity),
        "noncompliant_vs_best": _best_share(reg, listed, p, capacity),
        "list_changed_by_shuffle": len(listed_ids ^ listed2) // 2,
        "max_risk_change_by_shuffle": float((risk1 - risk2.reindex(risk1.index)).abs().max()),
        "distinct_risk_share": float(risk1.nunique() / len(risk1)),
        "auc_gap_uninspected": float(
            roc_auc_score(truth[un], p[un]) - roc_auc_score(truth[un], np.asarray(risk)[un])
        ),
    }
    if new_api:
        from perjaka_analysis.employers.score import priority_scores, rank_within_province

        oof = model.risk_out_of_fold(reg)
        for rank_by in ("risk", "blend"):
            rank = rank_within_province(
                reg["province"],
                priority_scores(reg, oof, rank_by=rank_by),
                oof,
                ids=reg["employer_id"],
                eligible=reg["noncompliant"].isna(),
            )
            alt = (rank <= capacity).fillna(False).astype(bool)
            out[f"{rank_by}:workers_vs_best"] = _best_share(reg, alt, p * gap, capacity)
            out[f"{rank_by}:noncompliant_vs_best"] = _best_share(reg, alt, p, capacity)
            out[f"{rank_by}:expected_workers_found"] = float((p * gap)[alt.to_numpy()].sum())
        ev = evaluate(reg, capacity=capacity, model=model)
        for k in ("base_rate", "roc_auc", "precision_at_capacity"):
            out[f"{k}_naive"] = ev["naive"][k]
            out[f"{k}_dr"] = ev["dr"][k]
            out[f"{k}_ipw"] = ev["ipw"][k]
            out[f"{k}_truth"] = ev["truth"][k]
    elif not os.environ.get("PERJAKA_BENCH_SKIP_EVALUATE"):
        ev = evaluate(reg, capacity=capacity, model=RiskModel(random_state=0))
        for k in ("base_rate", "roc_auc", "precision_at_capacity"):
            out[f"{k}_naive"] = ev["cv"][k]
            out[f"{k}_truth"] = ev["population"][k]
    return out


def markdown_rows(rows: list[dict]) -> str:
    """The README table rows of the quality figures."""

    def trio(r: dict, k: str) -> str:
        return " / ".join(
            f"{r.get(f'{k}_{x}', float('nan')):.3f}" for x in ("naive", "dr", "truth")
        )

    return "\n".join(
        f"| {r['generator']}, {r['inspections']} | {r['workers_vs_best']:.3f} | "
        f"{r['noncompliant_vs_best']:.3f} | {r['list_changed_by_shuffle']} | "
        f"{r['auc_gap_uninspected']:.3f} | {trio(r, 'base_rate')} | {trio(r, 'roc_auc')} | "
        f"{trio(r, 'precision_at_capacity')} |"
        for r in rows
    )


def quality(args: argparse.Namespace) -> None:
    rows = []
    for generator in ("shipped", "independent"):
        for selective in (False, True) if not args.targeted_only else (True,):
            t0 = time.perf_counter()
            r = run_quality(generator, selective, args.rows, args.capacity, args.seed)
            r["seconds"] = time.perf_counter() - t0
            rows.append(r)
            print(json.dumps(r), flush=True)
    import pandas as pd

    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(pd.DataFrame(rows).set_index(["generator", "inspections"]).T.round(3).to_string())
    print(markdown_rows(rows))


def child(mode: str, path: str, threads: int | None = None) -> dict:
    env = dict(os.environ)
    if threads:  # the same on both sides
        env["OMP_NUM_THREADS"] = str(threads)
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--path", path],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load_1min": load}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, help="registry size (default 1,000,000; 200,000 with --quality)"
    )
    parser.add_argument("--label-share", type=float, default=0.08)
    parser.add_argument("--child", choices=["pipeline", "pipeline-all", "plain", "plain-all"])
    parser.add_argument("--path")
    parser.add_argument(
        "--quality",
        action="store_true",
        help="list and evaluation figures on 200,000-row registries of both generators",
    )
    parser.add_argument("--capacity", type=int, default=480)
    parser.add_argument("--targeted-only", action="store_true")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--markdown", help="print the README rows of saved --quality output")
    parser.add_argument("--repeat", type=int, default=5, help="alternated runs of each side")
    parser.add_argument("--threads", type=int, help="OMP_NUM_THREADS of both sides")
    parser.add_argument("--all-rows", action="store_true", help="also fit plain on every row")
    parser.add_argument("--csv", help="a registry CSV written earlier (instead of a new one)")
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 200_000 if args.quality else 1_000_000
    if args.markdown:
        lines = Path(args.markdown).read_text().splitlines()
        print(markdown_rows([json.loads(x) for x in lines if x.startswith("{")]))
        return
    if args.quality:
        quality(args)
        return
    if args.child:
        result = (
            run_pipeline(args.path, every_row=args.child == "pipeline-all")
            if args.child.startswith("pipeline")
            else run_plain(args.path, all_rows=args.child == "plain-all")
        )
        print(json.dumps(result))
        return

    from perjaka_analysis.employers import generate_registry

    with tempfile.TemporaryDirectory() as tmp:
        path = args.csv or str(Path(tmp) / "registry.csv")
        if not args.csv:
            t0 = time.perf_counter()
            generate_registry(args.rows, seed=1, label_share=args.label_share).frame.to_csv(
                path, index=False
            )
            print(
                f"generated {args.rows:,} synthetic employers in {time.perf_counter() - t0:.1f} s"
            )
        pipes, plains = [], []
        for i in range(args.repeat):
            pipes.append(child("pipeline", path, args.threads))
            plains.append(child("plain", path, args.threads))
            print(
                f"run {i + 1}: pipeline {pipes[-1]['seconds']:.1f} s (load "
                f"{pipes[-1]['load_1min']:.1f}; read+validate {pipes[-1]['read_validate_s']:.1f}, "
                f"train {pipes[-1]['train_s']:.1f}, score {pipes[-1]['score_s']:.1f}), plain "
                f"{plains[-1]['seconds']:.1f} s (load {plains[-1]['load_1min']:.1f}), ratio "
                f"{pipes[-1]['seconds'] / plains[-1]['seconds']:.2f}x; CPU "
                f"{pipes[-1]['cpu_s']:.1f} / {plains[-1]['cpu_s']:.1f} s",
                flush=True,
            )
        plain_all = child("plain-all", path, args.threads) if args.all_rows else None
        every = child("pipeline-all", path, args.threads)
    pipe = sorted(pipes, key=lambda r: r["seconds"])[len(pipes) // 2]
    plain = sorted(plains, key=lambda r: r["seconds"])[len(plains) // 2]
    print(
        f"pipeline, median of {len(pipes)} (read+validate {pipe['read_validate_s']:.1f} s, "
        f"train {pipe['train_s']:.1f} s, score {pipe['score_s']:.1f} s): "
        f"{median([r['seconds'] for r in pipes]):.1f} s, "
        f"peak {max(r['peak_mb'] for r in pipes):.0f} MB"
    )
    print(f"  labelled rows {pipe['labelled']:,}; employers on the lists {pipe['on_list']:,}")
    print(
        f"plain HGB fit+predict, same {plain['train_rows']:,} training rows, median: "
        f"{median([r['seconds'] for r in plains]):.1f} s, "
        f"peak {max(r['peak_mb'] for r in plains):.0f} MB"
    )
    threads = f"OMP_NUM_THREADS={args.threads}" if args.threads else "default threads"
    print(
        f"ratio pipeline / plain (medians, CSV read on both sides, {threads}): "
        f"{median([r['seconds'] for r in pipes]) / median([r['seconds'] for r in plains]):.2f}x"
        f"  (target <= 1.5); per run: "
        + ", ".join(
            f"{a['seconds'] / b['seconds']:.2f}" for a, b in zip(pipes, plains, strict=True)
        )
    )
    cpu_pipe, cpu_plain = (median([r["cpu_s"] for r in x]) for x in (pipes, plains))
    print(
        f"CPU time (all threads; less sensitive to other load), medians: pipeline "
        f"{cpu_pipe:.1f} s, plain {cpu_plain:.1f} s, ratio {cpu_pipe / cpu_plain:.2f}x"
    )
    ratio_all = every["seconds"] / median([r["seconds"] for r in plains])
    print(
        f"pipeline scoring and writing every employer (rows='all', one run, load "
        f"{every['load_1min']:.1f}): {every['seconds']:.1f} s (read+validate "
        f"{every['read_validate_s']:.1f}, train {every['train_s']:.1f}, score "
        f"{every['score_s']:.1f}), {ratio_all:.2f}x "
        f"the plain median; {every['rows']:,} rows"
    )
    if plain_all is not None:
        print(
            f"plain HGB fit+predict, all {plain_all['train_rows']:,} rows: "
            f"{plain_all['seconds']:.1f} s, peak {plain_all['peak_mb']:.0f} MB"
        )
    gap = pipe["bayes_auc_unseen"] - pipe["auc_unseen"]
    print(
        f"ROC AUC on unlabelled rows: model {pipe['auc_unseen']:.4f}, "
        f"Bayes-optimal {pipe['bayes_auc_unseen']:.4f}, gap {gap:.4f} (target <= 0.01)"
    )


if __name__ == "__main__":
    main()
