"""Where briefs run: a local process pool bounded by cores and memory, or a dask cluster."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..errors import PerjakaError
from .pool import _die_with_parent, check_worker

__all__ = [
    "SCHEDULER_TIMEOUT",
    "WORKER_MEMORY_MB",
    "bounded_jobs",
    "check_cluster",
    "check_scheduler_address",
    "probe_scheduler",
]


#: Peak resident memory of one worker and its kernel during a brief, in MB
#: (measured by ``benchmarks/reports_batch.py``), used to bound ``jobs``.
WORKER_MEMORY_MB = 600


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
    # optional: the dask extra, needed only with a scheduler
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
            # optional: the dask extra, needed only with a scheduler
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
        check_cluster(client, kernel)
        return client.get_executor(), client
    ctx = multiprocessing.get_context("spawn")
    scratch = tempfile.mkdtemp(prefix="perjaka-run-")
    pool = cf.ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_die_with_parent, initargs=(scratch,)
    )
    pool._perjaka_scratch = scratch  # type: ignore[attr-defined]  # removed by _stop
    return pool, None


def check_cluster(client: Any, kernel: str) -> None:
    """Refuse a dask cluster that cannot run briefs, before any brief is sent.

    Every worker must run this version of perjaka-analysis and have the
    Jupyter kernel ``kernel`` (:func:`~perjaka_analysis.report.check_worker`).

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster (closed when the cluster is refused).
    kernel : str
        The Jupyter kernel the briefs run in.

    Raises
    ------
    PerjakaError
        If the cluster has no workers, or naming each worker that is not ready
        and why.
    """
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
