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
from perjaka_analysis.employers import equity_table, evaluate, metrics_table, score_registry
from perjaka_analysis.employers.model import rule_of_thumb
from perjaka_analysis.plotting import plot_calibration, plot_precision_at_k, plot_risk_by

registry = pa.read_registry(registry_path)
result = evaluate(registry, capacity=capacity, random_state=seed)
metrics_table(result).round(3)

# %% [markdown]
# On synthetic data the true probabilities are known: the best any model could
# do, and how much the choice of inspected employers moves the metrics.

# %%
{k: round(result[k], 3) for k in ("bayes_auc", "auc_gap") if k in result}

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
scored = score_registry(registry, capacity=capacity, language=language, random_state=seed)
ax = plot_risk_by(scored, "sector")

# %%
ax = plot_risk_by(scored, "province", top=38)

# %% [markdown]
# ## The inspection list for one province
#
# Top employers by risk, with the three facts that raise each one's risk most,
# and the workers, family members and contributions that compliance would add
# (risk-weighted expectations).

# %%
name = pa.normalise_province(province)
scored[(scored["province"] == name) & scored["on_list"]].head(20)

# %% [markdown]
# ## Whom does the list concentrate on?
#
# Shares of the list against shares of the registry (ratio above 1 =
# over-represented) by firm size and sector, for this province.

# %%
equity_table(scored, province=name, by=("size_band", "sector", "district")).round(3)
