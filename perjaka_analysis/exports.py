"""The inspection plan of each province as files a team opens in Excel.

For every province of a run, ``lists/<slug>.csv`` (UTF-8 with a byte-order
mark, so Excel reads the accents; text neutralised against formulas) and
``lists/<slug>.xlsx`` (the plan and a sheet saying what it is): every
listed employer in rank order, pseudonymised and disclosure-safe — the same
columns a brief shows (:data:`perjaka_analysis.facts.SCHEMA`
``inspection_plan``), with headers in the run's language: how each employer
was chosen (ranked or drawn at random) and its probability of being on the
plan, the plan's id, model and data date, and the empty columns of the
outcomes contract a team fills in after its visits (the filled-in file is
what ``perjaka employers merge`` reads back).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .config import slugify
from .employers.plan import OUTCOME_COLUMNS
from .i18n import banded_reasons, fmt_int, text
from .io import atomic_path, neutralise_formulas

__all__ = ["PLAN_COLUMNS", "inspection_plan_table", "write_inspection_lists"]

#: Columns of a plan file, in order (keys of the message catalogue).
PLAN_COLUMNS = (
    "rank_in_province", "pseudonym", "district", "sector", "size_band", "risk_band",
    "workers_band", "reasons", "disclosure_level", "selection", "inclusion_probability",
    "inspection_list", "model_version", "data_date", *OUTCOME_COLUMNS,
)  # fmt: skip


def inspection_plan_table(plan: pd.DataFrame, province: str, language: str = "id") -> pd.DataFrame:
    """One province's plan with headers in ``language``, in rank order.

    Parameters
    ----------
    plan : pandas.DataFrame
        The facts table ``inspection_plan`` (every province).
    province : str
        Official name.
    language : {"id", "en"}
        Language of the headers.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> plan = pd.DataFrame({"province": ["A", "A", "B"], "rank_in_province": [2, 1, 1],
    ...     "pseudonym": ["p2", "p1", "q1"], "district": "", "sector": "C", "size_band": "",
    ...     "risk_band": "", "workers_band": "< 1", "reason_codes": "", "reason_bands": "",
    ...     "disclosure_level": 0})
    >>> inspection_plan_table(plan, "A", "en")[["Rank", "Pseudonym"]].values.tolist()
    [[1, 'p1'], [2, 'p2']]
    """
    rows = plan[plan["province"] == province].sort_values("rank_in_province", kind="stable")
    if "reasons" not in rows and "reason_codes" in rows:  # the words of the facts' codes
        rows = rows.assign(reasons=banded_reasons(rows, language))
    rows = rows.assign(**{c: "" for c in PLAN_COLUMNS if c not in rows})
    out = rows[list(PLAN_COLUMNS)].reset_index(drop=True)
    words = {s: text(f"selection_{s}", language) for s in ("ranked", "random")}
    out["selection"] = out["selection"].map(words).fillna(out["selection"])
    return out.rename(columns={c: text(c, language) for c in PLAN_COLUMNS})


def write_inspection_lists(
    plan: pd.DataFrame,
    capacity: pd.DataFrame,
    folder: str | Path,
    *,
    provinces: Sequence[str],
    language: str = "id",
) -> list[Path]:
    """Write ``<slug>.csv`` and ``<slug>.xlsx`` of every province's plan into ``folder``.

    A province without listed employers gets no file. Each file is written
    under a temporary name and renamed.

    Parameters
    ----------
    plan : pandas.DataFrame
        The facts table ``inspection_plan``.
    capacity : pandas.DataFrame
        The facts table ``capacity`` (inspections per province and their rule).
    folder : str or Path
        Target folder (created).
    provinces : sequence of str
        Official names.
    language : {"id", "en"}
        Language of headers and the "about" sheet.

    Returns
    -------
    list of Path
        The written files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rules = capacity.set_index("province")
    written = []
    for province in provinces:
        table = inspection_plan_table(plan, province, language)
        if table.empty:
            continue
        table = neutralise_formulas(table)  # no cell reads as a formula in either file
        slug = slugify(province)
        csv = folder / f"{slug}.csv"
        with atomic_path(csv) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        k, rule = len(table), "given"
        if province in rules.index:
            k, rule = int(rules.loc[province, "capacity"]), str(rules.loc[province, "rule"])
        about = text("plan_about", language).format(
            province=province, k=fmt_int(k, language), rule=text(f"rule_{rule}", language)
        )
        xlsx = folder / f"{slug}.xlsx"
        with atomic_path(xlsx) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name=text("plan_sheet", language)[:31], index=False)
                pd.DataFrame({text("plan_about_sheet", language): [about]}).to_excel(
                    writer, sheet_name=text("plan_about_sheet", language)[:31], index=False
                )
        written += [csv, xlsx]
    return written
