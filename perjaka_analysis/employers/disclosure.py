"""Disclosure control for shareable inspection lists.

A shareable list shows, per listed employer, a pseudonym and some facts:
district, sector, size band, the reasons of its risk, its risk band and its
band of expected unregistered workers. Anyone who knows a firm can recognise
it from exact facts ("registered 3 of 11 workers", "5 months in arrears (Rp
12.3 million)"), so the pseudonym would hide little; and the two bands
together bound its unregistered workers (expected = risk x unregistered: a
risk of 80–90% and 100 or more expected means at least 112 unregistered).
:func:`disclosure_safe_list` therefore shows facts in bands and generalises
them, step by step, until every listed employer shares everything shown about
it with at least ``k`` employers of the registry of its province (every
registry employer has a risk and an expected count, so the bands are
compared like any other fact):

0. district, sector, size band and each reason with its fact in a band
   ("registered 50–75% of reported workers", "3–5 months in arrears");
1. the same, reasons named without their band ("in arrears");
2. sector suppressed;
3. size band suppressed;
4. district suppressed;
5. reasons suppressed (province only).

At each level the risk band (10 points) and the band of expected unregistered
workers are shown as they are; if that is too few employers, in coarse bands
(:data:`COARSE_RISK`, :data:`COARSE_WORKERS`); if still too few, not at all,
before the next level is tried.

Exact facts are shown only in identified output (``identified=True``, the
CLI's ``--identified``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PerjakaError
from ..i18n import banded_reasons
from ..privacy import load_key, pseudonymise
from .features import size_band, ump_for
from .model import read_ump_table

__all__ = [
    "COARSE_RISK",
    "COARSE_WORKERS",
    "K_ANONYMITY",
    "WORKER_BANDS",
    "band_workers",
    "disclosure_safe_list",
    "fact_bands",
    "risk_bands",
    "unique_listed_employers",
    "workers_bands",
]

#: Every listed employer shares what is shown about it with at least this many
#: employers of its province's registry.
K_ANONYMITY = 5
#: Coarse bands (lower edges) of the risk and of the expected unregistered workers.
COARSE_RISK = (0.0, 0.5)
COARSE_WORKERS = ((0, 5, "< 5"), (5, np.inf, "≥ 5"))


#: bands of the expected unregistered workers shown per listed employer
WORKER_BANDS = ((0, 1, "< 1"), (1, 5, "1–5"), (5, 20, "5–20"), (20, 100, "20–100"))


def band_workers(expected: pd.Series) -> pd.Series:
    """Expected unregistered workers of one employer in bands, never the exact figure.

    An exact expected count (risk × unregistered workers) would reveal the
    employer's registration gap; bands are shared by many employers.

    Examples
    --------
    >>> band_workers(pd.Series([0.4, 1.0, 7.2, 20.0, 350.0])).tolist()
    ['< 1', '1–5', '5–20', '20–100', '≥ 100']
    """
    out = pd.Series("≥ 100", index=expected.index, dtype=object)
    for low, high, label in WORKER_BANDS:
        out[(expected >= low) & (expected < high)] = label
    return out.astype(str)


def risk_bands(risk: pd.Series) -> pd.DataFrame:
    """The risk as shown: ``fine`` (10 points, ``80–90%``) and ``coarse`` (``50–100%``).

    Examples
    --------
    >>> risk_bands(pd.Series([0.07, 0.83])).values.tolist()
    [['0–10%', '0–50%'], ['80–90%', '50–100%']]
    """
    risk = pd.to_numeric(risk, errors="coerce").astype(float)
    lo = np.floor(risk.to_numpy() * 10) * 10
    high = risk.to_numpy() >= COARSE_RISK[1]
    return pd.DataFrame(
        {
            "fine": [f"{a:.0f}–{a + 10:.0f}%" if a == a else "?" for a in lo],
            "coarse": np.where(risk.isna(), "?", np.where(high, "50–100%", "0–50%")),
        },
        index=risk.index,
    )


def workers_bands(expected: pd.Series) -> pd.DataFrame:
    """Expected unregistered workers as shown: ``fine`` (:func:`band_workers`) and
    ``coarse`` (``< 5``, ``≥ 5``).

    Examples
    --------
    >>> workers_bands(pd.Series([0.4, 7.2, 350.0])).values.tolist()
    [['< 1', '< 5'], ['5–20', '≥ 5'], ['≥ 100', '≥ 5']]
    """
    expected = pd.to_numeric(expected, errors="coerce").astype(float)
    coarse = pd.Series("?", index=expected.index, dtype=object)
    for low, high, label in COARSE_WORKERS:
        coarse[(expected >= low) & (expected < high)] = label
    return pd.DataFrame(
        {"fine": band_workers(expected).to_numpy(), "coarse": coarse.astype(str).to_numpy()},
        index=expected.index,
    )


_REASONS = ("registration", "wage", "arrears", "late_payments", "deactivations", "family")


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def _cut(values: pd.Series, edges: list[float], labels: list[str]) -> pd.Series:
    return (
        pd.cut(values, edges, labels=labels, right=False).astype(object).where(values.notna(), "?")
    )


def fact_bands(registry: pd.DataFrame, ump: pd.Series | None = None) -> pd.DataFrame:
    """Each reason's fact in bands (``band_*``) and as a yes/no (``has_*``), for every row.

    Examples
    --------
    >>> reg = pd.DataFrame({"workers_reported": [10], "workers_registered": [6],
    ...                     "months_in_arrears": [4]})
    >>> row = fact_bands(reg).loc[0]
    >>> row["band_registration"], row["band_arrears"], bool(row["has_arrears"])
    ('50–75%', '3–5', True)
    """
    reported = _num(registry, "workers_reported")
    registered = _num(registry, "workers_registered")
    share = registered / reported.clip(lower=1)
    months = _num(registry, "months_in_arrears")
    late = _num(registry, "late_payments_12m")
    deact = _num(registry, "deactivations_12m") / registered.clip(lower=1)
    family = _num(registry, "dependants_registered") / registered.clip(lower=1)
    if ump is None:
        ump = ump_for(read_ump_table(), None)
    floor = ump.reindex(registry["province"]).to_numpy() if "province" in registry else np.nan
    wage_below = (_num(registry, "wage_reported_idr") < floor).astype(float)
    out = pd.DataFrame(index=registry.index)
    pct = ["under 25%", "25–50%", "50–75%", "75–99%", "100%"]
    out["band_registration"] = _cut(share, [-np.inf, 0.25, 0.5, 0.75, 1.0, np.inf], pct)
    out["band_arrears"] = _cut(
        months, [-np.inf, 1, 3, 6, 12, np.inf], ["0", "1–2", "3–5", "6–11", "12+"]
    )
    out["band_late_payments"] = _cut(late, [-np.inf, 1, 4, 7, np.inf], ["0", "1–3", "4–6", "7–12"])
    out["band_deactivations"] = _cut(
        deact, [-np.inf, 1e-9, 0.1, 0.25, np.inf], ["0%", "under 10%", "10–25%", "25%+"]
    )
    out["band_family"] = _cut(family, [-np.inf, 0.5, 1.0, np.inf], ["under 0.5", "0.5–1", "1+"])
    out["has_registration"] = (share < 1).to_numpy()
    out["has_wage"] = (wage_below == 1).to_numpy()
    out["has_arrears"] = (months > 0).to_numpy()
    out["has_late_payments"] = (late > 0).to_numpy()
    out["has_deactivations"] = (deact > 0).to_numpy()
    out["has_family"] = (family < 1.3).to_numpy()
    out["band_wage"] = np.where(out["has_wage"], "below", "not below")
    return out


def _class_sizes(
    facts: dict[str, np.ndarray], listed: dict[str, np.ndarray], columns: list[str]
) -> np.ndarray:
    """For each listed row, how many registry rows share its values of ``columns``.

    Both hold integer codes per column (see :func:`_encode`; the listed rows'
    codes are those of their registry rows); the columns are combined into
    one integer key per row and counted: only the keys of listed rows, looked up
    in a hash table of them (no sort of the registry's keys).
    """
    n_all = len(next(iter(facts.values())))
    n_listed = len(next(iter(listed.values())))
    if not columns:
        return np.full(n_listed, n_all)
    key_all = np.zeros(n_all, dtype=np.int64)
    key_listed = np.zeros(n_listed, dtype=np.int64)
    for c in columns:
        base = int(facts[c].max()) + 1
        key_all = key_all * base + facts[c]
        key_listed = key_listed * base + listed[c]
    wanted = pd.Index(np.unique(key_listed))
    at = wanted.get_indexer(key_all)  # -1 where a registry row has no listed row's key
    counts = np.bincount(at[at >= 0], minlength=len(wanted))
    return counts[wanted.get_indexer(key_listed)]


def _encode(facts: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every column as integer codes (missing values get a code of their own)."""
    return {c: pd.factorize(facts[c].astype(str))[0].astype(np.int64) for c in facts.columns}


def _pick(coded: dict[str, np.ndarray], positions: np.ndarray) -> dict[str, np.ndarray]:
    return {c: v[positions] for c, v in coded.items()}


def disclosure_safe_list(
    scored: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    k: int = K_ANONYMITY,
    key: bytes | None = None,
    language: str | None = None,
    identified: bool = False,
    ump: pd.Series | None = None,
) -> pd.DataFrame:
    """The inspection list as a shareable report may show it.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`~.score.score_registry` (``reason_codes`` needed).
    registry : pandas.DataFrame
        The registry it was scored from (the facts are read here).
    k : int
        Smallest number of registry employers (same province) that must share
        everything shown about a listed employer.
    key : bytes, optional
        Pseudonym key used for ``scored`` (default
        :func:`~perjaka_analysis.privacy.load_key`); not needed when
        ``scored`` holds ``employer_id``.
    language : {"id", "en"}, optional
        Also word the reasons (column ``reasons``) from the message
        catalogue (:func:`perjaka_analysis.i18n.banded_reasons`); the
        default leaves the words to whoever shows the list.
    identified : bool
        Exact facts (the scored table's own columns), for identified output.
    ump : pandas.Series, optional
        Minimum wage per province the wage reason was judged against (the
        model's ``ump_``; default the latest year of ``ump.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per listed employer, in list order: ``pseudonym`` (or
        ``employer_id``), ``province, rank_in_province, district, sector,
        size_band, risk_band, workers_band`` (expected unregistered workers),
        ``reason_codes`` and ``reason_bands`` (``;``-joined and aligned; bands
        only at level 0), ``disclosure_level`` (0–5, see the module) and
        ``class_size`` (registry employers sharing what is shown), then
        ``reasons`` in words when ``language`` is given. Suppressed facts are
        empty.
    """
    if language not in (None, "id", "en"):
        raise PerjakaError(f"language must be 'id' or 'en', got {language!r}")
    if "reason_codes" not in scored:
        raise PerjakaError("disclosure_safe_list needs the reason_codes of score_registry")
    listed = scored[scored["on_list"]]
    if identified:
        return listed.reset_index(drop=True)
    id_col = "employer_id" if "employer_id" in scored else "pseudonym"
    ids = (
        registry["employer_id"]
        if id_col == "employer_id"
        else pseudonymise(registry["employer_id"], key or load_key())
    )
    facts = fact_bands(registry, ump).assign(
        province=registry["province"].to_numpy(),
        district=(registry["district"] if "district" in registry else pd.Series(pd.NA))
        .astype(object)
        .fillna("?")
        .to_numpy(),
        sector=registry["sector"].to_numpy(),
        size_band=size_band(registry["workers_reported"]).to_numpy(),
        _id=ids.to_numpy(),
    )
    # every registry employer's own bands, from its score (aligned by id)
    own = scored.drop_duplicates(id_col).set_index(id_col).reindex(ids.to_numpy())
    if "expected_unregistered_workers" not in own:
        own["expected_unregistered_workers"] = np.nan
    risk = risk_bands(own["risk"].reset_index(drop=True))
    workers = workers_bands(own["expected_unregistered_workers"].reset_index(drop=True))
    facts = facts.assign(
        risk_fine=risk["fine"].to_numpy(),
        risk_coarse=risk["coarse"].to_numpy(),
        workers_fine=workers["fine"].to_numpy(),
        workers_coarse=workers["coarse"].to_numpy(),
    )
    rows = facts.set_index("_id").loc[listed[id_col].to_numpy()].reset_index(drop=True)
    codes = listed["reason_codes"].fillna("").str.split(";").to_numpy()
    coded = _encode(facts.drop(columns="_id"))
    where = pd.Index(facts["_id"]).get_indexer(listed[id_col].to_numpy())
    if (where < 0).any():
        raise PerjakaError("disclosure_safe_list: listed employers not found in the registry")
    levels = [
        ["district", "sector", "size_band", "band"],
        ["district", "sector", "size_band", "has"],
        ["district", "size_band", "has"],
        ["district", "has"],
        ["has"],
        [],
    ]
    #: how the risk and the expected unregistered workers are shown: as they are,
    #: coarse, or not at all
    grains = (
        ["risk_fine", "workers_fine"],
        ["risk_coarse", "workers_fine"],
        ["workers_fine"],
        ["risk_coarse", "workers_coarse"],
        ["workers_coarse"],
        [],
    )
    level = np.full(len(rows), -1)
    grain = np.full(len(rows), len(grains) - 1)
    size = np.zeros(len(rows), dtype=int)
    # employers with the same reasons (in any order) are checked together
    keys = pd.Series(["|".join(sorted(c for c in cs if c)) for cs in codes])
    for reasons, idx in keys.groupby(keys).groups.items():
        which = [c for c in reasons.split("|") if c]
        todo = np.asarray(idx)
        for lv, spec in enumerate(levels):
            cols = ["province"]
            for part in spec:
                if part in ("band", "has"):
                    cols += [f"{part}_{c}" for c in which]
                else:
                    cols.append(part)
            for g, shown in enumerate(grains):
                n = _class_sizes(coded, _pick(coded, where[todo]), cols + shown)
                done = (n >= k) | ((lv == len(levels) - 1) & (g == len(grains) - 1))
                level[todo[done]] = lv
                grain[todo[done]] = g
                size[todo[done]] = n[done]
                todo = todo[~done]
                if not len(todo):
                    break
            if not len(todo):
                break
    out = pd.DataFrame(
        {
            id_col: listed[id_col].to_numpy(),
            "province": listed["province"].to_numpy(),
            "rank_in_province": listed["rank_in_province"].to_numpy(),
        }
    )
    out["district"] = np.where(level <= 3, rows["district"], "")
    out["sector"] = np.where(level <= 1, rows["sector"], "")
    out["size_band"] = np.where(level <= 2, rows["size_band"], "")
    shows = [set(g) for g in grains]
    for name in ("risk", "workers"):
        fine = np.array([f"{name}_fine" in shows[g] for g in grain])
        coarse = np.array([f"{name}_coarse" in shows[g] for g in grain])
        out[f"{name}_band"] = np.select(
            [fine, coarse], [rows[f"{name}_fine"], rows[f"{name}_coarse"]], ""
        )
    bands = {c: rows[f"band_{c}"].to_numpy() for c in _REASONS}
    shown_codes = [
        [c for c in cs if c] if lv <= 4 else [] for cs, lv in zip(codes, level, strict=True)
    ]
    out["reason_codes"] = [";".join(cs) for cs in shown_codes]
    out["reason_bands"] = [
        ";".join(str(bands[c][i]) for c in cs) if level[i] == 0 else ""
        for i, cs in enumerate(shown_codes)
    ]
    out["disclosure_level"] = level
    out["class_size"] = size
    if language is not None:
        out["reasons"] = banded_reasons(out, language)
    return out


def unique_listed_employers(
    scored: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    k: int = K_ANONYMITY,
    key: bytes | None = None,
    shown: str = "safe",
) -> int:
    """Listed employers that fewer than ``k`` registry employers resemble on what is shown.

    ``shown="safe"`` counts on :func:`disclosure_safe_list`; ``shown="exact"``
    on the exact facts behind the unprotected reasons (district, sector,
    size band and, for each reason, its exact figures).
    """
    if shown == "safe":
        view = disclosure_safe_list(scored, registry, k=k, key=key)
        return int((view["class_size"] < k).sum())
    if shown != "exact":
        raise PerjakaError("shown must be 'safe' or 'exact'")
    exact = {
        "registration": ["workers_registered", "workers_reported"],
        "wage": ["wage_reported_idr"],
        "arrears": ["months_in_arrears", "arrears_idr"],
        "late_payments": ["late_payments_12m"],
        "deactivations": ["deactivations_12m"],
        "family": ["dependants_registered", "workers_registered"],
    }
    id_col = "employer_id" if "employer_id" in scored else "pseudonym"
    ids = (
        registry["employer_id"]
        if id_col == "employer_id"
        else pseudonymise(registry["employer_id"], key or load_key())
    )
    facts = registry.assign(
        size_band=size_band(registry["workers_reported"]),
        district=registry.get("district", pd.Series("?", index=registry.index)).fillna("?"),
        _id=ids.to_numpy(),
    )
    listed = scored[scored["on_list"]]
    unique = 0
    codes = listed["reason_codes"].fillna("").str.split(";").to_numpy()
    keys = pd.Series(["|".join(c) for c in codes])
    needed = ["province", "district", "sector", "size_band"]
    needed += [c for cols in exact.values() for c in cols if c in registry]
    coded = _encode(facts[list(dict.fromkeys(needed))])
    where = pd.Index(facts["_id"]).get_indexer(listed[id_col].to_numpy())
    for reasons, idx in keys.groupby(keys).groups.items():
        cols = ["province", "district", "sector", "size_band"]
        for c in reasons.split("|"):
            cols += [x for x in exact.get(c, []) if x in registry and x not in cols]
        n = _class_sizes(coded, _pick(coded, where[np.asarray(idx)]), cols)
        unique += int((n < k).sum())
    return unique
