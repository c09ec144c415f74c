"""Run facts: one schema, one writer, one reader; the facts key; the brief's facts."""

from __future__ import annotations

import pandas as pd
import pytest

import perjaka_analysis.facts.run
from perjaka_analysis import PerjakaError
from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import (
    RunFacts,
    as_saved,
    compute_gaps,
    compute_observed,
    facts_key,
    load_run_facts,
    province_facts,
)
from perjaka_analysis.provinces import NATIONAL

NAT = NATIONAL


def tiny_facts(as_of: str = "2025-01-31") -> RunFacts:
    config = ReportConfig(as_of=as_of, targets=[95.0, 98.6])
    pop = pd.Series({"Bali": 1000.0, NAT: 1000.0})
    tables = {
        "gaps": compute_gaps(pd.Series({"Bali": 97.0, NAT: 97.0}), pop, config.targets),
        "observed": compute_observed(
            pd.DataFrame(
                {"territory": ["Bali"], "date": pd.to_datetime(["2024-01-01"]), "pct": [97.0]}
            ),
            {"Bali": "Bali"},
        ),
    }
    return RunFacts(config=config, meta={"key": "k"}, tables=tables)


def test_save_and_load_round_trip_byte_identically(tmp_path):
    facts = tiny_facts()
    folder = facts.save(tmp_path / "facts")
    again = load_run_facts(folder)
    assert again.to_bytes() == facts.to_bytes()
    assert again.config == facts.config
    pd.testing.assert_frame_equal(again.table("gaps"), facts.table("gaps"))
    assert RunFacts.from_bytes(facts.to_bytes()).to_bytes() == facts.to_bytes()


def test_as_saved_gives_a_table_as_the_reader_gets_it_back(tmp_path):
    table = pd.DataFrame(
        {
            "province": ["Bali", NAT],
            "binding": pd.Series(["active", None], dtype=object),
            "expected_date": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s]"),
        },
        index=[7, 8],
    )
    config = ReportConfig(as_of="2025-01-31")
    saved = RunFacts(config=config, meta={"key": "k"}, tables={"uhc": table}).save(tmp_path / "f")
    back = load_run_facts(saved).table("uhc")
    pd.testing.assert_frame_equal(as_saved(table), back, check_exact=True)
    with pytest.raises(AssertionError):  # what the reader changes: dtypes and the index
        pd.testing.assert_frame_equal(table, back)


def test_loading_a_folder_without_facts_says_what_is_missing(tmp_path):
    with pytest.raises(PerjakaError, match=r"facts\.json is missing"):
        load_run_facts(tmp_path)


def test_province_view_holds_only_its_rows():
    view = tiny_facts().for_province("Bali")
    assert set(view.rows("gaps")["province"]) == {"Bali"}
    assert set(view.national["gaps"]["province"]) == {NAT}
    assert view.config.province == "Bali"


def test_facts_key_changes_with_the_code_that_computes_the_facts(monkeypatch):
    base = ReportConfig(as_of="2025-01-31")
    key = facts_key({"coverage.csv": "1"}, base)
    monkeypatch.setattr(perjaka_analysis.facts.run, "code_hash", lambda: "other code")
    assert facts_key({"coverage.csv": "1"}, base) != key


def test_facts_key_changes_with_inputs_and_parameters_only():
    base = ReportConfig(as_of="2025-01-31")
    key = facts_key({"coverage.csv": "1"}, base)
    assert key == facts_key({"coverage.csv": "1"}, ReportConfig(as_of="2025-01-31", facts="x"))
    assert key != facts_key({"coverage.csv": "1"}, ReportConfig(as_of="2025-01-31", seed=1))
    assert key != facts_key({"coverage.csv": "2"}, base)


def test_as_of_is_resolved_once_to_the_data_end_and_read_strictly():
    assert ReportConfig().resolved("2024-12-31").as_of == "2024-12-31"
    with pytest.raises(PerjakaError, match="YYYY-MM-DD"):
        ReportConfig(as_of="Jan 5 2024")
    with pytest.raises(PerjakaError, match="YYYY-MM-DD"):
        ReportConfig(as_of="05/01/2024")


def test_province_facts_reads_the_run_s_saved_facts(tmp_path):
    config = ReportConfig(as_of="2025-01-31", targets=[95.0, 98.6])
    gaps = compute_gaps(pd.Series({"Bali": 97.0, NAT: 96.0}), pd.Series({"Bali": 1000.0}), [98.6])
    folder = RunFacts(config=config, meta={"key": "k"}, tables={"gaps": gaps}).save(tmp_path / "f")
    view = province_facts(province="Bali", as_of="2025-01-31", targets=[95.0, 98.6],
                          facts=str(folder))  # fmt: skip
    assert view.province == "Bali"
    assert view.rows("gaps")["gap_pp"].round(6).tolist() == [1.6]  # 98.6 - 97.0
    assert view.national["gaps"]["gap_pp"].round(6).tolist() == [2.6]  # 98.6 - 96.0


def test_province_facts_refuses_an_unknown_parameter(tmp_path):
    with pytest.raises(PerjakaError, match="colour"):
        province_facts(province="Bali", colour="red")
