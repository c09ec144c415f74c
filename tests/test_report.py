"""Report runs: real papermill executions, facts reuse, failures, determinism, pages and PDF.

The runs that start processes of their own (cancellation, a dask cluster, two runs
at once, kept kernels) are in test_report_processes.py, so two test workers share them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from conftest import INJECTED, chromium, notebook_with, report_cli_args, report_config
from perjaka_analysis import PerjakaError
from perjaka_analysis.cli import main
from perjaka_analysis.config import ReportConfig
from perjaka_analysis.facts import load_run_facts
from perjaka_analysis.i18n import fmt_date, fmt_num, fmt_pct, text
from perjaka_analysis.render.overview import GEO_SOURCE
from perjaka_analysis.report import (
    WORKER_MEMORY_MB,
    bounded_jobs,
    default_notebook,
    new_run_id,
    run_reports,
)


def test_parameters_cell_equals_the_report_config_with_types():
    params = pm.inspect_notebook(str(default_notebook()))
    assert list(params) == ReportConfig.fields()
    defaults = ReportConfig()
    for name, info in params.items():
        assert json.loads(info["default"]) == getattr(defaults, name)
    assert params["targets"]["inferred_type_name"] == "list[float]"
    assert params["capacity"]["inferred_type_name"] == "int"


def test_unknown_parameter_is_an_error():
    with pytest.raises(PerjakaError, match=r"unknown report parameter.*colour"):
        ReportConfig.from_mapping({"province": "Bali", "colour": "red"})


def test_run_configuration_from_yaml(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("targets: [95, 98.6]\nas_of: 2025-06-30\nlanguage: en\n")
    c = ReportConfig.from_yaml(path, capacity=10)
    assert (c.targets, c.as_of, c.language, c.capacity) == ([95.0, 98.6], "2025-06-30", "en", 10)
    path.write_text("colour: red\n")
    with pytest.raises(PerjakaError, match="colour"):
        ReportConfig.from_yaml(path)


def test_a_real_run_writes_brief_summary_manifest_and_index_with_a_fractional_target(
    one_run, report_registry
):
    run = one_run.run_dir
    assert not one_run.failures
    for name in ("banten.ipynb", "banten.html", "summary.csv", "manifest.json", "index.html"):
        assert (run / name).is_file(), name
    page = (run / "banten.html").read_text()
    assert "province_facts(" not in page  # code hidden
    assert 'class="card"' in page and "SINTETIS" in page and "98,6%" in page
    # Banten's latest figure, as the run's facts hold it, id format, at its published
    # precision and dated at the precision of its source
    places = pd.read_parquet(run / "facts" / "places.parquet").set_index("province")
    latest = places.loc["Banten"]
    digits = int(latest["latest_decimals"])
    assert fmt_pct(latest["latest_pct"], "id", digits) in page
    assert fmt_date(latest["latest_date"], "id", latest["latest_precision"]) in page
    assert 'class="key"' in page
    assert not list(run.rglob("*.part*"))
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["provinces"][0]["status"] == "ok"
    assert set(manifest["inputs"]) == {
        "coverage.csv", "provinces.csv", "uhc_status.csv", "provinces.geojson", "registry",
        "other_points.csv", "coverage_districts.csv", "targets.csv", "employer_compliance.csv",
        "kabupaten_kota.csv", "segments.csv", "participant_arrears.csv",
    }  # fmt: skip
    assert manifest["registry_synthetic"] is True
    # the overview speaks of the briefs (plural), a brief of itself
    assert text("synthetic_overview", "id") in (run / "index.html").read_text()
    assert text("synthetic", "id") in (run / "banten.html").read_text()
    # the registry's folder (outside the project) is never shown, only its name
    assert manifest["parameters"]["registry"] == report_registry.name
    for name in ("manifest.json", "banten.ipynb", "banten.html"):
        assert str(report_registry.parent) not in (run / name).read_text(), name
    header = (run / "summary.csv").read_text().splitlines()[0]
    assert "prob_98.6_by_deadline" in header and "gap_98.6_pp" in header
    assert "P(98,6%)" in (run / "index.html").read_text()
    # the map's credit line in the run's language
    credit = text("geo_credit", "id").format(source=GEO_SOURCE)
    assert credit.startswith("Batas provinsi") and credit in (run / "index.html").read_text()
    # the full plan as files: every listed employer of the province (capacity 50)
    plan = pd.read_csv(run / "lists" / "banten.csv", encoding="utf-8-sig")
    assert len(plan) == 50
    # ranked first by rank, then the random reserve with its recorded probability
    ranked = plan[plan["Cara terpilih"] == "peringkat"]
    drawn = plan[plan["Cara terpilih"] == "acak"]
    assert ranked["Urutan"].tolist() == list(range(1, len(ranked) + 1))
    assert len(ranked) >= 1 and len(drawn) >= 1 and len(ranked) + len(drawn) == 50
    assert (drawn["Peluang terpilih"] < 1).all() and (ranked["Peluang terpilih"] == 1).all()
    assert plan["Kode rencana"].nunique() == 1 and plan["Tidak patuh (1/0)"].isna().all()
    assert (run / "lists" / "banten.xlsx").is_file()
    assert "Kapasitas pemeriksaan provinsi ini: 50 badan usaha" in page
    assert "lists/banten.xlsx" in page
    # sectors by KBLI name, never bare letters (risk by sector is in the plan's files)
    assert not re.search(r"<td>[A-U]</td>", page)


def test_names_from_data_are_html_escaped(one_run):
    page = (one_run.run_dir / "banten.html").read_text()
    assert INJECTED not in page
    assert "&lt;script&gt;" in page


def test_a_brief_copied_alone_keeps_its_charts(one_run, tmp_path):
    alone = tmp_path / "mail" / "banten.html"
    alone.parent.mkdir()
    shutil.copy(one_run.run_dir / "banten.html", alone)
    page = alone.read_text()
    local = [x for x in re.findall(r'src="([^"]+)"', page) if not x.startswith("data:")]
    assert local == []
    assert page.count("<svg") == 1  # the chart of both measures, inline
    browser = chromium()
    if browser is None:
        pytest.skip("chromium not installed here (CI installs it)")
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", alone.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert proc.stdout.count("<polygon") >= 2 and "<circle" in proc.stdout


def test_the_pdf_is_a4_and_shows_the_chart_on_page_one(one_run, tmp_path):
    if chromium() is None or shutil.which("pdftoppm") is None:
        pytest.skip("chromium and poppler-utils are not installed here (CI installs them)")
    import matplotlib.image as mpimg
    import numpy as np

    pdf = one_run.run_dir / "banten.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "A4" in info.stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages <= 5
    blue = 0
    for page in (1,):  # the chart of both measures is on page one
        png = tmp_path / f"p{page}"
        subprocess.run(
            ["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-png", "-singlefile",
             str(pdf), str(png)],
            check=True,
        )  # fmt: skip
        img = mpimg.imread(f"{png}.png")[..., :3]
        # the forecast band is the only large blue area of a brief (#1f77b4 with opacity)
        blue += int(
            np.sum((img[..., 2] > 0.6) & (img[..., 0] < 0.75) & (img[..., 2] - img[..., 0] > 0.15))
        )
    assert blue > 200


@pytest.mark.parametrize(("mode", "status"), [("always", 1), ("auto", 0)])
def test_pdfs_asked_for_without_a_browser_fail_unless_auto(
    report_registry, runs, one_run, tmp_path, monkeypatch, capsys, mode, status
):
    monkeypatch.setenv("PERJAKA_CHROMIUM", str(tmp_path / "no-chromium"))
    args = report_cli_args(report_registry, runs, "--province", "Banten", "--run-id", f"pdf-{mode}",
                    "--pdf", *([mode] if mode == "auto" else []))  # fmt: skip
    assert main(args) == status
    err = capsys.readouterr().err
    if mode == "auto":
        assert "PDFs skipped: no Chromium found" in err and "error" not in err
    else:
        assert "error: PDFs requested but not all made" in err
    assert (runs / f"pdf-{mode}" / "banten.html").is_file()
    assert not (runs / f"pdf-{mode}" / "banten.pdf").exists()


def test_the_hand_run_and_the_batch_read_the_same_facts(one_run):
    from perjaka_analysis.render.brief import Brief

    facts = load_run_facts(one_run.run_dir / "facts")
    brief = Brief(facts.for_province("Banten"))
    page = (one_run.run_dir / "banten.html").read_text()
    # the sections a hand-made Brief renders from the saved facts are those of the batch page
    for section in (brief.title(), brief.chart(), brief.forecast(), brief.employers()):
        assert "<svg" in str(brief.chart()) and str(section) in page


def test_brief_sections_of_a_province_without_figures_read_in_one_language(
    one_run,
):
    from perjaka_analysis.render.brief import Brief

    facts = load_run_facts(one_run.run_dir / "facts")
    # a province with no published figure of either measure (found in the facts)
    places = facts.table("places").set_index("province")
    active = facts.table("active_nowcast").set_index("province")["n_points"]
    bare = [p for p in facts.provinces if places.loc[p, "n_points"] == 0 and active.get(p) == 0]
    assert bare
    view = facts.for_province(bare[0])
    brief = Brief(view)
    forecast, chart = str(brief.forecast()), str(brief.chart())
    assert "<svg" not in forecast and chart.count("<svg") == 1  # both measures in one chart
    today = view.row("uhc")  # both thresholds of today's condition
    for measure in ("registered", "active"):
        label = text(f"chart_threshold_{measure}", "id").format(
            t=fmt_num(today[f"{measure}_pct"], "id", 0)
        )
        assert f">{label}<" in chart, label
    assert "tanpa angka sendiri" in forecast and "pooled" not in forecast
    # the default (saturation) model forecasts it from the nation, and says so
    assert "proyeksi dari tren nasional" in forecast and "gabungan semua provinsi" not in forecast
    assert "(tren nasional, tanpa angka sendiri)" in chart  # the legend names the borrowing
    assert "(dipinjam dari provinsi lain)" in chart
    assert "syarat" in forecast.split("UHC saat ini")[1]  # the joint status in words
    employers = str(brief.employers())
    assert "(– dari" not in employers  # a population from its kab/kota, never a dash
    title = str(brief.title())
    assert 'class="key"' in title and "(tren nasional, tanpa angka sendiri)" in title
    assert "data per" not in title  # no figure, no date of data


def test_statuses_in_the_templates_are_those_of_compute_targets():
    from perjaka_analysis import forecast
    from perjaka_analysis.render import brief

    statuses = {v for k, v in vars(forecast).items() if k.startswith("STATUS_")}
    assert set(brief.STATUS_KEYS) == statuses
    for key in brief.STATUS_KEYS.values():
        assert text(key, "id") != text(key, "en")


def test_one_failing_province_leaves_the_others_and_exits_non_zero(
    report_registry, runs, tmp_path, capsys
):
    nb = notebook_with(
        tmp_path, 'if province == "Bali":\n    raise RuntimeError("forced failure for the test")'
    )
    args = report_cli_args(report_registry, runs, "--province", "Bali", "--province", "Aceh",
                    "--run-id", "fail", "--jobs", "2", "--notebook", str(nb))  # fmt: skip
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "facts reused" in captured.out
    err = captured.err
    assert "Bali" in err and "cell 3 of bali.failed.ipynb" in err and "forced failure" in err
    run = runs / "fail"
    assert (run / "aceh.html").is_file() and not (run / "bali.html").exists()
    failed = nbformat.read(run / "bali.failed.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed.cells for o in c.get("outputs", []))
    manifest = json.loads((run / "manifest.json").read_text())
    assert {p["province"]: p["status"] for p in manifest["provinces"]} == {
        "Bali": "failed", "Aceh": "ok",
    }  # fmt: skip
    assert "Gagal" in (run / "index.html").read_text()


@pytest.fixture(scope="module")
def rekeyed(report_registry, runs, one_run) -> Path:
    """Banten run by the command with another pseudonym key, in another process, time zone
    (Asia/Jakarta) and worker count (2), in ``runs`` beside the saved facts of the first
    key: the facts are computed anew, once, for the two tests below."""
    env = {**os.environ, "TZ": "Asia/Jakarta", "PERJAKA_PSEUDONYM_KEY": "another-test-only-key"}
    args = report_cli_args(report_registry, runs, "--province", "Banten", "--run-id", "rekeyed",
                           "--jobs", "2")  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "perjaka_analysis", *args],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return runs / "rekeyed"


def test_a_new_pseudonym_key_recomputes_the_facts_and_shows_no_old_pseudonym(
    runs, one_run, rekeyed
):
    manifest = json.loads((rekeyed / "manifest.json").read_text())
    assert manifest["facts_reused"] is False  # the first key's facts are there, not used
    old = set(load_run_facts(one_run.run_dir / "facts").table("inspection_plan")["pseudonym"])
    new = set(load_run_facts(rekeyed / "facts").table("inspection_plan")["pseudonym"])
    assert old and new and old.isdisjoint(new)
    page = (rekeyed / "banten.html").read_text(encoding="utf-8")
    assert not any(p in page for p in old)
    key = manifest["facts_key"]
    assert "another-test-only-key" not in (runs / "_facts" / key / "facts.json").read_text()


def test_a_run_in_the_other_language_reuses_the_facts_and_words_them_in_its_own(
    report_registry, runs, one_run
):
    en = run_reports(
        ["Banten"], config=report_config(report_registry, language="en"), out=runs,
        run_id="english", jobs=1, progress=False,
    )  # fmt: skip
    assert en.facts_reused  # the fits and scores of the Indonesian run, not computed again
    key = json.loads((en.run_dir / "manifest.json").read_text())["facts_key"]
    assert key == json.loads((one_run.run_dir / "manifest.json").read_text())["facts_key"]
    facts = load_run_facts(en.run_dir / "facts")
    assert facts.config.language == "en" and facts.meta["parameters"]["language"] == "en"
    plan = load_run_facts(one_run.run_dir / "facts").table("inspection_plan")
    assert plan.equals(facts.table("inspection_plan"))
    listed = plan[plan["reason_codes"] != ""]
    assert len(listed) and "reasons" not in plan  # the facts hold codes, not words
    page = (en.run_dir / "banten.html").read_text(encoding="utf-8")
    named = {"in arrears", "not all workers registered", "of reported workers", "months in arrears"}
    assert any(words in page for words in named) and "pekerja yang dilaporkan" not in page
    rows = pd.read_csv(en.run_dir / "lists" / "banten.csv", encoding="utf-8-sig")
    assert "Reasons" in rows and rows["Reasons"].notna().any()


def test_damaged_saved_facts_are_computed_again_with_a_warning(
    report_registry, one_run, tmp_path, monkeypatch
):
    import perjaka_analysis.facts as facts_module

    key = json.loads((one_run.run_dir / "manifest.json").read_text())["facts_key"]
    cache = tmp_path / "_facts" / key
    shutil.copytree(one_run.run_dir / "facts", cache)
    (cache / "places.parquet").write_bytes(b"PAR1 truncated")
    good = load_run_facts(one_run.run_dir / "facts")
    computed = []

    def compute(*args, **kwargs):  # the run's own facts, without the minute to compute them
        computed.append(True)
        return good

    monkeypatch.setattr(facts_module, "compute_run_facts", compute)
    with pytest.warns(UserWarning, match="cannot be read .*; they are computed again"):
        result = run_reports(
            ["Banten"], config=report_config(report_registry), out=tmp_path, run_id="again", jobs=1,
            progress=False,
        )  # fmt: skip
    assert computed and not result.facts_reused and not result.failures
    assert load_run_facts(cache).table("places").equals(good.table("places"))  # saved anew


def test_same_inputs_give_identical_summary_and_facts_across_jobs_and_time_zones(
    runs, one_run, rekeyed
):
    """Facts recomputed in another process, time zone and worker count: same bytes.

    The facts compared are those a run computed (``runs/_facts``, saved by the run that
    made ``report_facts``) and those ``rekeyed`` computed with another pseudonym key: the
    key changes the pseudonyms (and the facts key) and nothing else. ``one_run`` read the
    first facts back and saved them again: the same bytes too (computed facts are held as
    a reader gets them back, dtypes included).
    """
    assert (rekeyed / "summary.csv").read_bytes() == (one_run.run_dir / "summary.csv").read_bytes()
    key = json.loads((one_run.run_dir / "manifest.json").read_text())["facts_key"]
    computed = sorted((runs / "_facts" / key).iterdir())
    assert [f.name for f in computed] == sorted(f.name for f in (rekeyed / "facts").iterdir())
    for f in computed:
        assert (one_run.run_dir / "facts" / f.name).read_bytes() == f.read_bytes(), f.name
        again = rekeyed / "facts" / f.name
        if f.name == "facts.json":
            first, second = (json.loads(p.read_text()) for p in (f, again))
            assert first["meta"].pop("key") != second["meta"].pop("key")
            assert first == second
        elif f.name in ("inspection_plan.parquet", "inspection_list.parquet"):
            first, second = (pd.read_parquet(p) for p in (f, again))
            assert not set(first["pseudonym"]) & set(second["pseudonym"])
            pd.testing.assert_frame_equal(
                first.drop(columns="pseudonym"), second.drop(columns="pseudonym"), check_exact=True
            )
        else:
            assert again.read_bytes() == f.read_bytes(), f.name


def test_a_missing_registry_is_one_message_and_exit_2_before_any_worker(tmp_path, capsys):
    args = ["report", "--province", "Aceh", "--registry", str(tmp_path / "nope.csv"),
            "--out", str(tmp_path / "out"), "--no-progress"]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "nope.csv" in err and "file not found" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_jobs_are_bounded_by_cores_and_memory_and_zero_is_an_error(tmp_path, capsys):
    cores = len(os.sched_getaffinity(0))
    assert bounded_jobs(64, 38, memory_mb=1e9) == min(cores, 38)
    assert bounded_jobs(64, 38, memory_mb=2 * WORKER_MEMORY_MB + 1) == min(cores, 2)
    assert main(["report", "--province", "Aceh", "--jobs", "0", "--out", str(tmp_path)]) == 2
    assert "--jobs must be a whole number at least 1" in capsys.readouterr().err


def test_run_ids_are_unique_and_a_run_folder_in_use_is_refused(report_registry, tmp_path):
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    run = tmp_path / "busy"
    run.mkdir()
    (run / "kept.txt").write_text("an earlier run's file")
    with open(run / ".lock", "w") as lock:  # another run holds the folder
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(PerjakaError, match="in use by another run"):
            run_reports(
                ["Aceh"], config=report_config(report_registry), out=tmp_path, run_id="busy",
                replace=True, progress=False,
            )  # fmt: skip
    assert (run / "kept.txt").is_file()  # nothing of the running run was removed


def test_every_local_link_resolves(one_run):
    run = one_run.run_dir
    for name in ("index.html", "banten.html"):
        for link in re.findall(r'(?:href|src)="([^"#:]+)"', (run / name).read_text()):
            assert (run / link).is_file(), f"{name} links to missing {link}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_province_without_employers_in_the_registry_says_so_instead_of_plus_zero(lang):
    from perjaka_analysis.render import environment

    template = environment(lang).get_template("scenario.html")
    empty = {"employers_in_registry": 0, "added_participants": 0.0, "added_pp": 0.0}
    extra = {"words": [], "status_text": {}}
    page = template.render(gains=empty, scenario=[], **extra)
    assert text("no_employers_in_registry", lang) in page and "+0" not in page
    full = {"employers_in_registry": 9, "added_participants": 394.0, "added_pp": 0.01}
    # an expected count of the synthetic registry, at two significant digits
    assert "+390 " in template.render(gains=full, scenario=[], **extra)


def test_the_overview_names_no_binding_condition_where_uhc_cannot_be_assessed(one_run):
    """A province whose active share is borrowed gets '–', not 'aktif', as its binding condition."""
    from perjaka_analysis.render.overview import render_overview

    facts = load_run_facts(one_run.run_dir / "facts")
    nowcast = facts.tables["active_nowcast"].copy()
    borrowed = nowcast["province"] == "Banten"
    nowcast.loc[borrowed, "n_points"] = 0  # Banten's active share as if borrowed
    nowcast.loc[borrowed, "basis"] = "pooled (no data)"  # (it has a status report)
    facts.tables["active_nowcast"] = nowcast
    page = render_overview(facts, {"Banten": ("ok", "banten.html"), "Aceh": ("ok", "aceh.html")})
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    unknown = [r for r in rows if "belum dapat dinilai" in r]
    assert len(unknown) == 1 and "Banten" in unknown[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", unknown[0], flags=re.S)
    assert re.sub(r"<[^>]+>", "", cells[-1]).strip() == "–"


def test_the_overview_says_where_places_without_figures_are_forecast_from(one_run):
    """The overview's note names the model's source, as the briefs do (saturation: the nation)."""
    page = (one_run.run_dir / "index.html").read_text()
    assert "tidak ada (dari tren nasional)" in page
    assert "tren gabungan" not in page


def test_notebook_02_gives_the_briefs_nowcast(one_run):
    """Notebook 02 runs the briefs' default model: its nowcast is the brief's, to the digit."""
    import jupytext

    nb = jupytext.read(Path(__file__).parents[1] / "notebooks" / "02_uhc_forecast.py")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    namespace: dict = {}
    for source in code[:2]:  # the parameters, then the fit
        exec(source, namespace)
    province = namespace["pa"].normalise_province(namespace["province"])
    nowcast = namespace["results"].nowcast().set_index("province")["mean"]
    facts = load_run_facts(one_run.run_dir / "facts").table("nowcast").set_index("province")
    assert nowcast[province] == pytest.approx(float(facts.loc[province, "mean"]), abs=1e-9)


def test_the_brief_names_every_kabkota_its_status_report_and_no_provenance_dump(one_run):
    page = (one_run.run_dir / "banten.html").read_text()
    facts = load_run_facts(one_run.run_dir / "facts")
    kabkota = facts.table("kabkota")
    names = kabkota.loc[kabkota["province"] == "Banten", "district"]
    assert len(names) and all(str(n) in page for n in names)  # every kab/kota (the annex)
    assert not re.search(r"Wilayah \d", page)  # plan and table speak of the same places
    status = facts.table("status_report").set_index("province")
    if "Banten" in status.index:
        row = status.loc["Banten"]
        assert fmt_date(row["date"], "id", row["date_precision"]) in page
    # provenance is in the manifest: one line points to it, no hashes, no parameter dump
    assert "manifest.json" in page
    assert "sha256" not in page.lower() and '"deadline"' not in page


def test_the_note_on_the_detailed_columns_sits_with_the_detailed_table(one_run):
    """The five-column table of today comes first; the note on the 14 columns is in 'details'."""

    page = (one_run.run_dir / "index.html").read_text()
    start = text("overview_columns_note", "id").split("(")[0]  # "Dasar angka: ... atau tidak ada "
    assert page.count(start) == 1
    assert page.index("<details>") < page.index(start) < page.index('id="ranking"')


def _sentences(message: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", message) if s]


def test_every_key_message_of_a_run_is_at_most_three_short_sentences(one_run):
    from perjaka_analysis.render.message import (
        KEY_MESSAGE_MAX_CHARS,
        KEY_MESSAGE_MAX_WORDS,
        key_message,
    )

    facts = load_run_facts(one_run.run_dir / "facts")
    places = [p for p in facts.table("places")["province"] if p != "INDONESIA"]
    assert len(places) == 38
    for province in places:
        for lang in ("id", "en"):
            message = key_message(facts.for_province(province), lang)
            sentences = _sentences(message)
            assert 1 <= len(sentences) <= 3, (province, lang, message)
            for s in sentences:
                assert len(s.split()) <= KEY_MESSAGE_MAX_WORDS, (province, lang, s)
                assert len(s) <= KEY_MESSAGE_MAX_CHARS, (province, lang, s)
            assert "–" not in message and not re.search(r"\bnan\b", message)
