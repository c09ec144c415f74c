"""Every bad input a user can give: exit 2, one message naming the problem, nothing left behind.

Each case runs the ``perjaka`` command (in-process; a few also as a
subprocess, to see the real stderr) and asserts: exit status 2, a message
naming the problem, no traceback, no file created or changed (inputs, the
output folder, the shipped data) and no run folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import COVERAGE_CSV, REGISTRY_CSV
from perjaka_analysis.cli import main
from perjaka_analysis.datasets import data_dir

REG_HEADER = "employer_id,province,sector,workers_reported,workers_registered,months_in_arrears"

FILES = {
    "good.csv": REGISTRY_CSV,
    "coverage.csv": COVERAGE_CSV,
    "a-file.txt": "not a folder\n",
    "semicolon.csv": "province;date;coverage_pct\nAceh;2020-01-01;98,5\n",
    "dupcols.csv": "province,date,coverage_pct,coverage_pct\nAceh,2020-01-01,90,91\n",
    "conflict.csv": (
        "province,date,coverage_pct,source_url\n"
        "Aceh,2020-01-01,90,https://x.example\nAceh,2020-01-01,91,https://x.example\n"
    ),
    "inf_wage.csv": REG_HEADER + ",wage_reported_idr\nE1,Aceh,C,10,5,0,inf\n",
    "huge_arrears.csv": REG_HEADER + ",arrears_idr\nE1,Aceh,C,10,5,0,1e308\n",
    "workers_1e19.csv": REG_HEADER + "\nE1,Aceh,C,10000000000000000000,5,0\n",
    "dup_spaces.csv": REG_HEADER + "\nDUP,Aceh,C,10,5,0\n DUP ,Aceh,C,10,5,0\n",
    "dup_float.csv": REG_HEADER + "\n7,Aceh,C,10,5,0\n7.0,Aceh,C,10,5,0\n",
    "formula_id.csv": REG_HEADER + "\n=1+1,Aceh,C,10,5,0\n=1+1 ,Aceh,C,10,5,0\n",
    "provinces_pop0.csv": "bps_code,province,population\n11,Aceh,0\n",
    "targets_bad.csv": "scope,target_name,metric,target_value\nAtjeh,t,coverage_pct,98.6\n",
    "status_bad.csv": "province,date,status\nAceh,2023-03-01,\n",
    "far_dates.csv": "province,date,coverage_pct\nAceh,0001-01-01,90\nBali,9999-12-31,91\n",
    "wide.csv": REG_HEADER
    + "".join(f",x{i}" for i in range(20_000))
    + "\nE1,Aceh,C,10,5,0"
    + ",1" * 20_000
    + "\n",
    "repeated_50k.csv": "province,date,coverage_pct\n"
    + "".join(f"Aceh,2020-01-01,{90 + i % 2}\n" for i in range(50_000)),
    "ragged.csv": "province,date,coverage_pct\nAceh,2020-01-01,90,extra\nBali,2020-01-01,91\n",
    "registry_dates.csv": REG_HEADER + ",registered_since\nE1,Aceh,C,10,5,0,2099-01-01\n"
    "E2,Aceh,C,10,5,0,2024-2-3\n",
    "long_field.csv": REG_HEADER + ",district\nE1,Aceh,C,10,5,0," + "x" * 20_000 + "\n",
    "fractions.csv": "province,date,coverage_pct\nAceh,2020-01-01,0.95\nBali,2020-01-01,0.9\n",
    "feb30.yaml": "as_of: 2024-02-30\n",
    "many_targets.yaml": "targets: [" + ", ".join(["95"] * 21) + "]\n",
    "huge.yaml": "targets: [" + ", ".join(["95"] * 40_000) + "]\n",
    "not_a_notebook.ipynb": "root:x:0:0:root:/root:/bin/bash\n",
    "script_url.csv": (
        "province,date,coverage_pct,source_url\nAceh,2020-01-01,90, JaVaScRiPt:alert(1)\n"
        'Bali,2020-01-01,90,"data:text/html,<script>alert(1)</script>"\n'
        "Papua,2020-01-01,90,https://ok.example/a\n"
    ),
}
KEYS = {"short.key": b"k\n", "binary.key": b"\xff\xfe\x00\x01\x02secret"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in KEYS.items():
        (folder / name).write_bytes(data)
        (folder / name).chmod(0o600)
    (folder / "existing-run").mkdir()  # an earlier run folder
    (folder / "utf16.csv").write_bytes(COVERAGE_CSV.encode("utf-16-le"))
    parquet = (data_dir() / "synthetic" / "employers.parquet").read_bytes()
    (folder / "truncated.parquet").write_bytes(parquet[:300])
    (folder / "broken-link.csv").symlink_to(folder / "gone.csv")
    (folder / "a-folder.csv").mkdir()
    import pandas as pd

    pd.DataFrame(
        {"province": [["Aceh"]], "date": ["2020-01-01"], "coverage_pct": [90.0]}
    ).to_parquet(folder / "list_column.parquet")
    pd.DataFrame(
        {
            "province": ["Aceh"],
            "date": pd.to_datetime(["0001-01-01"]).as_unit("s"),
            "coverage_pct": [90.0],
        }
    ).to_parquet(folder / "far_dates.parquet")
    # data folders whose shipped files break their contract, in one cell of the first row
    for variant, name, column, broken in [
        ("data-future", "coverage.csv", "date", lambda date: "2099" + date[4:]),
        ("data-pop0", "provinces.csv", "population", lambda _: "0"),
        ("data-vbscript", "ump.csv", "source_url", lambda url: "vbscript:" + url.split(":", 1)[1]),
    ]:
        shutil.copytree(data_dir() / "raw", folder / variant / "raw")
        path = folder / variant / "raw" / name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)  # every cell as written
        frame.loc[0, column] = broken(frame.loc[0, column])
        frame.to_csv(path, index=False)
    return folder


@dataclass(frozen=True)
class Case:
    id: str
    argv: list[str]
    message: str
    env: dict[str, str | None] = field(default_factory=dict)


def report(*extra: str) -> list[str]:
    return ["report", "--province", "Aceh", "--out", "{out}/reports", "--no-progress", *extra]


def score(registry: str = "{in}/good.csv", *extra: str) -> list[str]:
    return ["employers", "score", "--registry", registry, "--out", "{out}/scored.csv", *extra]


NO_ENV_KEY = {"PERJAKA_PSEUDONYM_KEY": None}

CASES = [
    # options
    Case("jobs-zero", report("--jobs", "0"), "--jobs must be a whole number at least 1, got 0"),
    Case("jobs-negative", report("--jobs", "-3"), "--jobs must be a whole number at least 1"),
    Case("jobs-not-a-number", report("--jobs", "two"), "argument --jobs: invalid int value"),
    Case("seed-negative", ["targets", "--seed", "-1"], "--seed must be a whole number at least 0"),
    Case("report-seed-negative", report("--seed", "-1"), "--seed must be a whole number"),
    Case("deadline-2262", ["targets", "--deadline", "2262-01-01"], "from 2000-01-01 to 2100-12-31"),
    Case("report-deadline-2262", report("--deadline", "2262-01-01"), "--deadline must be from"),
    Case("as-of-future", report("--as-of", "2099-01-01"), "--as-of must be from 2000-01-01 to"),
    Case("as-of-before-data", report("--as-of", "2020-01-01"), "before the latest coverage figure"),
    Case("as-of-us-order", report("--as-of", "Jan 5 2024"), "must be a date written YYYY-MM-DD"),
    Case("as-of-slashes", report("--as-of", "05/01/2024"), "must be a date written YYYY-MM-DD"),
    Case(
        "until-not-a-day",
        ["forecast", "--until", "2030-02-30", "--out", "{out}/f.csv"],
        "'2030-02-30' is not a calendar date",
    ),
    Case("target-zero", ["targets", "--target", "0"], "--target must be a finite number above 0"),
    Case("target-inf", report("--target", "inf"), "--target must be a finite number"),
    Case("target-above-100", report("--target", "101"), "at most 100, got 101.0"),
    Case("ceiling-below-100", ["targets", "--ceiling", "99"], "--ceiling must be a finite number"),
    Case("paths-zero", ["targets", "--paths", "0"], "--paths must be a whole number at least 1"),
    Case(
        "levels-100",
        ["forecast", "--until", "2030-01-01", "--out", "{out}/f.csv", "--levels", "100"],
        "--levels must be a whole number",
    ),
    Case("synth-n-zero", ["employers", "synth", "--n", "0", "--out", "{out}/r.csv"], "--n must be"),
    Case(
        "label-share",
        ["employers", "synth", "--n", "5", "--label-share", "1.5", "--out", "{out}/r.csv"],
        "--label-share must be a finite number",
    ),
    Case("capacity-zero", score("{in}/good.csv", "--capacity", "0"), "--capacity must be"),
    Case("report-capacity-huge", report("--capacity", "10000000000"), "--capacity must be"),
    Case("no-briefs-named", ["report", "--out", "{out}/reports"], "say which briefs"),
    Case(
        "unknown-province",
        ["report", "--province", "Atjeh", "--out", "{out}/reports"],
        "unknown province: 'Atjeh' (closest: Aceh",
    ),
    # values that used to end in a traceback
    Case(
        "dates-outside-the-calendar",
        ["data", "check", "{in}/far_dates.csv"],
        "column 'date': date out of range in 2 rows: line 2 ('0001-01-01'), line 3 "
        "('9999-12-31'); valid: a date YYYY-MM-DD from 1900-01-01 to 2100-12-31",
    ),
    Case(
        "summary-dates-outside-the-calendar",
        ["summary", "--coverage", "{in}/far_dates.csv"],
        "column 'date': date out of range",
    ),
    Case(
        "parquet-date-outside-the-calendar",
        ["data", "check", "{in}/far_dates.parquet"],
        "column 'date': date out of range in 1 row: row 1",
    ),
    Case(
        "parquet-list-column",
        ["data", "check", "{in}/list_column.parquet"],
        "column(s) holding lists, structs or maps: 'province'; valid: one plain value",
    ),
    Case(
        "20000-columns",
        ["data", "check", "{in}/wide.csv"],
        "file: 20,006 columns; a file has at most 1,000",
    ),
    Case(
        "50000-repeated-rows",
        ["data", "check", "{in}/repeated_50k.csv"],
        "conflicting rows for province Aceh, date 2020-01-01, measure registered: coverage 90 vs "
        "91 with the same or no source_url in 50000 rows",
    ),
    Case(
        "more-fields-than-the-header",
        ["data", "check", "{in}/ragged.csv"],
        "file: more fields than the header's 3 columns in 1 row: line 2; valid: as many fields",
    ),
    Case(
        "registry-dates",
        ["data", "check", "{in}/registry_dates.csv"],
        "column 'registered_since': not a valid date in 1 row: line 3 ('2024-2-3')",
    ),
    Case(
        "registry-future-date",
        ["data", "check", "{in}/registry_dates.csv"],
        "column 'registered_since': date is in the future in 1 row: line 2 ('2099-01-01')",
    ),
    Case(
        "a-20000-character-field",
        ["data", "check", "{in}/long_field.csv"],
        "column 'district': text longer than 10,000 characters in 1 row: line 2 ('xxxx",
    ),
    Case("utf16-without-bom", ["data", "check", "{in}/utf16.csv"], "it is UTF-16 or not text"),
    Case(
        "truncated-parquet",
        ["data", "check", "{in}/truncated.parquet"],
        "not a readable Parquet file",
    ),
    Case(
        "broken-link",
        ["data", "check", "{in}/broken-link.csv"],
        "file: a link to a missing file",
    ),
    Case("a-folder", ["data", "check", "{in}/a-folder.csv"], "file: a folder, not a file"),
    Case("dev-null", ["data", "check", "/dev/null"], "not a regular file (a device"),
    Case(
        "dev-null-as-coverage",
        ["summary", "--coverage", "/dev/null"],
        "--coverage: not a file: /dev/null: not a regular file",
    ),
    Case(
        "coverage-as-fractions",
        ["data", "check", "{in}/fractions.csv"],
        "column 'coverage_pct': every value is at most 1.5: these look like fractions, not "
        "percentages in 2 rows: line 2 ('0.95'), line 3 ('0.9'); valid: percentages",
    ),
    Case(
        "summary-coverage-as-fractions",
        ["summary", "--coverage", "{in}/fractions.csv"],
        "these look like fractions",
    ),
    Case(
        "config-impossible-date",
        report("--config", "{in}/feb30.yaml"),
        "as_of: '2024-02-30' is not a calendar date",
    ),
    Case(
        "config-many-targets",
        report("--config", "{in}/many_targets.yaml"),
        "targets: 21 given; a run has at most 20 targets",
    ),
    Case("config-too-big", report("--config", "{in}/huge.yaml"), "at most 64,000 bytes"),
    Case(
        "scheduler-not-an-address",
        report("--scheduler", "not a url"),
        "--scheduler: 'not a url' is not a dask scheduler address such as tcp://",
    ),
    Case("scheduler-open-bracket", report("--scheduler", "tcp://[::1"), "is not a dask scheduler"),
    Case("scheduler-http", report("--scheduler", "http://127.0.0.1:8787"), "is not a dask"),
    Case("scheduler-port", report("--scheduler", "tcp://[::1]:99999"), "is not a dask scheduler"),
    Case(
        "notebook-not-a-notebook",
        report("--notebook", "/etc/passwd"),
        "--notebook: /etc/passwd is not a Jupyter notebook (.ipynb) with a cell tagged",
    ),
    Case(
        "notebook-not-json",
        report("--notebook", "{in}/not_a_notebook.ipynb"),
        "not_a_notebook.ipynb is not a Jupyter notebook (.ipynb) with a cell tagged 'parameters' "
        "(not notebook JSON)",
    ),
    # run ids: a plain folder name inside --out, new unless --replace
    Case("run-id-parent", report("--run-id", "../../escaped"), "--run-id must be a plain folder"),
    Case("run-id-absolute", report("--run-id", "{out}/abs"), "got '{out}/abs'"),
    Case("run-id-dot", report("--run-id", "."), "--run-id must be a plain folder name"),
    Case("run-id-facts-cache", report("--run-id", "_facts"), "starting with a letter or digit"),
    Case(
        "run-id-from-env",
        report(),
        "PERJAKA_RUN_ID must be a plain folder name",
        {"PERJAKA_RUN_ID": "../x"},
    ),
    Case(
        "run-id-reused",
        ["report", "--all", "--out", "{in}", "--run-id", "existing-run"],
        "existing-run already exists; choose another --run-id, or replace that run (--replace)",
    ),
    # files and folders
    Case(
        "out-under-a-file",
        ["summary", "--out", "{in}/a-file.txt/summary.csv"],
        "cannot write into {in}/a-file.txt: {in}/a-file.txt is not a folder",
    ),
    Case(
        "report-out-under-a-file",
        ["report", "--all", "--out", "{in}/a-file.txt/reports"],
        "is not a folder",
    ),
    Case("report-out-is-a-file", ["report", "--all", "--out", "{in}/a-file.txt"], "is a file"),
    Case("out-unsupported-type", ["summary", "--out", "{out}/summary.xlsx"], "unsupported type"),
    Case(
        "out-is-the-input",
        ["employers", "score", "--registry", "{in}/good.csv", "--out", "{in}/good.csv"],
        "is also an input; inputs are never overwritten",
    ),
    Case(
        "missing-coverage", ["summary", "--coverage", "{in}/nope.csv"], "--coverage: file not found"
    ),
    Case("missing-registry", score("/nope.csv"), "--registry: file not found: /nope.csv"),
    Case("report-missing-registry", report("--registry", "/nope.csv"), "file not found: /nope.csv"),
    Case("registry-is-a-folder", score("{in}"), "--registry: not a file"),
    Case(
        "missing-key-file", score("{in}/good.csv", "--key-file", "{in}/nope.key"), "file not found"
    ),
    # file contents
    Case("semicolon-csv", ["data", "check", "{in}/semicolon.csv"], "separated by semicolons"),
    Case(
        "repeated-column",
        ["data", "check", "{in}/dupcols.csv"],
        "repeated column name: 'coverage_pct' (2 times)",
    ),
    Case(
        "conflicting-rows",
        ["summary", "--coverage", "{in}/conflict.csv"],
        "conflicting rows for province Aceh, date 2020-01-01, measure registered: coverage 90 vs",
    ),
    Case(
        "inf-wage",
        score("{in}/inf_wage.csv"),
        "column 'wage_reported_idr': not a finite number in 1 row: line 2 ('inf')",
    ),
    Case(
        "arrears-1e308", score("{in}/huge_arrears.csv"), "column 'arrears_idr': value out of range"
    ),
    Case(
        "workers-1e19",
        score("{in}/workers_1e19.csv"),
        "column 'workers_reported': value out of range",
    ),
    Case("ids-differing-by-spaces", score("{in}/dup_spaces.csv"), "duplicate employer_id"),
    Case("ids-7-and-7.0", score("{in}/dup_float.csv"), "duplicate employer_id"),
    Case("formula-ids", score("{in}/formula_id.csv"), "duplicate employer_id"),
    Case("report-bad-registry", report("--registry", "{in}/inf_wage.csv"), "not a finite number"),
    Case(
        "provinces-population-0",
        ["data", "check", "{in}/provinces_pop0.csv"],
        "column 'population': value out of range",
    ),
    Case(
        "targets-unknown-scope",
        ["data", "check", "{in}/targets_bad.csv"],
        "unknown province in scope",
    ),
    Case(
        "status-missing",
        ["data", "check", "{in}/status_bad.csv"],
        "a province row without a status",
    ),
    Case(
        "script-source-url",
        ["data", "check", "{in}/script_url.csv"],
        "column 'source_url': not a web address in 2 rows: line 2 (' JaVaScRiPt:alert(1)'), "
        "line 3 ('data:text/html,<script>alert(1)</script>'); valid: an address starting "
        "http:// or https://",
    ),
    Case(
        "script-url-in-a-plain-table",
        ["data", "build", "--raw", "{in}/data-vbscript/raw", "--out", "{out}/processed"],
        "ump.csv: 1 problem",
    ),
    Case(
        "shipped-coverage-rejected",
        report(),
        "date is in the future",
        {"PERJAKA_DATA_DIR": "{in}/data-future"},
    ),
    Case(
        "shipped-population-0",
        ["summary"],
        "column 'population': value out of range",
        {"PERJAKA_DATA_DIR": "{in}/data-pop0"},
    ),
    Case(
        "report-population-0",
        report(),
        "column 'population': value out of range",
        {"PERJAKA_DATA_DIR": "{in}/data-pop0"},
    ),
    # pseudonym key
    Case(
        "key-too-short",
        score("{in}/good.csv", "--key-file", "{in}/short.key"),
        "too short (1 characters); a key needs at least 8 characters",
        NO_ENV_KEY,
    ),
    Case(
        "key-binary",
        score("{in}/good.csv", "--key-file", "{in}/binary.key"),
        "is not one line of text",
        NO_ENV_KEY,
    ),
    Case(
        "key-key-file-folder",
        score("{in}/good.csv", "--key-file", "{in}"),
        "not a file",
        NO_ENV_KEY,
    ),
    Case(
        "env-key-too-short",
        score("{in}/good.csv"),
        "$PERJAKA_PSEUDONYM_KEY is too short",
        {"PERJAKA_PSEUDONYM_KEY": "abc"},
    ),
]

#: Cases that still fail in this version, with the reason (none at the moment).
PENDING: dict[str, str] = {}


def fill(text: str, inputs: Path, out: Path) -> str:
    return text.replace("{in}", str(inputs)).replace("{out}", str(out))


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file under the roots with the hash of its content."""
    out = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                out[str(path)] = "folder"
    return out


def run_in_process(argv: list[str], capsys) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    return status, capsys.readouterr().err


def params():
    for case in CASES:
        marks = (
            [pytest.mark.xfail(strict=True, reason=PENDING[case.id])] if case.id in PENDING else []
        )
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", list(params()))
def test_bad_input_is_one_message_exit_2_and_leaves_nothing(
    case, inputs, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # a default output folder would land here
    for name, value in case.env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, fill(value, inputs, out))
    monkeypatch.setenv("PERJAKA_KEY_FILE", str(tmp_path / "no-default-key" / "p.key"))
    shipped = data_dir()
    before = snapshot(inputs, out, shipped / "raw", shipped / "synthetic")

    status, err = run_in_process([fill(a, inputs, out) for a in case.argv], capsys)

    assert status == 2, err
    assert fill(case.message, inputs, out) in err
    assert "Traceback" not in err
    assert snapshot(inputs, out, shipped / "raw", shipped / "synthetic") == before
    assert not (out / "reports").exists() and not (tmp_path / "no-default-key").exists()


def test_every_case_has_a_distinct_name():
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id", ["jobs-zero", "report-bad-registry"])
def test_no_traceback_reaches_stderr_of_the_real_command(case_id, inputs, tmp_path):
    case = next(c for c in CASES if c.id == case_id)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "perjaka_analysis", *[fill(a, inputs, out) for a in case.argv]],
        capture_output=True,
        text=True,
        check=False,
        cwd=out,
        timeout=300,
    )
    assert proc.returncode == 2
    assert fill(case.message, inputs, out) in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert list(out.iterdir()) == []


SCRIPT_URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:\\\\evil.example",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_a_script_address_never_becomes_a_link(url):
    from perjaka_analysis.render import environment
    from perjaka_analysis.sources import cite

    macro = environment("en").get_template("cite.html").module.cite
    page = str(macro({"source_url": url, "publisher": "ANTARA", "published": None}))
    assert "href" not in page and "ANTARA" in page
    assert cite(url, "source: ANTARA Palu, June 2021").url == ""
    good = str(macro({"source_url": "https://a.example/1", "publisher": "a", "published": None}))
    assert good == '<a href="https://a.example/1">a</a>'


@pytest.mark.parametrize("reply", [b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4, None])
def test_a_server_that_is_not_a_dask_scheduler_fails_fast(reply):
    """A web server (its reply read as a message length asked for 3 EiB) or a silent one."""
    import socket
    import threading
    import time

    from perjaka_analysis.errors import PerjakaError
    from perjaka_analysis.report import probe_scheduler

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held = []

    def answer() -> None:
        conn, _ = server.accept()
        held.append(conn)
        conn.recv(65536)
        if reply:
            conn.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    started = time.perf_counter()
    with pytest.raises(PerjakaError, match=r"--scheduler: (cannot use|no dask scheduler answered)"):
        probe_scheduler(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=2)
    assert time.perf_counter() - started < 10
    server.close()
    for conn in held:
        conn.close()


def test_the_notebook_message_repeats_nothing_of_the_file(inputs, tmp_path, capsys):
    secret = tmp_path / "secret.ipynb"
    secret.write_text("password=hunter2-do-not-copy\n", encoding="utf-8")
    status, err = run_in_process(
        ["report", "--province", "Aceh", "--out", str(tmp_path / "out"), "--notebook", str(secret)],
        capsys,
    )
    assert status == 2 and "hunter2" not in err and "not notebook JSON" in err
    assert not (tmp_path / "out").exists()
