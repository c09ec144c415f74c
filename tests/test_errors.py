"""Errors cross process boundaries intact: every exception type pickles."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from perjaka_analysis import errors
from perjaka_analysis.errors import (
    DataQualityWarning,
    DataValidationError,
    PerjakaError,
    Problem,
    Terminated,
    UnknownProvinceError,
)

PROBLEMS = [
    Problem("province", "unknown province", "a province name", (0, 3), 2, ("Atjeh", "X")),
    Problem(None, "no data rows (only a header)", "at least one data row"),
]

EXAMPLES = {
    PerjakaError: PerjakaError("say which briefs: --province NAME or --all"),
    DataValidationError: DataValidationError("/data/employers.csv", PROBLEMS, "employer registry"),
    UnknownProvinceError: UnknownProvinceError({"Sulawesi Tegah": ["Sulawesi Tengah"]}),
    DataQualityWarning: DataQualityWarning("coverage.csv: column 'coverage_pct' differs"),
    Terminated: Terminated("run interrupted; complete briefs are in outputs/reports/x"),
}


def test_every_exception_type_of_the_errors_module_has_an_example():
    types = {
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    }
    assert types == set(EXAMPLES)


@pytest.mark.parametrize("error", EXAMPLES.values(), ids=lambda e: type(e).__name__)
def test_errors_survive_a_pickle_round_trip(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert back.args == error.args
    for name in ("path", "problems", "contract", "suggestions"):
        if hasattr(error, name):
            assert getattr(back, name) == getattr(error, name)


def _raise_validation_error(path: str) -> None:
    raise DataValidationError(path, PROBLEMS, "employer registry")


def test_a_validation_error_raised_in_a_worker_process_reaches_the_parent_intact():
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        future = pool.submit(_raise_validation_error, "/data/employers.csv")
        with pytest.raises(DataValidationError) as info:
            future.result(timeout=60)
    assert info.value.problems == tuple(PROBLEMS)
    assert "column 'province': unknown province in 2 rows" in str(info.value)
