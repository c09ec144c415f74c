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
# # The inspection loop, three semesters
#
# A PERJAKA team receives an inspection plan, visits the employers on it,
# records what it found, and every six months reports what enforcement
# achieved; the findings then train the next model. This notebook runs that
# loop on a **SYNTHETIC** registry (`perjaka employers synth`: invented
# employers calibrated to public aggregate figures) whose true probability
# of noncompliance is known, so what the loop learns can be checked against
# the truth. Each semester (`perjaka_analysis.employers.loop.simulate_loop`):
#
# 1. the model is trained on the registry as it stands and the default plan
#    is drawn: ranked picks and a random reserve with recorded inclusion
#    probabilities;
# 2. 90% of the plan is visited in the first three months; the finding is the
#    employer's true state; a noncompliant employer registers each of its
#    unregistered workers with probability 0.6, and every employer hires and
#    lets go as usual, so the count three months later is not the visit's
#    effect alone;
# 3. the findings are merged into the registry with the plan's probabilities;
# 4. the semester report's figures are computed, as `perjaka employers
#    semester` computes them from the plan, outcomes and registry files.
#
# The registry has the size of the shipped synthetic one (60,000 employers,
# about 1:3 to 1:10 of the real registries; `data/README.md`), and each
# province team visits 35 employers a semester: about 2% of its registry on
# average; for Jawa Tengah 35 of about 8,100 synthetic employers, as some
# 200 a semester would be of its 46,895 registered employers (2023). A
# smaller registry with the same teams would have them run out of
# employers: with 12,000 employers the smallest provinces hold 35 employers
# or fewer, so their plans take every uninspected employer from the first
# semester, and by the third the plans hold about 30% fewer visits than the
# teams can make, among employers with few unregistered workers left, which
# no real team faces.

# %% tags=["parameters"]
n_employers = 60000
capacity = 35
seed = 3

# %%
from perjaka_analysis.employers import generate_registry
from perjaka_analysis.employers.loop import simulate_loop
from perjaka_analysis.plotting import plot_loop_history
from perjaka_analysis.render.brief import HTML
from perjaka_analysis.render.semester import render_semester_html

registry = generate_registry(n_employers, seed=seed, selective=True).frame
loop = simulate_loop(registry, capacity=capacity, seed=seed)
loop.history.round(3)

# %% [markdown]
# ## Hit rates: ranked and random picks
#
# The ranked picks are the employers the model rates riskiest; the random
# picks stand for everybody else. The gap between the two is what the
# ranking is worth; as the riskiest employers are visited, the ranked hit
# rate falls towards the rest.

# %%
ax = plot_loop_history(loop.history, "hit_rate")

# %% [markdown]
# ## Calibration on the random picks
#
# The random picks are the only visits that stand for the employers the
# model did not choose: the model's mean risk among them against the share
# found noncompliant (with its 95% Wilson interval) says whether the risk
# can be taken at face value outside the plan. A few dozen random picks a
# semester give wide intervals; the report's reliability chart splits them
# by band of risk.

# %%
ax = plot_loop_history(loop.history, "calibration")

# %% [markdown]
# ## What the model knows: ROC AUC against the truth
#
# The AUC of each semester's model among the employers not yet inspected,
# against the true outcome, next to the best any model could reach (the true
# probability's AUC on the same employers).

# %%
ax = plot_loop_history(loop.history, "auc")

# %% [markdown]
# ## Workers brought in: the report against the truth
#
# The report counts the workers registered three months after each visit
# minus those before, at the employers found noncompliant, beyond the
# ordinary hiring and leaving measured at those found compliant; the
# simulation also knows how many of them the visit brought in.
# `workers_error` is the report's relative difference from the truth, and
# `workers_lower`–`workers_upper` the report's 95% interval: each
# noncompliant employer also hires and loses workers by chance, which no
# correction can take out of one semester's count, so the interval is
# widest, relative to what was brought in, when the visits bring in few
# workers (the later semesters, once the employers with most unregistered
# workers have been visited). `benchmarks/semester_workers.py` runs this
# loop over several seeds.

# %%
ax = plot_loop_history(loop.history, "workers")

# %%
loop.history[
    ["period", "visited", "workers_reported", "workers_lower", "workers_upper", "workers_truth",
     "workers_error"]
]  # fmt: skip

# %% [markdown]
# ## The last semester's report
#
# What `perjaka employers semester` writes for the same figures (English;
# the Bahasa Indonesia page has the same numbers). Aggregates only: no
# employer id or pseudonym.

# %%
HTML(render_semester_html(loop.facts[-1], "en"))
