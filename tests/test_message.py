"""The brief's key message and sentences, on tiny facts written by hand, in both languages."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import pandas as pd
import pytest

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import SCHEMA, ProvinceFacts
from perjaka_analysis.forecast import STATUS_ABOVE_MODELLED, STATUS_EXPECTED
from perjaka_analysis.render.message import (
    active_sentences,
    key_message,
    published_pct,
    scenario_sentences,
    uhc_sentences,
)

T = pd.Timestamp


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(SCHEMA[name]))
    return frame.assign(province="A")


def facts(lang: str = "id", **override: pd.DataFrame) -> ProvinceFacts:
    """Province A on 2024-12-31: a figure of April 2021 from a publisher named in a note."""
    tables = {
        "places": table("places", [{
            "population": 1_000_000.0, "n_points": 2, "latest_date": T("2021-04-30"),
            "latest_precision": "month", "latest_pct": 83.4, "latest_source": "Jamkesnews",
            "latest_source_url": "", "territory": "A", "rank": 30, "basis": "own data",
            "observed_group": "A", "latest_qualifier": "", "latest_decimals": 1,
            "latest_age_months": 44.0, "basis_kind": "own",
        }]),
        "nowcast": table("nowcast", [{
            "date": T("2024-12-31"), "mean": 96.04, "lower": 94.96, "upper": 97.12, "level": 80,
        }]),
        "active_nowcast": table("active_nowcast", [{
            "date": T("2024-12-31"), "mean": 76.44, "lower": 62.34, "upper": 88.1, "level": 80,
            "basis": "pooled (no data)", "n_points": 0,
        }]),
        "active_latest": table("active_latest", []),
        "targets": table("targets", [
            {"target_pct": 95.0, "status": STATUS_ABOVE_MODELLED},
            {"target_pct": 98.0, "status": STATUS_EXPECTED, "expected_date": T("2026-03-01")},
        ]),
        "uhc": table("uhc", [{
            "condition": "UHC definition (2024-)", "registered_pct": 98.0, "active_pct": 80.0,
            "prob_now": 0.1, "prob_by_deadline": 0.58, "prob_registered": 0.99,
            "prob_active": 0.59, "expected_date": T("2026-12-01"),
            "date_lower_80": T("2024-12-31"), "date_upper_80": pd.NaT, "binding": "active",
        }]),
        "gains": table("gains", [{
            "employers_in_registry": 900, "employers_on_list": 480, "added_participants": 9896.0,
            "population": 1_000_000.0, "added_pp": 0.9896,
        }]),
    }  # fmt: skip
    tables.update(override)
    config = ReportConfig(as_of="2024-12-31", language=lang)
    return ProvinceFacts("A", config, {}, tables, {}, tables["places"])


def with_card(f: ProvinceFacts) -> ProvinceFacts:
    """``f`` with its status card computed from its own tables (as a run does)."""
    from perjaka_analysis.card import compute_status_card

    card = compute_status_card(
        f.rows("places").assign(province="A"),
        f.rows("nowcast").assign(province="A"),
        f.rows("active_nowcast").assign(province="A"),
        f.rows("active_latest"),
        f.rows("uhc").assign(province="A"),
    )
    return ProvinceFacts("A", f.config, {}, {**f.tables, "card": card}, {}, f.places)


def active_latest(date: str, basis: str, age_months: float, source: str) -> pd.DataFrame:
    """Province A's latest active figure: 84% of ``basis``, published monthly by ``source``."""
    return table("active_latest", [{
        "active_date": T(date), "active_precision": "month", "active_pct": 84.0,
        "active_basis": basis, "active_age_months": age_months, "active_source": source,
        "active_source_url": f"https://{source}/a",
    }])  # fmt: skip


def own_active() -> pd.DataFrame:
    """Province A's active share estimated from three figures of its own."""
    return table("active_nowcast", [{
        "date": T("2024-12-31"), "mean": 76.44, "lower": 62.34, "upper": 88.1, "level": 80,
        "basis": "own data", "n_points": 3,
    }])  # fmt: skip


def test_key_message_by_hand_in_indonesian():
    # 98 - 96.04 = 1.96 points of 1,000,000 = 19,600, interval 8,800 - 30,400 (half-width
    # 10,800: to the thousand) -> 20,000; 80 - 76.44 = 3.56 points = 35,600, interval
    # 0 - 176,600 (half-width 88,300: to the thousand) -> 36,000
    assert key_message(with_card(facts("id", active_nowcast=own_active())), "id") == (
        "Per 31 Desember 2024 diperkirakan 96,0% penduduk terdaftar dan 76,4% aktif membayar "
        "iuran. UHC (≥ 98% terdaftar dan ≥ 80% aktif) sudah tercapai: sangat kecil "
        "kemungkinannya (10%); tercapai sebelum 31 Desember 2029: sama mungkinnya dengan tidak "
        "(58%). Yang dibutuhkan: sekitar 20.000 penduduk lagi terdaftar untuk 98% dan sekitar "
        "36.000 peserta kembali membayar iuran untuk 80% aktif."
    )


def test_key_message_by_hand_in_english():
    assert key_message(with_card(facts("en", active_nowcast=own_active())), "en") == (
        "On 31 December 2024 an estimated 96.0% of residents are registered and 76.4% are "
        "paying members. UHC (≥ 98% registered and ≥ 80% active) met now: very unlikely (10%); "
        "met by 31 December 2029: about as likely as not (58%). What it takes: about 20,000 "
        "more residents registered for 98% and about 36,000 members paying again for 80% "
        "active."
    )


def test_key_message_names_an_active_share_borrowed_from_other_provinces():
    # the fixture's active share rests on no figure of A's own
    assert key_message(with_card(facts("en")), "en") == (
        "On 31 December 2024 an estimated 96.0% of residents are registered and 76.4% are "
        "paying members (borrowed from other provinces). UHC (≥ 98% registered and ≥ 80% "
        "active) cannot be assessed without an active figure of its own; the registration "
        "condition alone by 31 December 2029: almost certainly (99%). What it takes: about "
        "20,000 more residents registered for 98%; how many must resume paying cannot be said "
        "yet."
    )


def _sentences(message: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", message) if s]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_key_message_is_three_sentences(lang):
    assert len(_sentences(key_message(with_card(facts(lang)), lang))) == 3


@pytest.mark.parametrize("lang", ["id", "en"])
def test_missing_numbers_change_the_sentences_and_never_show_a_dash(lang):
    no_figure = table("places", [{"latest_pct": float("nan"), "latest_source": "",
                                  "latest_qualifier": "", "latest_decimals": 2,
                                  "latest_precision": "", "population": float("nan"),
                                  "basis": "pooled (no data)"}])  # fmt: skip
    no_active = table("active_nowcast", [])
    message = key_message(with_card(facts(lang, places=no_figure, active_nowcast=no_active)), lang)
    assert "–" not in message and not re.search(r"\bnan\b", message, re.I)
    # the registration path of a place without figures follows the nation (the run's default)
    assert (
        ("(tren nasional, tanpa angka sendiri)." in message)
        if lang == "id"
        else ("(national trend, no figure of its own)." in message)
    )
    assert "aktif" not in _sentences(message)[0] and "paying" not in _sentences(message)[0]
    assert len(_sentences(message)) == 2  # without a population, no people: no third sentence


@pytest.mark.parametrize(
    ("value", "qualifier", "decimals", "lang", "shown"),
    [
        (96.0, "more_than", 0, "id", "> 96%"),
        (83.78378, "about", 0, "id", "sekitar 84%"),
        (83.78378, "about", 0, "en", "about 84%"),
        (83.4, "", 1, "id", "83,4%"),
        (98.77, "", 2, "en", "98.77%"),
    ],
)
def test_published_precision_is_kept(value, qualifier, decimals, lang, shown):
    assert published_pct(value, qualifier, decimals, lang) == shown


def test_active_sentences_state_basis_date_at_its_precision_and_source():
    latest = active_latest("2024-04-30", "of_participants", 8.0, "bali.antaranews.com")
    first, note, second = active_sentences(facts("id", active_latest=latest), "id")
    assert note.startswith('Angka aktif "dari jumlah peserta" dan "dari jumlah penduduk"')
    assert first == (  # at the precision it was published: 84%, not 84,0%
        "Angka aktif terakhir: 84% dari jumlah peserta (April 2024; sumber: bali.antaranews.com)."
    )
    latest["active_pct"] = 72.55
    first = active_sentences(facts("id", active_latest=latest), "id")[0]
    assert first.startswith("Angka aktif terakhir: 72,55% dari jumlah peserta")
    assert "76,4%" in second and "dipinjam dari provinsi lain" in second
    none = active_sentences(facts("en"), "en")[0]
    assert none.startswith("No active participation figure")


def test_the_title_dates_both_latest_figures_when_they_differ():
    from perjaka_analysis.render.brief import Brief

    latest = active_latest("2024-11-30", "of_population", 1.0, "x.id")

    def title_meta(f: ProvinceFacts) -> str:
        f = dataclasses.replace(f, meta={"registry_synthetic": False})
        return str(Brief(f).title()).split('<p class="meta">')[1].split("</p>")[0]

    f = with_card(facts("en", active_nowcast=own_active(), active_latest=latest))
    # registration last published in April 2021, the active share in November 2024
    assert title_meta(f).endswith("latest figures: registered April 2021, active November 2024")
    assert title_meta(with_card(facts("en"))).endswith("data as of April 2021")  # one date


def test_uhc_without_an_active_figure_of_its_own_is_not_given_a_probability():
    # the fixture's active share is borrowed from other provinces (no figure of A's own)
    message = key_message(facts("id"), "id")
    assert "belum dapat dinilai" in message and "58%" not in message
    out = uhc_sentences(facts("en"), "en")
    assert out[1] == (
        "The chance of meeting both conditions cannot be assessed yet: the province has no "
        "active participation figure of its own, and the active estimate above is borrowed "
        "from other provinces. The registration condition alone has a 99% chance by "
        "31 December 2029."
    )
    assert not any("58%" in s for s in out)


def test_uhc_sentences_say_the_rule_probability_date_and_what_binds():
    out = uhc_sentences(facts("en", active_nowcast=own_active()), "en")
    assert out == [
        "UHC as defined today: at least 98% of residents registered and 80% active.",
        "Both conditions met by 31 December 2029: about as likely as not (58%).",
        "Expected: December 2026 (80% interval: December 2024 – after 2039).",
        "The binding condition: active participation (met last).",
    ]


# --- the enforcement scenario in words ---------------------------------------------------------


def _enforcement(gap_pp: float, added: float, recent: float = 25_000.0) -> pd.DataFrame:
    """Province A, 1,000,000 residents, nowcast 98 − gap_pp, target 98%."""
    gap_people = gap_pp / 100 * 1_000_000
    return table("enforcement", [{
        "target_pct": 98.0, "nowcast_pct": 98.0 - gap_pp, "gap_pp": gap_pp,
        "gap_people": gap_people, "added_participants": added,
        "added_pp": 100 * added / 1_000_000,
        "share_closed_pct": (
            min(100 * (100 * added / 1_000_000) / gap_pp, 100.0) if gap_pp else float("nan")
        ),
        "remaining_people": max(gap_people - added, 0.0), "recent_per_month": recent,
        "months_of_growth": added / recent,
    }])  # fmt: skip


def _scenario(months: float) -> pd.DataFrame:
    return table("scenario", [{"target_pct": 98.0, "months_earlier": months}])


def test_scenario_in_words_says_how_much_of_the_gap_the_list_closes_by_hand():
    # gap 2 points = 20,000 people; the list adds 5,000 = 25%; 15,000 remain;
    # 5,000 / 25,000 a month = 0.2 months of growth; no target moves
    f = facts("id", enforcement=_enforcement(2.0, 5_000.0), scenario=_scenario(0.0))
    assert scenario_sentences(f, "id") == [
        "Dari perkiraan saat ini (96,0%) ke 98,0% masih kurang 2,0 poin persen, sekitar "
        "20.000 jiwa.",
        "Jika semua badan usaha dalam daftar patuh, 25,0% dari kekurangan itu tertutup "
        "(5.000 jiwa). Sisanya, sekitar 15.000 jiwa, perlu datang dari jalur lain: pekerja "
        "badan usaha di luar daftar ini, pekerja bukan penerima upah (mandiri) dan "
        "pendaftaran penerima bantuan iuran (PBI) oleh pemerintah daerah.",
        "Tambahan itu setara dengan 0,2 bulan kenaikan bersih terakhir (25.000 jiwa per "
        "bulan), sehingga tanggal tercapainya target hampir tidak bergeser.",
    ]


def test_scenario_in_words_above_the_target_tiny_share_and_moved_dates():
    above = scenario_sentences(facts("en", enforcement=_enforcement(0.0, 5_000.0)), "en")
    assert above[0].startswith("By today's estimate (98.0%) the province is already above 98.0%")
    # above the target no date is left to move: the months are said without "so ... barely move"
    assert above[1] == (
        "That addition equals 0.2 months of the recent net growth (25,000 people a month)."
    )
    tiny = scenario_sentences(
        facts("en", enforcement=_enforcement(2.0, 4.0), scenario=_scenario(2.0)), "en"
    )
    assert "less than 0.1% of that gap would be closed (4 people)" in tiny[1]
    assert tiny[2] == (
        "That addition equals 0.0 months of the recent net growth (25,000 people a month)."
    )
    whole = scenario_sentences(facts("en", enforcement=_enforcement(0.1, 5_000.0)), "en")
    assert whole[1] == "If every employer on the list complied, that gap would be closed."


def test_scenario_in_words_states_a_registry_smaller_than_the_public_count():
    capacity = table("capacity", [{
        "n_registry": 8158, "capacity": 639, "rule": "public_scaled",
        "registered_employers": 46895.0,
    }])  # fmt: skip
    out = scenario_sentences(
        facts("id", enforcement=_enforcement(2.0, 5_000.0), capacity=capacity), "id"
    )
    assert out[-1] == (
        "Register yang dipakai memuat 8.158 badan usaha, sedangkan angka publik mencatat "
        "46.895 badan usaha terdaftar: dampak penegakan yang sebenarnya bisa lebih besar."
    )
    assert scenario_sentences(facts("id"), "id") == []  # no enforcement table: nothing said


def test_a_target_the_model_only_probably_passed_is_not_called_passed():
    from perjaka_analysis.forecast import STATUS_ABOVE_MODELLED as ABOVE_MODELLED
    from perjaka_analysis.render.brief import Brief

    targets = table("targets", [
        {"target_pct": 95.0, "status": ABOVE_MODELLED},  # every path above on as_of
        {"target_pct": 98.0, "status": ABOVE_MODELLED, "date_upper_80": T("2025-10-01")},
    ])  # fmt: skip
    rows = str(Brief(facts("id", targets=targets)).forecast()).split("<tr>")[2:]
    assert "diperkirakan sudah di atas target (menurut model)" in rows[0]
    assert "kemungkinan sudah di atas target (menurut model, belum pasti)" in rows[1]
    assert "paling lambat Oktober 2025" in rows[1]


def test_a_target_a_published_figure_passed_has_no_model_probability_beside_it():
    from perjaka_analysis.forecast import STATUS_ABOVE
    from perjaka_analysis.render.brief import Brief

    targets = table("targets", [
        {"target_pct": 98.0, "status": STATUS_ABOVE, "expected_date": T("2025-05-31"),
         "prob_by_deadline": 0.93},
        {"target_pct": 99.0, "status": "expected", "expected_date": T("2027-03-01"),
         "prob_by_deadline": 0.62},
    ])  # fmt: skip
    rows = str(Brief(facts("en", targets=targets)).forecast()).split("<tr>")[2:]
    cells = [r.split('<td class="num">')[1].split("</td>")[0] for r in rows]
    # "already above target" by a published figure: reached, whatever the model's paths say
    assert cells == ["–", "62%"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_pace_of_the_last_year_below_zero_reads_as_a_fall_with_the_trends_two_ends(lang):
    from perjaka_analysis.forecast import STATUS_ABOVE
    from perjaka_analysis.render.brief import Brief

    # the model trend fell from 100.68% to 100.52% of 10,700,000 residents over the year:
    # 0.16 points = 17,120 people, 1,427 a month; the estimate today stays above the figure
    fall = {
        "recent_per_month": -0.16 / 100 * 10_700_000 / 12,
        "recent_from_pct": 100.68,
        "recent_to_pct": 100.52,
    }
    rise = {"recent_per_month": 13_869.0, "recent_from_pct": 95.1, "recent_to_pct": 96.8}
    targets = table("targets", [
        {"target_pct": 95.0, "status": STATUS_ABOVE, "expected_date": T("2024-03-31"), **fall},
        {"target_pct": 98.0, "status": STATUS_ABOVE, "expected_date": T("2024-03-31"), **fall},
    ])  # fmt: skip
    html = str(Brief(facts(lang, targets=targets)).forecast())
    cells = [r.split("</td>")[-2].split(">", 1)[1] for r in html.split("<tr>")[2:]]
    down = (
        "turun 1.427 (tren model 100,7% → 100,5%)"
        if lang == "id"
        else "down 1,427 (model trend 100.7% → 100.5%)"
    )
    assert cells == [down, down]
    assert "-1" not in html and "−1" not in html
    note = "Laju turun: tren model pada akhir data lebih rendah" if lang == "id" else (
        "Pace down: the model trend at the end of the data is lower")  # fmt: skip
    assert note in unescape(html)
    # a rising pace keeps its number alone, and no note about a fall
    targets = table("targets", [
        {"target_pct": 98.0, "status": "expected", "expected_date": T("2026-11-01"), **rise},
    ])  # fmt: skip
    html = str(Brief(facts(lang, targets=targets)).forecast())
    assert (
        html.split("<tr>")[2].split("</td>")[-2].endswith(">13.869" if lang == "id" else ">13,869")
    )
    assert note not in unescape(html)


def test_a_figure_dated_only_to_a_year_is_dated_so_under_the_chart():
    from perjaka_analysis.render.message import chart_caption

    of_2024 = table("places", [{
        "latest_pct": 100.3, "latest_source": "manado.antaranews.com", "latest_qualifier": "",
        "latest_decimals": 1, "latest_precision": "year", "latest_date": T("2024-12-31"),
        "latest_age_months": 11.0, "basis": "own data",
    }])  # fmt: skip
    caption = chart_caption(facts("id", places=of_2024), "id")
    assert "terdaftar: 100,3%, 2024 (manado.antaranews.com)" in caption


def test_the_scenario_says_how_many_must_resume_paying_where_the_active_share_is_own():
    # A: 1,000,000 residents, active nowcast 76.44% (80% interval 62.34 - 88.1) of its own
    # figures, condition 80%: 3.56 points = 35,600 people, 0 - 17.66 points = 0 - 176,600;
    # to the thousand (half-width 88,300): 36,000 (0 - 177,000)
    f = with_card(facts("id", enforcement=_enforcement(0.0, 500.0), active_nowcast=own_active()))
    out = scenario_sentences(f, "id")
    assert out[-1].startswith(
        "Syarat kepesertaan aktif (80%) belum terpenuhi menurut perkiraan (76,4%): sekitar "
        "36.000 jiwa (interval 80%: 0 – 177.000) perlu kembali aktif membayar iuran."
    )
    # borrowed from other provinces (the fixture's default): no number is given
    assert not any("kembali aktif" in s for s in scenario_sentences(
        with_card(facts("id", enforcement=_enforcement(0.0, 500.0))), "id"))  # fmt: skip


def _uhc_now(prob_now: float) -> pd.DataFrame:
    return table("uhc", [{
        "condition": "UHC definition (2024-)", "registered_pct": 98.0, "active_pct": 80.0,
        "prob_now": prob_now, "prob_by_deadline": 0.97, "prob_registered": 0.99,
        "prob_active": 0.97, "expected_date": T("2024-12-01"),
        "date_lower_80": pd.NaT, "date_upper_80": pd.NaT, "binding": "neither",
    }])  # fmt: skip


def test_a_place_where_no_condition_binds_is_not_said_to_meet_both_later():
    # both already met on the brief's date (prob_now 0.95): "met together" would misread it
    out = uhc_sentences(facts("en", active_nowcast=own_active(), uhc=_uhc_now(0.95)), "en")
    assert out[-1] == (
        "No condition binds: both are expected to be met at the same time (or already are)."
    )
    out = uhc_sentences(facts("id", active_nowcast=own_active(), uhc=_uhc_now(0.95)), "id")
    assert out[-1].startswith("Tidak ada syarat penentu:")


def test_uhc_met_already_is_said_in_the_words_of_its_probability():
    # 52% on the brief's date is a coin toss, not "very likely met"
    out = uhc_sentences(facts("en", active_nowcast=own_active(), uhc=_uhc_now(0.52)), "en")
    assert out[1] == "Both conditions met by 31 December 2029: almost certainly (97%)."
    assert out[2] == (
        "Both conditions already met on 31 December 2024: about as likely as not (52%)."
    )
    assert not any("very likely" in s or "most likely" in s for s in out)
    out = uhc_sentences(facts("id", active_nowcast=own_active(), uhc=_uhc_now(0.52)), "id")
    assert out[2] == (
        "Kedua syarat sudah terpenuhi pada 31 Desember 2024: sama mungkinnya dengan tidak (52%)."
    )
    # "almost certainly" from 0.95 on the brief's date
    out = uhc_sentences(facts("en", active_nowcast=own_active(), uhc=_uhc_now(0.95)), "en")
    assert out[2] == "Both conditions already met on 31 December 2024: almost certainly (95%)."
    out = uhc_sentences(facts("en", active_nowcast=own_active(), uhc=_uhc_now(0.94)), "en")
    assert out[2] == "Both conditions already met on 31 December 2024: very likely (94%)."


def test_a_status_report_makes_the_uhc_probability_assessable():
    reported = table("active_nowcast", [{
        "date": T("2024-12-31"), "mean": 83.0, "lower": 80.5, "upper": 88.1, "level": 80,
        "basis": "pooled (no data) + UHC status (1 report)", "n_points": 0,
    }])  # fmt: skip
    out = uhc_sentences(facts("en", active_nowcast=reported), "en")
    assert out[1] == "Both conditions met by 31 December 2029: about as likely as not (58%)."
    assert not any("cannot be assessed" in s for s in out)


def test_the_scenario_says_the_status_cards_number_of_people_to_resume_paying():
    f = with_card(facts("id", enforcement=_enforcement(0.0, 500.0), active_nowcast=own_active()))
    card = f.rows("card")
    # 3.56 points of 1,000,000 = 35,600, to the thousand its interval supports; the card's
    # number is the one said
    assert card["people_to_resume"].tolist() == [36_000.0]
    carded = facts(
        "id", enforcement=_enforcement(0.0, 500.0), active_nowcast=own_active(),
        card=card.assign(people_to_resume=35_000.0),
    )  # fmt: skip
    assert (
        "sekitar 35.000 jiwa (interval 80%: 0 – 177.000) perlu kembali aktif"
        in (scenario_sentences(carded, "id")[-1])
    )
    # none to the hundred (or the condition met): no sentence
    carded = facts(
        "id", enforcement=_enforcement(0.0, 500.0), active_nowcast=own_active(),
        card=card.assign(people_to_resume=0.0),
    )  # fmt: skip
    assert not any("kembali aktif" in s for s in scenario_sentences(carded, "id"))


def test_the_status_card_marks_a_registered_figure_older_than_twelve_months():
    """A's figure of April 2021 is 44 months old on the brief's date: the card says so."""
    from perjaka_analysis.card import compute_status_card
    from perjaka_analysis.render.brief import Brief

    def card_of(age_months: float) -> str:
        f = facts("id", active_nowcast=own_active())
        places = f.rows("places").assign(latest_age_months=age_months)
        card = compute_status_card(
            places, f.rows("nowcast"), f.rows("active_nowcast"), f.rows("active_latest"),
            f.rows("uhc"),
        )  # fmt: skip
        g = facts("id", active_nowcast=own_active(), places=places, card=card)
        g.meta["registry_synthetic"] = False
        html = str(Brief(g).title())
        return html[html.index('class="card"') : html.index("</div>\n</div>")]

    old, fresh = card_of(44.0), card_of(3.0)
    assert '<span class="old" title="angka terakhir lebih dari 12 bulan">April 2021 ⚠</span>' in old
    assert "April 2021" in fresh and "⚠" not in fresh


def test_every_probability_in_the_targets_and_scenario_tables_is_never_shown_as_certain():
    from perjaka_analysis.render import environment
    from perjaka_analysis.render.brief import Brief

    targets = table("targets", [
        {"target_pct": 95.0, "status": STATUS_EXPECTED, "prob_by_deadline": 1.0},
        {"target_pct": 98.0, "status": STATUS_EXPECTED, "prob_by_deadline": 0.0},
    ])  # fmt: skip
    for lang, top, bottom in (("en", "> 99%", "< 1%"), ("id", "> 99%", "< 1%")):
        html = str(Brief(facts(lang, targets=targets)).forecast())
        cells = re.findall(r'<td class="num">([^<]*)</td>', html)
        assert top in {c.replace("&gt;", ">").replace("&lt;", "<") for c in cells}
        assert bottom in {c.replace("&gt;", ">").replace("&lt;", "<") for c in cells}
        assert "100%" not in html and ">0%" not in html
        # the scenario's "before → after" and the overview's columns use the same filter
        prob = environment(lang).filters["prob"]
        assert (prob(0.9996), prob(0.003), prob(0.52)) == (top, bottom, "52%")


def test_the_uhc_cell_of_the_card_labels_each_probability_and_the_status_report_has_its_own_row():
    from perjaka_analysis.render.brief import Brief

    status = table("status_report", [{
        "date": T("2023-06-30"), "date_precision": "day", "status": "below_95pct",
        "award_category": None, "criterion": "registered", "threshold_pct": 95.0,
        "active_threshold_pct": None, "joint": False, "former_rule": True,
        "source_url": "https://bisnis.example/1",
        "publisher": "financial.bisnis.com", "published": T("2024-01-08"),
        "published_precision": "day",
    }])  # fmt: skip
    f = with_card(facts("en", active_nowcast=own_active()))
    g = facts("en", active_nowcast=own_active(), card=f.rows("card"), status_report=status)
    g.meta["registry_synthetic"] = False
    html = str(Brief(g).title())
    card = html[html.index('class="card"') :]
    uhc = card[card.index('class="cell uhc"') : card.index("</div>", card.index("cell uhc"))]
    # each probability under its own label, not "today: ..." run together in bold; the
    # first dated on the brief's date
    from perjaka_analysis.render import environment

    as_of = environment("en").filters["date"](g.config.as_of)
    assert re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", uhc) == [
        (f"on {as_of}", "very unlikely (10%)"),
        ("by 31 December 2029", "about as likely as not (58%)"),
    ]
    assert "financial.bisnis.com" not in uhc  # the status report is not squeezed in the cell
    report = re.search(r'<p class="sub report">(.*?)</p>', card).group(1)
    # a report of 2023 is under the rule of its time, and says so
    assert (
        "Latest UHC status report:</span> <strong>not UHC</strong> under the rule before 2024"
        in report
    )
    assert "the rule then: ≥ 95% registered; no report under today's rule" in unescape(report)
    assert "30 June 2023 ⚠" in report and "criterion:" not in report
    public = str(Brief(g).public())
    line = re.search(r'<p class="status-report">(.*?)</p>', public).group(1)
    assert line == report[report.index("<strong>") :]
    g = facts("id", active_nowcast=own_active(), card=f.rows("card"), status_report=status)
    g.meta["registry_synthetic"] = False
    public = str(Brief(g).public())
    assert "<strong>belum UHC</strong> menurut kriteria sebelum 2024 (" in public
    assert (
        "kriteria saat itu: ≥ 95% terdaftar; belum ada laporan menurut kriteria sekarang" in public
    )


def test_the_source_list_names_an_active_share_and_its_basis_before_its_value():
    from perjaka_analysis.render.brief import Brief

    sources = table("sources", [
        {"date": T("2025-05-31"), "date_precision": "day", "measure": "active_unclear",
         "coverage_pct": 74.0, "source_url": "https://kilnas.com/x", "publisher": "kilnas.com",
         "qualifier": "", "decimals": 0},
        {"date": T("2022-03-28"), "date_precision": "month", "measure": "active_of_participants",
         "coverage_pct": 74.0, "source_url": "", "publisher": "rejogja.republika.co.id",
         "qualifier": "", "decimals": 0},
    ])  # fmt: skip

    def method(lang: str) -> str:
        f = facts(lang, sources=sources)
        f.meta.update(registry_synthetic=False, trend_method="saturation",
                      data_end="2025-05-31", package_version="0")  # fmt: skip
        return visible(str(Brief(f).method()))

    text_ = method("en")
    assert "31 May 2025 — active share (basis unclear) 74% (source: kilnas.com)" in text_
    assert "March 2022 — active share of participants 74% (source:" in text_
    text_ = method("id")
    assert "31 Mei 2025 — kepesertaan aktif (dasar tidak jelas) 74% (sumber: kilnas.com)" in text_


def visible(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_a_registration_estimate_without_a_figure_of_its_own_is_drawn_as_borrowed():
    from perjaka_analysis.render.brief import Brief

    def value_classes(f: ProvinceFacts) -> list[str]:
        f.meta["registry_synthetic"] = False
        return re.findall(r'<p class="(v[^"]*)">', str(Brief(f).title()))

    own = with_card(facts("en", active_nowcast=own_active()))
    assert value_classes(own)[0] == "v"  # its own figure of April 2021
    places = facts("en").rows("places").assign(latest_pct=float("nan"), basis_kind="none")
    none = with_card(facts("en", active_nowcast=own_active(), places=places))
    assert value_classes(none)[0] == "v borrowed"
