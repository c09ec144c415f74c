"""What a run returns: each province's outcome, the run's result, a task's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BriefArtefacts", "ProvinceOutcome", "RunResult"]


@dataclass
class ProvinceOutcome:
    """What happened to one province's brief."""

    province: str
    slug: str
    status: str  # "ok" | "failed" | "cancelled"
    seconds: float
    attempts: int = 1
    error: str = ""
    cell: int | None = None
    cell_source: str = ""


@dataclass
class RunResult:
    """A finished run: where it is, and what succeeded."""

    run_dir: Path
    outcomes: list[ProvinceOutcome] = field(default_factory=list)
    seconds: float = 0.0
    facts_reused: bool = False
    pdf_note: str = ""
    #: PDFs were asked for but no browser was found, so none was made
    pdf_skipped: bool = False

    @property
    def failures(self) -> list[ProvinceOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    def describe_failures(self) -> str:
        """One paragraph per failure: province, failing cell, error."""
        parts = []
        for o in self.failures:
            if o.status == "cancelled":
                parts.append(f"- {o.province}: cancelled")
                continue
            where = (
                f"cell {o.cell} of {o.slug}.failed.ipynb"
                if o.cell is not None
                else "before the notebook ran"
            )
            src = f"\n    {o.cell_source.strip().splitlines()[0]}" if o.cell_source else ""
            parts.append(f"- {o.province}: failed at {where}: {o.error}{src}")
        return "\n".join(parts)


@dataclass
class BriefArtefacts:
    """What a task returns: its outcome and the files to write (name → bytes)."""

    outcome: ProvinceOutcome
    files: dict[str, bytes] = field(default_factory=dict)
