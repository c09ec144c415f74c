"""perjaka-analysis: a workbench for JKN-KIS coverage, UHC targets and employer compliance.

The public API is small; everything below is importable from the top level.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .datasets import connect, data_dir, load_coverage, load_provinces, load_targets
from .errors import (
    DataQualityWarning,
    DataValidationError,
    PerjakaError,
    UnknownProvinceError,
)
from .loaders import read_coverage, read_registry
from .provinces import NATIONAL, normalise_province, normalise_provinces, province_table

try:
    __version__ = version("perjaka-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "NATIONAL",
    "DataQualityWarning",
    "DataValidationError",
    "PerjakaError",
    "UnknownProvinceError",
    "__version__",
    "connect",
    "data_dir",
    "load_coverage",
    "load_provinces",
    "load_targets",
    "normalise_province",
    "normalise_provinces",
    "province_table",
    "read_coverage",
    "read_registry",
]
