"""Validation time on hostile files: thousands of columns, repeated (province, date) rows.

Prints, for each file, the seconds ``perjaka data check`` takes (in-process,
``loaders.check_file``, one run each) and its first line of output. Files:
a registry with 5,000 and 20,000 extra columns (rejected at once: a file has
at most ``io.MAX_COLUMNS`` columns), one with 900 extra columns (accepted),
coverage files with 3,000 and 50,000 rows repeating one (province, date) and
a file of 1,000,000 unique (province, district, date) rows, as a yardstick.
Target: every file in seconds, time linear in the rows.

Usage: python benchmarks/hostile_inputs.py
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from perjaka_analysis.errors import DataQualityWarning, PerjakaError
from perjaka_analysis.loaders import check_file

REGISTRY = (
    "employer_id,province,sector,workers_reported,workers_registered,months_in_arrears\n"
    "E1,Aceh,C,10,5,0\nE2,Bali,G,4,4,1\n"
)


def wide_registry(folder: Path, extra: int) -> Path:
    names = ",".join(f"x{i}" for i in range(extra))
    lines = REGISTRY.splitlines()
    text = f"{lines[0]},{names}\n" + "".join(f"{ln}{',1' * extra}\n" for ln in lines[1:])
    path = folder / f"registry_{extra}_columns.csv"
    path.write_text(text, encoding="utf-8")
    return path


def repeated_coverage(folder: Path, n: int, conflicting: bool) -> Path:
    values = np.where(np.arange(n) % 2 == 1, 91.0, 90.0) if conflicting else np.full(n, 90.0)
    frame = pd.DataFrame(
        {"province": "Aceh", "date": "2020-01-01", "coverage_pct": values,
         "source_url": "https://x.example/a"}
    )  # fmt: skip
    path = folder / f"coverage_{n}_{'conflicting' if conflicting else 'repeated'}.csv"
    frame.to_csv(path, index=False)
    return path


def unique_coverage(folder: Path, n: int) -> Path:
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2014-01-01") + pd.to_timedelta(np.arange(n) % 4000, unit="D")
    frame = pd.DataFrame(
        {
            "province": "Aceh",
            "district": [f"Kota {i // 4000}" for i in range(n)],
            "date": days.strftime("%Y-%m-%d"),
            "coverage_pct": rng.uniform(50, 100, n).round(2),
        }
    )
    path = folder / f"coverage_{n}_unique.csv"
    frame.to_csv(path, index=False)
    return path


def timed(path: Path, kind: str) -> None:
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            frame = check_file(path, kind)
            said = f"ok, {len(frame):,} rows, {frame.shape[1]:,} columns"
        except PerjakaError as exc:
            said = str(exc).splitlines()[-1].strip()[:110]
    print(f"{path.name:<36} {time.perf_counter() - started:7.2f} s  {said}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for extra in (900, 5_000, 20_000):
            timed(wide_registry(folder, extra), "registry")
        for n in (3_000, 50_000):
            timed(repeated_coverage(folder, n, conflicting=False), "coverage")
            timed(repeated_coverage(folder, n, conflicting=True), "coverage")
        timed(unique_coverage(folder, 1_000_000), "coverage")


if __name__ == "__main__":
    main()
