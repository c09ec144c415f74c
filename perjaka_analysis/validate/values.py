"""Parameter values: one value given on the command line, in a config or to a notebook."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from ..errors import PerjakaError

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "validate_date",
    "validate_int",
    "validate_number",
    "validate_numbers",
]

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
