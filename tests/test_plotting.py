from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from perjaka_analysis import load_coverage
from perjaka_analysis.plotting import (
    plot_coverage_observations,
    plot_province_observations,
)
from perjaka_analysis.sources import sources_table


def test_small_multiples_have_one_visible_panel_per_place_nation_first():
    cov = load_coverage()
    places = cov.query("measure == 'registered'")["province"].nunique()
    fig = plot_coverage_observations(cov)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == places
    assert visible[0].get_title() == "INDONESIA"
    assert "data/README.md" in " ".join(t.get_text() for t in fig.texts)
    plt.close(fig)


def test_pre_split_points_are_drawn_hollow():
    ax = plot_province_observations(load_coverage(), "Papua Barat")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "pre-split territory" in labels
    plt.close(ax.figure)


def test_sources_table_lists_publishers():
    table = sources_table(load_coverage())
    assert (table["publisher"] != "").sum() > 100
    assert table["date"].is_monotonic_increasing is False  # sorted by province first
