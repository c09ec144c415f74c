"""Run facts: every number a brief or the overview shows, computed once per run.

One question per module, one orchestrator, arrows only downward (render →
facts → analytics → io):

- :mod:`~perjaka_analysis.facts.schema`: :data:`SCHEMA`, :class:`RunFacts`
  and :class:`ProvinceFacts`; one writer (:meth:`RunFacts.save`,
  :meth:`RunFacts.to_bytes`) and one reader (:func:`load_run_facts`): one
  Parquet file per table plus ``facts.json``; the same inputs and parameters
  give byte-identical files.
- :mod:`~perjaka_analysis.facts.coverage`: latest figures, population, ranks,
  gaps, sources, districts and public employer figures.
- :mod:`~perjaka_analysis.facts.targets`: gains if the listed employers
  complied, the enforcement scenario, points of coverage as people.
- :mod:`~perjaka_analysis.facts.employers`: capacity, the scoring task, the
  inspection list and risk by group.
- :mod:`~perjaka_analysis.facts.active`: active shares, UHC today, people who
  would have to resume paying.
- :mod:`~perjaka_analysis.facts.run`: :func:`compute_run_facts` (reads the
  inputs, fits the models, calls the modules above), :func:`province_facts`
  (what a brief notebook calls) and provenance (:func:`facts_key`).

Every derived number is one named function, tested on a tiny frame whose
answer is computed by hand. Crossing dates and probabilities come from
:func:`perjaka_analysis.forecast.compute_targets` and
:func:`~perjaka_analysis.forecast.scenario_targets` (one crossing logic).
Renderers (:mod:`perjaka_analysis.render`) read these tables and nothing else.

Adding a table means one :data:`SCHEMA` entry and one ``compute_`` function;
the renderers reach every table through :meth:`RunFacts.table` and
:meth:`ProvinceFacts.rows`.
"""

from __future__ import annotations

from .active import (
    AWARD_GRADES,
    compute_active_latest,
    compute_active_observed,
    compute_uhc_today,
    uhc_status_view,
)
from .coverage import (
    age_months,
    basis_kind,
    compute_districts,
    compute_employer_public,
    compute_gaps,
    compute_latest,
    compute_observed,
    compute_population,
    compute_ranks,
    compute_sources,
)
from .employers import (
    SHIPPED_REGISTRY,
    band_workers,
    compute_capacity,
    compute_inspection_list,
    compute_risk_by,
    registry_path,
    score_employers,
)
from .run import (
    code_hash,
    compute_run_facts,
    facts_key,
    file_sha256,
    git_commit,
    input_files,
    province_facts,
)
from .schema import (
    FACT_STEPS,
    FACTS_VERSION,
    LIST_ROWS,
    SCHEMA,
    ProvinceFacts,
    RunFacts,
    as_saved,
    load_run_facts,
)
from .targets import (
    compute_enforcement,
    compute_gains,
    compute_scenario,
    drop_reached,
    months_earlier,
    pp_to_people,
)

__all__ = [
    "AWARD_GRADES",
    "FACTS_VERSION",
    "FACT_STEPS",
    "LIST_ROWS",
    "SCHEMA",
    "SHIPPED_REGISTRY",
    "ProvinceFacts",
    "RunFacts",
    "age_months",
    "as_saved",
    "band_workers",
    "basis_kind",
    "code_hash",
    "compute_active_latest",
    "compute_active_observed",
    "compute_capacity",
    "compute_districts",
    "compute_employer_public",
    "compute_enforcement",
    "compute_gains",
    "compute_gaps",
    "compute_inspection_list",
    "compute_latest",
    "compute_observed",
    "compute_population",
    "compute_ranks",
    "compute_risk_by",
    "compute_run_facts",
    "compute_scenario",
    "compute_sources",
    "compute_uhc_today",
    "drop_reached",
    "facts_key",
    "file_sha256",
    "git_commit",
    "input_files",
    "load_run_facts",
    "months_earlier",
    "pp_to_people",
    "province_facts",
    "registry_path",
    "score_employers",
    "uhc_status_view",
]
