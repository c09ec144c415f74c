"""The options of every ``perjaka`` command (argparse)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from ..trend import METHODS
from . import commands, employers

__all__ = ["build_parser"]

_UNCLEAR_OPTION = {
    "choices": ["mixture", "population", "participants", "drop"],
    "default": "mixture",
    "help": "how active shares of unclear basis are read (default: mixture of both)",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``perjaka`` command."""
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
    build.set_defaults(func=commands.cmd_data_build)
    check = data_sub.add_parser("check", help="validate files against their data contract")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument(
        "--kind",
        choices=["coverage", "registry", "provinces", "targets", "uhc_status"],
        help="default: from header",
    )
    check.set_defaults(func=commands.cmd_data_check)

    summary = sub.add_parser("summary", help="print the latest coverage per province")
    summary.add_argument("--coverage", type=Path, help="coverage file (default: shipped data)")
    summary.add_argument("--out", type=Path, help="also write the table (.csv or .parquet)")
    summary.set_defaults(func=commands.cmd_summary)

    def model_options(p: argparse.ArgumentParser) -> None:
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
    fc.set_defaults(func=commands.cmd_forecast)

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
    tg.set_defaults(func=commands.cmd_targets)

    bt = sub.add_parser("backtest", help="rolling-origin backtest of the trend methods")
    bt.add_argument("--coverage", type=Path, help="coverage file (default: shipped data)")
    bt.add_argument(
        "--ceiling", type=float, default=None, help="logit-scale ceiling, %% (default 102)"
    )
    bt.add_argument("--out", type=Path, help="write the table (.csv or .parquet)")
    bt.add_argument("--plot", type=Path, help="write the plot (.png)")
    bt.set_defaults(func=commands.cmd_backtest)

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
    syn.set_defaults(func=employers.cmd_synth)
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
    sc.add_argument(
        "--plan-only",
        action="store_true",
        help="write only the plan's employers (a registry of a million is scored in about "
        "a third of the time: only the employers that could be ranked picks get a risk; "
        "random picks then have no rank)",
    )
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
    sc.set_defaults(func=employers.cmd_score)
    mg = emp_sub.add_parser(
        "merge", help="check inspection outcomes against their plan and merge them into a registry"
    )
    mg.add_argument("--registry", type=Path, required=True, help="the registry the plan came from")
    mg.add_argument("--plan", type=Path, required=True, help="the plan (.csv or .xlsx)")
    mg.add_argument("--outcomes", type=Path, required=True, help="outcomes file (.csv or .xlsx)")
    mg.add_argument("--key-file", type=Path, help="pseudonym key file of the plan")
    mg.add_argument("--out", type=Path, required=True, help="the merged registry (.csv/.parquet)")
    mg.set_defaults(func=employers.cmd_merge)
    ri = emp_sub.add_parser(
        "reidentify", help="the plan with the employer_id of each pseudonym (for the key's holder)"
    )
    ri.add_argument("--registry", type=Path, required=True, help="the registry the plan came from")
    ri.add_argument("--plan", type=Path, required=True, help="the plan (.csv or .xlsx)")
    ri.add_argument("--key-file", type=Path, help="pseudonym key file of the plan")
    ri.add_argument("--out", type=Path, required=True, help="identified plan (.csv or .xlsx)")
    ri.set_defaults(func=employers.cmd_reidentify)
    ev = emp_sub.add_parser("evaluate", help="cross-validated metrics of the risk model")
    ev.add_argument("--registry", type=Path, required=True)
    ev.add_argument("--capacity", type=int, default=480, help="inspections per province")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--rank-by", choices=["gain", "risk", "blend"], default="blend")
    ev.add_argument("--random-share", type=float, help="as for score (default 0.05)")
    ev.add_argument("--min-inclusion", type=float, help="as for score (default 0.002)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.set_defaults(func=employers.cmd_evaluate)
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
    se.set_defaults(func=employers.cmd_semester)

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
    rep.set_defaults(func=commands.cmd_report)

    prov = sub.add_parser("provinces", help="list the 38 provinces or resolve names")
    prov.add_argument("name", nargs="*", help="names, aliases or BPS codes to resolve")
    prov.set_defaults(func=commands.cmd_provinces)
    return parser
