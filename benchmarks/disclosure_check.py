"""Re-identification check of the inspection plans: does every listed employer hide among 5?

Scores the shipped synthetic registry as a report run does
(``facts.score_employers``, default parameters), takes every province's
inspection plan as a brief and ``lists/<province>.csv`` show it, and counts,
for each listed employer, the firms of its province's registry that match
everything its row shows: district, sector and size band (when shown) and
unregistered workers (reported minus registered) consistent with the shown
risk band and band of expected unregistered workers (expected = risk x
unregistered, so unregistered lies between low(workers) / high(risk) and
high(workers) / low(risk)). The reasons are left out, which only makes the
classes larger. Prints how many listed employers match fewer than 5 firms
(themselves included) and how many match only themselves.

Usage: python benchmarks/disclosure_check.py [--k 5]
"""

from __future__ import annotations

import argparse
import re

import numpy as np
import pandas as pd

from perjaka_analysis.config import ReportConfig
from perjaka_analysis.employers.disclosure import band_workers
from perjaka_analysis.employers.features import size_band
from perjaka_analysis.facts import registry_path, score_employers
from perjaka_analysis.loaders import read_registry
from perjaka_analysis.privacy import load_key, pseudonymise

_NUMBER = r"\d+(?:[.,]\d+)?"


def _interval(text: str) -> tuple[float, float]:
    """A band as [low, high): '80–90%' -> (0.8, 0.9) for risk, '5–20' -> (5, 20), '' -> any."""
    text = str(text or "").strip()
    if not text or text == "–":
        return 0.0, np.inf
    scale = 100.0 if text.endswith("%") else 1.0
    nums = [float(x.replace(",", ".")) / scale for x in re.findall(_NUMBER, text)]
    if text.startswith(("<", "under")):
        return 0.0, nums[0]
    if text.startswith("≥") or text.endswith("+"):
        return nums[0], np.inf
    return nums[0], nums[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    config = ReportConfig()
    key = load_key()
    registry = read_registry(registry_path(config))
    listed = score_employers(config, key)["listed"]
    if "workers_band" not in listed or listed["workers_band"].isna().all():
        listed = listed.assign(workers_band=band_workers(listed["expected_unregistered_workers"]))
    reg = registry.assign(
        pseudonym=pseudonymise(registry["employer_id"], key).to_numpy(),
        size_band=size_band(registry["workers_reported"]).to_numpy(),
        district=registry["district"].astype(object).fillna("?"),
        gap=(registry["workers_reported"] - registry["workers_registered"])
        .clip(lower=0)
        .astype(float),
    )
    by_province = dict(tuple(reg.groupby("province", sort=False)))
    sizes = []
    for row in listed.itertuples(index=False):
        firms = by_province[row.province]
        match = np.ones(len(firms), dtype=bool)
        for name in ("district", "sector", "size_band"):
            shown = getattr(row, name)
            if isinstance(shown, str) and shown:
                match &= (firms[name] == shown).to_numpy()
        r_lo, r_hi = _interval(row.risk_band)
        w_lo, w_hi = _interval(row.workers_band)
        gap = firms["gap"].to_numpy()
        low = w_lo / min(r_hi, 1.0)
        high = np.inf if r_lo <= 0 else w_hi / r_lo
        match &= (gap >= low - 0.01) & (gap <= high + 0.01)
        sizes.append(int(match.sum()))
    sizes = np.array(sizes)
    print(f"registry: {registry_path(config).name}, {len(registry):,} employers")
    print(f"listed employers: {len(listed):,}")
    print(f"matching fewer than {args.k} firms of their province: {(sizes < args.k).sum():,}")
    print(f"matching only themselves: {(sizes <= 1).sum():,}")
    risk = pd.Series(listed["risk_band"].fillna("").astype(str) != "").mean()
    workers = pd.Series(listed["workers_band"].fillna("").astype(str) != "").mean()
    print(f"rows showing a risk band: {risk:.1%}, a workers band: {workers:.1%}")
    print(f"smallest class: {sizes.min()}")


if __name__ == "__main__":
    main()
