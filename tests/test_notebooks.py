"""Committed notebooks: paired with jupytext, no outputs, no definitions, project kernel."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_output_free_and_uses_the_project_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "perjaka"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), f"{path.name}: committed outputs"
        assert cell.get("execution_count") is None
        lines = cell.source.splitlines()
        assert not any(line.lstrip().startswith(("def ", "class ")) for line in lines)
        assert "sys.path" not in cell.source and "filterwarnings" not in cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_py_percent_twin_have_the_same_cells(path):
    twin = path.with_suffix(".py")
    assert twin.is_file(), f"{path.name} is not paired (run make notebooks-sync)"
    a = jupytext.read(path)
    b = jupytext.read(twin)
    assert [c.source for c in a.cells] == [c.source for c in b.cells]


def test_the_brief_notebook_shows_every_section_of_a_brief_in_order():
    import re

    from perjaka_analysis.render.brief import SECTIONS

    nb = nbformat.read(NOTEBOOKS[0].parent / "province_report.ipynb", as_version=4)
    calls = [
        m
        for cell in nb.cells
        if cell.cell_type == "code"
        for m in re.findall(r"^\s*brief\.(\w+)\(\)", cell.source, flags=re.M)
    ]
    assert calls == list(SECTIONS)
