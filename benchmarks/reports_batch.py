"""All 38 province briefs through the runner, against the runner's floor.

1. full: ``run_reports`` for all 38 provinces (shared results computed once,
   figures, notebook execution, HTML export), 2 worker processes;
2. floor: the same number of *empty* notebooks (a parameters cell only)
   through the same runner and executor, reusing the shared results and
   drawing no figures: kernel start-up, papermill and HTML export alone.

Prints both wall times and their ratio (targets: full under 60 s on 2 cores;
full within 2x the floor).

Usage: python benchmarks/reports_batch.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from perjaka_analysis.report import default_notebook, run_reports


def empty_notebook(path: Path) -> Path:
    nb = nbformat.read(default_notebook(), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    nb.cells = params
    nbformat.write(nb, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("PERJAKA_PSEUDONYM_KEY", "benchmark-key")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        full = run_reports(out=tmp, run_id="full", jobs=args.jobs, progress=False)
        full_s = time.perf_counter() - t0
        prepared = Path(full.run_dir) / "_shared"
        t0 = time.perf_counter()
        floor = run_reports(
            out=tmp,
            run_id="floor",
            jobs=args.jobs,
            notebook=empty_notebook(Path(tmp) / "empty.ipynb"),
            shared=prepared,
            figures=False,
            progress=False,
        )
        floor_s = time.perf_counter() - t0
    ok = len(full.outcomes) - len(full.failures)
    print(
        f"full run: {ok}/{len(full.outcomes)} briefs in {full_s:.1f} s "
        f"(jobs={args.jobs}; target < 60 s)"
    )
    print(f"floor: {len(floor.outcomes)} empty notebooks in {floor_s:.1f} s")
    print(f"ratio full / floor: {full_s / floor_s:.2f}x (target <= 2)")


if __name__ == "__main__":
    main()
