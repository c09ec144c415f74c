"""Real public figures a province brief shows beside the models.

PERJAKA figures on employers (registered, noncompliant, in arrears,
receivables, referrals to prosecutors), kabupaten/kota coverage against its
targets, KBLI sector names, and the rule that sets each province's inspection
capacity. Every figure keeps its source (:func:`perjaka_analysis.sources.cite`)
and its date precision; nothing here is modelled.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from .coverage import sort_coverage
from .errors import PerjakaError
from .i18n import text
from .precision import cap_precision, note_qualifier
from .provinces import NATIONAL, normalise_provinces
from .sources import cite, cite_columns, published_value

__all__ = [
    "capacity_rule",
    "district_table",
    "employer_figures",
    "metric_label",
    "sector_label",
    "sector_name",
    "uhc_threshold",
]

#: The ``risk_by`` group pooling the groups of fewer than k employers (facts.compute_risk_by).
SMALL_GROUPS = "_small_groups"
#: metrics that are lower bounds or approximations as published
_QUALIFIER = (("_min", "at_least"), ("_approx", "about"), ("_estimate", "about"))
#: public counts that size an inspection programme, in order of preference
CAPACITY_METRICS = ("employers_noncompliant", "employers_in_arrears")
#: counts of registered employers, the denominator of a proportional capacity
EMPLOYER_COUNT_METRICS = ("business_entities_registered", "employers_registered")


@cache
def _reference(name: str) -> pd.DataFrame:
    with (
        resources.files("perjaka_analysis")
        .joinpath(f"reference/{name}")
        .open(encoding="utf-8") as fh
    ):
        return pd.read_csv(fh, dtype=str)


@cache
def _indexed(name: str, key: str) -> dict[str, dict[str, str]]:
    """A reference table as ``{key: row}`` (read and indexed once per process)."""
    return _reference(name).set_index(key).to_dict("index")


def _lang(lang: str) -> str:
    if lang not in ("id", "en"):
        raise PerjakaError(f"unknown language {lang!r}; use 'id' or 'en'")
    return lang


def sector_label(value: object, lang: str = "id") -> str:
    """What a page shows for a registry's sector: "C · Industri pengolahan" for a KBLI letter.

    Any other value (a registry may use its own codes) is shown as it is;
    a missing one as ""; :data:`SMALL_GROUPS` as "Lainnya (kelompok kecil)".

    Examples
    --------
    >>> sector_label("C"), sector_label("G", "en"), sector_label("Tambang"), sector_label(None)
    ('C · Industri pengolahan', 'G · Trade', 'Tambang', '')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value == SMALL_GROUPS:
        return text("small_groups", lang)
    key = str(value).strip()
    if len(key) == 1 and key.upper() in _indexed("kbli.csv", "section"):
        return f"{key.upper()} · {sector_name(key, lang, short=True)}"
    return key


def sector_name(section: str, lang: str = "id", *, short: bool = False) -> str:
    """Name of a KBLI 2020 section (Peraturan BPS 2/2020) in Indonesian or English.

    Parameters
    ----------
    section : str
        Section letter ``A``–``U``.
    lang : {"id", "en"}
        Language.
    short : bool
        A short name for charts and tables instead of the official one.

    Returns
    -------
    str

    Examples
    --------
    >>> sector_name("C"), sector_name("C", "en")
    ('Industri Pengolahan', 'Manufacturing')
    >>> sector_name("G", short=True)
    'Perdagangan'
    """
    table = _indexed("kbli.csv", "section")
    key = str(section).strip().upper()
    if key not in table:
        raise PerjakaError(f"unknown KBLI section {section!r}; valid: A–U")
    column = ("short_" if short else "name_") + _lang(lang)
    return str(table[key][column])


def metric_label(metric: str, lang: str = "id") -> str:
    """Plain-language label of an ``employer_compliance.csv`` metric.

    Examples
    --------
    >>> metric_label("employers_in_arrears")
    'Badan usaha menunggak iuran'
    >>> metric_label("employers_referred_kejari", "en")
    'Employers referred to prosecutors'
    """
    table = _indexed("employer_metrics.csv", "metric")
    if metric not in table:
        raise PerjakaError(
            f"no label for employer metric {metric!r}; add it to reference/employer_metrics.csv"
        )
    return str(table[metric]["label_" + _lang(lang)])


def _qualifier(metric: str) -> str:
    for suffix, qualifier in _QUALIFIER:
        if metric.endswith(suffix):
            return qualifier
    return ""


def employer_figures(compliance: pd.DataFrame, province: str) -> pd.DataFrame:
    """The public employer (badan usaha) figures of one province, newest first.

    Parameters
    ----------
    compliance : pandas.DataFrame
        ``employer_compliance.csv`` as loaded (province names normalised).
    province : str
        Official province name (or ``INDONESIA``).

    Returns
    -------
    pandas.DataFrame
        ``province, area, date, date_precision, metric, value, unit,
        qualifier`` (``""``, ``at_least``, ``more_than`` or ``about``: the words
        quoted from the source in ``note`` first, else the metric's suffix), ``source_url``,
        ``publisher``, ``published``, ``published_precision``; ``date_precision``
        no finer than a citation without an address. ``area`` is
        ``""`` for a province-wide
        figure, else the district or branch office as published. Rows without
        a date are left out (their period is unknown).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "province": ["Banten"], "district_or_area": [None], "date": ["2021-06-08"],
    ...     "date_precision": ["month"], "metric": ["employers_noncompliant"],
    ...     "value": [480], "unit": ["employers"], "source_url": [None], "source_date": [None],
    ...     "note": ["source: Jamkesnews, published 2021-06-08"]})
    >>> row = employer_figures(frame, "Banten").iloc[0]
    >>> int(row["value"]), row["publisher"], row["published"].date().isoformat()
    (480, 'Jamkesnews', '2021-06-08')
    """
    rows = compliance[compliance["province"] == province]
    rows = rows[pd.to_datetime(rows["date"], errors="coerce").notna()]
    records = []
    for r in rows.itertuples(index=False):
        c = cite(r.source_url, r.note, getattr(r, "source_date", None))
        area = r.district_or_area if isinstance(r.district_or_area, str) else ""
        records.append(
            {
                "province": province,
                "area": area,
                "date": pd.Timestamp(r.date),
                "date_precision": r.date_precision,
                "metric": r.metric,
                "value": float(r.value),
                "unit": r.unit,
                # the source's own word first ("Rp5 miliar lebih"), else the metric's
                "qualifier": note_qualifier(r.note) or _qualifier(r.metric),
                "source_url": c.url,
                "publisher": c.publisher,
                "published": c.published,
                "published_precision": c.published_precision,
            }
        )
    cols = [
        "province",
        "area",
        "date",
        "date_precision",
        "metric",
        "value",
        "unit",
        "qualifier",
        "source_url",
        "publisher",
        "published",
        "published_precision",
    ]
    out = pd.DataFrame.from_records(records, columns=cols)
    out["date_precision"] = cap_precision(
        out["date_precision"], out["published_precision"], out["source_url"]
    )
    return out.sort_values(["date", "area", "metric"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def uhc_threshold(targets: pd.DataFrame, metric: str = "coverage_pct_min") -> float:
    """The national UHC threshold in force since 2024, read from ``targets.csv``.

    Parameters
    ----------
    targets : pandas.DataFrame
        ``targets.csv`` as loaded.
    metric : {"coverage_pct_min", "active_pct_min"}
        Registration (98) or active share (80).

    Examples
    --------
    >>> t = pd.DataFrame({"scope": ["INDONESIA"] * 2, "target_name": [
    ...     "UHC definition (until ~2023)", "UHC definition (2024-)"],
    ...     "metric": ["coverage_pct_min"] * 2, "target_value": [95, 98]})
    >>> uhc_threshold(t)
    98.0
    """
    rows = targets[
        (targets["scope"] == NATIONAL)
        & (targets["metric"] == metric)
        & targets["target_name"].astype(str).str.startswith("UHC definition (2024")
    ]
    if len(rows) != 1:
        raise PerjakaError(
            f"targets.csv: expected one national 'UHC definition (2024-)' row for {metric}, "
            f"found {len(rows)}"
        )
    return float(rows["target_value"].iloc[0])


_SCOPE = re.compile(r"^(?P<district>.+?)\s*\((?P<province>[^)]+)\)\s*$")


def _district_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets whose scope is ``District (Province)``: district, province, target."""
    rows = []
    for r in targets[targets["metric"].isin(["coverage_pct", "coverage_pct_min"])].itertuples():
        match = _SCOPE.match(str(r.scope))
        if match:
            rows.append(
                {
                    "district": match["district"],
                    "province_as_written": match["province"],
                    "target_pct": float(r.target_value),
                    "target_source_url": r.source_url if isinstance(r.source_url, str) else "",
                    "target_note": r.note if isinstance(r.note, str) else "",
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "district",
            "province_as_written",
            "target_pct",
            "target_source_url",
            "target_note",
        ],
    )
    out["province"] = normalise_provinces(out["province_as_written"]).to_numpy()
    return out.drop(columns="province_as_written")


def district_table(districts: pd.DataFrame, targets: pd.DataFrame, province: str) -> pd.DataFrame:
    """Latest registration figure of every kabupaten/kota of a province, with its target.

    Parameters
    ----------
    districts : pandas.DataFrame
        Validated district coverage rows (``coverage_districts.csv``).
    targets : pandas.DataFrame
        ``targets.csv`` as loaded: a district's own target where published
        (scope ``"Kota Tegal (Jawa Tengah)"``), else the national UHC
        threshold (:func:`uhc_threshold`).
    province : str
        Official province name.

    Returns
    -------
    pandas.DataFrame
        ``district, date, date_precision, coverage_pct, qualifier`` (``""``,
        ``more_than`` or ``about``: :func:`perjaka_analysis.sources.published_value`,
        else the quoted words of the note), ``target_pct, target_basis``
        (``district`` or ``national``), ``gap_pp`` (points
        below the target, 0 when above), ``source_url, publisher,
        published, published_precision``, sorted by ``gap_pp`` (largest first) then name. The
        latest figure follows the one rule of
        :func:`perjaka_analysis.coverage.sort_coverage`.
    """
    national = uhc_threshold(targets)
    own = _district_targets(targets)
    rows = districts[
        (districts["province"] == province)
        & (districts["measure"] == "registered")
        & districts["district"].notna()
    ].copy()
    rows = sort_coverage(rows).drop_duplicates("district", keep="last")
    own = own[own["province"] == province].drop_duplicates("district", keep="last")
    rows = rows.merge(own, on="district", how="left")
    has_own = rows["target_pct"].notna()
    rows["target_basis"] = np.where(has_own, "district", "national")
    rows["target_pct"] = rows["target_pct"].fillna(national)
    rows["gap_pp"] = (rows["target_pct"] - rows["coverage_pct"]).clip(lower=0).round(2)
    # as published: "> 96%" is a lower bound, "sekitar 72%" an approximation
    notes = rows["note"] if "note" in rows else pd.Series([None] * len(rows), index=rows.index)
    rows["qualifier"] = [
        published_value(float(v), note=n).qualifier or note_qualifier(n)
        for v, n in zip(rows["coverage_pct"], notes, strict=True)
    ]
    citation = cite_columns(rows)
    rows[citation.columns] = citation
    cols = [
        "district",
        "date",
        "date_precision",
        "coverage_pct",
        "qualifier",
        "target_pct",
        "target_basis",
        "gap_pp",
        "source_url",
        "publisher",
        "published",
        "published_precision",
    ]
    out = rows.sort_values(["gap_pp", "district"], ascending=[False, True])
    return out[cols].reset_index(drop=True)


def _latest_value(rows: pd.DataFrame, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Province-wide rows of the first metric in ``metrics`` each province has, latest first."""
    rows = rows[rows["district_or_area"].isna() & rows["metric"].isin(metrics)].copy()
    rows["_pref"] = rows["metric"].map({m: i for i, m in enumerate(metrics)})
    rows["_date"] = pd.to_datetime(rows["date"], errors="coerce")
    rows = rows.sort_values(["province", "_pref", "_date"], ascending=[True, True, False])
    return rows.drop_duplicates("province", keep="first")


def capacity_rule(
    registry_counts: pd.Series,
    compliance: pd.DataFrame,
    *,
    default_share: float | None = None,
) -> pd.DataFrame:
    """Inspections per province: how many listed employers a team can visit.

    The rule, per province with ``n`` employers in the registry:

    1. **public count**: a published province-wide count of noncompliant
       employers, else of employers in arrears (``employer_compliance.csv``).
       When the registry is a sample of a known number of registered employers
       ``N`` (a published count), the capacity is scaled to the registry:
       ``round(count * n / N)``; otherwise the count itself.
    2. **proportional**: otherwise ``round(share * n)``, with ``share`` the
       pooled ratio of those public counts to registered employers in the
       provinces that publish both (Jawa Tengah 2023: 3,672 of 46,895 in
       arrears, 7.8%), or ``default_share`` when given.

    The capacity is at least 1 and never more than ``n``; ``whole_registry``
    flags provinces where it covers every employer, so a brief can say so.

    Parameters
    ----------
    registry_counts : pandas.Series
        Number of employers in the registry, indexed by province.
    compliance : pandas.DataFrame
        ``employer_compliance.csv`` as loaded.
    default_share : float, optional
        Share of employers inspected where no public count exists (0–1).

    Returns
    -------
    pandas.DataFrame
        ``province, n_registry, capacity, rule`` (``public count``, ``public
        count scaled``, ``proportional``), ``public_metric, public_count,
        public_date, registered_employers, registered_date, share, whole_registry``.

    Examples
    --------
    >>> comp = pd.DataFrame({
    ...     "province": ["A", "B", "B"], "district_or_area": [None, None, None],
    ...     "date": ["2021-06-08", "2023-05-31", "2023-06-22"],
    ...     "metric": ["employers_noncompliant", "employers_in_arrears",
    ...                "business_entities_registered"],
    ...     "value": [480, 3672, 46895]})
    >>> t = capacity_rule(pd.Series({"A": 5000, "B": 8000, "C": 1000}), comp)
    >>> t[["province", "capacity", "rule"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'province': 'A', 'capacity': 480, 'rule': 'public count'},
     {'province': 'B', 'capacity': 626, 'rule': 'public count scaled'},
     {'province': 'C', 'capacity': 78, 'rule': 'proportional'}]
    """
    counts = _latest_value(compliance, CAPACITY_METRICS).set_index("province")
    employers = _latest_value(compliance, EMPLOYER_COUNT_METRICS).set_index("province")
    both = counts.index.intersection(employers.index)
    if default_share is None:
        if len(both) == 0:
            raise PerjakaError(
                "no province publishes both a count of noncompliant (or in-arrears) "
                "employers and of registered employers; give default_share"
            )
        share = float(counts.loc[both, "value"].sum() / employers.loc[both, "value"].sum())
    else:
        if not 0 < default_share <= 1:
            raise PerjakaError(f"default_share must be in (0, 1], got {default_share}")
        share = float(default_share)
    rows = []
    for province, n in registry_counts.sort_index().items():
        n = int(n)
        record = {
            "province": province,
            "n_registry": n,
            "public_metric": "",
            "public_count": np.nan,
            "public_date": pd.NaT,
            "registered_employers": np.nan,
            "registered_date": pd.NaT,
            "share": share,
        }
        if province in counts.index:
            count = float(counts.loc[province, "value"])
            record.update(
                public_metric=counts.loc[province, "metric"],
                public_count=count,
                public_date=counts.loc[province, "_date"],
            )
            if province in employers.index:
                total = float(employers.loc[province, "value"])
                record.update(
                    registered_employers=total,
                    registered_date=employers.loc[province, "_date"],
                    share=count / total,
                )
                capacity, rule = round(count * n / total), "public count scaled"
            else:
                capacity, rule = round(count), "public count"
        else:
            capacity, rule = round(share * n), "proportional"
        capacity = int(min(max(capacity, 1), n)) if n > 0 else 0
        record.update(capacity=capacity, rule=rule, whole_registry=n > 0 and capacity >= n)
        rows.append(record)
    cols = [
        "province",
        "n_registry",
        "capacity",
        "rule",
        "public_metric",
        "public_count",
        "public_date",
        "registered_employers",
        "registered_date",
        "share",
        "whole_registry",
    ]
    return pd.DataFrame(rows, columns=cols)
