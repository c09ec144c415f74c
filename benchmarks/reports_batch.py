"""All 38 province briefs through the runner, against the runner's floor; PDFs; memory.

1. full: ``run_reports`` for all 38 provinces (facts computed once, notebook
   execution, self-contained HTML), ``--jobs`` worker processes;
2. floor: the same number of *empty* notebooks (a parameters cell only)
   through the same runner and executor, reusing the facts: kernel start-up,
   papermill and HTML export alone; floor and the briefs with facts reused
   run ``--repeat`` times, alternately, and the medians are compared (on a
   shared machine one run of each swings the ratio by +-0.3);
3. pdf: the same with an A4 PDF of each brief printed (Chromium) as it is
   written;
4. memory: peak resident memory of one worker with its kernel during (1),
   the figure behind ``perjaka_analysis.report.WORKER_MEMORY_MB``.

Prints the wall times and their ratio (targets: briefs within 1.5x the floor
and under 40 s on 2 cores; PDFs at most 15 s more).

Usage: python benchmarks/reports_batch.py [--jobs 2] [--repeat 3] [--readme]
(``--readme`` writes the figures into README.md between the
``reports-batch`` markers.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from perjaka_analysis.report import default_notebook, run_reports


def empty_notebook(path: Path) -> Path:
    nb = nbformat.read(default_notebook(), as_version=4)
    nb.cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    nbformat.write(nb, path)
    return path


class PeakWorkerMemory:
    """Sample the resident memory of each worker process with its descendants (its kernel)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            for child in me.children():
                try:
                    if "multiprocessing" not in " ".join(child.cmdline()):
                        continue  # not a worker (e.g. the browser printing the PDFs)
                    procs = [child, *child.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in procs) / 2**20
                except psutil.Error:
                    continue
                self.peak_mb = max(self.peak_mb, rss)

    def __enter__(self) -> PeakWorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="floor and reused runs (medians)")
    parser.add_argument("--readme", action="store_true", help="write the figures into README.md")
    args = parser.parse_args()
    os.environ.setdefault("PERJAKA_PSEUDONYM_KEY", "benchmark-key")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        with PeakWorkerMemory() as memory:
            t0 = time.perf_counter()
            full = run_reports(
                out=tmp, run_id="full", jobs=args.jobs, progress=False, reuse=False, pdf=True
            )
            full_s = time.perf_counter() - t0
        facts = full.run_dir / "facts"
        empty = empty_notebook(Path(tmp) / "empty.ipynb")
        floors, agains = [], []
        for i in range(args.repeat):  # alternated, so that a busy minute weighs on both
            t0 = time.perf_counter()
            run_reports(
                out=tmp,
                run_id=f"floor{i}",
                jobs=args.jobs,
                notebook=empty,
                facts=facts,
                progress=False,
            )
            floors.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run_reports(out=tmp, run_id=f"again{i}", jobs=args.jobs, progress=False, facts=facts)
            agains.append(time.perf_counter() - t0)
        floor_s, again_s = statistics.median(floors), statistics.median(agains)
        t0 = time.perf_counter()
        with_pdf = run_reports(
            out=tmp, run_id="pdf", jobs=args.jobs, progress=False, facts=facts, pdf=True
        )
        pdf_s = time.perf_counter() - t0
        n_pdf = len(list(with_pdf.run_dir.glob("*.pdf")))
    ok = len(full.outcomes) - len(full.failures)
    rows = [
        (
            "all briefs and PDFs, facts computed (full)",
            f"{ok}/{len(full.outcomes)} in {full_s:.1f} s",
        ),
        ("all briefs, facts reused (median)", f"{again_s:.1f} s"),
        ("floor: empty notebooks, same runner (median)", f"{floor_s:.1f} s"),
        (
            "ratio reused / floor (target <= 1.5)",
            f"{again_s / floor_s:.2f}x (runs: "
            + ", ".join(f"{a / f:.2f}x" for a, f in zip(agains, floors, strict=True))
            + ")",
        ),
        (
            "A4 PDFs, printed while the briefs run (target <= 15 s more)",
            f"{n_pdf} PDFs, +{pdf_s - again_s:.1f} s {with_pdf.pdf_note}".strip(),
        ),
        ("peak memory, one worker with its kernel", f"{memory.peak_mb:.0f} MB"),
    ]
    for label, value in rows:
        print(f"{label}: {value}")
    if args.readme:
        readme = Path(__file__).resolve().parents[1] / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = "<!-- reports-batch:start -->", "<!-- reports-batch:end -->"
        table = "\n".join(
            [
                f"Measured by `python benchmarks/reports_batch.py --jobs {args.jobs} --readme` "
                f"({os.cpu_count()} cores, load average {load:.1f} at the start):",
                "",
                "| step | figure |",
                "|---|---|",
                *[f"| {label} | {value} |" for label, value in rows],
            ]
        )
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
