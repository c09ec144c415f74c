"""Province briefs with Papermill: run one, run all, the national overview.

The only module that knows papermill and executors; it never computes a
number. A run:

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
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import functools
import json
import multiprocessing
import os
import re
import secrets
import shutil
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .config import ReportConfig, target_label
from .errors import DataQualityWarning, PerjakaError
from .io import atomic_path, write_table
from .kernels import IPCKernelManager
from .privacy import load_key, shareable_parameters
from .provinces import NATIONAL, normalise_province, province_table

__all__ = [
    "KERNEL_NAME",
    "WORKER_MEMORY_MB",
    "RunResult",
    "bounded_jobs",
    "check_run_id",
    "default_notebook",
    "run_one",
    "run_reports",
    "summary_table",
]

KERNEL_NAME = "perjaka"
RETRYABLE = ("Kernel died", "kernel_info", "Address already in use", "ZMQError", "timed out")
#: Peak resident memory of one worker and its kernel during a brief, in MB
#: (measured by ``benchmarks/reports_batch.py``), used to bound ``jobs``.
WORKER_MEMORY_MB = 600


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


def _available_memory_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def bounded_jobs(jobs: int, n_tasks: int, *, memory_mb: float | None = None) -> int:
    """Worker processes actually started: at most the cores, the memory and the tasks.

    Parameters
    ----------
    jobs : int
        Requested (at least 1).
    n_tasks : int
        Briefs to write.
    memory_mb : float, optional
        Available memory (default: ``MemAvailable`` of ``/proc/meminfo``).

    Raises
    ------
    PerjakaError
        If ``jobs`` is below 1.

    Examples
    --------
    >>> bounded_jobs(64, 38, memory_mb=1000) <= 2
    True
    >>> bounded_jobs(2, 1, memory_mb=10_000)
    1
    """
    if int(jobs) < 1:
        raise PerjakaError(f"--jobs must be at least 1, got {jobs}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory_mb = _available_memory_mb() if memory_mb is None else memory_mb
    by_memory = int(memory_mb // WORKER_MEMORY_MB) if memory_mb else int(jobs)
    return max(1, min(int(jobs), cores or 1, by_memory, max(n_tasks, 1)))


@dataclass
class ProvinceOutcome:
    """What happened to one province's brief."""

    province: str
    slug: str
    status: str  # "ok" | "failed" | "cancelled"
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
    facts_reused: bool = False
    pdf_note: str = ""
    #: PDFs were asked for but no browser was found, so none was made
    pdf_skipped: bool = False

    @property
    def failures(self) -> list[ProvinceOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    def describe_failures(self) -> str:
        """One paragraph per failure: province, failing cell, error."""
        parts = []
        for o in self.failures:
            if o.status == "cancelled":
                parts.append(f"- {o.province}: cancelled")
                continue
            where = (
                f"cell {o.cell} of {o.slug}.failed.ipynb"
                if o.cell is not None
                else "before the notebook ran"
            )
            src = f"\n    {o.cell_source.strip().splitlines()[0]}" if o.cell_source else ""
            parts.append(f"- {o.province}: failed at {where}: {o.error}{src}")
        return "\n".join(parts)


@dataclass
class BriefArtefacts:
    """What a task returns: its outcome and the files to write (name → bytes)."""

    outcome: ProvinceOutcome
    files: dict[str, bytes] = field(default_factory=dict)


def _remove_tagged():
    from nbconvert.preprocessors import TagRemovePreprocessor

    pre = TagRemovePreprocessor()
    pre.remove_cell_tags = {"remove-cell"}
    pre.enabled = True
    return pre


@contextlib.contextmanager
def _kernel_log(path: Path) -> Iterator[None]:
    """Send this process's stderr (and so the kernel's) to a log file meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _notebook_bytes(nb: Any) -> bytes:
    """An executed notebook as file bytes, its injected-parameters cell with a fixed id.

    papermill draws a random id for the cell it injects; a fixed one makes the
    same inputs give the same notebook and page, byte for byte. papermill has
    validated the notebook when it wrote it, so it is not validated again.
    """
    import nbformat

    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    text = nbformat.v4.writes_json(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


@functools.lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter per process: building one compiles its templates (about 0.3 s)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class BriefExporter(HTMLExporter):
        """nbconvert's HTML exporter without its closing BeautifulSoup pass.

        That pass re-parses the whole page to add ``tabindex`` to code cells and
        ``alt`` text to ``<img>`` tags; a brief has neither (its code is hidden,
        its charts are inline SVG with titles), and the pass took 0.14 s a brief.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = BriefExporter(template_name="basic")
    exporter.optimistic_validation = True  # validate once, after all preprocessors (not 13 times)
    exporter.anchor_link_text = ""
    exporter.register_preprocessor(_remove_tagged(), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _html_body(nb: Any) -> str:
    """The code-free body of an executed notebook (a ``NotebookNode``, left unchanged)."""
    body, _ = _exporter().from_notebook_node(nb)
    return body


def _facts_folder(facts: str | bytes, tmp: Path) -> str:
    """The facts as a path this process can read (bytes are unpacked into ``tmp``)."""
    if isinstance(facts, bytes | bytearray):
        path = tmp / "facts.zip"
        path.write_bytes(facts)
        return str(path)
    return str(facts)


# -- one kernel per worker -------------------------------------------------------------------
#: This process's kernels, kept between briefs (``run_one(..., reuse_kernel=True)``).
_KERNELS: dict[str, Any] = {}
#: What runs in a kept kernel before each brief: a new IPython session with an
#: empty namespace and execution count 1, so a brief never sees its
#: predecessor's variables. Imported modules stay loaded: that is the saving.
RESET_CODE = (
    "get_ipython().reset(new_session=True, aggressive=False)\n"
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:  # close a notebook's figures, never import it\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "del _sys"
)


@dataclass
class _KeptKernel:
    """A worker's kernel, its started client and its working directory."""

    manager: Any
    client: Any
    folder: str


def _shutdown_kernels() -> None:
    from jupyter_core.utils import run_sync

    while _KERNELS:
        _, kept = _KERNELS.popitem()
        with contextlib.suppress(Exception):
            kept.client.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(kept.manager.shutdown_kernel)(now=True)
        shutil.rmtree(kept.folder, ignore_errors=True)


def _kept_kernel(kernel: str) -> _KeptKernel:
    from jupyter_core.utils import run_sync

    kept = _KERNELS.get(kernel)
    if kept is not None:
        if run_sync(kept.manager.is_alive)():
            return kept
        _KERNELS.pop(kernel)
        with contextlib.suppress(Exception):
            kept.client.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(kept.manager.cleanup_resources)()
        shutil.rmtree(kept.folder, ignore_errors=True)
    if not _KERNELS:
        import multiprocessing.util

        # runs when a pool worker exits normally (atexit does not run there)
        multiprocessing.util.Finalize(None, _shutdown_kernels, exitpriority=10)
    folder = tempfile.mkdtemp(prefix="perjaka-kernel-cwd-")
    km = IPCKernelManager(kernel_name=kernel)
    run_sync(km.start_kernel)(cwd=folder)
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
    except BaseException:
        kc.stop_channels()
        run_sync(km.shutdown_kernel)(now=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    kc.allow_stdin = False
    _KERNELS[kernel] = kept = _KeptKernel(km, kc, folder)
    return kept


def worker_kernel(kernel: str = KERNEL_NAME) -> Any:
    """This process's kept kernel (started on first use, again if it died).

    A worker of the local pool runs its briefs one after another in one
    kernel, through one client, so each brief skips the kernel's start, the
    client's handshake and the imports of pandas, matplotlib and the package
    (about 3 s). The kernel's working directory is a private temporary
    folder removed when the worker exits.

    Parameters
    ----------
    kernel : str
        Jupyter kernel name.

    Returns
    -------
    IPCKernelManager
        A manager whose kernel is alive.
    """
    return _kept_kernel(kernel).manager


async def _execute_quietly(kc: Any, code: str, timeout: float = 120) -> None:
    """Run ``code`` in the kernel without a trace in the notebook; raise if it fails."""
    import asyncio

    msg_id = kc.execute(code, silent=True, store_history=False)
    while True:
        reply = await asyncio.wait_for(kc.get_shell_msg(), timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    if reply["content"].get("status") != "ok":
        content = reply["content"]
        raise RuntimeError(
            f"Kernel could not be reset: {content.get('ename')}: {content.get('evalue')}"
        )


def _warm_engine() -> str:
    """Register (once) the papermill engine that runs a brief in a kept kernel."""
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    name = "perjaka-kept-kernel"
    if name in papermill_engines._engines:
        return name

    class KeptKernelEngine(NBClientEngine):
        """papermill's nbclient engine on a kept kernel and client it does not stop."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            kept = _kept_kernel(kwargs.pop("kept_kernel"))
            for unused in ("input_path", "kernel_manager_class", "cwd"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(
                nb_man,
                km=kept.manager,
                kernel_name=kernel_name,
                timeout=kwargs.pop("execution_timeout", None),
                startup_timeout=kwargs.pop("start_timeout", 60),
                log_output=kwargs.pop("log_output", False),
                **kwargs,
            )
            run_sync(_execute_quietly)(kept.client, RESET_CODE)
            client.kc = kept.client
            # papermill writes (and validates) the whole notebook before and after every
            # cell; a brief is written once, when it is complete (notebook_complete saves
            # it, also after a failing cell)
            output_path, nb_man.output_path = nb_man.output_path, None
            try:
                return client.execute()
            finally:
                nb_man.output_path = output_path

    papermill_engines.register(name, KeptKernelEngine)
    return name


def run_one(
    config: ReportConfig,
    facts: str | bytes,
    notebook: str | bytes,
    *,
    kernel: str = KERNEL_NAME,
    retries: int = 1,
    reuse_kernel: bool = False,
) -> BriefArtefacts:
    """Execute the brief notebook of one province; return its files as bytes.

    Runs in a private temporary folder (any worker, any filesystem).
    Never raises for a failing notebook: the outcome says what failed.

    Parameters
    ----------
    config : ReportConfig
        The brief's parameters.
    facts : str or bytes
        The run's facts: a folder or archive this process can read, or the
        bytes of :meth:`~perjaka_analysis.facts.RunFacts.to_bytes`.
    notebook : str or bytes
        The brief notebook: a path, or its bytes.
    kernel : str
        Jupyter kernel name.
    retries : int
        How often to retry a brief whose kernel died or could not start.
    reuse_kernel : bool
        Run in this process's kept kernel (:func:`worker_kernel`), reset
        before the brief, instead of a new kernel per brief.
    """
    import papermill as pm

    from .i18n import text
    from .render import render_page

    started = time.perf_counter()
    slug = config.slug
    attempts = 0
    files: dict[str, bytes] = {}

    def outcome(status: str, **details: object) -> BriefArtefacts:
        elapsed = time.perf_counter() - started
        o = ProvinceOutcome(config.province, slug, status, elapsed, max(attempts, 1), **details)
        return BriefArtefacts(o, files)

    with tempfile.TemporaryDirectory(prefix="perjaka-brief-") as tmp_name:
        tmp = Path(tmp_name)
        nb_in = tmp / "brief.ipynb"
        if isinstance(notebook, bytes | bytearray):
            nb_in.write_bytes(notebook)
        else:
            shutil.copyfile(notebook, nb_in)
        # the brief reads its facts; the executed notebook never shows the registry's folder
        params = {**shareable_parameters(config.parameters()), "facts": _facts_folder(facts, tmp)}
        nb_out = tmp / f"{slug}.ipynb"
        log = tmp / "kernel.log"
        try:
            while True:
                attempts += 1
                try:
                    engine = {}
                    if reuse_kernel:
                        engine = {"engine_name": _warm_engine(), "kept_kernel": kernel}
                    with _kernel_log(log):
                        executed = pm.execute_notebook(
                            str(nb_in),
                            str(nb_out),
                            parameters=params,
                            kernel_name=kernel,
                            kernel_manager_class=IPCKernelManager,
                            progress_bar=False,
                            log_output=False,
                            request_save_on_cell_execute=False,
                            cwd=str(tmp),
                            **engine,
                        )
                    notebook_bytes = _notebook_bytes(executed)
                    body = _html_body(executed)
                    title = f"{config.province} — {text('title', config.language)}"
                    page = render_page(config.language, title, body, back=True)
                    files[f"{slug}.ipynb"] = notebook_bytes
                    files[f"{slug}.html"] = page.encode("utf-8")
                    return outcome("ok")
                except pm.PapermillExecutionError as exc:
                    if nb_out.is_file():
                        files[f"{slug}.failed.ipynb"] = nb_out.read_bytes()
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
        finally:
            if log.is_file():
                files[f"_logs/{slug}.log"] = log.read_bytes()


# -- workers ------------------------------------------------------------------------------------
def _die_with_parent(scratch: str | None = None) -> None:
    """Worker initialiser: ignore Ctrl-C (the parent cancels) and die with the parent.

    With ``scratch``, every temporary folder of the worker and its kernels
    (brief folders, kernel sockets, the kept kernel's working directory) is
    made inside it, so the parent removes them all even when it had to kill
    the worker.
    """
    import signal

    if scratch:
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = None

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def warm_up(kernel: str | None = None) -> float:
    """Import what a worker needs (papermill, nbconvert, the renderers).

    With ``kernel``, also start this worker's kept kernel and import the
    brief's modules in it, while the client computes the facts.
    """
    started = time.perf_counter()
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from .render import brief  # noqa: F401

    if kernel:
        from jupyter_core.utils import run_sync

        kept = _kept_kernel(kernel)
        # the imports stay for the kernel's life: freeze them out of the garbage collector,
        # whose full pass (in every reset between briefs) took 50 ms a brief walking them
        run_sync(_execute_quietly)(
            kept.client, "import gc, perjaka_analysis.brief\ngc.collect()\ngc.freeze()"
        )
    return time.perf_counter() - started


def check_worker(version: str, kernel: str) -> str:
    """Start-up check on a worker: same package version and the kernel installed."""
    from . import __version__

    problems = []
    if __version__ != version:
        problems.append(f"perjaka-analysis {__version__} (the client has {version})")
    try:
        check_kernel(kernel)
    except PerjakaError as exc:
        problems.append(str(exc))
    return "; ".join(problems)


_SCHEDULER_HELP = "a dask scheduler address such as tcp://10.0.0.5:8786 or tls://host:8786"
#: Seconds a dask scheduler has to answer before a run gives up on it.
SCHEDULER_TIMEOUT = 10.0


def check_scheduler_address(address: object, name: str = "--scheduler") -> str:
    """Return ``address`` if it has the form of a dask scheduler address, else raise.

    Nothing is contacted: ``tcp``, ``tls``, ``ws``, ``wss`` or ``ucx`` (or no
    scheme, meaning ``tcp``), a host and a port from 1 to 65535.

    Examples
    --------
    >>> check_scheduler_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> check_scheduler_address("http://127.0.0.1:8787")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: --scheduler: 'http://127.0.0.1:8787' is not ...
    """
    from urllib.parse import urlsplit

    text = address.strip() if isinstance(address, str) else ""
    scheme, _, rest = text.rpartition("://")
    try:
        parts = urlsplit(f"//{rest}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if (
        scheme.lower() not in ("", "tcp", "tls", "ws", "wss", "ucx")
        or not host
        or port is None
        or not 1 <= port <= 65535
        or any(c in rest for c in "/?#@ ")
    ):
        raise PerjakaError(f"{name}: {address!r} is not {_SCHEDULER_HELP}")
    return text


def probe_scheduler(address: str, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """Ask ``address`` who it is; raise one clear error unless a dask scheduler answers.

    The whole exchange (connection, handshake, answer) has one deadline: a
    server that accepts the connection and says nothing, or speaks another
    protocol (a web server's reply read as a message length asks for
    exabytes), fails here in at most ``timeout`` seconds.

    Raises
    ------
    PerjakaError
        Naming the address and what went wrong.
    """
    import asyncio

    from distributed.comm import connect

    async def identity() -> object:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def ask() -> object:
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    pool = cf.ThreadPoolExecutor(1)  # its own event loop, also under a running one
    try:
        answer = pool.submit(ask).result()
    except TimeoutError:
        raise PerjakaError(
            f"--scheduler: no dask scheduler answered at {address} within {timeout:g} s"
        ) from None
    except Exception as exc:  # refused, unreachable, or another protocol
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, MemoryError):
            reason = "the server speaks another protocol"
        raise PerjakaError(f"--scheduler: cannot use {address} ({reason[:200]})") from None
    finally:
        pool.shutdown(wait=False)
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise PerjakaError(f"--scheduler: {address} answers, but it is not a dask scheduler")


def _executor(jobs: int, scheduler: str | None, kernel: str) -> tuple[cf.Executor, Any]:
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise PerjakaError(
                "--scheduler needs the optional 'distributed' package: "
                "pip install 'perjaka-analysis[dask]'"
            ) from None
        try:
            client = Client(scheduler, timeout="20s")
        except Exception as exc:
            raise PerjakaError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        _check_cluster(client, kernel)
        return client.get_executor(), client
    ctx = multiprocessing.get_context("spawn")
    scratch = tempfile.mkdtemp(prefix="perjaka-run-")
    pool = cf.ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_die_with_parent, initargs=(scratch,)
    )
    pool._perjaka_scratch = scratch  # type: ignore[attr-defined]  # removed by _stop
    return pool, None


def _check_cluster(client: Any, kernel: str) -> None:
    from . import __version__

    answers = client.run(check_worker, __version__, kernel)
    bad = {w: msg for w, msg in answers.items() if msg}
    if not answers:
        client.close()
        raise PerjakaError("the dask scheduler has no workers")
    if bad:
        client.close()
        lines = "; ".join(f"{w}: {m}" for w, m in sorted(bad.items()))
        raise PerjakaError(f"workers not ready for briefs: {lines}")


def _stop(executor: cf.Executor, client: Any, owned: bool, *, kill: bool) -> None:
    if owned and isinstance(executor, cf.ProcessPoolExecutor):
        if kill:
            for proc in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
        executor.shutdown(wait=not kill, cancel_futures=True)
        scratch = getattr(executor, "_perjaka_scratch", None)
        if scratch:  # a killed worker's kernel notices its parent is gone and exits
            shutil.rmtree(scratch, ignore_errors=True)
    elif owned:
        executor.shutdown(wait=not kill)
    if client is not None:
        client.close()


# -- run folder ---------------------------------------------------------------------------------
#: A run id is a plain folder name: it starts with a letter or digit (so not
#: ``.``, ``..``, a hidden name or the ``_facts`` cache) and holds no separator.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_run_id(run_id: str, name: str = "run id") -> str:
    """Return ``run_id`` if it is a plain folder name, else raise one clear error.

    Examples
    --------
    >>> check_run_id("2025-ci.1")
    '2025-ci.1'
    >>> check_run_id("../escaped")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    perjaka_analysis.errors.PerjakaError: run id must be a plain folder name (...), got '../escaped'
    """
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        raise PerjakaError(
            f"{name} must be a plain folder name (letters, digits, '.', '-' and '_', "
            f"starting with a letter or digit, at most 100 characters), got {run_id!r}"
        )
    return run_id


def new_run_id() -> str:
    """A unique run id: UTC time and a random suffix, e.g. ``20250630-101500-3fa2c1``."""
    return pd.Timestamp.now(tz="UTC").strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


@contextlib.contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the run folder; a second run on it fails at once."""
    import fcntl

    with (run_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PerjakaError(f"run folder {run_dir} is in use by another run") from None
        try:
            yield
        finally:
            (run_dir / ".lock").unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_files(run_dir: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)


#: Largest brief notebook read (the shipped one is a few tens of kB).
MAX_NOTEBOOK_BYTES = 20_000_000


def check_notebook(path: Path) -> Path:
    """Return ``path`` if it is a brief notebook: a Jupyter notebook with a parameters cell.

    Nothing of a rejected file's content is repeated in the message (a
    mistyped path may point at any file of the machine).

    Raises
    ------
    PerjakaError
        Naming the file and what a brief notebook is.
    """
    import nbformat

    what = "a Jupyter notebook (.ipynb) with a cell tagged 'parameters'"
    if not path.is_file():
        raise PerjakaError(f"--notebook: brief notebook not found: {path}")
    if path.suffix.lower() != ".ipynb" or path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise PerjakaError(f"--notebook: {path} is not {what}")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        raise PerjakaError(f"--notebook: {path} is not {what} (not notebook JSON)") from None
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise PerjakaError(f"--notebook: {path} has no cell tagged 'parameters'; valid: {what}")
    return path


def check_registry(config: ReportConfig) -> None:
    """Read and validate a given registry in the client, before any worker starts.

    Raises
    ------
    PerjakaError
        The registry's validation error (file, columns, rows).
    """
    if config.registry:
        from .loaders import read_registry

        read_registry(config.registry)


@contextlib.contextmanager
def _facts_progress(show: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the facts' steps (:data:`~perjaka_analysis.facts.FACT_STEPS`)."""
    if not show:
        yield None
        return
    from tqdm.auto import tqdm

    from .facts import FACT_STEPS

    bar = tqdm(total=len(FACT_STEPS), desc="facts", unit="step")
    seen: list[str] = []

    def told(name: str) -> None:
        if seen:
            bar.update(1)
        seen.append(name)
        bar.set_postfix_str(name)

    try:
        yield told
        bar.update(len(FACT_STEPS) - bar.n)
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
    from .facts import RunFacts, compute_run_facts, facts_key, file_sha256, input_files
    from .facts import load_run_facts as load_facts

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
            run_facts: RunFacts | None = None
            reused = False
            cache = None
            if facts is not None:
                run_facts, reused = load_facts(facts), True
            elif reuse:
                hashes = {n: file_sha256(p) for n, p in input_files(base).items()}
                cache = out / "_facts" / facts_key(hashes, base, key)
                if (cache / "facts.json").is_file():
                    try:
                        run_facts, reused = load_facts(cache), True
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
                    run_facts = compute_run_facts(
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
                from .exports import write_inspection_lists

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
                from .render.pdf import PdfPrinter

                printer = PdfPrinter(language=config.language)
            futures = {
                executor.submit(run_one, c, facts_arg, nb_arg, kernel=kernel, reuse_kernel=keep): c
                for c in configs
            }
            iterator: Any = cf.as_completed(futures)
            if progress:
                from tqdm.auto import tqdm

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


# -- run outputs (reshaping facts; nothing is computed here) ------------------------------------
def summary_table(facts: Any, outcomes: Sequence[ProvinceOutcome]) -> pd.DataFrame:
    """Headline facts, one row per province (deterministic: no timestamps).

    Columns: ``province, brief, status, latest_pct, latest_date, rank,
    n_points``, then per target ``T`` (labelled ``95``, ``98.6``, ...):
    ``gap_T_pp, gap_T_people, status_T, expected_T, prob_T_by_deadline,
    months_earlier_T``, then ``employers_on_list, added_participants,
    added_pp, basis``.
    """
    places = facts.table("places").set_index("province")
    gaps = facts.table("gaps").set_index(["province", "target_pct"])
    targets = facts.table("targets").set_index(["province", "target_pct"])
    scenario = facts.table("scenario").set_index(["province", "target_pct"])
    gains = facts.table("gains").set_index("province")
    rows = []
    for o in outcomes:
        p = places.loc[o.province]
        row = {
            "province": o.province,
            "brief": f"{o.slug}.html" if o.status == "ok" else "",
            "status": o.status,
            "latest_pct": p["latest_pct"],
            "latest_date": p["latest_date"],
            "rank": p["rank"],
            "n_points": p["n_points"],
        }
        for t in facts.config.targets:
            label, key = target_label(t), (o.province, float(t))
            row[f"gap_{label}_pp"] = gaps["gap_pp"].get(key)
            row[f"gap_{label}_people"] = gaps["gap_people"].get(key)
            if key in targets.index:
                tt = targets.loc[key]
                row[f"status_{label}"] = tt["status"]
                row[f"expected_{label}"] = tt["expected_date"]
                row[f"prob_{label}_by_deadline"] = round(float(tt["prob_by_deadline"]), 3)
            if key in scenario.index:
                row[f"months_earlier_{label}"] = scenario.loc[key, "months_earlier"]
        if o.province in gains.index:
            g = gains.loc[o.province]
            row["employers_on_list"] = int(g["employers_on_list"])
            row["added_participants"] = round(float(g["added_participants"]), 1)
            row["added_pp"] = round(float(g["added_pp"]), 4)
        row["basis"] = p["basis"]
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(table: pd.DataFrame, run_dir: Path) -> Path:
    """``summary.csv``: the summary table with dates as ISO text."""
    table = table.copy()
    for col in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[col]):
            table[col] = table[col].dt.strftime("%Y-%m-%d")
    return write_table(table.round(4), run_dir / "summary.csv")


def write_manifest(facts: Any, run_dir: Path, result: RunResult, run_id: str) -> Path:
    """``manifest.json``: parameters, provenance, the files read and each brief's status."""
    meta = facts.meta
    manifest = {
        "run_id": run_id,
        "parameters": shareable_parameters(facts.config.run_parameters()),
        "package_version": meta["package_version"],
        "git_commit": meta["git_commit"],
        "facts_key": meta["key"],
        "facts_reused": result.facts_reused,
        "inputs": meta["inputs"],
        "seed": facts.config.seed,
        "registry_synthetic": meta["registry_synthetic"],
        "seconds": round(result.seconds, 2),
        "pdf": result.pdf_note or None,
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
            for o in result.outcomes
        ],
    }
    path = run_dir / "manifest.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_index(facts: Any, outcomes: Sequence[ProvinceOutcome], run_dir: Path) -> Path:
    """``index.html``: the national overview of the run."""
    from .render.overview import render_overview

    briefs = {
        o.province: (o.status, f"{o.slug}.html" if o.status == "ok" else "") for o in outcomes
    }
    briefs.pop(NATIONAL, None)
    page = render_overview(facts, briefs)
    path = run_dir / "index.html"
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


def run_id_from_env() -> str | None:
    """``PERJAKA_RUN_ID`` if set (deterministic folder names in CI)."""
    return os.environ.get("PERJAKA_RUN_ID") or None
