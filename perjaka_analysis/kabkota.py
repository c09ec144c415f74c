"""Every kabupaten and kota: the official table, news spellings, and the facts per place.

``data/raw/kabupaten_kota.csv`` lists the 514 kabupaten/kota with their
Kemendagri code, official name, kind, province and 2024 civil-registry
population. :func:`read_kabupaten_kota` enforces its contract;
:func:`official_district_names` turns the news spellings of
``coverage_districts.csv`` into official names;
:func:`province_populations` sums the kab/kota of each province. The table of
every kab/kota of a province, with the people missing to its threshold, is a
fact of a run (:func:`perjaka_analysis.facts.kabkota.compute_kabkota_table`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .contracts import KABUPATEN_KOTA
from .errors import DataValidationError, Problem
from .io import data_dir, read_table
from .provinces import province_table
from .validate import validate_frame

__all__ = [
    "KABKOTA_COLUMNS",
    "district_key",
    "fill_populations",
    "load_kabupaten_kota",
    "official_district_names",
    "province_populations",
    "read_kabupaten_kota",
    "round_people",
    "validate_kabupaten_kota",
]

#: Where the kab/kota codes and populations were compiled (MIT licence; credit it where shown).
KABKOTA_SOURCE_URL = "https://github.com/cahyadsn/wilayah"
_CODE = re.compile(r"^\d{2}\.\d{2}$")
_SHOW = 5

#: Columns of :func:`compute_kabkota_table`, in order.
KABKOTA_COLUMNS = (
    "province", "kemendagri_code", "district", "kind", "population", "population_date",
    "date", "date_precision", "coverage_pct", "qualifier", "target_pct", "target_basis",
    "gap_pp", "gap_bound", "people_missing", "age_months", "old", "source_url", "publisher",
    "published", "published_precision",
)  # fmt: skip


def _rows_problem(column: str, mask: pd.Series, shown: pd.Series, message: str, expected: str):
    idx = np.flatnonzero(mask.to_numpy(dtype=bool))
    rows = tuple(int(i) for i in idx[:_SHOW])
    values = tuple(str(v) for v in shown.iloc[list(rows)])
    return Problem(column, message, expected, rows, len(idx), values)


def validate_kabupaten_kota(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate a kabupaten/kota table against its contract.

    Besides the column rules (a known province, ``kind`` ``kabupaten`` or
    ``kota``, ``population`` a whole number above 0), each ``kemendagri_code``
    is ``NN.NN``, appears once and starts with its province's Kemendagri
    code; each name appears once in its province and begins with its kind
    (``Kabupaten …`` / ``Kota …``). Runs of spaces in names become one.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    pandas.DataFrame
        Contract columns typed, ``province`` as the official name, ``name``
        with single spaces.

    Raises
    ------
    DataValidationError
        Listing every broken rule (file, column, lines, what would be valid).

    Examples
    --------
    >>> rows = pd.DataFrame({"kemendagri_code": ["36.71"], "name": ["Kota  Tangerang"],
    ...     "kind": ["kota"], "province": ["Banten"], "population": [1900000]})
    >>> validate_kabupaten_kota(rows)["name"].tolist()
    ['Kota Tangerang']
    """
    df, problems = validate_frame(frame, KABUPATEN_KOTA, path)
    if "name" in df:
        df["name"] = df["name"].str.replace(r"\s+", " ", regex=True).str.strip()
    if "kemendagri_code" in df:
        code = df["kemendagri_code"]
        bad = code.notna() & ~code.fillna("").str.match(_CODE)
        if bad.any():
            problems.append(
                _rows_problem(
                    "kemendagri_code", bad, code, "not a kab/kota code", "NN.NN, e.g. 33.76"
                )
            )
        dup = code.notna() & code.duplicated(keep=False)
        if dup.any():
            problems.append(
                _rows_problem("kemendagri_code", dup, code, "code listed twice", "each code once")
            )
        if "province" in df:
            prefix = df["province"].map(
                province_table().set_index("province")["kemendagri_code"].astype(str)
            )
            wrong = ~bad & code.notna() & prefix.notna() & (code.str[:2] != prefix)
            if wrong.any():
                shown = code.astype(str) + " in " + df["province"].astype(str)
                problems.append(
                    _rows_problem(
                        "kemendagri_code",
                        wrong,
                        shown,
                        "code does not start with the province's Kemendagri code",
                        "the province's 2-digit Kemendagri code, a dot, two digits",
                    )
                )
    if {"name", "province"} <= set(df.columns):
        dup = df["name"].notna() & df.duplicated(["province", "name"], keep=False)
        if dup.any():
            problems.append(
                _rows_problem("name", dup, df["name"], "name listed twice in its province", "once")
            )
    if {"name", "kind"} <= set(df.columns):
        first = df["name"].fillna("").str.split(" ").str[0].str.lower()
        wrong = df["kind"].notna() & df["name"].notna() & (first != df["kind"])
        if wrong.any():
            shown = df["name"].astype(str) + " (" + df["kind"].astype(str) + ")"
            problems.append(
                _rows_problem(
                    "name",
                    wrong,
                    shown,
                    "name does not begin with its kind",
                    "Kabupaten …, Kota …",
                )
            )
    if problems:
        raise DataValidationError(path, problems, KABUPATEN_KOTA.name)
    for col in KABUPATEN_KOTA.names:
        if col not in df:
            df[col] = pd.NA
    return df.reset_index(drop=True)


def read_kabupaten_kota(path: str | Path) -> pd.DataFrame:
    """Read and validate a kabupaten/kota table such as ``data/raw/kabupaten_kota.csv``.

    See :func:`validate_kabupaten_kota`.
    """
    return validate_kabupaten_kota(read_table(path, KABUPATEN_KOTA), path)


def load_kabupaten_kota(path: str | Path | None = None) -> pd.DataFrame:
    """The shipped ``kabupaten_kota.csv`` (514 kab/kota), validated.

    Parameters
    ----------
    path : str or Path, optional
        Another file of the same contract.

    Returns
    -------
    pandas.DataFrame
        See :func:`validate_kabupaten_kota`.
    """
    return read_kabupaten_kota(path or data_dir() / "raw" / "kabupaten_kota.csv")


def district_key(name: object) -> str:
    """The spelling-free key of a kab/kota name: lower-case letters and digits only.

    News and official spellings differ in spaces and hyphens only
    (``Palangka Raya`` / ``Palangkaraya``, ``Tojo Una-Una`` / ``Tojo Una Una``),
    so they share a key.

    Examples
    --------
    >>> district_key("Kabupaten Tojo Una-Una") == district_key("Kabupaten Tojo Una Una")
    True
    """
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def official_district_names(
    rows: pd.DataFrame, kabkota: pd.DataFrame, column: str = "district"
) -> pd.DataFrame:
    """Rows with their kab/kota names replaced by the official ones.

    A name is matched within its province by :func:`district_key`; a name
    that matches no kab/kota of its province is kept as written.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``province`` (official name) and ``column``.
    kabkota : pandas.DataFrame
        :func:`read_kabupaten_kota`.
    column : str
        The column holding kab/kota names.

    Returns
    -------
    pandas.DataFrame
        A copy of ``rows``.

    Examples
    --------
    >>> k = pd.DataFrame({"province": ["Kalimantan Tengah"], "name": ["Kota Palangkaraya"]})
    >>> r = pd.DataFrame({"province": ["Kalimantan Tengah"] * 2,
    ...                   "district": ["Kota Palangka Raya", "Kota Lain"]})
    >>> official_district_names(r, k)["district"].tolist()
    ['Kota Palangkaraya', 'Kota Lain']
    """
    lookup = {
        (p, district_key(n)): n for p, n in zip(kabkota["province"], kabkota["name"], strict=True)
    }
    out = rows.copy()
    names = [
        lookup.get((p, district_key(n)), n) if isinstance(n, str) else n
        for p, n in zip(out["province"], out[column], strict=True)
    ]
    out[column] = pd.Series(names, index=out.index, dtype=out[column].dtype)
    return out


def province_populations(kabkota: pd.DataFrame) -> pd.DataFrame:
    """The population of each province as the sum of its kab/kota.

    Parameters
    ----------
    kabkota : pandas.DataFrame
        :func:`read_kabupaten_kota` (``province``, ``population``,
        ``population_date``, ``source``).

    Returns
    -------
    pandas.DataFrame
        ``province, population, population_year, population_source``; a
        province with a kab/kota without population is left out.

    Examples
    --------
    >>> k = pd.DataFrame({"province": ["Papua", "Papua", "Bali"],
    ...     "population": [100, 50, None], "population_date": ["2024-12-31"] * 3,
    ...     "source": ["Dukcapil"] * 3})
    >>> province_populations(k)[["province", "population"]].to_dict("records")
    [{'province': 'Papua', 'population': 150}]
    """
    frame = kabkota.assign(
        year=pd.to_datetime(kabkota["population_date"], errors="coerce").dt.year,
        missing=kabkota["population"].isna(),
    )
    rows = []
    for province, group in frame.groupby("province", sort=True):
        if group["missing"].any():
            continue
        sources = sorted({str(s) for s in group["source"].dropna()})
        year = int(group["year"].max()) if group["year"].notna().any() else pd.NA
        rows.append(
            {
                "province": province,
                "population": int(group["population"].sum()),
                "population_year": year,
                "population_source": "sum of kabupaten/kota (kabupaten_kota.csv): "
                + "; ".join(sources),
            }
        )
    return pd.DataFrame(
        rows, columns=["province", "population", "population_year", "population_source"]
    )


def fill_populations(provinces: pd.DataFrame, kabkota: pd.DataFrame) -> pd.DataFrame:
    """Provinces without a population take the sum of their kab/kota, with its source.

    Parameters
    ----------
    provinces : pandas.DataFrame
        ``province, population, population_year, population_source`` (and
        ``population_source_url``).
    kabkota : pandas.DataFrame
        :func:`read_kabupaten_kota`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``provinces``; rows that had a population are unchanged.

    Examples
    --------
    >>> p = pd.DataFrame({"province": ["Papua", "Bali"], "population": [None, 40],
    ...     "population_year": [None, 2024], "population_source": [None, "BPS"]})
    >>> k = pd.DataFrame({"province": ["Papua"] * 2, "population": [100, 50],
    ...     "population_date": ["2024-12-31"] * 2, "source": ["Dukcapil"] * 2})
    >>> fill_populations(p, k)["population"].tolist()
    [150, 40]
    """
    sums = province_populations(kabkota).set_index("province")
    out = provinces.copy()
    missing = out["population"].isna() & out["province"].isin(sums.index)
    if missing.any():
        at = out.loc[missing, "province"]
        out["population"] = out["population"].astype("Int64")
        out.loc[missing, "population"] = at.map(sums["population"]).astype("Int64").to_numpy()
        out.loc[missing, "population_year"] = at.map(sums["population_year"]).to_numpy()
        out.loc[missing, "population_source"] = at.map(sums["population_source"]).to_numpy()
        if "population_source_url" in out:
            out.loc[missing, "population_source_url"] = KABKOTA_SOURCE_URL
    return out


def round_people(
    people: pd.Series, decimals: np.ndarray | pd.Series, population: pd.Series
) -> pd.Series:
    """People from a percentage, rounded to what the percentage's precision allows.

    A share stated with ``d`` decimals is known to ±0.5·10⁻ᵈ points, i.e. to
    ±0.5·10⁻ᵈ / 100 × population persons; the count is rounded to the power
    of ten just below that (at least to whole persons).

    Examples
    --------
    >>> round_people(pd.Series([394195.3, 42389.7]), [0, 2],
    ...              pd.Series([1791795, 1702379])).tolist()
    [394000.0, 42390.0]
    """
    half = 0.5 * 10.0 ** (-np.asarray(decimals, dtype=float)) / 100.0 * population.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = 10.0 ** np.floor(np.log10(np.where(half >= 1, half, 1.0)))
    return pd.Series(np.round(people.to_numpy(float) / unit) * unit, index=people.index)
