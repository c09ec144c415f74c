"""The perjaka command: exit codes, messages, no tracebacks for user errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
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


def test_provinces_command_resolves_every_name_and_lists_all_unknown_ones_at_the_end(capsys):
    assert main(["provinces", "Jabarr", "Sulteng", "Atlantis", "17"]) == 2
    out, err = capsys.readouterr()
    assert "'Sulteng' -> Sulawesi Tengah" in out and "'17' -> Bengkulu" in out
    assert "'Jabarr' (closest: Jawa Barat" in err and "'Atlantis'" in err
    assert err.count("error:") == 1


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


def test_summary_out_neutralises_formula_text(capsys, tmp_path):
    coverage = write(
        tmp_path,
        "province,date,coverage_pct,source_url\n"
        "Aceh,2020-01-01,90,https://=HYPERLINK(1)/a\n"
        "Aceh,2021-01-01,91,https://@SUM(1)/b\n",
        "coverage.csv",
    )
    out = tmp_path / "summary.csv"
    assert main(["summary", "--coverage", str(coverage), "--out", str(out)]) == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert table.loc[table["province"] == "Aceh", "source"].item() == "'@SUM(1)"
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in table.to_numpy().ravel())


def test_employers_score_out_neutralises_formula_text(capsys, tmp_path):
    from perjaka_analysis.employers.synth import generate_registry

    frame = generate_registry(600, seed=1, label_share=0.2).frame.copy()
    frame.loc[0, "district"] = '=HYPERLINK("http://x","y")'
    frame.loc[1, "district"] = "+1+2"
    frame.loc[2, "district"] = "-5"
    registry = tmp_path / "registry.csv"
    frame.to_csv(registry, index=False)
    out = tmp_path / "scored.csv"
    args = ["employers", "score", "--registry", str(registry), "--out", str(out)]
    assert main([*args, "--capacity", "10", "--reasons-for", "all"]) == 0
    districts = pd.read_csv(out, keep_default_na=False)["district"]
    assert {'\'=HYPERLINK("http://x","y")', "'+1+2", "'-5"} <= set(districts)
    assert not districts.str.startswith(("=", "+", "-", "@")).any()


def test_options_are_checked_before_any_file_is_written(capsys, tmp_path):
    out = tmp_path / "new" / "forecast.csv"
    assert main(["forecast", "--until", "2030-02-30", "--out", str(out)]) == 2
    assert "'2030-02-30' is not a calendar date" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_an_output_file_that_is_also_the_input_is_refused(capsys, registry_csv):
    before = registry_csv.read_bytes()
    args = ["employers", "score", "--registry", str(registry_csv), "--out", str(registry_csv)]
    assert main(args) == 2
    assert "is also an input" in capsys.readouterr().err
    assert registry_csv.read_bytes() == before


def test_a_refused_write_is_a_message_not_a_traceback(capsys, monkeypatch, tmp_path):
    import perjaka_analysis.io as io

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "s.csv"))

    monkeypatch.setattr(io, "atomic_path", refuse)
    assert main(["summary", "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert "error: Permission denied: " in err and "Traceback" not in err


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
    from perjaka_analysis import load_targets
    from perjaka_analysis.provinces import province_table
    from perjaka_analysis.uhc import TODAY, uhc_conditions

    conditions = uhc_conditions(load_targets())  # the shipped targets' pairs
    today = conditions.set_index("condition").loc[TODAY]
    reg, act = today["registered_pct"], today["active_pct"]
    assert f"UHC today ({reg:g}% registered and {act:g}% active)" in text
    table = pd.read_csv(out)
    assert set(table["condition"]) == set(conditions["condition"])
    assert table["province"].nunique() == len(province_table()) + 1  # and INDONESIA


def test_forecast_csv_rounds_percentages_to_two_decimals(capsys, tmp_path):
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--until", "2030-12-31", "--method", "last", "--out", str(out)]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    frame = pd.read_csv(out)
    for name in ("mean", "lower", "upper"):
        assert (frame[name].round(2) == frame[name]).all()
    assert not re.search(r"\.\d{3,}", text)
