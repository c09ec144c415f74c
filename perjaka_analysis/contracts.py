"""The data contracts, as code.

Each contract lists its columns with their type, whether they are required
and what values are valid. :mod:`perjaka_analysis.validate` checks a frame
against a contract; the text of the contracts lives in ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COVERAGE",
    "KABUPATEN_KOTA",
    "OUTCOMES",
    "PROVINCES",
    "REGISTRY",
    "TARGETS",
    "UHC_STATUS",
    "Column",
    "Contract",
]

Kind = Literal["string", "int", "number", "date", "enum", "province", "label"]


def _fmt(x: float) -> str:
    """A bound in words: ``1e+07`` is written ``10,000,000``."""
    return f"{x:,.0f}" if x == int(x) and abs(x) >= 100_000 else f"{x:g}"


@dataclass(frozen=True)
class Column:
    """One column of a contract.

    Attributes
    ----------
    name : str
        Column name, exactly as in the contract.
    kind : str
        ``string``, ``int``, ``number``, ``date``, ``enum``, ``province`` or
        ``label`` (0, 1 or empty).
    required : bool
        The column must be present and no cell may be empty.
    minimum, maximum : float or None
        Inclusive bounds for numbers, unless ``min_exclusive``.
    min_exclusive : bool
        The lower bound is exclusive (e.g. population > 0).
    allowed : tuple of str
        Valid values of an ``enum`` column (after ``case`` folding).
    case : {"lower", "upper", None}
        Case folding applied to ``enum`` values before checking.
    default : str or None
        Value used for empty cells of an optional ``enum`` column.
    national : bool
        For ``province`` columns: ``INDONESIA`` is valid.
    """

    name: str
    kind: Kind
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    allowed: tuple[str, ...] = ()
    case: Literal["lower", "upper"] | None = None
    default: str | None = None
    national: bool = False

    def expected(self) -> str:
        """Describe a valid value in words."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.allowed)
        if self.kind == "date":
            return f"a date YYYY-MM-DD from {DATA_DATE_MIN} to {DATA_DATE_MAX}"
        if self.kind == "label":
            return "0, 1 or empty"
        if self.kind == "province":
            extra = " or INDONESIA" if self.national else ""
            return "a province name, alias or 2-digit BPS code" + extra
        if self.kind in ("int", "number"):
            noun = "a whole number" if self.kind == "int" else "a number"
            sign = ">" if self.min_exclusive else "≥"
            lo = "" if self.minimum is None else f"{sign} {_fmt(self.minimum)}"
            hi = "" if self.maximum is None else f"≤ {_fmt(self.maximum)}"
            if lo and hi and not self.min_exclusive:
                return f"{noun} from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
            return " ".join(x for x in (noun, lo, hi) if x)
        return "text"


@dataclass(frozen=True)
class Contract:
    """A named set of columns.

    Attributes
    ----------
    name : str
        Short name used in messages (``coverage``, ``employer registry``).
    columns : tuple of Column
        Every column the contract knows, in contract order.
    identifiers : tuple of str
        Text columns whose every value is distinct (ids): kept exactly as
        written, and not factorised.
    """

    name: str
    columns: tuple[Column, ...]
    identifiers: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        """Names of all contract columns, in order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(c for c in self.columns if c.name == name)


#: Dates a data file may hold (every figure of the analysis lies far inside; the
#: bounds keep ``0001-01-01`` or ``9999-12-31`` out of pandas' calendar arithmetic).
DATA_DATE_MIN = "1900-01-01"
DATA_DATE_MAX = "2100-12-31"

#: Upper bounds that no true figure reaches: they stop typos, overflow and
#: non-finite numbers (``1e308``, ``10**19``) from entering any computation.
#: Persons in a place (Indonesia: about 280 million).
MAX_PERSONS = 1_000_000_000
#: Workers of one employer (the largest Indonesian employers have a few hundred thousand).
MAX_WORKERS = 10_000_000
#: Mean monthly wage of one employer, Rupiah (about 1,000 times the highest minimum wage).
MAX_WAGE_IDR = 10_000_000_000
#: Unpaid contributions of one employer, Rupiah (Rp 100 trillion).
MAX_ARREARS_IDR = 100_000_000_000_000
#: Months of arrears (JKN started in January 2014; 100 years is beyond any record).
MAX_MONTHS = 1_200

COVERAGE = Contract(
    "coverage",
    (
        Column("province", "province", required=True, national=True),
        Column("district", "string"),
        Column("date", "date", required=True),
        Column(
            "date_precision", "enum", allowed=("day", "month", "year"), case="lower", default="day"
        ),
        Column(
            "measure",
            "enum",
            allowed=("registered", "survey_any", "survey_bpjs"),
            case="lower",
            default="registered",
        ),
        Column("coverage_pct", "number", minimum=0, maximum=150),
        Column("participants", "int", minimum=0, maximum=MAX_PERSONS),
        Column("population", "int", minimum=0, min_exclusive=True, maximum=MAX_PERSONS),
        Column("active_pct", "number", minimum=0, maximum=100),
        Column(
            "active_basis",
            "enum",
            allowed=("of_population", "of_participants", "unclear"),
            case="lower",
        ),
        Column("source_url", "string"),
        Column("note", "string"),
    ),
)

#: KBLI 2020 section letters.
SECTORS = tuple("ABCDEFGHIJKLMNOPQRSTU")

REGISTRY = Contract(
    "employer registry",
    (
        Column("employer_id", "string", required=True),
        Column("province", "province", required=True),
        Column("district", "string"),
        Column("sector", "enum", required=True, allowed=SECTORS, case="upper"),
        Column("workers_reported", "int", required=True, minimum=0, maximum=MAX_WORKERS),
        Column("workers_registered", "int", required=True, minimum=0, maximum=MAX_WORKERS),
        Column("dependants_registered", "int", minimum=0, maximum=5 * MAX_WORKERS),
        Column("wage_reported_idr", "number", minimum=0, maximum=MAX_WAGE_IDR),
        Column("months_in_arrears", "int", required=True, minimum=0, maximum=MAX_MONTHS),
        Column("arrears_idr", "number", minimum=0, maximum=MAX_ARREARS_IDR),
        Column("late_payments_12m", "int", minimum=0, maximum=12),
        Column("deactivations_12m", "int", minimum=0, maximum=MAX_WORKERS),
        Column("registered_since", "date"),
        Column("noncompliant", "label"),
        # recorded inspections: how a labelled row came to be inspected
        Column("inspected_on", "date"),
        Column("inspection_probability", "number", minimum=0, maximum=1, min_exclusive=True),
        Column("inspection_list", "string"),
    ),
    identifiers=("employer_id",),
)

#: What a team records after visiting the employers of an inspection plan.
OUTCOMES = Contract(
    "inspection outcomes",
    (
        Column("employer", "string", required=True),
        Column("inspection_list", "string", required=True),
        Column("inspected_on", "date", required=True),
        Column("noncompliant", "label", required=True),
        Column("workers_registered_after", "int", minimum=0, maximum=MAX_WORKERS),
        Column("dependants_registered_after", "int", minimum=0, maximum=5 * MAX_WORKERS),
        Column("arrears_recovered_idr", "number", minimum=0, maximum=MAX_ARREARS_IDR),
        Column("referred_to_prosecutor", "label"),
    ),
    identifiers=("employer",),
)

PROVINCES = Contract(
    "provinces",
    (
        Column("bps_code", "string", required=True),
        Column("kemendagri_code", "string"),
        Column("province", "province", required=True),
        Column("aliases", "string"),
        Column("island_group", "string"),
        Column("population", "int", minimum=0, min_exclusive=True, maximum=MAX_PERSONS),
        Column("population_year", "int", minimum=1900, maximum=2100),
        Column("population_source", "string"),
        Column("population_source_url", "string"),
        Column("geojson_id", "string"),
        Column("note", "string"),
    ),
)

#: What a target measures (the share registered or active; a floor or a goal).
TARGET_METRICS = ("coverage_pct", "coverage_pct_min", "active_pct", "active_pct_min")

TARGETS = Contract(
    "targets",
    (
        # a province, INDONESIA, provinces joined by ";", or "Kota/Kabupaten X (Province)"
        Column("scope", "string", required=True),
        Column("target_name", "string", required=True),
        Column("metric", "enum", required=True, allowed=TARGET_METRICS, case="lower"),
        Column("target_value", "number", required=True, minimum=0, maximum=100, min_exclusive=True),
        Column("unit", "enum", allowed=("percent",), case="lower", default="percent"),
        # a year, a month, a date or a range of years: 2024, 2025-08, 2024-03-31, 2025-2029
        Column("target_year_or_date", "string"),
        Column("legal_basis", "string"),
        Column("source_url", "string"),
        Column("source_date", "string"),
        Column("note", "string"),
    ),
)

UHC_STATUS = Contract(
    "UHC status",
    (
        Column("province", "province", required=True, national=True),
        Column("date", "date", required=True),
        Column(
            "date_precision", "enum", allowed=("day", "month", "year"), case="lower", default="day"
        ),
        # required for a province row; national rows carry counts only. "UHC
        # Prioritas" and "UHC (award 2026)" report the definition in force since
        # 2024: >= 98% registered and >= 80% active.
        Column(
            "status",
            "enum",
            allowed=("UHC", "UHC Prioritas", "UHC (award 2026)", "below_95pct"),
        ),
        Column("award_category", "string"),
        Column("n_provinces_uhc", "int", minimum=0, maximum=38),
        Column("n_kabkota_uhc", "int", minimum=0, maximum=514),
        Column("criterion", "string"),
        Column("source_url", "string"),
        Column("source_date", "string"),
        Column("note", "string"),
    ),
)

KABUPATEN_KOTA = Contract(
    "kabupaten/kota",
    (
        # NN.NN: the province's Kemendagri code, a dot, the kab/kota number
        Column("kemendagri_code", "string", required=True),
        Column("name", "string", required=True),
        Column("kind", "enum", required=True, allowed=("kabupaten", "kota"), case="lower"),
        Column("province", "province", required=True),
        Column("population", "int", minimum=0, min_exclusive=True, maximum=MAX_PERSONS),
        Column("population_date", "date"),
        Column("source", "string"),
    ),
)
