from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perjaka_analysis import UnknownProvinceError, normalise_province, normalise_provinces
from perjaka_analysis.datasets import raw_path
from perjaka_analysis.provinces import (
    NATIONAL,
    assign_territory,
    closest_provinces,
    province_splits,
    province_table,
)

NEW_PAPUA = ["Papua Selatan", "Papua Tengah", "Papua Pegunungan", "Papua Barat Daya"]
# every name the reference knows (official, English, BPS code, aliases) and its province
NAMES = sorted(
    {
        (str(name), row.province)
        for row in province_table().itertuples(index=False)
        for name in (row.province, row.name_en, row.bps_code, *row.aliases)
    }
    | {(name, NATIONAL) for name in (NATIONAL, "nasional", "national")}
)


def test_reference_has_38_provinces_with_unique_codes_and_names():
    t = province_table()
    assert len(t) == 38
    assert t["bps_code"].is_unique and t["province"].is_unique
    assert t["bps_code"].str.fullmatch(r"\d{2}").all()
    assert set(NEW_PAPUA) <= set(t["province"])


def test_reference_agrees_with_shipped_provinces_csv():
    raw = pd.read_csv(raw_path("provinces.csv"), dtype={"bps_code": str, "kemendagri_code": str})
    ref = province_table()
    merged = ref.merge(raw, on="bps_code", suffixes=("", "_raw"), validate="1:1")
    assert len(merged) == 38
    assert (merged["province"] == merged["province_raw"]).all()
    assert (merged["kemendagri_code"] == merged["kemendagri_code_raw"]).all()
    assert (merged["geojson_id"] == merged["geojson_id_raw"]).all()
    # every alias the shipped file lists resolves to its province
    for row in raw.itertuples():
        for alias in str(row.aliases).split(";"):
            assert normalise_province(alias) == row.province


def test_aliases_never_name_two_provinces():
    # an alias shared by two provinces would resolve to one of them only
    assert [normalise_province(name) for name, _ in NAMES] == [province for _, province in NAMES]
    assert {province for _, province in NAMES} == {*province_table()["province"], NATIONAL}


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("Sulteng", "Sulawesi Tengah"),
        ("Jabar", "Jawa Barat"),
        ("DKI", "DKI Jakarta"),
        ("Babel", "Kepulauan Bangka Belitung"),
        ("Kepri", "Kepulauan Riau"),
        ("NTB", "Nusa Tenggara Barat"),
        ("NTT", "Nusa Tenggara Timur"),
        ("Prov. Bengkulu", "Bengkulu"),
        ("Provinsi  Jawa   Timur", "Jawa Timur"),
        ("17", "Bengkulu"),
        (17, "Bengkulu"),
        (17.0, "Bengkulu"),
        ("  jawa BARAT ", "Jawa Barat"),
        ("jawa-barat", "Jawa Barat"),
        ("West Java", "Jawa Barat"),
        ("D.I. Yogyakarta", "DI Yogyakarta"),
        ("Kep. Riau", "Kepulauan Riau"),
        ("94", "Papua"),
        ("92", "Papua Barat Daya"),
        ("Papua Pegunungan", "Papua Pegunungan"),
        ("indonesia", "INDONESIA"),
    ],
)
def test_aliases_codes_case_and_spacing_resolve(typed, official):
    assert normalise_province(typed) == official


def test_unknown_province_error_lists_closest_names():
    with pytest.raises(UnknownProvinceError) as info:
        normalise_province("Sulawesi Tegah")
    assert "Sulawesi Tengah" in str(info.value)
    assert info.value.suggestions["Sulawesi Tegah"][0] == "Sulawesi Tengah"


def test_unknown_code_is_rejected():
    with pytest.raises(UnknownProvinceError):
        normalise_province("99")
    with pytest.raises(UnknownProvinceError):
        normalise_province(True)


def test_national_total_can_be_refused():
    with pytest.raises(UnknownProvinceError):
        normalise_province("INDONESIA", allow_national=False)


def test_normalise_provinces_lists_every_unknown_value_once():
    with pytest.raises(UnknownProvinceError) as info:
        normalise_provinces(["Jabar", "Atlantis", "Narnia", "Atlantis"])
    assert set(info.value.suggestions) == {"Atlantis", "Narnia"}


def test_normalise_provinces_keeps_index():
    s = pd.Series(["jabar", "Sulut"], index=[10, 20])
    out = normalise_provinces(s)
    assert out.to_dict() == {10: "Jawa Barat", 20: "Sulawesi Utara"}


@given(st.sampled_from(NAMES), st.sampled_from([str.upper, str.lower, str.title]))
def test_any_case_and_padding_of_a_known_name_resolves(known, case):
    name, province = known
    assert normalise_province(f"  {case(name)}  ") == province


def test_closest_provinces_never_suggests_the_nation():
    assert "INDONESIA" not in closest_provinces("Indonesa")
    assert len(closest_provinces("zzz")) == 3


def test_papua_split_dates_and_predecessors():
    splits = province_splits().set_index("province")
    for name in ["Papua Selatan", "Papua Tengah", "Papua Pegunungan"]:
        assert splits.loc[name, "predecessor"] == "Papua"
        assert splits.loc[name, "established"] == pd.Timestamp("2022-07-25")
    assert splits.loc["Papua Barat Daya", "predecessor"] == "Papua Barat"
    assert splits.loc["Papua Barat Daya", "established"] == pd.Timestamp("2022-12-08")


def test_figures_before_a_split_belong_to_the_old_territory():
    provinces = pd.Series(["Papua Barat", "Papua Barat", "Papua", "Kalimantan Timur", "Bali"])
    dates = pd.to_datetime(
        pd.Series(["2022-12-05", "2022-12-08", "2022-07-24", "2010-01-01", "2000-01-01"])
    )
    assert assign_territory(provinces, dates).tolist() == [
        "Papua Barat (pre-2022-12-08 boundaries)",
        "Papua Barat",
        "Papua (pre-2022-07-25 boundaries)",
        "Kalimantan Timur (pre-2012-10-25 boundaries)",
        "Bali",
    ]
