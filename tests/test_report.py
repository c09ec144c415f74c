"""Report runs: real papermill executions, failures, determinism, dask, browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from perjaka_analysis import PerjakaError
from perjaka_analysis.cli import main
from perjaka_analysis.config import ReportConfig
from perjaka_analysis.employers.synth import generate_registry
from perjaka_analysis.report import default_notebook, run_reports

INJECTED = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def small_registry(tmp_path_factory) -> Path:
    """A small synthetic registry (fast runs), with a hostile district name."""
    frame = generate_registry(4000, seed=11, label_share=0.3).frame
    frame.loc[frame["province"] == "Banten", "district"] = INJECTED
    path = tmp_path_factory.mktemp("reg") / "employers.parquet"
    frame.to_parquet(path)
    return path


def config(registry: Path, **extra) -> dict:
    return {"registry": str(registry), "as_of": "2025-06-30", "capacity": 50, **extra}


def failing_notebook(tmp_path: Path, province: str) -> Path:
    nb = nbformat.read(default_notebook(), as_version=4)
    cell = nbformat.v4.new_code_cell(
        f'if province == "{province}":\n    raise RuntimeError("forced failure for the test")'
    )
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(params + 1, cell)
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    return path


def test_parameters_cell_equals_the_report_config():
    params = pm.inspect_notebook(str(default_notebook()))
    assert list(params) == ReportConfig.fields()
    defaults = ReportConfig()
    for name, info in params.items():
        assert json.loads(info["default"].replace("'", '"')) == getattr(defaults, name)


def test_unknown_parameter_is_an_error():
    with pytest.raises(PerjakaError, match=r"unknown report parameter.*colour"):
        ReportConfig.from_mapping({"province": "Bali", "colour": "red"})
    with pytest.raises(PerjakaError, match="closest"):
        ReportConfig.from_mapping({"province": "Balli Utara"}).validated()


@pytest.fixture(scope="module")
def one_run(small_registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    result = run_reports(
        ["Banten"],
        config=config(small_registry),
        out=out,
        run_id="one",
        jobs=1,
        progress=False,
    )
    return result


def test_a_real_papermill_run_writes_brief_summary_manifest_and_index(one_run):
    run = one_run.run_dir
    assert not one_run.failures
    for name in ("banten.ipynb", "banten.html", "summary.csv", "manifest.json", "index.html"):
        assert (run / name).is_file(), name
    nb = nbformat.read(run / "banten.ipynb", as_version=4)
    params = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "Banten" in params.source
    page = (run / "banten.html").read_text()
    assert "Brief.load" not in page  # code hidden
    assert "Sorotan" in page and "SINTETIS" in page
    assert not list(run.glob(".*.part*"))
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["provinces"][0]["status"] == "ok"
    assert set(manifest["inputs"]) >= {"coverage.csv", "registry"}
    assert manifest["registry_synthetic"] is True


def test_names_from_data_are_html_escaped(one_run):
    page = (one_run.run_dir / "banten.html").read_text()
    assert INJECTED not in page
    assert "&lt;script&gt;" in page


def test_indonesian_number_formats_in_the_brief(one_run):
    page = (one_run.run_dir / "banten.html").read_text()
    assert "83,40%" in page  # Banten's latest figure, id format


def test_one_failing_province_leaves_the_others_and_exits_non_zero(
    small_registry, tmp_path, capsys
):
    nb = failing_notebook(tmp_path, "Bali")
    args = [
        "report", "--province", "Bali", "--province", "Aceh", "--out", str(tmp_path / "out"),
        "--run-id", "fail", "--registry", str(small_registry), "--capacity", "50",
        "--jobs", "2", "--notebook", str(nb), "--no-progress", "--as-of", "2025-06-30",
    ]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Bali" in err and "cell 3 of bali.failed.ipynb" in err and "forced failure" in err
    run = tmp_path / "out" / "fail"
    assert (run / "aceh.html").is_file() and not (run / "bali.html").exists()
    failed = nbformat.read(run / "bali.failed.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed.cells for o in c.get("outputs", []))
    manifest = json.loads((run / "manifest.json").read_text())
    status = {p["province"]: p["status"] for p in manifest["provinces"]}
    assert status == {"Bali": "failed", "Aceh": "ok"}
    assert "Gagal" in (run / "index.html").read_text()


def test_same_inputs_give_the_same_summary(small_registry, tmp_path, one_run):
    again = run_reports(
        ["Banten"],
        config=config(small_registry),
        out=tmp_path,
        run_id="two",
        jobs=1,
        progress=False,
    )
    first = (one_run.run_dir / "summary.csv").read_bytes()
    assert (again.run_dir / "summary.csv").read_bytes() == first


def test_runs_on_a_dask_local_cluster(small_registry, tmp_path):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        result = run_reports(
            ["Aceh", "Bali"],
            config=config(small_registry),
            out=tmp_path,
            run_id="dask",
            executor=client.get_executor(),
            progress=False,
        )
    assert not result.failures
    assert (result.run_dir / "aceh.html").is_file() and (result.run_dir / "bali.html").is_file()


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"#:]+)"', page)


def test_every_local_link_resolves(one_run):
    run = one_run.run_dir
    for name in ("index.html", "banten.html"):
        for link in _links((run / name).read_text()):
            assert (run / link).is_file(), f"{name} links to missing {link}"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_pages_load_in_headless_chromium_without_console_errors(one_run, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium not installed here (CI installs it)")
    for name in ("index.html", "banten.html"):
        proc = subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={tmp_path / name}", "--enable-logging=stderr",
                "--v=0", "--dump-dom", (one_run.run_dir / name).as_uri(),
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
        assert not console, console
        assert "</html>" in proc.stdout or "</body>" in proc.stdout
        if name == "index.html":
            assert "<svg" in proc.stdout and "banten.html" in proc.stdout
