"""Check frames against the data contracts.

Every check is vectorised and every problem is collected before anything is
raised, so a user sees all that is wrong with a file at once. Checking never
writes and never changes its input; it returns a new, normalised frame.

- :mod:`~perjaka_analysis.validate.columns`: a frame checked column by column
  against a contract (:func:`validate_frame`, :func:`check_links`);
- :mod:`~perjaka_analysis.validate.tables`: one validator per data contract;
- :mod:`~perjaka_analysis.validate.values`: one parameter value (a date, a
  number, a list of numbers).
"""

from __future__ import annotations

from .columns import check_links, validate_frame
from .tables import (
    validate_coverage,
    validate_outcomes,
    validate_provinces,
    validate_registry,
    validate_targets,
    validate_uhc_status,
)
from .values import (
    DATE_MAX,
    DATE_MIN,
    validate_date,
    validate_int,
    validate_number,
    validate_numbers,
)

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
