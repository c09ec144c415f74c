"""The report command shows its progress through the facts phase on stderr."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import perjaka_analysis.facts as facts_module
import perjaka_analysis.report as report_module
from perjaka_analysis.cli import main
from perjaka_analysis.errors import PerjakaError
from perjaka_analysis.facts import FACT_STEPS


@pytest.fixture
def stops_after_the_facts_steps(monkeypatch):
    """compute_run_facts tells each of its steps and stops; the briefs' workers are threads.

    The run is the report command's own, without the minute of computing and
    the worker processes' start (a thread pool is passed as the run's executor).
    """

    def compute(*args, progress=None, **kwargs):
        for name in FACT_STEPS:
            if progress is not None:
                progress(name)
        raise PerjakaError("stopped after the facts' steps")

    real = report_module.run_reports

    def run_reports(*args, **kwargs):
        with ThreadPoolExecutor(1) as pool:
            return real(*args, executor=pool, **kwargs)

    monkeypatch.setattr(facts_module, "compute_run_facts", compute)
    monkeypatch.setattr(report_module, "run_reports", run_reports)


@pytest.mark.parametrize("quiet", [False, True])
def test_the_report_command_shows_each_step_of_the_facts_phase(
    tmp_path, capsys, stops_after_the_facts_steps, quiet
):
    args = ["report", "--province", "Aceh", "--out", str(tmp_path), "--no-reuse"]
    assert main(args + (["--no-progress"] if quiet else [])) == 2
    err = capsys.readouterr().err
    assert "stopped after the facts' steps" in err
    if quiet:
        assert "facts:" not in err and "step/s" not in err
    else:
        # a bar named "facts" over the six steps, each step's name shown as it starts
        assert f"facts:   0%|          | 0/{len(FACT_STEPS)}" in err
        assert all(name in err for name in FACT_STEPS)
        assert f"| {len(FACT_STEPS) - 1}/{len(FACT_STEPS)} " in err  # the last step started
