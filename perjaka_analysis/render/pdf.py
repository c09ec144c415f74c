"""A4 PDFs of briefs with a headless Chromium (Debian ``chromium``).

Each page is printed by ``chromium --headless --print-to-pdf`` into a
temporary file that is renamed when complete; pages are printed in parallel
(one browser process each, ``jobs`` at a time). Chromium lays the page out
exactly as the HTML shows it (the same stylesheet, ``@page`` A4 margins,
inline SVG charts kept as vectors).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ENV_CHROMIUM", "find_chromium", "html_to_pdf", "write_pdfs"]

ENV_CHROMIUM = "PERJAKA_CHROMIUM"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--no-pdf-header-footer", "--hide-scrollbars",
)  # fmt: skip


def find_chromium() -> str | None:
    """The Chromium executable: ``$PERJAKA_CHROMIUM``, else ``chromium`` on the PATH."""
    given = os.environ.get(ENV_CHROMIUM)
    if given is not None:
        return given if given and Path(given).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str | Path, pdf: str | Path, *, browser: str, timeout: float = 120) -> Path:
    """Print one HTML file to an A4 PDF.

    Raises
    ------
    RuntimeError
        If Chromium fails or writes nothing.
    """
    html, pdf = Path(html).resolve(), Path(pdf)
    with tempfile.TemporaryDirectory(prefix="perjaka-chromium-") as profile:
        part = Path(profile) / "out.pdf"
        proc = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={part}",
             html.as_uri()],
            capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip
        if not part.is_file() or part.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace")[-500:]
            raise RuntimeError(f"chromium wrote no PDF for {html.name}: {tail}")
        tmp = pdf.with_name(f".{pdf.name}.part")
        shutil.move(part, tmp)
        os.replace(tmp, pdf)
    return pdf


def write_pdfs(pages: Sequence[Path], *, jobs: int = 2, language: str = "id") -> str:
    """Write ``<name>.pdf`` beside every page; return a note for the user ("" when all done).

    Without a browser nothing is printed and the note says what to install;
    the HTML pages are unaffected.
    """
    from ..i18n import text

    browser = find_chromium()
    if browser is None:
        return text("pdf_missing", language)
    failures = []
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(html_to_pdf, p, p.with_suffix(".pdf"), browser=browser): p
                   for p in pages}  # fmt: skip
        for fut in cf.as_completed(futures):
            try:
                fut.result()
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                failures.append(f"{futures[fut].name}: {exc}")
    return "; ".join(sorted(failures))
