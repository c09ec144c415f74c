"""The semester report of a period's inspections: read, check, compute, render, write.

One call, :func:`write_semester_report` (what ``perjaka employers semester``
runs): every input is read and checked before anything is written; the
figures are :func:`perjaka_analysis.employers.semester.compute_semester`'s;
the pages are :func:`perjaka_analysis.render.semester.render_semester_html`'s
in each language, printed to A4 PDF by the briefs' Chromium path. The files
are written in a temporary folder beside the output and moved in only when
all of them are complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import __version__
from .config import slugify
from .employers.outcomes import check_against_plan, contract_headers, read_plan
from .employers.semester import PLAN_NEEDS, compute_semester, parse_period, visit_table
from .errors import DataValidationError, PerjakaError, Problem
from .io import read_table
from .loaders import read_registry
from .privacy import load_key, pseudonymise
from .provinces import normalise_province
from .render.pdf import PdfPrinter
from .render.semester import render_semester_html
from .validate import validate_outcomes

__all__ = ["read_period_inputs", "write_semester_report"]


def _plan_frames(paths: Sequence[Path]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The listed employers of every plan, and their full scored tables (None when a
    plan holds only its listed employers)."""
    listed, full = [], []
    for path in paths:
        raw = contract_headers(read_table(path))
        missing = [c for c in (*PLAN_NEEDS, "model_version") if c not in raw]
        if missing:
            raise DataValidationError(
                path,
                [
                    Problem(
                        c,
                        "column the semester report needs is missing",
                        "a plan written by 'perjaka employers score' (the full table)",
                    )
                    for c in missing
                ],
                "inspection plan",
            )
        plan = read_plan(path)
        listed.append(plan)
        has_rest = (
            "on_list" in raw
            and not raw["on_list"].astype(str).str.lower().isin(["true", "1"]).all()
        )
        full.append(raw.assign(on_list=raw["on_list"].astype(str).str.lower().isin(["true", "1"]))
                    if has_rest else None)  # fmt: skip
    kinds = {("employer_id" in p) for p in listed}
    if len(kinds) > 1:
        raise PerjakaError(
            "--plan: some plans are identified (employer_id) and others pseudonymised; give "
            "plans of one kind"
        )
    plans = pd.concat(listed, ignore_index=True)
    id_col = "employer_id" if "employer_id" in plans else "pseudonym"
    dup = plans.duplicated([id_col, "inspection_list"])
    if dup.any():
        raise PerjakaError(
            f"--plan: the same plan is given twice ({plans.loc[dup, 'inspection_list'].iloc[0]}); "
            "give each plan once"
        )
    scored = None if any(f is None for f in full) else pd.concat(full, ignore_index=True)
    return plans, scored


def read_period_inputs(
    registry: str | Path,
    plans: Sequence[str | Path],
    outcomes: Sequence[str | Path],
    *,
    key_file: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame | None]:
    """Read and check the registry, the plans and the outcomes of a period.

    Returns
    -------
    registry, plans, outcomes, ids, scored
        The validated registry; the listed employers of all plans; the
        outcomes, each checked against the plans; what the plans call each
        registry row; the plans' full scored tables (or None).

    Raises
    ------
    DataValidationError
        A file that breaks its contract or does not fit the plans, naming the
        file, column, rows and what would be valid.
    """
    reg = read_registry(registry)
    plan, scored = _plan_frames([Path(p) for p in plans])
    checked = []
    for path in outcomes:
        frame = validate_outcomes(contract_headers(read_table(path)), path)
        checked.append(check_against_plan(frame, plan, path))
    found = pd.concat(checked, ignore_index=True)
    twice = found.duplicated(["employer", "inspection_list"], keep=False)
    if twice.any():
        first = found.loc[twice, "employer"].iloc[0]
        raise PerjakaError(
            f"--outcomes: {int(twice.sum())} rows record the same employer of the same plan in "
            f"more than one file (first: {first}); give each visit once"
        )
    if "employer_id" in plan:
        ids = reg["employer_id"].astype(str)
    else:
        ids = pseudonymise(reg["employer_id"], load_key(key_file, create=False))
    return reg, plan, found, ids, scored


def _write_pages(
    reports: dict, out: Path, stem: str, languages: Sequence[str], pdf: str | None
) -> tuple[list[Path], str]:
    """Render every page (and PDF) in a temporary folder inside ``out``; move them in
    only when all are complete."""
    with tempfile.TemporaryDirectory(prefix=".semester-", dir=out) as tmp:
        pages = []
        for slug, facts in reports.items():
            for lang in languages:
                page = Path(tmp) / f"{stem}{'-' + slug if slug else ''}.{lang}.html"
                page.write_text(render_semester_html(facts, lang, version=__version__), "utf-8")
                pages.append(page)
        note = ""
        if pdf:
            with PdfPrinter(language=languages[0]) as printer:
                if printer.browser is None and pdf == "always":
                    raise PerjakaError(printer.note)
                for page in pages:
                    printer.add(page)
            note = printer.note
            if note and pdf == "always":
                raise PerjakaError(f"--pdf: {note}; nothing written")
        written = []
        for made in sorted(Path(tmp).iterdir()):
            target = out / made.name
            os.replace(made, target)
            written.append(target)
    return written, note


def write_semester_report(
    registry: str | Path,
    plans: Sequence[str | Path],
    outcomes: Sequence[str | Path],
    *,
    period: str,
    out: str | Path,
    provinces: Sequence[str] = (),
    languages: Sequence[str] = ("id", "en"),
    key_file: str | Path | None = None,
    pdf: str | None = None,
) -> tuple[list[Path], str]:
    """Write the semester report of ``period`` (HTML, and PDF when asked) into ``out``.

    Parameters
    ----------
    registry : path
        The registry the plans were drawn from (or the registry they were
        merged into).
    plans : paths
        The period's plans, as ``perjaka employers score`` wrote them.
    outcomes : paths
        The outcomes files (filled-in plans are outcomes files).
    period : str
        ``YYYY-S1``, ``YYYY-S2`` or a quarter ``YYYY-Q1``…``Q4``.
    out : path
        Folder of the report (created).
    provinces : sequence of str
        One report per province named; none: the national report (every
        province and the nation).
    languages : sequence of str
        ``id`` and/or ``en``.
    key_file : path, optional
        Pseudonym key of the plans.
    pdf : {None, "always", "auto"}
        Also print each page to A4 PDF; ``always`` fails when it cannot,
        ``auto`` skips the PDFs with a note.

    Returns
    -------
    written : list of Path
        ``semester-<period>[-<province>].<lang>.html`` (and ``.pdf``).
    note : str
        What the user should know about the PDFs ("" when none).

    Raises
    ------
    PerjakaError
        Bad input or a PDF that could not be made with ``pdf="always"``;
        nothing is written then.
    """
    start, end = parse_period(period)
    names = [normalise_province(p, allow_national=False) for p in provinces]
    reg, plan, found, ids, scored = read_period_inputs(registry, plans, outcomes, key_file=key_file)
    visits = visit_table(plan, found, reg, ids, start=start, end=end)
    synthetic = "true_risk" in reg
    reports = {
        (slugify(name) if name else ""): compute_semester(
            visits, period=period, province=name, scored=scored, synthetic=synthetic
        )
        for name in (names or [None])
    }
    out = Path(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        written, note = _write_pages(reports, out, f"semester-{period.strip().upper()}",
                                     languages, pdf)  # fmt: skip
    except BaseException:
        if created:  # a folder made for this report goes with it
            shutil.rmtree(out, ignore_errors=True)
        raise
    return written, note
