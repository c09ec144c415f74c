"""The ``perjaka`` command: a thin layer over library calls.

Every user error (bad input, unknown province, a bad option value, a missing
input file, an output folder that cannot be written) is printed as one message
and ends with exit status 2, without a traceback. Options are checked in one
place (:func:`validate_args`) before a command touches any file.

Modules: ``parser`` (the options of every command), ``checks`` (the options'
checks), ``commands`` (data, summary, forecast, targets, backtest, report,
provinces) and ``employers`` (the employer commands).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence

from ..errors import DataQualityWarning, PerjakaError, Terminated
from ..privacy import KeyCreatedWarning, KeyExposedWarning
from .checks import validate_args
from .commands import interrupted_status
from .parser import build_parser

__all__ = ["build_parser", "main", "validate_args"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``perjaka`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 user error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", DataQualityWarning)
        shown: set[str] = set()  # each data-quality warning once per command

        def show(message, category, filename, lineno, file=None, line=None) -> None:
            if str(message) not in shown:
                shown.add(str(message))
                _show_warning(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            with _sigterm_as_interrupt():
                validate_args(args)
                return int(args.func(args))
        except PerjakaError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # the file system refused (permissions, disk full, ...)
            where = f": {exc.filename}" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:
            print("terminated" if isinstance(exc, Terminated) else "interrupted", file=sys.stderr)
            return interrupted_status(exc)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Meanwhile, SIGTERM raises :class:`~perjaka_analysis.errors.Terminated` (a
    KeyboardInterrupt): one path for both signals, which removes the lock, the
    workers and the temporary folders and writes what is complete."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print data-quality warnings as one plain line (no source line)."""
    if issubclass(category, DataQualityWarning | KeyCreatedWarning | KeyExposedWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), file=sys.stderr)
