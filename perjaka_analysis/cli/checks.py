"""The options' checks: one place, by option name, before any file is touched."""

from __future__ import annotations

import argparse
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from ..coverage import latest_coverage
from ..datasets import load_coverage, load_provinces, load_targets, load_uhc_status
from ..errors import DataQualityWarning, PerjakaError
from ..io import not_a_file
from ..loaders import read_registry
from ..provinces import normalise_province
from ..report import check_notebook, check_run_id, check_scheduler_address, run_id_from_env
from ..validate import validate_date, validate_int, validate_number

__all__ = ["validate_args"]

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


def _latest_figure_date() -> pd.Timestamp:
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        load_coverage()
        load_provinces()
        load_targets()
        load_uhc_status()
        if args.registry:
            read_registry(args.registry)
