"""Province briefs with Papermill: run one, run all, the national overview.

The only package that knows papermill and executors; it never computes a
number. A run (:func:`~perjaka_analysis.report.run.run_reports`):

1. validates the configuration, the provinces, the kernel, the notebook and
   a given registry up front (a bad input stops the run before any worker
   starts);
2. computes the run's facts once (:func:`~perjaka_analysis.facts.compute_run_facts`),
   or reuses those of an earlier run with the same inputs and parameters;
3. for every province, on a local process pool or a dask.distributed
   cluster: executes ``notebooks/province_report.ipynb`` with the project's
   kernel in a private temporary folder and returns the executed notebook
   and a self-contained HTML page as bytes; the client writes them (temporary
   name, then rename), so workers need neither the client's filesystem nor
   its working directory;
4. writes ``summary.csv``, ``manifest.json``, ``index.html``, each
   province's full inspection plan (``lists/<slug>.csv`` and ``.xlsx``,
   :mod:`~perjaka_analysis.exports`) and, with ``pdf=True``, one A4 PDF per
   brief.

One failing province never stops the others. Ctrl-C cancels what has not
started, stops the workers and their kernels, and still writes what is
complete (the overview marks the rest "cancelled").

Modules: ``run`` (the orchestrator), ``execute`` (one brief), ``engine``
(papermill on a kept kernel), ``pool`` (one kernel per worker), ``cluster``
(process pool or dask cluster), ``outputs`` (run folder, summary, manifest,
overview), ``results`` (what a run returns).
"""

from .cluster import (
    SCHEDULER_TIMEOUT,
    WORKER_MEMORY_MB,
    bounded_jobs,
    check_cluster,
    check_scheduler_address,
    probe_scheduler,
)
from .execute import MAX_NOTEBOOK_BYTES, check_notebook, default_notebook, run_one, warm_up
from .outputs import (
    check_run_id,
    new_run_id,
    run_id_from_env,
    summary_table,
    write_index,
    write_manifest,
    write_summary,
)
from .pool import KERNEL_NAME, check_kernel, check_worker, shutdown_kernels, worker_kernel
from .results import BriefArtefacts, ProvinceOutcome, RunResult
from .run import check_registry, run_reports

__all__ = [
    "KERNEL_NAME",
    "MAX_NOTEBOOK_BYTES",
    "SCHEDULER_TIMEOUT",
    "WORKER_MEMORY_MB",
    "BriefArtefacts",
    "ProvinceOutcome",
    "RunResult",
    "bounded_jobs",
    "check_cluster",
    "check_kernel",
    "check_notebook",
    "check_registry",
    "check_run_id",
    "check_scheduler_address",
    "check_worker",
    "default_notebook",
    "new_run_id",
    "probe_scheduler",
    "run_id_from_env",
    "run_one",
    "run_reports",
    "shutdown_kernels",
    "summary_table",
    "warm_up",
    "worker_kernel",
    "write_index",
    "write_manifest",
    "write_summary",
]
