"""One mapping of probabilities to words, with stated bands, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from perjaka_analysis.forecast import STATUS_ABOVE, STATUS_ABOVE_MODELLED, STATUS_EXPECTED
from perjaka_analysis.i18n import PROBABILITY_BANDS, probability_phrase, probability_words, text
from perjaka_analysis.render.overview import national_target_text

T = pd.Timestamp


@pytest.mark.parametrize(
    ("p", "en", "id_"),
    [
        (1.0, "almost certainly", "hampir pasti"),
        (0.95, "almost certainly", "hampir pasti"),
        (0.9499, "very likely", "sangat mungkin"),
        (0.80, "very likely", "sangat mungkin"),
        (0.7999, "likely", "mungkin"),
        (0.60, "likely", "mungkin"),
        (0.52, "about as likely as not", "sama mungkinnya dengan tidak"),
        (0.40, "about as likely as not", "sama mungkinnya dengan tidak"),
        (0.3999, "unlikely", "kecil kemungkinannya"),
        (0.20, "unlikely", "kecil kemungkinannya"),
        (0.05, "very unlikely", "sangat kecil kemungkinannya"),
        (0.0499, "almost certainly not", "hampir pasti tidak"),
        (0.0, "almost certainly not", "hampir pasti tidak"),
    ],
)
def test_bands_by_hand(p, en, id_):
    assert probability_words(p, "en") == en
    assert probability_words(p, "id") == id_


def test_every_band_has_its_own_words_in_both_languages():
    lowers = [lower for lower, _ in PROBABILITY_BANDS]
    assert lowers == sorted(lowers, reverse=True) and lowers[-1] == 0.0
    for lang in ("id", "en"):
        words = [text(key, lang) for _, key in PROBABILITY_BANDS]
        assert len(set(words)) == len(words)
    assert probability_phrase(0.524, "id") == "sama mungkinnya dengan tidak (52%)"
    assert probability_phrase(float("nan")) == "–"


@pytest.mark.parametrize(
    ("p", "lang", "shown"),
    [
        (1.0, "id", "hampir pasti (> 99%)"),  # every simulated path: still not a certainty
        (0.995, "en", "almost certainly (> 99%)"),
        (0.994, "en", "almost certainly (99%)"),
        (0.006, "en", "almost certainly not (1%)"),
        (0.004, "en", "almost certainly not (< 1%)"),
        (0.0, "id", "hampir pasti tidak (< 1%)"),
    ],
)
def test_a_probability_is_never_shown_as_certain(p, lang, shown):
    assert probability_phrase(p, lang) == shown
    with pytest.raises(ValueError, match="between 0 and 1"):
        probability_words(1.2)


def _target(status: str, prob: float, **kw) -> pd.Series:
    row = {"target_pct": 98.0, "status": status, "expected_date": pd.NaT,
           "date_upper_80": pd.NaT, "prob_by_deadline": prob}  # fmt: skip
    row.update(kw)
    return pd.Series(row)


def test_overview_national_targets_say_reached_only_from_a_figure():
    # a figure at or above 98% shows it: reached, with the figure's date, no probability
    reached = _target(STATUS_ABOVE, 0.99, expected_date=T("2025-12-31"))
    assert national_target_text(reached, "day", "en") == (
        "98.0%: already (figure of 31 December 2025)"
    )
    assert national_target_text(reached, "day", "id") == "98,0%: sudah (angka 31 Desember 2025)"
    # modelled: the probability in words, never a bare "reached (P = 99%)"
    modelled = _target(STATUS_ABOVE_MODELLED, 0.99)
    assert national_target_text(modelled, "day", "en") == (
        "98.0%: already (modelled); P = almost certainly (99%)"
    )
    likely = _target(STATUS_ABOVE_MODELLED, 0.9, date_upper_80=T("2026-06-01"))
    assert national_target_text(likely, "day", "en") == (
        "98.0%: probably already (modelled); P = very likely (90%)"
    )
    expected = _target(STATUS_EXPECTED, 0.85, expected_date=T("2027-03-01"))
    assert national_target_text(expected, "day", "en") == "98.0%: March 2027; P = very likely (85%)"
