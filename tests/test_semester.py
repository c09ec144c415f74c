"""The semester report: figures by hand, the command end to end, the simulated loop."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from conftest import chromium
from perjaka_analysis.cli import main
from perjaka_analysis.employers import generate_registry
from perjaka_analysis.employers.loop import simulate_loop, simulate_visits
from perjaka_analysis.employers.semester import (
    Z95,
    brought_in,
    calibration_summary,
    compute_semester,
    district_change,
    inspection_summary,
    parse_period,
    reliability_table,
    visit_table,
    wilson_interval,
)
from perjaka_analysis.errors import PerjakaError
from perjaka_analysis.public_figures import sector_name
from perjaka_analysis.render.semester import reliability_svg, render_semester_html
from perjaka_analysis.semester import read_period_inputs
from tests.test_language import WORD, foreign_words, visible_text


def test_wilson_interval_by_hand():
    # k = 8, n = 10, z = 1.96: p = 0.8, z^2 = 3.8415; centre = (0.8 + 0.19207) / 1.38415
    # = 0.71673; half = 1.96 / 1.38415 * sqrt(0.016 + 0.0096) = 1.41602 * 0.16 = 0.22656
    lower, upper = wilson_interval(8, 10)
    assert lower == pytest.approx(0.71673 - 0.22656, abs=1e-4)
    assert upper == pytest.approx(0.71673 + 0.22656, abs=1e-4)
    # 0 of 5: the interval starts at 0 and is not empty
    lower, upper = wilson_interval(0, 5)
    assert lower == 0.0 and 0.4 < upper < 0.45


def test_periods_are_semesters_or_quarters_and_anything_else_is_named():
    assert parse_period("2026-s2") == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-12-31"))
    assert parse_period("2024-Q1") == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31"))
    for bad in ("2026", "2026-S3", "S1-2026", "2026-06"):
        with pytest.raises(PerjakaError, match="YYYY-S1"):
            parse_period(bad)


def _plan() -> pd.DataFrame:
    """Five listed employers of one plan in two provinces."""
    return pd.DataFrame(
        {
            "pseudonym": ["a", "b", "c", "d", "e"],
            "inspection_list": "PLAN-1",
            "model_version": "m1",
            "data_date": "2026-01-01",
            "province": ["Bali", "Bali", "Bali", "Banten", "Banten"],
            "district": ["Kota Denpasar", "Kota Denpasar", "Kabupaten Badung", "Kota Serang",
                         "Kota Serang"],
            "selection": ["ranked", "ranked", "random", "ranked", "random"],
            "inclusion_probability": [1.0, 1.0, 0.01, 1.0, 0.02],
            "risk": [0.8, 0.6, 0.1, 0.7, 0.2],
            "expected_unregistered_workers": [4.0, 2.0, 0.5, 6.0, 1.0],
            "expected_unregistered_dependants": [5.0, 2.6, 0.7, 7.8, 1.3],
            "arrears_idr": [1e6, 0.0, 0.0, 2e6, 0.0],
        }
    )  # fmt: skip


def _registry() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": ["E", "D", "C", "B", "A", "Z"],
            "workers_registered": [10, 20, 5, 3, 7, 99],
            "dependants_registered": [12, 25, 6, 4, 9, 0],
        }
    )


def _outcomes() -> pd.DataFrame:
    """a, b, c, d visited in 2026-S1; e visited in July (another period)."""
    return pd.DataFrame(
        {
            "employer": ["a", "b", "c", "d", "e"],
            "inspection_list": "PLAN-1",
            "inspected_on": pd.to_datetime(
                ["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-07-02"]
            ),
            "noncompliant": [1, 0, 1, 1, 1],
            "workers_registered_after": [11.0, 3.0, np.nan, 26.0, 12.0],
            "dependants_registered_after": [10.0, 4.0, 6.0, 30.0, 12.0],
            "arrears_recovered_idr": [5e5, np.nan, np.nan, 2e6, 0.0],
            "referred_to_prosecutor": [0, 0, 1, 1, 0],
        }
    )


@pytest.fixture
def visits() -> pd.DataFrame:
    ids = _registry()["employer_id"].str.lower()  # the plan's names of the registry rows
    start, end = parse_period("2026-S1")
    return visit_table(_plan(), _outcomes(), _registry(), ids, start=start, end=end)


def test_visit_table_joins_plan_registry_and_outcomes_of_the_period(visits):
    assert visits["employer"].tolist() == ["a", "b", "c", "d", "e"]
    assert visits["workers_before"].tolist() == [7, 3, 5, 20, 10]
    assert visits["visited"].tolist() == [True, True, True, True, False]
    assert visits["outside"].tolist() == [False, False, False, False, True]
    assert np.isnan(visits.loc[4, "noncompliant"])  # July is not in 2026-S1


def test_summary_by_hand(visits):
    s = inspection_summary(visits, k=1).set_index("province")
    bali, banten, nation = s.loc["Bali"], s.loc["Banten"], s.loc["INDONESIA"]
    # Bali: 3 planned, 3 visited; ranked a (1), b (0); random c (1)
    assert (bali["planned"], bali["visited"], bali["ranked_visited"], bali["ranked_found"]) == (
        3, 3, 2, 1
    )  # fmt: skip
    assert bali["ranked_rate"] == 0.5 and bali["random_rate"] == 1.0
    assert (bali["ranked_lower"], bali["ranked_upper"]) == pytest.approx(wilson_interval(1, 2))
    # workers: a 7 -> 11 (+4, noncompliant), b 3 -> 3 (compliant: no ordinary change),
    # c not recorded; expected 4 + 2 = 6
    assert (bali["workers_recorded"], bali["workers_brought_in"]) == (2, 4.0)
    assert bali["workers_expected"] == 6.0
    # family: a 9 -> 10 and c 6 -> 6 (noncompliant), b 4 -> 4: +1 against 5 + 2.6 + 0.7
    assert bali["dependants_brought_in"] == 1.0
    assert bali["dependants_expected"] == pytest.approx(8.3)
    # arrears: only a recorded: 1,000,000 due, 500,000 paid; c referred
    assert (bali["arrears_due_idr"], bali["arrears_recovered_idr"]) == (1e6, 5e5)
    assert bali["referred"] == 1
    # Banten: d visited (20 -> 26), e visited in July: not counted, named as outside
    assert (banten["planned"], banten["visited"], banten["outside"]) == (2, 1, 1)
    assert banten["workers_brought_in"] == 6.0 and np.isnan(banten["random_rate"])
    assert banten["random_visited"] == 0
    # the nation: 5 planned, 4 visited, 3 found, +10 workers against 12 expected
    assert (nation["planned"], nation["visited"], nation["found"]) == (5, 4, 3)
    assert (nation["workers_brought_in"], nation["workers_expected"]) == (10.0, 12.0)
    assert nation["done_rate"] == 0.8 and nation["referred"] == 2


def test_provinces_of_fewer_than_k_visits_are_pooled_and_the_totals_kept(visits):
    # 2026-S1: Bali 3 visits (a, b, c), Banten 1 (d; e is in July)
    every = inspection_summary(visits, k=1)
    pooled = inspection_summary(visits, k=4)  # both pooled: 4 visits, shown in full
    assert pooled[["province", "pooled", "provinces", "suppressed", "planned", "visited"]
                  ].values.tolist() == [["", True, 2, False, 5, 4],
                                        ["INDONESIA", False, 2, False, 5, 4]]  # fmt: skip
    pool = pooled.iloc[0]
    # ranked a (1), b (0), d (1) and random c (1): 3 of 4 found; the split (3 and 1
    # employers), the workers (a and d recorded) and the arrears (a, d) are parts of fewer
    # than 4 employers: hidden, the split on both sides
    assert (pool["ranked_visited"], pool["random_visited"], pool["found"]) == (3, 1, 3)
    parts = ["ranked_found", "ranked_rate", "random_found", "random_rate", "workers_brought_in",
             "arrears_recovered_idr"]  # fmt: skip
    assert pool[parts].isna().all() and pool["parts_hidden"]
    # the same employers without the rule (the nation at k = 1): ranked 2 of 3; workers +4 (a)
    # and +6 (d); arrears 500,000 + 2,000,000
    whole = every.iloc[-1]
    assert (whole["ranked_found"], whole["workers_brought_in"]) == (2, 10.0)
    assert whole["ranked_rate"] == pytest.approx(2 / 3)
    assert whole["arrears_recovered_idr"] == 2.5e6 and not whole["parts_hidden"]
    shown = ["planned", "visited", "found", "hit_rate", "referred", "ranked_visited",
             "random_visited"]  # fmt: skip
    pd.testing.assert_series_equal(
        pooled.iloc[-1][shown], whole[shown], check_dtype=False, check_names=False
    )  # the nation counts every visit, pooled or not
    assert pooled["joined"].tolist() == [0, 0]
    # Banten alone (1 visit) would be Indonesia minus Bali: Bali (3) joins the pool
    joined = inspection_summary(visits, k=2)
    assert joined[["province", "pooled", "provinces", "joined", "suppressed", "visited"]
                  ].values.tolist() == [["", True, 2, 1, False, 4],
                                        ["INDONESIA", False, 2, 0, False, 4]]  # fmt: skip
    # every province pooled and still under k: its counts of inspections only
    few = inspection_summary(visits, k=5).set_index("province")
    pool = few.loc[""]
    assert pool["suppressed"] and pool["provinces"] == 2
    assert (pool["planned"], pool["visited"], pool["done_rate"], pool["outside"]) == (5, 4, 0.8, 1)
    hidden = ["found", "hit_rate", "ranked_found", "ranked_rate", "ranked_lower", "ranked_upper",
              "workers_expected", "workers_brought_in", "workers_lower", "arrears_due_idr",
              "arrears_recovered_idr", "referred"]  # fmt: skip
    assert pool[hidden].isna().all()


def test_the_national_page_names_no_province_of_fewer_than_5_visits(visits):
    facts = compute_semester(visits, period="2026-S1")  # Bali 3 and Banten 1: a pool of 4
    assert facts.summary["province"].tolist() == ["", "INDONESIA"]
    assert {"pooled_provinces", "pooled_suppressed"} <= set(facts.notes)
    for lang, label, note in (
        ("en", "Other provinces (2, fewer than 5 employers visited each)",
         "That pool too has fewer than 5"),
        ("id", "Provinsi lain (2, masing-masing kurang dari 5 badan usaha diperiksa)",
         "Gabungan itu pun kurang dari 5"),
    ):  # fmt: skip
        page = visible_text(render_semester_html(facts, lang))
        assert page.count(label) == 3, lang  # inspections done, hit rates, results
        assert note in page and "Bali" not in page and "Banten" not in page
        assert "– – –" not in page  # a missing interval is one dash
    html = render_semester_html(facts, "en")
    pool_row = html[html.index("Other provinces (2,") :].partition("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', pool_row) == ["5", "4", "80%", "–", "–"]
    # a province's own report still shows its total
    banten = compute_semester(visits, period="2026-S1", province="Banten").national
    assert (banten["province"], banten["visited"], banten["found"]) == ("Banten", 1, 1)


def test_ordinary_hiring_and_leaving_is_not_counted_as_brought_in():
    # compliant employer 100 -> 102 (+2%: ordinary); noncompliant 50 -> 60: of its +10,
    # 2% of 50 = 1 is ordinary, 9 brought in by the visit
    v = pd.DataFrame({"province": "Bali", "selection": "ranked", "visited": True,
                      "outside": False, "noncompliant": [0.0, 1.0],
                      "workers_before": [100.0, 50.0], "workers_after": [102.0, 60.0],
                      "expected_workers": [0.0, 8.0], "dependants_before": np.nan,
                      "dependants_after": np.nan, "expected_dependants": 0.0,
                      "arrears_idr": 0.0, "arrears_recovered_idr": np.nan,
                      "referred": 0.0})  # fmt: skip
    row = inspection_summary(v, k=1).iloc[-1]
    assert row["workers_change"] == 12.0 and row["workers_ordinary_rate"] == 0.02
    assert row["workers_brought_in"] == pytest.approx(9.0)
    assert row["dependants_recorded"] == 0 and row["dependants_brought_in"] == 0.0


def test_brought_in_and_its_standard_error_by_hand():
    # compliant: 10 -> 11 and 30 -> 31 (r = 2 / 40 = 0.05; residuals 1 - 0.5 = 0.5 and
    # 1 - 1.5 = -0.5; phi = 2 / 1 * 0.5 / 40 = 0.025); noncompliant 20 -> 28: 8 - 0.05 * 20 = 7;
    # variance 0.025 * 20 * (1 + 20 / 40) = 0.75
    e = brought_in(np.array([10, 30, 20]), np.array([11, 31, 28]), np.array([0, 0, 1]))
    assert e["change"] == 10.0 and e["ordinary_rate"] == pytest.approx(0.05)
    assert e["brought_in"] == pytest.approx(7.0)
    assert e["standard_error"] == pytest.approx(np.sqrt(0.75))
    assert (e["lower"], e["upper"]) == pytest.approx(
        (7 - Z95 * np.sqrt(0.75), 7 + Z95 * np.sqrt(0.75))
    )
    # one compliant employer says nothing of the spread: no interval
    one = brought_in(np.array([10, 20]), np.array([11, 28]), np.array([0, 1]))
    assert one["brought_in"] == pytest.approx(6.0) and np.isnan(one["standard_error"])


def test_the_interval_of_brought_in_covers_the_truth_95pct_of_the_time():
    # ordinary change: hires Poisson(0.015 b) minus leavers Binomial(b, 0.015), variance
    # about 0.03 b; the visits brought in 3 workers at each noncompliant employer
    rng = np.random.default_rng(11)
    before = rng.integers(0, 200, 400)
    bad = (rng.random(400) < 0.3).astype(int)
    truth = 3.0 * bad.sum()
    covered, errors = [], []
    for _ in range(2000):
        churn = rng.poisson(0.015 * before) - rng.binomial(before, 0.015)
        e = brought_in(before, before + churn + 3 * bad, bad)
        covered.append(e["lower"] <= truth <= e["upper"])
        errors.append(e["brought_in"] - truth)
    assert abs(np.mean(errors)) < 0.1 * np.std(errors)  # no bias
    assert 0.93 <= np.mean(covered) <= 0.97


def test_calibration_and_districts_by_hand(visits):
    picks = visits[visits["visited"] & (visits["selection"] == "random")]
    cal = calibration_summary(picks["risk"].to_numpy(), picks["noncompliant"].to_numpy())
    # one random pick visited (c, risk 0.1), found noncompliant: 1 found against 0.1 expected
    assert (cal["n"], cal["found"], cal["expected"], cal["ratio"]) == (1, 1.0, 0.1, 10.0)
    table = reliability_table(np.array([0.05, 0.25, 0.28]), np.array([0, 1, 0]))
    assert table[["n", "observed"]].values.tolist() == [[1.0, 0.0], [2.0, 0.5]]
    assert table["mean_risk"].tolist() == pytest.approx([0.05, 0.265])
    d = district_change(visits, k=1).set_index("district")
    # Kota Denpasar: a (7 -> 11) and b (3 -> 3); Kota Serang: d only (e is outside)
    assert d.loc["Kota Denpasar", ["visited", "found", "workers_before", "workers_after"]].tolist(
    ) == [2, 1, 10.0, 14.0]  # fmt: skip
    assert d.loc["Kota Serang", "workers_change"] == 6.0
    assert d.loc["Kabupaten Badung", "workers_before"] == 0.0  # no count recorded after
    assert d.index.tolist() == ["Kota Denpasar", "Kabupaten Badung", "Kota Serang"]


def test_a_part_of_fewer_than_k_employers_within_a_row_is_hidden():
    # Bali: 6 employers visited, 5 ranked (2 found) and 1 random (found): the random
    # pick's finding would be the row's 3 found minus the ranked 2
    v = pd.DataFrame({"province": "Bali", "employer": list("abcdef"),
                      "selection": ["ranked"] * 5 + ["random"], "visited": True,
                      "outside": False, "noncompliant": [1.0, 1.0, 0, 0, 0, 1.0],
                      "workers_before": 10.0, "workers_after": [12.0] * 5 + [np.nan],
                      "expected_workers": 1.0, "dependants_before": 4.0,
                      "dependants_after": [4.0, 5.0, np.nan, np.nan, np.nan, np.nan],
                      "expected_dependants": 1.0, "arrears_idr": 1e6,
                      "arrears_recovered_idr": [5e5] + [np.nan] * 5, "referred": 0.0})  # fmt: skip
    row = inspection_summary(v, k=5).set_index("province").loc["Bali"]
    assert (row["visited"], row["found"], row["ranked_visited"], row["random_visited"]) == (
        6, 3, 5, 1
    )  # fmt: skip
    assert row[["ranked_found", "ranked_rate", "ranked_lower", "random_found", "random_rate",
                "random_upper"]].isna().all()  # fmt: skip
    # five employers recorded, each 10 -> 12: shown (and all of it ordinary, 20% a semester)
    assert row["workers_recorded"] == 5 and row["workers_change"] == 10.0
    assert row["workers_brought_in"] == pytest.approx(0.0)
    assert row["dependants_recorded"] == 2 and np.isnan(row["dependants_brought_in"])
    assert row["arrears_recorded"] == 1 and np.isnan(row["arrears_recovered_idr"])
    assert row["parts_hidden"]
    # a province's own report (k = 1) shows every part
    own = inspection_summary(v, k=1).set_index("province").loc["Bali"]
    assert own["random_found"] == 1 and own["arrears_recovered_idr"] == 5e5


def test_no_band_of_the_reliability_chart_describes_fewer_than_k_employers():
    rng = np.random.default_rng(3)
    for n in (0, 1, 4, 5, 9, 40, 300):
        risk = rng.beta(1, 4, n) if n % 2 else rng.random(n)
        found = (rng.random(n) < risk).astype(float)
        t = reliability_table(risk, found, min_n=5)
        assert t["n"].sum() == n  # every employer in one band
        assert (n < 5 and len(t) <= 1) or (t["n"] >= 5).all(), n
        assert (t["lower_edge"].to_numpy()[1:] >= t["upper_edge"].to_numpy()[:-1]).all()
        band = reliability_table(risk, found)  # the bands of one employer or more, unjoined
        assert len(t) <= len(band)
    # without min_n (a province's own report) every band with an employer stays
    assert (reliability_table(np.array([0.05, 0.9]), np.array([0, 1]))["n"] == 1).all()


def test_a_pool_that_larger_provinces_joined_says_so(visits):
    from dataclasses import replace

    facts = compute_semester(visits, period="2026-S1")
    summary = facts.summary.copy()
    summary.loc[summary["pooled"], "joined"] = 1  # as when a province of 5 or more joined
    joined = replace(facts, summary=summary, notes=[*facts.notes, "pooled_joined"])
    for lang, label, note in (
        ("en", "Other provinces (2, pooled to at least 5 employers visited)",
         "the provinces with the fewest employers visited next joined it"),
        ("id", "Provinsi lain (2, digabung hingga sedikitnya 5 badan usaha diperiksa)",
         "provinsi dengan badan usaha diperiksa paling sedikit berikutnya ikut digabung"),
    ):  # fmt: skip
        page = visible_text(render_semester_html(joined, lang))
        assert page.count(label) == 3 and note in page, lang
        assert "visited each" not in page and "masing-masing kurang" not in page


def test_the_kab_kota_of_pooled_provinces_are_not_shown(visits):
    # Jawa Barat: six visits in Kota Bandung (Bali's three, twice); Banten 1 and Bali 3
    # make a pool of 4, which Jawa Barat joins: its kab/kota row would give it back
    bandung = pd.concat([visits[visits["province"] == "Bali"]] * 2, ignore_index=True)
    bandung = bandung.assign(
        province="Jawa Barat", district="Kota Bandung", employer=[f"j{i}" for i in range(6)]
    )
    facts = compute_semester(pd.concat([visits, bandung], ignore_index=True), period="2026-S1")
    pool = facts.summary[facts.summary["pooled"]].iloc[0]
    assert (pool["provinces"], pool["joined"], pool["visited"]) == (3, 1, 10)
    assert facts.districts.empty or "Jawa Barat" not in set(facts.districts["province"])
    assert "Kota Bandung" not in render_semester_html(facts, "en")
    alone = compute_semester(pd.concat([visits, bandung]), period="2026-S1", province="Jawa Barat")
    assert alone.districts["district"].tolist() == ["Kota Bandung"]  # its own report shows it


def test_an_employer_visited_for_two_plans_counts_once_towards_k():
    # a second plan of the period lists Bali's a and b again, and both are visited for it:
    # Bali has five visits of three employers (Kota Denpasar four of two); Banten and
    # Jawa Barat six employers each. Bali's row and Denpasar's showed five and four visits
    # of the three and two employers
    plan, outcomes = _plan(), _outcomes()
    again = plan[plan["pseudonym"].isin(["a", "b"])].assign(inspection_list="PLAN-2")
    seen = outcomes[outcomes["employer"].isin(["a", "b"])].assign(
        inspection_list="PLAN-2", inspected_on=pd.to_datetime(["2026-05-03", "2026-05-04"])
    )
    start, end = parse_period("2026-S1")
    ids = _registry()["employer_id"].str.lower()
    v = visit_table(pd.concat([plan, again], ignore_index=True),
                    pd.concat([outcomes, seen], ignore_index=True), _registry(), ids,
                    start=start, end=end)  # fmt: skip
    one = v[v["employer"] == "d"]
    six = pd.concat([one] * 6, ignore_index=True).assign(employer=[f"n{i}" for i in range(6)])
    west = six.assign(province="Jawa Barat", district="Kota Bandung",
                      employer=[f"w{i}" for i in range(6)])  # fmt: skip
    v = pd.concat([v[v["province"] == "Bali"], six, west], ignore_index=True)
    assert (v["province"] == "Bali").sum() == 5 and v["visited"].all()
    facts = compute_semester(v, period="2026-S1")
    # Bali (3 employers) pooled; the next smallest, Banten (6), joins it
    assert facts.summary[["province", "pooled", "provinces", "joined", "visited"]
                         ].values.tolist() == [["Jawa Barat", False, 1, 0, 6],
                                               ["", True, 2, 1, 11],
                                               ["INDONESIA", False, 3, 0, 17]]  # fmt: skip
    assert set(facts.districts["province"]) == {"Jawa Barat"}
    for lang in ("id", "en"):
        page = visible_text(render_semester_html(facts, lang))
        assert "Bali" not in page and "Denpasar" not in page, lang
    # in Bali's own report, Kota Denpasar (two employers) and Badung (one) are left out
    bali = compute_semester(v, period="2026-S1", province="Bali")
    assert bali.districts.empty
    d = district_change(v[v["province"] == "Bali"], k=3)  # three employers: one pooled row
    assert d[["district", "pooled", "districts", "visited"]].values.tolist() == [["", True, 2, 5]]


def test_districts_of_fewer_than_k_visits_are_pooled_or_left_out(visits):
    # Bali: Kota Denpasar 2 visits (a, b), Kabupaten Badung 1 (c); Banten: Kota Serang 1 (d)
    d = district_change(visits, k=2)
    # Badung alone (1 visit) would be Bali's total minus Denpasar: Denpasar joins it;
    # Serang alone (1) is Banten's only district: left out
    assert d[["province", "district", "pooled", "districts", "visited"]].values.tolist() == [
        ["Bali", "", True, 2, 3]
    ]
    pooled = district_change(visits, k=3)  # Denpasar and Badung pooled: 3 visits
    assert pooled[["province", "district", "pooled", "districts", "visited"]].values.tolist() == [
        ["Bali", "", True, 2, 3]
    ]
    assert pooled["workers_before"].iloc[0] == 10.0  # a and b recorded (7 + 3), c not
    assert district_change(visits, k=4).empty


def test_the_equity_table_compares_the_plans_with_the_employers_they_can_list(visits):
    # four employers; the 5–19 one of risk 0.9 was inspected before: no plan can list it
    scored = pd.DataFrame({"province": "Bali", "sector": "C",
                           "size_band": ["1–4", "1–4", "5–19", "5–19"],
                           "risk": [0.2, 0.4, 0.6, 0.9], "on_list": [True, False, False, False],
                           "inspected": [False, False, False, True]})  # fmt: skip
    facts = compute_semester(visits, period="2026-S1", scored=scored)
    size = facts.equity[facts.equity["grouping"] == "size_band"].set_index("group")
    assert size["registry_n"].tolist() == [2, 1]
    assert size["registry_share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert size.loc["5–19", "outcome_rate"] == pytest.approx(0.6)  # not (0.6 + 0.9) / 2


def test_the_report_is_dated_by_its_data_under_the_title(visits):
    # visits in 2026-S1: a 1 February, b 1 March, c 1 April (Bali), d 1 May (Banten); e on
    # 2 July is outside the period and does not date the report; the plan's data: 1 January
    facts = compute_semester(visits, period="2026-S1")
    assert facts.latest_finding == pd.Timestamp("2026-05-01")
    header = {lang: unescape(render_semester_html(facts, lang).partition("</header>")[0])
              for lang in ("id", "en")}  # fmt: skip
    assert "Data per 1 Mei 2026 (temuan terakhir yang tercatat dalam periode ini); data " \
        "rencana per 1 Januari 2026." in header["id"]  # fmt: skip
    assert "Data as of 1 May 2026 (the latest finding recorded in the period); the plans' " \
        "data as of 1 January 2026." in header["en"]  # fmt: skip
    bali = compute_semester(visits, period="2026-S1", province="Bali")
    assert "Data as of 1 April 2026 " in render_semester_html(bali, "en")
    # a second plan with a later data date is named too; without a visit, no finding dates it
    later = visits.assign(inspection_list="PLAN-2", data_date="2026-03-31", visited=False)
    both = compute_semester(pd.concat([visits, later]).query("inspection_list == 'PLAN-2'"),
                            period="2026-S1")  # fmt: skip
    assert both.latest_finding is None
    assert "No finding recorded in the period yet; the plans' data as of 31 March 2026." in (
        unescape(render_semester_html(both, "en"))
    )
    two = compute_semester(pd.concat([visits, later]), period="2026-S1")
    assert "data as of 1 January 2026, 31 March 2026." in render_semester_html(two, "en")


#: A rupiah amount as the semester report shows it, with its scale word if any.
RUPIAH = re.compile(r"Rp\s?([\d.,]+)(?:\s(juta|miliar|triliun|million|billion|trillion))?")


def _three_significant(number: str, word: str | None) -> bool:
    """``12,3`` with a scale word, or ``749.000`` without: three significant digits."""
    digits = re.sub(r"[.,]", "", number).lstrip("0")
    if word:
        return len(digits) == 3
    return digits == "" or (len(digits) >= 3 and set(digits[3:]) <= {"0"})


def test_rupiah_amounts_read_alike_in_both_languages(visits):
    # Bali: 1,000,000 on the plan, 500,000 recovered; Banten: 2,000,000 and 2,000,000
    bali = compute_semester(visits, period="2026-S1", province="Bali")
    page = {lang: render_semester_html(bali, lang) for lang in ("id", "en")}
    assert ">Rp 1,00 juta<" in page["id"] and ">Rp 500.000<" in page["id"]
    assert ">Rp 1.00 million<" in page["en"] and ">Rp 500,000<" in page["en"]
    banten = compute_semester(visits, period="2026-S1", province="Banten")
    assert ">Rp 2.00 million<" in render_semester_html(banten, "en")


def test_every_rupiah_amount_of_the_report_has_three_significant_digits(period_files):
    folder, _, _, _ = period_files
    reg, plan, found, ids, _ = read_period_inputs(
        folder / "registry.csv", [folder / "plan.csv"], [folder / "outcomes.csv"]
    )
    start, end = parse_period("2025-S2")
    facts = compute_semester(visit_table(plan, found, reg, ids, start=start, end=end),
                             period="2025-S2")  # fmt: skip
    for lang, words in (("id", {"juta", "miliar", "triliun"}),
                        ("en", {"million", "billion", "trillion"})):  # fmt: skip
        shown = RUPIAH.findall(visible_text(render_semester_html(facts, lang)))
        assert len(shown) > 10 and any(word for _, word in shown)
        uneven = [f"Rp {n} {w}" for n, w in shown if not _three_significant(n, w)]
        assert not uneven, (lang, uneven)
        assert {w for _, w in shown if w} <= words, lang


def test_an_employer_of_the_plans_missing_from_the_registry_is_named():
    start, end = parse_period("2026-S1")
    ids = pd.Series(["a", "b"])
    with pytest.raises(PerjakaError, match="not in the registry"):
        visit_table(_plan(), _outcomes(), _registry().head(2), ids, start=start, end=end)


# -- the loop, simulated --------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_workers_brought_in_by_the_report_are_within_5pct_of_the_simulated_truth(seed):
    registry = generate_registry(4000, seed=seed, selective=True).frame
    loop = simulate_loop(registry, periods=("2025-S2",), capacity=25, seed=seed)
    row = loop.history.iloc[0]
    assert row["workers_truth"] > 100  # the visits brought in enough to measure
    assert abs(row["workers_reported"] / row["workers_truth"] - 1) <= 0.05
    # the report counts the visited employers of the plan, and only them
    assert row["visited"] == loop.facts[0].national["visited"] < row["planned"]


def test_simulated_visits_follow_the_truth():
    registry = generate_registry(2000, seed=3).frame
    plan = registry.head(300).assign(inspection_list="P")
    out, truth = simulate_visits(
        registry, plan, start=pd.Timestamp("2025-07-01"), rng=np.random.default_rng(0),
        visited_share=1.0, turnover=0.0,
    )  # fmt: skip
    true = registry.head(300)["true_noncompliant"].to_numpy()
    assert (out["noncompliant"].to_numpy() == true).all()
    before = registry.head(300)["workers_registered"].to_numpy()
    # without turnover the count after the visit is the count before plus what it brought in
    assert (out["workers_registered_after"].to_numpy() - before == truth["brought_in"]).all()
    assert (truth["brought_in"][true == 0] == 0).all()
    deps = registry.head(300)["dependants_registered"].fillna(0).to_numpy()
    assert (out["dependants_registered_after"].to_numpy() - deps
            == truth["dependants_brought_in"]).all()  # fmt: skip


def test_family_members_come_and_go_with_the_workers():
    # an employer of 100 workers and 150 family members (1.5 a worker): each worker hired
    # or gone over the three months brings or takes 1.5 family members
    registry = pd.DataFrame({"employer_id": ["a"], "true_noncompliant": [0],
                             "workers_registered": [100], "workers_reported": [100],
                             "dependants_registered": [150], "arrears_idr": [0.0]})  # fmt: skip
    plan = pd.DataFrame({"employer_id": ["a"], "inspection_list": ["P"]})
    churns = []
    for seed in range(5):
        out, truth = simulate_visits(registry, plan, start=pd.Timestamp("2025-07-01"),
                                     rng=np.random.default_rng(seed), visited_share=1.0,
                                     turnover=0.1)  # fmt: skip
        churn = int(truth["churn"].iloc[0])
        churns.append(churn)
        assert out["workers_registered_after"].iloc[0] == 100 + churn
        assert truth["dependants_churn"].iloc[0] == round(1.5 * churn)
        assert out["dependants_registered_after"].iloc[0] == 150 + round(1.5 * churn)
    assert any(churns)  # the draws did move workers


# -- the command ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def period_files(tmp_path_factory):
    """A synthetic registry, its plan (``employers score``) and a semester of visits."""
    folder = tmp_path_factory.mktemp("semester")
    registry = generate_registry(2500, seed=4, selective=True).frame
    registry.to_csv(folder / "registry.csv", index=False)
    args = ["--registry", str(folder / "registry.csv")]
    assert main(["employers", "score", *args, "--capacity", "15", "--identified",
                 "--out", str(folder / "plan.csv")]) == 0  # fmt: skip
    plan = pd.read_csv(folder / "plan.csv")
    listed = plan[plan["on_list"]]
    out, truth = simulate_visits(
        registry, listed, start=pd.Timestamp("2025-07-01"), rng=np.random.default_rng(1)
    )
    out["inspected_on"] = out["inspected_on"].dt.strftime("%Y-%m-%d")
    out.to_csv(folder / "outcomes.csv", index=False)
    return folder, args, registry, truth


def _semester(folder, args, *extra: str) -> int:
    plan, outcomes = str(folder / "plan.csv"), str(folder / "outcomes.csv")
    return main(["employers", "semester", *args, "--plan", plan, "--outcomes", outcomes,
                 "--period", "2025-S2", *extra])  # fmt: skip


def test_the_command_writes_both_languages_with_aggregates_only(period_files):
    folder, args, registry, _ = period_files
    assert _semester(folder, args, "--out", str(folder / "report")) == 0
    pages = sorted(p.name for p in (folder / "report").iterdir())
    assert pages == ["semester-2025-S2.en.html", "semester-2025-S2.id.html"]
    ids = set(registry["employer_id"])
    for lang in ("id", "en"):
        page = (folder / "report" / f"semester-2025-S2.{lang}.html").read_text("utf-8")
        assert not {w for w in ids if w in page}, "an employer id reached the report"
        assert "<svg" in page and "PLAN-" in page
        seen = {w.lower() for w in WORD.findall(visible_text(page))}
        places = registry["province"].tolist() + registry["district"].tolist()
        sectors = [sector_name(s, lang) for s in "ABCDEFGHIJKLMNOPQRSTU"]
        from_data = {w.lower() for w in WORD.findall(" ".join(places + sectors))}
        assert not (seen & foreign_words(lang)) - from_data, lang
        assert "nan" not in seen and "none" not in seen


def test_the_same_inputs_give_the_same_bytes(period_files):
    folder, args, _, _ = period_files
    for run in ("first", "second"):
        assert _semester(folder, args, "--language", "en", "--out", str(folder / run)) == 0
    page = "semester-2025-S2.en.html"
    assert (folder / "first" / page).read_bytes() == (folder / "second" / page).read_bytes()


def test_one_report_per_province_asked_for(period_files):
    folder, args, _, _ = period_files
    out = folder / "bali"
    assert _semester(folder, args, "--province", "Bali", "--language", "en", "--out", str(out)) == 0
    assert [p.name for p in out.iterdir()] == ["semester-2025-S2-bali.en.html"]
    page = (out / "semester-2025-S2-bali.en.html").read_text("utf-8")
    assert "Banten" not in page and "Bali" in page


def test_the_report_shows_the_facts_figures(period_files):
    folder, _, _, truth = period_files
    reg, plan, found, ids, scored = read_period_inputs(
        folder / "registry.csv", [folder / "plan.csv"], [folder / "outcomes.csv"]
    )
    start, end = parse_period("2025-S2")
    facts = compute_semester(
        visit_table(plan, found, reg, ids, start=start, end=end), period="2025-S2", scored=scored
    )
    nation = facts.national
    assert nation["visited"] == len(found)
    # the report's net change: the truth plus ordinary hiring and leaving
    assert nation["workers_change"] == (truth["brought_in"] + truth["churn"]).sum()
    page = render_semester_html(facts, "en")
    assert f">{int(nation['visited']):,}<" in page
    # no district row describes fewer than 5 visited employers; the small ones are pooled
    assert (facts.districts["visited"] >= 5).all() and facts.districts["pooled"].any()
    assert "Other districts (" in page
    # the period in words in each language, not as its code
    assert "employer inspections, second half of 2025</h1>" in page
    assert "badan usaha, semester II 2025</h1>" in render_semester_html(facts, "id")
    assert facts.equity is not None and set(facts.equity["grouping"]) == {"size_band", "sector"}


def test_bad_outcomes_name_file_column_and_rows_and_write_nothing(period_files, capsys):
    folder, args, _, _ = period_files
    bad = pd.read_csv(folder / "outcomes.csv")
    bad.loc[[2, 4], "employer"] = ["NOT-ON-PLAN-1", "NOT-ON-PLAN-2"]
    bad_path = folder / "bad.csv"
    bad.to_csv(bad_path, index=False)
    out = folder / "never"
    plan = str(folder / "plan.csv")
    status = main(["employers", "semester", *args, "--plan", plan, "--outcomes", str(bad_path),
                   "--period", "2025-S2", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2
    assert "bad.csv" in err and "'employer'" in err and "not on that plan" in err
    assert "line 4" in err and "line 6" in err  # the file's lines (header is line 1)
    assert not out.exists()
    assert _semester(folder, args, "--period", "2025-S3", "--out", str(out)) == 2
    assert "YYYY-S1" in capsys.readouterr().err and not out.exists()


def test_a_plan_without_what_the_report_needs_is_named(period_files, capsys):
    folder, args, _, _ = period_files
    thin = pd.read_csv(folder / "plan.csv").drop(columns=["risk", "arrears_idr"])
    thin.to_csv(folder / "thin.csv", index=False)
    status = main(["employers", "semester", *args, "--plan", str(folder / "thin.csv"),
                   "--outcomes", str(folder / "outcomes.csv"), "--period", "2025-S2",
                   "--out", str(folder / "x")])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2 and "thin.csv" in err and "risk" in err and "arrears_idr" in err


def test_pdf_asked_for_without_a_browser_writes_nothing(period_files, monkeypatch, capsys):
    folder, args, _, _ = period_files
    monkeypatch.setenv("PERJAKA_CHROMIUM", "")  # no browser
    out = folder / "no-browser"
    assert _semester(folder, args, "--pdf", "--out", str(out)) == 2
    assert "Chromium" in capsys.readouterr().err
    assert not out.exists()  # not even the HTML pages
    assert _semester(folder, args, "--pdf", "auto", "--language", "en", "--out", str(out)) == 0
    assert [p.name for p in out.iterdir()] == ["semester-2025-S2.en.html"]
    assert "Chromium" in capsys.readouterr().err  # the note says why there is no PDF


@pytest.mark.skipif(chromium() is None, reason="needs Chromium")
def test_pdf_pages_are_written_beside_the_html(period_files):
    folder, args, _, _ = period_files
    out = folder / "pdf"
    assert _semester(folder, args, "--pdf", "--language", "id", "--out", str(out)) == 0
    pdf = out / "semester-2025-S2.id.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_reliability_chart_has_a_point_per_band_and_no_text_below_12px():
    table = reliability_table(np.array([0.05, 0.25, 0.28, 0.9]), np.array([0, 1, 0, 1]))
    for lang in ("id", "en"):
        svg = reliability_svg(table, lang)
        sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) >= 12  # the svg's own size is inherited by every label
        assert "font-size" not in re.sub(r'font-size="[\d.]+"', "", svg)
        assert svg.count("<circle") == len(table) + 1  # a point per band, one in the legend
        assert "n = 2" in svg
