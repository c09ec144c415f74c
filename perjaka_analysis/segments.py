"""Who is covered, who is not paying, and the latest UHC status report of a place.

:func:`compute_segments` gives, for each place, the latest published figure
of each membership segment (PBI APBN/APBD, PPU PN/BU, PBPU, BP and the
totals that sources publish instead) from ``segments.csv``, and the latest
figures on members in arrears or not active from ``participant_arrears.csv``,
each with its date and source. :func:`compute_status_reports` gives the
latest UHC status report of each place (``uhc_status.csv``) with its award
category and criterion. Both return codes and numbers; the words are in the
catalogue (:mod:`perjaka_analysis.i18n`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import PerjakaError
from .provinces import normalise_provinces
from .sources import cite_columns

__all__ = [
    "ARREARS_METRICS",
    "SEGMENT_COLUMNS",
    "SEGMENT_ORDER",
    "STATUS_COLUMNS",
    "compute_segments",
    "compute_status_reports",
    "read_geography_table",
]

#: Segments in the order a brief shows them (the totals stand in where a source
#: gives no split).
SEGMENT_ORDER = (
    "PBI_APBN", "PBI_APBD", "PBI_JK", "PBI_total", "PPU_PN", "PPU_BU", "PPU_total", "PBPU",
    "BP", "PBPU_BP_PEMDA", "non_PBI",
)  # fmt: skip
#: Segment metrics, in the order shown.
SEGMENT_METRICS = (
    "participants", "share_of_participants_pct", "share_of_population_pct",
    "active_share_of_segment_pct",
)  # fmt: skip
#: Member (not employer) metrics of ``participant_arrears.csv`` a brief shows,
#: with the segment they are about (``""``: all members).
ARREARS_METRICS = {
    "non_active_participants": "",
    "participants_in_arrears": "",
    "pbpu_arrears_participants": "PBPU",
}
#: Columns of :func:`compute_segments`.
SEGMENT_COLUMNS = (
    "province", "segment", "metric", "value", "date", "date_precision", "source_url",
    "publisher", "published", "published_precision",
)  # fmt: skip
#: Columns of :func:`compute_status_reports`.
STATUS_COLUMNS = (
    "province", "date", "date_precision", "status", "award_category", "criterion",
    "threshold_pct", "active_threshold_pct", "joint", "former_rule", "source_url", "publisher",
    "published", "published_precision",
)  # fmt: skip
#: Status reports under the definition in force since 2024 (registered and active).
JOINT_STATUSES = ("UHC Prioritas", "UHC (award 2026)")
#: From this date UHC means >= 98% registered and >= 80% active; before it, >= 95% registered.
RULE_SINCE = pd.Timestamp("2024-01-01")


def read_geography_table(path: str | Path) -> pd.DataFrame:
    """Read ``segments.csv`` or ``participant_arrears.csv`` with official province names.

    A ``geography`` naming one province (a name, alias or code) becomes its
    official name; one naming several (``Jawa Tengah;DI Yogyakarta``) is kept
    as written. An unknown name is an error naming the file and the value.
    """
    frame = pd.read_csv(path, dtype={"value": "float64"})
    single = ~frame["geography"].astype(str).str.contains(";")
    try:
        names = normalise_provinces(frame.loc[single, "geography"])
    except KeyError as err:
        raise PerjakaError(f"{path}: column 'geography': {err}") from None
    frame.loc[single, "geography"] = names.to_numpy()
    return frame


def _family(segment: object) -> str:
    """``PBI`` for PBI_APBN, PBI_APBD, PBI_JK and PBI_total; ``PPU`` likewise; else itself."""
    text = str(segment)
    return text.split("_")[0] if text.startswith(("PBI_", "PPU_")) else text


def _dated(rows: pd.DataFrame, as_of: object) -> pd.DataFrame:
    rows = rows.assign(date=pd.to_datetime(rows["date"], errors="coerce", format="mixed"))
    rows = rows[rows["date"].notna()]
    if as_of is not None:
        rows = rows[rows["date"] <= pd.Timestamp(as_of)]
    return rows


def compute_segments(
    segments: pd.DataFrame,
    arrears: pd.DataFrame,
    places: Sequence[str],
    as_of: object = None,
) -> pd.DataFrame:
    """The latest published figure of each segment and metric of each place.

    Parameters
    ----------
    segments : pandas.DataFrame
        ``segments.csv`` (``geography, date, date_precision, segment, metric,
        value, source_url, source_date, note``), geography normalised.
    arrears : pandas.DataFrame
        ``participant_arrears.csv`` (``geography, area, date, date_precision,
        metric, value, unit, source_url, source_date, note``); province-wide
        rows (``area`` empty) of :data:`ARREARS_METRICS` are used.
    places : sequence of str
        Official province names (``INDONESIA`` allowed); a row naming several
        provinces (``Jawa Tengah;DI Yogyakarta``) belongs to none of them.
    as_of : date, optional
        Figures about a later date are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS`. For each place, segment and metric the row
        of the latest date (among rows of that date, the last in the file);
        counts and shares of a family of segments (PBI: APBN, APBD, JK,
        total; PPU: PN, BU, total) only from the family's latest date, so an
        older split is not shown beside a newer one; arrears metrics carry
        their segment (``""`` for all members). Order:
        place (as in ``places``), segment (:data:`SEGMENT_ORDER`, all members
        last), metric.

    Examples
    --------
    >>> seg = pd.DataFrame({"geography": ["Bali"] * 3, "date": ["2017-05-10", "2023-12-31",
    ...     "2017-05-10"], "date_precision": ["day", "year", "day"],
    ...     "segment": ["PBPU", "PBPU", "BP"], "metric": ["participants"] * 3,
    ...     "value": [10, 20, 5], "source_url": [None] * 3, "source_date": [None] * 3,
    ...     "note": [None] * 3})
    >>> arr = pd.DataFrame(columns=["geography", "area", "date", "date_precision", "metric",
    ...     "value", "unit", "source_url", "source_date", "note"])
    >>> compute_segments(seg, arr, ["Bali"])[["segment", "value"]].to_dict("records")
    [{'segment': 'PBPU', 'value': 20.0}, {'segment': 'BP', 'value': 5.0}]
    """
    keep = list(places)
    seg = _dated(segments[segments["geography"].isin(keep)], as_of)
    seg = seg[seg["segment"].isin(SEGMENT_ORDER) & seg["metric"].isin(SEGMENT_METRICS)]
    arr = arrears[
        arrears["geography"].isin(keep)
        & arrears["area"].isna()
        & arrears["metric"].isin(list(ARREARS_METRICS))
    ]
    arr = _dated(arr, as_of).assign(segment=lambda d: d["metric"].map(ARREARS_METRICS))
    rows = pd.concat([seg, arr], ignore_index=True, sort=False)
    if "source_date" not in rows:
        rows["source_date"] = None
    rows = rows.assign(_line=np.arange(len(rows)))
    rows = rows.sort_values(["date", "_line"], kind="stable").drop_duplicates(
        ["geography", "segment", "metric"], keep="last"
    )
    # the composition of a family of segments (PBI, PPU, ...) is read from its latest
    # release only: a 2025 PBI JK count replaces the 2018 PBI APBN and APBD counts
    composition = rows["metric"].isin(SEGMENT_METRICS[:3])
    family = rows["segment"].map(_family)
    latest = rows[composition].groupby([rows["geography"], family])["date"].transform("max")
    rows = rows[~composition | (rows["date"] >= latest.reindex(rows.index))]
    citation = cite_columns(rows)
    rows = rows.drop(columns=["source_url"]).join(citation)
    order = {s: i for i, s in enumerate(SEGMENT_ORDER)}
    metric_order = {m: i for i, m in enumerate([*SEGMENT_METRICS, *ARREARS_METRICS])}
    rows = rows.assign(
        province=rows["geography"],
        value=pd.to_numeric(rows["value"], errors="coerce").astype("float64"),
        _p=rows["geography"].map({p: i for i, p in enumerate(keep)}),
        _s=rows["segment"].map(order).fillna(len(order)),
        _m=rows["metric"].map(metric_order),
    ).sort_values(["_p", "_s", "_m"], kind="stable")
    return rows[list(SEGMENT_COLUMNS)].reset_index(drop=True)


def compute_status_reports(
    status: pd.DataFrame,
    places: Sequence[str],
    as_of: object = None,
    conditions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The latest UHC status report of each place, with its criterion.

    Parameters
    ----------
    status : pandas.DataFrame
        ``uhc_status.csv`` as read (:func:`perjaka_analysis.read_uhc_status`).
    places : sequence of str
        Official province names.
    as_of : date, optional
        Reports about a later date are left out.
    conditions : pandas.DataFrame, optional
        :func:`perjaka_analysis.uhc.uhc_conditions` (``condition,
        registered_pct, active_pct``): a joint report with an award category
        takes the thresholds of ``UHC Awards 2026 - <category>``, another
        joint report those of ``UHC definition (2024-)``; default 98 / 80.

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`, one row per place with a report, in the order
        of ``places``. ``threshold_pct``: the registration threshold of the
        report (the first percentage in ``criterion``; without one, a joint
        report's condition's, another's 98 from 2024 and 95 before);
        ``active_threshold_pct`` (joint reports only); ``joint``: the report
        is one of the definition in force since 2024 (registered and active);
        ``former_rule``: a report of registration alone dated before
        :data:`RULE_SINCE`, under the rule of its time (≥ 95% registered),
        which says nothing of UHC as defined today. Among reports of the
        latest date, one of that definition, then the last in the file.

    Examples
    --------
    >>> s = pd.DataFrame({"province": ["Banten"] * 2, "date": ["2019-06-01", "2025-12-31"],
    ...     "date_precision": ["day"] * 2, "status": ["UHC", "UHC (award 2026)"],
    ...     "award_category": [None, "Pratama"], "criterion": [">=95% registered",
    ...     "UHC Awards 2026"], "source_url": [None] * 2, "source_date": [None] * 2,
    ...     "note": [None] * 2})
    >>> r = compute_status_reports(s, ["Banten"]).iloc[0]
    >>> r["status"], r["award_category"], float(r["threshold_pct"]), bool(r["joint"])
    ('UHC (award 2026)', 'Pratama', 98.0, True)
    >>> s.loc[1, ["status", "award_category", "criterion"]] = (
    ...     "UHC Prioritas", None, "98.6% & 80% active")
    >>> r = compute_status_reports(s, ["Banten"]).iloc[0]
    >>> float(r["threshold_pct"]), float(r["active_threshold_pct"])
    (98.6, 80.0)
    >>> r = compute_status_reports(s.iloc[:1], ["Banten"]).iloc[0]
    >>> r["status"], float(r["threshold_pct"]), bool(r["joint"]), bool(r["former_rule"])
    ('UHC', 95.0, False, True)
    """
    rows = status[status["province"].isin(list(places)) & status["status"].notna()]
    rows = _dated(rows, as_of)
    joint = rows["status"].isin(JOINT_STATUSES)
    stated = rows["criterion"].astype("string").str.extract(r"(\d+(?:\.\d+)?)\s*%")[0]
    rows = rows.assign(
        joint=joint.to_numpy(bool),
        threshold_pct=pd.to_numeric(stated, errors="coerce").to_numpy(float),
        _line=np.arange(len(rows)),
    )
    rows = rows.sort_values(["date", "joint", "_line"], kind="stable").drop_duplicates(
        "province", keep="last"
    )
    pairs = {"": (98.0, 80.0)}
    if conditions is not None:
        for c in conditions.itertuples(index=False):
            pairs[str(c.condition)] = (float(c.registered_pct), float(c.active_pct))
    default = pairs.get("UHC definition (2024-)", pairs[""])
    pair = [
        pairs.get(f"UHC Awards 2026 - {cat}", default) if isinstance(cat, str) else default
        for cat in rows["award_category"]
    ]
    joint_rows = rows["joint"].to_numpy(bool)
    # the threshold a report states (UHC Prioritas: "98.6% & 80% active"); without one, a
    # joint report's condition's (UHC Awards 2026 names a category, not a percentage),
    # another's the threshold in force on its date
    former = ~joint_rows & (rows["date"] < RULE_SINCE).to_numpy(bool)
    rows["former_rule"] = former
    in_force = np.where(former, 95.0, 98.0)
    stated_pct = rows["threshold_pct"].to_numpy(float)
    rows["threshold_pct"] = np.where(
        np.isnan(stated_pct), np.where(joint_rows, [p[0] for p in pair], in_force), stated_pct
    )
    rows["active_threshold_pct"] = np.where(joint_rows, [p[1] for p in pair], np.nan)
    if "source_date" not in rows:
        rows["source_date"] = None
    rows = rows.drop(columns=["source_url"]).join(cite_columns(status.loc[rows.index]))
    rows["date_precision"] = rows["date_precision"].fillna("day")
    rows = rows.assign(_p=rows["province"].map({p: i for i, p in enumerate(places)}))
    rows = rows.sort_values("_p")
    return rows[list(STATUS_COLUMNS)].reset_index(drop=True)
