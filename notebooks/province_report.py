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

# %% [markdown] tags=["remove-cell"]
# # Province brief
#
# Run by `perjaka report` (one brief per province; the run's facts are
# computed once and shared), or by hand: with `facts = ""` `province_facts`
# computes the facts with the same function a run uses. Every section is one
# package call that reads the facts and nothing else.

# %% tags=["parameters"]
province: str = "Banten"
as_of: str = ""
targets: list[float] = [95.0, 98.0]
deadline: str = "2029-12-31"
language: str = "id"
registry: str = ""
capacity: int = 0
seed: int = 0
facts: str = ""

# %%
from IPython.display import display

from perjaka_analysis.brief import Brief
from perjaka_analysis.facts import province_facts

brief = Brief(
    province_facts(
        province=province,
        as_of=as_of,
        targets=targets,
        deadline=deadline,
        language=language,
        registry=registry,
        capacity=capacity,
        seed=seed,
        facts=facts,
    )
)
brief.title()

# %% [markdown] tags=["remove-cell"]
# The sections, in the order of the page, from one cell: a run executes 38
# briefs and every cell is a round trip to the kernel (about 9 ms). Any
# section can be shown alone, e.g. `brief.forecast()`.

# %%
display(
    brief.chart(),
    brief.forecast(),
    brief.public(),
    brief.employers(),
    brief.scenario(),
    brief.method(),
    brief.annex(),
)
