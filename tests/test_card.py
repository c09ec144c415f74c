"""The status card: today's estimates, UHC today and what it takes, by hand."""

import numpy as np
import pandas as pd
import pytest

from perjaka_analysis.card import CARD_COLUMNS, compute_status_card, people_to_reach


def _now(rows):
    return pd.DataFrame(rows, columns=["province", "mean", "lower", "upper", "level"])


def test_card_by_hand():
    places = pd.DataFrame({"province": ["A", "B", "C"], "population": [2_000_000, 500_000, None]})
    reg = _now(
        [
            ["A", 96.5, 95.0, 98.0, 80],
            ["A", 96.5, 94.0, 99.0, 95],  # the 95% row is not the card's
            ["B", 99.0, 98.5, 99.5, 80],
            ["C", 90.0, 88.0, 92.0, 80],
        ]
    )
    act = _now(
        [["A", 77.25, 75.0, 79.0, 80], ["B", 76.4, 70.0, 82.0, 80], ["C", 81.0, 79.0, 83.0, 80]]
    ).assign(n_points=[4, 0, 2])
    latest = pd.DataFrame(
        {
            "province": ["A"],
            "active_pct": [77.0],
            "active_basis": ["of_population"],
            "active_date": pd.to_datetime(["2025-11-30"]),
            "active_precision": ["month"],
            "active_source": ["antaranews.com"],
            "active_source_url": ["https://x"],
        }
    )
    uhc = pd.DataFrame(
        {
            "province": ["A", "B", "C"],
            "registered_pct": [98.0] * 3,
            "active_pct": [80.0] * 3,
            "prob_now": [0.05, 0.4, 0.0],
            "prob_by_deadline": [0.55, 0.9, 0.1],
            "binding": ["active", "neither (both met together)", "registration"],
        }
    )
    card = compute_status_card(places, reg, act, latest, uhc).set_index("province")
    assert list(card.reset_index().columns) == list(CARD_COLUMNS)
    # A: (98 - 96.5) % of 2,000,000 = 30,000; (80 - 77.25) % = 55,000
    assert card.loc["A", "people_to_register"] == 30_000
    assert card.loc["A", "people_to_resume"] == 55_000
    assert card.loc["A", "registered_lower"] == 95.0  # the 80% interval
    # both probabilities of UHC today's definition, side by side
    assert card.loc["A", ["prob_now", "prob_by_deadline"]].tolist() == [0.05, 0.55]
    assert card.loc["A", "active_latest_pct"] == 77.0 and not card.loc["A", "active_borrowed"]
    # B: above 98% -> nobody to register; active borrowed -> nothing said about paying
    assert card.loc["B", "people_to_register"] == 0 and card.loc["B", "active_borrowed"]
    assert np.isnan(card.loc["B", "people_to_resume"])
    assert card.loc["B", "binding"] == "neither"  # a code, the words are the catalogue's
    assert np.isnan(card.loc["B", "active_latest_pct"])
    # C: no population -> no people, whatever the gap
    assert np.isnan(card.loc["C", "people_to_register"])
    assert card.loc["C", "binding"] == "registration"


def test_uhc_class_is_the_band_of_the_probability_words_and_unknown_when_borrowed():
    from perjaka_analysis.card import uhc_class

    got = [uhc_class(p, False) for p in (0.95, 0.949, 0.6, 0.4, 0.2, 0.05, 0.049)]
    assert got == [
        "almost_certain", "very_likely", "likely", "even", "unlikely", "very_unlikely",
        "almost_never",
    ]  # fmt: skip
    assert uhc_class(0.99, True) == "unknown" and uhc_class(np.nan, False) == "unknown"


@pytest.mark.parametrize(
    ("threshold", "now", "population", "people"),
    [
        (80.0, 77.5, 2_000_000.0, 50_000.0),  # 2.5 pp of 2,000,000
        (80.0, 79.9, 1_000_000.0, 1_000.0),  # 0.1 pp of 1,000,000
        (98.0, 97.96, 1_000_000.0, 400.0),  # 0.04 pp = 400
        (80.0, 79.99, 1_000_000.0, 100.0),  # 0.01 pp = 100
        (80.0, 79.996, 1_000_000.0, 0.0),  # 40 people: to the hundred, none
        (80.0, 80.0, 2_000_000.0, 0.0),  # the threshold is met: nobody
        (80.0, 85.0, 2_000_000.0, 0.0),
        (80.0, np.nan, 2_000_000.0, np.nan),  # no estimate
        (80.0, 77.5, np.nan, np.nan),  # no population
        (np.nan, 77.5, 2_000_000.0, np.nan),  # no threshold
    ],
)
def test_people_to_reach_a_threshold_by_hand(threshold, now, population, people):
    got = people_to_reach(pd.Series([threshold]), pd.Series([now]), pd.Series([population]))
    assert got.tolist() == pytest.approx([people], nan_ok=True)


def test_people_to_reach_are_shown_to_the_precision_of_their_interval():
    # Jawa Tengah-like: 37,500,000 residents, active 75.87% (80% interval 72.9 - 78.9):
    # 4.13 points = 1,548,800 people to the hundred, but the interval gives
    # 1.1 - 7.1 points = 412,500 - 2,662,500 people (half-width 1,125,000): to the
    # hundred thousand, 1,500,000 (400,000 - 2,700,000)
    places = pd.DataFrame({"province": ["J"], "population": [37_500_000]})
    reg = _now([["J", 97.5, 97.2, 97.8, 80]])
    act = _now([["J", 75.87, 72.9, 78.9, 80]]).assign(n_points=[3])
    uhc = pd.DataFrame({"province": ["J"], "registered_pct": [98.0], "active_pct": [80.0],
        "prob_now": [0.02], "prob_by_deadline": [0.8], "binding": ["active"]})  # fmt: skip
    latest = pd.DataFrame(columns=["province", "active_pct", "active_basis", "active_date",
        "active_precision", "active_source", "active_source_url"])  # fmt: skip
    card = compute_status_card(places, reg, act, latest, uhc).iloc[0]
    got = [card[f"people_to_resume{s}"] for s in ("", "_lower", "_upper")]
    assert got == [1_500_000, 400_000, 2_700_000]
    # registration: 0.5 points = 187,500, interval 0.2 - 0.8 points = 75,000 - 300,000
    # (half-width 112,500: to the ten thousand) -> 190,000 (80,000 - 300,000)
    got = [card[f"people_to_register{s}"] for s in ("", "_lower", "_upper")]
    assert got == [190_000, 80_000, 300_000]


def test_registration_above_100_is_flagged_at_the_precision_shown():
    places = pd.DataFrame({"province": ["A", "B", "C"], "population": [1_000_000] * 3})
    # 100.04 shows as 100.0%: not above; 100.06 shows as 100.1%: above
    reg = _now([["A", 100.04, 99.0, 101.0, 80], ["B", 100.06, 99.0, 101.0, 80],
                ["C", 97.0, 96.0, 98.0, 80]])  # fmt: skip
    act = _now([[p, 85.0, 80.0, 90.0, 80] for p in "ABC"]).assign(n_points=2)
    cols = ["province", "active_pct", "active_basis", "active_date", "active_precision"]
    latest = pd.DataFrame(columns=[*cols, "active_source", "active_source_url"])
    uhc = pd.DataFrame({"province": list("ABC"), "registered_pct": 98.0, "active_pct": 80.0,
                        "prob_now": 0.5, "prob_by_deadline": 0.5,
                        "binding": "registration"})  # fmt: skip
    card = compute_status_card(places, reg, act, latest, uhc).set_index("province")
    assert card["registered_above_full"].tolist() == [False, True, False]
