"""A newcomer's path: one data-quality line per command, the full list from `data check`."""

from perjaka_analysis.cli import main

HEADER = (
    "province,district,date,date_precision,measure,coverage_pct,participants,population,"
    "active_pct,active_basis,source_url,note\n"
)


def test_a_command_prints_one_counted_line_and_data_check_prints_them_in_full(tmp_path, capsys):
    path = tmp_path / "cov.csv"
    path.write_text(
        HEADER
        + "Aceh,,2020-01-01,day,registered,90,2700000,2600000,,,https://x.example,\n"
        + "Bali,,2020-01-01,day,registered,91,2700000,2600000,,,https://y.example,\n"
        + "Bali,,2021-01-01,day,registered,93,,,,,https://y.example,\n",
        encoding="utf-8",
    )
    assert main(["summary", "--coverage", str(path)]) == 0
    err = capsys.readouterr().err.splitlines()
    notes = [line for line in err if line.startswith("warning:")]
    assert len(notes) == 1, err
    assert "1 data-quality note on 2 rows" in notes[0] and "perjaka data check" in notes[0]
    assert "line 2" not in notes[0]  # the rows themselves are for data check
    assert main(["data", "check", str(path)]) == 0
    full = capsys.readouterr().err
    assert "line 2" in full and "line 3" in full
