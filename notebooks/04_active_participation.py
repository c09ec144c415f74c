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
# dates the backtest refits the models at (None: every quarter, default_active_origins)
backtest_origins = None

# %%
import pandas as pd

import perjaka_analysis as pa
from perjaka_analysis.active import (
    ActiveShareModel,
    backtest_active,
    compare_unclear,
    convert_active_shares,
    load_active_shares,
    load_segment_active_shares,
)
from perjaka_analysis.datasets import load_uhc_counts, load_uhc_status
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
#
# At each origin (by default every quarter with figures of three places
# before it) the three methods are fitted on the figures before it and
# predict those published after it.

# %%
backtest_active(converted, origins=backtest_origins).table()

# %% [markdown]
# ## UHC status: both conditions together
#
# Registration and the share of participants who pay are drawn from their
# models and paired by rank on the date asked about (comonotone by default,
# the dependence the joint-status backtest supports: `docs/models.md`); the
# active share of population is their product. The probability is that
# *both* are met on the same date by the deadline; `prob_if_independent` (the
# product of the marginals) is shown only for comparison.

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

# %% [markdown]
# ## The national count of UHC provinces as evidence
#
# The models fit each province on its own figures and reports; the national
# count of provinces that met both conditions (`load_uhc_counts`, from
# `uhc_status.csv`) is not among them. How far is the sum of today's
# probabilities from the latest count, and what would conditioning on it
# (`compute_uhc_status(..., counts=...)`, `perjaka_analysis.uhc_count`) change?
# The briefs do not condition on it: the registration and active nowcasts they
# show would have to be conditioned as well, or a brief could show an active
# estimate below 80% beside a "likely" UHC.

# %%
counts = load_uhc_counts()
latest = counts.iloc[-1]
as_of = max(latest["published"], registration.data_end)
today_only = conditions[conditions["condition"] == TODAY]
places = [p for p in active.places if p != pa.NATIONAL]
kw = dict(conditions=today_only, provinces=places, n_paths=n_paths // 4, seed=seed, as_of=as_of)
plain = compute_uhc_status(registration, active, **kw).set_index("province")["prob_now"]
given = compute_uhc_status(registration, active, counts=counts, **kw)
given = given.set_index("province")["prob_now"]
print(
    f"count on {latest['date']:%Y-%m-%d}: {latest['n_provinces']} provinces; "
    f"sum of P(UHC today): {plain.sum():.1f} as fitted, {given.sum():.1f} given the count"
)
shift = given - plain
(
    pd.DataFrame({"as_fitted": plain, "given_the_count": given, "change": shift})
    .loc[shift.abs().sort_values(ascending=False).index[:10]]
    .round(3)
)
