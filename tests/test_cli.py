"""The perjaka command: exit codes, messages, no tracebacks for user errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import write
from perjaka_analysis.cli import main


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("data", "summary", "provinces"):
        assert command in out


def test_check_good_file_exits_zero(capsys, coverage_csv):
    assert main(["data", "check", str(coverage_csv)]) == 0
    assert "ok, 5 rows" in capsys.readouterr().out


def test_check_bad_file_exits_two_and_names_file_column_and_line(capsys, tmp_path):
    path = write(tmp_path, "province,date,coverage_pct\nAceh,2020-01-01,170\n")
    assert main(["data", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "coverage_pct" in err and "line 2" in err
    assert "Traceback" not in err


def test_check_guesses_the_registry_contract(capsys, registry_csv):
    assert main(["data", "check", str(registry_csv)]) == 0
    assert "ok, 3 rows" in capsys.readouterr().out


def test_warnings_are_printed_but_do_not_fail(capsys, tmp_path):
    text = "province,date,coverage_pct,participants,population\nAceh,2020-01-01,50,90,100\n"
    path = write(tmp_path, text)
    assert main(["data", "check", str(path)]) == 0
    assert "warning:" in capsys.readouterr().err


def test_unknown_province_in_provinces_command(capsys):
    assert main(["provinces", "Sulawesi Tegah"]) == 2
    assert "closest: Sulawesi Tengah" in capsys.readouterr().err


def test_module_entry_point_runs_without_traceback(tmp_path):
    bad = write(tmp_path, "")
    proc = subprocess.run(
        [sys.executable, "-m", "perjaka_analysis", "data", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "the file is empty" in proc.stderr and "Traceback" not in proc.stderr


def test_summary_prints_every_province(capsys, tmp_path):
    out = tmp_path / "summary.csv"
    assert main(["summary", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Papua Pegunungan" in text and "INDONESIA" in text
    assert out.read_text().count("\n") == 40


def test_forecast_active_writes_the_registration_frame(capsys, tmp_path):
    out = tmp_path / "active.csv"
    assert (
        main(["forecast", "--measure", "active", "--until", "2026-12-31", "--out", str(out)]) == 0
    )
    import pandas as pd

    frame = pd.read_csv(out)
    assert frame.columns.tolist() == [
        "province",
        "date",
        "mean",
        "lower",
        "upper",
        "level",
        "basis",
    ]
    assert frame["province"].nunique() == 39
    assert "measure active" in capsys.readouterr().out


def test_targets_prints_uhc_status_under_todays_definition(capsys, tmp_path):
    out = tmp_path / "uhc.csv"
    assert main(["targets", "--paths", "50", "--uhc-out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "UHC today (98% registered and 80% active)" in text
    import pandas as pd

    table = pd.read_csv(out)
    assert set(table["condition"]) >= {"UHC definition (2024-)", "UHC Awards 2026 - Utama"}
    assert table["province"].nunique() == 39
