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
# # Employers at risk of noncompliance
#
# A ranked, explained inspection list per province, and what enforcement at the
# top employers would add to coverage. **The shipped registry is SYNTHETIC**
# (`data/synthetic/employers.parquet`, made by `perjaka employers synth`):
# invented employers calibrated to public aggregate figures, because real
# registries are confidential. Any registry that follows the contract
# (`data/README.md`) works unchanged. Employer ids never appear: a keyed
# pseudonym replaces them (`PERJAKA_PSEUDONYM_KEY` or the key file).

# %% tags=["parameters"]
registry_path = "../data/synthetic/employers.parquet"
province = "Banten"
capacity = 480
language = "id"
seed = 0

# %%
import perjaka_analysis as pa
from perjaka_analysis.employers import (
    RiskModel,
    compute_arrears_cost,
    disclosure_safe_list,
    equity_table,
    evaluate,
    metrics_table,
    score_registry,
)
from perjaka_analysis.employers.features import rule_of_thumb
from perjaka_analysis.plotting import plot_calibration, plot_precision_at_k, plot_risk_by

registry = pa.read_registry(registry_path)
model = RiskModel(random_state=seed).fit(registry)
result = evaluate(registry, capacity=capacity, model=model)
metrics_table(result).round(3)

# %% [markdown]
# Inspections target suspicious employers, so figures computed on the
# inspected employers alone ("naive") describe them, not the registry. The
# inverse-propensity-weighted (IPW) and doubly robust columns correct for who
# was inspected; on synthetic data the truth is known and shown next to them,
# with the best any model could do (Bayes-optimal AUC).

# %%
{k: round(result[k], 3) for k in ("bayes_auc", "auc_gap", "auc_gap_uninspected") if k in result}

# %% [markdown]
# ## Calibration and precision at capacity (out-of-fold, labelled rows)

# %%
labelled = registry[registry["noncompliant"].notna()]
y = labelled["noncompliant"].astype(int)
ax = plot_calibration(y, result["oof"])

# %%
ax = plot_precision_at_k(
    y, {"model": result["oof"], "rule of thumb (arrears)": rule_of_thumb(labelled)}
)

# %% [markdown]
# ## Scores, risk by sector and province

# %%
scored = score_registry(registry, model=model, capacity=capacity, language=language)
ax = plot_risk_by(scored, "sector")

# %%
ax = plot_risk_by(scored, "province", top=38)

# %% [markdown]
# ## The inspection list for one province
#
# Employers are ranked by the expected unregistered workers plus a fixed worth
# of finding a noncompliant employer (`--rank-by blend`), with the three facts
# that raise each one's risk most, and the workers, family members and
# contributions that compliance would add (risk-weighted expectations).
# Employers already inspected are kept in the file with their known outcome
# but are not listed. A shareable view shows the facts in bands, generalised
# until at least five employers of the registry share them.

# %%
name = pa.normalise_province(province)
safe = disclosure_safe_list(scored, registry, ump=model.ump_, language=language)
safe[safe["province"] == name].head(20)

# %% [markdown]
# ## What employer arrears cost active participation
#
# Workers and family members of employers in arrears are not active; what the
# list would regain if its employers paid their arrears.

# %%
compute_arrears_cost(registry, scored).loc[[name]].T

# %% [markdown]
# ## Whom does the list concentrate on?
#
# Shares of the list against shares of the registry (ratio above 1 =
# over-represented) by firm size, sector and district, for this province, with
# each group's expected noncompliance rate and the list's precision and recall
# within it: over-representation of a group with a higher rate is justified.

# %%
equity_table(scored, province=name, by=("size_band", "sector", "district")).round(3)
