"""Read input files and enforce their contracts in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from .contracts import COVERAGE, REGISTRY
from .errors import DataValidationError, Problem
from .io import read_table
from .validate import validate_coverage, validate_registry

__all__ = ["check_file", "guess_kind", "read_coverage", "read_registry"]


def read_coverage(path: str | Path) -> pd.DataFrame:
    """Read and validate a coverage file (CSV or Parquet).

    Parameters
    ----------
    path : str or Path
        A file following the coverage contract.

    Returns
    -------
    pandas.DataFrame
        See :func:`perjaka_analysis.validate.validate_coverage`.

    Raises
    ------
    DataValidationError
        Listing every broken rule, with file, column, rows and valid values.

    Examples
    --------
    >>> from perjaka_analysis.datasets import raw_path
    >>> cov = read_coverage(raw_path("coverage.csv"))
    >>> cov.loc[cov.province == "Sulawesi Tengah", "coverage_pct"].tolist()
    [89.25, 83.62, 100.3]
    """
    return validate_coverage(read_table(path, COVERAGE), path)


def read_registry(path: str | Path) -> pd.DataFrame:
    """Read and validate an employer registry (CSV or Parquet).

    Parameters
    ----------
    path : str or Path
        A file following the employer registry contract.

    Returns
    -------
    pandas.DataFrame
        See :func:`perjaka_analysis.validate.validate_registry`.

    Raises
    ------
    DataValidationError
        Listing every broken rule, with file, column, rows and valid values.
    """
    return validate_registry(read_table(path, REGISTRY), path)


def guess_kind(path: str | Path) -> Literal["coverage", "registry"]:
    """Tell from its header whether a file is a coverage file or a registry.

    Parameters
    ----------
    path : str or Path
        A CSV or Parquet file.

    Returns
    -------
    {"coverage", "registry"}

    Raises
    ------
    DataValidationError
        If the header fits neither contract.
    """
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            columns = set(pq.read_schema(path).names)
        except Exception:
            columns = set()
    else:
        columns = set(read_table(path).columns) if path.is_file() else set()
    if "employer_id" in columns or {"sector", "workers_reported"} & columns:
        return "registry"
    if {"coverage_pct", "participants", "measure", "date"} & columns or not path.is_file():
        return "coverage"
    raise DataValidationError(
        path,
        [
            Problem(
                None,
                "the header fits neither contract",
                "a coverage file (province, date, coverage_pct ...) "
                "or an employer registry (employer_id, province, sector ...)",
            )
        ],
    )


def check_file(
    path: str | Path, kind: Literal["coverage", "registry"] | None = None
) -> pd.DataFrame:
    """Validate a file against its contract, guessing the contract from the header.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : {"coverage", "registry"}, optional
        The contract; guessed from the header when omitted.

    Returns
    -------
    pandas.DataFrame
        The validated frame.
    """
    kind = kind or guess_kind(path)
    return read_registry(path) if kind == "registry" else read_coverage(path)
