"""Report configuration: one frozen dataclass whose fields are the brief's parameters.

No I/O at import. The parameters cell of ``notebooks/province_report.ipynb``
must hold exactly these names (a test checks it with
``papermill.inspect_notebook``); values are plain JSON types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import PerjakaError
from .provinces import NATIONAL, normalise_province

__all__ = ["LANGUAGES", "ReportConfig"]

LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class ReportConfig:
    """Parameters of one province brief.

    Attributes
    ----------
    province : str
        Official name (aliases are normalised by :meth:`validated`).
    as_of : str
        Date of the brief, ISO ``YYYY-MM-DD`` ("" = today).
    targets : list of float
        Coverage targets in percent.
    deadline : str
        Deadline of the targets, ISO date.
    language : {"id", "en"}
        Language of the text and number formats.
    registry : str
        Employer registry path ("" = the shipped synthetic registry).
    capacity : int
        Inspections per province.
    seed : int
        Seed of every random step.
    shared : str
        Folder of the run's shared results (set by the runner).
    """

    province: str = "Banten"
    as_of: str = ""
    targets: list[float] = field(default_factory=lambda: [95.0, 98.0])
    deadline: str = "2029-12-31"
    language: str = "id"
    registry: str = ""
    capacity: int = 480
    seed: int = 0
    shared: str = ""

    @classmethod
    def fields(cls) -> list[str]:
        """Names of the parameters, in order."""
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> ReportConfig:
        """Build a config from plain values; unknown names are an error.

        Raises
        ------
        PerjakaError
            Naming the unknown parameters and the valid ones.
        """
        unknown = sorted(set(values) - set(cls.fields()))
        if unknown:
            raise PerjakaError(
                f"unknown report parameter(s): {', '.join(unknown)}; "
                f"valid: {', '.join(cls.fields())}"
            )
        return cls(**values).validated()

    def validated(self) -> ReportConfig:
        """Return a copy with a normalised province and checked values.

        Raises
        ------
        PerjakaError
            On an unknown province, bad date, language, targets or capacity.
        """
        from .validate import validate_date, validate_int, validate_numbers

        for name in ("province", "as_of", "deadline", "language", "registry", "shared"):
            if not isinstance(getattr(self, name), str):
                raise PerjakaError(f"{name} must be text, got {getattr(self, name)!r}")
        province = normalise_province(self.province)
        today = pd.Timestamp.today().normalize()
        as_of = validate_date(self.as_of, "as_of", latest=today) if self.as_of else today
        dates = {
            "as_of": as_of.strftime("%Y-%m-%d"),
            "deadline": validate_date(self.deadline, "deadline").strftime("%Y-%m-%d"),
        }
        if self.language not in LANGUAGES:
            raise PerjakaError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        targets = validate_numbers(
            self.targets, "targets", minimum=0, maximum=100, min_exclusive=True
        )
        capacity = validate_int(self.capacity, "capacity", minimum=1, maximum=1_000_000)
        seed = validate_int(self.seed, "seed", minimum=0, maximum=2**32 - 1)
        return dataclasses.replace(
            self,
            province=province,
            as_of=dates["as_of"],
            deadline=dates["deadline"],
            targets=sorted(targets),
            capacity=capacity,
            seed=seed,
        )

    def parameters(self) -> dict[str, Any]:
        """Plain JSON values for papermill."""
        return dataclasses.asdict(self)

    @property
    def slug(self) -> str:
        """File name of the province's brief, e.g. ``sulawesi-tengah``."""
        return slugify(self.province)

    @property
    def is_national(self) -> bool:
        return self.province == NATIONAL


def slugify(name: str) -> str:
    """``"DKI Jakarta"`` -> ``"dki-jakarta"``."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")
