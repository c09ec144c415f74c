"""The ``perjaka`` command: a thin layer over library calls.

Every user error (bad input, unknown province, a bad option value, a missing
input file, an output folder that cannot be written) is printed as one message
and ends with exit status 2, without a traceback. Options are checked in one
place (:func:`validate_args`) before a command touches any file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import DataQualityWarning, PerjakaError, Terminated

__all__ = ["main", "validate_args"]


def _cmd_data_build(args: argparse.Namespace) -> int:
    from .datasets import build_processed

    written = build_processed(args.raw, args.out)
    for name, path in written.items():
        print(f"{name:<22} {path}")
    print(f"{len(written)} tables written")
    return 0


def _cmd_data_check(args: argparse.Namespace) -> int:
    from .loaders import check_file

    status = 0
    for path in args.paths:
        try:
            frame = check_file(path, args.kind)
        except PerjakaError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        print(f"{path}: ok, {len(frame)} rows, {frame.shape[1]} columns")
    return status


def _cmd_summary(args: argparse.Namespace) -> int:
    import pandas as pd

    from .coverage import coverage_summary
    from .datasets import load_coverage, load_provinces

    coverage = load_coverage(args.coverage)
    table = coverage_summary(coverage, load_provinces())
    if args.out:
        from .io import write_table

        write_table(table, args.out)
    view = table.assign(
        latest_date=table["latest_date"].dt.strftime("%Y-%m-%d"),
        first_date=table["first_date"].dt.strftime("%Y-%m"),
        latest_pct=table["latest_pct"].round(2),
        note=(table["territory"] != table["province"]).map({True: "pre-split", False: ""}),
    )[
        [
            "province",
            "n_points",
            "first_date",
            "latest_date",
            "latest_pct",
            "rank",
            "gap_95_pp",
            "gap_98_pp",
            "gap_98_people",
            "source",
            "note",
        ]
    ]
    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print("JKN registration coverage by province (measure: registered; latest figure)")
        print(view.to_string(index=False, na_rep="–"))
    if (view["note"] == "pre-split").any():
        print("\npre-split: the latest figure predates a boundary split and refers to the older,")
        print("larger territory (see `perjaka provinces` and data/README.md).")
    missing = table.loc[table["n_points"] == 0, "province"].tolist()
    if missing:
        print(f"\nNo registration figure for {len(missing)} provinces: {', '.join(missing)}")
    return 0


def _fit(args: argparse.Namespace):
    from .datasets import load_coverage, load_uhc_status
    from .trend import CoverageTrendModel

    coverage = load_coverage(args.coverage)
    status = None if args.no_status else load_uhc_status()
    model = CoverageTrendModel(coverage, method=args.method, ceiling=args.ceiling, status=status)
    return coverage, model.fit()


def _fit_active(args: argparse.Namespace, coverage, registration):
    """The active-share model, on the shipped active shares; registration converts bases."""
    from .active import ActiveShareModel, load_active_shares
    from .datasets import load_uhc_status

    shares = load_active_shares(coverage=coverage)
    status = None if getattr(args, "no_status", False) else load_uhc_status()
    return ActiveShareModel(
        shares, registration=registration, unclear=args.unclear, status=status
    ).fit()


def _rounded(frame):
    """What the data support: percentages and points to 2 decimals, probabilities to 3."""
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        if not pd.api.types.is_float_dtype(out[name]):
            continue
        if name in ("mean", "lower", "upper") or name.endswith(("_pct", "_pp")):
            out[name] = out[name].round(2)
        elif name.startswith("prob"):
            out[name] = out[name].round(3)
    return out


def _cmd_forecast_active(args: argparse.Namespace) -> int:
    from .io import write_table

    coverage, registration = _fit(args)
    results = _fit_active(args, coverage, registration)
    frame = results.forecast(args.until, levels=args.levels)
    write_table(_rounded(frame), args.out)
    n_places = frame["province"].nunique()
    n_own = sum(p.n_points > 0 for p in results.places.values())
    print(
        f"{args.out}: {len(frame)} rows, {n_places} places ({n_own} with active figures), "
        f"measure active (share of population), unclear bases read as {results.unclear}"
    )
    return 0


def _print_uhc_status(args: argparse.Namespace, coverage, registration) -> None:
    """UHC under today's definition (registered and active) for every place."""
    import pandas as pd

    from .datasets import load_targets
    from .io import write_table
    from .uhc import TODAY, compute_uhc_status, uhc_conditions

    active = _fit_active(args, coverage, registration)
    table = compute_uhc_status(
        registration,
        active,
        conditions=uhc_conditions(load_targets()),
        deadline=args.deadline,
        n_paths=args.paths,
        seed=args.seed,
    )
    if args.uhc_out:
        write_table(_rounded(table), args.uhc_out)
    wide = table.pivot(index="province", columns="condition", values="prob_by_deadline")
    today = table[table["condition"] == TODAY].set_index("province")
    view = pd.DataFrame(
        {
            "p_uhc": today["prob_by_deadline"].round(2),
            "expected": today["expected_date"].dt.strftime("%Y-%m"),
            "binds": today["binding"],
            "p_pratama": wide.filter(like="Pratama").iloc[:, 0].round(2),
            "p_madya": wide.filter(like="Madya").iloc[:, 0].round(2),
            "p_utama": wide.filter(like="Utama").iloc[:, 0].round(2),
            "active_basis": today["active_basis"],
        }
    ).reindex(list(dict.fromkeys(table["province"])))
    pair = table[table["condition"] == TODAY].iloc[0]
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(
            f"\nUHC today ({pair['registered_pct']:g}% registered and {pair['active_pct']:g}% "
            f"active) by {pd.Timestamp(args.deadline):%Y-%m-%d}: joint probability from paired "
            "paths; award levels from targets.csv"
        )
        print(view.to_string(na_rep="–"))


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .io import write_table

    if getattr(args, "measure", "registered") == "active":
        return _cmd_forecast_active(args)
    _, results = _fit(args)
    frame = results.forecast(args.until, levels=args.levels)
    write_table(_rounded(frame), args.out)
    n_places = frame["province"].nunique()
    print(f"{args.out}: {len(frame)} rows, {n_places} places, method {results.method}")
    return 0


def _cmd_targets(args: argparse.Namespace) -> int:
    import pandas as pd

    from .datasets import load_provinces
    from .forecast import compute_targets, population_by_place
    from .io import write_table

    coverage, results = _fit(args)
    table = compute_targets(
        results,
        targets=args.target or (95.0, 98.0),
        deadline=args.deadline,
        population=population_by_place(load_provinces(), coverage),
        n_paths=args.paths,
        seed=args.seed,
    )
    if args.out:
        write_table(_rounded(table), args.out)
    view = table.assign(
        expected=table["expected_date"].dt.strftime("%Y-%m"),
        interval_80=(
            table["date_lower_80"].dt.strftime("%Y-%m").fillna("")
            + " – "
            + table["date_upper_80"].dt.strftime("%Y-%m").fillna("later")
        ).where(table["status"] != "already above target", ""),
        p_deadline=table["prob_by_deadline"].round(2),
        required_month=table["required_per_month"].round(-2),
        recent_month=table["recent_per_month"].round(-2),
    )[
        [
            "province",
            "target_pct",
            "status",
            "expected",
            "interval_80",
            "p_deadline",
            "required_month",
            "recent_month",
            "basis",
        ]
    ]
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(f"Targets by {pd.Timestamp(args.deadline):%Y-%m-%d} (method {results.method})")
        print(view.to_string(index=False, na_rep="–"))
    if not args.no_uhc:
        _print_uhc_status(args, coverage, results)
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    import pandas as pd

    from .backtest import backtest
    from .datasets import load_coverage

    coverage = load_coverage(args.coverage)
    results = backtest(coverage, ceiling=args.ceiling)
    table = results.table()
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))
    print(f"\nmethod the backtest supports: {results.best_method()}")
    if args.out:
        from .io import write_table

        write_table(table, args.out)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = results.plot()
        ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"plot: {args.plot}")
    return 0


def _cmd_employers_synth(args: argparse.Namespace) -> int:
    from .employers.synth import SYNTHETIC_NOTE, generate_registry
    from .io import write_table

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


def _cmd_employers_score(args: argparse.Namespace) -> int:
    from .employers.score import score_registry
    from .employers.synth import SYNTHETIC_NOTE
    from .io import write_table
    from .loaders import read_registry
    from .privacy import load_key

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
        **{
            name: value
            for name in ("random_share", "min_inclusion")
            if (value := getattr(args, name)) is not None
        },
    )
    write_table(table, args.out)
    n_list = int(table["on_list"].sum())
    n_random = int((table["selection"] == "random").sum())
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


def _cmd_employers_merge(args: argparse.Namespace) -> int:
    from .employers.outcomes import contract_headers, merge_outcomes, read_plan
    from .io import read_table, write_table
    from .loaders import read_registry
    from .privacy import load_key
    from .validate import validate_outcomes

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


def _cmd_employers_reidentify(args: argparse.Namespace) -> int:
    from .employers.outcomes import read_plan, reidentify
    from .io import write_table
    from .loaders import read_registry
    from .privacy import load_key

    plan = read_plan(args.plan)
    table = reidentify(plan, read_registry(args.registry), load_key(args.key_file, create=False))
    write_table(table, args.out)
    print(f"{args.out}: {len(table)} employers of the plan with their employer_id")
    print("warning: output holds employer_id (identified); do not share it", file=sys.stderr)
    return 0


def _cmd_employers_evaluate(args: argparse.Namespace) -> int:
    import json
    import warnings

    import pandas as pd

    from .employers.evaluate import SelectionWarning, evaluate, evaluation_summary, metrics_table
    from .employers.synth import SYNTHETIC_NOTE
    from .loaders import read_registry

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


def _cmd_employers_semester(args: argparse.Namespace) -> int:
    from .semester import write_semester_report

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


def _cmd_report(args: argparse.Namespace) -> int:
    from .config import ReportConfig
    from .report import run_id_from_env, run_reports

    if not args.all and not args.province:
        raise PerjakaError("say which briefs: --province NAME (repeatable) or --all")
    given = {
        "as_of": args.as_of,
        "deadline": args.deadline,
        "language": args.language,
        "registry": str(args.registry) if args.registry else None,
        "capacity": args.capacity,
        "seed": args.seed,
        "targets": args.target,
    }
    given = {k: v for k, v in given.items() if v is not None}
    if args.config:
        config = ReportConfig.from_yaml(args.config, **given)
    else:
        config = ReportConfig.from_mapping(given)
    try:
        result = run_reports(
            None if args.all else args.province,
            config=config,
            out=args.out,
            run_id=args.run_id or run_id_from_env(),
            jobs=args.jobs,
            scheduler=args.scheduler,
            notebook=args.notebook,
            progress=not args.no_progress,
            reuse=not args.no_reuse,
            pdf=args.pdf is not None,
            replace=args.replace,
        )
    except KeyboardInterrupt as exc:
        word = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"{word}: {exc}" if str(exc) else word, file=sys.stderr)
        return _interrupted_status(exc)
    ok = len(result.outcomes) - len(result.failures)
    reused = " (facts reused)" if result.facts_reused else ""
    print(
        f"{result.run_dir}: {ok} of {len(result.outcomes)} briefs in {result.seconds:.1f} s{reused}"
    )
    print(f"overview: {result.run_dir / 'index.html'}")
    status = 0
    if result.pdf_skipped and args.pdf == "auto":
        print(
            "PDFs skipped: no Chromium found; to make them install the Debian package "
            "`chromium` (or set PERJAKA_CHROMIUM) and run again",
            file=sys.stderr,
        )
    elif result.pdf_note:  # asked for, not made: the command did not do what it was told
        print(f"error: PDFs requested but not all made: {result.pdf_note}", file=sys.stderr)
        status = 1
    if result.failures:
        print(f"{len(result.failures)} failed:\n{result.describe_failures()}", file=sys.stderr)
        status = 1
    return status


def _cmd_provinces(args: argparse.Namespace) -> int:
    from .errors import UnknownProvinceError
    from .provinces import normalise_province, province_table

    if args.name:
        unknown: dict[str, list[str]] = {}
        for name in args.name:
            try:
                print(f"{name!r} -> {normalise_province(name)}")
            except UnknownProvinceError as exc:
                unknown.update(exc.suggestions)
        if unknown:
            raise UnknownProvinceError(unknown)
        return 0
    table = province_table()[["bps_code", "province", "name_en", "aliases"]].copy()
    table["aliases"] = table["aliases"].str.join(", ")
    print(table.to_string(index=False))
    return 0


_UNCLEAR_OPTION = {
    "choices": ["mixture", "population", "participants", "drop"],
    "default": "mixture",
    "help": "how active shares of unclear basis are read (default: mixture of both)",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``perjaka`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="perjaka",
        description="JKN-KIS coverage, UHC targets and employer compliance workbench.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    data = sub.add_parser("data", help="build processed tables; check input files")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    build = data_sub.add_parser("build", help="rebuild data/processed/*.parquet from data/raw")
    build.add_argument("--raw", type=Path, help="raw folder (default data/raw)")
    build.add_argument("--out", type=Path, help="output folder (default data/processed)")
    build.set_defaults(func=_cmd_data_build)
    check = data_sub.add_parser("check", help="validate files against their data contract")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument(
        "--kind",
        choices=["coverage", "registry", "provinces", "targets", "uhc_status"],
        help="default: from header",
    )
    check.set_defaults(func=_cmd_data_check)

    summary = sub.add_parser("summary", help="print the latest coverage per province")
    summary.add_argument("--coverage", type=Path, help="coverage file (default: shipped data)")
    summary.add_argument("--out", type=Path, help="also write the table (.csv or .parquet)")
    summary.set_defaults(func=_cmd_summary)

    def model_options(p: argparse.ArgumentParser) -> None:
        from .trend import METHODS

        p.add_argument("--coverage", type=Path, help="coverage file (default: shipped data)")
        p.add_argument(
            "--method", choices=METHODS, default="saturation", help="default: saturation"
        )
        p.add_argument(
            "--ceiling", type=float, default=None, help="logit-scale ceiling, %% (default 102)"
        )
        p.add_argument(
            "--no-status",
            action="store_true",
            help="ignore the UHC status reports for places without figures",
        )

    fc = sub.add_parser("forecast", help="forecast coverage of every province and the nation")
    model_options(fc)
    fc.add_argument("--until", required=True, help="last forecast date, YYYY-MM-DD")
    fc.add_argument("--out", type=Path, required=True, help="output .csv or .parquet")
    fc.add_argument("--levels", type=int, nargs="+", default=[80, 95], help="interval levels")
    fc.add_argument(
        "--measure",
        choices=["registered", "active"],
        default="registered",
        help="registered (default) or active (share of population)",
    )
    fc.add_argument("--unclear", **_UNCLEAR_OPTION)
    fc.set_defaults(func=_cmd_forecast)

    tg = sub.add_parser("targets", help="when targets are reached, probability, required pace")
    model_options(tg)
    tg.add_argument("--deadline", default="2029-12-31", help="YYYY-MM-DD (default 2029-12-31)")
    tg.add_argument("--target", type=float, action="append", help="target %% (repeatable)")
    tg.add_argument("--out", type=Path, help="also write the table (.csv or .parquet)")
    tg.add_argument("--paths", type=int, default=2000, help="simulated paths per place")
    tg.add_argument("--seed", type=int, default=0)
    tg.add_argument("--no-uhc", action="store_true", help="skip UHC status (both conditions)")
    tg.add_argument("--uhc-out", type=Path, help="write the UHC status table (.csv or .parquet)")
    tg.add_argument("--unclear", **_UNCLEAR_OPTION)
    tg.set_defaults(func=_cmd_targets)

    bt = sub.add_parser("backtest", help="rolling-origin backtest of the trend methods")
    bt.add_argument("--coverage", type=Path, help="coverage file (default: shipped data)")
    bt.add_argument(
        "--ceiling", type=float, default=None, help="logit-scale ceiling, %% (default 102)"
    )
    bt.add_argument("--out", type=Path, help="write the table (.csv or .parquet)")
    bt.add_argument("--plot", type=Path, help="write the plot (.png)")
    bt.set_defaults(func=_cmd_backtest)

    emp = sub.add_parser("employers", help="synthetic registry, risk scores, evaluation")
    emp_sub = emp.add_subparsers(dest="employers_command", metavar="ACTION", required=True)
    syn = emp_sub.add_parser("synth", help="write a SYNTHETIC registry following the contract")
    syn.add_argument("--n", type=int, required=True, help="number of employers")
    syn.add_argument("--seed", type=int, default=0)
    syn.add_argument("--province", help="only this province (name, alias or code)")
    syn.add_argument("--label-share", type=float, default=0.08, help="share inspected")
    syn.add_argument(
        "--selective", action="store_true", help="inspect suspicious employers preferentially"
    )
    syn.add_argument("--out", type=Path, required=True, help="output .csv or .parquet")
    syn.set_defaults(func=_cmd_employers_synth)
    sc = emp_sub.add_parser("score", help="risk, rank, reasons and expected gain per employer")
    sc.add_argument("--registry", type=Path, required=True)
    sc.add_argument("--out", type=Path, required=True, help="output .csv or .parquet")
    sc.add_argument("--capacity", type=int, default=480, help="inspections per province")
    sc.add_argument(
        "--identified", action="store_true", help="write employer_id instead of pseudonyms"
    )
    sc.add_argument("--key-file", type=Path, help="pseudonym key file (see README)")
    sc.add_argument("--language", choices=["id", "en"], default="id")
    sc.add_argument("--reasons-for", choices=["list", "all"], default="list")
    sc.add_argument("--seed", type=int, default=0)
    sc.add_argument(
        "--rank-by",
        choices=["gain", "risk", "blend"],
        default="blend",
        help="rank by a blend of expected unregistered workers and risk (default), "
        "by expected unregistered workers (gain) or by risk",
    )
    sc.add_argument(
        "--random-share",
        type=float,
        help="share of capacity drawn at random among uninspected employers "
        "(default 0.05; see README)",
    )
    sc.add_argument(
        "--min-inclusion",
        type=float,
        help="smallest probability of being on the plan of any uninspected employer "
        "(the random reserve grows to meet it; default 0.002)",
    )
    sc.set_defaults(func=_cmd_employers_score)
    mg = emp_sub.add_parser(
        "merge", help="check inspection outcomes against their plan and merge them into a registry"
    )
    mg.add_argument("--registry", type=Path, required=True, help="the registry the plan came from")
    mg.add_argument("--plan", type=Path, required=True, help="the plan (.csv or .xlsx)")
    mg.add_argument("--outcomes", type=Path, required=True, help="outcomes file (.csv or .xlsx)")
    mg.add_argument("--key-file", type=Path, help="pseudonym key file of the plan")
    mg.add_argument("--out", type=Path, required=True, help="the merged registry (.csv/.parquet)")
    mg.set_defaults(func=_cmd_employers_merge)
    ri = emp_sub.add_parser(
        "reidentify", help="the plan with the employer_id of each pseudonym (for the key's holder)"
    )
    ri.add_argument("--registry", type=Path, required=True, help="the registry the plan came from")
    ri.add_argument("--plan", type=Path, required=True, help="the plan (.csv or .xlsx)")
    ri.add_argument("--key-file", type=Path, help="pseudonym key file of the plan")
    ri.add_argument("--out", type=Path, required=True, help="identified plan (.csv or .xlsx)")
    ri.set_defaults(func=_cmd_employers_reidentify)
    ev = emp_sub.add_parser("evaluate", help="cross-validated metrics of the risk model")
    ev.add_argument("--registry", type=Path, required=True)
    ev.add_argument("--capacity", type=int, default=480, help="inspections per province")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--rank-by", choices=["gain", "risk", "blend"], default="blend")
    ev.add_argument("--random-share", type=float, help="as for score (default 0.05)")
    ev.add_argument("--min-inclusion", type=float, help="as for score (default 0.002)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.set_defaults(func=_cmd_employers_evaluate)
    se = emp_sub.add_parser(
        "semester",
        help="monitoring and evaluation report of a period's inspections (HTML, PDF; id, en)",
    )
    se.add_argument("--registry", type=Path, required=True, help="the registry the plans came from")
    se.add_argument(
        "--plan", dest="plan_files", nargs="+", action="extend", required=True, metavar="PLAN",
        help="the period's plans as 'employers score' wrote them (.csv/.xlsx/.parquet)",
    )  # fmt: skip
    se.add_argument(
        "--outcomes", dest="outcome_files", nargs="+", action="extend", required=True,
        metavar="OUTCOMES", help="outcomes files or filled-in plans (.csv/.xlsx)",
    )  # fmt: skip
    se.add_argument(
        "--period", required=True, help="YYYY-S1 (January-June), YYYY-S2 or a quarter YYYY-Q1..Q4"
    )
    se.add_argument(
        "--province", action="append", help="one report for this province (repeatable; "
        "default: the national report with every province)",
    )  # fmt: skip
    se.add_argument("--language", choices=["id", "en"], help="default: both")
    se.add_argument("--key-file", type=Path, help="pseudonym key file of the plans")
    se.add_argument(
        "--pdf", nargs="?", const="always", choices=("always", "auto"),
        help="also write A4 PDFs (needs Chromium); --pdf auto: skip them, with a note, without it",
    )  # fmt: skip
    se.add_argument("--out", type=Path, required=True, help="folder of the report")
    se.set_defaults(func=_cmd_employers_semester)

    rep = sub.add_parser("report", help="province policy briefs and the national overview")
    which = rep.add_mutually_exclusive_group()
    which.add_argument("--province", action="append", help="name, alias or code (repeatable)")
    which.add_argument("--all", action="store_true", help="all 38 provinces")
    rep.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    rep.add_argument("--scheduler", help="dask.distributed scheduler address")
    rep.add_argument("--out", type=Path, default=Path("outputs/reports"))
    rep.add_argument(
        "--run-id",
        help="run folder name inside --out: letters, digits, '.', '-', '_' "
        "(default: UTC time + random suffix)",
    )
    rep.add_argument(
        "--replace", action="store_true", help="replace an earlier run of the same --run-id"
    )
    rep.add_argument(
        "--as-of", help="date of the briefs, YYYY-MM-DD (default: date of the latest figure)"
    )
    rep.add_argument("--deadline")
    rep.add_argument("--target", type=float, action="append", help="target %% (repeatable)")
    rep.add_argument("--language", choices=["id", "en"])
    rep.add_argument("--registry", type=Path, help="employer registry (default: synthetic)")
    rep.add_argument(
        "--capacity",
        type=int,
        help="inspections per province (default 0: per province from public counts, "
        "see public_figures.capacity_rule)",
    )
    rep.add_argument("--seed", type=int)
    rep.add_argument("--notebook", type=Path, help="brief notebook (default: the shipped one)")
    rep.add_argument("--no-progress", action="store_true")
    rep.add_argument("--config", type=Path, help="YAML file of report parameters")
    rep.add_argument(
        "--pdf",
        nargs="?",
        const="always",
        choices=("always", "auto"),
        help="also write an A4 PDF per brief (needs Chromium; without it the command "
        "fails); --pdf auto: skip the PDFs, with a note, when no Chromium is found",
    )
    rep.add_argument(
        "--no-reuse",
        action="store_true",
        help="recompute the facts even if an earlier run has them",
    )
    rep.set_defaults(func=_cmd_report)

    prov = sub.add_parser("provinces", help="list the 38 provinces or resolve names")
    prov.add_argument("name", nargs="*", help="names, aliases or BPS codes to resolve")
    prov.set_defaults(func=_cmd_provinces)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``perjaka`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 user error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", DataQualityWarning)
        shown: set[str] = set()  # each data-quality warning once per command

        def show(message, category, filename, lineno, file=None, line=None) -> None:
            if str(message) not in shown:
                shown.add(str(message))
                _show_warning(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            with _sigterm_as_interrupt():
                validate_args(args)
                return int(args.func(args))
        except PerjakaError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # the file system refused (permissions, disk full, ...)
            where = f": {exc.filename}" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:
            print("terminated" if isinstance(exc, Terminated) else "interrupted", file=sys.stderr)
            return _interrupted_status(exc)


def _interrupted_status(exc: BaseException) -> int:
    """128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C (SIGINT)."""
    return 143 if isinstance(exc, Terminated) else 130


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Meanwhile, SIGTERM raises :class:`~perjaka_analysis.errors.Terminated` (a
    KeyboardInterrupt): one path for both signals, which removes the lock, the
    workers and the temporary folders and writes what is complete."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- option checks: one place, by option name, before any file is touched -------

#: Numeric options: name -> (kind "int" or "number", minimum, maximum, minimum
#: exclusive). A --jobs upper bound (cores, memory) belongs to the runner.
_NUMERIC_OPTIONS: dict[str, tuple[str, float | None, float | None, bool]] = {
    "jobs": ("int", 1, None, False),
    "seed": ("int", 0, 2**32 - 1, False),
    "capacity": ("int", 1, 1_000_000, False),
    "n": ("int", 1, 10_000_000, False),
    "label_share": ("number", 0, 1, False),
    "random_share": ("number", 0, 1, False),
    "min_inclusion": ("number", 0, 0.5, False),
    "ceiling": ("number", 100, 150, True),
}
#: Where one command allows other values: (command, name) -> the same fields.
_COMMAND_NUMERIC_OPTIONS: dict[tuple[str, str], tuple[str, float | None, float | None, bool]] = {
    # 0: each province's capacity by the public-figures rule
    ("report", "capacity"): ("int", 0, 1_000_000, False),
}
#: Options holding an input file that must exist.
_INPUT_FILES = ("coverage", "registry", "key_file", "notebook", "plan", "outcomes")
#: Options holding a date YYYY-MM-DD.
_DATE_OPTIONS = ("deadline", "until", "as_of")
#: Commands whose --out is a folder (the others write one table).
_FOLDER_OUTPUTS = {("report", None), ("data", "build"), ("employers", "semester")}
#: Commands whose --out may also be an Excel workbook (plans a team opens).
_EXCEL_OUTPUTS = {("employers", "score"), ("employers", "reidentify")}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_input(path: Path, option: str) -> Path:
    from .io import not_a_file

    if not path.exists() and not path.is_symlink():
        raise PerjakaError(f"{option}: file not found: {path}")
    if not path.is_file():
        raise PerjakaError(f"{option}: not a file: {path}: {not_a_file(path)}")
    return path


def _check_writable_folder(folder: Path, option: str) -> None:
    """The folder exists and is writable, or can be created: else one clear error."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise PerjakaError(f"{option}: cannot write into {folder}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PerjakaError(f"{option}: cannot write into {folder}: permission denied")
    try:  # also catches read-only file systems, where os.access says yes
        with tempfile.TemporaryFile(dir=existing, prefix=".perjaka-probe-"):
            pass
    except OSError as exc:
        raise PerjakaError(f"{option}: cannot write into {folder}: {exc.strerror}") from None


def _check_output_file(path: Path, option: str, suffixes: tuple[str, ...], inputs) -> None:
    if path.suffix.lower() not in suffixes:
        raise PerjakaError(
            f"{option}: {path} has an unsupported type; valid: a file ending in "
            + " or ".join(suffixes)
        )
    if path.is_dir():
        raise PerjakaError(f"{option}: {path} is a folder; give a file name")
    if any(path.resolve() == p.resolve() for p in inputs):
        raise PerjakaError(f"{option}: {path} is also an input; inputs are never overwritten")
    _check_writable_folder(path.parent, option)


def _latest_figure_date():
    import pandas as pd

    from .coverage import latest_coverage
    from .datasets import load_coverage

    with warnings.catch_warnings():  # the data's own warnings are for the command itself
        warnings.simplefilter("ignore", DataQualityWarning)
        coverage = load_coverage()
    return pd.Timestamp(latest_coverage(coverage)["date"].max())


def validate_args(args: argparse.Namespace) -> None:
    """Check every option of a parsed command line; raise one clear error.

    Options are recognised by name, whatever the command: numbers and their
    ranges, dates (strictly ``YYYY-MM-DD``), input files that must exist, and
    output files or folders that must be writable. Nothing is written.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Raises
    ------
    PerjakaError
        Naming the option, the value and what would be valid.
    """
    import pandas as pd

    from .validate import validate_date, validate_int, validate_number

    values = vars(args)
    for name, spec in _NUMERIC_OPTIONS.items():
        if values.get(name) is None:
            continue
        kind, lo, hi, exclusive = _COMMAND_NUMERIC_OPTIONS.get((values.get("command"), name), spec)
        if kind == "int":
            validate_int(values[name], _option(name), minimum=lo, maximum=hi)
        else:
            validate_number(
                values[name], _option(name), minimum=lo, maximum=hi, min_exclusive=exclusive
            )
    if isinstance(values.get("paths"), int):
        validate_int(values["paths"], "--paths", minimum=1, maximum=100_000)
    for t in values.get("target") or ():
        validate_number(t, "--target", minimum=0, maximum=100, min_exclusive=True)
    for level in values.get("levels") or ():
        validate_int(level, "--levels", minimum=1, maximum=99)

    for name in _DATE_OPTIONS:
        if values.get(name):
            validate_date(values[name], _option(name))
    if values.get("as_of"):
        today = pd.Timestamp.today().normalize()
        validate_date(values["as_of"], "--as-of", latest=today)
        latest = _latest_figure_date()
        if pd.Timestamp(values["as_of"]) < latest:
            raise PerjakaError(
                f"--as-of {values['as_of']} is before the latest coverage figure "
                f"({latest:%Y-%m-%d}); the briefs show every figure up to {latest:%Y-%m-%d}, "
                f"so the date must be from {latest:%Y-%m-%d} to today ({today:%Y-%m-%d})"
            )

    inputs = [
        _check_input(Path(values[name]), _option(name)) for name in _INPUT_FILES if values.get(name)
    ]
    if values.get("raw"):
        if not Path(values["raw"]).is_dir():
            raise PerjakaError(f"--raw: folder not found: {values['raw']}")
    for name in values.get("province") or ():
        from .provinces import normalise_province

        normalise_province(name)

    sub = values.get("data_command") or values.get("employers_command")
    if values.get("out"):
        out = Path(values["out"])
        if (args.command, sub) in _FOLDER_OUTPUTS:
            if out.exists() and not out.is_dir():
                raise PerjakaError(f"--out: {out} is a file; give a folder")
            _check_writable_folder(out, "--out")
        else:
            suffixes = (".csv", ".parquet")
            if (args.command, sub) in _EXCEL_OUTPUTS:
                suffixes = (".csv", ".xlsx", ".parquet")
            _check_output_file(out, "--out", suffixes, inputs)
    if values.get("plot"):
        _check_output_file(Path(values["plot"]), "--plot", (".png", ".pdf", ".svg"), inputs)
    if args.command == "report":
        from .report import check_notebook, check_run_id, check_scheduler_address, run_id_from_env

        if values.get("notebook"):
            check_notebook(Path(values["notebook"]))

        if values.get("scheduler") is not None:
            check_scheduler_address(values["scheduler"])

        if values.get("run_id") is not None:
            check_run_id(values["run_id"], "--run-id")
        elif run_id_from_env() is not None:
            check_run_id(run_id_from_env(), "PERJAKA_RUN_ID")
        if values.get("out") and not values.get("replace"):
            run_id = values.get("run_id") or run_id_from_env()
            if run_id and (Path(values["out"]) / run_id).exists():
                raise PerjakaError(
                    f"--run-id: {Path(values['out']) / run_id} already exists; choose another "
                    "--run-id, or replace that run (--replace)"
                )
        _check_report_inputs(args)


def _check_report_inputs(args: argparse.Namespace) -> None:
    """Validate every input file of a report run before its run folder exists.

    A rejected file then stops the command with its full message and leaves
    nothing behind (no run folder, no shared tables). The data's quality
    warnings are left for the run itself.
    """
    from .datasets import load_coverage, load_provinces, load_targets, load_uhc_status
    from .loaders import read_registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        load_coverage()
        load_provinces()
        load_targets()
        load_uhc_status()
        if args.registry:
            read_registry(args.registry)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print data-quality warnings as one plain line (no source line)."""
    from .privacy import KeyCreatedWarning, KeyExposedWarning

    if issubclass(category, DataQualityWarning | KeyCreatedWarning | KeyExposedWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
