"""Validation at scale: read_registry on a 1-million-row registry vs a plain pandas read.

Prints the time of ``pandas.read_csv`` on the file and of
``perjaka_analysis.read_registry`` (read + full contract validation) on the
same file, both measured in this run (best of ``--repeat``), and their ratio.
Target: ratio <= 3.

Usage: python benchmarks/validate_scale.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from perjaka_analysis import read_registry
from perjaka_analysis.provinces import province_table


def make_registry(n: int, seed: int = 0) -> pd.DataFrame:
    """A contract-following registry of ``n`` rows (random values; only for timing)."""
    rng = np.random.default_rng(seed)
    table = province_table()
    names = np.array(
        [*table["province"], *table["bps_code"], "Jabar", "Sulteng", "DKI", "Prov. Bengkulu"]
    )
    reported = rng.negative_binomial(2, 0.08, n)
    registered = np.minimum(reported, rng.binomial(reported, 0.8))
    labelled = rng.random(n) < 0.1
    label = np.where(labelled, rng.integers(0, 2, n).astype(str), "")
    since = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 3800, n), unit="D")
    return pd.DataFrame(
        {
            "employer_id": [f"BU{i:08d}" for i in range(n)],
            "province": rng.choice(names, n),
            "district": rng.choice(["Kota A", "Kabupaten B", "Kabupaten C", ""], n),
            "sector": rng.choice(list("ABCDEFGHIJKLMNOPQRSTU"), n),
            "workers_reported": reported,
            "workers_registered": registered,
            "dependants_registered": rng.binomial(registered * 2, 0.5),
            "wage_reported_idr": rng.normal(3.5e6, 8e5, n).clip(1e6).round(),
            "months_in_arrears": rng.poisson(0.6, n),
            "arrears_idr": rng.exponential(2e6, n).round(),
            "late_payments_12m": rng.binomial(12, 0.1, n),
            "deactivations_12m": rng.poisson(0.3, n),
            "registered_since": since.strftime("%Y-%m-%d"),
            "noncompliant": label,
        }
    )


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.csv"
        make_registry(args.rows).to_csv(path, index=False)
        size = path.stat().st_size / 2**20
        plain = best_of(args.repeat, lambda: pd.read_csv(path))
        validated = best_of(args.repeat, lambda: read_registry(path))
        frame = read_registry(path)
    print(f"rows                      {len(frame):>12,}")
    print(f"file size                 {size:>10.1f} MB")
    print(f"pandas.read_csv           {plain:>10.2f} s  (best of {args.repeat})")
    print(f"read_registry (validated) {validated:>10.2f} s  (best of {args.repeat})")
    print(f"ratio                     {validated / plain:>10.2f} x  (target <= 3)")


if __name__ == "__main__":
    main()
