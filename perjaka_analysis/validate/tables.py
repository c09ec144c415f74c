"""One validator per data contract: coverage, registry, outcomes, provinces, targets, UHC status.

Each reads a frame as read from a file, collects every problem (via
:mod:`perjaka_analysis.validate.columns`), raises one
:class:`~perjaka_analysis.errors.DataValidationError` and returns a new,
normalised frame; the input is never changed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..contracts import (
    COVERAGE,
    OUTCOMES,
    PROVINCES,
    REGISTRY,
    TARGETS,
    UHC_STATUS,
    Contract,
)
from ..errors import DataValidationError, Problem
from ..provinces import (
    NATIONAL,
    assign_territory,
    closest_provinces,
    map_provinces,
    province_table,
)
from .columns import (
    _SHOW,
    _problem,
    _raise,
    _warn,
    validate_frame,
)

__all__ = [
    "repeated_rows",
    "validate_coverage",
    "validate_outcomes",
    "validate_provinces",
    "validate_registry",
    "validate_targets",
    "validate_uhc_status",
]


def _conflict_problems(df: pd.DataFrame, value: pd.Series, conflict: pd.Series) -> list[Problem]:
    """One problem per conflicting (province, district, date, measure), naming all four."""
    key = ["province", "district", "date", "measure"]
    sub = df.loc[conflict, key].assign(_v=value[conflict]).fillna({"district": ""})
    out = []
    # the first groups only: building every group of 50,000 repeated rows took minutes
    number = sub.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    n_groups = int(number.max()) + 1 if len(number) else 0
    for g in range(min(n_groups, _SHOW)):
        group = sub[number == g]
        province, district, day, measure = group[key].iloc[0]
        where = f"province {province}, " + (f"district {district}, " if district else "")
        distinct = group["_v"].drop_duplicates()
        shown = " vs ".join(f"{v:g}" for v in distinct.iloc[:_SHOW])
        shown += f" and {len(distinct) - _SHOW} more" if len(distinct) > _SHOW else ""
        out.append(
            Problem(
                "coverage_pct",
                f"conflicting rows for {where}date {pd.Timestamp(day):%Y-%m-%d}, "
                f"measure {measure}: coverage {shown} with the same or no source_url",
                "one row per (province, district, date, measure) and source",
                tuple(int(i) for i in group.index[:_SHOW]),
                len(group),
                tuple(f"{v:g}" for v in group["_v"].iloc[:_SHOW]),
            )
        )
    if n_groups > _SHOW:
        rows = [int(i) for i in sub.index[number >= _SHOW]]
        out.append(
            Problem(
                "coverage_pct",
                f"{n_groups - _SHOW} more groups of conflicting rows",
                "one row per (province, district, date, measure) and source",
                tuple(rows[:_SHOW]),
                len(rows),
            )
        )
    return out


def repeated_rows(df: pd.DataFrame, value: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows repeating a (province, district, date, measure): exact copies and conflicts.

    Two rows of one key *share a source* when their ``source_url`` is equal or
    either is empty. A row is an exact copy when an earlier row of its key
    shares its source and has the same coverage; a row conflicts when another
    row of its key shares its source and has another coverage. Computed by
    grouping, in time linear in the rows (a pairwise loop took 10 s for 3,000
    repeated rows and hours for 50,000). :func:`validate_coverage` drops the
    exact copies and reports the conflicts.

    Parameters
    ----------
    df : pandas.DataFrame
        Coverage rows with ``province, district, date, measure, source_url``.
    value : pandas.Series
        The coverage of each row (missing is a value too), on ``df``'s index.

    Returns
    -------
    exact, conflict : pandas.Series of bool
        On ``df``'s index.
    """
    keys = pd.DataFrame(
        {
            "p": df["province"].fillna(""),
            "d": df["district"].fillna(""),
            "t": df["date"],
            "m": df["measure"],
        }
    )
    k = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    dup = pd.Series(k).duplicated(keep=False).to_numpy()
    exact = np.zeros(len(df), dtype=bool)
    conflict = np.zeros(len(df), dtype=bool)
    if dup.any():
        v = pd.factorize(value, use_na_sentinel=False)[0]  # a missing value is a value too
        s = pd.factorize(df["source_url"], use_na_sentinel=True)[0]  # -1: no source
        sub = pd.DataFrame({"k": k[dup], "v": v[dup], "s": s[dup]})
        none = (sub["s"] == -1).to_numpy()
        # exact: an earlier row with the same value and the same source, or without one,
        # or this row has none
        first = sub.assign(n=none.astype(np.int64))
        none_before = (first.groupby(["k", "v"])["n"].cumsum() - first["n"]).to_numpy() > 0
        exact_sub = (
            sub.duplicated(["k", "v", "s"]).to_numpy()
            | (none & sub.duplicated(["k", "v"]).to_numpy())
            | none_before
        )
        # conflict: a row without a source meets every row of its key; a row with
        # source X meets the rows of X and those without a source
        values_in_key = sub.groupby("k")["v"].transform("nunique").to_numpy()
        values_in_source = sub.groupby(["k", "s"])["v"].transform("nunique").to_numpy()
        unsourced = sub[none]
        n_none = sub["k"].map(unsourced.groupby("k")["v"].nunique()).fillna(0).to_numpy()
        none_value = sub["k"].map(unsourced.groupby("k")["v"].min()).to_numpy()
        other = (values_in_source > 1) | (n_none > 1) | ((n_none == 1) & (none_value != sub["v"]))
        conflict_sub = np.where(none, values_in_key > 1, other)
        exact[dup] = exact_sub
        conflict[dup] = conflict_sub
    return pd.Series(exact, index=df.index), pd.Series(conflict, index=df.index)


def validate_coverage(
    frame: pd.DataFrame, path: str | Path = "<frame>", *, today: date | None = None
) -> pd.DataFrame:
    """Validate coverage observations against the coverage contract.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read from a coverage file.
    path : str or Path
        Name of the source, for messages.
    today : datetime.date, optional
        Dates after this are rejected (default: today).

    Returns
    -------
    pandas.DataFrame
        Contract columns with official province names, typed values,
        ``coverage_pct`` filled from ``participants / population`` where it
        was empty, plus ``coverage_basis`` (``stated`` or ``computed``) and
        ``territory`` (see :func:`perjaka_analysis.provinces.assign_territory`).
        Exact duplicate rows are dropped with a warning.

    Raises
    ------
    DataValidationError
        Listing every broken rule.

    Warns
    -----
    DataQualityWarning
        Where ``coverage_pct`` differs from ``participants / population`` by
        more than 1 percentage point (rows are kept), and for exact duplicates.
    """
    csv = Path(str(path)).suffix.lower() != ".parquet"
    df, problems = validate_frame(frame, COVERAGE, path)
    if "province" not in df or "date" not in df:
        _raise(path, problems, COVERAGE)
    for name in COVERAGE.names:
        if name not in df:
            column = COVERAGE.column(name)
            dtype = {"int": "Int64", "number": "float64", "date": "datetime64[ns]"}.get(
                column.kind, "string"
            )
            fill = column.default if column.kind == "enum" else None
            df[name] = pd.Series(fill, index=df.index, dtype=dtype)
    df = df[COVERAGE.names + [c for c in df.columns if c not in COVERAGE.names]]
    # an active share published without its denominator is read as "unclear"
    df["active_basis"] = df["active_basis"].mask(
        df["active_pct"].notna() & df["active_basis"].isna(), "unclear"
    )

    computed = 100.0 * df["participants"].astype("float64") / df["population"].astype("float64")
    stated = df["coverage_pct"]
    no_value = stated.isna() & computed.isna()
    if no_value.any():
        problems.append(
            _problem(
                "coverage_pct",
                no_value,
                df["province"].fillna(""),
                "no coverage_pct and not both participants and population",
                "coverage_pct, or both participants and population",
            )
        )
    given = stated.dropna()
    if len(given) and given.max() <= 1.5 and given.max() > 0:
        problems.append(
            _problem(
                "coverage_pct",
                stated.notna(),
                frame["coverage_pct"],
                "every value is at most 1.5: these look like fractions, not percentages",
                "percentages from 0 to 150 (95 for 95%, not 0.95)",
            )
        )
    fill = stated.isna() & computed.notna()
    too_high = fill & (computed > 150)
    if too_high.any():
        problems.append(
            _problem(
                "participants",
                too_high,
                computed.round(2),
                "participants / population is above 150%",
                "a coverage from 0 to 150%",
            )
        )
    future = df["date"] > pd.Timestamp(today or date.today())
    if future.any():
        problems.append(
            _problem("date", future, frame["date"], "date is in the future", "a past date")
        )

    # conflicting rows: same place, date and measure; same or no source; other coverage
    value = stated.where(stated.notna(), computed).round(6)
    exact, conflict = repeated_rows(df, value)
    if conflict.any():
        problems.extend(_conflict_problems(df, value, conflict))
    _raise(path, problems, COVERAGE)

    both = stated.notna() & computed.notna() & ((stated - computed).abs() > 1.0)
    if both.any():
        _warn(
            path,
            _problem(
                "coverage_pct",
                both,
                stated,
                "differs from participants / population by more than 1 percentage point "
                "(rows kept; coverage_pct is used)",
                "",
            ),
            csv,
        )
    if exact.any():
        _warn(path, _problem(None, exact, value, "exact duplicate rows dropped", ""), csv)
    df = df.assign(
        coverage_pct=value,
        coverage_basis=np.where(stated.notna(), "stated", "computed"),
        territory=assign_territory(df["province"], df["date"]).astype("string"),
    )
    return df[~exact].reset_index(drop=True)


def validate_registry(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate an employer registry against its contract.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read from a registry file.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    pandas.DataFrame
        Contract columns with official province names and typed values
        (counts as ``Int64``, ``noncompliant`` as ``Int8`` with missing for
        unlabelled rows), then the extra columns unchanged.

    Raises
    ------
    DataValidationError
        Listing every broken rule.
    """
    df, problems = validate_frame(frame, REGISTRY, path)
    if "registered_since" in df:
        future = df["registered_since"] > pd.Timestamp(date.today())
        if future.any():
            problems.append(
                _problem(
                    "registered_since",
                    future,
                    frame["registered_since"],
                    "date is in the future",
                    "a past date",
                )
            )
    if "employer_id" in df and not df["employer_id"].dropna().is_unique:
        ids = df["employer_id"]
        dup = ids.notna() & ids.duplicated(keep=False)
        if dup.any():
            problems.append(
                _problem(
                    "employer_id",
                    dup,
                    ids,
                    "duplicate employer_id",
                    "a unique, non-empty id per row",
                )
            )
    problems += _recorded_problems(df)
    _raise(path, problems, REGISTRY)
    return df


def _recorded_problems(df: pd.DataFrame) -> list[Problem]:
    """Recorded-inspection columns only on labelled rows; a plan's labels carry their date."""
    problems = []
    if "noncompliant" not in df:
        unlabelled = pd.Series(True, index=df.index)
    else:
        unlabelled = df["noncompliant"].isna()
    for name in ("inspected_on", "inspection_probability", "inspection_list"):
        if name in df:
            stray = (df[name].notna() & unlabelled).to_numpy()
            if stray.any():
                problems.append(
                    _problem(
                        name,
                        stray,
                        df[name],
                        "set on a row without an inspection outcome (noncompliant empty)",
                        "empty where noncompliant is empty",
                    )
                )
    if "inspection_list" in df:
        listed = df["inspection_list"].notna()
        undated = listed & (
            df["inspected_on"].isna() if "inspected_on" in df else pd.Series(True, index=df.index)
        )
        if undated.to_numpy().any():
            problems.append(
                _problem(
                    "inspected_on",
                    undated.to_numpy(),
                    df["inspection_list"],
                    "no date for an outcome recorded from an inspection plan",
                    "the date of the inspection (YYYY-MM-DD) where inspection_list is set",
                )
            )
    return problems


def validate_outcomes(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate an inspection outcomes file against its contract (on its own).

    A filled-in copy of a plan is accepted as it is: its ``pseudonym`` (or,
    identified, ``employer_id``) column is read as ``employer`` when the file
    has no ``employer`` column, and its rows without a finding (employers not
    visited) are left out. The checks against the plan itself are
    :func:`perjaka_analysis.employers.outcomes.check_against_plan`.

    Returns
    -------
    pandas.DataFrame
        Contract columns typed (``noncompliant`` as ``Int8``, dates as
        datetimes), the visited employers only.

    Raises
    ------
    DataValidationError
        Every broken rule, with column, rows and valid values; also a
        duplicate employer, and a date in the future.
    """
    frame = frame.copy()
    if "employer" not in frame:
        alias = [c for c in ("pseudonym", "employer_id") if c in frame]
        if len(alias) == 1:
            frame = frame.rename(columns={alias[0]: "employer"})
    if "noncompliant" in frame and "inspected_on" in frame:
        # a filled-in plan: rows with neither a finding nor a date were not visited
        blank = frame["noncompliant"].isna() & frame["inspected_on"].isna()
        if blank.all():
            raise DataValidationError(
                path,
                [
                    Problem(
                        "noncompliant", "no finding in any row", "0 or 1 for each visited employer"
                    )
                ],
                OUTCOMES.name,
            )
        frame = frame[~blank]
    positions = np.asarray(frame.index, dtype=np.int64)  # file row of each kept row
    frame = frame.reset_index(drop=True)
    df, problems = validate_frame(frame, OUTCOMES, path)
    if "employer" in df:
        key = df["employer"]
        if "inspection_list" in df:
            key = key + "\x00" + df["inspection_list"].fillna("")
        dup = (df["employer"].notna() & key.duplicated(keep=False)).to_numpy()
        if dup.any():
            problems.append(
                _problem("employer", dup, df["employer"], "duplicate row", "one row per employer")
            )
    if "inspected_on" in df:
        future = (df["inspected_on"] > pd.Timestamp.today().normalize()).to_numpy()
        if future.any():
            problems.append(
                _problem(
                    "inspected_on",
                    future,
                    df["inspected_on"].dt.strftime("%Y-%m-%d"),
                    "date in the future",
                    f"a date up to today ({pd.Timestamp.today():%Y-%m-%d})",
                )
            )
    # rows are told as in the file, counting the rows left out
    problems = [replace(p, rows=tuple(int(positions[r]) for r in p.rows)) for p in problems]
    _raise(path, problems, OUTCOMES)
    return df


def _add_missing(df: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Add the optional contract columns a file does not have, empty (enums: default)."""
    for column in contract.columns:
        if column.name not in df:
            dtype = {"int": "Int64", "number": "float64", "date": "datetime64[ns]"}.get(
                column.kind, "str"
            )
            fill = column.default if column.kind == "enum" else None
            df[column.name] = pd.Series(fill, index=df.index, dtype=dtype)
    return df


def validate_provinces(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate a province table (``provinces.csv``) against the provinces contract.

    Besides the column rules (a known province; ``population`` a whole number
    above 0, so that no share is divided by zero), each province appears once
    and its ``bps_code`` is the province's own 2-digit BPS code.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    pandas.DataFrame
        Contract columns typed, ``province`` as the official name.

    Raises
    ------
    DataValidationError
        Listing every broken rule.
    """
    df, problems = validate_frame(frame, PROVINCES, path)
    if "province" in df:
        dup = df["province"].notna() & df["province"].duplicated(keep=False)
        if dup.any():
            problems.append(
                _problem("province", dup, df["province"], "province listed twice", "each once")
            )
    if "province" in df and "bps_code" in df:
        codes = province_table().set_index("province")["bps_code"]
        expected = df["province"].map(codes)
        given = df["bps_code"].str.zfill(2)
        wrong = expected.notna() & given.notna() & (given != expected)
        if wrong.any():
            shown = df["bps_code"].astype(str) + " for " + df["province"].astype(str)
            problems.append(
                _problem(
                    "bps_code",
                    wrong,
                    shown,
                    "not the province's BPS code",
                    "the 2-digit BPS code of the province (see `perjaka provinces`)",
                )
            )
    _raise(path, problems, PROVINCES)
    df = _add_missing(df, PROVINCES)
    return df.assign(bps_code=df["bps_code"].str.zfill(2))


_DISTRICT_SCOPE = re.compile(r"(?:kota|kabupaten|kab\.?)\s+.+\((?P<province>[^()]+)\)", re.I)
_PERIOD = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|-\d{4})?")


def _scope_province_names(scope: str) -> list[str]:
    """The province names a target scope refers to (to be checked)."""
    match = _DISTRICT_SCOPE.fullmatch(scope)
    if match:
        return [match.group("province")]
    return [part for part in scope.split(";") if part.strip()]


def validate_targets(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate official targets (``targets.csv``) against the targets contract.

    ``scope`` is ``INDONESIA``, a province, provinces joined by ``;``, or a
    district written ``Kota …`` / ``Kabupaten …`` followed by its province in
    parentheses; every province named must be known. ``target_value`` is a
    percentage above 0 and at most 100; ``target_year_or_date`` and
    ``source_date`` are a year, ``YYYY-MM``, ``YYYY-MM-DD`` or a range of years
    ``YYYY-YYYY``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    pandas.DataFrame
        Contract columns typed; ``scope`` as written.

    Raises
    ------
    DataValidationError
        Listing every broken rule.
    """
    df, problems = validate_frame(frame, TARGETS, path)
    if "scope" in df:
        scopes = df["scope"]
        names = {n for s in scopes.dropna() for n in _scope_province_names(s)}
        _, unknown = map_provinces(sorted(names), allow_national=True)
        if unknown:
            unknown_set = set(unknown)
            bad = scopes.map(
                lambda s: isinstance(s, str) and bool(set(_scope_province_names(s)) & unknown_set)
            ).astype(bool)
            hints = "; ".join(
                f"for {u!r} the closest are {', '.join(closest_provinces(u))}"
                for u in sorted(map(str, unknown))[:_SHOW]
            )
            problems.append(
                _problem(
                    "scope",
                    bad,
                    frame["scope"],
                    "unknown province in scope",
                    "INDONESIA, a province, provinces joined by ';', or 'Kota/Kabupaten "
                    f"NAME (PROVINCE)'; {hints}",
                )
            )
    for name in ("target_year_or_date", "source_date"):
        if name in df:
            text = df[name]
            bad = text.notna() & ~text.fillna("").str.fullmatch(_PERIOD)
            if bad.any():
                problems.append(
                    _problem(
                        name,
                        bad,
                        frame[name],
                        "not a year, month, date or range of years",
                        "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-YYYY",
                    )
                )
    _raise(path, problems, TARGETS)
    return _add_missing(df, TARGETS)


def validate_uhc_status(
    frame: pd.DataFrame, path: str | Path = "<frame>", *, today: date | None = None
) -> pd.DataFrame:
    """Validate UHC status reports (``uhc_status.csv``) against their contract.

    A province row needs a ``status`` (``UHC``, ``UHC Prioritas``,
    ``UHC (award 2026)`` or ``below_95pct``): without it
    the report says nothing about the province. National rows
    (``INDONESIA``) may carry counts only. Dates in the future are rejected.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.
    today : datetime.date, optional
        Dates after this are rejected (default: today).

    Returns
    -------
    pandas.DataFrame
        Contract columns typed, ``province`` as the official name.

    Raises
    ------
    DataValidationError
        Listing every broken rule.
    """
    df, problems = validate_frame(frame, UHC_STATUS, path)
    if "province" in df:
        no_status = (df["province"] != NATIONAL) & df["province"].notna()
        if "status" in df:
            no_status &= df["status"].isna() & frame["status"].isna()
        if no_status.any():
            problems.append(
                _problem(
                    "status",
                    no_status,
                    df["province"],
                    "a province row without a status",
                    "UHC, UHC Prioritas, UHC (award 2026) or below_95pct"
                    " (national rows may have none)",
                )
            )
    if "date" in df:
        future = df["date"] > pd.Timestamp(today or date.today())
        if future.any():
            problems.append(
                _problem("date", future, frame["date"], "date is in the future", "a past date")
            )
    _raise(path, problems, UHC_STATUS)
    return _add_missing(df, UHC_STATUS)
