"""One rule for "the latest figure": latest date, then the documented source priority."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perjaka_analysis.coverage import latest_coverage, sort_coverage, source_priority

OFFICIAL = "https://jateng.bpjs-kesehatan.go.id/berita/1"
NEWS = "https://news.example/a"


def frame(*rows: tuple) -> pd.DataFrame:
    """Rows of (province, date, precision, pct, source_url, basis)."""
    out = pd.DataFrame(
        rows, columns=["province", "date", "date_precision", "coverage_pct", "source_url", "basis"]
    )
    return out.assign(
        district=pd.NA,
        measure="registered",
        date=pd.to_datetime(out["date"]),
        active_pct=float("nan"),
        territory=out["province"],
        coverage_basis=out.pop("basis"),
    )


def test_the_latest_date_wins_over_any_source():
    rows = frame(
        ("Aceh", "2024-12-31", "year", 95.0, NEWS, "computed"),
        ("Aceh", "2024-06-30", "day", 99.0, OFFICIAL, "stated"),
    )
    assert latest_coverage(rows)["coverage_pct"].tolist() == [95.0]


@pytest.mark.parametrize(
    ("preferred", "other"),
    [
        (
            ("Aceh", "2024-12-31", "year", 98.77, OFFICIAL, "computed"),
            ("Aceh", "2024-12-31", "day", 95.0, NEWS, "stated"),
        ),
        (
            ("Aceh", "2024-12-31", "day", 98.77, NEWS, "computed"),
            ("Aceh", "2024-12-31", "month", 95.0, NEWS, "stated"),
        ),
        (
            ("Aceh", "2024-12-31", "day", 98.77, NEWS, "stated"),
            ("Aceh", "2024-12-31", "day", 95.0, NEWS, "computed"),
        ),
        (
            ("Aceh", "2024-12-31", "day", 98.77, "https://z.example/", "stated"),
            ("Aceh", "2024-12-31", "day", 95.0, "https://a.example/", "stated"),
        ),
    ],
    ids=["official-over-news", "day-over-month", "stated-over-computed", "by-address"],
)
def test_same_date_rows_follow_the_source_priority_in_either_file_order(preferred, other):
    for rows in (frame(preferred, other), frame(other, preferred)):
        assert latest_coverage(rows)["coverage_pct"].tolist() == [98.77]
        assert sort_coverage(rows)["coverage_pct"].tolist()[-1] == 98.77


def test_source_priority_keys():
    keys = source_priority(
        frame(
            ("Aceh", "2024-12-31", "year", 98.0, OFFICIAL, "computed"),
            ("Aceh", "2024-12-31", "day", 95.0, None, "stated"),
        )
    )
    assert keys.to_dict("list") == {
        "official": [1, 0],
        "precision": [0, 2],
        "stated": [0, 1],
        "source_url": [OFFICIAL, ""],
    }


ROWS = [
    ("Aceh", "2023-12-31", "day", 97.0, NEWS, "stated"),
    ("Aceh", "2024-12-31", "month", 98.0, NEWS, "stated"),
    ("Aceh", "2024-12-31", "month", 98.5, OFFICIAL, "computed"),
    ("Aceh", "2024-12-31", "year", 99.0, "https://b.example/", "stated"),
    ("Bali", "2024-12-31", "day", 99.5, NEWS, "stated"),
    ("Bali", "2024-12-31", "day", 96.0, "https://b.example/", "stated"),
]


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(ROWS))))
def test_the_latest_figure_does_not_depend_on_row_order(order):
    rows = frame(*[ROWS[i] for i in order])
    latest = latest_coverage(rows).set_index("province")["coverage_pct"]
    assert latest.to_dict() == {"Aceh": 98.5, "Bali": 99.5}
    ordered = sort_coverage(rows)
    assert ordered.groupby("province")["coverage_pct"].last().to_dict() == latest.to_dict()


def test_the_trend_model_starts_from_the_same_latest_figure():
    from perjaka_analysis.trend import CoverageTrendModel

    rows = frame(
        ("Aceh", "2020-12-31", "day", 90.0, NEWS, "stated"),
        ("Aceh", "2022-12-31", "day", 93.0, NEWS, "stated"),
        ("Aceh", "2024-12-31", "day", 98.77, OFFICIAL, "stated"),
        ("Aceh", "2024-12-31", "day", 95.0, NEWS, "stated"),
        ("Bali", "2020-12-31", "day", 91.0, NEWS, "stated"),
        ("Bali", "2024-12-31", "day", 97.0, NEWS, "stated"),
    )
    trend = CoverageTrendModel(rows, provinces=["Aceh", "Bali"]).fit().trends["Aceh"]
    assert trend.last_pct == latest_coverage(rows).set_index("province").loc["Aceh", "coverage_pct"]
