"""Inspection outcomes back into the registry, and pseudonyms back to ids.

A team visits the employers of a plan (:mod:`.plan`) and records its findings
in an outcomes file (the outcomes contract; a filled-in copy of the plan is
one). :func:`merge_outcomes` checks the file against its plan and writes each
finding into the registry with what the evaluation needs to correct for who
was inspected: ``inspected_on``, ``inspection_probability`` (the plan's
``inclusion_probability``), ``inspection_list`` (the plan's id) and, as an
extra column, ``inspection_model`` (the model that ranked the plan). The
outcomes after the visit (``workers_registered_after``...) are kept as extra
columns. Merging the same file twice gives the same registry.

:func:`reidentify` gives the holder of the pseudonym key the employer id of
each pseudonym on a plan.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contracts import REGISTRY
from ..errors import DataValidationError, PerjakaError, Problem
from ..i18n import LANGUAGES, text
from ..io import read_table
from ..privacy import pseudonymise
from .plan import OUTCOME_COLUMNS, PLAN_META

__all__ = ["check_against_plan", "contract_headers", "merge_outcomes", "read_plan", "reidentify"]

#: Plan columns the merge and the re-identification read.
_PLAN_READS = ("pseudonym", "employer_id", "selection", "inclusion_probability", *PLAN_META)
#: The finding itself and the registry columns a merge writes.
_RECORDED = ("noncompliant", "inspected_on", "inspection_probability", "inspection_list")
_AFTER = tuple(c for c in OUTCOME_COLUMNS if c not in ("inspected_on", "noncompliant"))


def _problem(column: str, mask: np.ndarray, values: pd.Series, message: str, expected: str):
    rows = np.flatnonzero(mask)
    shown = tuple(str(v) for v in values.iloc[rows[:5]])
    return Problem(column, message, expected, tuple(int(r) for r in rows[:5]), len(rows), shown)


def contract_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with plan and outcome headers written in a report's language
    (``Tanggal pemeriksaan (YYYY-MM-DD)``...) renamed to their column names.

    Examples
    --------
    >>> contract_headers(pd.DataFrame(columns=["Kode rencana", "Noncompliant (1/0)", "x"]))
    Empty DataFrame
    Columns: [inspection_list, noncompliant, x]
    Index: []
    """
    names = {}
    for lang in LANGUAGES:
        for column in (*_PLAN_READS, "rank_in_province", *OUTCOME_COLUMNS):
            try:
                names[text(column, lang)] = column
            except KeyError:
                continue
    return frame.rename(columns={c: names[c] for c in frame.columns if c in names})


def read_plan(path: str | Path) -> pd.DataFrame:
    """The employers of a plan file, from ``employers score`` or from a report's ``lists/``.

    Headers written in either language of the reports are read back to their
    names. Only the listed employers are kept (``on_list`` of a scored table).

    Returns
    -------
    pandas.DataFrame
        ``pseudonym`` or ``employer_id``, ``selection``,
        ``inclusion_probability``, ``inspection_list``, ``model_version``,
        ``data_date`` (and whatever else the file holds).

    Raises
    ------
    DataValidationError
        A file that is not a plan (no plan id, no probabilities).
    """
    frame = contract_headers(read_table(path))
    if "on_list" in frame:
        frame = frame[frame["on_list"].astype(str).str.lower().isin(["true", "1"])]
    needed = ["inspection_list", "inclusion_probability", "data_date"]
    missing = [c for c in needed if c not in frame]
    if not any(c in frame for c in ("pseudonym", "employer_id")):
        missing.insert(0, "pseudonym")
    if missing:
        raise DataValidationError(
            path,
            [
                Problem(
                    c,
                    "required column of an inspection plan is missing",
                    "a plan written by 'perjaka employers score' or 'perjaka report'",
                )
                for c in missing
            ],
            "inspection plan",
        )
    id_col = "employer_id" if "employer_id" in frame else "pseudonym"
    frame[id_col] = frame[id_col].astype(str).str.strip()
    frame["inclusion_probability"] = pd.to_numeric(frame["inclusion_probability"], errors="coerce")
    if "rank_in_province" in frame:
        rank = pd.to_numeric(frame["rank_in_province"], errors="coerce")
        frame["rank_in_province"] = rank.round().astype("Int64")
    return frame.reset_index(drop=True)


def check_against_plan(
    outcomes: pd.DataFrame, plan: pd.DataFrame, path: str | Path = "<outcomes>"
) -> pd.DataFrame:
    """The plan row of every outcome; one clear error if any outcome does not fit the plan.

    An unknown plan id, an employer not on that plan and a visit before the
    plan's data date are errors naming the rows.

    Returns
    -------
    pandas.DataFrame
        ``outcomes`` with the plan's ``inclusion_probability``,
        ``model_version`` and ``data_date`` of each row.
    """
    id_col = "employer_id" if "employer_id" in plan else "pseudonym"
    problems = []
    plans = set(plan["inspection_list"].astype(str))
    unknown = ~outcomes["inspection_list"].isin(plans).to_numpy()
    if unknown.any():
        problems.append(
            _problem(
                "inspection_list",
                unknown,
                outcomes["inspection_list"],
                "unknown plan",
                "the id printed on the plan given: " + ", ".join(sorted(plans)),
            )
        )
    keyed = plan.drop_duplicates([id_col, "inspection_list"]).set_index([id_col, "inspection_list"])
    at = keyed.index.get_indexer(
        pd.MultiIndex.from_frame(outcomes[["employer", "inspection_list"]])
    )
    off = (at < 0) & ~unknown
    if off.any():
        problems.append(
            _problem(
                "employer",
                off,
                outcomes["employer"],
                "employer not on that plan",
                f"a {id_col.replace('_', ' ')} listed on the plan",
            )
        )
    found = keyed.iloc[np.where(at < 0, 0, at)].reset_index(drop=True)
    plan_date = pd.to_datetime(found["data_date"], errors="coerce")
    early = (at >= 0) & (outcomes["inspected_on"] < plan_date).to_numpy()
    if early.any():
        problems.append(
            _problem(
                "inspected_on",
                early,
                outcomes["inspected_on"].dt.strftime("%Y-%m-%d"),
                "visit before the plan's date",
                f"a date from the plan's date ({plan_date[early].min():%Y-%m-%d}) to today",
            )
        )
    if problems:
        raise DataValidationError(path, problems, "inspection outcomes")
    meta = {c: found[c].to_numpy() for c in ("inclusion_probability", "model_version", "data_date")}
    return outcomes.assign(**{f"plan_{c}": v for c, v in meta.items()})


def merge_outcomes(
    registry: pd.DataFrame,
    outcomes: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    key: bytes | None = None,
    path: str | Path = "<outcomes>",
) -> pd.DataFrame:
    """The registry with the findings of a plan written in.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry (not modified).
    outcomes : pandas.DataFrame
        Validated outcomes (:func:`perjaka_analysis.validate.validate_outcomes`).
    plan : pandas.DataFrame
        The plan they were recorded from (:func:`read_plan`).
    key : bytes, optional
        Pseudonym key of the plan (not needed for an identified plan).
    path : str or Path
        Name of the outcomes file, for messages.

    Returns
    -------
    pandas.DataFrame
        A new registry: each visited employer's ``noncompliant``,
        ``inspected_on``, ``inspection_probability`` and ``inspection_list``
        set, ``inspection_model`` and the outcomes after the visit as extra
        columns. Merging the same outcomes again gives the same registry.

    Raises
    ------
    DataValidationError
        An outcome that does not fit its plan, an employer of the plan not in
        the registry, or an employer the registry already holds another
        finding for; nothing is merged.
    """
    checked = check_against_plan(outcomes, plan, path)
    if "employer_id" in plan:
        ids = registry["employer_id"].astype(str)
    else:
        if key is None:
            raise PerjakaError("the plan is pseudonymised: the pseudonym key is needed to merge")
        ids = pseudonymise(registry["employer_id"], key)
    at = pd.Index(ids.to_numpy()).get_indexer(checked["employer"].to_numpy())
    problems = []
    if (at < 0).any():
        problems.append(
            _problem(
                "employer",
                at < 0,
                checked["employer"],
                "employer of the plan not found in the registry (or another pseudonym key)",
                "an employer of the registry the plan was made from, with its key",
            )
        )
    rows = registry.index[np.where(at < 0, 0, at)]
    if "noncompliant" in registry:
        before = registry.loc[rows, "noncompliant"].to_numpy()
        source = (
            registry.loc[rows, "inspection_list"].astype(object).to_numpy()
            if "inspection_list" in registry
            else np.full(len(rows), None)
        )
        same_plan = (
            pd.Series(source).astype(str).to_numpy() == checked["inspection_list"].to_numpy()
        )
        other = (at >= 0) & pd.notna(before) & ~same_plan
        if other.any():
            problems.append(
                _problem(
                    "employer",
                    other,
                    checked["employer"],
                    "the registry already holds a finding of another inspection for this employer",
                    "employers without a finding in the registry (plans list only those)",
                )
            )
    if problems:
        raise DataValidationError(path, problems, "inspection outcomes")
    out = registry.copy()
    values = {
        "noncompliant": checked["noncompliant"].astype("Int8").to_numpy(),
        "inspected_on": checked["inspected_on"].to_numpy(),
        "inspection_probability": checked["plan_inclusion_probability"].astype(float).to_numpy(),
        "inspection_list": checked["inspection_list"].astype(str).to_numpy(),
        "inspection_model": checked["plan_model_version"].astype(str).to_numpy(),
    }
    for column in _AFTER:
        if column in checked:
            values[column] = checked[column].to_numpy()
    empty = {
        "noncompliant": "Int8",
        "inspected_on": "datetime64[ns]",
        "inspection_probability": "float64",
        "workers_registered_after": "Int64",
        "dependants_registered_after": "Int64",
        "arrears_recovered_idr": "float64",
        "referred_to_prosecutor": "Int8",
    }
    for column, value in values.items():
        if column not in out:
            out[column] = pd.Series(None, index=out.index, dtype=empty.get(column, "object"))
        if column in ("inspection_list", "inspection_model"):
            out[column] = out[column].astype(object)
        out.loc[rows, column] = value
    # contract columns in contract order, then the others: the same file however often merged
    first = [c for c in REGISTRY.names if c in out]
    return out[first + [c for c in out.columns if c not in first]]


def reidentify(plan: pd.DataFrame, registry: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The plan with each pseudonym's ``employer_id`` beside it (for the key's holder).

    Raises
    ------
    PerjakaError
        When a pseudonym matches no employer of the registry under this key
        (another key, or another registry), naming how many and the first ones.
    """
    if "pseudonym" not in plan:
        raise PerjakaError("the plan holds no pseudonyms (it is identified already)")
    pseudonyms = pseudonymise(registry["employer_id"], key)
    lookup = pd.Series(registry["employer_id"].to_numpy(), index=pseudonyms.to_numpy())
    found = lookup.reindex(plan["pseudonym"].to_numpy())
    if found.isna().any():
        missing = plan["pseudonym"][found.isna().to_numpy()]
        raise PerjakaError(
            f"{len(missing)} pseudonym(s) of the plan match no employer of the registry with "
            f"this key (first: {', '.join(missing.head(3))}); give the registry the plan was "
            "made from and its key"
        )
    out = plan.copy()
    out.insert(out.columns.get_loc("pseudonym") + 1, "employer_id", found.to_numpy())
    return out
