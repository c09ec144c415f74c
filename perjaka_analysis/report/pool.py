"""One kernel per worker: kept between briefs, reset before each; the workers' start-up."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing.util
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.utils import run_sync

from .. import __version__
from ..errors import PerjakaError
from ..kernels import IPCKernelManager

__all__ = [
    "KERNEL_NAME",
    "RESET_CODE",
    "check_kernel",
    "check_worker",
    "shutdown_kernels",
    "worker_kernel",
]


KERNEL_NAME = "perjaka"


def check_kernel(name: str = KERNEL_NAME) -> None:
    """Fail early, with the fix, when the project's kernel is not installed."""
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise PerjakaError(
            f"the Jupyter kernel '{name}' is not installed; run `make env` or "
            f"`python -m ipykernel install --sys-prefix --name {name}`"
        ) from None


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


def shutdown_kernels() -> None:
    """Stop this process's kept kernels and remove their working directories.

    A worker of the local pool does so when it exits; a process that ran
    briefs with ``reuse_kernel=True`` itself calls it when done with them.
    A kernel that cannot be stopped cleanly is killed.
    """
    while _KERNELS:
        _, kept = _KERNELS.popitem()
        with contextlib.suppress(Exception):
            kept.client.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(kept.manager.shutdown_kernel)(now=True)
        shutil.rmtree(kept.folder, ignore_errors=True)


def _kept_kernel(kernel: str) -> _KeptKernel:
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
        # runs when a pool worker exits normally (atexit does not run there)
        multiprocessing.util.Finalize(None, shutdown_kernels, exitpriority=10)
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


def _die_with_parent(scratch: str | None = None) -> None:
    """Worker initialiser: ignore Ctrl-C (the parent cancels) and die with the parent.

    With ``scratch``, every temporary folder of the worker and its kernels
    (brief folders, kernel sockets, the kept kernel's working directory) is
    made inside it, so the parent removes them all even when it had to kill
    the worker.
    """
    if scratch:
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = None

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def check_worker(version: str, kernel: str) -> str:
    """Start-up check on a worker: same package version and the kernel installed."""
    problems = []
    if __version__ != version:
        problems.append(f"perjaka-analysis {__version__} (the client has {version})")
    try:
        check_kernel(kernel)
    except PerjakaError as exc:
        problems.append(str(exc))
    return "; ".join(problems)
