"""The commands other than the employer ones: each parses nothing, calls the library, prints.

Every ``cmd_*`` takes the parsed, checked options and returns an exit status.
"""

from __future__ import annotations

import argparse
import sys

import matplotlib
import pandas as pd

from ..active import ActiveShareModel, load_active_shares
from ..backtest import backtest
from ..config import ReportConfig
from ..coverage import PRE_SPLIT, coverage_summary, summary_view
from ..datasets import (
    build_processed,
    load_coverage,
    load_provinces,
    load_targets,
    load_uhc_status,
)
from ..errors import PerjakaError, Terminated, UnknownProvinceError
from ..facts import uhc_status_view
from ..forecast import compute_targets, population_by_place, targets_view
from ..io import write_table
from ..loaders import check_file
from ..precision import round_to_support
from ..provinces import normalise_province, province_table
from ..report import run_id_from_env, run_reports
from ..trend import CoverageTrendModel, TrendResults
from ..uhc import TODAY, compute_uhc_status, uhc_conditions

__all__ = [
    "cmd_backtest",
    "cmd_data_build",
    "cmd_data_check",
    "cmd_forecast",
    "cmd_provinces",
    "cmd_report",
    "cmd_summary",
    "cmd_targets",
    "interrupted_status",
]


def cmd_data_build(args: argparse.Namespace) -> int:
    """``perjaka data build``: rebuild the processed tables from the raw files."""
    written = build_processed(args.raw, args.out)
    for name, path in written.items():
        print(f"{name:<22} {path}")
    print(f"{len(written)} tables written")
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    """``perjaka data check``: validate files against their contract; 2 if one fails."""
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


def cmd_summary(args: argparse.Namespace) -> int:
    """``perjaka summary``: the latest registration coverage of every province."""
    table = coverage_summary(load_coverage(args.coverage), load_provinces())
    if args.out:
        write_table(table, args.out)
    view = summary_view(table)
    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print("JKN registration coverage by province (measure: registered; latest figure)")
        print(view.to_string(index=False, na_rep="–"))
    if (view["note"] == PRE_SPLIT).any():
        print("\npre-split: the latest figure predates a boundary split and refers to the older,")
        print("larger territory (see `perjaka provinces` and data/README.md).")
    missing = table.loc[table["n_points"] == 0, "province"].tolist()
    if missing:
        print(f"\nNo registration figure for {len(missing)} provinces: {', '.join(missing)}")
    return 0


def _fit(args: argparse.Namespace) -> tuple[pd.DataFrame, TrendResults]:
    coverage = load_coverage(args.coverage)
    status = None if args.no_status else load_uhc_status()
    model = CoverageTrendModel(coverage, method=args.method, ceiling=args.ceiling, status=status)
    return coverage, model.fit()


def _fit_active(args: argparse.Namespace, coverage: pd.DataFrame, registration: TrendResults):
    """The active-share model, on the shipped active shares; registration converts bases."""
    shares = load_active_shares(coverage=coverage)
    status = None if getattr(args, "no_status", False) else load_uhc_status()
    return ActiveShareModel(
        shares, registration=registration, unclear=args.unclear, status=status
    ).fit()


def cmd_forecast(args: argparse.Namespace) -> int:
    """``perjaka forecast``: write the forecast of every place (registered or active)."""
    if getattr(args, "measure", "registered") == "active":
        return _forecast_active(args)
    _, results = _fit(args)
    frame = results.forecast(args.until, levels=args.levels)
    write_table(round_to_support(frame), args.out)
    n_places = frame["province"].nunique()
    print(f"{args.out}: {len(frame)} rows, {n_places} places, method {results.method}")
    return 0


def _forecast_active(args: argparse.Namespace) -> int:
    coverage, registration = _fit(args)
    results = _fit_active(args, coverage, registration)
    frame = results.forecast(args.until, levels=args.levels)
    write_table(round_to_support(frame), args.out)
    n_places = frame["province"].nunique()
    n_own = sum(p.n_points > 0 for p in results.places.values())
    print(
        f"{args.out}: {len(frame)} rows, {n_places} places ({n_own} with active figures), "
        f"measure active (share of population), unclear bases read as {results.unclear}"
    )
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """``perjaka targets``: when targets are reached, and UHC under today's definition."""
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
        write_table(round_to_support(table), args.out)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(f"Targets by {pd.Timestamp(args.deadline):%Y-%m-%d} (method {results.method})")
        print(targets_view(table).to_string(index=False, na_rep="–"))
    if not args.no_uhc:
        _print_uhc_status(args, coverage, results)
    return 0


def _print_uhc_status(
    args: argparse.Namespace, coverage: pd.DataFrame, registration: TrendResults
) -> None:
    """UHC under today's definition (registered and active) for every place."""
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
        write_table(round_to_support(table), args.uhc_out)
    pair = table[table["condition"] == TODAY].iloc[0]
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(
            f"\nUHC today ({pair['registered_pct']:g}% registered and {pair['active_pct']:g}% "
            f"active) by {pd.Timestamp(args.deadline):%Y-%m-%d}: joint probability from paired "
            "paths; award levels from targets.csv"
        )
        print(uhc_status_view(table, TODAY).to_string(na_rep="–"))


def cmd_backtest(args: argparse.Namespace) -> int:
    """``perjaka backtest``: the rolling-origin backtest of the trend methods."""
    results = backtest(load_coverage(args.coverage), ceiling=args.ceiling)
    table = results.table()
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))
    print(f"\nmethod the backtest supports: {results.best_method()}")
    if args.out:
        write_table(table, args.out)
    if args.plot:
        matplotlib.use("Agg")
        ax = results.plot()
        ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"plot: {args.plot}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``perjaka report``: the briefs and the overview; 1 if a brief or a PDF failed."""
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
        return interrupted_status(exc)
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


def cmd_provinces(args: argparse.Namespace) -> int:
    """``perjaka provinces``: list the provinces, or resolve names to them."""
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


def interrupted_status(exc: BaseException) -> int:
    """128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C (SIGINT)."""
    return 143 if isinstance(exc, Terminated) else 130
