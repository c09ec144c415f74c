"""One brief: execute the notebook with papermill and return the notebook and page as bytes."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
from jupyter_core.utils import run_sync

from ..config import ReportConfig
from ..errors import PerjakaError
from ..i18n import text
from ..kernels import IPCKernelManager
from ..privacy import shareable_parameters
from ..render import (
    brief,  # noqa: F401  (imported by every brief: loaded once per worker)
    render_page,
)
from .pool import KERNEL_NAME, _execute_quietly, _kept_kernel
from .results import BriefArtefacts, ProvinceOutcome

__all__ = [
    "MAX_NOTEBOOK_BYTES",
    "RETRYABLE",
    "check_notebook",
    "default_notebook",
    "run_one",
    "warm_up",
]


RETRYABLE = ("Kernel died", "kernel_info", "Address already in use", "ZMQError", "timed out")


def default_notebook() -> Path:
    """``notebooks/province_report.ipynb`` beside the package."""
    return Path(__file__).resolve().parents[2] / "notebooks" / "province_report.ipynb"


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


def _remove_tagged():
    # heavy: nbconvert loads only in the processes that write briefs
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
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    text = nbformat.v4.writes_json(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


@functools.lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter per process: building one compiles its templates (about 0.3 s)."""
    # heavy: nbconvert loads only in the processes that write briefs
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
    # heavy: papermill (and nbclient) load only in the processes that run briefs
    import papermill as pm

    # heavy: the engine module imports papermill
    from .engine import register_engine

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
                        engine = {"engine_name": register_engine(), "kept_kernel": kernel}
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


def warm_up(kernel: str | None = None) -> float:
    """Import what a worker needs (papermill, nbconvert, the renderers).

    With ``kernel``, also start this worker's kept kernel and import the
    brief's modules in it, while the client computes the facts.
    """
    started = time.perf_counter()
    # heavy: what run_one loads on first use, loaded here ahead of the first brief
    import nbconvert  # noqa: F401

    # heavy: papermill, through the engine that runs briefs in the kept kernel
    from . import engine  # noqa: F401

    if kernel:
        kept = _kept_kernel(kernel)
        # the imports stay for the kernel's life: freeze them out of the garbage collector,
        # whose full pass (in every reset between briefs) took 50 ms a brief walking them
        run_sync(_execute_quietly)(
            kept.client, "import gc, perjaka_analysis.brief\ngc.collect()\ngc.freeze()"
        )
    return time.perf_counter() - started
