"""The employer commands: synthetic registry, scores and plan, outcomes, evaluation.

The employer pipeline loads scikit-learn; it is imported by these commands
only, so the other commands start without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import pandas as pd

from ..io import read_table, write_table
from ..loaders import read_registry
from ..privacy import load_key
from ..validate import validate_outcomes
from .checks import _check_input

__all__ = [
    "cmd_evaluate",
    "cmd_merge",
    "cmd_reidentify",
    "cmd_score",
    "cmd_semester",
    "cmd_synth",
]


def cmd_synth(args: argparse.Namespace) -> int:
    """``perjaka employers synth``: write a synthetic registry."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..employers.synth import SYNTHETIC_NOTE, generate_registry

    reg = generate_registry(
        args.n,
        seed=args.seed,
        province=args.province,
        label_share=args.label_share,
        selective=args.selective,
    )
    write_table(reg.frame, args.out)
    labelled = int(reg.frame["noncompliant"].notna().sum())
    print(f"{args.out}: {len(reg.frame)} employers, {labelled} with an inspection label")
    print(SYNTHETIC_NOTE)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """``perjaka employers score``: risk, rank, reasons and the inspection plan."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..employers.score import score_registry
    from ..employers.synth import SYNTHETIC_NOTE

    registry = read_registry(args.registry)
    key = None if args.identified else load_key(args.key_file)
    table = score_registry(
        registry,
        capacity=args.capacity,
        identified=args.identified,
        key=key,
        language=args.language,
        reasons_for=args.reasons_for,
        random_state=args.seed,
        rank_by=args.rank_by,
        rows="plan" if args.plan_only else "all",
        **{
            name: value
            for name in ("random_share", "min_inclusion")
            if (value := getattr(args, name)) is not None
        },
    )
    write_table(table, args.out)
    n_list = int(table["on_list"].sum())
    n_random = int((table["selection"] == "random").sum())
    if args.plan_only:
        print(f"{args.out}: the plan's {len(table)} of {len(registry)} employers")
    else:
        print(f"{args.out}: {len(table)} employers scored, {n_list} on the inspection lists")
    if len(table):
        first = table.iloc[0]
        print(
            f"plan {first['inspection_list']} (model {first['model_version']}, data of "
            f"{first['data_date']}): {n_list - n_random} ranked, {n_random} drawn at random"
        )
    if "true_risk" in registry:
        print(SYNTHETIC_NOTE)
    if args.identified:
        print("warning: output holds employer_id (identified); do not share it", file=sys.stderr)
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """``perjaka employers merge``: merge checked inspection outcomes into a registry."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..employers.outcomes import contract_headers, merge_outcomes, read_plan

    registry = read_registry(args.registry)
    plan = read_plan(args.plan)
    outcomes = validate_outcomes(contract_headers(read_table(args.outcomes)), args.outcomes)
    key = None if "employer_id" in plan else load_key(args.key_file, create=False)
    merged = merge_outcomes(registry, outcomes, plan, key=key, path=args.outcomes)
    write_table(merged, args.out)
    found = int(outcomes["noncompliant"].sum())
    print(
        f"{args.out}: {len(outcomes)} findings of plan "
        f"{', '.join(sorted(outcomes['inspection_list'].unique()))} merged "
        f"({found} noncompliant); {int(merged['noncompliant'].notna().sum())} labelled employers"
    )
    return 0


def cmd_reidentify(args: argparse.Namespace) -> int:
    """``perjaka employers reidentify``: the plan with each employer_id."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..employers.outcomes import read_plan, reidentify

    plan = read_plan(args.plan)
    table = reidentify(plan, read_registry(args.registry), load_key(args.key_file, create=False))
    write_table(table, args.out)
    print(f"{args.out}: {len(table)} employers of the plan with their employer_id")
    print("warning: output holds employer_id (identified); do not share it", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``perjaka employers evaluate``: cross-validated metrics of the risk model."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..employers.evaluate import (
        SelectionWarning,
        evaluate,
        evaluation_summary,
        metrics_table,
    )

    # heavy: the same pipeline
    from ..employers.synth import SYNTHETIC_NOTE

    registry = read_registry(args.registry)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SelectionWarning)  # printed below, once
        result = evaluate(
            registry,
            capacity=args.capacity,
            random_state=args.seed,
            rank_by=args.rank_by,
            random_share=args.random_share,
            min_inclusion=args.min_inclusion,
        )
    for message in result["warnings"]:
        print(f"warning: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(evaluation_summary(result), indent=2))
        return 0
    table = metrics_table(result)
    with pd.option_context("display.width", 200):
        print(
            f"Noncompliance risk model — capacity {args.capacity} inspections per province, "
            f"plan ranked by {args.rank_by} with its random reserve (the plan 'score' writes); "
            f"probability of inspection {result['propensity_source']}; doubly robust outcome "
            f"model: {result['outcome_model']}"
        )
        print(table.round(3).to_string())
    unc = result["dr_uncertainty"]
    if unc["findings"]:
        lo, hi = unc["base_rate_interval_95"]
        check = "consistent" if result["calibration_check"]["consistent"] else "NOT consistent"
        print(
            f"\ndoubly robust base rate {result['dr']['base_rate']:.3f}, 95% interval "
            f"{lo:.3f}–{hi:.3f}, from {unc['findings']:,} findings that stand for the "
            f"uninspected employers; ±{unc['half_width']:.2f} would take about "
            f"{unc['findings_for_half_width']:,}. The model's figures are checked against it "
            f"(calibration check: {check})"
        )
    print(
        f"\nrecommended: reserve {result['recommended_random_share']:.0%} of capacity for "
        "random inspections (--random-share) so that outcomes can be evaluated without bias"
    )
    if "bayes_auc" in result:
        print(f"\nBayes-optimal ROC AUC (true probabilities): {result['bayes_auc']:.3f}")
        print(f"gap to the model (all rows): {result['auc_gap']:.3f}  (target <= 0.01)")
        print(f"gap on uninspected rows: {result['auc_gap_uninspected']:.3f}")
        print(
            "precision at capacity with the true probabilities: "
            f"{result['bayes_precision_at_capacity']:.3f}"
        )
        print(SYNTHETIC_NOTE)
    return 0


def cmd_semester(args: argparse.Namespace) -> int:
    """``perjaka employers semester``: the monitoring and evaluation report of a period."""
    # heavy: the employer pipeline loads scikit-learn, which other commands never need
    from ..semester import write_semester_report

    for option, paths in (("--plan", args.plan_files), ("--outcomes", args.outcome_files)):
        for path in paths:
            _check_input(Path(path), option)
    written, note = write_semester_report(
        args.registry,
        args.plan_files,
        args.outcome_files,
        period=args.period,
        out=args.out,
        provinces=args.province or (),
        languages=[args.language] if args.language else ["id", "en"],
        key_file=args.key_file,
        pdf=args.pdf,
    )
    for path in written:
        print(path)
    if note:
        print(f"note: {note}", file=sys.stderr)
    return 0
