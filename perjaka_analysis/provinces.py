"""The 38 provinces of Indonesia: official names, BPS codes and the aliases people type.

The reference table ships with the package (``reference/provinces.csv``). Names
are matched after a light normalisation: case, spacing, punctuation and a
leading "Prov."/"Provinsi"/"Province of" are ignored, and a 2-digit BPS code
(``"17"`` or ``17``) is accepted. Kemendagri codes are *not* accepted as codes:
they differ from BPS codes for the Papua provinces.

Boundaries change. Papua Selatan, Papua Tengah and Papua Pegunungan were carved
out of Papua on 2022-07-25, Papua Barat Daya out of Papua Barat on 2022-12-08,
and Kalimantan Utara out of Kalimantan Timur on 2012-10-25. A figure dated
before such a split stays attached to the province *as it was then*:
:func:`assign_territory` labels it with the old territory
(e.g. ``"Papua (pre-2022-07-25 boundaries)"``) so that it is never read as a
figure for today's smaller province.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd

from .errors import UnknownProvinceError

__all__ = [
    "NATIONAL",
    "assign_territory",
    "closest_provinces",
    "normalise_province",
    "normalise_provinces",
    "province_splits",
    "province_table",
]

#: The name used for the national total in every table.
NATIONAL = "INDONESIA"

_PREFIX = re.compile(r"^(?:provinsi|propinsi|province of|province|prov)\s+")
_SUFFIX = re.compile(r"\s+province$")


def _key(value: object) -> str:
    """Normalise a name for matching: case, accents, punctuation, spacing, prefixes."""
    text = unicodedata.normalize("NFKC", str(value)).casefold().strip()
    text = text.replace("d.i.", "di ").replace("d. i.", "di ")
    text = re.sub(r"[.\-_/,()]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _PREFIX.sub("", text)
    text = _SUFFIX.sub("", text)
    text = re.sub(r"^kep ", "kepulauan ", text)
    return text


@cache
def province_table() -> pd.DataFrame:
    """Return the reference table of the 38 provinces.

    Returns
    -------
    pandas.DataFrame
        One row per province, in BPS code order, with columns ``bps_code``
        (2-digit string), ``kemendagri_code``, ``province`` (official name),
        ``name_en``, ``aliases`` (list of str), ``island_group``,
        ``geojson_id``, ``established``, ``predecessor`` and ``legal_basis``.
        The frame is cached: copy it before changing it.

    Examples
    --------
    >>> t = province_table()
    >>> len(t), t.loc[t.bps_code == "72", "province"].item()
    (38, 'Sulawesi Tengah')
    """
    with (
        resources.files(__package__)
        .joinpath("reference/provinces.csv")
        .open(encoding="utf-8") as fh
    ):
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    table["aliases"] = table["aliases"].map(lambda s: [a for a in s.split(";") if a])
    table["established"] = pd.to_datetime(table["established"].replace("", None))
    return table


@cache
def _lookup() -> dict[str, str]:
    table = province_table()
    lookup: dict[str, str] = {}
    for row in table.itertuples(index=False):
        for name in (row.province, row.name_en, row.bps_code, *row.aliases):
            key = _key(name)
            other = lookup.setdefault(key, row.province)
            if other != row.province:  # pragma: no cover - guarded by a test
                raise RuntimeError(f"alias {name!r} names both {other} and {row.province}")
    lookup[_key(NATIONAL)] = NATIONAL
    lookup["nasional"] = NATIONAL
    lookup["national"] = NATIONAL
    return lookup


def _code_key(value: object) -> str | None:
    """Return a 2-digit code for numeric input (17, 17.0, "17"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value or int(value) != value:  # NaN or fractional
            return None
        return f"{int(value):02d}"
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}(\.0+)?", text):
        return f"{int(float(text)):02d}"
    return None


def closest_provinces(value: object, n: int = 3) -> list[str]:
    """Return the official names closest to an unknown name.

    Parameters
    ----------
    value : object
        The name as typed.
    n : int
        How many names to return at most.

    Returns
    -------
    list of str
        Official province names, closest first (never empty for ``n >= 1``).

    Examples
    --------
    >>> closest_provinces("Sulawesi Tegah")[0]
    'Sulawesi Tengah'
    """
    lookup = _lookup()
    keys = difflib.get_close_matches(_key(value), list(lookup), n=4 * n, cutoff=0.0)
    names: list[str] = []
    for k in keys:
        name = lookup[k]
        if name not in names and name != NATIONAL:
            names.append(name)
    return names[:n]


def _resolve(value: object, *, allow_national: bool) -> str | None:
    code = _code_key(value)
    name = _lookup().get(code if code is not None else _key(value))
    if name == NATIONAL and not allow_national:
        return None
    return name


def normalise_province(value: object, *, allow_national: bool = True) -> str:
    """Return the official name of a province given a name, alias or BPS code.

    Parameters
    ----------
    value : object
        A name ("Sulawesi Tengah"), alias ("Sulteng", "Prov. Bengkulu", "DKI"),
        English name ("West Java") or 2-digit BPS code ("17" or 17), in any
        case and spacing.
    allow_national : bool
        Accept ``INDONESIA`` (the national total).

    Returns
    -------
    str
        The official name, or ``"INDONESIA"``.

    Raises
    ------
    UnknownProvinceError
        If the value names no province; the error lists the closest names.

    Examples
    --------
    >>> normalise_province("  sulteng ")
    'Sulawesi Tengah'
    >>> normalise_province(17)
    'Bengkulu'
    >>> normalise_province("Prov. Bengkulu")
    'Bengkulu'
    """
    name = _resolve(value, allow_national=allow_national)
    if name is None:
        raise UnknownProvinceError({str(value): closest_provinces(value)})
    return name


def normalise_provinces(
    values: Iterable[object] | pd.Series, *, allow_national: bool = True
) -> pd.Series:
    """Normalise many province names at once (fast: each distinct value once).

    Parameters
    ----------
    values : iterable or Series
        Names, aliases or codes.
    allow_national : bool
        Accept ``INDONESIA``.

    Returns
    -------
    pandas.Series
        Official names, same index as ``values`` when it is a Series.

    Raises
    ------
    UnknownProvinceError
        Listing every unknown value with its closest names.

    Examples
    --------
    >>> normalise_provinces(["Jabar", "jawa barat", "32"]).tolist()
    ['Jawa Barat', 'Jawa Barat', 'Jawa Barat']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    mapping, unknown = map_provinces(series.dropna().unique(), allow_national=allow_national)
    if unknown:
        raise UnknownProvinceError({str(u): closest_provinces(u) for u in unknown})
    return series.map(mapping)


def map_provinces(
    uniques: Iterable[object], *, allow_national: bool = True
) -> tuple[dict[object, str], list[object]]:
    """Map distinct raw values to official names.

    Parameters
    ----------
    uniques : iterable
        Distinct raw values.
    allow_national : bool
        Accept ``INDONESIA``.

    Returns
    -------
    mapping : dict
        Raw value to official name, for the values that resolve.
    unknown : list
        Values that name no province.
    """
    mapping: dict[object, str] = {}
    unknown: list[object] = []
    for value in uniques:
        name = _resolve(value, allow_national=allow_national)
        if name is None:
            unknown.append(value)
        else:
            mapping[value] = name
    return mapping, unknown


def province_splits() -> pd.DataFrame:
    """Return the boundary changes: which province was carved out of which, and when.

    Returns
    -------
    pandas.DataFrame
        Columns ``province`` (the new one), ``predecessor``, ``established``,
        ``legal_basis``.

    Examples
    --------
    >>> sorted(province_splits().query("predecessor == 'Papua'").province)
    ['Papua Pegunungan', 'Papua Selatan', 'Papua Tengah']
    """
    t = province_table()
    return (
        t.loc[t["predecessor"] != "", ["province", "predecessor", "established", "legal_basis"]]
        .sort_values(["established", "province"])
        .reset_index(drop=True)
    )


def assign_territory(provinces: pd.Series, dates: pd.Series) -> pd.Series:
    """Label each (province, date) with the territory the figure refers to.

    A figure for a province that later lost land to a new province, dated
    before the split, refers to the larger, older territory. Such rows get the
    label ``"<province> (pre-YYYY-MM-DD boundaries)"``; every other row gets
    the province name itself.

    Parameters
    ----------
    provinces : Series of str
        Official province names (or ``INDONESIA``).
    dates : Series of datetime64
        The dates the figures refer to.

    Returns
    -------
    pandas.Series of str
        The territory label, same index as ``provinces``.

    Examples
    --------
    >>> p = pd.Series(["Papua", "Papua", "Aceh"])
    >>> d = pd.to_datetime(pd.Series(["2021-12-31", "2023-01-01", "2019-01-01"]))
    >>> assign_territory(p, d).tolist()
    ['Papua (pre-2022-07-25 boundaries)', 'Papua', 'Aceh']
    """
    territory = provinces.astype(object).copy()
    splits = province_splits().groupby("predecessor")["established"].max()
    for old, when in splits.items():
        mask = (provinces == old) & (dates < when)
        territory[mask] = f"{old} (pre-{when:%Y-%m-%d} boundaries)"
    return territory
