"""The shipped data: where it lives, how to load it, and the processed Parquet/DuckDB layer.

``data/raw/`` holds the public figures as published (read-only: code never
writes there). ``perjaka data build`` rebuilds ``data/processed/`` from them
as Parquet, and :func:`connect` opens an in-memory DuckDB database with one
view per processed table, for SQL in notebooks.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, PerjakaError
from .io import ENV_DATA_DIR as ENV_DATA_DIR  # re-exported: the name stays importable here
from .io import data_dir
from .kabkota import fill_populations, load_kabupaten_kota
from .loaders import read_coverage, read_provinces, read_targets, read_uhc_status
from .provinces import normalise_provinces, province_table
from .validate import check_links

__all__ = [
    "build_processed",
    "connect",
    "data_dir",
    "load_coverage",
    "load_provinces",
    "load_targets",
    "load_uhc_counts",
    "load_uhc_status",
    "raw_path",
]


def raw_path(name: str) -> Path:
    """Return the path of a shipped raw file, e.g. ``raw_path("coverage.csv")``."""
    path = data_dir() / "raw" / name
    if not path.is_file():
        raise PerjakaError(f"shipped data file not found: {path}")
    return path


def load_coverage(path: str | Path | None = None) -> pd.DataFrame:
    """Load validated province and national coverage observations.

    Parameters
    ----------
    path : str or Path, optional
        A coverage file; default the shipped ``data/raw/coverage.csv``.

    Returns
    -------
    pandas.DataFrame
        See :func:`perjaka_analysis.read_coverage`.
    """
    path = path or raw_path("coverage.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        frame = read_coverage(path)
    notes = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    for w in caught:
        if w not in notes:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if notes:
        warnings.warn(
            summarise_quality_notes(path, [str(w.message) for w in notes]),
            DataQualityWarning,
            stacklevel=2,
        )
    return frame


def summarise_quality_notes(path: str | Path, messages: list[str]) -> str:
    """One line for the data-quality notes of a file: how many, and where to read them.

    Examples
    --------
    >>> line = summarise_quality_notes("c.csv", ["x ... in 4 rows: line 1", "y: line 9"])
    >>> line.split(";")[0]
    'c.csv: 2 data-quality notes on 5 rows (rows kept)'
    """

    rows = 0
    for message in messages:
        counted = re.search(r"\bin (\d+) rows?\b", message)
        rows += int(counted.group(1)) if counted else 1
    shown = _shown(path)
    noun = "note" if len(messages) == 1 else "notes"
    return (
        f"{shown}: {len(messages)} data-quality {noun} on {rows} row{'s' if rows != 1 else ''} "
        f"(rows kept); `perjaka data check {shown}` lists them"
    )


def _shown(path: str | Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(data_dir().parent.resolve()))
    except (ValueError, OSError, PerjakaError):
        return str(path)


def load_provinces() -> pd.DataFrame:
    """Return the 38 provinces with their population (BPS 2024 projection where known).

    A province without a BPS population (Papua, Papua Tengah, Papua
    Pegunungan) takes the 2024 sum of its kab/kota (``kabupaten_kota.csv``),
    with that source in ``population_source``.

    Returns
    -------
    pandas.DataFrame
        The reference table (see :func:`perjaka_analysis.province_table`)
        joined with ``population``, ``population_year``, ``population_source``
        and ``population_source_url`` from ``data/raw/provinces.csv``.

    Examples
    --------
    >>> p = load_provinces()
    >>> p["province"].tolist() == province_table()["province"].tolist()
    True
    >>> bool(p["population"].gt(0).all())
    True
    """
    raw = read_provinces(raw_path("provinces.csv"))
    cols = ["population", "population_year", "population_source", "population_source_url"]
    ref = province_table().copy()
    table = ref.merge(raw[["bps_code", *cols]], on="bps_code", how="left", validate="1:1")
    return fill_populations(table, load_kabupaten_kota())


def load_targets() -> pd.DataFrame:
    """Return the official coverage targets (``data/raw/targets.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per target as published, validated against the targets
        contract; ``scope`` is kept as written (a province, ``INDONESIA``, a
        district or a group of provinces).
    """
    return read_targets(raw_path("targets.csv"))


#: The columns ``employer_compliance.csv`` must have.
COMPLIANCE_COLUMNS = (
    "province", "district_or_area", "date", "date_precision", "metric", "value", "unit",
    "source_url", "source_date", "note",
)  # fmt: skip


def load_employer_compliance(path: str | Path | None = None) -> pd.DataFrame:
    """Public PERJAKA figures on employers (``employer_compliance.csv``).

    Parameters
    ----------
    path : str or Path, optional
        Default the shipped ``data/raw/employer_compliance.csv``.

    Returns
    -------
    pandas.DataFrame
        The rows as published, ``province`` normalised to official names.

    Raises
    ------
    PerjakaError
        Naming the file and the missing columns, or the rows whose
        ``value`` is not a number.
    """
    path = Path(path or raw_path("employer_compliance.csv"))
    frame = pd.read_csv(path, dtype={"district_or_area": str, "note": str, "source_url": str})
    missing = [c for c in COMPLIANCE_COLUMNS if c not in frame.columns]
    if missing:
        raise PerjakaError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(COMPLIANCE_COLUMNS)}"
        )
    values = pd.to_numeric(frame["value"], errors="coerce")
    bad = frame.index[values.isna()].tolist()
    if bad:
        rows = ", ".join(str(i + 2) for i in bad[:10])
        raise PerjakaError(
            f"{path}: column 'value' must be a number; rows {rows} (file line numbers) are not"
        )
    frame["value"] = values

    check_links(frame, path, "employer compliance")
    return _normalise_geo(frame, "province")


#: Status reports under the definition in force since 2024: both conditions met.
JOINT_UHC_STATUSES = ("UHC Prioritas", "UHC (award 2026)")


def load_uhc_status() -> pd.DataFrame:
    """Reports that a province was (or was not) at UHC on a date (``uhc_status.csv``).

    Returns
    -------
    pandas.DataFrame
        ``province`` (official name), ``date``, ``threshold_pct`` (the
        registration threshold the report refers to: the first percentage in
        ``criterion`` (``">=95% registered"``); a criterion without one
        (``"UHC Award 2024"``) takes the threshold in force on the report
        date: 95 before 2024, 98 from 2024), ``above`` (True for every UHC
        status, False for ``below_95pct``), ``active_above`` (True where the
        report is one of the definition in force since 2024 — ``UHC
        Prioritas`` or ``UHC (award 2026)``: registered >= 98% *and* active
        >= 80% on its date; False otherwise, which says nothing of the active
        share), ``source_url``, ``date_precision``, ``source_date``, ``note``.
        National rows are left out.
    """
    raw = read_uhc_status(raw_path("uhc_status.csv"))
    raw = raw[raw["province"] != "INDONESIA"].copy()
    threshold = raw["criterion"].astype(str).str.extract(r"(\d+(?:\.\d+)?)\s*%")[0].astype(float)
    dates = pd.to_datetime(raw["date"])
    in_force = np.where(dates >= pd.Timestamp("2024-01-01"), 98.0, 95.0)
    out = pd.DataFrame(
        {
            "province": raw["province"],
            "date": dates,
            "threshold_pct": threshold.fillna(pd.Series(in_force, index=raw.index)).to_numpy(),
            "above": raw["status"].astype(str).str.startswith("UHC").to_numpy(),
            "active_above": raw["status"].isin(JOINT_UHC_STATUSES).to_numpy(),
            "source_url": raw["source_url"],
            "date_precision": raw["date_precision"].fillna("day"),
            "source_date": raw["source_date"],
            "note": raw["note"],
        }
    )
    return out.reset_index(drop=True)


def load_uhc_counts(path: str | Path | None = None) -> pd.DataFrame:
    """How many provinces met both conditions of today's definition on a date.

    The rows of ``uhc_status.csv`` with ``n_provinces_uhc`` whose report is of
    the definition in force since 2024 (registered >= 98% *and* active >=
    80%): a status of :data:`JOINT_UHC_STATUSES` or a criterion that names the
    active share. Counts of the older definition (>= 95% registered) are
    left out.

    Parameters
    ----------
    path : str or Path, optional
        Default the shipped ``uhc_status.csv``.

    Returns
    -------
    pandas.DataFrame
        ``date, n_provinces, source_url, published`` (``source_date``, or
        the date where it has none), one row per date (the largest count of
        that date), sorted by date.

    Examples
    --------
    >>> counts = load_uhc_counts()
    >>> bool(counts["n_provinces"].between(0, 38).all()), counts["date"].is_monotonic_increasing
    (True, True)
    """
    raw = read_uhc_status(Path(path) if path is not None else raw_path("uhc_status.csv"))
    joint = raw["status"].isin(JOINT_UHC_STATUSES) | raw["criterion"].astype(str).str.contains(
        "active", case=False
    )
    rows = raw[joint & raw["n_provinces_uhc"].notna()]
    dates = pd.to_datetime(rows["date"])
    published = pd.to_datetime(rows["source_date"], errors="coerce", format="mixed")
    out = pd.DataFrame(
        {
            "date": dates.to_numpy(),
            "n_provinces": rows["n_provinces_uhc"].astype(int).to_numpy(),
            "source_url": rows["source_url"].to_numpy(),
            "published": published.fillna(dates).to_numpy(),
        }
    )
    out = out.sort_values(["date", "n_provinces"]).drop_duplicates("date", keep="last")
    return out.reset_index(drop=True)


def _normalise_geo(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Normalise a geography column where every value is a province or INDONESIA.

    Values naming several provinces (``"Jawa Tengah;DI Yogyakarta"``) are kept
    as written.
    """
    single = ~frame[column].astype(str).str.contains(";")
    out = frame.copy()
    out.loc[single, column] = normalise_provinces(frame.loc[single, column]).to_numpy()
    return out


def _tables(raw: Path) -> dict[str, Callable[[], pd.DataFrame]]:
    def plain(name: str, geo: str | None = None) -> Callable[[], pd.DataFrame]:
        def load() -> pd.DataFrame:
            frame = check_links(pd.read_csv(raw / f"{name}.csv"), raw / f"{name}.csv", name)
            return _normalise_geo(frame, geo) if geo else frame

        return load

    return {
        "coverage": lambda: read_coverage(raw / "coverage.csv"),
        "coverage_districts": lambda: read_coverage(raw / "coverage_districts.csv"),
        "provinces": lambda: load_provinces().assign(aliases=lambda d: d["aliases"].str.join(";")),
        "targets": plain("targets"),
        "uhc_status": plain("uhc_status", "province"),
        "ump": plain("ump", "province"),
        "segments": plain("segments", "geography"),
        "employer_compliance": lambda: load_employer_compliance(raw / "employer_compliance.csv"),
        "participant_arrears": plain("participant_arrears", "geography"),
        "other_points": plain("other_points", "province"),
    }


def build_processed(
    raw: str | Path | None = None, out: str | Path | None = None
) -> dict[str, Path]:
    """Rebuild the processed Parquet tables from the raw files.

    All tables are built in a temporary folder first; only when every one
    succeeded are they moved into ``out``. The raw files are only read.

    Parameters
    ----------
    raw : str or Path, optional
        Folder of raw CSV files; default ``data/raw``.
    out : str or Path, optional
        Target folder; default ``data/processed``.

    Returns
    -------
    dict
        Table name to written Parquet path.
    """
    raw = Path(raw) if raw else data_dir() / "raw"
    out = Path(out) if out else data_dir() / "processed"
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    try:
        with tempfile.TemporaryDirectory(dir=out, prefix=".build-") as tmp:
            staged = {}
            for name, load in _tables(raw).items():
                frame = load()
                target = Path(tmp) / f"{name}.parquet"
                frame.to_parquet(target, index=False)
                staged[name] = target
            for name, path in staged.items():
                final = out / path.name
                shutil.move(path, final)
                written[name] = final
    except BaseException:
        if created and not written:  # a rejected input leaves no empty folder behind
            shutil.rmtree(out, ignore_errors=True)
        raise
    return written


def connect(processed: str | Path | None = None, *, build: bool = True):
    """Open an in-memory DuckDB database with one view per processed table.

    Parameters
    ----------
    processed : str or Path, optional
        Folder of Parquet tables; default ``data/processed``.
    build : bool
        Build the processed tables first if the folder has none.

    Returns
    -------
    duckdb.DuckDBPyConnection
        Views: ``coverage``, ``coverage_districts``, ``provinces``,
        ``targets``, ``uhc_status``, ``ump``, ``segments``,
        ``employer_compliance``, ``participant_arrears``, ``other_points``.

    Examples
    --------
    >>> con = connect()
    >>> con.execute("select count(*) from provinces").fetchone()[0]
    38
    """
    import duckdb

    folder = Path(processed) if processed else data_dir() / "processed"
    if build and not any(folder.glob("*.parquet")):
        build_processed(out=folder)
    con = duckdb.connect(":memory:")
    for path in sorted(folder.glob("*.parquet")):
        escaped = str(path).replace("'", "''")
        con.execute(f"CREATE VIEW \"{path.stem}\" AS SELECT * FROM read_parquet('{escaped}')")
    return con
