"""PDF printing of briefs: as pages come, one browser, a fallback, a note without a browser."""

from __future__ import annotations

from pathlib import Path

import perjaka_analysis.render.pdf as pdf
from perjaka_analysis.i18n import text


def _pages(tmp_path: Path, n: int) -> list[Path]:
    pages = []
    for i in range(n):
        page = tmp_path / f"p{i}.html"
        page.write_text(f"<html><body><h1>page {i}</h1></body></html>", encoding="utf-8")
        pages.append(page)
    return pages


def test_without_a_browser_nothing_is_printed_and_the_note_says_what_to_install(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    with pdf.PdfPrinter(language="en") as printer:
        for page in _pages(tmp_path, 2):
            printer.add(page)
    assert not list(tmp_path.glob("*.pdf"))
    assert printer.note == text("pdf_missing", "en") and printer.note


def test_a_failing_browser_session_falls_back_to_one_process_per_page(tmp_path, monkeypatch):
    opened, printed = [], []

    class Broken:
        def __init__(self, browser, **_):
            opened.append(browser)

        def print_pdf(self, html, out):
            raise RuntimeError("chromium stopped")

        def close(self):
            pass

    def one_process(html, out, *, browser):
        if Path(html).name == "p2.html":
            raise RuntimeError("chromium wrote no PDF for p2.html")
        Path(out).write_bytes(b"%PDF-1.4 stand-in")
        printed.append(Path(html).name)
        return Path(out)

    monkeypatch.setattr(pdf, "Chromium", Broken)
    monkeypatch.setattr(pdf, "html_to_pdf", one_process)
    with pdf.PdfPrinter(browser="/usr/bin/chromium") as printer:
        for page in _pages(tmp_path, 3):
            printer.add(page)
    assert opened == ["/usr/bin/chromium"]  # the session is not retried for every page
    assert printed == ["p0.html", "p1.html"]
    assert printer.note == "p2.html: chromium wrote no PDF for p2.html"


def test_one_browser_prints_every_page_as_it_comes(tmp_path, monkeypatch):
    sessions, printed = [], []

    class Recording:
        def __init__(self, browser, **_):
            sessions.append(browser)

        def print_pdf(self, html, out):
            Path(out).write_bytes(b"%PDF-1.4 stand-in")
            printed.append(Path(html).name)

        def close(self):
            sessions.append("closed")

    monkeypatch.setattr(pdf, "Chromium", Recording)
    printer = pdf.PdfPrinter(browser="chromium")
    pages = _pages(tmp_path, 3)
    printer.add(pages[0])
    assert (tmp_path / "p0.pdf").is_file() and printed == ["p0.html"]  # printed at once
    for page in pages[1:]:
        printer.add(page)
    assert printer.close() == ""
    assert sessions == ["chromium", "closed"] and printed == ["p0.html", "p1.html", "p2.html"]
