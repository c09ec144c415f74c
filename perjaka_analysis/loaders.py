"""Read input files and enforce their contracts in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from .contracts import COVERAGE, PROVINCES, REGISTRY, TARGETS, UHC_STATUS
from .errors import DataValidationError, Problem
from .io import read_table
from .validate import (
    validate_coverage,
    validate_provinces,
    validate_registry,
    validate_targets,
    validate_uhc_status,
)

__all__ = [
    "KINDS",
    "check_file",
    "guess_kind",
    "read_coverage",
    "read_provinces",
    "read_registry",
    "read_targets",
    "read_uhc_status",
]

Kind = Literal["coverage", "registry", "provinces", "targets", "uhc_status"]

#: The contracts ``perjaka data check --kind`` knows.
KINDS: tuple[str, ...] = ("coverage", "registry", "provinces", "targets", "uhc_status")


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
    >>> sorted(cov["measure"].unique().tolist())
    ['registered', 'survey_any', 'survey_bpjs']
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


def read_provinces(path: str | Path) -> pd.DataFrame:
    """Read and validate a province table such as ``data/raw/provinces.csv``.

    See :func:`perjaka_analysis.validate.validate_provinces`.

    Examples
    --------
    >>> from perjaka_analysis.datasets import raw_path
    >>> p = read_provinces(raw_path("provinces.csv"))
    >>> len(p), p.loc[p.bps_code == "72", "province"].item()
    (38, 'Sulawesi Tengah')
    """
    return validate_provinces(read_table(path, PROVINCES), path)


def read_targets(path: str | Path) -> pd.DataFrame:
    """Read and validate official targets such as ``data/raw/targets.csv``.

    See :func:`perjaka_analysis.validate.validate_targets`.
    """
    return validate_targets(read_table(path, TARGETS), path)


def read_uhc_status(path: str | Path) -> pd.DataFrame:
    """Read and validate UHC status reports such as ``data/raw/uhc_status.csv``.

    See :func:`perjaka_analysis.validate.validate_uhc_status`.
    """
    return validate_uhc_status(read_table(path, UHC_STATUS), path)


_READERS = {
    "coverage": read_coverage,
    "registry": read_registry,
    "provinces": read_provinces,
    "targets": read_targets,
    "uhc_status": read_uhc_status,
}


def guess_kind(path: str | Path) -> Kind:
    """Tell from its header whether a file is a coverage file or a registry.

    Parameters
    ----------
    path : str or Path
        A CSV or Parquet file.

    Returns
    -------
    {"coverage", "registry", "provinces", "targets", "uhc_status"}

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
            read_table(path)  # raises its own message: not a file, truncated, not Parquet
            raise
    else:
        columns = set(read_table(path).columns)  # a missing or unreadable file: its message
    if "employer_id" in columns or {"sector", "workers_reported"} & columns:
        return "registry"
    if {"scope", "target_value"} & columns:
        return "targets"
    if {"status", "criterion", "n_provinces_uhc"} & columns:
        return "uhc_status"
    if "bps_code" in columns:
        return "provinces"
    if {"coverage_pct", "participants", "measure", "date"} & columns or not path.is_file():
        return "coverage"
    raise DataValidationError(
        path,
        [
            Problem(
                None,
                "the header fits no contract",
                "a coverage file (province, date, coverage_pct ...), an employer "
                "registry (employer_id, province, sector ...), a province table "
                "(bps_code, province, population ...), targets (scope, metric, "
                "target_value ...) or UHC status reports (province, date, status ...)",
            )
        ],
    )


def check_file(path: str | Path, kind: Kind | None = None) -> pd.DataFrame:
    """Validate a file against its contract, guessing the contract from the header.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : {"coverage", "registry", "provinces", "targets", "uhc_status"}, optional
        The contract; guessed from the header when omitted.

    Returns
    -------
    pandas.DataFrame
        The validated frame.
    """
    kind = kind or guess_kind(path)
    return _READERS[kind](path)
