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

# %% [markdown] tags=["remove-cell"]
# # Province brief
#
# Run by `perjaka report` (one brief per province, heavy results computed once
# per run and shared), or by hand: with `shared = ""` the brief computes what
# it needs for this province first. Every section is one package call.

# %% tags=["parameters"]
province = "Banten"
as_of = ""
targets = [95.0, 98.0]
deadline = "2029-12-31"
language = "id"
registry = ""
capacity = 480
seed = 0
shared = ""

# %%
from perjaka_analysis.brief import Brief

brief = Brief.load(
    province=province,
    as_of=as_of,
    targets=targets,
    deadline=deadline,
    language=language,
    registry=registry,
    capacity=capacity,
    seed=seed,
    shared=shared,
)
brief.title()

# %%
brief.headline()

# %%
brief.forecast()

# %%
brief.employers()

# %%
brief.scenario()

# %%
brief.method()
