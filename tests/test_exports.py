"""The inspection plan's files and the capacity behind them."""

from __future__ import annotations

import pandas as pd
import pytest

from perjaka_analysis import PerjakaError
from perjaka_analysis.employers import score_registry
from perjaka_analysis.exports import write_inspection_lists
from perjaka_analysis.facts import compute_capacity


def _plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["Aceh", "Aceh", "Bali"],
            "rank_in_province": [2, 1, 1],
            "pseudonym": ["p-two", "p-one", "q-one"],
            "district": ["Kota Banda Aceh", "=HYPERLINK(1)", ""],
            "sector": ["Perdagangan", "Konstruksi", ""],
            "size_band": ["5–19", "20–99", ""],
            "risk_band": ["tinggi", "sedang", ""],
            "workers_band": ["1–5", "5–20", "< 1"],
            "reason_codes": ["arrears", "", ""],
            "reason_bands": ["", "", ""],
            "disclosure_level": [1, 1, 0],
        }
    )


def test_each_province_gets_a_bom_csv_and_an_xlsx_in_rank_order(tmp_path):
    capacity = compute_capacity(pd.Series({"Aceh": 40, "Bali": 10}), 2)
    files = write_inspection_lists(
        _plan(), capacity, tmp_path, provinces=["Aceh", "Bali", "Papua"], language="id"
    )
    assert sorted(p.name for p in files) == ["aceh.csv", "aceh.xlsx", "bali.csv", "bali.xlsx"]
    raw = (tmp_path / "aceh.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    csv = pd.read_csv(tmp_path / "aceh.csv", encoding="utf-8-sig")
    assert list(csv.columns[:2]) == ["Urutan", "Pseudonim"]
    assert csv["Pseudonim"].tolist() == ["p-one", "p-two"]  # rank order
    assert csv["Wilayah"].iloc[0] == "'=HYPERLINK(1)"  # no formula reaches a spreadsheet
    # the reasons are worded from the plan's codes, in the run's language
    assert csv["Alasan"].fillna("").tolist() == ["", "menunggak iuran"]
    sheets = pd.read_excel(tmp_path / "aceh.xlsx", sheet_name=None)
    assert list(sheets) == ["Rencana pemeriksaan", "Keterangan"]
    assert sheets["Rencana pemeriksaan"]["Pseudonim"].tolist() == ["p-one", "p-two"]
    about = sheets["Keterangan"].iloc[0, 0]
    assert "Aceh" in about and "2 pemeriksaan" in about and "kapasitas yang ditetapkan" in about
    assert not list(tmp_path.glob("*.part*")) and not list(tmp_path.glob(".*"))


def test_the_capacity_rule_uses_the_public_counts_of_the_shipped_data():
    t = compute_capacity(pd.Series({"Banten": 2599, "Jawa Tengah": 8158, "Bali": 898})).set_index(
        "province"
    )
    # Banten: 480 noncompliant employers published (no registered count to scale by)
    assert (t.loc["Banten", "capacity"], t.loc["Banten", "rule"]) == (480, "public count")
    # Jawa Tengah: 3,672 of 46,895 registered employers in arrears, scaled to the registry
    assert t.loc["Jawa Tengah", "rule"] == "public count scaled"
    assert t.loc["Jawa Tengah", "capacity"] == round(3672 * 8158 / 46895)
    assert t.loc["Bali", "rule"] == "proportional" and not t["whole_registry"].any()


def test_a_capacity_per_province_lists_that_many_and_must_cover_every_province(
    small_registry, risk_model
):
    counts = small_registry["province"].value_counts()
    big, small = counts.index[0], counts.index[-1]
    capacity = {p: 3 for p in counts.index} | {big: 7}
    scored = score_registry(small_registry, model=risk_model, capacity=capacity, key=b"k")
    on_list = scored[scored["on_list"]].groupby("province").size()
    assert on_list[big] == 7
    assert on_list[small] == min(3, int((small_registry["province"] == small).sum()))
    del capacity[small]
    with pytest.raises(PerjakaError, match=f"no capacity given for {small}"):
        score_registry(small_registry, model=risk_model, capacity=capacity, key=b"k")
