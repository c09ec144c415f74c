"""The status card of a brief: registered, active, UHC today, and what it takes.

:func:`compute_status_card` puts on one row per place what the first page of
a brief shows: the latest registration figure and today's estimate, the
latest active share and today's estimate (and whether that estimate is
borrowed from other provinces), the probability that both conditions of
today's UHC definition hold now and the condition that binds, and what it
takes: the people still to register and the people who would have to resume
paying to meet each condition, from today's estimates and the 2024
population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .coverage import pp_to_people
from .i18n import PROBABILITY_BANDS
from .precision import round_to_interval

__all__ = [
    "CARD_COLUMNS",
    "borrowed_active",
    "compute_status_card",
    "people_to_reach",
    "people_to_reach_interval",
    "uhc_class",
]

#: Columns of :func:`compute_status_card`.
CARD_COLUMNS = (
    "province", "registered_threshold_pct", "active_threshold_pct", "registered_now",
    "registered_lower", "registered_upper", "active_now", "active_lower", "active_upper",
    "active_borrowed", "active_latest_pct", "active_latest_basis", "active_latest_date",
    "active_latest_precision", "active_latest_source", "active_latest_source_url",
    "prob_now", "prob_by_deadline", "binding", "population", "people_to_register",
    "people_to_register_lower", "people_to_register_upper", "people_to_resume",
    "people_to_resume_lower", "people_to_resume_upper", "uhc_class", "registered_above_full",
)  # fmt: skip


def uhc_class(prob_now: float, borrowed: bool) -> str:
    """The class of UHC today of one place: the band of the project's probability words.

    The code is the band's key of :data:`perjaka_analysis.i18n.PROBABILITY_BANDS`
    without ``p_`` (``almost_certain`` … ``almost_never``), so the map, the table and
    the brief say a probability in the same words; ``unknown`` where the active
    estimate is borrowed or there is no probability.

    Examples
    --------
    >>> [uhc_class(p, False) for p in (0.97, 0.5, 0.01)], uhc_class(0.97, True)
    (['almost_certain', 'even', 'almost_never'], 'unknown')
    """
    if borrowed or prob_now is None or pd.isna(prob_now):
        return "unknown"
    for lowest, key in PROBABILITY_BANDS:
        if float(prob_now) >= lowest:
            return key.removeprefix("p_")
    return PROBABILITY_BANDS[-1][1].removeprefix("p_")


def borrowed_active(n_points: object, basis: object) -> bool:
    """True when an active nowcast rests on other provinces only.

    No active figure of its own and no UHC status report of today's
    definition (which vouches for >= 80% active on its date, a censored
    observation the model conditions on; the basis then says
    ``+ UHC status``). One rule for the brief, the card and the overview.

    Examples
    --------
    >>> borrowed_active(0, "pooled (no data)")
    True
    >>> borrowed_active(0, "pooled (no data) + UHC status (1 report)")
    False
    >>> borrowed_active(2, "own data")
    False
    """
    if n_points is None or pd.isna(n_points):
        return False
    return int(n_points) == 0 and "UHC status" not in str(basis)


def people_to_reach(
    threshold_pct: pd.Series, now_pct: pd.Series, population: pd.Series
) -> pd.Series:
    """People between today's estimate and a threshold of UHC, to the hundred.

    The one definition of "people to register" (registration threshold) and
    "people to resume paying" (active threshold): ``max(threshold − now, 0)``
    points of the population (:func:`~perjaka_analysis.coverage.pp_to_people`),
    rounded to the hundred; 0 at or above the threshold; missing where a
    number is missing.

    Examples
    --------
    >>> people_to_reach(pd.Series([80.0, 80.0, 80.0]), pd.Series([77.5, 81.0, None]),
    ...                 pd.Series([2_000_000.0, 2_000_000.0, 2_000_000.0])).tolist()
    [50000.0, 0.0, nan]
    """
    short = (threshold_pct.astype("float64") - now_pct.astype("float64")).clip(lower=0)
    return (pp_to_people(short, population.astype("float64")) / 100.0).round() * 100.0


def people_to_reach_interval(
    threshold_pct: pd.Series,
    now_pct: pd.Series,
    lower_pct: pd.Series,
    upper_pct: pd.Series,
    population: pd.Series,
) -> pd.DataFrame:
    """People to a threshold with their interval, at the precision the interval supports.

    :func:`people_to_reach` of today's estimate, of the interval's upper
    bound (the fewest people) and of its lower bound (the most), all three
    rounded by :func:`perjaka_analysis.precision.round_to_interval`: a count
    whose interval spans a million people is not shown to the hundred.

    Returns
    -------
    pandas.DataFrame
        ``people, lower, upper`` on ``now_pct``'s index; missing where a
        number is missing.

    Examples
    --------
    >>> s = lambda x: pd.Series([x])
    >>> r = people_to_reach_interval(s(80.0), s(75.87), s(72.9), s(78.9), s(37_500_000.0))
    >>> r.iloc[0].tolist()  # 1,548,800 (412,500 - 2,662,500): to the hundred thousand
    [1500000.0, 400000.0, 2700000.0]
    """
    people = people_to_reach(threshold_pct, now_pct, population)
    fewest = people_to_reach(threshold_pct, upper_pct, population)
    most = people_to_reach(threshold_pct, lower_pct, population)
    shown = round_to_interval(people, fewest, most)
    return pd.DataFrame(
        {"people": shown["value"], "lower": shown["lower"], "upper": shown["upper"]},
        index=now_pct.index,
    )


def _lowest_level(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per province: the narrowest interval level (80 before 95)."""
    if frame.empty:
        return frame.set_index("province") if "province" in frame else frame
    return (
        frame.sort_values("level", kind="stable").drop_duplicates("province").set_index("province")
    )


def compute_status_card(
    places: pd.DataFrame,
    nowcast: pd.DataFrame,
    active_nowcast: pd.DataFrame,
    active_latest: pd.DataFrame,
    uhc: pd.DataFrame,
) -> pd.DataFrame:
    """One row per place: what the first page of its brief says.

    Parameters
    ----------
    places : pandas.DataFrame
        ``province, population`` (the run's ``places`` table).
    nowcast, active_nowcast : pandas.DataFrame
        Today's estimates (``province, mean, lower, upper, level``; the active
        one with ``n_points``: 0 means borrowed from other provinces).
    active_latest : pandas.DataFrame
        ``province, active_pct, active_basis, active_date, active_precision,
        active_source, active_source_url``.
    uhc : pandas.DataFrame
        ``province, registered_pct, active_pct`` (today's thresholds),
        ``prob_now, prob_by_deadline, binding``.

    Returns
    -------
    pandas.DataFrame
        :data:`CARD_COLUMNS`, in the order of ``places``.
        ``people_to_register`` and ``people_to_resume`` (each with
        ``_lower`` and ``_upper``, the people from the 80% interval's upper
        and lower bound): :func:`people_to_reach_interval` of the
        registration and the active threshold, rounded to what the interval
        supports; ``people_to_resume*`` empty where the active estimate is
        borrowed (nothing can be said).
        ``uhc_class``: :func:`uhc_class` of ``prob_now``.
        ``registered_above_full``: today's registration estimate is above
        100% at the precision the card shows it (one decimal), which the
        card explains (participants counted where registered, residents by
        ID card).

    Examples
    --------
    >>> places = pd.DataFrame({"province": ["A"], "population": [2_000_000]})
    >>> now = pd.DataFrame({"province": ["A"], "mean": [97.0], "lower": [96.0],
    ...                     "upper": [98.0], "level": [80]})
    >>> act = now.assign(mean=78.5, lower=75.0, upper=82.0, n_points=3)
    >>> latest = pd.DataFrame(columns=["province", "active_pct", "active_basis", "active_date",
    ...     "active_precision", "active_source", "active_source_url"])
    >>> uhc = pd.DataFrame({"province": ["A"], "registered_pct": [98.0], "active_pct": [80.0],
    ...                     "prob_now": [0.2], "prob_by_deadline": [0.7], "binding": ["active"]})
    >>> card = compute_status_card(places, now, act, latest, uhc).iloc[0]
    >>> float(card["people_to_register"]), float(card["people_to_resume"])
    (20000.0, 30000.0)
    >>> [float(card[f"people_to_resume_{b}"]) for b in ("lower", "upper")]  # 0 - 100,000
    [0.0, 100000.0]
    """
    out = places[["province", "population"]].copy().set_index("province")
    reg = _lowest_level(nowcast)
    act = _lowest_level(active_nowcast)
    today = uhc.drop_duplicates("province").set_index("province")
    latest = active_latest.drop_duplicates("province").set_index("province")
    index = out.index
    out["registered_threshold_pct"] = today["registered_pct"].reindex(index)
    out["active_threshold_pct"] = today["active_pct"].reindex(index)
    for name, frame in (("registered", reg), ("active", act)):
        for col in ("mean", "lower", "upper"):
            key = f"{name}_{'now' if col == 'mean' else col}"
            out[key] = frame[col].reindex(index) if col in frame else np.nan
    points = act["n_points"].reindex(index) if "n_points" in act else pd.Series(np.nan, index)
    basis = act["basis"].reindex(index) if "basis" in act else pd.Series("", index)
    out["active_borrowed"] = [borrowed_active(n, b) for n, b in zip(points, basis, strict=True)]
    for col in ("pct", "basis", "date", "precision", "source", "source_url"):
        source = f"active_{col}"
        out[f"active_latest_{col}"] = latest[source].reindex(index) if source in latest else np.nan
    out["prob_now"] = today["prob_now"].reindex(index)
    out["prob_by_deadline"] = today["prob_by_deadline"].reindex(index)
    # a code for the words: active, registration, neither (uhc.BIND_*), "" when unknown
    binding = today["binding"].reindex(index).fillna("").astype(str)
    out["binding"] = binding.str.split(" ").str[0]
    population = pd.to_numeric(out["population"], errors="coerce").astype("float64")
    for measure, key, threshold in (
        ("registered", "people_to_register", "registered_threshold_pct"),
        ("active", "people_to_resume", "active_threshold_pct"),
    ):
        people = people_to_reach_interval(
            out[threshold],
            out[f"{measure}_now"],
            out[f"{measure}_lower"],
            out[f"{measure}_upper"],
            population,
        )
        if measure == "active":  # borrowed from other provinces: nothing can be said
            people = people.where(~out["active_borrowed"], axis=0)
        out[key] = people["people"]
        out[f"{key}_lower"] = people["lower"]
        out[f"{key}_upper"] = people["upper"]
    out["uhc_class"] = [
        uhc_class(p, b) for p, b in zip(out["prob_now"], out["active_borrowed"], strict=True)
    ]
    out["registered_above_full"] = out["registered_now"].astype("float64").round(1) > 100.0
    return out.reset_index()[list(CARD_COLUMNS)]
