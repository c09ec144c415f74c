"""Reading and writing tables: CSV or Parquet in, atomic writes out.

Reading never judges (that is :mod:`perjaka_analysis.validate`) and never
modifies the input. Writing goes to a temporary file beside the target and is
renamed into place, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .contracts import Contract
from .errors import DataValidationError, Problem

__all__ = ["atomic_path", "read_table", "write_table"]

_TEXT_KINDS = ("string", "enum", "province")


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


def read_table(path: str | Path, contract: Contract | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file as it is, without judging its content.

    Text columns of the contract are read as text (so ``"007"`` stays
    ``"007"``); only empty cells are missing values (``"NA"`` is text).
    Header names are stripped of surrounding spaces.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file.
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
        raise fail("file not found", "an existing .csv or .parquet file")
    suffix = path.suffix.lower()
    header_hint = ""
    if contract:
        header_hint = "a header row with the columns " + ", ".join(contract.required)
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types
            raise fail(f"not a readable Parquet file ({exc})", "a Parquet file") from None
    elif suffix in (".csv", ".txt"):
        options = {"encoding": "utf-8-sig", "na_values": [""], "keep_default_na": False}
        try:
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
            raise fail(f"cannot be parsed as CSV ({exc})", "comma-separated values") from None
    else:
        raise fail(f"unsupported file type '{suffix}'", "a .csv or .parquet file")
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
    finally:
        tmp_path.unlink(missing_ok=True)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame to CSV or Parquet atomically (by the file's suffix).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : str or Path
        Target ``.csv`` or ``.parquet``.

    Returns
    -------
    Path
        The written path.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
    return path
