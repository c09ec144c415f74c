"""Kernels for the briefs, reached over local sockets instead of TCP.

A Jupyter kernel started over TCP listens on localhost ports without
encryption (and says so in every log). :class:`IPCKernelManager` starts it
over IPC instead: Unix domain sockets in a private temporary folder (mode
0700) that is removed when the kernel shuts down. Where IPC is not available
(Windows) it falls back to TCP.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client import AsyncKernelManager
from traitlets import CaselessStrEnum, default

__all__ = ["IPCKernelManager"]

#: Longest socket folder: its sockets are named ``k-<port>`` and a Unix
#: socket path (``sockaddr_un.sun_path``) holds at most 107 bytes.
MAX_SOCKET_DIR = 90
#: Where the socket folder goes when the temporary folder's path is too long.
SHORT_TMP = "/tmp"


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel talks over IPC (Unix sockets).

    Pass it to papermill (``kernel_manager_class=IPCKernelManager``) or to
    ``nbclient.NotebookClient``.

    Examples
    --------
    >>> IPCKernelManager(kernel_name="python3").transport in ("ipc", "tcp")
    True
    """

    transport = CaselessStrEnum(
        ["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc", config=True
    )

    @default("ip")
    def _private_socket_prefix(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        self._socket_dir = tempfile.mkdtemp(prefix="perjaka-kernel-")
        if len(self._socket_dir) > MAX_SOCKET_DIR:
            # a Unix socket path holds at most 107 bytes: a long TMPDIR cannot hold them
            os.rmdir(self._socket_dir)
            self._socket_dir = tempfile.mkdtemp(prefix="perjaka-kernel-", dir=SHORT_TMP)
        return os.path.join(self._socket_dir, "k")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_socket_dir", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)
