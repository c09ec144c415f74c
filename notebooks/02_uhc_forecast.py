# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (perjaka)
#     language: python
#     name: perjaka
# ---

# %% [markdown]
# # The path to UHC: coverage forecasts and target dates
#
# When does each province reach 95% and 98% registration, how sure are we, and
# how many more people must be enrolled per month to get there by the
# deadline? The default `saturation` model describes each province as the
# national path plus an offset (its own long-run offset and a share of the
# nation's remaining shortfall), reconciled to the nation; a province with few
# figures borrows from the others, a province with none is forecast from the
# nation, the pooled prior and the UHC status reports, and marked so.
# Intervals are for a newly published figure. This is the model the briefs
# use, so the numbers here are the briefs' numbers; the other methods
# (`CoverageTrendModel(coverage, method="pooled")`, ...) are compared in the
# backtest below.

# %% tags=["parameters"]
province = "Sulawesi Tengah"
until = "2030-12-31"
deadline = "2029-12-31"
targets = [95.0, 98.0]
seed = 0
backtest_origins = ["2022-01-01", "2023-01-01"]  # dates the backtest refits the models at

# %%
import perjaka_analysis as pa
from perjaka_analysis.backtest import backtest
from perjaka_analysis.datasets import load_uhc_status
from perjaka_analysis.forecast import compute_targets, population_by_place, rank_by_expected_date
from perjaka_analysis.plotting import plot_forecast_grid
from perjaka_analysis.trend import CoverageTrendModel

coverage = pa.load_coverage()
status = load_uhc_status()  # "UHC on date X" reports, for places without figures
results = CoverageTrendModel(coverage, status=status).fit()  # the briefs' default model
results

# %% [markdown]
# Did every optimizer behind the fit converge? If not, `fit_notes` say why
# (and the fit warned).

# %%
results.converged, results.fit_notes

# %% [markdown]
# ## Where each place stands now
#
# The nowcast: estimated coverage at the end of the data with an 80% interval,
# next to the latest published figure and its date.

# %%
results.nowcast().round(2)

# %% [markdown]
# ## Fan chart for one province

# %%
ax = results.plot(province, until=until, targets=targets)

# %% [markdown]
# ## Target dates, probability by the deadline, required pace
#
# `required_per_month`: additional participants per month from the latest
# figure to reach the target by the deadline; `recent_per_month`: the pace of
# the year before the latest figure (from the fitted trend).

# %%
table = compute_targets(
    results,
    targets=targets,
    deadline=deadline,
    population=population_by_place(pa.load_provinces(), coverage),
    seed=seed,
)
table[table["province"] == pa.normalise_province(province)]

# %% [markdown]
# ## Every province

# %%
fig = plot_forecast_grid(results, until=until, targets=targets)

# %% [markdown]
# ## Ranked: expected date of 95% registration

# %%
rank_by_expected_date(table, target=targets[0])

# %% [markdown]
# ## How good are these forecasts?
#
# Rolling-origin backtest: each method fitted only on figures before the
# origin (and status reports published before it), scored on the figures
# dated after it; places with an earlier figure. The full table is in the
# README (`benchmarks/forecast_backtest.py`).

# %%
bt = backtest(coverage, methods=["pooled", "saturation", "last"], origins=backtest_origins)
bt.table().round(3)

# %%
ax = bt.plot()
