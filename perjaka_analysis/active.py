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
:class:`ActiveShareModel` describes the active share of population of every
place on the logit scale, ``z = logit(active / 100)``::

    z_i(t) = a + b t + u_i + w_i(t) + e

``a + b t`` is the common trend, anchored to the national series (the
national figures have ``u = 0``); ``u_i ~ N(0, tau2)`` is a province's offset
from it; ``w_i`` a random walk (variance ``q`` per year) from the first
figure of the panel on; ``e`` the noise of one published figure (``sigma2``,
plus the known variance of a converted share). The variances are estimated
by restricted maximum likelihood over all places at once, with weak
log-normal priors (active figures are few: a dozen provinces, 2022–2024), and
every prediction conditions on the place's own figures. A province with one
figure keeps its level and borrows the slope and the spread; a province
without any is the common trend with the full spread of ``u`` — the
``basis`` column says which.

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
        (the two readings, for every row). Rows dropped by
        ``unclear="drop"`` are left out.
    """
    out = shares.copy()
    n = len(out)
    reg = out["registration_pct"].to_numpy(float).copy()
    sd = np.zeros(n)
    source = np.where(np.isnan(reg), "", "same figure").astype(object)
    needs = (out["active_basis"] != "of_population").to_numpy() | (unclear == "participants")
    model_rows = np.flatnonzero(np.isnan(reg) & needs)
    if len(model_rows) and registration is None:
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
        source[i] = "registration trend"
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
    """

    province: str
    basis: str
    n_points: int
    t: np.ndarray
    y: np.ndarray
    v: np.ndarray
    last_date: pd.Timestamp | None = None
    last_pct: float | None = None


def prepare_active_panel(converted: pd.DataFrame) -> pd.DataFrame:
    """Province-level shares of population on the model scale.

    Parameters
    ----------
    converted : pandas.DataFrame
        :func:`convert_active_shares` output.

    Returns
    -------
    pandas.DataFrame
        ``province, date, t, pct, sd, z, v`` (logit share and the variance
        of the conversion on that scale), sorted by province and date;
        district figures and unconverted rows are left out.
    """
    rows = converted[converted["district"].isna() & converted["active_pop_pct"].notna()]
    p = (rows["active_pop_pct"].to_numpy(float) / 100).clip(0.005, 0.995)
    sd = rows["active_pop_sd"].to_numpy(float)
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
    """Cholesky factor of a covariance matrix, with the smallest jitter that works."""
    scale = float(np.mean(np.diag(cov))) or 1.0
    for jitter in (1e-10, 1e-8, 1e-6, 1e-4):
        try:
            return np.linalg.cholesky(cov + np.eye(len(cov)) * jitter * scale)
        except np.linalg.LinAlgError:
            continue
    raise PerjakaError("the covariance of the simulated paths is not positive definite")


def _place_cov(t: np.ndarray, tau2: float, q: float, t0: float) -> np.ndarray:
    return tau2 + q * _brownian(t, t, t0)


def _fit_pooled(panel: pd.DataFrame) -> dict:
    """REML (with weak priors) of the common trend and the variance components."""
    from scipy.optimize import minimize

    t0 = float(panel["t"].min())
    groups = [
        (g, panel["t"].to_numpy()[idx], panel["z"].to_numpy()[idx], panel["v"].to_numpy()[idx])
        for g, idx in panel.groupby("province", sort=True).indices.items()
    ]
    n = len(panel)
    if panel["date"].nunique() < 2:
        raise PerjakaError(
            f"need active shares on at least two dates to estimate a trend; all {n} are dated "
            f"{pd.Timestamp(panel['date'].iloc[0]):%Y-%m-%d}"
        )

    def pieces(theta: np.ndarray):
        s2, tau2, q = np.exp(2 * theta)
        xtx = np.zeros((2, 2))
        xty = np.zeros(2)
        logdet = 0.0
        cache = []
        for g, t, z, v in groups:
            x = np.column_stack([np.ones_like(t), t])
            c = _place_cov(t, 0.0 if g == NATIONAL else tau2, q, t0) + np.diag(s2 + v)
            chol = np.linalg.cholesky(c)
            logdet += 2 * np.log(np.diag(chol)).sum()
            ci_x = np.linalg.solve(c, x)
            ci_z = np.linalg.solve(c, z)
            xtx += x.T @ ci_x
            xty += x.T @ ci_z
            cache.append((x, z, c))
        return xtx, xty, logdet, cache

    def objective(theta: np.ndarray) -> float:
        try:
            xtx, xty, logdet, cache = pieces(theta)
            beta = np.linalg.solve(xtx, xty)
        except np.linalg.LinAlgError:
            return 1e10
        quad = sum(float((z - x @ beta) @ np.linalg.solve(c, z - x @ beta)) for x, z, c in cache)
        reml = 0.5 * (logdet + quad + np.linalg.slogdet(xtx)[1])
        prior = 0.5 * sum(
            (theta[i] - math.log(PRIOR_SD[k])) ** 2 for i, k in enumerate(("sigma", "tau", "walk"))
        )
        return reml + prior

    start = np.log([PRIOR_SD["sigma"], PRIOR_SD["tau"], PRIOR_SD["walk"]])
    opt = minimize(objective, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7})
    xtx, xty, _, _ = pieces(opt.x)
    cov_beta = np.linalg.inv(xtx)
    s2, tau2, q = (float(v) for v in np.exp(2 * opt.x))
    return {
        "beta": cov_beta @ xty,
        "cov_beta": cov_beta,
        "sigma2": s2,
        "tau2": tau2,
        "q": q,
        "t0": t0,
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
        panel = prepare_active_panel(converted)
        if panel.empty:
            raise PerjakaError("no province-level active share to model")
        pooled = _fit_pooled(panel)
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
            fitted[name] = ActivePlace(
                province=name,
                basis=basis,
                n_points=n,
                t=rows["t"].to_numpy(float),
                y=rows["z"].to_numpy(float),
                v=rows["v"].to_numpy(float),
                last_date=pd.Timestamp(last["date"]) if last is not None else None,
                last_pct=float(last["pct"]) if last is not None else None,
            )
        return ActiveResults(
            places=fitted,
            panel=panel,
            converted=converted,
            method=self.method,
            unclear=self.unclear if "active_pop_pct" not in self.shares else "as given",
            pooled=pooled,
        )


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
                return float(self.pooled["beta"] @ [1.0, t])
            nat_t, nat_y = rows["t"].to_numpy(), rows["z"].to_numpy()
        else:
            nat_t, nat_y = nat.t, nat.y
        before = np.flatnonzero(nat_t <= t + 1e-9)
        return float(nat_y[before[-1]] if len(before) else nat_y[0])

    def _moments(self, place: ActivePlace, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean vector and covariance matrix of the latent logit share at times t."""
        p = self.pooled
        if self.method != "pooled":
            return self._baseline_moments(place, t)
        tau2 = 0.0 if place.province == NATIONAL else p["tau2"]
        x = np.column_stack([np.ones_like(t), t])
        k_tt = _place_cov(t, tau2, p["q"], p["t0"]) + x @ p["cov_beta"] @ x.T
        mean = x @ p["beta"]
        if place.n_points == 0:
            return mean, k_tt
        xo = np.column_stack([np.ones_like(place.t), place.t])
        k_oo = (
            _place_cov(place.t, tau2, p["q"], p["t0"])
            + xo @ p["cov_beta"] @ xo.T
            + np.diag(p["sigma2"] + place.v)
        )
        k_to = tau2 + p["q"] * _brownian(t, place.t, p["t0"]) + x @ p["cov_beta"] @ xo.T
        gain = np.linalg.solve(k_oo, k_to.T).T
        mean = mean + gain @ (place.y - xo @ p["beta"])
        cov = k_tt - gain @ k_to.T
        return mean, (cov + cov.T) / 2

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
        mean = 100 * _expit(mu / np.sqrt(1 + np.pi * var / 8))
        frames = []
        for level in levels:
            zq = stats.norm.ppf(0.5 + level / 200)
            frames.append(
                pd.DataFrame(
                    {
                        "province": place.province,
                        "date": dates,
                        "mean": mean,
                        "lower": 100 * _expit(mu - zq * sd),
                        "upper": 100 * _expit(mu + zq * sd),
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
            f"common slope={p['beta'][1]:.3f} logit/yr, obs sd={math.sqrt(p['sigma2']):.3f}, "
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
