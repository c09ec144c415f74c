"""A papermill engine that runs a brief in the worker's kept kernel.

Registered with papermill's public registry (``papermill_engines.register``)
by :func:`register_engine` when a brief runs, and chosen with
``execute_notebook(..., engine_name=ENGINE_NAME)``. It is not declared as a
``papermill.engine`` entry point: papermill loads those while it is itself
being imported, and this module imports papermill.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from .pool import RESET_CODE, _execute_quietly, _kept_kernel

__all__ = ["ENGINE_NAME", "KeptKernelEngine", "register_engine"]

#: The engine's name for ``papermill.execute_notebook(engine_name=...)``.
ENGINE_NAME = "perjaka-kept-kernel"


class KeptKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a kept kernel and client it does not stop.

    ``execute_notebook`` takes one more keyword, ``kept_kernel``: the name of
    the Jupyter kernel whose kept instance runs the brief.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
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


def register_engine() -> str:
    """Register :class:`KeptKernelEngine` with papermill; return its name.

    Registering again replaces the engine with itself, so every brief may call it.

    Examples
    --------
    >>> from papermill.engines import papermill_engines
    >>> papermill_engines.get_engine(register_engine()) is KeptKernelEngine
    True
    """
    papermill_engines.register(ENGINE_NAME, KeptKernelEngine)
    return ENGINE_NAME
