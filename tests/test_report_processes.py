"""Report runs that start processes of their own: Ctrl-C, a dask cluster, two runs at once,
a brief run by hand, kept kernels (each file runs on one test worker: this one beside
test_report.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from conftest import notebook_with, report_cli_args, report_config
from perjaka_analysis import PerjakaError
from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import load_run_facts
from perjaka_analysis.report import (
    default_notebook,
    run_reports,
)


# the tests that need no run come first: they run here while the other worker computes
# the facts of the runs (report_facts, a session fixture computed by the first to ask)
def test_a_cluster_without_the_kernel_is_refused_at_start_up():
    distributed = pytest.importorskip("distributed")
    from perjaka_analysis.report import check_cluster

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        pytest.raises(PerjakaError, match="no-such-kernel"),
    ):
        check_cluster(client, "no-such-kernel")


def test_a_brief_run_by_hand_with_its_defaults_works_and_leaves_no_temporary_folder(tmp_path):
    """The brief notebook as a user runs it (shipped data and registry, no batch facts).

    This is also the notebook check of the brief (nbval runs the other notebooks).
    """
    import tempfile

    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    out = tmp_path / "hand.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(default_notebook()), str(out),
           "-k", "perjaka", "--no-progress-bar", "-p", "province", "Aceh"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = "".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in nbformat.read(out, as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert "Aceh" in shown and "SINTETIS" in shown  # the shipped synthetic registry, labelled
    left = [p.name for p in private_tmp.iterdir() if p.name.startswith("perjaka")]
    assert left == [], f"left behind in TMPDIR: {left}"
    assert tempfile.gettempdir() != str(private_tmp)  # the test's own process is untouched


def test_warm_up_freezes_what_the_kept_kernel_imported():
    """The imports are out of the garbage collector's way for the kernel's life."""
    from jupyter_core.utils import run_sync

    from perjaka_analysis.report import shutdown_kernels, warm_up, worker_kernel

    def run(client, code: str) -> str:
        reply = run_sync(client.execute_interactive)(code, silent=True, timeout=60)
        return reply["content"]["status"]

    try:
        warm_up("perjaka")
        client = worker_kernel("perjaka").client()  # a client of the kept kernel
        client.start_channels()
        try:
            assert run(client, "import gc\nassert gc.get_freeze_count() > 10_000") == "ok"
            assert run(client, "assert gc.get_freeze_count() == 0") == "error"
        finally:
            client.stop_channels()
    finally:
        shutdown_kernels()


def test_a_brief_imports_neither_scikit_learn_nor_statsmodels():
    """Every kernel imports the brief: what it drags in is paid per worker (the batch floor)."""
    code = (
        "import sys, perjaka_analysis.brief\n"
        "heavy = [m for m in ('sklearn', 'statsmodels', 'scipy.stats') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_kept_kernel_gives_each_brief_a_clean_namespace_and_the_same_page(one_run, tmp_path):
    """Briefs that share a worker's kernel: reset before each, same page as a new kernel."""
    from perjaka_analysis.report import run_one, shutdown_kernels, worker_kernel

    run = one_run.run_dir
    facts = str(run / "facts")
    base = ReportConfig(**{**load_run_facts(run / "facts").config.parameters(), "facts": ""})
    banten = ReportConfig(**{**base.parameters(), "province": "Banten"})
    # a notebook that leaves a variable behind, then the shipped one must not see it
    leaky = notebook_with(tmp_path, "LEFT_BEHIND = 1")
    (tmp_path / "p").mkdir()
    probe = notebook_with(tmp_path / "p", "assert 'LEFT_BEHIND' not in globals()")
    try:
        first = run_one(banten, facts, str(leaky), reuse_kernel=True)
        km = worker_kernel("perjaka")
        second = run_one(banten, facts, str(probe), reuse_kernel=True)
        kept = run_one(banten, facts, str(default_notebook()), reuse_kernel=True)
        assert worker_kernel("perjaka") is km  # one kernel served all three
    finally:
        shutdown_kernels()
    assert first.outcome.status == "ok", first.outcome.error
    assert second.outcome.status == "ok", second.outcome.error
    fresh = run_one(banten, facts, str(default_notebook()), reuse_kernel=False)
    assert kept.files["banten.html"] == fresh.files["banten.html"]
    counts = [
        c.execution_count
        for c in nbformat.reads(kept.files["banten.ipynb"].decode(), as_version=4).cells
        if c.cell_type == "code"
    ]
    assert counts == list(range(1, len(counts) + 1))  # numbered as in a new kernel
    # the same cells and outputs, text forms included (no memory address, no random id)
    kept_nb, fresh_nb = (
        nbformat.reads(r.files["banten.ipynb"].decode(), as_version=4) for r in (kept, fresh)
    )
    assert [(c.id, c.get("outputs")) for c in kept_nb.cells] == [
        (c.id, c.get("outputs")) for c in fresh_nb.cells
    ]
    assert "injected-parameters" in [c.id for c in kept_nb.cells]


def test_runs_on_a_dask_cluster_whose_workers_do_not_share_the_run_folder(
    report_registry, runs, one_run, tmp_path
):
    distributed = pytest.importorskip("distributed")

    def move_away(folder: str) -> str:
        import tempfile

        here = tempfile.mkdtemp(dir=folder)
        os.chdir(here)
        return os.getcwd()

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            local_directory=str(tmp_path / "workers"),
        ) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        (tmp_path / "workers").mkdir(exist_ok=True)
        cwd = client.run(move_away, str(tmp_path / "workers"))
        assert len(set(cwd.values())) == 2
        result = run_reports(
            ["Banten", "Bali"], config=report_config(report_registry), out=runs, run_id="dask",
            executor=client.get_executor(), progress=False,
        )  # fmt: skip
    assert not result.failures
    run = result.run_dir
    assert (run / "banten.html").is_file() and (run / "bali.html").is_file()
    assert (run / "summary.csv").read_text().splitlines()[1] == (
        one_run.run_dir / "summary.csv"
    ).read_text().splitlines()[1]
    for folder in cwd.values():  # nothing was written where the workers run
        assert not list(Path(folder).glob("*.html"))


def test_two_runs_started_together_get_their_own_folders_and_both_finish(
    report_registry, runs, one_run, tmp_path
):
    out = runs  # both read the facts an earlier run left there
    before = {p.name for p in out.iterdir()}
    cli = report_cli_args(report_registry, out, "--province", "Aceh", "--jobs", "1")
    args = [sys.executable, "-m", "perjaka_analysis", *cli]
    procs = []
    for i in range(2):
        log = open(tmp_path / f"err{i}.txt", "w")
        procs.append((subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log), log))
    for proc, log in procs:
        proc.wait(timeout=300)
        log.close()
    errors = [(tmp_path / f"err{i}.txt").read_text() for i in range(2)]
    assert [p.returncode for p, _ in procs] == [0, 0], errors
    new = sorted(p for p in out.iterdir() if p.name not in before)
    assert len(new) == 2 and new[0].name != new[1].name
    for run in new:
        manifest = json.loads((run / "manifest.json").read_text())
        assert [p["status"] for p in manifest["provinces"]] == ["ok"]
        assert (run / "aceh.html").is_file() and (run / "index.html").is_file()


@pytest.mark.parametrize(
    ("signum", "to_group", "status"),
    [
        (signal.SIGINT, True, 130),  # a terminal's Ctrl-C: the whole process group
        (signal.SIGTERM, False, 143),  # timeout, systemd, containers: the command itself
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_ctrl_c_and_sigterm_cancel_pending_briefs_stop_workers_and_write_the_index(
    report_registry, runs, tmp_path, signum, to_group, status
):
    asleep = tmp_path / "bali-asleep"  # Bali's kernel writes it, then sleeps
    nb = notebook_with(
        tmp_path,
        f'if province == "Bali":\n    import pathlib, time\n'
        f"    pathlib.Path({str(asleep)!r}).touch()\n    time.sleep(120)",
    )
    run_id = f"cancel-{signal.Signals(signum).name.lower()}"
    args = report_cli_args(report_registry, runs, "--province", "Aceh", "--province", "Bali",
                    "--province", "Banten", "--run-id", run_id, "--jobs", "1",
                    "--notebook", str(nb))  # fmt: skip
    # output to files, not pipes: a pipe stays open while any grandchild holds it, so
    # waiting for pipes would measure the kernels, not the command
    log = tmp_path / "stderr.txt"
    # short enough for kernel sockets (/tmp/...): the pytest folder would not be
    private_tmp = Path(tempfile.mkdtemp(prefix="ctrl-c-", dir="/tmp"))
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    # `python -m perjaka_analysis` with Ctrl-C at its default, as in a terminal: a test
    # run from a background job (`make test &`) inherits SIGINT ignored, and so would
    # the command, rightly (a background job is not stopped by the terminal's Ctrl-C)
    launcher = (
        "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "runpy.run_module('perjaka_analysis', run_name='__main__', alter_sys=True)"
    )
    with open(tmp_path / "stdout.txt", "w") as out, open(log, "w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-c", launcher, *args],
            stdout=out, stderr=err_file, text=True, start_new_session=True, env=env,
        )  # fmt: skip
    run = runs / run_id
    deadline = time.monotonic() + 300
    while not (asleep.is_file() and (run / "aceh.html").is_file()):
        if time.monotonic() > deadline:  # never leave the command running behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            break
        time.sleep(0.2)
    assert (run / "aceh.html").is_file(), log.read_text()[-2000:]
    assert asleep.is_file(), log.read_text()[-2000:]  # Bali's kernel is sleeping now
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    started = time.monotonic()
    proc.wait(timeout=60)
    assert proc.returncode == status, log.read_text()[-2000:]
    assert not (run / ".lock").exists()
    assert time.monotonic() - started < 30
    manifest = json.loads((run / "manifest.json").read_text())
    status = {p["province"]: p["status"] for p in manifest["provinces"]}
    assert status == {"Aceh": "ok", "Bali": "cancelled", "Banten": "cancelled"}
    assert "Dibatalkan" in (run / "index.html").read_text()
    gone = time.monotonic() + 2  # the workers have two seconds to go
    while (alive := [pid for pid in children if Path(f"/proc/{pid}").exists()]) and (
        time.monotonic() < gone
    ):
        time.sleep(0.1)
    assert alive == [], "workers outlived the cancelled run"
    # the killed worker's brief folder, kernel sockets and kernel folder are gone too
    assert [p.name for p in private_tmp.iterdir()] == []
    private_tmp.rmdir()
