"""Exceptions raised by perjaka_analysis.

Every error a user can cause by their input derives from :class:`PerjakaError`;
the command line prints its message and exits with status 2, without a
traceback. Every error type can be pickled, so an error raised in a worker
process reaches the parent intact (message and attributes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "PerjakaError",
    "Problem",
    "Terminated",
    "UnknownProvinceError",
]


class PerjakaError(Exception):
    """Base class of every error caused by user input or configuration."""


class DataQualityWarning(UserWarning):
    """Something in an input file is suspicious but is kept (e.g. a rounded count)."""


@dataclass(frozen=True)
class Problem:
    """One rule broken by an input file.

    Attributes
    ----------
    column : str or None
        The column concerned, or None for a file-level problem.
    message : str
        What is wrong, in a few words.
    expected : str
        What would be valid.
    rows : tuple of int
        0-based positions (in the data rows) of the first offending rows.
    n_rows : int
        How many rows break the rule in total.
    values : tuple of str
        The offending values, aligned with ``rows``.
    """

    column: str | None
    message: str
    expected: str = ""
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    values: tuple[str, ...] = field(default=())

    def describe(self, *, csv: bool = True) -> str:
        """Return the problem as one readable line.

        Parameters
        ----------
        csv : bool
            If True, rows are named by their line in a CSV file (the header
            is line 1); otherwise by their 1-based row number.
        """
        where = f"column '{self.column}'" if self.column else "file"
        text = f"{where}: {self.message}"
        if self.n_rows:
            label = "line" if csv else "row"
            shown = [
                f"{label} {r + 2 if csv else r + 1}" + (f" ({v!r})" if v != "" else "")
                for r, v in zip(self.rows, self.values or ("",) * len(self.rows), strict=False)
            ]
            more = f" and {self.n_rows - len(shown)} more" if self.n_rows > len(shown) else ""
            noun = "row" if self.n_rows == 1 else "rows"
            text += f" in {self.n_rows} {noun}: " + ", ".join(shown) + more
        if self.expected:
            text += f"; valid: {self.expected}"
        return text


class DataValidationError(PerjakaError):
    """An input file breaks its data contract.

    All problems found are listed at once; nothing was written.

    Parameters
    ----------
    path : str or Path
        The file that was read.
    problems : sequence of Problem
        Every rule broken.
    contract : str
        Name of the contract checked (e.g. ``"coverage"``).
    """

    def __init__(self, path: str | Path, problems: Sequence[Problem], contract: str = "") -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        self.contract = contract
        super().__init__(self._format())

    def __reduce__(self):  # rebuild from the fields, not from the formatted message
        return (type(self), (self.path, self.problems, self.contract))

    def _format(self) -> str:
        csv = self.path.suffix.lower() != ".parquet"
        n = len(self.problems)
        head = f"{self.path}: {n} problem{'s' if n != 1 else ''}"
        if self.contract:
            head += f" against the {self.contract} contract"
        head += "; the file was rejected and nothing was written."
        return "\n".join([head, *(f"  - {p.describe(csv=csv)}" for p in self.problems)])


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled exactly like Ctrl-C.

    ``timeout``, systemd and container runtimes send SIGTERM; raising it as a
    :class:`KeyboardInterrupt` sends it down the one interruption path (workers
    stopped, the lock and temporary folders removed, what is complete written).
    """


class UnknownProvinceError(PerjakaError, KeyError):
    """A province name, alias or code that is not one of the 38 provinces.

    Parameters
    ----------
    suggestions : dict
        Each unknown value mapped to the closest valid official names.
    """

    def __init__(self, suggestions: dict[str, list[str]]) -> None:
        self.suggestions = suggestions
        parts = [
            f"{value!r} (closest: {', '.join(names)})" if names else repr(value)
            for value, names in suggestions.items()
        ]
        noun = "province" if len(parts) == 1 else "provinces"
        super().__init__(f"unknown {noun}: " + "; ".join(parts))

    def __reduce__(self):  # rebuild from the suggestions, not from the formatted message
        return (type(self), (self.suggestions,))

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])
