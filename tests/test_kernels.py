"""Brief kernels run over IPC, quietly, and leave no sockets behind."""

from __future__ import annotations

import os
import tempfile

import nbformat
import papermill as pm
import pytest

from perjaka_analysis.kernels import IPCKernelManager

pytestmark = pytest.mark.skipif(os.name == "nt", reason="IPC transport needs Unix sockets")


def test_a_notebook_runs_over_ipc_and_leaves_no_socket_folder(tmp_path, capfd, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nanswer = 6 * 7\nprint(answer)")]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    # a temporary folder of its own: other processes' kernels come and go in /tmp
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    pm.execute_notebook(
        src,
        out,
        kernel_name="perjaka",
        kernel_manager_class=IPCKernelManager,
        progress_bar=False,
        log_output=True,
    )
    assert nbformat.read(out, 4).cells[0].outputs[0]["text"].strip() == "42"
    assert list(private.iterdir()) == []
    assert "without encryption" not in "".join(capfd.readouterr())


def test_transport_is_ipc_with_a_private_socket_folder():
    km = IPCKernelManager(kernel_name="perjaka")
    assert km.transport == "ipc"
    folder = os.path.dirname(km.ip)
    try:
        assert os.path.basename(folder).startswith("perjaka-kernel-")
        assert os.stat(folder).st_mode & 0o077 == 0
    finally:
        os.rmdir(folder)


def test_a_long_temporary_folder_still_gets_sockets_a_kernel_can_bind(tmp_path, monkeypatch):
    """Unix socket paths hold at most 107 bytes; a long TMPDIR must not stop the kernel."""
    from jupyter_core.utils import run_sync

    long_tmp = tmp_path / ("x" * 60) / ("y" * 60)
    long_tmp.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(long_tmp))
    km = IPCKernelManager(kernel_name="perjaka")
    folder = os.path.dirname(km.ip)
    assert len(km.ip) + len("-65535") < 107
    run_sync(km.start_kernel)()
    try:
        kc = km.blocking_client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.stop_channels()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    assert not os.path.exists(folder)
    assert list(long_tmp.iterdir()) == []
