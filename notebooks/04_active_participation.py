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
# # Active participation and UHC as it is defined today
#
# Since 2024 a region is UHC when at least 98% of residents are registered
# **and** at least 80% are active (contributions paid). This notebook looks at
# every published active share, puts them on one basis (share of population),
# fits the pooled active-share model and asks how likely each province and the
# nation are to meet both conditions by the deadline. The thresholds (today's
# definition, RPJMN 2025–2029, award levels Pratama, Madya, Utama) come from
# `data/raw/targets.csv`.

# %% tags=["parameters"]
province = "Kalimantan Tengah"
until = "2029-12-31"
deadline = "2029-12-31"
n_paths = 1000
seed = 0

# %%
import perjaka_analysis as pa
from perjaka_analysis.active import (
    ActiveShareModel,
    backtest_active,
    compare_unclear,
    convert_active_shares,
    load_active_shares,
    load_segment_active_shares,
)
from perjaka_analysis.datasets import load_uhc_status
from perjaka_analysis.trend import CoverageTrendModel
from perjaka_analysis.uhc import (
    TODAY,
    compute_uhc_status,
    dependence_sensitivity,
    uhc_conditions,
    unclear_sensitivity,
)

coverage = pa.load_coverage()
# the briefs' registration model: the default method, with the UHC status reports
registration = CoverageTrendModel(coverage, status=load_uhc_status()).fit()
shares = load_active_shares(coverage=coverage)

# %% [markdown]
# ## Every published active share, with its basis
#
# `registration_pct` is the registration figure stated for the same place and
# date, where there is one. Rows with a `district` are kabupaten/kota figures
# (kept, not used by the province model).

# %%
shares.drop(columns=["source_url", "note"])

# %% [markdown]
# ## On the population basis
#
# A share of participants is multiplied by the registration of the same date:
# the figure on the same row, or the registration trend at that date (its
# uncertainty becomes `active_pop_sd`). Shares of unclear basis are, by
# default, an equal mixture of both readings.

# %%
converted = convert_active_shares(shares, registration)
converted[
    [
        "province",
        "district",
        "date",
        "active_pct",
        "active_basis",
        "registration_used_pct",
        "registration_source",
        "active_pop_pct",
        "active_pop_sd",
    ]
]

# %% [markdown]
# What the two readings of each unclear share give:

# %%
compare_unclear(shares, registration)

# %% [markdown]
# Active shares of one segment (workers of private employers) are shares of
# that segment's participants, kept apart:

# %%
load_segment_active_shares()

# %% [markdown]
# ## The pooled active-share model
#
# Common trend anchored to the national series, a province offset, a random
# walk and the noise of single figures; a province with one figure borrows
# slope and spread, one without any is the common trend (the `basis` column).

# %%
active = ActiveShareModel(converted).fit()
active

# %%
active.summary()

# %% [markdown]
# Nowcast: the active share today next to the latest figure and its age.

# %%
active.nowcast(as_of=converted["date"].max())

# %%
ax = active.plot(pa.NATIONAL, until=until, targets=[80.0])

# %%
ax = active.plot(province, until=until, targets=[80.0])

# %% [markdown]
# ## Backtest: the model against the last figure and the national ratio

# %%
backtest_active(converted).table()

# %% [markdown]
# ## UHC status: both conditions together
#
# Registration and active paths are drawn from their models and paired (rank
# correlation 0.5 at the deadline; active capped at registration). The
# probability is that *both* are met on the same date by the deadline;
# `prob_if_independent` (the product of the marginals) is shown only for
# comparison.

# %%
conditions = uhc_conditions(pa.load_targets())
conditions

# %%
status = compute_uhc_status(
    registration,
    active,
    conditions=conditions,
    deadline=deadline,
    provinces=[province, pa.NATIONAL],
    n_paths=n_paths,
    seed=seed,
)
status.drop(columns=["registration_basis", "rho", "deadline"])

# %% [markdown]
# How much does the dependence between the two measures matter nationally?
# (`upper_bound`: no dependence can give more than the smaller marginal.)

# %%
today = conditions[conditions["condition"] == TODAY].iloc[0]
dependence_sensitivity(
    registration,
    active,
    pa.NATIONAL,
    registered_pct=today["registered_pct"],
    active_pct=today["active_pct"],
    deadline=deadline,
    n_paths=n_paths,
    seed=seed,
)

# %% [markdown]
# And the reading of the shares of unclear basis:

# %%
unclear_sensitivity(
    shares,
    registration,
    registered_pct=today["registered_pct"],
    active_pct=today["active_pct"],
    deadline=deadline,
    n_paths=n_paths,
    seed=seed,
)
