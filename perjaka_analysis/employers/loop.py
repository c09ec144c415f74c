"""The inspection loop simulated on a SYNTHETIC registry: plan, visit, merge, retrain, report.

Each semester:

1. the model is trained on the registry as it stands and the default plan is
   drawn (:func:`~.score.score_registry`: ranked picks and a random reserve);
2. the team's visits are simulated (:func:`simulate_visits`): a share of the
   plan is visited in the first three months of the semester; the finding is
   the employer's true state (``true_noncompliant`` of the generator); a
   noncompliant employer registers each of its unregistered workers with
   probability :data:`RESPONSE` (and their families), pays its arrears with
   probability :data:`PAYS_ARREARS` and is referred to the prosecutors when
   it does neither; every visited employer also hires and lets go as usual
   (registered workers go up and down by chance, and their family members
   with them), so the counts recorded three months after the visit are not
   the effect of the visit alone;
3. the findings are merged into the registry
   (:func:`~.outcomes.merge_outcomes`, with the plan's recorded
   probabilities), each beside the facts it was found with;
4. the semester report's facts are computed (:func:`~.semester.compute_semester`).

What the simulation knows and a team does not (the true probabilities, the
workers each visit really brought in) is returned beside the report, so that
what the loop learns can be checked against the truth.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ..privacy import pseudonymise
from .model import RiskModel
from .outcomes import check_against_plan, merge_outcomes
from .plan import WholeRegistryWarning
from .score import FAMILY_PER_WORKER, score_registry
from .semester import SemesterFacts, compute_semester, parse_period, visit_table

__all__ = [
    "PAYS_ARREARS",
    "RESPONSE",
    "LoopResults",
    "simulate_loop",
    "simulate_visits",
]

#: Probability that a noncompliant employer registers each unregistered worker after a visit.
RESPONSE = 0.6
#: Probability that a noncompliant employer in arrears pays them after a visit.
PAYS_ARREARS = 0.5
#: Share of a plan a team visits in a semester.
VISITED = 0.9
#: Monthly rate of hires and departures among registered workers (each way).
TURNOVER = 0.005
#: Days from the start of the semester within which visits are made (the
#: count three months after the visit is then known when the semester ends).
VISIT_DAYS = 90


def simulate_visits(
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    start: pd.Timestamp,
    rng: np.random.Generator,
    visited_share: float = VISITED,
    response: float = RESPONSE,
    pays_arrears: float = PAYS_ARREARS,
    turnover: float = TURNOVER,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The outcomes file of a team's visits to an identified plan, and what they really did.

    Parameters
    ----------
    registry : pandas.DataFrame
        A SYNTHETIC registry with ``true_noncompliant``.
    plan : pandas.DataFrame
        The listed employers of an identified plan (``employer_id``,
        ``inspection_list``).
    start : pandas.Timestamp
        First day of the semester; visits fall in the next :data:`VISIT_DAYS`
        days.
    rng : numpy.random.Generator
    visited_share, response, pays_arrears, turnover : float
        See the module constants.

    Returns
    -------
    outcomes : pandas.DataFrame
        The outcomes contract's columns, one row per visited employer.
    truth : pandas.DataFrame
        ``employer_id, brought_in, dependants_brought_in, churn,
        dependants_churn`` (workers the visit made the employer register,
        their families, and the net change of workers and of family members
        from ordinary hiring and leaving).
    """
    reg = registry.set_index("employer_id").loc[plan["employer_id"].to_numpy()]
    go = rng.random(len(plan)) < visited_share
    reg, listed = reg[go], plan[go]
    n = len(reg)
    bad = reg["true_noncompliant"].to_numpy(int) == 1
    before = reg["workers_registered"].to_numpy(int)
    gap = np.clip(reg["workers_reported"].to_numpy(int) - before, 0, None)
    brought = np.where(bad, rng.binomial(gap, response), 0)
    families = np.round(brought * FAMILY_PER_WORKER).astype(int)
    moves = rng.poisson(3 * turnover * before)  # three months of hires...
    leaves = rng.binomial(before, min(1.0, 3 * turnover))  # ...and departures
    churn = moves - leaves
    after = np.maximum(before + brought + churn, 0)
    deps = pd.to_numeric(reg["dependants_registered"], errors="coerce").fillna(0).to_numpy(int)
    # family members come and go with the workers, at the employer's own ratio
    per_worker = np.where(before > 0, deps / np.maximum(before, 1), 0.0)
    family_churn = np.round(churn * per_worker).astype(int)
    arrears = pd.to_numeric(reg["arrears_idr"], errors="coerce").fillna(0).to_numpy(float)
    paid = bad & (arrears > 0) & (rng.random(n) < pays_arrears)
    referred = bad & (brought == 0) & ~paid
    days = rng.integers(0, VISIT_DAYS, n)
    outcomes = pd.DataFrame(
        {
            "employer": listed["employer_id"].to_numpy(),
            "inspection_list": listed["inspection_list"].to_numpy(),
            "inspected_on": pd.Timestamp(start) + pd.to_timedelta(days, unit="D"),
            "noncompliant": pd.array(bad.astype(int), dtype="Int8"),
            "workers_registered_after": after,
            "dependants_registered_after": np.maximum(deps + families + family_churn, 0),
            "arrears_recovered_idr": np.where(paid, arrears, 0.0),
            "referred_to_prosecutor": pd.array(referred.astype(int), dtype="Int8"),
        }
    )
    truth = pd.DataFrame(
        {
            "employer_id": listed["employer_id"].to_numpy(),
            "brought_in": brought,
            "dependants_brought_in": families,
            "churn": churn,
            "dependants_churn": family_churn,
        }
    )
    return outcomes, truth


@dataclass(frozen=True)
class LoopResults:
    """Semesters of the simulated loop.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per semester: ``period, planned, visited, ranked_rate,
        ranked_lower, ranked_upper, random_rate, random_lower, random_upper,
        random_mean_risk`` (the model's mean risk of the visited random
        picks), ``calibration_ratio`` (found / expected among them),
        ``auc_uninspected`` (the plan model's risk against the true outcome
        of every uninspected employer), ``bayes_auc_uninspected`` (the true
        probability's), ``workers_reported`` (the report's workers brought
        in) with its 95% interval (``workers_lower``, ``workers_upper``),
        ``workers_truth`` (what the visits really brought in),
        ``workers_error`` (relative difference).
    facts : tuple of SemesterFacts
        The report of each semester.
    registry : pandas.DataFrame
        The registry after the last semester.
    """

    history: pd.DataFrame
    facts: tuple[SemesterFacts, ...]
    registry: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.history._repr_html_()


def simulate_loop(
    registry: pd.DataFrame,
    *,
    periods: tuple[str, ...] = ("2025-S2", "2026-S1", "2026-S2"),
    capacity: int = 40,
    seed: int = 0,
    key: bytes = b"simulation",
    refresh_counts: bool = False,
) -> LoopResults:
    """Run the inspection loop over ``periods`` on a SYNTHETIC registry.

    Parameters
    ----------
    registry : pandas.DataFrame
        From :func:`~.synth.generate_registry` (with ``true_risk`` and
        ``true_noncompliant``); not modified.
    periods : tuple of str
        Semesters in order (:func:`~.semester.parse_period`).
    capacity : int
        Inspections per province per semester.
    seed : int
        Seed of the models, the plans' random reserves and the visits.
    key : bytes
        Pseudonym key of the plans.
    refresh_counts : bool
        Write each visited employer's counts after the visit into the
        registry the next model is trained on. Its finding then sits beside
        facts it was not found with (a noncompliant employer that registered
        its workers looks compliant), and the next model overstates the risk
        of the uninspected employers; the default keeps the facts each
        finding was made with.

    Returns
    -------
    LoopResults

    Examples
    --------
    >>> from perjaka_analysis.employers import generate_registry
    >>> reg = generate_registry(3000, seed=2, selective=True).frame
    >>> loop = simulate_loop(reg, periods=("2025-S2",), capacity=10)
    >>> int(loop.history["visited"].iloc[0]) > 0
    True
    """
    rng = np.random.default_rng(seed)
    reg = registry.copy()
    rows, facts = [], []
    for i, period in enumerate(periods):
        start, _ = parse_period(period)
        model = RiskModel(random_state=seed, as_of=start - pd.Timedelta(days=1)).fit(reg)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WholeRegistryWarning)
            scored = score_registry(
                reg, model=model, capacity=capacity, key=key, random_state=seed + i
            )
        ids = pseudonymise(reg["employer_id"], key)
        scored["employer_id"] = reg["employer_id"].to_numpy()[
            pd.Index(ids.to_numpy()).get_indexer(scored["pseudonym"].to_numpy())
        ]
        plan = scored[scored["on_list"]].reset_index(drop=True)
        outcomes, truth = simulate_visits(reg, plan, start=start, rng=rng)
        pseudo_outcomes = outcomes.assign(
            employer=plan.set_index("employer_id").loc[outcomes["employer"], "pseudonym"].to_numpy()
        )
        key_plan = plan.drop(columns="employer_id")
        checked = check_against_plan(pseudo_outcomes, key_plan)
        visits = visit_table(key_plan, checked, reg, ids, start=start, end=parse_period(period)[1])
        semester = compute_semester(
            visits, period=period, scored=scored.drop(columns="employer_id"), synthetic=True
        )
        facts.append(semester)
        open_ = reg["noncompliant"].isna().to_numpy()
        y = reg["true_noncompliant"].to_numpy(int)
        risk = scored.set_index("employer_id").loc[reg["employer_id"], "risk"].to_numpy(float)
        nat = semester.national
        workers_truth = float(truth["brought_in"].sum())
        rows.append(
            {
                "period": period,
                "planned": int(nat["planned"]),
                "visited": int(nat["visited"]),
                **{
                    f"{kind}_{stat}": float(nat[f"{kind}_{stat}"])
                    for kind in ("ranked", "random")
                    for stat in ("rate", "lower", "upper")
                },
                "random_mean_risk": semester.calibration_overall["mean_risk"],
                "calibration_ratio": semester.calibration_overall["ratio"],
                "auc_uninspected": float(roc_auc_score(y[open_], risk[open_])),
                "bayes_auc_uninspected": float(
                    roc_auc_score(y[open_], reg["true_risk"].to_numpy(float)[open_])
                ),
                "workers_reported": float(nat["workers_brought_in"]),
                "workers_lower": float(nat["workers_lower"]),
                "workers_upper": float(nat["workers_upper"]),
                "workers_truth": workers_truth,
                "workers_error": float(nat["workers_brought_in"]) / workers_truth - 1
                if workers_truth
                else np.nan,
            }
        )
        reg = merge_outcomes(reg, pseudo_outcomes, key_plan, key=key)
        if not refresh_counts:
            continue
        at = reg.index[pd.Index(reg["employer_id"]).get_indexer(outcomes["employer"])]
        reg.loc[at, "workers_registered"] = outcomes["workers_registered_after"].to_numpy()
        reg.loc[at, "dependants_registered"] = outcomes["dependants_registered_after"].to_numpy()
        paid = outcomes["arrears_recovered_idr"].to_numpy() > 0
        reg.loc[at[paid], ["months_in_arrears", "arrears_idr"]] = 0
    return LoopResults(history=pd.DataFrame(rows), facts=tuple(facts), registry=reg)
