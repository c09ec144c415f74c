"""The analysis notebooks run from top to bottom in the project's kernel.

Each runs with papermill on its parameters cell, set where it can be to what keeps it
quick (a synthetic registry of 3,000 employers instead of the shipped 60,000, fewer
simulated paths, one backtest origin instead of every quarter, a smaller simulated
loop): every cell runs, so a notebook that breaks fails here. Notebook 04, the slowest,
is run by test_notebooks_run_active.py, so that the two test workers share the
notebooks. The brief notebook is run by test_report.py and test_report_processes.py.
"""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

from perjaka_analysis.employers.synth import generate_registry

FOLDER = Path(__file__).parents[1] / "notebooks"
#: The analysis notebooks of this file; the others are in test_notebooks_run_active.py.
HERE = ("01_explore_coverage", "02_uhc_forecast", "03_employer_risk", "05_inspection_loop")
ELSEWHERE = ("04_active_participation",)


def quick_parameters(name: str, tmp_path: Path) -> dict:
    """Parameters that keep a notebook quick (none: its defaults)."""
    if name.startswith("03_"):
        registry = tmp_path / "employers.parquet"
        generate_registry(3000, seed=5, label_share=0.3).frame.to_parquet(registry)
        return {"registry_path": str(registry), "capacity": 40}
    if name.startswith("02_"):  # one backtest origin of the notebook's two
        return {"backtest_origins": ["2023-01-01"]}
    if name.startswith("04_"):  # one backtest origin with figures of both horizons after it
        return {"n_paths": 200, "backtest_origins": ["2024-07-01"]}
    if name.startswith("05_"):
        return {"n_employers": 3000, "capacity": 12}
    return {}


def run_notebook(name: str, tmp_path: Path) -> None:
    """Run ``notebooks/<name>.ipynb`` on :func:`quick_parameters`; every cell must run."""
    path = FOLDER / f"{name}.ipynb"
    nb = pm.execute_notebook(
        str(path), str(tmp_path / path.name), parameters=quick_parameters(name, tmp_path),
        kernel_name="perjaka", cwd=str(FOLDER), progress_bar=False,
    )  # fmt: skip
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)  # every cell ran
    assert not [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_every_analysis_notebook_is_run():
    assert sorted(HERE + ELSEWHERE) == sorted(p.stem for p in FOLDER.glob("0*.ipynb"))


@pytest.mark.parametrize("name", HERE)
def test_analysis_notebook_runs_from_top_to_bottom(name, tmp_path):
    run_notebook(name, tmp_path)
