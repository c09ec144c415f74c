"""Active participation data: every published active share, on one basis.

Since 2024 a region is UHC when at least 98% of residents are registered *and*
at least 80% are active (contributions paid). Active shares are published on
two denominators, and often without saying which:

``of_population``
    active members ÷ residents (the UHC condition's own basis);
``of_participants``
    active members ÷ registered participants;
``unclear``
    the source does not say (a share given without a basis is read so).

A share of participants ``p`` becomes a share of population by multiplying
with the registration figure ``R`` of the same date: ``p × R / 100``. When the
same row states ``R`` it is used as published; otherwise ``R`` is the fitted
registration trend at that date, and its uncertainty is carried into the
converted share (``sd = p × sd(R) / 100``). An ``unclear`` share is, by
default, an equal mixture of both readings (mean of the two, variance that
covers both); ``unclear="population"``, ``"participants"`` or ``"drop"``
show what each reading changes.

The active-share model itself is :mod:`perjaka_analysis.active`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .contracts import Column, Contract
from .datasets import load_coverage, raw_path
from .errors import DataQualityWarning, DataValidationError, PerjakaError, Problem
from .io import read_table
from .provinces import NATIONAL
from .validate import validate_frame

__all__ = [
    "ACTIVE_BASES",
    "OTHER_POINTS",
    "REPORT_ACTIVE_PCT",
    "UNCLEAR_TREATMENTS",
    "collect_active_shares",
    "compare_unclear",
    "convert_active_shares",
    "load_active_shares",
    "load_segment_active_shares",
    "prepare_active_panel",
    "status_reports",
    "to_population_share",
    "validate_other_points",
]

ACTIVE_BASES = ("of_population", "of_participants", "unclear")
UNCLEAR_TREATMENTS = ("mixture", "population", "participants", "drop")
Unclear = Literal["mixture", "population", "participants", "drop"]

#: Reference date of the time axis (years since).
T_REF = pd.Timestamp("2020-01-01")
_DAYS_PER_YEAR = 365.25
_Z80 = float(stats.norm.ppf(0.9))
#: The active threshold a UHC status report of today's definition vouches for.
REPORT_ACTIVE_PCT = 80.0

OTHER_POINTS = Contract(
    "other points",
    (
        Column("province", "province", required=True, national=True),
        Column("date", "date", required=True),
        Column(
            "date_precision", "enum", allowed=("day", "month", "year"), case="lower", default="day"
        ),
        Column("participants", "int", minimum=0),
        Column("active_pct", "number", minimum=0, maximum=100),
        Column("active_basis", "enum", allowed=ACTIVE_BASES, case="lower"),
        Column("source_url", "string"),
        Column("note", "string"),
    ),
)

_SHARE_COLUMNS = [
    "province",
    "district",
    "date",
    "date_precision",
    "active_pct",
    "active_basis",
    "registration_pct",
    "source_file",
    "source_url",
    "note",
]


def _years(dates) -> np.ndarray:
    delta = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(np.asarray(dates)))) - T_REF
    return np.asarray(delta.days, dtype=float) / _DAYS_PER_YEAR


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def validate_other_points(frame: pd.DataFrame, path: str | Path = "<frame>") -> pd.DataFrame:
    """Validate ``other_points.csv`` (figures that are not a coverage percentage).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    path : str or Path
        Name of the source, for messages.

    Returns
    -------
    pandas.DataFrame
        Typed rows with official province names; an ``active_pct`` without
        ``active_basis`` gets ``unclear``.

    Raises
    ------
    DataValidationError
        Listing every broken rule (an active share outside 0–100, an unknown
        basis, an unknown province, a bad date), with file, column and lines.

    Examples
    --------
    >>> rows = pd.DataFrame({"province": ["Bali"], "date": ["2023-12-31"], "active_pct": [84.7]})
    >>> validate_other_points(rows)["active_basis"].tolist()
    ['unclear']
    """
    df, problems = validate_frame(frame, OTHER_POINTS, path)
    if problems:
        raise DataValidationError(path, problems, OTHER_POINTS.name)
    for name in OTHER_POINTS.names:
        if name not in df:
            df[name] = pd.Series(None, index=df.index, dtype="object")
    df["active_basis"] = df["active_basis"].mask(
        df["active_pct"].notna() & df["active_basis"].isna(), "unclear"
    )
    return df


def _warn_above_registration(
    rows: pd.DataFrame, registration: np.ndarray, positions: np.ndarray, path: str
) -> None:
    """Warn (rows kept) where an active share of population exceeds registration.

    ``positions`` are the rows' positions in the source file, for the message.
    """
    active = rows["active_pct"].to_numpy(float)
    reg = np.asarray(registration, dtype=float)
    above = (rows["active_basis"] == "of_population").to_numpy() & (active > reg + 1e-9)
    if above.any():
        idx = np.flatnonzero(above)
        problem = Problem(
            "active_pct",
            "active share of population above the registration figure of the same date "
            "(rows kept; check the basis)",
            "",
            tuple(int(positions[i]) for i in idx[:5]),
            len(idx),
            tuple(f"{active[i]:g} > registered {reg[i]:g}" for i in idx[:5]),
        )
        warnings.warn(f"{path}: {problem.describe()}", DataQualityWarning, stacklevel=3)


def collect_active_shares(
    coverage: pd.DataFrame,
    other_points: pd.DataFrame | None = None,
    *,
    districts: pd.DataFrame | None = None,
    coverage_path: str = "coverage.csv",
    other_points_path: str = "other_points.csv",
    districts_path: str = "coverage_districts.csv",
) -> pd.DataFrame:
    """Every published active share with its basis, from validated inputs.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows (:func:`perjaka_analysis.read_coverage`);
        rows of measure ``registered`` with an ``active_pct`` are taken, with
        the registration figure of the same row.
    other_points : pandas.DataFrame, optional
        Validated ``other_points`` rows (:func:`validate_other_points`).
    districts : pandas.DataFrame, optional
        Validated district coverage rows (kept with ``district`` filled; the
        province model leaves them out).
    coverage_path, other_points_path, districts_path : str
        Names of the sources, for ``source_file`` and messages.

    Returns
    -------
    pandas.DataFrame
        ``province, district, date, date_precision, active_pct,
        active_basis, registration_pct`` (the registration figure stated for
        the same place and date, NaN when none), ``source_file, source_url,
        note``; sorted by province, district and date.

    Warns
    -----
    DataQualityWarning
        Where an active share of population exceeds the registration figure
        of the same place and date (rows are kept).
    """
    frames = []
    for frame, name in ((coverage, coverage_path), (districts, districts_path)):
        if frame is None:
            continue
        keep = (frame["active_pct"].notna() & (frame["measure"] == "registered")).to_numpy()
        rows = frame[keep].reset_index(drop=True)
        _warn_above_registration(rows, rows["coverage_pct"], np.flatnonzero(keep), name)
        frames.append(
            pd.DataFrame(
                {
                    "province": rows["province"].astype(str),
                    "district": rows["district"].astype("object"),
                    "date": rows["date"],
                    "date_precision": rows["date_precision"].astype(str),
                    "active_pct": rows["active_pct"].astype(float),
                    "active_basis": rows["active_basis"].astype(str),
                    "registration_pct": rows["coverage_pct"].astype(float),
                    "source_file": name,
                    "source_url": rows["source_url"].astype("object"),
                    "note": rows["note"].astype("object"),
                }
            )
        )
    if other_points is not None:
        keep = other_points["active_pct"].notna().to_numpy()
        rows = other_points[keep].reset_index(drop=True)
        reg = coverage[
            (coverage["measure"] == "registered") & coverage["district"].isna()
        ].drop_duplicates(["province", "date"])
        same = rows[["province", "date"]].merge(
            reg[["province", "date", "coverage_pct"]], on=["province", "date"], how="left"
        )["coverage_pct"]
        _warn_above_registration(rows, same, np.flatnonzero(keep), other_points_path)
        frames.append(
            pd.DataFrame(
                {
                    "province": rows["province"].astype(str),
                    "district": None,
                    "date": rows["date"],
                    "date_precision": rows["date_precision"].astype(str),
                    "active_pct": rows["active_pct"].astype(float),
                    "active_basis": rows["active_basis"].astype(str),
                    "registration_pct": same.to_numpy(float),
                    "source_file": other_points_path,
                    "source_url": rows["source_url"].astype("object"),
                    "note": rows["note"].astype("object"),
                }
            )
        )
    if not frames:
        raise PerjakaError("no input with active shares was given")
    out = pd.concat(frames, ignore_index=True)[_SHARE_COLUMNS]
    out["district"] = out["district"].where(out["district"].notna(), None)
    bad = ~out["active_basis"].isin(ACTIVE_BASES)
    if bad.any():
        raise DataValidationError(
            "<active shares>",
            [
                Problem(
                    "active_basis",
                    "unknown value",
                    "one of " + ", ".join(ACTIVE_BASES),
                    tuple(int(i) for i in np.flatnonzero(bad)[:5]),
                    int(bad.sum()),
                    tuple(out.loc[bad, "active_basis"].astype(str).iloc[:5]),
                )
            ],
        )
    return out.sort_values(
        ["province", "district", "date"], na_position="first", kind="stable"
    ).reset_index(drop=True)


def load_active_shares(
    *, coverage: pd.DataFrame | None = None, districts: bool = True
) -> pd.DataFrame:
    """Load every active share in the shipped data (see :func:`collect_active_shares`).

    Parameters
    ----------
    coverage : pandas.DataFrame, optional
        Validated coverage rows already loaded (default: the shipped
        ``coverage.csv``).
    districts : bool
        Include the district (kabupaten/kota) figures.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> shares = load_active_shares()
    >>> sorted(shares["active_basis"].unique().tolist())
    ['of_participants', 'of_population', 'unclear']
    """
    coverage = load_coverage() if coverage is None else coverage
    other_path = raw_path("other_points.csv")
    other = validate_other_points(read_table(other_path, OTHER_POINTS), other_path.name)
    dist = load_coverage(raw_path("coverage_districts.csv")) if districts else None
    return collect_active_shares(coverage, other, districts=dist)


def load_segment_active_shares() -> pd.DataFrame:
    """Active shares of one membership segment (e.g. workers of private employers).

    These are shares of a segment's participants, not of a province's
    population, and are never mixed into the province model. They are read
    from ``segments.csv`` (a ``metric`` containing ``active``) and
    ``employer_compliance.csv`` (``ppu_bu_active_share_pct``).

    Returns
    -------
    pandas.DataFrame
        ``province, date, segment, active_pct, basis`` (``of_segment_participants``),
        ``source_file, source_url, note``.
    """
    frames = []
    seg = pd.read_csv(raw_path("segments.csv"))
    seg = seg[seg["metric"].astype(str).str.contains("active")]
    if len(seg):
        frames.append(
            pd.DataFrame(
                {
                    "province": seg["geography"],
                    "date": pd.to_datetime(seg["date"]),
                    "segment": seg["segment"],
                    "active_pct": seg["value"].astype(float),
                    "source_file": "segments.csv",
                    "source_url": seg["source_url"],
                    "note": seg["note"],
                }
            )
        )
    emp = pd.read_csv(raw_path("employer_compliance.csv"))
    emp = emp[emp["metric"].astype(str).str.endswith("_active_share_pct")]
    if len(emp):
        frames.append(
            pd.DataFrame(
                {
                    "province": emp["province"],
                    "date": pd.to_datetime(emp["date"]),
                    "segment": emp["metric"].str.replace("_active_share_pct", "").str.upper(),
                    "active_pct": emp["value"].astype(float),
                    "source_file": "employer_compliance.csv",
                    "source_url": emp["source_url"],
                    "note": emp["note"],
                }
            )
        )
    cols = ["province", "date", "segment", "active_pct", "source_file", "source_url", "note"]
    if not frames:
        return pd.DataFrame(columns=[*cols, "basis"])
    out = pd.concat(frames, ignore_index=True)[cols]
    out.insert(4, "basis", "of_segment_participants")
    return out.reset_index(drop=True)


def to_population_share(
    active_pct: np.ndarray | Sequence[float],
    basis: np.ndarray | Sequence[str],
    registration_pct: np.ndarray | Sequence[float],
    registration_sd: np.ndarray | Sequence[float],
    *,
    unclear: Unclear = "mixture",
) -> tuple[np.ndarray, np.ndarray]:
    """Convert active shares to shares of population, with a standard deviation.

    Parameters
    ----------
    active_pct : array of float
        Published active shares (percent).
    basis : array of str
        ``of_population``, ``of_participants`` or ``unclear``.
    registration_pct, registration_sd : array of float
        Registration (percent of population) at the same date and its
        standard deviation (0 when stated by the same source).
    unclear : {"mixture", "population", "participants", "drop"}
        How an ``unclear`` share is read: an equal mixture of both readings
        (mean of the two, variance of the mixture), as a share of
        population, as a share of participants, or dropped (NaN).

    Returns
    -------
    mean, sd : ndarray
        Active share of population (percent) and its standard deviation.

    Examples
    --------
    >>> m, s = to_population_share([84.0, 80.0, 70.0], ["of_participants", "of_population",
    ...     "unclear"], [95.0, 99.0, 90.0], [1.0, 1.0, 0.0])
    >>> m.round(2).tolist(), s.round(2).tolist()
    ([79.8, 80.0, 66.5], [0.84, 0.0, 3.5])
    """
    if unclear not in UNCLEAR_TREATMENTS:
        raise PerjakaError(f"unknown unclear={unclear!r}; valid: {', '.join(UNCLEAR_TREATMENTS)}")
    a = np.asarray(active_pct, dtype=float)
    b = np.asarray(basis, dtype=object)
    r = np.asarray(registration_pct, dtype=float)
    s = np.asarray(registration_sd, dtype=float)
    unknown = sorted({str(v) for v in b if v not in ACTIVE_BASES})
    if unknown:
        raise PerjakaError(
            f"unknown active_basis {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(ACTIVE_BASES)}"
        )
    conv = a * r / 100.0
    conv_sd = a * s / 100.0
    mean = np.where(b == "of_population", a, conv)
    sd = np.where(b == "of_population", 0.0, conv_sd)
    is_unclear = b == "unclear"
    if unclear == "population":
        mean = np.where(is_unclear, a, mean)
        sd = np.where(is_unclear, 0.0, sd)
    elif unclear == "drop":
        mean = np.where(is_unclear, np.nan, mean)
        sd = np.where(is_unclear, np.nan, sd)
    elif unclear == "mixture":
        half = (a - conv) / 2.0
        mean = np.where(is_unclear, (a + conv) / 2.0, mean)
        sd = np.where(is_unclear, np.sqrt(0.5 * conv_sd**2 + half**2), sd)
    return mean, sd


def _to_participant_share(
    a: np.ndarray, basis: np.ndarray, reg: np.ndarray, reg_sd: np.ndarray, *, unclear: Unclear
) -> tuple[np.ndarray, np.ndarray]:
    """Active shares as shares of registered participants (percent) and their sd.

    A share of population ``a`` becomes ``100 a / R``; an unclear share is
    read as :func:`to_population_share` reads it (by default the equal
    mixture of both readings). NaN where ``R`` is unknown and needed.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        conv = 100 * a / reg
        conv_sd = 100 * a * reg_sd / reg**2
    mean = np.where(basis == "of_participants", a, conv)
    sd = np.where(basis == "of_participants", 0.0, conv_sd)
    is_unclear = basis == "unclear"
    if unclear == "participants":
        mean, sd = np.where(is_unclear, a, mean), np.where(is_unclear, 0.0, sd)
    elif unclear == "drop":
        mean, sd = np.where(is_unclear, np.nan, mean), np.where(is_unclear, np.nan, sd)
    elif unclear == "mixture":
        half = (conv - a) / 2.0
        mean = np.where(is_unclear, (a + conv) / 2.0, mean)
        sd = np.where(is_unclear, np.sqrt(0.5 * conv_sd**2 + half**2), sd)
    return mean, sd


def _registration_gap(
    registration, province: str, t: np.ndarray, *, unknown: float = 0.0
) -> np.ndarray:
    """Registration trend of a place minus the nation's at times t (years), in pp.

    0 for the nation; ``unknown`` for a place the registration trend does not
    describe.
    """
    t = np.asarray(t, dtype=float)
    if province == NATIONAL or len(t) == 0:
        return np.zeros(len(t))
    dates = T_REF + pd.to_timedelta(np.round(t * _DAYS_PER_YEAR), unit="D")
    try:
        own = registration.predict(province, dates, levels=(80,), observation=False)
        nat = registration.predict(NATIONAL, dates, levels=(80,), observation=False)
    except PerjakaError:
        return np.full(len(t), unknown)
    return own["mean"].to_numpy(float) - nat["mean"].to_numpy(float)


def _registration_at(registration, province: str, date: pd.Timestamp) -> tuple[float, float]:
    """Registration trend (latent) and its sd at a date, from a fitted registration model."""
    try:
        pred = registration.predict(province, [date], levels=(80,), observation=False)
    except PerjakaError:
        return np.nan, np.nan
    row = pred.iloc[0]
    return float(row["mean"]), float(row["upper"] - row["lower"]) / (2 * _Z80)


def convert_active_shares(
    shares: pd.DataFrame, registration=None, *, unclear: Unclear = "mixture"
) -> pd.DataFrame:
    """Put every active share on the population basis.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`collect_active_shares` output.
    registration : TrendResults, optional
        A fitted registration trend
        (:class:`perjaka_analysis.trend.CoverageTrendModel` ``.fit()``), used
        where no registration figure is stated on the row. Without it such
        rows of participants or unclear basis cannot be converted (an error
        names them).
    unclear : {"mixture", "population", "participants", "drop"}
        See :func:`to_population_share`.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``registration_used_pct``,
        ``registration_sd``, ``registration_source`` (``same figure``,
        ``registration trend`` or ``not needed``), ``active_pop_pct``,
        ``active_pop_sd``, ``if_population_pct`` and ``if_participants_pct``
        (the two readings, for every row), ``active_part_pct`` and
        ``active_part_sd`` (the share of registered participants: with a
        registration trend every row has one; NaN where no registration is
        known). Rows dropped by
        ``unclear="drop"`` are left out.
    """
    out = shares.copy()
    n = len(out)
    reg = out["registration_pct"].to_numpy(float).copy()
    sd = np.zeros(n)
    source = np.where(np.isnan(reg), "", "same figure").astype(object)
    needs_pop = (out["active_basis"] != "of_population").to_numpy() | (unclear == "participants")
    needs = needs_pop.copy()
    if registration is not None:  # every row also on the participant basis
        needs = np.ones(n, dtype=bool)
    model_rows = np.flatnonzero(np.isnan(reg) & needs)
    if needs_pop[model_rows].any() and registration is None:
        raise PerjakaError(
            f"{len(model_rows)} active share(s) are not of population and have no registration "
            "figure on the same row (e.g. "
            + ", ".join(
                f"{out['province'].iloc[i]} {out['date'].iloc[i]:%Y-%m-%d}" for i in model_rows[:3]
            )
            + "); pass a fitted registration trend"
        )
    for i in model_rows:
        place = out["province"].iloc[i]
        reg[i], sd[i] = _registration_at(registration, place, pd.Timestamp(out["date"].iloc[i]))
        # a share of population needs it only for its participant share
        source[i] = "registration trend" if needs_pop[i] else ""
    source = np.where(source == "", "not needed", source)
    basis = out["active_basis"].to_numpy(object)
    a = out["active_pct"].to_numpy(float)
    mean, msd = to_population_share(a, basis, reg, sd, unclear=unclear)
    out["registration_used_pct"] = reg
    out["registration_sd"] = sd
    out["registration_source"] = source
    out["active_pop_pct"] = mean
    out["active_pop_sd"] = msd
    out["if_population_pct"] = np.where(basis == "of_participants", a * reg / 100, a)
    out["active_part_pct"], out["active_part_sd"] = _to_participant_share(
        a, basis, reg, sd, unclear=unclear
    )
    out["if_participants_pct"] = np.where(basis == "of_population", a, a * reg / 100)
    if unclear == "drop":
        out = out[out["active_basis"] != "unclear"]
    return out.reset_index(drop=True)


def compare_unclear(shares: pd.DataFrame, registration=None) -> pd.DataFrame:
    """What reading each ``unclear`` share as of population or of participants changes.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`collect_active_shares` output.
    registration : TrendResults, optional
        Fitted registration trend (for rows without a stated registration).

    Returns
    -------
    pandas.DataFrame
        One row per unclear share: ``province, district, date, active_pct,
        registration_used_pct, if_population_pct, if_participants_pct,
        difference_pp`` (population reading minus participants reading),
        ``mixture_pct, mixture_sd`` (the default reading).
    """
    rows = shares[shares["active_basis"] == "unclear"]
    conv = convert_active_shares(rows, registration, unclear="mixture")
    conv = conv.assign(
        difference_pp=conv["if_population_pct"] - conv["if_participants_pct"],
        mixture_pct=conv["active_pop_pct"],
        mixture_sd=conv["active_pop_sd"],
    )
    cols = [
        "province",
        "district",
        "date",
        "active_pct",
        "registration_used_pct",
        "if_population_pct",
        "if_participants_pct",
        "difference_pp",
        "mixture_pct",
        "mixture_sd",
    ]
    return conv[cols]


def status_reports(status: pd.DataFrame) -> pd.DataFrame:
    """UHC status reports of today's definition, as censored observations of both measures.

    A ``UHC Prioritas`` or ``UHC (award 2026)`` report says that on its date
    the province had at least ``threshold_pct`` registered *and* at least 80%
    of its population active (``active_above`` in
    :func:`perjaka_analysis.datasets.load_uhc_status`). The active model
    conditions on the second bound; the registration model can condition on
    the first.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`perjaka_analysis.datasets.load_uhc_status` output (or its rows
        published by some date).

    Returns
    -------
    pandas.DataFrame
        ``province, date, registered_min_pct, active_min_pct``, one row per
        report, sorted by province and date.

    Examples
    --------
    >>> st = pd.DataFrame({"province": ["Riau", "Bali"], "date": pd.to_datetime(
    ...     ["2025-12-31", "2019-06-01"]), "threshold_pct": [98.0, 95.0],
    ...     "above": [True, True], "active_above": [True, False]})
    >>> status_reports(st).values.tolist()
    [['Riau', Timestamp('2025-12-31 00:00:00'), 98.0, 80.0]]
    """
    cols = ["province", "date", "registered_min_pct", "active_min_pct"]
    if status is None or status.empty or "active_above" not in status:
        return pd.DataFrame(columns=cols)
    rows = status[status["active_above"].astype(bool) & status["above"].astype(bool)]
    out = pd.DataFrame(
        {
            "province": rows["province"].astype(str).to_numpy(),
            "date": pd.to_datetime(rows["date"]).to_numpy(),
            "registered_min_pct": rows["threshold_pct"].astype(float).to_numpy(),
            "active_min_pct": REPORT_ACTIVE_PCT,
        }
    )
    return out.sort_values(["province", "date"], kind="stable").reset_index(drop=True)


def prepare_active_panel(converted: pd.DataFrame, scale: str = "population") -> pd.DataFrame:
    """Province-level active shares on the model scale.

    Parameters
    ----------
    converted : pandas.DataFrame
        :func:`convert_active_shares` output.
    scale : {"population", "participants"}
        The share modelled: of population (``active_pop_pct``) or of
        registered participants (``active_part_pct``, made when a
        registration trend was given to the conversion).

    Returns
    -------
    pandas.DataFrame
        ``province, date, t, pct`` (share of population, as shown), ``sd, z,
        v`` (logit of the modelled share and the variance of the conversion
        on that scale), sorted by province and date; district figures and
        unconverted rows are left out.
    """
    col = "active_part_pct" if scale == "participants" else "active_pop_pct"
    rows = converted[converted["district"].isna() & converted[col].notna()]
    rows = rows[rows["active_pop_pct"].notna()]
    p = (rows[col].to_numpy(float) / 100).clip(0.005, 0.995)
    sd = rows[col.replace("_pct", "_sd")].to_numpy(float)
    panel = pd.DataFrame(
        {
            "province": rows["province"].astype(str).to_numpy(),
            "date": pd.to_datetime(rows["date"]).to_numpy(),
            "t": _years(rows["date"]) if len(rows) else np.zeros(0),
            "pct": rows["active_pop_pct"].to_numpy(float),
            "sd": sd,
            "z": _logit(p),
            "v": (sd / 100 / (p * (1 - p))) ** 2,
        }
    )
    return panel.sort_values(["province", "date"], kind="stable").reset_index(drop=True)
