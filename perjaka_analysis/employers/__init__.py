"""Employers at risk of noncompliance: synthetic registry, risk model, inspection lists."""

from .equity import equity_table
from .evaluate import evaluate, metrics_table
from .model import RiskModel
from .score import expected_gain, explain, score_registry
from .synth import SYNTHETIC_NOTE, generate_registry

__all__ = [
    "SYNTHETIC_NOTE",
    "RiskModel",
    "equity_table",
    "evaluate",
    "expected_gain",
    "explain",
    "generate_registry",
    "metrics_table",
    "score_registry",
]
