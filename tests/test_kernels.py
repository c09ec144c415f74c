"""Brief kernels run over IPC, quietly, and leave no sockets behind."""

from __future__ import annotations

import glob
import os
import tempfile

import nbformat
import papermill as pm
import pytest

from perjaka_analysis.kernels import IPCKernelManager

pytestmark = pytest.mark.skipif(os.name == "nt", reason="IPC transport needs Unix sockets")


def test_a_notebook_runs_over_ipc_and_leaves_no_socket_folder(tmp_path, capfd):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nanswer = 6 * 7\nprint(answer)")]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "perjaka-kernel-*")))
    pm.execute_notebook(
        src,
        out,
        kernel_name="perjaka",
        kernel_manager_class=IPCKernelManager,
        progress_bar=False,
        log_output=True,
    )
    assert nbformat.read(out, 4).cells[0].outputs[0]["text"].strip() == "42"
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "perjaka-kernel-*"))) == before
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
