"""Column checkers: a frame checked column by column against a contract.

Every check is vectorised and every problem is collected before anything is
raised. The per-file validators of :mod:`perjaka_analysis.validate.tables`
build on these.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from ..contracts import DATA_DATE_MAX, DATA_DATE_MIN, Column, Contract
from ..errors import DataQualityWarning, DataValidationError, PerjakaError, Problem
from ..io import data_dir
from ..provinces import closest_provinces, map_provinces
from ..sources import link_url
from .values import _ISO_DATE

__all__ = ["MAX_TEXT", "check_links", "validate_frame"]

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
