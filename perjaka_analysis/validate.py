"""Check frames against the data contracts.

Every check is vectorised and every problem is collected before anything is
raised, so a user sees all that is wrong with a file at once. Checking never
writes and never changes its input; it returns a new, normalised frame.
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from .contracts import (
    COVERAGE,
    DATA_DATE_MAX,
    DATA_DATE_MIN,
    OUTCOMES,
    PROVINCES,
    REGISTRY,
    TARGETS,
    UHC_STATUS,
    Column,
    Contract,
)
from .errors import DataQualityWarning, DataValidationError, PerjakaError, Problem
from .io import data_dir
from .provinces import (
    NATIONAL,
    assign_territory,
    closest_provinces,
    map_provinces,
    province_table,
)
from .sources import link_url

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "check_links",
    "validate_coverage",
    "validate_date",
    "validate_frame",
    "validate_int",
    "validate_number",
    "validate_numbers",
    "validate_outcomes",
    "validate_provinces",
    "validate_registry",
    "validate_targets",
    "validate_uhc_status",
]

_SHOW = 5


#: Longest text a cell of a contract column may hold (a district, a note, an id).
MAX_TEXT = 10_000


def _short(value: object, limit: int = 100) -> str:
    """A value as a message shows it: at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _problem(
    column: str | None, mask: np.ndarray | pd.Series, values: pd.Series, message: str, expected: str
) -> Problem:
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    rows = idx[:_SHOW]
    shown = tuple(_short(v) for v in values.iloc[rows]) if values is not None else ()
    return Problem(column, message, expected, tuple(int(r) for r in rows), len(idx), shown)


class _Report:
    """Collects problems and remembers, per column, which rows held an invalid value."""

    def __init__(self, problems: list[Problem], n_rows: int) -> None:
        self.problems = problems
        self.n_rows = n_rows
        self.invalid: dict[str, np.ndarray] = {}

    def add(
        self,
        column: str,
        mask: np.ndarray | pd.Series,
        values: pd.Series,
        message: str,
        expected: str,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        self.problems.append(_problem(column, mask, values, message, expected))
        seen = self.invalid.setdefault(column, np.zeros(self.n_rows, dtype=bool))
        seen |= mask


def _text(series: pd.Series) -> pd.Series:
    """Strip text; blank cells become missing (element-wise; for small frames)."""
    out = series.astype("str").str.strip()
    return out.mask(out == "")


class _Distinct:
    """A column seen through its distinct values: work on the few, map back to the many.

    Registry columns such as province, sector, district or dates have few
    distinct values among a million rows; cleaning and checking those values
    once is what keeps validation close to the cost of reading the file.
    """

    def __init__(self, series: pd.Series) -> None:
        self.series = series
        self.codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)

    def rows(self, mask_on_values: np.ndarray | pd.Series) -> np.ndarray:
        """Expand a boolean mask on the distinct values to a row mask."""
        extended = np.append(np.asarray(mask_on_values, dtype=bool), False)
        return extended[self.codes]

    def expand(self, new_values: pd.Series | np.ndarray, dtype: str) -> pd.Series:
        """Expand transformed distinct values (same order) back to the rows."""
        values = np.asarray(new_values, dtype=object)
        unchanged = len(values) == len(self.values) and all(
            a == b for a, b in zip(values, self.values, strict=True)
        )
        if unchanged and str(self.series.dtype) == dtype:
            return self.series
        out = np.append(values, None)[self.codes]
        return pd.Series(out, index=self.series.index, dtype=dtype)


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip distinct text values; blank ones become None."""
    stripped = values.map(lambda v: str(v).strip())
    return stripped.where(stripped != "", None)


def _number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers; return (float values, mask of unparseable non-empty cells)."""
    if is_numeric_dtype(series) and not is_bool_dtype(series):
        return series.astype("float64"), pd.Series(False, index=series.index)
    text = _text(series)
    parsed = pd.to_numeric(text, errors="coerce").astype("float64")
    return parsed, text.notna() & parsed.isna()


def _check_number(col: Column, raw: pd.Series, report: _Report) -> pd.Series:
    name = col.name
    values, bad = _number(raw)
    if bad.any():
        noun = "a whole number" if col.kind != "number" else "a number"
        report.add(name, bad, raw, f"not {noun}", col.expected())
    infinite = np.isinf(values.to_numpy(dtype="float64", na_value=np.nan))
    if infinite.any():  # "inf", "1e400" and Parquet infinities parse as a number
        report.add(name, infinite, raw, "not a finite number", col.expected())
        values = values.mask(infinite)
    ok = values.notna()
    if col.kind == "label":
        valid = values.isin([0, 1])
        wrong = ok & ~valid
        if wrong.any():
            report.add(name, wrong, raw, "not a valid label", col.expected())
        return values.where(valid).astype("Int8")
    invalid = infinite.copy()
    if col.kind == "int" and raw.dtype.kind not in "iu":
        frac = ok & (values % 1 != 0)
        if frac.any():
            report.add(name, frac, raw, "not a whole number", col.expected())
            invalid |= frac.to_numpy()
    out_of_range = np.zeros(len(raw), dtype=bool)
    if col.minimum is not None:
        low = (values <= col.minimum) if col.min_exclusive else (values < col.minimum)
        out_of_range |= (ok & low).to_numpy()
    if col.maximum is not None:
        out_of_range |= (ok & (values > col.maximum)).to_numpy()
    if out_of_range.any():
        negative = col.minimum == 0 and bool((values[out_of_range] < 0).all())
        message = "negative value" if negative else "value out of range"
        report.add(name, out_of_range, raw, message, col.expected())
        invalid |= out_of_range
    if col.kind == "int":
        if raw.dtype.kind in "iu" and not invalid.any():
            return raw.astype("Int64")
        # invalid cells are masked first: 10**19 does not fit a 64-bit integer
        return values.mask(invalid).round().astype("Int64")
    return values


def _check_date(col: Column, raw: pd.Series, report: _Report) -> pd.Series:
    lo, hi = pd.Timestamp(DATA_DATE_MIN), pd.Timestamp(DATA_DATE_MAX)
    if is_datetime64_any_dtype(raw):
        out = raw.dt.tz_localize(None) if raw.dt.tz is not None else raw
        outside = (out.notna() & ((out < lo) | (out > hi))).to_numpy()
        if outside.any():  # 0001-01-01 or 9999-12-31 do not fit the calendar of the analysis
            report.add(col.name, outside, raw, "date out of range", col.expected())
            out = out.mask(outside)
        return out.astype("datetime64[ns]")
    distinct = _Distinct(raw)
    text = _clean_text(distinct.values)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    # strictly YYYY-MM-DD: pandas also reads 2024-2-3
    padded = text.map(lambda v: isinstance(v, str) and _ISO_DATE.fullmatch(v) is not None)
    parsed = parsed.where(padded.to_numpy())
    bad = text.notna() & parsed.isna()
    if bad.any():
        report.add(col.name, distinct.rows(bad), raw, "not a valid date", col.expected())
    outside = parsed.notna() & ((parsed < lo) | (parsed > hi))
    if outside.any():
        report.add(col.name, distinct.rows(outside), raw, "date out of range", col.expected())
        parsed = parsed.mask(outside)
    index = pd.DatetimeIndex(parsed).as_unit("ns")
    out = index.take(distinct.codes, allow_fill=True, fill_value=pd.NaT)
    return pd.Series(out, index=raw.index)


def _check_text(col: Column, raw: pd.Series, report: _Report) -> pd.Series:
    name = col.name
    distinct = _Distinct(raw)
    text = _clean_text(distinct.values)
    long = text.map(lambda v: isinstance(v, str) and len(v) > MAX_TEXT).astype(bool)
    if long.any():
        report.add(
            name,
            distinct.rows(long),
            raw,
            f"text longer than {MAX_TEXT:,} characters",
            f"at most {MAX_TEXT:,} characters",
        )
        text = text.where(~long, None)
    if col.kind == "enum":
        if col.case == "lower":
            text = text.map(lambda v: v.lower() if isinstance(v, str) else None)
        elif col.case == "upper":
            text = text.map(lambda v: v.upper() if isinstance(v, str) else None)
        bad = text.notna() & ~text.isin(col.allowed)
        if bad.any():
            report.add(name, distinct.rows(bad), raw, "unknown value", col.expected())
        out = distinct.expand(text.where(~bad, None), "str")
        return out.fillna(col.default) if col.default is not None else out
    if col.kind == "province":
        mapping, unknown = map_provinces(text.dropna(), allow_national=col.national)
        if unknown:
            bad = text.isin(unknown)
            hints = "; ".join(
                f"for {u!r} the closest are {', '.join(closest_provinces(u))}"
                for u in sorted(map(str, unknown))[:_SHOW]
            )
            report.add(
                name, distinct.rows(bad), raw, "unknown province", f"{col.expected()}; {hints}"
            )
        return distinct.expand(text.map(mapping), "str")
    return distinct.expand(text, "str")


def _check_column(col: Column, raw: pd.Series, report: _Report) -> pd.Series:
    """Return the typed column; append a Problem for every rule it breaks."""
    if col.kind in ("int", "number", "label"):
        return _check_number(col, raw, report)
    if col.kind == "date":
        return _check_date(col, raw, report)
    return _check_text(col, raw, report)


def _check_identifier(col: Column, raw: pd.Series, report: _Report) -> pd.Series:
    """Identifiers: text with one spelling per id (every value is distinct, so no factorising).

    Surrounding spaces are removed (``" DUP "`` is ``"DUP"``) and a whole number
    written as a decimal is the whole number (``7.0`` and ``"7.0"`` are ``"7"``), so
    that the duplicate check and the pseudonyms see one id, however it was typed.
    Other text is kept as written (``"007"`` stays ``"007"``).
    """
    if raw.dtype.kind == "f":
        whole = raw.notna() & np.isfinite(raw) & (raw % 1 == 0)
        text = raw.astype("str").where(raw.notna())
        if whole.any():
            text = text.mask(whole, raw[whole].astype("int64").astype("str"))
        raw = text
    elif raw.dtype.kind in "iub" or raw.dtype == object:
        raw = raw.astype("str").where(raw.notna())
    raw = raw.str.strip()
    long = (raw.str.len() > MAX_TEXT).fillna(False).to_numpy(dtype=bool)
    if long.any():
        report.add(col.name, long, raw, f"text longer than {MAX_TEXT:,} characters", "a short id")
        raw = raw.mask(long)
    decimal = raw.str.contains(".", regex=False).fillna(False).astype(bool)
    if decimal.any():
        raw = raw.mask(decimal, raw[decimal].str.replace(r"^(\d+)\.0+$", r"\1", regex=True))
    blank = raw.notna() & (raw == "")
    if blank.any():
        raw = raw.mask(blank)
    return raw


def _is_url_column(name: object) -> bool:
    return isinstance(name, str) and (name == "url" or name.endswith("_url"))


def _link_problems(frame: pd.DataFrame) -> list[Problem]:
    """One problem per ``*_url`` column holding an address that may not be a link.

    The rule is :func:`perjaka_analysis.sources.link_url` (``http``/``https``
    with a host): a ``javascript:``, ``data:`` or ``vbscript:`` address would
    become a clickable script in a brief.
    """
    problems = []
    for name in frame.columns:
        if not _is_url_column(name):
            continue
        distinct = _Distinct(frame[name])
        text = _clean_text(distinct.values)
        bad = text.notna() & (text.map(lambda v: not isinstance(v, str) or not link_url(v)))
        if bad.any():
            problems.append(
                _problem(
                    str(name),
                    distinct.rows(bad),
                    frame[name],
                    "not a web address",
                    "an address starting http:// or https:// (or empty)",
                )
            )
    return problems


def check_links(frame: pd.DataFrame, path: str | Path, contract: str = "") -> pd.DataFrame:
    """Reject a file whose ``*_url`` columns hold anything but ``http(s)`` addresses.

    For the files read without a full contract; :func:`validate_frame` applies
    the same rule to every contract.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.
    contract : str
        Name of the file's kind, for messages.

    Returns
    -------
    pandas.DataFrame
        ``frame``, unchanged.

    Raises
    ------
    DataValidationError
        Naming the file, the column, the rows and what would be valid.
    """
    problems = _link_problems(frame)
    if problems:
        raise DataValidationError(path, problems, contract)
    return frame


def validate_frame(
    frame: pd.DataFrame, contract: Contract, path: str | Path = "<frame>"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a frame column by column against a contract.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read (see :func:`perjaka_analysis.io.read_table`).
    contract : Contract
        The contract to enforce.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    frame : pandas.DataFrame
        Typed and normalised contract columns in contract order, then any
        extra columns unchanged.
    problems : list of Problem
        Every rule broken; empty when the frame is valid.
    """
    problems: list[Problem] = []
    report = _Report(problems, len(frame))
    missing = [c for c in contract.required if c not in frame.columns]
    for name in missing:
        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1, cutoff=0.75)
        hint = f" (is '{close[0]}' meant?)" if close else ""
        problems.append(
            Problem(
                name,
                f"required column is missing{hint}",
                "required columns: " + ", ".join(contract.required),
            )
        )
    out: dict[str, pd.Series] = {}
    for col in contract.columns:
        if col.name not in frame.columns:
            continue
        raw = frame[col.name]
        if col.name in contract.identifiers:
            typed = _check_identifier(col, raw, report)
        else:
            typed = _check_column(col, raw, report)
        if col.required:
            empty = typed.isna().to_numpy().copy()
            if col.name in report.invalid:  # reported already as an invalid value
                empty &= ~report.invalid[col.name]
            if empty.any():
                problems.append(
                    _problem(col.name, empty, raw, "empty cell in a required column", "a value")
                )
        out[col.name] = typed
    problems.extend(_link_problems(frame))
    extras = [c for c in frame.columns if c not in contract.names]
    result = pd.DataFrame(out, index=frame.index)
    if extras:  # in one step: adding thousands of columns one at a time is quadratic
        result = pd.concat([result, frame[extras]], axis=1)
    return result, problems


def _raise(path: str | Path, problems: list[Problem], contract: Contract) -> None:
    if problems:
        raise DataValidationError(path, problems, contract.name)


def _shown_path(path: str | Path) -> str:
    """``path`` relative to the project (or the working folder) when inside it."""
    try:
        resolved = Path(str(path)).resolve()
    except (OSError, ValueError):
        return str(path)
    try:
        bases = [data_dir().parent, Path.cwd()]
    except PerjakaError:
        bases = [Path.cwd()]
    for base in bases:
        try:
            return str(resolved.relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return str(path)


def _warn(path: str | Path, problem: Problem, csv: bool) -> None:
    warnings.warn(
        f"{_shown_path(path)}: {problem.describe(csv=csv)}", DataQualityWarning, stacklevel=3
    )


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


def _repeated_rows(df: pd.DataFrame, value: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows repeating a (province, district, date, measure): exact copies and conflicts.

    Two rows of one key *share a source* when their ``source_url`` is equal or
    either is empty. A row is an exact copy when an earlier row of its key
    shares its source and has the same coverage; a row conflicts when another
    row of its key shares its source and has another coverage. Computed by
    grouping, in time linear in the rows (a pairwise loop took 10 s for 3,000
    repeated rows and hours for 50,000).

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
    exact, conflict = _repeated_rows(df, value)
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


# --- parameters: one value given on the command line or to a notebook ---------

#: Dates a parameter may take: JKN figures start in 2014; 2100 leaves every
#: monthly simulation far from the end of pandas' calendar (2262-04-11).
DATE_MIN = pd.Timestamp("2000-01-01")
DATE_MAX = pd.Timestamp("2100-12-31")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate_date(
    value: object,
    name: str,
    *,
    earliest: object = None,
    latest: object = None,
) -> pd.Timestamp:
    """Read a parameter written as ``YYYY-MM-DD``, strictly.

    No other spelling is guessed (``"Jan 5 2024"`` or ``"05/01/2024"`` could be
    read in two orders), and the date must lie in the given bounds.

    Parameters
    ----------
    value : object
        The parameter as given.
    name : str
        Its name, for the message (e.g. ``"--deadline"``).
    earliest, latest : date-like, optional
        Inclusive bounds; default :data:`DATE_MIN` and :data:`DATE_MAX`.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    PerjakaError
        Naming the parameter, the value and what would be valid.

    Examples
    --------
    >>> validate_date("2029-12-31", "deadline")
    Timestamp('2029-12-31 00:00:00')
    >>> validate_date("Jan 5 2024", "as_of")
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: as_of must be a date written YYYY-MM-DD, got 'Jan 5 2024'
    """
    lo = pd.Timestamp(earliest) if earliest is not None else DATE_MIN
    hi = pd.Timestamp(latest) if latest is not None else DATE_MAX
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise PerjakaError(f"{name} must be a date written YYYY-MM-DD, got {value!r}")
    try:
        day = pd.Timestamp(date.fromisoformat(text))
    except ValueError:
        raise PerjakaError(f"{name}: {value!r} is not a calendar date (YYYY-MM-DD)") from None
    if not lo <= day <= hi:
        raise PerjakaError(f"{name} must be from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}, got {value!r}")
    return day


def _bounds(minimum: float | None, maximum: float | None, exclusive: bool) -> str:
    def show(x: float) -> str:
        return f"{x:,}" if isinstance(x, int) else f"{x:g}"

    lo = "" if minimum is None else f"{'above' if exclusive else 'at least'} {show(minimum)}"
    hi = "" if maximum is None else f"at most {show(maximum)}"
    return " and ".join(x for x in (lo, hi) if x)


def validate_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_exclusive: bool = False,
) -> float:
    """Check a numeric parameter: a finite number within bounds.

    Parameters
    ----------
    value : object
        The parameter as given (text is not converted: ``"95"`` is an error).
    name : str
        Its name, for the message.
    minimum, maximum : float, optional
        Inclusive bounds (the lower one exclusive with ``min_exclusive``).
    min_exclusive : bool
        The value must be above ``minimum``.

    Returns
    -------
    float

    Raises
    ------
    PerjakaError
        Naming the parameter, the value and the valid range.

    Examples
    --------
    >>> validate_number(98.6, "target", minimum=0, maximum=100, min_exclusive=True)
    98.6
    """
    rule = _bounds(minimum, maximum, min_exclusive)
    valid = "a finite number" + (f" {rule}" if rule else "")
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    x = float(value)
    if not np.isfinite(x):
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    low = minimum is not None and (x <= minimum if min_exclusive else x < minimum)
    if low or (maximum is not None and x > maximum):
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    return x


def validate_int(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Check an integer parameter within bounds (``480.0`` is accepted as 480).

    Parameters
    ----------
    value : object
        The parameter as given.
    name : str
        Its name, for the message.
    minimum, maximum : int, optional
        Inclusive bounds.

    Returns
    -------
    int

    Raises
    ------
    PerjakaError
        Naming the parameter, the value and the valid range.

    Examples
    --------
    >>> validate_int(2, "jobs", minimum=1)
    2
    >>> validate_int(0, "jobs", minimum=1)
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: jobs must be a whole number at least 1, got 0
    """
    rule = _bounds(minimum, maximum, False)
    valid = "a whole number" + (f" {rule}" if rule else "")
    numeric = isinstance(value, int | float | np.integer | np.floating)
    if isinstance(value, bool) or not numeric or not np.isfinite(float(value)):
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    if int(value) != value:
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    n = int(value)
    if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
        raise PerjakaError(f"{name} must be {valid}, got {value!r}")
    return n


def validate_numbers(
    values: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_exclusive: bool = False,
) -> list[float]:
    """Check a non-empty list of numbers (each as :func:`validate_number`).

    A single number where a list is expected is an error, not a guess.

    Examples
    --------
    >>> validate_numbers([95, 98.6], "targets", minimum=0, maximum=100)
    [95.0, 98.6]
    >>> validate_numbers(95, "targets")
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: targets must be a list of numbers (e.g. [95, 98]), got 95
    """
    if not isinstance(values, list | tuple) or not values:
        raise PerjakaError(f"{name} must be a list of numbers (e.g. [95, 98]), got {values!r}")
    return [
        validate_number(
            v, f"{name}[{i}]", minimum=minimum, maximum=maximum, min_exclusive=min_exclusive
        )
        for i, v in enumerate(values)
    ]
