"""Employers at risk of noncompliance: synthetic registry, risk model, inspection lists."""

from .arrears import compute_arrears_cost, inactive_by_arrears
from .disclosure import disclosure_safe_list, unique_listed_employers
from .equity import equity_table
from .evaluate import evaluate, metrics_table
from .model import RiskModel
from .score import expected_gain, explain, score_registry
from .synth import SYNTHETIC_NOTE, generate_registry

__all__ = [
    "SYNTHETIC_NOTE",
    "RiskModel",
    "compute_arrears_cost",
    "disclosure_safe_list",
    "equity_table",
    "evaluate",
    "expected_gain",
    "explain",
    "generate_registry",
    "inactive_by_arrears",
    "metrics_table",
    "score_registry",
    "unique_listed_employers",
]
