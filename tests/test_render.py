"""Helpers of the renderers: table rows as template context, dates on the chart axis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from perjaka_analysis.render import to_context
from perjaka_analysis.render.brief import HTML
from perjaka_analysis.render.figures import chart_title, decimal_years


def test_a_frame_becomes_one_dict_per_row_with_python_scalars_and_none_for_missing():
    frame = pd.DataFrame(
        {
            "n": [1, 2],
            "x": [1.5, np.nan],
            "d": pd.to_datetime(["2024-06-30", None]),
            "s": ["Aceh", None],
            "k": pd.array([3, None], dtype="Int64"),
            "b": [True, False],
        }
    )
    rows = to_context(frame)
    assert rows == [
        {"n": 1, "x": 1.5, "d": pd.Timestamp("2024-06-30"), "s": "Aceh", "k": 3, "b": True},
        {"n": 2, "x": None, "d": None, "s": None, "k": None, "b": False},
    ]
    # whole numbers stay whole (iterrows would have made 1 into 1.0 beside a float column)
    assert type(rows[0]["n"]) is int and type(rows[0]["x"]) is float
    assert to_context(frame.iloc[:0]) == []
    assert to_context(pd.DataFrame(index=[0, 1])) == [{}, {}]
    # a row (Series) gives the same dict as the frame's row
    assert to_context(frame.iloc[1]) == rows[1]
    assert to_context(None) is None


def test_chart_years_are_the_year_plus_the_elapsed_share_of_365_25_days():
    dates = pd.Series(pd.to_datetime(["2020-01-01", "2020-12-31", "2024-07-02", "1999-03-01"]))
    assert decimal_years(dates) == [
        2020.0,
        2020 + 365 / 365.25,
        2024 + 183 / 365.25,
        1999 + 59 / 365.25,
    ]
    assert decimal_years(pd.DatetimeIndex(dates)) == decimal_years(dates)
    assert decimal_years(dates.iloc[:0]) == []


def test_a_section_prints_without_a_memory_address():
    """The plain-text form a notebook saves beside the HTML is the same in every run."""
    section = HTML("<p>x</p>")
    assert repr(section) == "<HTML section, 8 characters>"
    assert str(section) == section._repr_html_() == "<p>x</p>"


def test_a_long_chart_title_is_condensed_to_its_room_and_a_short_one_is_left_alone():
    short = chart_title("Aceh", 46, 16, 630)
    assert "textLength" not in short and ">Aceh</text>" in short
    long = chart_title("Kepulauan Bangka Belitung — tanpa angka sendiri: " + "x" * 60, 46, 16, 630)
    assert 'textLength="630"' in long and 'lengthAdjust="spacingAndGlyphs"' in long
    assert "&lt;b&gt;" in chart_title("<b>", 0, 0, 100)  # escaped
