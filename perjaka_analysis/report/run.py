"""``run_reports``: the run's orchestrator (checks, facts once, briefs on workers, outputs)."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import shutil
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .. import facts as facts_api
from ..config import ReportConfig
from ..errors import DataQualityWarning, PerjakaError
from ..loaders import read_registry
from ..privacy import load_key
from ..provinces import normalise_province, province_table
from ..render.pdf import PdfPrinter
from .cluster import _executor, _stop, bounded_jobs, check_scheduler_address, probe_scheduler
from .execute import check_notebook, default_notebook, run_one, warm_up
from .outputs import (
    _locked,
    _write_files,
    check_run_id,
    new_run_id,
    summary_table,
    write_index,
    write_manifest,
    write_summary,
)
from .pool import KERNEL_NAME, check_kernel
from .results import ProvinceOutcome, RunResult

__all__ = ["check_registry", "run_reports"]


def check_registry(config: ReportConfig) -> None:
    """Read and validate a given registry in the client, before any worker starts.

    Raises
    ------
    PerjakaError
        The registry's validation error (file, columns, rows).
    """
    if config.registry:
        read_registry(config.registry)


@contextlib.contextmanager
def _facts_progress(show: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the facts' steps (:data:`~perjaka_analysis.facts.FACT_STEPS`)."""
    if not show:
        yield None
        return
    bar = tqdm(total=len(facts_api.FACT_STEPS), desc="facts", unit="step")
    seen: list[str] = []

    def told(name: str) -> None:
        if seen:
            bar.update(1)
        seen.append(name)
        bar.set_postfix_str(name)

    try:
        yield told
        bar.update(len(facts_api.FACT_STEPS) - bar.n)
    finally:
        bar.close()


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
    facts: str | Path | None = None,
    reuse: bool = True,
    pdf: bool = False,
    replace: bool = False,
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
        Name of the run folder (default: UTC time and a random suffix): a
        plain folder name (:func:`check_run_id`), new unless ``replace``.
    jobs : int
        Worker processes of the local pool (bounded by cores and memory).
    executor : concurrent.futures.Executor, optional
        Any executor (e.g. ``distributed.Client(...).get_executor()``);
        tasks then receive the facts and notebook as bytes.
    scheduler : str, optional
        Address of a dask.distributed scheduler (instead of ``executor``).
    notebook : str or Path, optional
        The brief notebook (default ``notebooks/province_report.ipynb``).
    kernel : str
        Jupyter kernel name, always passed explicitly.
    progress : bool
        Show a progress bar.
    facts : str or Path, optional
        Facts folder of an earlier run to use as they are.
    reuse : bool
        Reuse the facts of an earlier run in ``out`` with the same inputs
        and parameters (``out/_facts/<key>``).
    pdf : bool
        Also write an A4 PDF per brief (needs Chromium).
    replace : bool
        Replace an earlier run folder of the same ``run_id`` (its files are
        removed first, so two runs never mix in one folder).

    Returns
    -------
    RunResult

    Raises
    ------
    PerjakaError
        For bad parameters, provinces or registry (before any worker starts).
    KeyboardInterrupt
        After writing what was complete, when the run is interrupted.
    """
    started = time.perf_counter()
    base = config if isinstance(config, ReportConfig) else ReportConfig.from_mapping(config or {})
    names = (
        [normalise_province(p, allow_national=False) for p in provinces]
        if provinces
        else list(province_table()["province"])
    )
    names = list(dict.fromkeys(names))
    check_kernel(kernel)
    nb_path = check_notebook(Path(notebook) if notebook else default_notebook())
    check_registry(base)
    if scheduler is not None:  # before any folder exists: a bad address leaves nothing
        probe_scheduler(check_scheduler_address(scheduler))
    # the pseudonym key is part of the facts' identity (its digest is in the cache key)
    key = load_key() if facts is None else None
    remote = scheduler is not None or executor is not None
    workers = jobs if remote else bounded_jobs(jobs, len(names))
    out = Path(out).resolve()
    run_dir = out / (check_run_id(run_id) if run_id is not None else new_run_id())
    if replace and run_dir.is_dir():
        with _locked(run_dir):  # never under a run that is still writing there
            for old in run_dir.iterdir():
                if old.name != ".lock":
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
    try:
        run_dir.mkdir(parents=True, exist_ok=replace)
    except FileExistsError:
        raise PerjakaError(
            f"run folder {run_dir} already exists; choose another run id, or replace that "
            "run (--replace)"
        ) from None
    except OSError as exc:
        raise PerjakaError(f"cannot create the run folder {run_dir}: {exc}") from None
    with _locked(run_dir):
        own_client = None
        owned = executor is None
        try:
            # -- facts: given, reused, or computed once ------------------------------------
            run_facts: facts_api.RunFacts | None = None
            reused = False
            cache = None
            if facts is not None:
                run_facts, reused = facts_api.load_run_facts(facts), True
            elif reuse:
                hashes = {
                    n: facts_api.file_sha256(p) for n, p in facts_api.input_files(base).items()
                }
                cache = out / "_facts" / facts_api.facts_key(hashes, base, key)
                if (cache / "facts.json").is_file():
                    try:
                        run_facts, reused = facts_api.load_run_facts(cache), True
                    except Exception as exc:  # damaged (truncated, edited): compute again
                        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                        warnings.warn(
                            f"the saved facts in {cache} cannot be read ({reason}); "
                            "they are computed again",
                            DataQualityWarning,
                            stacklevel=2,
                        )
                        shutil.rmtree(cache, ignore_errors=True)
            if owned:
                executor, own_client = _executor(workers, scheduler, kernel)
            # local workers keep one kernel each: start it while the facts are computed
            keep = not remote
            warming = [
                executor.submit(warm_up, kernel if keep else None) for _ in range(max(workers, 1))
            ]
            if run_facts is None:
                with _facts_progress(progress) as told:
                    run_facts = facts_api.compute_run_facts(
                        base, key=key, executor=None if remote else executor, progress=told
                    )
                if cache is not None:
                    run_facts.save(cache)
        except BaseException:  # an error, Ctrl-C or SIGTERM before any brief: leave nothing
            if executor is not None:
                _stop(executor, own_client, owned, kill=True)
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        config = (run_facts := run_facts.in_language(base.language)).config
        configs = [dataclasses.replace(config, province=n, facts="") for n in names]
        outcomes: dict[str, ProvinceOutcome] = {}
        stopped: KeyboardInterrupt | None = None
        futures: dict[cf.Future, ReportConfig] = {}
        printer = None
        try:
            # from here on an interruption still writes the summary, overview and manifest,
            # so a run folder is never left with only its facts and lists
            run_facts.save(run_dir / "facts")
            if "inspection_plan" in run_facts.tables:
                # heavy: the inspection lists load the employer pipeline (scikit-learn)
                from ..exports import write_inspection_lists

                write_inspection_lists(
                    run_facts.tables["inspection_plan"],
                    run_facts.tables["capacity"],
                    run_dir / "lists",
                    provinces=names,
                    language=config.language,
                )
            if remote:
                facts_arg: str | bytes = run_facts.to_bytes()
                nb_arg: str | bytes = nb_path.read_bytes()
            else:
                facts_arg, nb_arg = str(run_dir / "facts"), str(nb_path)
            if pdf:  # each brief is printed as soon as it is written, while others run
                printer = PdfPrinter(language=config.language)
            futures = {
                executor.submit(run_one, c, facts_arg, nb_arg, kernel=kernel, reuse_kernel=keep): c
                for c in configs
            }
            iterator: Any = cf.as_completed(futures)
            if progress:
                iterator = tqdm(iterator, total=len(futures), desc="briefs", unit="province")
            for fut in iterator:
                c = futures[fut]
                try:
                    art = fut.result()
                    _write_files(run_dir, art.files)
                    outcomes[c.province] = art.outcome
                    if printer is not None and art.outcome.status == "ok":
                        printer.add(run_dir / f"{c.slug}.html")
                except Exception as exc:  # a worker that died
                    outcomes[c.province] = ProvinceOutcome(
                        c.province, c.slug, "failed", 0.0, error=repr(exc)
                    )
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (errors.Terminated)
            stopped = exc
        finally:
            if stopped is None:
                cf.wait(warming)
            _stop(executor, own_client, owned, kill=stopped is not None)
            pdf_note = printer.close() if printer is not None else ""
        for c in configs:
            outcomes.setdefault(c.province, ProvinceOutcome(c.province, c.slug, "cancelled", 0.0))
        result = RunResult(
            run_dir=run_dir, outcomes=[outcomes[n] for n in names], facts_reused=reused
        )
        result.pdf_note = pdf_note
        result.pdf_skipped = printer is not None and printer.browser is None
        table = summary_table(run_facts, result.outcomes)
        write_summary(table, run_dir)
        write_index(run_facts, result.outcomes, run_dir)
        result.seconds = time.perf_counter() - started
        write_manifest(run_facts, run_dir, result, run_dir.name)
    if stopped is not None:  # the same kind: SIGTERM stays Terminated
        raise type(stopped)(f"run interrupted; complete briefs are in {run_dir}")
    return result
