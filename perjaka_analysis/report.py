"""Province briefs with Papermill: run one, run all, the national overview.

The only module that knows papermill. A run:

1. validates the configuration and the provinces up front;
2. computes the heavy results once (:func:`~perjaka_analysis.report_data.prepare_shared`);
3. for every province, on any ``concurrent.futures`` executor (a local
   process pool by default, or a dask.distributed cluster): draws the
   figures, executes ``notebooks/province_report.ipynb`` with the project's
   own kernel, exports code-free HTML; each file is written to a temporary
   name and renamed, so no half-written file is left; a kernel-start or port
   error is retried once;
4. writes ``summary.csv`` (one row per province), ``manifest.json`` and
   ``index.html`` (sortable ranking, coverage map, links to every brief).

One failing province never stops the others: failures are listed with the
failing cell, and the run reports them (the command exits non-zero).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import html
import json
import multiprocessing
import os
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import ReportConfig
from .errors import PerjakaError
from .io import atomic_path, write_table
from .provinces import normalise_province, province_table

__all__ = ["KERNEL_NAME", "RunResult", "default_notebook", "run_one", "run_reports"]

KERNEL_NAME = "perjaka"
RETRYABLE = ("Kernel died", "kernel_info", "Address already in use", "ZMQError", "timed out")


def default_notebook() -> Path:
    """``notebooks/province_report.ipynb`` beside the package."""
    return Path(__file__).resolve().parents[1] / "notebooks" / "province_report.ipynb"


def check_kernel(name: str = KERNEL_NAME) -> None:
    """Fail early, with the fix, when the project's kernel is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise PerjakaError(
            f"the Jupyter kernel '{name}' is not installed; run `make env` or "
            f"`python -m ipykernel install --sys-prefix --name {name}`"
        ) from None


@dataclass
class ProvinceOutcome:
    """What happened to one province's brief."""

    province: str
    slug: str
    status: str  # "ok" | "failed"
    seconds: float
    attempts: int = 1
    error: str = ""
    cell: int | None = None
    cell_source: str = ""


@dataclass
class RunResult:
    """A finished run: where it is, and what succeeded."""

    run_dir: Path
    outcomes: list[ProvinceOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[ProvinceOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    def describe_failures(self) -> str:
        """One paragraph per failure: province, failing cell, error."""
        parts = []
        for o in self.failures:
            where = (
                f"cell {o.cell} of {o.slug}.failed.ipynb"
                if o.cell is not None
                else "before the notebook ran"
            )
            src = f"\n    {o.cell_source.strip().splitlines()[0]}" if o.cell_source else ""
            parts.append(f"- {o.province}: failed at {where}: {o.error}{src}")
        return "\n".join(parts)


def _remove_tagged():
    from nbconvert.preprocessors import TagRemovePreprocessor

    pre = TagRemovePreprocessor()
    pre.remove_cell_tags = {"remove-cell"}
    pre.enabled = True
    return pre


@contextlib.contextmanager
def _kernel_log(path: Path):
    """Send this process's stderr (and so the kernel's) to a log file meanwhile.

    Kernel start-up chatter and shutdown messages then land in
    ``_logs/<slug>.log`` of the run instead of the terminal.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _export_html(nb_path: Path, html_path: Path, title: str, lang: str = "id") -> None:
    """Code-free HTML of an executed notebook, self-contained (no external scripts)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(template_name="basic")
    exporter.anchor_link_text = ""
    exporter.register_preprocessor(_remove_tagged(), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    page = PAGE.format(title=html.escape(title), body=body, lang=html.escape(lang))
    with atomic_path(html_path) as tmp:
        tmp.write_text(page, encoding="utf-8")


def run_one(
    config: ReportConfig,
    run_dir: str | Path,
    *,
    notebook: str | Path | None = None,
    kernel: str = KERNEL_NAME,
    retries: int = 1,
    figures: bool = True,
) -> ProvinceOutcome:
    """Render figures, execute the brief notebook and export HTML for one province.

    Never raises for a failing notebook: the outcome says what failed.
    Meant to run in a worker process; it does not change the working directory.
    """
    import papermill as pm

    from .plotting import render_brief_figures

    started = time.perf_counter()
    run_dir = Path(run_dir)
    slug = config.slug
    nb_out = run_dir / f"{slug}.ipynb"
    attempts = 0

    def outcome(status: str, **details: object) -> ProvinceOutcome:
        elapsed = time.perf_counter() - started
        return ProvinceOutcome(config.province, slug, status, elapsed, max(attempts, 1), **details)

    try:
        if figures:
            render_brief_figures(
                Path(config.shared), config.province, run_dir / "figures", config.language
            )
    except Exception as exc:  # a figure failure is that province's failure
        return outcome("failed", error=f"{type(exc).__name__}: {exc}")
    failed_nb = run_dir / f"{slug}.failed.ipynb"
    while True:
        attempts += 1
        try:
            with _kernel_log(run_dir / "_logs" / f"{slug}.log"), atomic_path(nb_out) as tmp:
                try:
                    pm.execute_notebook(
                        str(notebook or default_notebook()),
                        str(tmp),
                        parameters=config.parameters(),
                        kernel_name=kernel,
                        progress_bar=False,
                        log_output=False,
                        request_save_on_cell_execute=False,
                    )
                except pm.PapermillExecutionError:
                    if tmp.is_file():  # keep the executed notebook with its error
                        os.replace(tmp, failed_nb)
                    raise
            _export_html(
                nb_out, run_dir / f"{slug}.html", f"{config.province} — JKN", config.language
            )
            failed_nb.unlink(missing_ok=True)
            return outcome("ok")
        except pm.PapermillExecutionError as exc:
            return outcome(
                "failed",
                error=f"{exc.ename}: {exc.evalue}",
                cell=exc.cell_index,
                cell_source=exc.source,
            )
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            if attempts <= retries and any(k in message for k in RETRYABLE):
                time.sleep(0.5)
                continue
            return outcome("failed", error=message + "\n" + traceback.format_exc(limit=2))


def warm_up() -> float:
    """Import what a worker needs (papermill, nbconvert, matplotlib, plotting).

    Submitted once per worker before the shared results are computed, so that
    worker start-up overlaps with that work instead of following it.
    """
    started = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from . import plotting  # noqa: F401

    return time.perf_counter() - started


def _executor(jobs: int, scheduler: str | None) -> tuple[cf.Executor, object]:
    if scheduler:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise PerjakaError("--scheduler needs the 'distributed' package") from None
        client = Client(scheduler)
        return client.get_executor(), client
    ctx = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx), None


def _close(executor: cf.Executor, client: object, owned: bool) -> None:
    if owned:
        executor.shutdown(wait=True)
    if client is not None:
        client.close()


def run_reports(
    provinces: Sequence[str] | None = None,
    *,
    config: ReportConfig | dict | None = None,
    out: str | Path = "outputs/reports",
    run_id: str | None = None,
    jobs: int = 2,
    executor: cf.Executor | None = None,
    scheduler: str | None = None,
    notebook: str | Path | None = None,
    kernel: str = KERNEL_NAME,
    progress: bool = True,
    shared: str | Path | None = None,
    figures: bool = True,
) -> RunResult:
    """Run the brief of every province (or the given ones) and the national overview.

    Parameters
    ----------
    provinces : sequence of str, optional
        Names, aliases or codes (default all 38).
    config : ReportConfig or dict, optional
        Parameters shared by every brief (province is set per brief).
    out : str or Path
        Parent folder; the run goes to ``out/<run_id>/``.
    run_id : str, optional
        Name of the run folder (default: the UTC time, ``YYYYmmdd-HHMMSS``).
    jobs : int
        Worker processes of the default local pool.
    executor : concurrent.futures.Executor, optional
        Any executor (e.g. ``distributed.Client(...).get_executor()``).
    scheduler : str, optional
        Address of a dask.distributed scheduler (instead of ``executor``).
    notebook : str or Path, optional
        The brief notebook (default ``notebooks/province_report.ipynb``).
    kernel : str
        Jupyter kernel name, always passed explicitly.
    progress : bool
        Show a progress bar.
    shared : str or Path, optional
        Reuse the shared results of an earlier run with the same parameters
        (default: compute them).
    figures : bool
        Draw the figures (off only to time the runner itself).

    Returns
    -------
    RunResult

    Raises
    ------
    PerjakaError
        For bad parameters or provinces (before anything runs).
    """
    from .report_data import prepare_shared

    started = time.perf_counter()
    base = config if isinstance(config, ReportConfig) else ReportConfig.from_mapping(config or {})
    base = base.validated()
    names = (
        [normalise_province(p, allow_national=False) for p in provinces]
        if provinces
        else list(province_table()["province"])
    )
    names = list(dict.fromkeys(names))
    check_kernel(kernel)
    nb_path = Path(notebook) if notebook else default_notebook()
    if not nb_path.is_file():
        raise PerjakaError(f"brief notebook not found: {nb_path}")
    run_id = run_id or pd.Timestamp.now(tz="UTC").strftime("%Y%m%d-%H%M%S")
    run_dir = Path(out).resolve() / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    own_client = None
    owned = executor is None
    if owned:
        executor, own_client = _executor(jobs, scheduler)
    warming = [executor.submit(warm_up) for _ in range(max(jobs, 1))]
    try:
        if shared is None:
            shared = prepare_shared(
                base,
                run_dir / "_shared",
                provinces=list(province_table()["province"]),
                executor=executor,
            )
    except BaseException:
        _close(executor, own_client, owned)
        raise
    shared = Path(shared).resolve()
    configs = [
        ReportConfig(**{**base.parameters(), "province": n, "shared": str(shared)}).validated()
        for n in names
    ]
    outcomes: list[ProvinceOutcome] = []
    try:
        futures = {
            executor.submit(
                run_one, c, run_dir, notebook=nb_path, kernel=kernel, figures=figures
            ): c
            for c in configs
        }
        iterator = cf.as_completed(futures)
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(iterator, total=len(futures), desc="briefs", unit="province")
        for fut in iterator:
            c = futures[fut]
            try:
                outcomes.append(fut.result())
            except Exception as exc:  # a worker that died
                outcomes.append(ProvinceOutcome(c.province, c.slug, "failed", 0.0, error=repr(exc)))
    finally:
        cf.wait(warming)
        _close(executor, own_client, owned)
    order = {n: i for i, n in enumerate(names)}
    outcomes.sort(key=lambda o: order[o.province])
    result = RunResult(run_dir=run_dir, outcomes=outcomes)
    table = summary_table(shared, outcomes, base)
    write_summary(table, run_dir)
    write_index(table, shared, run_dir, base)
    result.seconds = time.perf_counter() - started
    write_manifest(shared, run_dir, outcomes, base, result.seconds, run_id)
    return result


def summary_table(shared: Path, outcomes: list[ProvinceOutcome], config: ReportConfig):
    """Headline numbers, one row per province (deterministic: no timestamps)."""
    summary = pd.read_parquet(shared / "summary.parquet")
    targets = pd.read_parquet(shared / "targets.parquet")
    gains = pd.read_parquet(shared / "gains.parquet").set_index("province")
    scenario = pd.read_parquet(shared / "scenario.parquet")
    rows = []
    for o in outcomes:
        s = summary[summary["province"] == o.province].iloc[0]
        row = {
            "province": o.province,
            "brief": f"{o.slug}.html" if o.status == "ok" else "",
            "status": o.status,
            "latest_pct": s["latest_pct"],
            "latest_date": s["latest_date"],
            "rank": s["rank"],
            "n_points": s["n_points"],
        }
        for t in config.targets:
            label = f"{t:g}"
            row[f"gap_{label}_pp"] = s.get(f"gap_{label}_pp")
            row[f"gap_{label}_people"] = s.get(f"gap_{label}_people")
            tt = targets[(targets["province"] == o.province) & (targets["target_pct"] == t)]
            if not tt.empty:
                row[f"status_{label}"] = tt["status"].iloc[0]
                row[f"expected_{label}"] = tt["expected_date"].iloc[0]
                row[f"prob_{label}_by_deadline"] = round(float(tt["prob_by_deadline"].iloc[0]), 3)
            sc = scenario[(scenario["province"] == o.province) & (scenario["target_pct"] == t)]
            if not sc.empty:
                row[f"months_earlier_{label}"] = sc["months_earlier"].iloc[0]
        if o.province in gains.index:
            g = gains.loc[o.province]
            row["employers_on_list"] = int(g["employers_on_list"])
            row["added_participants"] = round(float(g["added_participants"]), 1)
            row["added_pp"] = round(float(g["added_pp"]), 4)
        row["basis"] = targets.loc[targets["province"] == o.province, "basis"].iloc[0]
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(table: pd.DataFrame, run_dir: Path) -> Path:
    """``summary.csv``: the summary table with dates as ISO text."""
    table = table.copy()
    for col in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[col]):
            table[col] = table[col].dt.strftime("%Y-%m-%d")
    return write_table(table.round(4), run_dir / "summary.csv")


def write_manifest(shared, run_dir, outcomes, config, seconds, run_id) -> Path:
    meta = json.loads((shared / "meta.json").read_text(encoding="utf-8"))
    manifest = {
        "run_id": run_id,
        "parameters": {k: v for k, v in config.parameters().items() if k not in ("province",)},
        "package_version": meta["package_version"],
        "git_commit": meta["git_commit"],
        "inputs": meta["inputs"],
        "seed": config.seed,
        "registry_synthetic": meta["registry_synthetic"],
        "seconds": round(seconds, 2),
        "provinces": [
            {
                "province": o.province,
                "status": o.status,
                "seconds": round(o.seconds, 2),
                "attempts": o.attempts,
                "notebook": f"{o.slug}.ipynb" if o.status == "ok" else None,
                "html": f"{o.slug}.html" if o.status == "ok" else None,
                "error": o.error or None,
                "failed_cell": o.cell,
            }
            for o in outcomes
        ],
    }
    path = run_dir / "manifest.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_index(table: pd.DataFrame, shared: Path, run_dir: Path, config: ReportConfig) -> Path:
    """``index.html``: the national overview of the run."""
    from .overview import render_index

    page = render_index(table, config, shared)
    path = run_dir / "index.html"
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem;
  margin: 1.5rem auto; padding: 0 1rem; color: #1d2733; line-height: 1.45; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }} h2 {{ border-bottom: 2px solid #1f77b4;
  padding-bottom: .2rem; margin-top: 2rem; }}
table.brief {{ border-collapse: collapse; font-size: .88rem; margin: .6rem 0; }}
table.brief th, table.brief td {{ border-bottom: 1px solid #dde3ea; padding: .3rem .5rem;
  text-align: left; vertical-align: top; }}
table.brief th {{ background: #f2f5f8; }}
.big {{ font-size: 2rem; font-weight: 600; margin: .3rem 0; }}
.synthetic {{ background: #fff4d6; border-left: 4px solid #e0a800; padding: .4rem .6rem; }}
.note {{ color: #55606b; font-size: .9rem; }} .meta {{ color: #55606b; }}
img.figure {{ max-width: 100%; }} .cols {{ display: flex; gap: 1.5rem; flex-wrap: wrap; }}
nav a {{ color: #1f77b4; }} code {{ font-size: .85em; }}
</style></head>
<body><nav><a href="index.html">&larr; Indonesia</a></nav>
{body}
</body></html>
"""


def run_id_from_env() -> str | None:
    """``PERJAKA_RUN_ID`` if set (deterministic folder names in CI)."""
    return os.environ.get("PERJAKA_RUN_ID") or None
