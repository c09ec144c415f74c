"""Active participation: every published active share, on one basis, and its trend.

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

Model
-----
:class:`ActiveShareModel` describes, with a registration trend, the share of
registered participants who are active (as most figures measure it; without
one, the share of population itself), on the logit scale::

    z_i(t) = a + b t + c (t - 2024)+ + k g_i + u_i + w_i(t) + e

``a + b t`` is the national drift, anchored to the national series (the
national figures have ``u = 0``); ``c`` the change of drift once the awards
required >= 80% active (2024), the response to the threshold in force;
``g_i`` the place's registration above the nation's (pp, by the registration
trend at the end of the active figures: places that register more have more
of their participants active); ``u_i ~ N(0, tau2)`` is a province's offset
(light shrinkage towards the trend); ``w_i`` a random walk (variance ``q`` per
year); ``e`` the noise of one published figure (``sigma2``, plus the known
variance of a converted share), Student-t as a scale mixture (figures far
from the others weigh less). The fixed effects have weak Gaussian priors
(:data:`BETA_PRIOR_MEAN`, :data:`BETA_PRIOR_SD`), the variances log-normal
ones; all are estimated by restricted maximum likelihood over all places at
once, and every prediction conditions on the place's own figures, then on
its UHC status reports of today's definition (censored observations: the
share of population was >= 80% on the report's date). The share of
population is the share of participants times the registration trend; an
unclear-basis figure is the mixture of its two readings. A province with one
figure keeps its level and borrows the drift and the spread; a province
without any is the trend with the full spread of ``u`` — the ``basis``
column says which.

Baselines (for the backtest): ``last`` (the place's last figure, the national
one where it has none) and ``national_ratio`` (the place's last figure
relative to the national figure of that time, times the latest national
figure).
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .backtest import backtest_results, held_out_predictions
from .contracts import Column, Contract
from .datasets import load_coverage, raw_path
from .errors import DataQualityWarning, DataValidationError, PerjakaError, Problem
from .io import read_table
from .plotting import plot_fan
from .provinces import NATIONAL, normalise_province, province_table
from .trend import forecast_places
from .validate import validate_frame

__all__ = [
    "ACTIVE_BASES",
    "ACTIVE_METHODS",
    "OTHER_POINTS",
    "UNCLEAR_TREATMENTS",
    "ActiveResults",
    "ActiveShareModel",
    "backtest_active",
    "collect_active_shares",
    "compare_unclear",
    "convert_active_shares",
    "default_active_origins",
    "load_active_shares",
    "load_segment_active_shares",
    "prepare_active_panel",
    "status_reports",
    "to_population_share",
    "validate_other_points",
]

ACTIVE_BASES = ("of_population", "of_participants", "unclear")
UNCLEAR_TREATMENTS = ("mixture", "population", "participants", "drop")
ACTIVE_METHODS = ("pooled", "last", "national_ratio")
Unclear = Literal["mixture", "population", "participants", "drop"]

#: Reference date of the time axis (years since).
T_REF = pd.Timestamp("2020-01-01")
_DAYS_PER_YEAR = 365.25
_Z80 = float(stats.norm.ppf(0.9))

#: Weak priors (median sd on the logit scale, log-sd 1) of the variance components:
#: one figure's noise ~ 1.6 pp at 80%, province offsets ~ 5 pp, walk ~ 1.6 pp a year.
PRIOR_SD = {"sigma": 0.10, "tau": 0.30, "walk": 0.10}
#: Spread of those priors (sd of the log of each sd). The province spread's is tighter
#: (light shrinkage): with the spread free, the 80% intervals of places without a figure
#: of their own held 90% of the later figures at 23 pp wide (backtest of the saturation
#: years, all provinces and origins).
PRIOR_LOG_SD = {"sigma": 1.0, "tau": 0.4, "walk": 1.0}
#: Since 2024 UHC asks >= 80% active (``targets.csv``): the drift may change from then on.
THRESHOLD_IN_FORCE = pd.Timestamp("2024-01-01")
T_THRESHOLD = (THRESHOLD_IN_FORCE - T_REF).days / 365.25
#: Prior of the fixed effects (logit): level in 2020, drift a year, change of drift a year
#: once the threshold is in force, and per pp of the place's registration above the
#: nation's. Level: 80% of participants active, weakly (sd 1.5); drift: none (sd 0.1);
#: response: +0.2 a year (sd 0.1), about +3 pp a year at 80%; registration: none (sd 0.2).
#: The response's prior was set on the backtest of the saturation years (all provinces,
#: all origins; benchmarks/uhc_backtest.py): with a prior mean of 0 every origin before
#: the 2025 figures forecast the active share about 4 pp too low; figures after 2024 move
#: it.
BETA_PRIOR_MEAN = (1.386, 0.0, 0.2, 0.0)
BETA_PRIOR_SD = (1.5, 0.1, 0.1, 0.2)
#: Student-t noise of one figure: degrees of freedom and reweighting rounds.
T_DF = 4.0
T_ROUNDS = 4
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


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _seed(seed: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8")), 7])


# -- data ------------------------------------------------------------------------------------
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


def _registration_gap(registration, province: str, t: np.ndarray) -> np.ndarray:
    """Registration trend of a place minus the nation's at times t (years), in pp.

    0 for the nation, and for a place the registration trend does not describe.
    """
    t = np.asarray(t, dtype=float)
    if province == NATIONAL or len(t) == 0:
        return np.zeros(len(t))
    dates = T_REF + pd.to_timedelta(np.round(t * _DAYS_PER_YEAR), unit="D")
    try:
        own = registration.predict(province, dates, levels=(80,), observation=False)
        nat = registration.predict(NATIONAL, dates, levels=(80,), observation=False)
    except PerjakaError:
        return np.zeros(len(t))
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


# -- model -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivePlace:
    """What the model knows of one place.

    Attributes
    ----------
    province : str
        Official name or ``INDONESIA``.
    basis : str
        ``own data`` (two figures or more), ``one figure + pooled trend``,
        ``national series`` or ``pooled (no data)``.
    n_points : int
        Figures of the place in the panel.
    t, y, v : ndarray
        Times (years since 2020-01-01), logit shares and their known extra
        variance (from the basis conversion).
    last_date, last_pct
        The latest figure (of population; None without figures).
    report_t, report_c : ndarray
        Dates (years since 2020-01-01) of UHC status reports of today's
        definition and the logit of the modelled share they vouch for (the
        share is at or above it on that date: a censored observation).
    """

    province: str
    basis: str
    n_points: int
    t: np.ndarray
    y: np.ndarray
    v: np.ndarray
    last_date: pd.Timestamp | None = None
    last_pct: float | None = None
    report_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    report_c: np.ndarray = field(default_factory=lambda: np.zeros(0))


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


def _brownian(s: np.ndarray, t: np.ndarray, t0: float) -> np.ndarray:
    return np.clip(np.minimum.outer(s, t) - t0, 0.0, None)


def _chol(cov: np.ndarray) -> np.ndarray:
    """A square root ``L`` (``L @ L.T`` = cov) of a covariance matrix: Cholesky with the
    smallest jitter that works, else from the eigenvalues."""
    scale = float(np.mean(np.diag(cov))) or 1.0
    for jitter in (1e-10, 1e-8, 1e-6, 1e-4):
        try:
            return np.linalg.cholesky(cov + np.eye(len(cov)) * jitter * scale)
        except np.linalg.LinAlgError:
            continue
    # nearly singular (figures without noise pin some dates): a square root from the
    # eigenvalues, negative rounding errors set to zero
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    if w.min() < -1e-6 * max(scale, 1e-12) - 1e-12:
        raise PerjakaError("the covariance of the simulated paths is not positive definite")
    return v * np.sqrt(np.clip(w, 0.0, None))


def _place_cov(t: np.ndarray, tau2: float, q: float, t0: float) -> np.ndarray:
    return tau2 + q * _brownian(t, t, t0)


#: Common standard normal draws for the quantiles of a product of two normals' transforms.
_COMMON_DRAWS = np.random.default_rng(20240101).standard_normal((2, 4000))


def _truncate_above(
    mean: np.ndarray, cov: np.ndarray, k: int, bound: float
) -> tuple[np.ndarray, np.ndarray]:
    """Condition a Gaussian vector on its k-th element being at or above a bound.

    The k-th marginal becomes the truncated normal's mean and variance; the
    other elements follow through their covariance with it (assumed density
    filtering).

    Examples
    --------
    >>> m, c = _truncate_above(np.array([0.0, 0.0]), np.array([[1.0, 1.0], [1.0, 2.0]]), 0, 0.0)
    >>> [round(float(v), 3) for v in (m[0], m[1], c[0, 0])]
    [0.798, 0.798, 0.363]
    """
    v = float(cov[k, k])
    if v <= 1e-12:
        return mean, cov
    s = math.sqrt(v)
    a = min((bound - float(mean[k])) / s, 30.0)
    lam = float(stats.norm.pdf(a) / max(stats.norm.sf(a), 1e-300))
    m_new = float(mean[k]) + s * lam
    v_new = v * max(1.0 + a * lam - lam**2, 1e-6)
    g = cov[:, k] / v
    mean = mean + g * (m_new - float(mean[k]))
    cov = cov - np.outer(g, g) * (v - v_new)
    return mean, (cov + cov.T) / 2


def _design(t: np.ndarray, gap: np.ndarray | None = None) -> np.ndarray:
    """Common trend: intercept, national drift, change of drift once the 80% rule is in force,
    and the place's registration above the nation's (pp; 0 without a registration trend)."""
    t = np.asarray(t, dtype=float)
    g = np.zeros_like(t) if gap is None else np.asarray(gap, dtype=float)
    return np.column_stack([np.ones_like(t), t, np.clip(t - T_THRESHOLD, 0.0, None), g])


def _fit_pooled(panel: pd.DataFrame, *, prior_mean: Sequence[float] | None = None) -> dict:
    """Restricted likelihood (weak priors) of the common trend and the variance components.

    The fixed effects have a weak Gaussian prior (:data:`BETA_PRIOR_SD`), so
    that a trend is defined from few dates and the response to the threshold
    is zero until figures after it say otherwise. The noise of one figure is
    Student-t (:data:`T_DF` degrees of freedom) as a scale mixture: figures
    far from what the others say get a larger variance, in a few reweighting
    rounds.
    """
    from scipy.optimize import minimize

    t0 = float(min(panel["t"].min(), T_THRESHOLD - 2.0))
    idx_groups = list(panel.groupby("province", sort=True).indices.items())
    n = len(panel)
    if n == 0:
        raise PerjakaError("no province-level active share to model")
    b0 = np.asarray(prior_mean if prior_mean is not None else BETA_PRIOR_MEAN, dtype=float)
    prior_prec = np.diag(1.0 / np.asarray(BETA_PRIOR_SD) ** 2)
    weights = np.ones(n)
    tt, zz, vv = (panel[c].to_numpy(float) for c in ("t", "z", "v"))
    gg = panel["gap"].to_numpy(float) if "gap" in panel else np.zeros(n)

    def pieces(theta: np.ndarray):
        s2, tau2, q = np.exp(2 * theta)
        xtx = prior_prec.copy()
        xty = prior_prec @ b0
        logdet = 0.0
        cache = []
        for g, idx in idx_groups:
            t, z = tt[idx], zz[idx]
            x = _design(t, gg[idx])
            c = _place_cov(t, 0.0 if g == NATIONAL else tau2, q, t0) + np.diag(
                (s2 + vv[idx]) / weights[idx]
            )
            chol = np.linalg.cholesky(c)
            logdet += 2 * np.log(np.diag(chol)).sum()
            xtx += x.T @ np.linalg.solve(c, x)
            xty += x.T @ np.linalg.solve(c, z)
            cache.append((idx, x, z, c))
        return xtx, xty, logdet, cache

    def objective(theta: np.ndarray) -> float:
        try:
            xtx, xty, logdet, cache = pieces(theta)
            beta = np.linalg.solve(xtx, xty)
        except np.linalg.LinAlgError:
            return 1e10
        quad = sum(float((z - x @ beta) @ np.linalg.solve(c, z - x @ beta)) for _, x, z, c in cache)
        quad += float((beta - b0) @ prior_prec @ (beta - b0))
        reml = 0.5 * (logdet + quad + np.linalg.slogdet(xtx)[1])
        prior = 0.5 * sum(
            ((theta[i] - math.log(PRIOR_SD[k])) / PRIOR_LOG_SD[k]) ** 2
            for i, k in enumerate(("sigma", "tau", "walk"))
        )
        return reml + prior

    theta = np.log([PRIOR_SD["sigma"], PRIOR_SD["tau"], PRIOR_SD["walk"]])
    for _ in range(T_ROUNDS):
        opt = minimize(
            objective, theta, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7}
        )
        theta = opt.x
        xtx, xty, _, cache = pieces(theta)
        beta = np.linalg.solve(xtx, xty)
        s2 = float(np.exp(2 * theta[0]))
        new = np.ones(n)
        for idx, x, z, c in cache:  # leave-one-out standardised residuals
            ci = np.linalg.inv(c)
            loo = (ci @ (z - x @ beta)) / np.diag(ci)
            # the residual's scale is that of the figure's own noise
            r2 = loo**2 * np.diag(ci) * ((s2 + vv[idx]) / weights[idx]) / (s2 + vv[idx])
            new[idx] = np.minimum(1.0, (T_DF + 1) / (T_DF + r2))
        if np.allclose(new, weights, atol=1e-3):
            break
        weights = new
    xtx, xty, _, _ = pieces(theta)
    cov_beta = np.linalg.inv(xtx)
    s2, tau2, q = (float(v) for v in np.exp(2 * theta))
    return {
        "beta": cov_beta @ xty,
        "cov_beta": cov_beta,
        "sigma2": s2,
        "tau2": tau2,
        "q": q,
        "t0": t0,
        "weights": weights,
        "converged": bool(opt.success),
        "notes": () if opt.success else (str(opt.message),),
    }


class ActiveShareModel:
    """Active share of population per province, pooled and anchored to the national series.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`collect_active_shares` output (any basis), or
        :func:`convert_active_shares` output (already on the population
        basis; then ``registration`` and ``unclear`` are not used).
    registration : TrendResults, optional
        Fitted registration trend, to convert shares of participants where
        the row states no registration figure.
    unclear : {"mixture", "population", "participants", "drop"}
        How shares of unclear basis are read (see :func:`to_population_share`).
    method : {"pooled", "last", "national_ratio"}
        ``pooled`` (default) or one of the two baselines (module docs).
    provinces : sequence of str, optional
        Places to describe; default the 38 provinces and ``INDONESIA``.

    Examples
    --------
    >>> import perjaka_analysis as pa
    >>> from perjaka_analysis.trend import CoverageTrendModel
    >>> reg = CoverageTrendModel(pa.load_coverage()).fit()
    >>> res = ActiveShareModel(load_active_shares(), registration=reg).fit()
    >>> res.forecast("2026-12-31").columns.tolist()[:6]
    ['province', 'date', 'mean', 'lower', 'upper', 'level']
    """

    def __init__(
        self,
        shares: pd.DataFrame,
        *,
        registration=None,
        unclear: Unclear = "mixture",
        method: str = "pooled",
        provinces: Sequence[str] | None = None,
        status: pd.DataFrame | None = None,
    ) -> None:
        if method not in ACTIVE_METHODS:
            raise PerjakaError(f"unknown method {method!r}; valid: {', '.join(ACTIVE_METHODS)}")
        if unclear not in UNCLEAR_TREATMENTS:
            raise PerjakaError(
                f"unknown unclear={unclear!r}; valid: {', '.join(UNCLEAR_TREATMENTS)}"
            )
        self.shares = shares
        self.registration = registration
        self.unclear = unclear
        self.method = method
        self.provinces = provinces
        self.status = status

    def fit(self) -> ActiveResults:
        """Fit the model.

        Returns
        -------
        ActiveResults

        Raises
        ------
        PerjakaError
            If no province-level share remains, or all are of one date.
        """
        if "active_pop_pct" in self.shares:
            converted = self.shares
        else:
            converted = convert_active_shares(self.shares, self.registration, unclear=self.unclear)
        scale = (
            "participants"
            if self.registration is not None
            and self.method == "pooled"
            and "active_part_pct" in converted
            and converted["active_part_pct"].notna().any()
            else "population"
        )
        panel = prepare_active_panel(converted, scale)
        if panel.empty:
            raise PerjakaError("no province-level active share to model")
        gaps: dict[str, float] = {}
        if scale == "participants":
            # one figure per place: its registration above the nation's at the panel's end
            t_end = np.array([float(panel["t"].max())])
            names = {
                normalise_province(p) for p in (self.provinces or province_table()["province"])
            }
            for name in sorted(names | set(panel["province"])):
                gaps[name] = float(_registration_gap(self.registration, name, t_end)[0])
            panel["gap"] = panel["province"].map(gaps).fillna(0.0).to_numpy(float)
        pooled = _fit_pooled(panel)
        reports = status_reports(self.status) if self.status is not None else None
        places = (
            list(self.provinces)
            if self.provinces
            else [
                *province_table()["province"],
                NATIONAL,
            ]
        )
        groups = panel.groupby("province", sort=True).indices
        fitted = {}
        for place in places:
            name = normalise_province(place)
            idx = groups.get(name, np.zeros(0, dtype=int))
            rows = panel.iloc[idx]
            n = len(rows)
            if name == NATIONAL:
                basis = "national series" if n else "pooled (no data)"
            else:
                basis = {0: "pooled (no data)", 1: "one figure + pooled trend"}.get(n, "own data")
            last = rows.iloc[-1] if n else None
            rep_t, rep_c = np.zeros(0), np.zeros(0)
            if reports is not None and self.method == "pooled":
                mine = reports[reports["province"] == name]
                if len(mine):
                    rep_t = _years(mine["date"])
                    rep_c = self._report_bounds(name, mine["date"], scale)
                    k = len(mine)
                    basis = f"{basis} + UHC status ({k} report{'s' if k > 1 else ''})"
            fitted[name] = ActivePlace(
                province=name,
                basis=basis,
                n_points=n,
                t=rows["t"].to_numpy(float),
                y=rows["z"].to_numpy(float),
                v=rows["v"].to_numpy(float),
                last_date=pd.Timestamp(last["date"]) if last is not None else None,
                last_pct=float(last["pct"]) if last is not None else None,
                report_t=rep_t,
                report_c=rep_c,
            )
        return ActiveResults(
            gaps=gaps,
            places=fitted,
            panel=panel,
            converted=converted,
            method=self.method,
            unclear=self.unclear if "active_pop_pct" not in self.shares else "as given",
            pooled=pooled,
            scale=scale,
            registration=self.registration if scale == "participants" else None,
        )

    def _report_bounds(self, province: str, dates: pd.Series, scale: str) -> np.ndarray:
        """Logit of the modelled share a report of today's definition vouches for.

        Active share of population >= 80% is, on the participant scale,
        ``80 / R`` with ``R`` the registration on that date, itself >= 98%
        by the same report.
        """
        share = np.full(len(dates), REPORT_ACTIVE_PCT / 100)
        if scale == "participants":
            reg = np.array(
                [_registration_at(self.registration, province, pd.Timestamp(d))[0] for d in dates]
            )
            reg = np.where(np.isfinite(reg), np.maximum(reg, 98.0), 98.0)
            share = REPORT_ACTIVE_PCT / reg
        return _logit(np.clip(share, 0.005, 0.995))


@dataclass
class ActiveResults:
    """A fitted active-share model: the same methods and frames as registration trends.

    Attributes
    ----------
    places : dict of str to ActivePlace
    panel : pandas.DataFrame
        The figures used (see :func:`prepare_active_panel`).
    converted : pandas.DataFrame
        Every share with both readings (see :func:`convert_active_shares`).
    method, unclear : str
    scale : str
        ``participants`` (the latent share is of registered participants; the
        share of population is it times the registration trend) or
        ``population`` (without a registration trend).
    registration : TrendResults or None
        The registration trend the shares of population are made with.
    gaps : dict of str to float
        Each place's registration above the nation's (pp) at the end of the
        active figures, by the registration trend: a covariate of the
        province offsets (places that register more also have more of their
        participants active); 0 for the nation and on the population scale.
    pooled : dict
        ``beta`` (common intercept at 2020-01-01 and slope per year, logit),
        ``cov_beta``, ``sigma2``, ``tau2``, ``q``, ``t0``, ``converged``,
        ``notes``.
    """

    places: dict[str, ActivePlace]
    panel: pd.DataFrame
    converted: pd.DataFrame
    method: str
    unclear: str
    pooled: dict = field(default_factory=dict)
    measure: str = "active"
    ceiling: float = 100.0
    scale: str = "population"
    registration: object = None
    gaps: dict = field(default_factory=dict)

    # -- helpers --------------------------------------------------------------------------
    def place(self, province: str) -> ActivePlace:
        """Return what the model knows of one place (official name or alias)."""
        name = normalise_province(province)
        if name not in self.places:
            raise PerjakaError(f"{name} is not among the fitted places")
        return self.places[name]

    @property
    def data_end(self) -> pd.Timestamp:
        """Date of the latest figure in the panel."""
        return pd.Timestamp(self.panel["date"].max())

    def _national_at(self, t: float) -> float:
        """The national figure (logit) at or before t (the first one when none is)."""
        nat = self.places.get(NATIONAL)
        if nat is None or nat.n_points == 0:
            rows = self.panel[self.panel["province"] == NATIONAL]
            if rows.empty:
                return float(_design(np.array([t]))[0] @ self.pooled["beta"])  # gap 0: nation
            nat_t, nat_y = rows["t"].to_numpy(), rows["z"].to_numpy()
        else:
            nat_t, nat_y = nat.t, nat.y
        before = np.flatnonzero(nat_t <= t + 1e-9)
        return float(nat_y[before[-1]] if len(before) else nat_y[0])

    def _moments(self, place: ActivePlace, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean vector and covariance matrix of the latent logit share at times t.

        Conditioned on the place's figures, then on its status reports (each
        a censored observation: the share was at or above a bound on that
        date), by matching the moments of the truncated normal one report
        after the other.
        """
        if self.method != "pooled":
            return self._baseline_moments(place, t)
        k = len(place.report_t)
        if k == 0:
            return self._figure_moments(place, t)
        mean, cov = self._figure_moments(place, np.concatenate([place.report_t, t]))
        for j in range(k):
            mean, cov = _truncate_above(mean, cov, j, float(place.report_c[j]))
        return mean[k:], cov[k:, k:]

    def _figure_moments(self, place: ActivePlace, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = self.pooled
        tau2 = 0.0 if place.province == NATIONAL else p["tau2"]
        x = _design(t, self._gap(place.province, t))
        k_tt = _place_cov(t, tau2, p["q"], p["t0"]) + x @ p["cov_beta"] @ x.T
        mean = x @ p["beta"]
        if place.n_points == 0:
            return mean, k_tt
        xo = _design(place.t, self._gap(place.province, place.t))
        w = self._weights(place)
        k_oo = (
            _place_cov(place.t, tau2, p["q"], p["t0"])
            + xo @ p["cov_beta"] @ xo.T
            + np.diag((p["sigma2"] + place.v) / w)
        )
        k_to = tau2 + p["q"] * _brownian(t, place.t, p["t0"]) + x @ p["cov_beta"] @ xo.T
        gain = np.linalg.solve(k_oo, k_to.T).T
        mean = mean + gain @ (place.y - xo @ p["beta"])
        cov = k_tt - gain @ k_to.T
        return mean, (cov + cov.T) / 2

    def _gap(self, province: str, t: np.ndarray) -> np.ndarray:
        """The place's registration covariate at times t (constant: see :attr:`gaps`)."""
        return np.full(len(t), float(self.gaps.get(province, 0.0)))

    def _weights(self, place: ActivePlace) -> np.ndarray:
        """Student-t weights of the place's figures (1 = as noisy as any figure)."""
        w = self.pooled.get("weights")
        if w is None or place.n_points == 0:
            return np.ones(place.n_points)
        idx = np.flatnonzero(self.panel["province"].to_numpy() == place.province)
        return np.asarray(w)[idx] if len(idx) == place.n_points else np.ones(place.n_points)

    def _registration(
        self, province: str, dates: pd.DatetimeIndex
    ) -> tuple[np.ndarray, np.ndarray]:
        """Registration trend (mean, sd) at dates; 100 and 0 on the population scale."""
        if self.scale != "participants" or self.registration is None:
            return np.full(len(dates), 100.0), np.zeros(len(dates))
        try:
            pred = self.registration.predict(province, dates, levels=(80,), observation=False)
        except PerjakaError:
            return np.full(len(dates), 100.0), np.zeros(len(dates))
        sd = (pred["upper"].to_numpy(float) - pred["lower"].to_numpy(float)) / (2 * _Z80)
        return pred["mean"].to_numpy(float), sd

    def _baseline_moments(self, place: ActivePlace, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = self.pooled
        nat = self.places.get(NATIONAL)
        if place.n_points:
            t_last, z_last = float(place.t[-1]), float(place.y[-1])
        else:
            t_last = float(nat.t[-1]) if nat is not None and nat.n_points else p["t0"]
            z_last = self._national_at(self.data_end_t)
        level = z_last
        if self.method == "national_ratio" and place.n_points and place.province != NATIONAL:
            ratio = _expit(np.array(z_last)) / _expit(np.array(self._national_at(t_last)))
            latest_nat = _expit(np.array(self._national_at(self.data_end_t)))
            level = float(_logit(np.clip(ratio * latest_nat, 0.005, 0.995)))
        h = np.clip(t - t_last, 0.0, None)
        extra = 0.0 if place.n_points else p["tau2"]
        cov = p["sigma2"] + extra + p["q"] * np.minimum.outer(h, h)
        return np.full(len(t), level), cov

    @property
    def data_end_t(self) -> float:
        return float(self.panel["t"].max())

    # -- the registration contract -------------------------------------------------------------
    def predict(
        self,
        province: str,
        dates: Sequence | pd.DatetimeIndex,
        *,
        levels: Sequence[int] = (80, 95),
        observation: bool = True,
    ) -> pd.DataFrame:
        """Predictive distribution of the active share of population at given dates.

        Parameters
        ----------
        province : str
            Official name or alias.
        dates : sequence of dates
        levels : sequence of int
            Central interval levels in percent.
        observation : bool
            Intervals for a new published figure (True) or for the latent
            share (False).

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` (percent), one row
            per date and level; ``mean`` is the mean of the back-transformed
            normal (probit approximation), interval ends exact quantiles.
        """
        place = self.place(province)
        dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        mu, cov = self._moments(place, _years(dates))
        var = np.clip(np.diag(cov), 1e-12, None) + (self.pooled["sigma2"] if observation else 0.0)
        sd = np.sqrt(var)
        frames = []
        if self.scale == "participants":
            # share of population = share of participants x registration, by common draws
            r_mean, r_sd = self._registration(place.province, dates)
            e1, e2 = _COMMON_DRAWS
            draws = np.minimum(
                _expit(mu[:, None] + sd[:, None] * e1[None, :])
                * (r_mean[:, None] + r_sd[:, None] * e2[None, :]),
                100.0,
            )
            mean = draws.mean(axis=1)
            bounds = {
                level: np.quantile(draws, [0.5 - level / 200, 0.5 + level / 200], axis=1)
                for level in levels
            }
        else:
            mean = 100 * _expit(mu / np.sqrt(1 + np.pi * var / 8))
            bounds = {}
            for level in levels:
                zq = stats.norm.ppf(0.5 + level / 200)
                bounds[level] = (100 * _expit(mu - zq * sd), 100 * _expit(mu + zq * sd))
        for level in levels:
            lower, upper = bounds[level]
            frames.append(
                pd.DataFrame(
                    {
                        "province": place.province,
                        "date": dates,
                        "mean": mean,
                        "lower": np.minimum(lower, mean),
                        "upper": np.maximum(upper, mean),
                        "level": int(level),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def forecast(
        self,
        until: str | pd.Timestamp,
        *,
        levels: Sequence[int] = (80, 95),
        freq: str = "QE",
        provinces: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Forecast every place from its last figure (or the panel's end) until a date.

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level, basis`` (percent of
            population); intervals for a newly published figure.

        Raises
        ------
        PerjakaError
            If ``until`` is not after the latest figure.
        """
        names = [self.place(p).province for p in provinces] if provinces else list(self.places)
        return forecast_places(
            self.predict, self.places, names, until, self.data_end, levels=levels, freq=freq
        )

    def simulate(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Simulate latent active-share paths from the last figure until a date.

        Paths are drawn from the joint Gaussian of the latent share at every
        date (given the place's figures), so they carry the uncertainty of the
        common trend, of the province's offset and the random walk; the noise
        of single figures is left out.

        Returns
        -------
        dates : DatetimeIndex
        paths : ndarray, shape (n_paths, len(dates))
            Active share of population in percent.
        """
        dates, share = self.simulate_share(province, until, n_paths=n_paths, seed=seed, freq=freq)
        if self.scale != "participants" or self.registration is None:
            return dates, share
        place = self.place(province)
        d_r, reg = self.registration.simulate(
            place.province, until, n_paths=n_paths, seed=seed, freq=freq
        )
        idx = np.clip(np.searchsorted(d_r.values, dates.values, side="right") - 1, 0, None)
        return dates, np.minimum(share * reg[:, idx] / 100, 100.0)

    def simulate_share(
        self,
        province: str,
        until: str | pd.Timestamp,
        *,
        n_paths: int = 2000,
        seed: int = 0,
        freq: str = "MS",
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Simulate paths of the modelled latent share (see :attr:`scale`).

        With ``scale == "participants"`` these are shares of registered
        participants: times a registration path they give the share of
        population (:func:`perjaka_analysis.uhc.draw_joint_paths` pairs them
        with the registration paths it draws).

        Returns
        -------
        dates : DatetimeIndex
        paths : ndarray, shape (n_paths, len(dates))
            Percent.
        """
        place = self.place(province)
        start = place.last_date or self.data_end
        dates = pd.date_range(start, pd.Timestamp(until), freq=freq)
        dates = dates[dates >= start]
        if len(dates) == 0 or dates[0] != start:
            dates = pd.DatetimeIndex([start]).append(dates)
        mu, cov = self._moments(place, _years(dates))
        rng = np.random.default_rng(_seed(seed, place.province))
        z = mu + rng.standard_normal((n_paths, len(dates))) @ _chol(cov).T
        return dates, 100 * _expit(z)

    def nowcast(
        self, as_of: str | pd.Timestamp | None = None, *, levels: Sequence[int] = (80,)
    ) -> pd.DataFrame:
        """The active share of every place on a date, next to its latest figure.

        Parameters
        ----------
        as_of : date, optional
            Default: the latest figure of the panel.
        levels : sequence of int

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean, lower, upper, level`` (latent share,
            percent) plus ``basis, n_points, last_date, last_pct,
            age_years`` (age of the latest figure on ``as_of``).
        """
        as_of = pd.Timestamp(as_of) if as_of is not None else self.data_end
        frames = []
        for name, place in self.places.items():
            frame = self.predict(name, [as_of], levels=levels, observation=False)
            frame["basis"] = place.basis
            frame["n_points"] = place.n_points
            frame["last_date"] = place.last_date
            frame["last_pct"] = place.last_pct
            frame["age_years"] = (
                (as_of - place.last_date).days / _DAYS_PER_YEAR if place.last_date else np.nan
            )
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def history(self, province: str) -> pd.DataFrame:
        """The fitted latent share from the first figure of the panel to the place's last.

        Returns
        -------
        pandas.DataFrame
            ``province, date, mean`` (percent), quarterly.
        """
        place = self.place(province)
        end = place.last_date or self.data_end
        dates = pd.date_range(pd.Timestamp(self.panel["date"].min()), end, freq="QE")
        if len(dates) == 0:
            return pd.DataFrame(columns=["province", "date", "mean"])
        frame = self.predict(place.province, dates, levels=(80,), observation=False)
        return frame[["province", "date", "mean"]]

    def summary(self) -> pd.DataFrame:
        """One row per place: figures behind it, level now and yearly change.

        Returns
        -------
        pandas.DataFrame
            ``province, basis, n_points, last_date, last_pct, level_pct``
            (latent share at the latest panel date), ``change_pp_per_year``
            and ``method``; the pooled estimates in ``.attrs["pooled"]``.
        """
        end = self.data_end
        rows = []
        for name, place in self.places.items():
            now = self.predict(name, [end - pd.DateOffset(years=1), end], levels=(80,))
            rows.append(
                {
                    "province": name,
                    "basis": place.basis,
                    "n_points": place.n_points,
                    "last_date": place.last_date,
                    "last_pct": place.last_pct,
                    "level_pct": float(now["mean"].iloc[1]),
                    "change_pp_per_year": float(now["mean"].iloc[1] - now["mean"].iloc[0]),
                    "method": self.method,
                }
            )
        out = pd.DataFrame(rows)
        out.attrs["pooled"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.pooled.items()
        }
        return out

    def __repr__(self) -> str:
        p = self.pooled
        n_own = sum(pl.n_points > 0 for pl in self.places.values())
        return (
            f"ActiveResults(method={self.method!r}, unclear={self.unclear!r}, "
            f"places={len(self.places)}, with figures={n_own}, figures={len(self.panel)}, "
            f"scale={self.scale!r}, drift={p['beta'][1]:.3f} logit/yr, response from 2024="
            f"{p['beta'][2]:+.3f} logit/yr, per registration pp={p['beta'][3]:.3f}, "
            f"obs sd={math.sqrt(p['sigma2']):.3f}, "
            f"province sd={math.sqrt(p['tau2']):.3f}, random walk sd/yr={math.sqrt(p['q']):.3f}, "
            f"converged={p['converged']})"
        )

    def plot(
        self,
        province: str,
        *,
        until: str | pd.Timestamp | None = None,
        targets: Sequence[float] = (80.0,),
        ax=None,
    ):
        """Fan chart of the active share: figures, fitted share, 80%/95% bands, target lines.

        Returns
        -------
        matplotlib.axes.Axes
        """
        place = self.place(province)
        until = pd.Timestamp(until) if until is not None else self.data_end + pd.DateOffset(years=3)
        obs = self.panel[self.panel["province"] == place.province].assign(territory=place.province)
        ax = plot_fan(
            place.province,
            observed=obs,
            history=self.history(place.province),
            forecast=self.forecast(until, provinces=[place.province]),
            targets=targets,
            basis=place.basis if place.basis != "own data" else "",
            ax=ax,
        )
        ax.set_ylabel("active share of population (%)")
        return ax


def default_active_origins(panel: pd.DataFrame) -> pd.DatetimeIndex:
    """Quarterly origins from the first quarter with figures of three places before it
    to the quarter before the latest figure."""
    dates = pd.DatetimeIndex(panel["date"]).sort_values()
    starts = pd.date_range(dates.min(), dates.max(), freq="QS")
    ok = [o for o in starts if panel.loc[panel["date"] < o, "province"].nunique() >= 3]
    return pd.DatetimeIndex([o for o in ok if o < dates.max()])


def backtest_active(
    converted: pd.DataFrame,
    *,
    methods: Sequence[str] = ACTIVE_METHODS,
    origins: Sequence | None = None,
    horizon_years: float = 2.0,
):
    """Rolling-origin backtest of the active-share model and its baselines.

    At every origin each method is fitted on the figures dated before it and
    predicts the province and national figures published after it (within
    ``horizon_years``). The basis conversion is done once, beforehand, with
    the registration trend of all figures (the denominator, not the active
    share, is then known a little better than at the origin).

    Parameters
    ----------
    converted : pandas.DataFrame
        :func:`convert_active_shares` output.
    methods : sequence of str
        Methods to compare (default ``pooled``, ``last``, ``national_ratio``).
    origins : sequence of dates, optional
        Default :func:`default_active_origins`.
    horizon_years : float

    Returns
    -------
    perjaka_analysis.backtest.BacktestResults
        ``table()`` gives MAE (pp), the 90th percentile of the absolute
        error and the share of held-out figures inside the 80% and 95%
        intervals, by method and horizon.
    """
    panel = prepare_active_panel(converted)
    origins = pd.DatetimeIndex(origins) if origins is not None else default_active_origins(panel)
    frames = []
    for origin in origins:
        train = converted[pd.to_datetime(converted["date"]) < origin]
        held = panel[
            (panel["date"] >= origin)
            & (panel["date"] < origin + pd.DateOffset(days=round(365.25 * horizon_years)))
        ]
        train_panel = prepare_active_panel(train)
        if held.empty or train_panel["date"].nunique() < 2:
            continue
        earlier = set(train_panel["province"])
        for method in methods:
            res = ActiveShareModel(
                train, method=method, provinces=sorted(held["province"].unique())
            ).fit()
            for province, rows in held.groupby("province", sort=True):
                frames.append(
                    held_out_predictions(
                        res,
                        method,
                        province,
                        rows,
                        origin,
                        res.places[province].basis,
                        province in earlier,
                    )
                )
    return backtest_results(frames)
