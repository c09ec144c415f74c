"""Notebook 04 (active participation and UHC status) runs from top to bottom.

Apart from test_notebooks_run.py, which runs the other analysis notebooks, so that the
two test workers share them.
"""

from __future__ import annotations

import pytest
from test_notebooks_run import ELSEWHERE, run_notebook


@pytest.mark.parametrize("name", ELSEWHERE)
def test_analysis_notebook_runs_from_top_to_bottom(name, tmp_path):
    run_notebook(name, tmp_path)
