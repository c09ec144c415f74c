"""Report configuration: one frozen dataclass whose fields are the brief's parameters.

No I/O at import. The parameters cell of ``notebooks/province_report.ipynb``
must hold exactly these names (a test checks it with
``papermill.inspect_notebook``); values are plain JSON types.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import PerjakaError
from .provinces import NATIONAL, normalise_province
from .validate import validate_date, validate_int, validate_numbers

__all__ = ["LANGUAGES", "ReportConfig", "parse_iso_date", "slugify", "target_label"]

LANGUAGES = ("id", "en")
#: Size limits of a run configuration: a few lines of parameters, a few targets.
MAX_CONFIG_BYTES = 64_000
MAX_TARGETS = 20


@functools.cache
def _text_dates_loader() -> type:
    """YAML's safe loader, with dates left as text for :func:`validate_date` to read.

    The safe loader turns ``2024-02-30`` into a date and fails with Python's
    own error; as text it gets the parameter's message.
    """
    import yaml

    class TextDatesLoader(yaml.SafeLoader):
        pass

    TextDatesLoader.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextDatesLoader


@dataclass(frozen=True)
class ReportConfig:
    """Parameters of one province brief.

    Attributes
    ----------
    province : str
        Official name (aliases and codes are normalised when the config is built).
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
        Inspections per province; 0 (the default): per province by the rule
        of :func:`~perjaka_analysis.public_figures.capacity_rule` (a public
        count of noncompliant or in-arrears employers, scaled to the registry,
        else a share of the registry's employers).
    seed : int
        Seed of every random step.
    facts : str
        Folder of the run's facts (set by the runner; "" = compute them).

    Raises
    ------
    PerjakaError
        When built with an invalid value, naming the field and what would be
        valid: every value is checked and normalised once, when the config is
        built (also by :func:`dataclasses.replace`), so a config is always valid.

    Notes
    -----
    ``as_of`` is resolved once: an empty value becomes the date of the
    latest published figure (:meth:`resolved`), never the day of the run,
    so the same inputs give the same briefs on any day.
    """

    province: str = "Banten"
    as_of: str = ""
    targets: list[float] = field(default_factory=lambda: [95.0, 98.0])
    deadline: str = "2029-12-31"
    language: str = "id"
    registry: str = ""
    capacity: int = 0
    seed: int = 0
    facts: str = ""

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
        return cls(**values)

    def __post_init__(self) -> None:
        """Check every value and normalise it in place: a config is valid once built.

        The province becomes its official name, dates ``YYYY-MM-DD``, targets
        a sorted list of floats, capacity and seed ints.

        Raises
        ------
        PerjakaError
            Naming the field, the value and what would be valid: an unknown
            province (with the closest names), a bad date, language, targets,
            capacity or seed.
        """
        for name in ("province", "as_of", "deadline", "language", "registry", "facts"):
            if not isinstance(getattr(self, name), str):
                raise PerjakaError(f"{name} must be text, got {getattr(self, name)!r}")
        province = normalise_province(self.province)
        today = pd.Timestamp.today().normalize()
        # an empty as_of stays empty here: ReportConfig.resolved sets it to the data's end
        as_of = validate_date(self.as_of, "as_of", latest=today) if self.as_of else None
        deadline = validate_date(self.deadline, "deadline")
        if self.language not in LANGUAGES:
            raise PerjakaError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if isinstance(self.targets, list | tuple) and len(self.targets) > MAX_TARGETS:
            raise PerjakaError(
                f"targets: {len(self.targets):,} given; a run has at most {MAX_TARGETS} targets"
            )
        targets = validate_numbers(
            self.targets, "targets", minimum=0, maximum=100, min_exclusive=True
        )
        normalised = {
            "province": province,
            "as_of": as_of.strftime("%Y-%m-%d") if as_of is not None else "",
            "deadline": deadline.strftime("%Y-%m-%d"),
            "targets": sorted(targets),
            "capacity": validate_int(self.capacity, "capacity", minimum=0, maximum=1_000_000),
            "seed": validate_int(self.seed, "seed", minimum=0, maximum=2**32 - 1),
        }
        for name, value in normalised.items():  # frozen: set once, here
            object.__setattr__(self, name, value)

    def resolved(self, data_end: str | pd.Timestamp) -> ReportConfig:
        """Return a copy whose empty ``as_of`` is ``data_end``.

        Parameters
        ----------
        data_end : date
            Date of the latest published figure of the run's data.

        Examples
        --------
        >>> ReportConfig(as_of="").resolved("2024-12-31").as_of
        '2024-12-31'
        >>> ReportConfig(as_of="2025-06-30").resolved("2024-12-31").as_of
        '2025-06-30'
        """
        if self.as_of:
            return self
        return dataclasses.replace(self, as_of=pd.Timestamp(data_end).strftime("%Y-%m-%d"))

    def run_parameters(self) -> dict[str, Any]:
        """The parameters shared by every brief of a run (no province, no facts folder)."""
        return {k: v for k, v in self.parameters().items() if k not in ("province", "facts")}

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> ReportConfig:
        """Read a papermill-style YAML file of report parameters.

        Parameters
        ----------
        path : str or Path
            A mapping of :class:`ReportConfig` names to plain values.
        **overrides
            Values that replace those of the file (e.g. from the command line).

        Raises
        ------
        PerjakaError
            If the file is missing, not YAML, not a mapping, or has unknown names.
        """
        import yaml

        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_CONFIG_BYTES:
                raise PerjakaError(
                    f"{path} is {size:,} bytes; a run configuration is a few lines "
                    f"(at most {MAX_CONFIG_BYTES:,} bytes)"
                )
            values = yaml.load(path.read_text(encoding="utf-8"), Loader=_text_dates_loader())
        except OSError as exc:
            raise PerjakaError(f"cannot read the run configuration {path}: {exc}") from None
        except UnicodeDecodeError:
            raise PerjakaError(f"{path} is not UTF-8 text") from None
        except yaml.YAMLError as exc:
            raise PerjakaError(f"{path} is not valid YAML: {exc}") from None
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise PerjakaError(f"{path} must hold a mapping of parameter: value")
        values = {str(k): v for k, v in values.items()}
        for name in ("as_of", "deadline"):
            if name in values and hasattr(values[name], "isoformat"):
                values[name] = values[name].isoformat()
        return cls.from_mapping({**values, **overrides})

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


def parse_iso_date(value: object, name: str = "date") -> str:
    """Read a date written ``YYYY-MM-DD`` strictly (no month/day guessing).

    Examples
    --------
    >>> parse_iso_date("2024-01-05")
    '2024-01-05'
    """
    import datetime as dt

    text = value.isoformat()[:10] if isinstance(value, dt.date) else value
    try:
        day = dt.date.fromisoformat(str(text))
        if len(str(text)) != 10:
            raise ValueError
    except (TypeError, ValueError):
        raise PerjakaError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None
    if not 1900 <= day.year <= 2200:
        raise PerjakaError(f"{name} must be between 1900 and 2200, got {value!r}")
    return day.isoformat()


def target_label(target: float) -> str:
    """The short label of a target in column and file names: ``95``, ``98.6``.

    Examples
    --------
    >>> target_label(95.0), target_label(98.6)
    ('95', '98.6')
    """
    return f"{float(target):g}"


def slugify(name: str) -> str:
    """``"DKI Jakarta"`` -> ``"dki-jakarta"``."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")
