"""The run folder and what a run writes into it: summary, manifest, overview.

These reshape the run's facts; nothing is computed here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import target_label
from ..errors import PerjakaError
from ..io import atomic_path, write_table
from ..privacy import shareable_parameters
from ..provinces import NATIONAL
from ..render.overview import render_overview
from .results import ProvinceOutcome, RunResult

__all__ = [
    "check_run_id",
    "new_run_id",
    "run_id_from_env",
    "summary_table",
    "write_index",
    "write_manifest",
    "write_summary",
]


#: A run id is a plain folder name: it starts with a letter or digit (so not
#: ``.``, ``..``, a hidden name or the ``_facts`` cache) and holds no separator.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_run_id(run_id: str, name: str = "run id") -> str:
    """Return ``run_id`` if it is a plain folder name, else raise one clear error.

    Examples
    --------
    >>> check_run_id("2025-ci.1")
    '2025-ci.1'
    >>> check_run_id("../escaped")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: run id must be a plain folder name (...), got '../escaped'
    """
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        raise PerjakaError(
            f"{name} must be a plain folder name (letters, digits, '.', '-' and '_', "
            f"starting with a letter or digit, at most 100 characters), got {run_id!r}"
        )
    return run_id


def new_run_id() -> str:
    """A unique run id: UTC time and a random suffix, e.g. ``20250630-101500-3fa2c1``."""
    return pd.Timestamp.now(tz="UTC").strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def run_id_from_env() -> str | None:
    """``PERJAKA_RUN_ID`` if set (deterministic folder names in CI)."""
    return os.environ.get("PERJAKA_RUN_ID") or None


@contextlib.contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the run folder; a second run on it fails at once."""
    with (run_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PerjakaError(f"run folder {run_dir} is in use by another run") from None
        try:
            yield
        finally:
            (run_dir / ".lock").unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_files(run_dir: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)


def summary_table(facts: Any, outcomes: Sequence[ProvinceOutcome]) -> pd.DataFrame:
    """Headline facts, one row per province (deterministic: no timestamps).

    Columns: ``province, brief, status, latest_pct, latest_date, rank,
    n_points``, then per target ``T`` (labelled ``95``, ``98.6``, ...):
    ``gap_T_pp, gap_T_people, status_T, expected_T, prob_T_by_deadline,
    months_earlier_T``, then ``employers_on_list, added_participants,
    added_pp, basis``.
    """
    places = facts.table("places").set_index("province")
    gaps = facts.table("gaps").set_index(["province", "target_pct"])
    targets = facts.table("targets").set_index(["province", "target_pct"])
    scenario = facts.table("scenario").set_index(["province", "target_pct"])
    gains = facts.table("gains").set_index("province")
    rows = []
    for o in outcomes:
        p = places.loc[o.province]
        row = {
            "province": o.province,
            "brief": f"{o.slug}.html" if o.status == "ok" else "",
            "status": o.status,
            "latest_pct": p["latest_pct"],
            "latest_date": p["latest_date"],
            "rank": p["rank"],
            "n_points": p["n_points"],
        }
        for t in facts.config.targets:
            label, key = target_label(t), (o.province, float(t))
            row[f"gap_{label}_pp"] = gaps["gap_pp"].get(key)
            row[f"gap_{label}_people"] = gaps["gap_people"].get(key)
            if key in targets.index:
                tt = targets.loc[key]
                row[f"status_{label}"] = tt["status"]
                row[f"expected_{label}"] = tt["expected_date"]
                row[f"prob_{label}_by_deadline"] = round(float(tt["prob_by_deadline"]), 3)
            if key in scenario.index:
                row[f"months_earlier_{label}"] = scenario.loc[key, "months_earlier"]
        if o.province in gains.index:
            g = gains.loc[o.province]
            row["employers_on_list"] = int(g["employers_on_list"])
            row["added_participants"] = round(float(g["added_participants"]), 1)
            row["added_pp"] = round(float(g["added_pp"]), 4)
        row["basis"] = p["basis"]
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(table: pd.DataFrame, run_dir: Path) -> Path:
    """``summary.csv``: the summary table with dates as ISO text."""
    table = table.copy()
    for col in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[col]):
            table[col] = table[col].dt.strftime("%Y-%m-%d")
    return write_table(table.round(4), run_dir / "summary.csv")


def write_manifest(facts: Any, run_dir: Path, result: RunResult, run_id: str) -> Path:
    """``manifest.json``: parameters, provenance, the files read and each brief's status."""
    meta = facts.meta
    manifest = {
        "run_id": run_id,
        "parameters": shareable_parameters(facts.config.run_parameters()),
        "package_version": meta["package_version"],
        "git_commit": meta["git_commit"],
        "facts_key": meta["key"],
        "facts_reused": result.facts_reused,
        "inputs": meta["inputs"],
        "seed": facts.config.seed,
        "registry_synthetic": meta["registry_synthetic"],
        "seconds": round(result.seconds, 2),
        "pdf": result.pdf_note or None,
        "provinces": [
            {
                "province": o.province,
                "status": o.status,
                "seconds": round(o.seconds, 2),
                "attempts": o.attempts,
                "notebook": f"{o.slug}.ipynb" if o.status == "ok" else None,
                "html": f"{o.slug}.html" if o.status == "ok" else None,
                "error": o.error or None,
                "failed_cell": o.cell,
            }
            for o in result.outcomes
        ],
    }
    path = run_dir / "manifest.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_index(facts: Any, outcomes: Sequence[ProvinceOutcome], run_dir: Path) -> Path:
    """``index.html``: the national overview of the run."""
    briefs = {
        o.province: (o.status, f"{o.slug}.html" if o.status == "ok" else "") for o in outcomes
    }
    briefs.pop(NATIONAL, None)
    page = render_overview(facts, briefs)
    path = run_dir / "index.html"
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
