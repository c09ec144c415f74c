"""A synthetic employer registry that follows the registry contract.

Real employer registries are confidential, so the workbench ships and
generates **synthetic** ones. Every row is invented; only aggregate shapes are
calibrated to public figures (``data/raw/``; see ``data/README.md``,
*Synthetic employer registry*):

- employers per province in proportion to the BPS 2024 population;
- mean reported workforce about 30 per employer (Jawa Tengah 2023: 1.6 million
  PPU BU workers in 46,895 registered employers = 34; Kendari branch 2022: 40);
- 7.8% of employers in arrears (Jawa Tengah, May 2023: 3,672 of 46,895);
- wages around the provincial minimum wage (``ump.csv``, latest year);
- a population noncompliance rate near 15%, while inspections that pick
  suspicious employers find far more (Kabupaten Sumbawa 2025: 307 of 422;
  Banten 2021: 480 found);
- contributions of 5% of the wage, capped at a wage of Rp 12 million
  (Perpres 64/2020).

The data-generating process: features are drawn first (size, sector,
registration share, wage, family, arrears, late payments, deactivations, age
of registration); the true probability of noncompliance is a logistic
function of them (:func:`true_risk`); the outcome is a Bernoulli draw from it.
Only inspected rows carry a label: a random share, or (``selective=True``) a
share picked with a preference for visibly suspicious employers, as real
inspections are. The true probability and the true outcome of every row are
returned in the extra columns ``true_risk`` and ``true_noncompliant`` (never
features: the contract keeps extra columns out of the model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..datasets import load_provinces, raw_path
from ..kabkota import load_kabupaten_kota
from ..provinces import normalise_province

__all__ = [
    "SYNTHETIC_NOTE",
    "SyntheticRegistry",
    "generate_independent_registry",
    "generate_registry",
    "true_risk",
    "ump_table",
]

SYNTHETIC_NOTE = (
    "SYNTHETIC employer registry (perjaka employers synth): invented rows calibrated to "
    "public aggregate figures; not real employers."
)

CONTRIBUTION_RATE = 0.05
WAGE_CAP_IDR = 12_000_000
AS_OF = pd.Timestamp("2025-06-30")

# KBLI 2020 sections: a plausible mix of formal private employers.
SECTOR_WEIGHTS = {
    "A": 0.06, "B": 0.012, "C": 0.19, "D": 0.004, "E": 0.006, "F": 0.08, "G": 0.24,
    "H": 0.06, "I": 0.08, "J": 0.025, "K": 0.03, "L": 0.015, "M": 0.04, "N": 0.05,
    "O": 0.003, "P": 0.03, "Q": 0.03, "R": 0.01, "S": 0.03, "T": 0.004, "U": 0.001,
}  # fmt: skip
# Sector effects on the log-odds of noncompliance (construction, trade, food and
# agriculture higher; finance, public-facing health and education lower).
SECTOR_EFFECT = {
    "A": 0.35, "B": 0.1, "C": 0.1, "F": 0.45, "G": 0.2, "H": 0.15, "I": 0.4,
    "K": -0.6, "O": -0.5, "P": -0.3, "Q": -0.3, "J": -0.2, "M": -0.1,
}  # fmt: skip

# Coefficients of the true log-odds (see true_risk).
COEF = {
    "intercept": -4.6,
    "gap_share": 4.0,
    "below_ump": 1.6,
    "log_wage_ratio": -0.8,
    "arrears": 1.1,
    "late": 3.0,
    "deactivation": 3.5,
    "few_family": 1.2,
    "log_workers": 0.15,
    "young": 0.5,
}


@dataclass(frozen=True)
class SyntheticRegistry:
    """A generated registry.

    Attributes
    ----------
    frame : pandas.DataFrame
        Contract columns plus ``true_risk`` and ``true_noncompliant``.
    seed : int
    selective : bool
        Whether labels were given preferentially to suspicious employers.
    """

    frame: pd.DataFrame
    seed: int
    selective: bool

    @property
    def true_probability(self) -> pd.Series:
        """True probability of noncompliance of every row."""
        return self.frame["true_risk"]


def ump_table() -> pd.Series:
    """Latest provincial minimum wage (Rp per month) per province, from ``ump.csv``."""
    ump = pd.read_csv(raw_path("ump.csv"))
    ump["province"] = ump["province"].map(normalise_province)
    latest = ump.sort_values("year").groupby("province").tail(1)
    return latest.set_index("province")["ump_idr"].astype(float)


def true_risk(
    *,
    workers_reported: np.ndarray,
    workers_registered: np.ndarray,
    wage_ratio: np.ndarray,
    months_in_arrears: np.ndarray,
    late_payments_12m: np.ndarray,
    deactivations_12m: np.ndarray,
    dependants_per_worker: np.ndarray,
    firm_age_years: np.ndarray,
    sector_effect: np.ndarray,
    province_effect: np.ndarray,
) -> np.ndarray:
    """The true probability of noncompliance given an employer's features.

    Missing wage, family or age (NaN) contribute nothing. Returns values in (0, 1).
    """
    reported = np.maximum(workers_reported, 1)
    gap_share = np.clip((workers_reported - workers_registered) / reported, 0, 1)
    ratio = np.where(np.isnan(wage_ratio), 1.2, wage_ratio)
    deps = np.where(np.isnan(dependants_per_worker), 1.3, dependants_per_worker)
    age = np.where(np.isnan(firm_age_years), 6.0, firm_age_years)
    registered = np.maximum(workers_registered, 1)
    eta = (
        COEF["intercept"]
        + COEF["gap_share"] * gap_share
        + COEF["below_ump"] * (ratio < 1.0)
        + COEF["log_wage_ratio"] * np.log(np.clip(ratio, 0.3, 5))
        + COEF["arrears"] * np.log1p(months_in_arrears)
        + COEF["late"] * late_payments_12m / 12
        + COEF["deactivation"] * np.clip(deactivations_12m / registered, 0, 1)
        + COEF["few_family"] * (deps < 0.5)
        + COEF["log_workers"] * np.log1p(workers_reported)
        + COEF["young"] * (age < 2)
        + sector_effect
        + province_effect
    )
    return 1.0 / (1.0 + np.exp(-eta))


def draw_districts(
    provinces: np.ndarray, kabkota: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """The kab/kota of each employer: one of its province's, in proportion to population.

    Parameters
    ----------
    provinces : numpy.ndarray
        Official province name of each employer.
    kabkota : pandas.DataFrame
        :func:`perjaka_analysis.kabkota.read_kabupaten_kota` (``province``,
        ``name``, ``population``).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        Official kab/kota names. A province with no kab/kota in the table
        raises.

    Examples
    --------
    >>> k = pd.DataFrame({"province": ["Banten", "Banten", "Bali"],
    ...     "name": ["Kota A", "Kabupaten B", "Kota C"], "population": [3, 1, 5]})
    >>> out = draw_districts(np.array(["Banten"] * 4000 + ["Bali"]), k, np.random.default_rng(0))
    >>> bool(abs((out[:4000] == "Kota A").mean() - 0.75) < 0.03), str(out[-1])
    (True, 'Kota C')
    """
    out = np.empty(len(provinces), dtype=object)
    names = pd.Series(provinces)
    for province, index in names.groupby(names, sort=True).groups.items():
        rows = kabkota[kabkota["province"] == province]
        weight = pd.to_numeric(rows["population"], errors="coerce").fillna(0).to_numpy(float)
        if rows.empty or weight.sum() <= 0:
            raise ValueError(f"no kabupaten/kota with a population for {province}")
        out[np.asarray(index)] = rng.choice(
            rows["name"].to_numpy(str), size=len(index), p=weight / weight.sum()
        )
    return out.astype(str)


def generate_registry(
    n: int,
    *,
    seed: int = 0,
    province: str | None = None,
    label_share: float = 0.08,
    selective: bool = False,
) -> SyntheticRegistry:
    """Generate a synthetic employer registry that follows the registry contract.

    Parameters
    ----------
    n : int
        Number of employers.
    seed : int
        Same seed, same registry.
    province : str, optional
        Generate employers of this province only (name, alias or code).
    label_share : float
        Share of rows with an inspection label (0 < share <= 1).
    selective : bool
        Give labels preferentially to visibly suspicious employers (arrears,
        registration gaps, late payments), as real inspections do.

    Returns
    -------
    SyntheticRegistry

    Examples
    --------
    >>> reg = generate_registry(1000, seed=1)
    >>> len(reg.frame), reg.frame["employer_id"].is_unique
    (1000, True)
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 < label_share <= 1:
        raise ValueError("label_share must be in (0, 1]")
    rng = np.random.default_rng(seed)
    provinces = load_provinces()
    pop = provinces.set_index("province")["population"].astype(float)
    known = pop.dropna()
    pop = pop.fillna(
        float(known[provinces.set_index("province")["island_group"] == "Papua"].median())
    )  # a fallback: load_provinces fills the Papua provinces from their kab/kota
    if province is not None:
        names = np.array([normalise_province(province, allow_national=False)])
        weights = np.array([1.0])
    else:
        names = pop.index.to_numpy()
        weights = (pop / pop.sum()).to_numpy()
    prov = rng.choice(names, size=n, p=weights)
    # province effects: a fixed, seed-independent pattern (deterministic per name)
    prov_effect_map = {p: 0.25 * np.sin(hash_name(p)) for p in pop.index}
    province_effect = np.array([prov_effect_map[p] for p in prov])

    district = draw_districts(prov, load_kabupaten_kota(), rng)

    sectors = np.array(list(SECTOR_WEIGHTS))
    sw = np.array(list(SECTOR_WEIGHTS.values()))
    sector = rng.choice(sectors, size=n, p=sw / sw.sum())
    sector_effect = np.array([SECTOR_EFFECT.get(s, 0.0) for s in sector])

    reported = np.minimum(np.round(np.exp(rng.normal(2.3, 1.45, n))).astype(int), 20000)
    reported = np.maximum(reported, 1)
    # registration: most register everyone; some part of the workforce; a few more
    full = rng.random(n) < 0.62
    share = np.where(full, 1.0, rng.beta(4.0, 1.6, n))
    registered = np.round(reported * share).astype(int)
    stale = rng.random(n) < 0.05  # labour report older than the registrations
    registered = np.where(stale, reported + rng.poisson(2, n), registered)

    ump = ump_table().reindex(prov).to_numpy()
    ump = np.where(np.isnan(ump), np.nanmedian(ump), ump)
    wage_ratio = np.exp(rng.normal(0.18, 0.3, n))
    pds_wage = rng.random(n) < 0.09  # wage reported below the minimum
    wage_ratio = np.where(pds_wage, rng.uniform(0.55, 0.98, n), wage_ratio)
    wage = np.round(ump * wage_ratio, -3)

    family = rng.gamma(3.0, 1.3 / 3.0, n)
    few_family = rng.random(n) < 0.14  # family members not reported
    family = np.where(few_family, rng.uniform(0, 0.45, n), family)
    dependants = np.round(family * registered).astype(int)

    in_arrears = rng.random(n) < 0.078
    months = np.where(in_arrears, rng.geometric(0.28, n), 0)
    base_wage = np.clip(wage, ump, WAGE_CAP_IDR)
    arrears = np.round(months * registered * base_wage * CONTRIBUTION_RATE, -3)
    late_p = rng.beta(0.6, 7.0, n) + 0.25 * in_arrears
    late = rng.binomial(12, np.clip(late_p, 0, 1))
    deact = rng.poisson(np.maximum(registered, 1) * rng.gamma(0.6, 0.05, n))
    age = np.minimum(rng.exponential(5.5, n), (AS_OF - pd.Timestamp("2014-01-01")).days / 365.25)
    since = (AS_OF - pd.to_timedelta(np.round(age * 365.25), unit="D")).strftime("%Y-%m-%d")

    risk = true_risk(
        workers_reported=reported,
        workers_registered=registered,
        wage_ratio=wage_ratio,
        months_in_arrears=months,
        late_payments_12m=late,
        deactivations_12m=deact,
        dependants_per_worker=dependants / np.maximum(registered, 1),
        firm_age_years=age,
        sector_effect=sector_effect,
        province_effect=province_effect,
    )
    outcome = (rng.random(n) < risk).astype(int)

    if selective:
        gap = np.clip((reported - registered) / reported, 0, 1)
        suspicion = 1.5 * (months > 0) + 2.0 * gap + 0.15 * late
        weight = np.exp(suspicion)
        p_inspect = np.minimum(1.0, label_share * n * weight / weight.sum())
    else:
        p_inspect = np.full(n, label_share)
    inspected = rng.random(n) < p_inspect

    frame = pd.DataFrame(
        {
            "employer_id": [f"SYN-{seed:03d}-{i:07d}" for i in range(n)],
            "province": prov,
            "district": district,
            "sector": sector,
            "workers_reported": reported,
            "workers_registered": registered,
            "dependants_registered": dependants,
            "wage_reported_idr": wage,
            "months_in_arrears": months,
            "arrears_idr": arrears,
            "late_payments_12m": late,
            "deactivations_12m": deact,
            "registered_since": since,
            "noncompliant": pd.array(np.where(inspected, outcome, 0), dtype="Int8"),
            "true_risk": risk.round(6),
            "true_noncompliant": outcome,
        }
    )
    frame.loc[~inspected, "noncompliant"] = pd.NA
    # optional columns are sometimes empty, as in real registries
    for col, share_missing in (
        ("wage_reported_idr", 0.04),
        ("dependants_registered", 0.03),
        ("registered_since", 0.02),
    ):
        frame.loc[rng.random(n) < share_missing, col] = None
    return SyntheticRegistry(frame=frame, seed=seed, selective=selective)


def hash_name(name: str) -> float:
    """A stable number from a name (for fixed province effects)."""
    import zlib

    return float(zlib.crc32(name.encode("utf-8")) % 10_000)


def generate_independent_registry(
    n: int,
    *,
    seed: int = 0,
    label_share: float = 0.08,
    selective: bool = False,
) -> SyntheticRegistry:
    """A registry from a second, independent data-generating process.

    Used to check the risk model and the lists on data whose structure the
    project's defaults were never tuned on. Everything differs from
    :func:`generate_registry`: province weights (square root of population),
    Pareto firm sizes, three registration patterns (full, a fixed number of
    workers left out, a uniform share), gamma wages, Poisson families; the
    true probability is a **probit** with thresholds and interactions (a
    registration gap matters more in small firms, a low wage only in
    construction, trade and hospitality, arrears by duration bands); targeted
    inspections follow a logistic score of arrears, gap, late payments and
    size. The true probability, outcome and inspection probability are in
    ``true_risk``, ``true_noncompliant`` and ``true_propensity``.

    Parameters
    ----------
    n : int
        Number of employers.
    seed : int
        Same seed, same registry.
    label_share : float
        Mean share of inspected (labelled) rows.
    selective : bool
        Inspect suspicious employers preferentially.

    Returns
    -------
    SyntheticRegistry

    Examples
    --------
    >>> reg = generate_independent_registry(500, seed=1).frame
    >>> bool(reg["employer_id"].is_unique), bool(reg["true_risk"].between(0, 1).all())
    (True, True)
    """
    from scipy.special import expit, ndtr

    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 < label_share <= 1:
        raise ValueError("label_share must be in (0, 1]")
    rng = np.random.default_rng([seed, 0xA17])
    provinces = load_provinces()
    pop = provinces["population"].astype(float).fillna(1.0e6).to_numpy()
    weights = np.sqrt(pop) / np.sqrt(pop).sum()
    prov = rng.choice(provinces["province"].to_numpy(), size=n, p=weights)
    district = np.char.add("Area ", rng.integers(1, 13, n).astype(str))
    sectors = np.array(list(SECTOR_WEIGHTS))
    sector = rng.choice(sectors, size=n)
    hot_sector = np.isin(sector, ["F", "G", "I"])

    reported = np.minimum(1 + np.floor(rng.pareto(1.25, n) * 6), 8000).astype(int)
    kind = rng.choice(3, size=n, p=[0.55, 0.25, 0.20])
    left_out = np.minimum(rng.poisson(3, n) + 1, reported)
    share = rng.uniform(0.2, 0.95, n)
    registered = np.select(
        [kind == 0, kind == 1], [reported, reported - left_out], np.round(reported * share)
    ).astype(int)
    gap_share = (reported - registered) / reported

    ump = ump_table().reindex(prov).to_numpy()
    ump = np.where(np.isnan(ump), np.nanmedian(ump), ump)
    ratio = rng.gamma(9.0, 1.15 / 9.0, n)
    wage = np.round(ump * ratio, -3)
    dependants = rng.poisson(1.1 * registered)
    in_arrears = rng.random(n) < 0.09
    months = np.where(in_arrears, 1 + rng.poisson(2.0, n), 0)
    arrears = np.round(months * registered * np.clip(wage, ump, WAGE_CAP_IDR) * 0.05, -3)
    late = rng.binomial(12, np.clip(rng.beta(1.0, 10.0, n) + 0.3 * in_arrears, 0, 1))
    deact = rng.binomial(np.maximum(registered, 1), 0.03)
    age = rng.uniform(0, 11, n)
    since = (AS_OF - pd.to_timedelta(np.round(age * 365.25), unit="D")).strftime("%Y-%m-%d")

    deps_per = dependants / np.maximum(registered, 1)
    eta = (
        -1.45
        + 1.0 * gap_share
        + 1.4 * gap_share * (reported < 50)
        + 0.45 * ((months >= 1) & (months <= 2))
        + 0.9 * (months >= 3)
        + 0.7 * (ratio < 1.0) * hot_sector
        + 0.5 * (late >= 4)
        + 1.5 * np.clip(deact / np.maximum(registered, 1), 0, 1)
        + 0.4 * (deps_per < 0.4)
        - 0.25 * (age > 8)
    )
    risk = ndtr(eta)
    outcome = (rng.random(n) < risk).astype(int)
    if selective:
        score = -3.0 + 1.2 * (months > 0) + 1.5 * gap_share + 0.1 * late + 0.5 * (reported > 100)
        raw = expit(score)
        p_inspect = np.minimum(1.0, raw * label_share / raw.mean())
    else:
        p_inspect = np.full(n, label_share)
    inspected = rng.random(n) < p_inspect
    frame = pd.DataFrame(
        {
            "employer_id": [f"IND-{seed:03d}-{i:07d}" for i in range(n)],
            "province": prov,
            "district": district,
            "sector": sector,
            "workers_reported": reported,
            "workers_registered": registered,
            "dependants_registered": dependants,
            "wage_reported_idr": wage,
            "months_in_arrears": months,
            "arrears_idr": arrears,
            "late_payments_12m": late,
            "deactivations_12m": deact,
            "registered_since": since,
            "noncompliant": pd.array(np.where(inspected, outcome, 0), dtype="Int8"),
            "true_risk": risk.round(6),
            "true_noncompliant": outcome,
            "true_propensity": p_inspect.round(6),
        }
    )
    frame.loc[~inspected, "noncompliant"] = pd.NA
    return SyntheticRegistry(frame=frame, seed=seed, selective=selective)
