"""Membership segments, members in arrears, and the latest UHC status report."""

import numpy as np
import pandas as pd

from perjaka_analysis.segments import (
    SEGMENT_COLUMNS,
    STATUS_COLUMNS,
    compute_segments,
    compute_status_reports,
)

ARREARS_COLS = [
    "geography", "area", "date", "date_precision", "metric", "value", "unit", "source_url",
    "source_date", "note",
]  # fmt: skip


def _seg(rows):
    frame = pd.DataFrame(rows, columns=["geography", "date", "segment", "metric", "value"])
    return frame.assign(date_precision="day", source_url=None, source_date=None, note=None)


def _status(rows):
    frame = pd.DataFrame(
        rows, columns=["province", "date", "status", "award_category", "criterion"]
    )
    return frame.assign(date_precision="day", source_url=None, source_date=None, note=None)


def test_latest_figure_per_segment_and_the_latest_split_of_a_family():
    seg = _seg(
        [
            ["Aceh", "2018-05-03", "PBI_APBN", "participants", 430],
            ["Aceh", "2018-05-03", "PBI_APBD", "participants", 110],
            ["Aceh", "2025-04-01", "PBI_JK", "participants", 555],  # replaces the 2018 PBI split
            ["Aceh", "2023-12-31", "PPU_total", "participants", 236],
            ["Aceh", "2025-04-01", "PPU_BU", "participants", 248],  # replaces PPU_total 2023
            ["Aceh", "2020-01-01", "PBPU", "participants", 10],
            ["Aceh", "2024-01-01", "PBPU", "participants", 20],  # latest PBPU
            ["Aceh", "2025-09-01", "PBPU", "active_share_of_segment_pct", 48.98],
            ["Aceh", "2027-01-01", "BP", "participants", 99],  # after as_of
            ["Aceh;Bali", "2025-01-01", "BP", "participants", 7],  # two provinces: neither
            ["Bali", "2025-01-01", "BP", "participants", 5],  # another place
        ]
    )
    arrears = pd.DataFrame(
        [
            ["Aceh", None, "2025-06-03", "month", "participants_in_arrears", 173, "persons"],
            ["Aceh", "Kota X", "2025-06-03", "month", "non_active_participants", 9, "persons"],
            ["Aceh", None, "2025-11-01", "day", "pbpu_arrears_participants", 135, "persons"],
        ],
        columns=ARREARS_COLS[:7],
    ).assign(source_url=None, source_date=None, note=None)
    out = compute_segments(seg, arrears, ["Aceh"], as_of="2026-01-31")
    assert list(out.columns) == list(SEGMENT_COLUMNS)
    got = list(zip(out["segment"], out["metric"], out["value"], strict=True))
    assert got == [
        ("PBI_JK", "participants", 555.0),
        ("PPU_BU", "participants", 248.0),
        ("PBPU", "participants", 20.0),
        ("PBPU", "active_share_of_segment_pct", 48.98),
        ("PBPU", "pbpu_arrears_participants", 135.0),
        ("", "participants_in_arrears", 173.0),  # all members last; district rows left out
    ]
    assert (out["province"] == "Aceh").all()


def test_status_report_is_the_latest_with_its_award_thresholds():
    status = _status(
        [
            ["Banten", "2019-06-01", "UHC", None, ">=95% registered"],
            ["Banten", "2025-12-31", "UHC (award 2026)", "Madya", "UHC Awards 2026"],
            ["Bali", "2024-08-01", "UHC Prioritas", None, "UHC Prioritas"],
            ["Bali", "2024-08-01", "UHC", None, ">=98% registered"],  # same day: joint first
            ["Aceh", "2023-12-31", "below_95pct", None, ">=95% registered"],
            ["Aceh", "2027-01-01", "UHC Prioritas", None, "x"],  # after as_of
        ]
    )
    conditions = pd.DataFrame(
        {
            "condition": ["UHC definition (2024-)", "UHC Awards 2026 - Madya"],
            "registered_pct": [98.0, 98.5],
            "active_pct": [80.0, 85.0],
        }
    )
    out = compute_status_reports(
        status, ["Aceh", "Banten", "Bali", "Papua"], "2026-01-31", conditions
    )
    assert list(out.columns) == list(STATUS_COLUMNS)
    assert out["province"].tolist() == ["Aceh", "Banten", "Bali"]  # Papua: no report
    assert out["status"].tolist() == ["below_95pct", "UHC (award 2026)", "UHC Prioritas"]
    assert out["threshold_pct"].tolist() == [95.0, 98.5, 98.0]
    assert np.isnan(out["active_threshold_pct"].iloc[0])
    assert out["active_threshold_pct"].tolist()[1:] == [85.0, 80.0]
    assert out["joint"].tolist() == [False, True, True]
    assert out["award_category"].iloc[1] == "Madya"
    # Aceh's latest report is of 2023, under the rule of its time (>= 95% registered)
    assert out["former_rule"].tolist() == [True, False, False]


def test_a_status_report_of_registration_alone_before_2024_is_under_the_former_rule():
    status = _status(
        [
            ["Aceh", "2023-12-31", "below_95pct", None, ">=95% registered"],
            ["Bali", "2023-03-01", "UHC", None, ">=95% registered"],
            ["Jambi", "2024-08-08", "UHC", None, "UHC Award 2024"],  # 2024: no percentage
            ["Riau", "2025-12-31", "UHC (award 2026)", None, "UHC Awards 2026"],
        ]
    )
    out = compute_status_reports(status, ["Aceh", "Bali", "Jambi", "Riau"], "2026-01-31")
    assert out["former_rule"].tolist() == [True, True, False, False]
    assert out["threshold_pct"].tolist() == [95.0, 95.0, 98.0, 98.0]
