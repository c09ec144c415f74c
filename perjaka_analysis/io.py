"""Reading and writing tables: CSV or Parquet in, atomic writes out.

Reading never judges (that is :mod:`perjaka_analysis.validate`) and never
modifies the input. Writing goes to a temporary file beside the target and is
renamed into place, so a failed run leaves no half-written file. Text written
to CSV is neutralised against formula injection (:func:`neutralise_formulas`).
:func:`data_dir` finds the project's ``data/`` folder.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .contracts import Contract
from .errors import DataValidationError, PerjakaError, Problem

__all__ = ["atomic_path", "data_dir", "neutralise_formulas", "read_table", "write_table"]

ENV_DATA_DIR = "PERJAKA_DATA_DIR"


def data_dir() -> Path:
    """Return the project's ``data/`` folder.

    Resolution order: the ``PERJAKA_DATA_DIR`` environment variable; the
    ``data/`` folder beside the package (a source checkout); ``./data``.

    Returns
    -------
    Path
        The data folder (it contains ``raw/``).

    Raises
    ------
    PerjakaError
        If no folder with a ``raw/`` subfolder is found.
    """
    candidates = []
    if os.environ.get(ENV_DATA_DIR):
        candidates.append(Path(os.environ[ENV_DATA_DIR]))
    candidates += [Path(__file__).resolve().parents[1] / "data", Path.cwd() / "data"]
    for c in candidates:
        if (c / "raw").is_dir():
            return c
    raise PerjakaError(
        "cannot find the data folder (looked in: "
        + ", ".join(map(str, candidates))
        + f"); set {ENV_DATA_DIR} to a folder that contains raw/"
    )


_TEXT_KINDS = ("string", "enum", "province")

#: Most columns a file may have: the widest contract has 14, and a file of
#: thousands of columns is a mistake that would otherwise take minutes to check.
MAX_COLUMNS = 1_000

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_header(path: Path) -> list[str]:
    """Return the names of the first line of a CSV file, stripped ([] if unreadable)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [name.strip() for name in next(csv.reader(fh), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _delimiter_hint(header: list[str]) -> str:
    """Say so when a header is one field holding semicolons or tabs (Excel's regional CSV)."""
    if len(header) != 1:
        return ""
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if header[0].count(sep) >= 1:
            return (
                f"the columns seem to be separated by {name}, not commas (as Excel saves "
                "CSV with Indonesian or other regional settings); save the file as "
                "'CSV UTF-8 (comma delimited)'"
            )
    return ""


def _long_rows(path: Path, width: int, limit: int = 5) -> tuple[list[int], int]:
    """0-based data-row positions of rows with more fields than ``width``, and their count."""
    rows: list[int] = []
    count = 0
    csv.field_size_limit(2**31 - 1)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for i, row in enumerate(reader):
            if len(row) > width:
                count += 1
                if len(rows) < limit:
                    rows.append(i)
    return rows, count


def _bad_utf8_lines(path: Path, limit: int = 5) -> tuple[list[int], int]:
    """Return 0-based data-row positions of lines that are not UTF-8, and their count."""
    rows: list[int] = []
    count = 0
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                count += 1
                if len(rows) < limit:
                    rows.append(lineno - 1)
    return rows, count


def _nested_arrow(arrow_type: object) -> bool:
    """True for an Arrow list, struct, map or union type (a value with parts)."""
    import pyarrow as pa

    return bool(pa.types.is_nested(arrow_type))


def _excel_cell(value: object) -> object:
    """A cell as a CSV would hold it: text stripped (blank = missing), a date
    typed into Excel as ``YYYY-MM-DD``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return f"{value:%Y-%m-%d}"
    return value


def not_a_file(path: Path) -> str:
    """Why ``path`` is not a readable file, in a few words.

    Examples
    --------
    >>> not_a_file(Path("/dev/null")), not_a_file(Path("/")), not_a_file(Path("/no/such"))
    ('not a regular file (a device, pipe or socket)', 'a folder, not a file', 'file not found')
    """
    if path.is_symlink() and not path.exists():
        return f"a link to a missing file ({os.readlink(path)})"
    if path.is_dir():
        return "a folder, not a file"
    if path.exists():
        return "not a regular file (a device, pipe or socket)"
    return "file not found"


def read_table(path: str | Path, contract: Contract | None = None) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file as it is, without judging its content.

    Text columns of the contract are read as text (so ``"007"`` stays
    ``"007"``); only empty cells are missing values (``"NA"`` is text).
    Header names are stripped of surrounding spaces.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` (first sheet) or ``.parquet`` file.
    contract : Contract, optional
        Used to read the contract's text columns as text.

    Returns
    -------
    pandas.DataFrame
        The rows, with a fresh RangeIndex and header names stripped of spaces.

    Raises
    ------
    DataValidationError
        If the file is missing, empty, not UTF-8, not parseable or has no rows.
    """
    path = Path(path)
    name = contract.name if contract else ""

    def fail(message: str, expected: str = "", rows: list[int] | None = None, n: int = 0):
        problem = Problem(None, message, expected, tuple(rows or ()), n, ())
        return DataValidationError(path, [problem], name)

    if not path.is_file():
        raise fail(not_a_file(path), "an existing .csv, .xlsx or .parquet file")
    suffix = path.suffix.lower()
    header_hint = ""
    if contract:
        header_hint = "a header row with the columns " + ", ".join(contract.required)
    too_wide = (
        f"{{n:,}} columns; a file has at most {MAX_COLUMNS:,}",
        header_hint or "the contract's columns and a few more",
    )
    if suffix == ".parquet":
        try:
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
        except Exception as exc:  # pyarrow raises several types
            raise fail(f"not a readable Parquet file ({exc})", "a Parquet file") from None
        if len(schema.names) > MAX_COLUMNS:
            raise fail(too_wide[0].format(n=len(schema.names)), too_wide[1])
        nested = [f.name for f in schema if _nested_arrow(f.type)]
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types
            raise fail(f"not a readable Parquet file ({exc})", "a Parquet file") from None
        if nested:  # a list, struct or map per cell: no contract column holds one
            raise fail(
                "column(s) holding lists, structs or maps: " + ", ".join(map(repr, nested)),
                "one plain value (text, number or date) per cell",
            )
    elif suffix in (".csv", ".txt"):
        with path.open("rb") as fh:
            if b"\x00" in fh.read(65536):  # UTF-16 without a byte-order mark, or binary
                raise fail(
                    "the file holds NUL bytes: it is UTF-16 or not text (save it as UTF-8)",
                    "UTF-8 encoded comma-separated text",
                )
        header = _csv_header(path)
        if len(header) > MAX_COLUMNS:
            raise fail(too_wide[0].format(n=len(header)), too_wide[1])
        # index_col=False: a row with more fields than the header is an error, not an
        # index that shifts every column by one
        options = {
            "encoding": "utf-8-sig",
            "na_values": [""],
            "keep_default_na": False,
            "index_col": False,
        }
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(path, **options)
            # Text columns read as numbers ("007" -> 7) are read again as text.
            # Done afterwards because typed reading of every text column costs
            # more than the whole plain read.
            if contract is not None:
                text_cols = [
                    c.name
                    for c in contract.columns
                    if c.kind in _TEXT_KINDS
                    and c.name in frame.columns
                    and frame[c.name].dtype.kind in "iufb"
                ]
                if text_cols:
                    again = pd.read_csv(
                        path, usecols=text_cols, dtype=dict.fromkeys(text_cols, str), **options
                    )
                    frame[text_cols] = again[text_cols]
        except pd.errors.ParserWarning:
            hint = _delimiter_hint(header)
            if hint:
                raise fail(hint, "comma-separated values") from None
            rows, n = _long_rows(path, len(header))
            raise fail(
                f"more fields than the header's {len(header)} columns",
                "as many fields in every row as in the header (quote text holding commas)",
                rows,
                n,
            ) from None
        except pd.errors.EmptyDataError:
            raise fail("the file is empty", header_hint or "a header row") from None
        except UnicodeDecodeError:
            rows, n = _bad_utf8_lines(path)
            raise fail(
                "text is not UTF-8 (save the file as UTF-8)",
                "UTF-8 encoded text",
                rows,
                n,
            ) from None
        except pd.errors.ParserError as exc:
            hint = _delimiter_hint(header)
            rows, n = ([], 0) if hint or not header else _long_rows(path, len(header))
            if n:
                raise fail(
                    f"more fields than the header's {len(header)} columns",
                    "as many fields in every row as in the header (quote text holding commas)",
                    rows,
                    n,
                ) from None
            message = hint or f"cannot be parsed as CSV ({str(exc).strip()})"
            raise fail(message, "comma-separated values") from None
        hint = _delimiter_hint(_csv_header(path))
        if hint:
            raise fail(hint, "comma-separated values" + (f": {header_hint}" if header_hint else ""))
        # pandas renames a repeated header name ("a", "a.1"): find it in the header itself
        names = _csv_header(path)
    elif suffix == ".xlsx":
        try:  # the first sheet, every cell as written (text stays text)
            frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises several types
            raise fail(f"not a readable Excel file ({exc})", "an .xlsx workbook") from None
        if frame.shape[1] > MAX_COLUMNS:
            raise fail(too_wide[0].format(n=frame.shape[1]), too_wide[1])
        frame = frame.map(_excel_cell)
    else:
        raise fail(f"unsupported file type '{suffix}'", "a .csv, .xlsx or .parquet file")
    if suffix in (".parquet", ".xlsx"):
        names = [str(c).strip() for c in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        shown = ", ".join(f"'{n}' ({names.count(n)} times)" for n in repeated)
        raise fail(f"repeated column name: {shown}", "each column name once")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise fail("no data rows (only a header)", "at least one data row")
    return frame.reset_index(drop=True)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path that replaces ``target`` only if the block succeeds.

    Parameters
    ----------
    target : str or Path
        The final file name.

    Yields
    ------
    Path
        A temporary file in the same folder; write to it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # keep the real suffix last (tools such as papermill check it)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; use the usual mode
        os.replace(tmp_path, target)
    except OSError as exc:
        if exc.errno in _NO_SPACE:  # writers (pyarrow, openpyxl) often name no file
            raise PerjakaError(
                f"cannot write {target}: {exc.strerror or 'no space left'}; nothing was "
                "replaced (free some space, or choose another folder)"
            ) from exc
        raise
    finally:
        tmp_path.unlink(missing_ok=True)


#: Errors that mean the file system is full (or the file too large for it).
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot be read as spreadsheet formulas.

    The OWASP rule for CSV injection: a text cell (or column name) starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    single quote, so Excel, LibreOffice or Google Sheets show it as text instead
    of running it. Numbers, dates and missing values are unchanged; the input
    frame is not modified.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be written for people to open.

    Returns
    -------
    pandas.DataFrame
        A new frame; text columns neutralised.

    Examples
    --------
    >>> df = pd.DataFrame({"district": ["=HYPERLINK(1)", "Kota Bandung"], "n": [-1, 2]})
    >>> neutralise_formulas(df)["district"].tolist()
    ["'=HYPERLINK(1)", 'Kota Bandung']
    >>> neutralise_formulas(df)["n"].tolist()
    [-1, 2]
    """

    def fix(value: object) -> object:
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return "'" + value
        return value

    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        elif column.dtype.kind in "biufcmM":
            continue
        out[name] = column.map(fix)
    out.columns = [fix(c) for c in out.columns]
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame to CSV, Excel or Parquet atomically (by the file's suffix).

    Text cells of a CSV or ``.xlsx`` are neutralised against formula
    injection (see :func:`neutralise_formulas`); Parquet keeps the values as
    they are.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : str or Path
        Target ``.csv``, ``.xlsx`` or ``.parquet``.

    Returns
    -------
    Path
        The written path.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif path.suffix.lower() == ".xlsx":
            neutralise_formulas(frame).to_excel(tmp, index=False, engine="openpyxl")
        else:
            neutralise_formulas(frame).to_csv(tmp, index=False)
    return path
