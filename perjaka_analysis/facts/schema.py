"""The facts' schema, with its one writer and its one reader.

:data:`SCHEMA` names every table of a run and its columns in order;
:class:`RunFacts` holds them (written by :meth:`RunFacts.save` or
:meth:`RunFacts.to_bytes`, read by :func:`load_run_facts`) and
:class:`ProvinceFacts` is one place's view of them, what a brief receives.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..card import CARD_COLUMNS
from ..config import LANGUAGES, ReportConfig
from ..errors import PerjakaError
from ..io import atomic_path
from ..kabkota import KABKOTA_COLUMNS
from ..provinces import NATIONAL
from ..segments import SEGMENT_COLUMNS, STATUS_COLUMNS

#: Version of the saved layout; a change makes earlier saved facts unreadable.
FACTS_VERSION = 13


#: Rows of each province's inspection list kept in the facts (what a brief shows).
LIST_ROWS = 15
#: The steps of :func:`~perjaka_analysis.facts.compute_run_facts`, in order (what its
#: ``progress`` is told).
FACT_STEPS = (
    "data",
    "registration trend",
    "targets",
    "active share and UHC",
    "employer registry",
    "enforcement scenario",
)


#: The tables of a run and their columns, in order. ``province`` is an
#: official name or ``INDONESIA``; percentages are ``_pct`` (0-100) or
#: ``_pp`` (points); probabilities 0-1; dates are timestamps.
SCHEMA: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # one row per place: the latest published figure and its rank
        "places": (
            "province", "population", "n_points", "latest_date", "latest_precision",
            "latest_pct", "latest_source", "latest_source_url", "territory", "rank",
            "basis", "observed_group", "latest_qualifier", "latest_decimals",
            "latest_age_months", "basis_kind",
        ),
        # distance of the latest figure to each target
        "gaps": (
            "province", "target_pct", "gap_pp", "gap_people", "gap_bound", "gap_decimals",
        ),
        # crossing of each target (compute_targets)
        "targets": (
            "province", "target_pct", "status", "expected_date", "date_lower_80",
            "date_upper_80", "prob_by_deadline", "required_per_month", "recent_per_month",
            "recent_from_pct", "recent_to_pct", "pace_ratio",
        ),
        "forecast": ("province", "date", "mean", "lower", "upper", "level"),
        "nowcast": ("province", "date", "mean", "lower", "upper", "level"),
        "history": ("province", "date", "mean"),
        # the published figures the trend of a place rests on
        "observed": ("province", "date", "pct", "territory", "own_territory"),
        # if the listed employers complied
        "gains": (
            "province", "employers_in_registry", "employers_on_list",
            "expected_unregistered_workers", "expected_unregistered_dependants",
            "expected_contributions_idr_per_month", "added_participants", "population",
            "added_pp",
        ),
        "scenario": (
            "province", "target_pct", "added_pp", "baseline_date", "scenario_date",
            "months_earlier", "baseline_prob", "scenario_prob",
        ),
        # how much of the distance from the nowcast to each target the list closes
        "enforcement": (
            "province", "target_pct", "nowcast_pct", "gap_pp", "gap_people", "added_participants",
            "added_pp", "share_closed_pct", "remaining_people", "recent_per_month",
            "months_of_growth",
        ),
        # disclosure-safe: banded facts shared by >= 5 employers of the registry
        "inspection_list": (
            "province", "rank_in_province", "pseudonym", "district", "sector", "size_band",
            "risk_band", "reason_codes", "reason_bands", "workers_band", "disclosure_level",
        ),
        "risk_by": (
            "province", "grouping", "group", "employers", "mean_risk", "on_list",
            "expected_unregistered_workers",
        ),
        # every published figure of a place: coverage (its measure) and UHC reports
        # (measure uhc_report_95 / uhc_below_98 ...: the threshold of the report's
        # time; coverage_pct empty), with their citations
        "sources": (
            "province", "date", "date_precision", "measure", "coverage_pct", "source_url",
            "publisher", "published", "published_precision", "qualifier", "decimals",
        ),
        # inspections per province and the rule that set them (public_figures.capacity_rule)
        "capacity": (
            "province", "n_registry", "capacity", "rule", "public_metric", "public_count",
            "public_date", "registered_employers", "whole_registry", "registered_date",
        ),
        # every listed employer of each province, disclosure-safe (the lists' files)
        "inspection_plan": (
            "province", "rank_in_province", "pseudonym", "district", "sector", "size_band",
            "risk_band", "reason_codes", "reason_bands", "workers_band", "disclosure_level",
            "selection", "inclusion_probability", "inspection_list", "model_version", "data_date",
        ),
        # the latest published active share of each place (basis as published)
        "active_latest": (
            "province", "active_date", "active_precision", "active_pct", "active_basis",
            "active_age_months", "active_source", "active_source_url",
        ),
        # active share of population: model nowcast on as_of, history, forecast, figures
        "active_nowcast": (
            "province", "date", "mean", "lower", "upper", "level", "basis", "n_points",
        ),
        "active_forecast": ("province", "date", "mean", "lower", "upper", "level"),
        "active_history": ("province", "date", "mean"),
        # published province active shares as stated, with their basis (facts.active)
        "active_observed": ("province", "date", "pct", "basis"),
        # UHC under today's definition (registered and active together), from paired paths
        "uhc": (
            "province", "condition", "registered_pct", "active_pct", "prob_now",
            "prob_by_deadline", "prob_registered", "prob_active", "expected_date",
            "date_lower_80", "date_upper_80", "binding",
        ),
        # public PERJAKA figures on employers, as published (public_figures.employer_figures)
        "employer_public": (
            "province", "area", "date", "date_precision", "metric", "value", "unit", "qualifier",
            "source_url", "publisher", "published", "published_precision",
        ),
        # latest figure of each kabupaten/kota against its target (public_figures.district_table)
        "districts": (
            "province", "district", "date", "date_precision", "coverage_pct", "qualifier",
            "target_pct", "target_basis", "gap_pp", "source_url", "publisher", "published",
            "published_precision",
        ),
        # province outlines for the overview map (SVG path data)
        "map": ("province", "path"),
        # every kab/kota of a place: population, latest figure, people missing (kabkota)
        "kabkota": KABKOTA_COLUMNS,
        # latest published figure of each membership segment and of members in arrears
        "segments": SEGMENT_COLUMNS,
        # the latest UHC status report of each place, with its criterion
        "status_report": STATUS_COLUMNS,
        # what the first page of a brief says (card.compute_status_card)
        "card": CARD_COLUMNS,
    }
)  # fmt: skip


def as_saved(frame: pd.DataFrame) -> pd.DataFrame:
    """The table exactly as :func:`load_run_facts` gives it back once saved.

    A table is saved as Parquet: strings held as ``object`` come back as
    ``str``, timestamps in seconds come back in milliseconds and the index
    is not kept. Computed facts pass through here, so a run on computed
    facts and a run on saved facts see the same tables, dtypes included.

    Parameters
    ----------
    frame : pandas.DataFrame
        A facts table.

    Returns
    -------
    pandas.DataFrame
        The table written to Parquet and read back (a new frame).

    Examples
    --------
    >>> t = pd.DataFrame({"binding": ["active", None]}, dtype=object, index=[3, 4])
    >>> back = as_saved(t)
    >>> str(back["binding"].dtype), list(back.index)
    ('str', [0, 1])
    """
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return pd.read_parquet(buf)


def _stack(name: str, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other as table ``name`` (empty, with its columns, when none)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: [] for c in SCHEMA[name]})
    return _frame(name, pd.concat(frames, ignore_index=True))


def _frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with exactly its schema's columns, in order, and a fresh index."""
    cols = list(SCHEMA[name])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise PerjakaError(f"facts table '{name}' lacks columns {missing}")
    return frame[cols].reset_index(drop=True)


@dataclass(frozen=True)
class ProvinceFacts:
    """The facts of one place: its rows of every table, plus the run's meta.

    Attributes
    ----------
    province : str
    config : ReportConfig
        The run's configuration with ``province`` set.
    meta : mapping
    tables : mapping of str to DataFrame
        Every table of :data:`SCHEMA` restricted to this place.
    national : mapping of str to DataFrame
        The same tables restricted to ``INDONESIA``.
    places : pandas.DataFrame
        The ``places`` table of every place (ranks, map colours).
    """

    province: str
    config: ReportConfig
    meta: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    national: Mapping[str, pd.DataFrame]
    places: pd.DataFrame

    def rows(self, name: str) -> pd.DataFrame:
        """This place's rows of one table (columns of :data:`SCHEMA`)."""
        return self.tables[name]

    def row(self, name: str) -> pd.Series | None:
        """This place's single row of a one-row-per-place table, or None."""
        frame = self.tables[name]
        return None if frame.empty else frame.iloc[0]


@dataclass(frozen=True)
class RunFacts:
    """Everything a run's briefs and overview show, as long tables.

    Build with :func:`compute_run_facts`; read back with
    :func:`load_run_facts`. Tables follow :data:`SCHEMA`.

    Attributes
    ----------
    config : ReportConfig
        The run's configuration, validated, ``as_of`` resolved.
    meta : mapping
        ``facts_version, package_version, git_commit, inputs`` (file name →
        sha256 of every file read), ``parameters``, ``registry_synthetic``,
        ``trend_method``, ``data_end``, ``ranked_provinces``, ``key``
        (:func:`facts_key`).
    tables : mapping of str to DataFrame
    """

    config: ReportConfig
    meta: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame] = field(repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """One table (see :data:`SCHEMA`)."""
        if name not in self.tables:
            raise PerjakaError(f"no facts table '{name}' (have: {', '.join(self.tables)})")
        return self.tables[name]

    @property
    def provinces(self) -> list[str]:
        """The provinces of the run (without ``INDONESIA``), in BPS order."""
        return [p for p in self.tables["places"]["province"] if p != NATIONAL]

    @functools.cached_property
    def _by_place(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Every table split by place, once (a kept kernel writes many briefs from one run)."""
        return {
            name: {
                str(p): rows.reset_index(drop=True)
                for p, rows in frame.groupby("province", sort=False)
            }
            for name, frame in self.tables.items()
        }

    def in_language(self, language: str) -> RunFacts:
        """The same facts shown in ``language``: no fact depends on it, only the words.

        Examples
        --------
        >>> from perjaka_analysis.config import ReportConfig
        >>> run = RunFacts(ReportConfig(), {"parameters": {"language": "id"}}, {})
        >>> en = run.in_language("en")
        >>> en.config.language, en.meta["parameters"]["language"], run.config.language
        ('en', 'en', 'id')
        """
        if language not in LANGUAGES:
            raise PerjakaError(f"language must be one of {LANGUAGES}, got {language!r}")
        if language == self.config.language:
            return self
        meta = dict(self.meta)
        if "parameters" in meta:
            meta["parameters"] = {**meta["parameters"], "language": language}
        config = dataclasses.replace(self.config, language=language)
        return dataclasses.replace(self, config=config, meta=meta)

    def for_province(self, province: str) -> ProvinceFacts:
        """The view of one place, for its brief."""

        def only(name: str, place: str) -> pd.DataFrame:
            split = self._by_place[name]
            return split[place] if place in split else self.tables[name].iloc[:0]

        own = {n: only(n, province) for n in self.tables}
        nat = {n: only(n, NATIONAL) for n in self.tables}
        return ProvinceFacts(
            province=province,
            config=dataclasses.replace(self.config, province=province),
            meta=self.meta,
            tables=own,
            national=nat,
            places=self.tables.get("places", pd.DataFrame(columns=list(SCHEMA["places"]))),
        )

    # -- one schema, one writer, one reader ------------------------------------------------------
    def _files(self) -> dict[str, bytes]:
        files = {}
        for name in SCHEMA:
            if name not in self.tables:
                continue
            buf = io.BytesIO()
            self.tables[name].to_parquet(buf, index=False, compression="zstd")
            files[f"{name}.parquet"] = buf.getvalue()
        header = {
            "facts_version": FACTS_VERSION,
            "config": self.config.run_parameters(),
            "meta": dict(self.meta),
            "tables": {n: list(SCHEMA[n]) for n in SCHEMA if n in self.tables},
        }
        files["facts.json"] = (json.dumps(header, indent=2, ensure_ascii=False) + "\n").encode()
        return files

    def save(self, folder: str | Path) -> Path:
        """Write ``facts.json`` and one Parquet file per table into ``folder``.

        Each file is written to a temporary name and renamed.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self._files().items():
            with atomic_path(folder / name) as tmp:
                tmp.write_bytes(data)
        return folder

    def to_bytes(self) -> bytes:
        """The saved files as one deterministic zip archive (to send to a worker)."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in sorted(self._files().items()):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zf.writestr(info, data)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RunFacts:
        """Read facts written by :meth:`to_bytes`."""
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            files = {n: zf.read(n) for n in zf.namelist()}
        return _from_files(files, source="facts archive")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{n}</td><td>{len(t)}</td></tr>" for n, t in self.tables.items())
        return f"<table><tr><th>table</th><th>rows</th></tr>{rows}</table>"


def _from_files(files: Mapping[str, bytes], source: str) -> RunFacts:
    if "facts.json" not in files:
        raise PerjakaError(f"{source}: not a run's facts (no facts.json)")
    header = json.loads(files["facts.json"].decode("utf-8"))
    if header.get("facts_version") != FACTS_VERSION:
        raise PerjakaError(
            f"{source}: facts version {header.get('facts_version')} cannot be read by this "
            f"version of perjaka-analysis (expects {FACTS_VERSION}); run the report again"
        )
    tables = {
        name: pd.read_parquet(io.BytesIO(files[f"{name}.parquet"])) for name in header["tables"]
    }
    config = ReportConfig(**header["config"])
    return RunFacts(config=config, meta=header["meta"], tables=tables)


#: Facts read in this process, by folder and the identity of its ``facts.json``
#: (a kept kernel writes brief after brief from the same facts; read them once).
_READ: dict[tuple[str, int, int, int], RunFacts] = {}


def load_run_facts(folder: str | Path) -> RunFacts:
    """Read facts saved by :meth:`RunFacts.save` (or a :meth:`~RunFacts.to_bytes` archive).

    Parameters
    ----------
    folder : str or Path
        The facts folder, or a ``.zip`` archive.

    Raises
    ------
    PerjakaError
        If the folder holds no facts, or facts of another layout version.
    """
    folder = Path(folder)
    marker = folder if folder.is_file() else folder / "facts.json"
    if not marker.is_file():
        raise PerjakaError(f"no run facts in {folder} (facts.json is missing)")
    st = marker.stat()
    key = (str(marker.resolve()), st.st_mtime_ns, st.st_size, st.st_ino)
    if key not in _READ:
        if folder.is_file():
            with zipfile.ZipFile(folder) as zf:
                files = {n: zf.read(n) for n in zf.namelist()}
        else:
            files = {
                p.name: p.read_bytes()
                for p in folder.iterdir()
                if p.suffix in (".json", ".parquet")
            }
        _READ.clear()  # one run's facts at a time
        _READ[key] = _from_files(files, str(folder))
    return _READ[key]
