# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (perjaka)
#     language: python
#     name: perjaka
# ---

# %% [markdown]
# # JKN coverage: what the public figures say
#
# Every registration-coverage figure published for Indonesia's 38 provinces and
# the nation (BPJS Kesehatan registration ÷ population), as read in public
# sources and shipped in `data/raw/coverage.csv`. Figures are sparse and
# irregular; some exceed 100% (people registered where they do not hold an ID
# card); survey measures (Susenas) are kept apart. See `data/README.md` for
# sources and caveats.

# %%
import perjaka_analysis as pa
from perjaka_analysis.coverage import coverage_summary
from perjaka_analysis.plotting import plot_coverage_observations
from perjaka_analysis.sources import sources_table

coverage = pa.load_coverage()
provinces = pa.load_provinces()
coverage.groupby("measure").size()

# %% [markdown]
# ## Latest registration figure per province
#
# `gap_*_pp`: percentage points still missing to the 95% and 98% targets;
# `gap_*_people`: the same in people, with the BPS 2024 population projection.
# `territory` differs from the province when the latest figure predates a
# boundary split (it then describes the older, larger province).

# %%
summary = coverage_summary(coverage, provinces)
summary.sort_values("latest_pct", ascending=False, na_position="last")

# %% [markdown]
# ## Every observation over time
#
# One panel per place with at least one registration figure; dashed lines mark
# the 95% and 98% targets; hollow markers are pre-split figures.

# %%
fig = plot_coverage_observations(coverage)

# %% [markdown]
# ## Sources
#
# Each figure with its publisher and address.

# %%
sources_table(coverage.query("measure == 'registered'"))

# %% [markdown]
# ## SQL over the processed tables
#
# `pa.connect()` opens DuckDB with one view per table in `data/processed/`
# (built from `data/raw/` on first use).

# %%
con = pa.connect()
con.execute(
    """
    select measure, count(*) as n, min(date) as first, max(date) as last
    from coverage group by measure order by measure
    """
).df()
