"""Scored inspection lists: risk, rank, reasons and expected gain.

Reasons are found by asking the fitted model what each employer's risk would
be if one fact were put right (everyone registered, wage at the provincial
minimum, no arrears, no late payments, no deactivations, family members
registered at the usual rate); the three facts whose correction lowers the
risk most are its reasons, given as codes with the figures they cite; the
words, in Bahasa Indonesia or English, are in the message catalogue
(:mod:`perjaka_analysis.i18n`) and applied where a list is shown or written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from ..contracts import REGISTRY
from ..errors import PerjakaError
from ..i18n import reason_sentences
from ..privacy import load_key, pseudonymise
from .arrears import inactive_by_arrears
from .features import CONTRIBUTION_RATE, WAGE_CAP_IDR, size_band
from .model import RiskModel
from .plan import (
    MIN_INCLUSION,
    OUTCOME_COLUMNS,
    RANDOM_SHARE,
    check_plan_parameters,
    draw_plan,
    id_ranks,
    plan_id,
    reserve_sizes,
    warn_whole_registry,
)

__all__ = [
    "FAMILY_PER_WORKER",
    "expected_gain",
    "explain",
    "plan_candidates",
    "priority_bound",
    "reason_figures",
    "score_registry",
]

#: Assumed registered family members per worker when a worker is enrolled
#: (adjustable): a worker may register a spouse and up to three children; BPS
#: puts the average household at about 3.9 people, and many workers are young
#: or single. Used only to turn unregistered workers into expected dependants.
FAMILY_PER_WORKER = 1.3
#: Smallest drop in risk (probability) for a fact to count as a reason.
MIN_EFFECT = 0.01


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def _gap(frame: pd.DataFrame) -> pd.Series:
    """Reported workers not registered (at least 0; NaN where a count is missing)."""
    return (_num(frame, "workers_reported") - _num(frame, "workers_registered")).clip(lower=0)


def _check_rank_by(rank_by: str) -> None:
    if rank_by not in RANK_BY:
        raise PerjakaError(f"rank_by must be one of {', '.join(RANK_BY)}; got {rank_by!r}")


# Each driver: the counterfactual that puts one fact right (its sentence is in the
# message catalogue, :func:`perjaka_analysis.i18n.reason_sentences`).
Fix = Callable[[pd.DataFrame, pd.Series], pd.DataFrame]


def _fix_registration(f: pd.DataFrame, ump: pd.Series) -> pd.DataFrame:
    out = f.copy()
    registered = _num(f, "workers_registered")
    fixed = np.fmax(registered, _num(f, "workers_reported"))
    out["workers_registered"] = fixed
    if "dependants_registered" in f:
        # newly registered workers bring family members at the employer's own
        # rate, so the family-per-worker feature is left as it was
        per = _num(f, "dependants_registered") / registered.clip(lower=1)
        out["dependants_registered"] = (per * fixed.clip(lower=1)).where(registered > 0, 0.0)
    return out


def _fix_wage(f: pd.DataFrame, ump: pd.Series) -> pd.DataFrame:
    out = f.copy()
    if "wage_reported_idr" in f:
        floor = ump.reindex(f["province"]).to_numpy()
        wage = _num(f, "wage_reported_idr").to_numpy()
        out["wage_reported_idr"] = np.where(np.isnan(wage), np.nan, np.fmax(wage, floor))
    return out


def _zeroed(*columns: str) -> Fix:
    """A fix that sets the given count columns (those present) to zero."""

    def fix(f: pd.DataFrame, ump: pd.Series) -> pd.DataFrame:
        return f.assign(**{c: 0 for c in columns if c in f})

    return fix


def _fix_family(f: pd.DataFrame, ump: pd.Series) -> pd.DataFrame:
    out = f.copy()
    if "dependants_registered" in f:
        usual = np.round(FAMILY_PER_WORKER * _num(f, "workers_registered"))
        deps = _num(f, "dependants_registered")
        out["dependants_registered"] = deps.where(deps.isna(), np.fmax(deps, usual))
    return out


DRIVERS: dict[str, Fix] = {
    "registration": _fix_registration,
    "wage": _fix_wage,
    "arrears": _zeroed("months_in_arrears", "arrears_idr"),
    "late_payments": _zeroed("late_payments_12m"),
    "deactivations": _zeroed("deactivations_12m"),
    "family": _fix_family,
}
#: Rows explained at once (their counterfactuals go through the model together).
EXPLAIN_BLOCK = 50_000
#: The registry columns the reasons are worded from: its counts and amounts.
SAID_FROM = tuple(c.name for c in REGISTRY.columns if c.kind in ("int", "number"))


def reason_figures(registry: pd.DataFrame, ump: pd.Series) -> pd.DataFrame:
    """The figures a reason cites: the registry's counts and amounts and the ``ump``.

    Parameters
    ----------
    registry : pandas.DataFrame
        Registry rows.
    ump : pandas.Series
        Minimum wage per province (the model's ``ump_``).

    Returns
    -------
    pandas.DataFrame
        What :func:`perjaka_analysis.i18n.reason_sentences` words the
        ``reason_codes`` of these rows with.
    """
    said_from = [c for c in SAID_FROM if c in registry]
    return registry[said_from].assign(ump=ump.reindex(registry["province"]).to_numpy())


def explain(
    model: RiskModel,
    registry: pd.DataFrame,
    risk: pd.Series | None = None,
    *,
    top: int = 3,
) -> pd.Series:
    """Top reasons for each employer's risk, as codes.

    Parameters
    ----------
    model : RiskModel
        A fitted model.
    registry : pandas.DataFrame
        The rows to explain (validated registry rows).
    risk : pandas.Series, optional
        Their risk (computed when omitted).
    top : int
        How many reasons at most.

    Returns
    -------
    pandas.Series
        ``reason_codes``: the names of :data:`DRIVERS` whose correction lowers
        the risk most, ``;``-joined, largest first (empty when no fact moves
        the risk by at least one percentage point). The words are in the
        message catalogue: :func:`perjaka_analysis.i18n.reason_sentences`
        with :func:`reason_figures`.
    """
    if registry.empty:
        return pd.Series([], dtype=str, name="reason_codes")
    ump = model.ump_
    base = model.predict_risk(registry) if risk is None else risk.reindex(registry.index)
    # the counterfactuals of a block of rows in one pass through the model
    after = np.empty((len(registry), len(DRIVERS)))
    for start in range(0, len(registry), EXPLAIN_BLOCK):
        block = registry.iloc[start : start + EXPLAIN_BLOCK]
        fixed = pd.concat([fix(block, ump) for fix in DRIVERS.values()], ignore_index=True)
        after[start : start + len(block)] = (
            model.predict_risk(fixed).to_numpy().reshape(len(DRIVERS), len(block)).T
        )
    values = base.to_numpy(dtype=float)[:, None] - after
    names = np.array(list(DRIVERS))
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    codes = []
    for i in range(len(registry)):
        which = []
        for j in order[i]:
            if values[i, j] < MIN_EFFECT:
                break
            which.append(str(names[j]))
        codes.append(";".join(which))
    return pd.Series(codes, index=registry.index, name="reason_codes", dtype="str")


def expected_gain(registry: pd.DataFrame, risk: pd.Series, ump: pd.Series) -> pd.DataFrame:
    """What compliance of each employer would add, weighted by its risk.

    Returns
    -------
    pandas.DataFrame
        ``expected_unregistered_workers`` (risk x reported workers not
        registered), ``expected_unregistered_dependants`` (those workers'
        families at :data:`FAMILY_PER_WORKER`, plus family members missing
        among registered workers), ``expected_contributions_idr_per_month``
        (5% of the wage, at least the provincial minimum and at most
        Rp 12 million, for the expected unregistered workers) and
        ``arrears_idr`` as reported.
    """
    registered = _num(registry, "workers_registered")
    workers = risk * _gap(registry)
    family_gap = (
        (FAMILY_PER_WORKER * registered - _num(registry, "dependants_registered"))
        .clip(lower=0)
        .fillna(0)
    )
    dependants = workers * FAMILY_PER_WORKER + risk * family_gap
    floor = pd.Series(ump.reindex(registry["province"]).to_numpy(), index=registry.index)
    wage = _num(registry, "wage_reported_idr").fillna(floor)
    base = np.clip(np.fmax(wage, floor), None, WAGE_CAP_IDR)
    return pd.DataFrame(
        {
            "expected_unregistered_workers": workers.round(2),
            "expected_unregistered_dependants": dependants.round(2),
            "expected_contributions_idr_per_month": (workers * base * CONTRIBUTION_RATE).round(-2),
            "arrears_idr": _num(registry, "arrears_idr"),
        },
        index=registry.index,
    )


RANK_BY = ("gain", "risk", "blend")
#: ``blend`` ranks by risk x (unregistered workers + BLEND_OFFSET): the expected
#: unregistered workers, plus a fixed worth of finding a noncompliant employer
#: at all (its arrears, wages and family registrations are put right too).
#: Measured on 200,000-employer registries of two independent generators with
#: random and targeted inspections (``benchmarks/employers_scale.py --quality``),
#: an offset of 3 keeps 98–99% of the unregistered workers of the best list
#: while reaching 81–82% of the noncompliant employers of the best list by
#: probability; gain alone reaches 99% and 71–75%, risk alone 33–61% and 96–99%.
BLEND_OFFSET = 3.0


def priority_scores(
    registry: pd.DataFrame, risk: pd.Series, ump: pd.Series | None = None, *, rank_by: str = "blend"
) -> pd.Series:
    """What the inspection list is ranked by.

    Parameters
    ----------
    registry : pandas.DataFrame
        Registry rows.
    risk : pandas.Series
        Their risk.
    ump : pandas.Series, optional
        Unused; kept so every ranking has the same call.
    rank_by : {"gain", "risk", "blend"}
        ``gain``: expected unregistered workers (risk x reported workers not
        registered) — the workers an inspection is expected to bring into
        JKN; ``risk``: probability of noncompliance; ``blend`` (the default
        of the lists): risk x (gap + :data:`BLEND_OFFSET`), nearly all the
        workers of ``gain`` while keeping likely-noncompliant employers with
        small gaps.

    Returns
    -------
    pandas.Series
        Higher = earlier on the list.

    Examples
    --------
    >>> reg = pd.DataFrame({"workers_reported": [10, 4], "workers_registered": [5, 4]})
    >>> priority_scores(reg, pd.Series([0.2, 0.9]), rank_by="gain").tolist()
    [1.0, 0.0]
    """
    _check_rank_by(rank_by)
    gap = _gap(registry).fillna(0).to_numpy()
    r = np.asarray(risk, dtype=float)
    value = {"gain": r * gap, "risk": r, "blend": r * (gap + BLEND_OFFSET)}[rank_by]
    return pd.Series(value, index=registry.index, name=f"priority_{rank_by}")


def priority_bound(registry: pd.DataFrame, *, rank_by: str = "blend") -> np.ndarray:
    """An upper bound of each row's :func:`priority_scores` that needs no risk.

    A risk is at most 1, so ``blend`` is at most gap + :data:`BLEND_OFFSET`,
    ``gain`` at most the gap, and ``risk`` at most 1 (the bound computed in
    floating point is never below the priority, as a product with a factor
    of at most 1 never exceeds the other factor).

    Examples
    --------
    >>> reg = pd.DataFrame({"workers_reported": [10, 4], "workers_registered": [5, 4]})
    >>> priority_bound(reg).tolist(), priority_bound(reg, rank_by="risk").tolist()
    ([8.0, 3.0], [1.0, 1.0])
    """
    _check_rank_by(rank_by)
    if rank_by == "risk":
        return np.ones(len(registry))
    gap = _gap(registry).fillna(0).to_numpy()
    return gap + BLEND_OFFSET if rank_by == "blend" else gap


#: Employers per ranked pick whose risk :func:`plan_candidates` computes first,
#: those with the largest :func:`priority_bound` in their province: the more,
#: the closer the first threshold is to the last ranked pick's priority.
FIRST_BATCH = 3


def _first_per_province(at: np.ndarray, prov_code: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Positions ``at`` ordered by province, then ``key`` descending."""
    return at[np.lexsort([-key[at], prov_code[at]])]


def _position(codes: np.ndarray) -> np.ndarray:
    """Each element's position within its run of equal (sorted) codes."""
    starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    return np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))


def plan_candidates(
    registry: pd.DataFrame,
    risk_of: Callable[[np.ndarray], np.ndarray],
    n_ranked: np.ndarray,
    uninspected: np.ndarray,
    *,
    rank_by: str = "blend",
) -> tuple[np.ndarray, np.ndarray]:
    """The uninspected employers that could be ranked picks, and their risk.

    Scoring every employer only to keep the first ``n_ranked`` of each
    province is not needed: an employer whose :func:`priority_bound` is
    below the ``n_ranked``-th priority among any employers of its province
    cannot be among the first ``n_ranked``. The risk is computed first for
    the :data:`FIRST_BATCH` x ``n_ranked`` employers of each province with
    the largest bound, then for every employer whose bound reaches the
    ``n_ranked``-th priority among them; a province of no ranked picks has
    none. Ranking the candidates gives the first ``n_ranked`` of each
    province, in the same order, that ranking everybody gives.

    Parameters
    ----------
    registry : pandas.DataFrame
        Registry rows.
    risk_of : callable
        Risk of the rows at the given positions.
    n_ranked : numpy.ndarray
        Each row's number of ranked picks in its province.
    uninspected : numpy.ndarray of bool
        Rows that can be listed.
    rank_by : str
        See :func:`priority_scores`.

    Returns
    -------
    candidates : numpy.ndarray of bool
    risk : numpy.ndarray
        The risk of the candidates, NaN elsewhere.
    """
    bound = priority_bound(registry, rank_by=rank_by)
    prov_code = pd.factorize(registry["province"].astype(str))[0]
    # a province without ranked picks (its capacity all random) has no candidate
    uninspected = np.asarray(uninspected, bool) & (np.asarray(n_ranked) > 0)
    # per province, the FIRST_BATCH x n_ranked rows of largest bound (any of equal bounds)
    first = _first_per_province(np.flatnonzero(uninspected), prov_code, bound)
    first = first[_position(prov_code[first]) < FIRST_BATCH * n_ranked[first]]
    risk = np.full(len(registry), np.nan)
    risk[first] = risk_of(first)
    # the n_ranked-th priority among them: no lower one can be a ranked pick
    priority = np.full(len(registry), np.nan)
    priority[first] = priority_scores(registry.iloc[first], risk[first], rank_by=rank_by)
    first = _first_per_province(first, prov_code, priority)
    at_n = first[_position(prov_code[first]) == n_ranked[first] - 1]
    floor = np.full(prov_code.max(initial=-1) + 1, -np.inf)
    floor[prov_code[at_n]] = priority[at_n]
    candidates = uninspected & (bound >= floor[prov_code])
    rest = np.flatnonzero(candidates & np.isnan(risk))
    if len(rest):
        risk[rest] = risk_of(rest)
    risk[~candidates] = np.nan
    return candidates, risk


def rank_within_province(
    province: pd.Series,
    priority: pd.Series,
    *tie_breakers: pd.Series,
    ids: pd.Series,
    eligible: pd.Series | None = None,
) -> pd.Series:
    """Rank (1 = first) within each province by priority, then each tie breaker
    (all descending), then by id (ascending); never by file order.

    Rows not ``eligible`` get no rank (``<NA>``).

    Examples
    --------
    >>> prov = pd.Series(["A", "A", "A"])
    >>> rank_within_province(prov, pd.Series([1.0, 2.0, 1.0]),
    ...                      ids=pd.Series(["z", "y", "x"])).tolist()
    [3, 1, 2]
    """
    keep = np.ones(len(province), bool) if eligible is None else np.asarray(eligible, bool)
    at = np.flatnonzero(keep)
    # one sort of numbers: province (by name), each key descending (gaps last), id
    prov_code = pd.factorize(province.astype(str), sort=True)[0][at]
    id_code = id_ranks(ids.iloc[at])
    descending = [-np.asarray(s, dtype=float)[at] for s in (priority, *tie_breakers)]
    order = np.lexsort([id_code, *reversed(descending), prov_code])
    out = pd.Series(pd.NA, index=province.index, dtype="Int64")
    ranks = np.empty(len(order), dtype="int64")
    ranks[order] = _position(prov_code[order]) + 1
    out.iloc[at] = ranks
    return out


def _capacity_per_row(provinces: pd.Series, capacity: int | Mapping[str, int]) -> pd.Series:
    """Each row's province capacity (at least 1); a mapping must cover every province."""
    if isinstance(capacity, Mapping):
        per_row = provinces.map(dict(capacity))
        missing = sorted(provinces[per_row.isna()].astype(str).unique())
        if missing:
            raise PerjakaError(f"capacity: no capacity given for {', '.join(missing)}")
        per_row = per_row.astype("int64")
        small = sorted({str(p) for p, c in dict(capacity).items() if int(c) < 1})
        if small:
            raise PerjakaError(f"capacity must be at least 1, got less for {', '.join(small)}")
        return per_row
    if capacity < 1:
        raise PerjakaError(f"capacity must be at least 1, got {capacity}")
    return pd.Series(int(capacity), index=provinces.index, dtype="int64")


def plan_selection(
    registry: pd.DataFrame,
    risk: pd.Series,
    capacity: pd.Series | int | Mapping[str, int],
    *,
    gain: pd.Series | None = None,
    inspected: pd.Series | None = None,
    rank_by: str = "blend",
    random_share: float = RANDOM_SHARE,
    min_inclusion: float = MIN_INCLUSION,
    random_state: int = 0,
    warn: bool = True,
    candidates: pd.Series | np.ndarray | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The plan of :func:`score_registry`: ranks, who is listed and how, and probabilities.

    Uninspected employers are ranked within their province by priority (then
    expected unregistered workers, risk and id); the plan takes the first
    ones and a random reserve (:func:`~.plan.draw_plan`). With
    ``candidates`` (:func:`plan_candidates`), only they are ranked and need
    a risk; the ranked picks are the same.

    Returns
    -------
    rank, selection, inclusion : pandas.Series
        ``rank_in_province`` (``<NA>`` for inspected rows), ``ranked`` /
        ``random`` / empty, and the probability of being on the plan.
    """
    per_row = capacity
    if not isinstance(capacity, pd.Series):
        per_row = _capacity_per_row(registry["province"], capacity)
    if inspected is None:
        inspected = (
            registry["noncompliant"].notna()
            if "noncompliant" in registry
            else pd.Series(False, index=registry.index)
        )
    if gain is None:  # expected unregistered workers, as expected_gain rounds them
        gain = (risk * _gap(registry)).round(2)
    ids = registry["employer_id"].astype(str)
    rank = rank_within_province(
        registry["province"],
        priority_scores(registry, risk, rank_by=rank_by),
        gain,
        risk,
        ids=ids,
        eligible=~inspected if candidates is None else candidates,
    )
    selection, inclusion, whole = draw_plan(
        registry["province"],
        rank,
        ids,
        per_row,
        random_share=random_share,
        min_inclusion=min_inclusion,
        random_state=random_state,
        uninspected=~inspected.to_numpy(),
    )
    if warn:
        warn_whole_registry(whole, capacity)
    return rank, selection, inclusion


def score_registry(
    registry: pd.DataFrame,
    *,
    model: RiskModel | None = None,
    capacity: int | Mapping[str, int] = 480,
    identified: bool = False,
    key: bytes | None = None,
    language: str | None = None,
    reasons_for: str = "list",
    random_state: int = 0,
    rank_by: str = "blend",
    random_share: float = RANDOM_SHARE,
    min_inclusion: float = MIN_INCLUSION,
    rows: str = "all",
) -> pd.DataFrame:
    """Score every employer and build the inspection list.

    Parameters
    ----------
    registry : pandas.DataFrame
        A validated registry with some labelled rows.
    model : RiskModel, optional
        A model fitted on this registry (trained here when omitted).
    capacity : int or mapping
        Inspections per province (``on_list`` marks them): one number for
        every province, or one per province (e.g. the ``capacity`` column of
        :func:`~perjaka_analysis.public_figures.capacity_rule`); a mapping
        must name every province of the registry.
    identified : bool
        Keep ``employer_id``; otherwise a keyed pseudonym replaces it.
    key : bytes, optional
        Pseudonym key (default :func:`perjaka_analysis.privacy.load_key`).
    language : {"id", "en"}, optional
        Word the reasons (column ``reasons``) from the message catalogue
        (:func:`perjaka_analysis.i18n.reason_sentences`) for a file written
        in this language; by default ``reasons`` stays empty and
        ``reason_codes`` say them.
    reasons_for : {"list", "all"}
        Explain the rows on the inspection list (default) or every row.
    random_state : int
        Seed of the model and of the random share of the list.
    rank_by : {"gain", "risk", "blend"}
        What the list is ranked by (see :func:`priority_scores`); default
        ``blend``: nearly all the unregistered workers of the best list
        (what enforcement is for) and most of its noncompliant employers.
    random_share : float
        Share of each province's capacity drawn at random among the
        uninspected employers not otherwise listed (0 to 1; default
        :data:`~.plan.RANDOM_SHARE`), so that outcomes fed back can be
        evaluated without bias.
    min_inclusion : float
        The reserve is enlarged where needed so that no uninspected employer
        of a province the capacity does not cover has a probability of being
        on the plan below this (default :data:`~.plan.MIN_INCLUSION`; not
        with ``random_share=0``). A :class:`~.plan.WholeRegistryWarning` says
        which provinces' capacity covers every uninspected employer.
    rows : {"all", "plan"}
        Return every employer (default) or only the plan's (``on_list``).
        With ``"plan"``, pseudonyms, reasons and gains are computed only for
        the rows returned, and the risk only for the employers whose priority
        could reach their province's ranked picks (:func:`plan_candidates`)
        and for the random picks: the plan is that of ``"all"``, except that
        random picks have no ``rank_in_province`` (their rank among the
        employers not listed is not computed).

    Returns
    -------
    pandas.DataFrame
        ``pseudonym`` (or ``employer_id``), ``inspection_list`` (the plan's
        id), ``model_version, data_date, province, district, sector,
        size_band, risk, rank_in_province, on_list, selection,
        inclusion_probability, inspected, known_outcome, reasons,
        reason_codes, expected_unregistered_workers,
        expected_unregistered_dependants, expected_contributions_idr_per_month,
        arrears_idr, inactive_workers, inactive_dependants`` (participants
        inactive because the employer is in arrears), then the empty columns
        a team fills in (:data:`~.plan.OUTCOME_COLUMNS`); sorted by province
        and rank (inspected employers last).
        Employers already inspected keep their row with their known outcome
        and an out-of-fold risk, but are never on the list and have no rank.
        No other column of the registry is copied, so name-like extra columns
        never reach the output.
    """
    per_row = _capacity_per_row(registry["province"], capacity)
    if language not in (None, "id", "en"):
        raise PerjakaError(f"language must be 'id' or 'en', got {language!r}")
    if reasons_for not in ("list", "all"):
        raise PerjakaError("reasons_for must be 'list' or 'all'")
    if rows not in ("all", "plan"):
        raise PerjakaError(f"rows must be 'all' or 'plan', got {rows!r}")
    check_plan_parameters(random_share, min_inclusion)
    model = model or RiskModel(random_state=random_state).fit(registry)
    inspected = (
        registry["noncompliant"].notna()
        if "noncompliant" in registry
        else pd.Series(False, index=registry.index)
    )

    def risk_of(at: np.ndarray) -> np.ndarray:
        return model.risk_out_of_fold(registry.iloc[at]).to_numpy()

    candidates = None
    if rows == "plan":  # the risk of the employers that could be ranked picks
        uninspected = ~inspected.to_numpy()
        prov_code = pd.factorize(registry["province"].astype(str))[0]
        reserve = reserve_sizes(prov_code, uninspected, per_row, random_share, min_inclusion)
        candidates, values = plan_candidates(
            registry, risk_of, per_row.to_numpy() - reserve, uninspected, rank_by=rank_by
        )
        risk = pd.Series(values, index=registry.index, name="risk")
    else:
        risk = model.risk_out_of_fold(registry)
    ids = registry["employer_id"].astype(str)
    rank, selection, inclusion = plan_selection(
        registry,
        risk,
        per_row,
        inspected=inspected,
        rank_by=rank_by,
        random_share=random_share,
        min_inclusion=min_inclusion,
        random_state=random_state,
        candidates=candidates,
    )
    on_list = selection != ""
    version = getattr(model, "version_", "")
    data_date = f"{model.as_of_:%Y-%m-%d}"
    caps = tuple(sorted(per_row.groupby(registry["province"]).first().items()))
    plan = plan_id(
        version,
        ids[~inspected],
        data_date,
        caps,
        random_share,
        min_inclusion,
        random_state,
        rank_by,
    )
    if rows == "plan":  # only the plan's rows are written
        keep = on_list.to_numpy()
        unscored = np.flatnonzero(keep & risk.isna().to_numpy())  # random picks
        risk.iloc[unscored] = risk_of(unscored)
        rank = rank.where(selection == "ranked")  # a random pick's rank is not computed
        registry, risk, inspected, ids = (x[keep] for x in (registry, risk, inspected, ids))
        rank, selection, inclusion, on_list = (
            x[keep] for x in (rank, selection, inclusion, on_list)
        )
    out = pd.DataFrame(index=registry.index)
    if identified:
        out["employer_id"] = registry["employer_id"]
    else:
        out["pseudonym"] = pseudonymise(registry["employer_id"], key or load_key())
    out["inspection_list"] = plan
    out["model_version"] = version
    out["data_date"] = data_date
    out["province"] = registry["province"]
    out["district"] = registry["district"] if "district" in registry else pd.NA
    out["sector"] = registry["sector"]
    out["size_band"] = size_band(registry["workers_reported"])
    out["risk"] = risk.round(6)
    out["rank_in_province"] = rank
    out["on_list"] = on_list
    out["selection"] = selection
    out["inclusion_probability"] = inclusion.round(6)
    out["inspected"] = inspected.to_numpy()
    out["known_outcome"] = (
        pd.to_numeric(registry["noncompliant"], errors="coerce").astype("Int8")
        if "noncompliant" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int8")
    )
    explain_rows = registry[on_list] if reasons_for == "list" else registry
    out["reasons"] = ""
    out["reason_codes"] = ""
    if len(explain_rows):
        codes = explain(model, explain_rows, risk.loc[explain_rows.index])
        out.loc[explain_rows.index, "reason_codes"] = codes
        if language is not None:
            figures = reason_figures(explain_rows, model.ump_).assign(reason_codes=codes)
            out.loc[explain_rows.index, "reasons"] = reason_sentences(figures, language)
    # the expected gain of the rows written (the ranking computed its workers itself)
    out = out.join(expected_gain(registry, risk, model.ump_))
    out = out.join(inactive_by_arrears(registry))
    for column in OUTCOME_COLUMNS:
        out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    # list first (by rank), then the rest by rank, then inspected employers by id
    # (one sort of numbers: province by name, ranked first, rank, id as text)
    ranked = out["rank_in_province"]
    order = np.lexsort(
        [
            id_ranks(ids),
            ranked.fillna(0).to_numpy(dtype="int64"),
            ranked.isna().to_numpy(),
            pd.factorize(out["province"].astype(str), sort=True)[0],
        ]
    )
    return out.take(order).reset_index(drop=True)
