"""A4 PDFs of briefs with a headless Chromium (Debian ``chromium``).

One browser process prints every page through the DevTools protocol over a
pipe (``--remote-debugging-pipe``; no port, no extra package): starting
Chromium costs about a second, printing a page a few tenths, so one browser
for the batch is several times faster than ``--print-to-pdf`` per page
(:func:`html_to_pdf`, kept as the fallback). Chromium lays the page out as
the HTML shows it (the same stylesheet, ``@page`` A4 margins, inline SVG
charts kept as vectors). Each PDF is written to a temporary name and renamed.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..i18n import text

__all__ = [
    "ENV_CHROMIUM",
    "Chromium",
    "PdfPrinter",
    "find_chromium",
    "html_to_pdf",
    "write_pdfs",
]

ENV_CHROMIUM = "PERJAKA_CHROMIUM"
BASE_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip
#: flags of one ``--print-to-pdf`` process (``--disable-extensions`` and
#: ``--no-pdf-header-footer`` crash the renderer when printing over the pipe)
FLAGS = (*BASE_FLAGS, "--no-pdf-header-footer")


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


class Chromium:
    """One headless Chromium driven over ``--remote-debugging-pipe`` (use as a context)."""

    def __init__(self, browser: str, *, timeout: float = 120) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="perjaka-chromium-")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()

        def fds() -> None:  # the protocol reads fd 3 and writes fd 4
            import fcntl

            high_r = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)  # never clobber one with the other
            high_w = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self._proc = subprocess.Popen(
            [browser, *BASE_FLAGS, f"--user-data-dir={self._profile.name}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_r)
        os.close(from_w)
        self._w = os.fdopen(to_w, "wb")
        self._r = os.fdopen(from_r, "rb")
        self._buf = b""
        self._id = 0
        self.timeout = timeout
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._call("Page.enable", session=True)

    def _message(self) -> dict:
        import select

        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._r], [], [], self.timeout)
            if not ready:
                raise RuntimeError(f"chromium did not answer within {self.timeout:g} s")
            chunk = self._r.read1(1 << 16)
            if not chunk:
                raise RuntimeError("chromium stopped")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _call(
        self, method: str, params: dict | None = None, *, session: bool = False, event: str = ""
    ) -> dict:
        self._id += 1
        msg: dict = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        self._w.write(json.dumps(msg).encode() + b"\0")
        self._w.flush()
        result, seen = None, not event
        while result is None or not seen:
            answer = self._message()
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"chromium: {answer['error']}")
                result = answer["result"]
            elif event and answer.get("method") == event:
                seen = True
            elif answer.get("method") in ("Inspector.detached", "Target.detachedFromTarget"):
                raise RuntimeError(
                    f"chromium: {answer.get('params', {}).get('reason', 'page gone')}"
                )
        return result

    def print_pdf(self, html: str | Path, pdf: str | Path) -> Path:
        """Load ``html`` and write it as an A4 PDF (CSS ``@page`` size and margins)."""
        html, pdf = Path(html).resolve(), Path(pdf)
        self._call(
            "Page.navigate", {"url": html.as_uri()}, session=True, event="Page.loadEventFired"
        )
        data = self._call(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
            session=True,
        )["data"]
        tmp = pdf.with_name(f".{pdf.name}.part")
        tmp.write_bytes(base64.b64decode(data))
        os.replace(tmp, pdf)
        return pdf

    def close(self) -> None:
        try:
            self._call("Browser.close")
        except (RuntimeError, OSError, ValueError):
            pass
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        for fh in (self._w, self._r):
            try:
                fh.close()
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PdfPrinter:
    """Print pages to A4 PDFs one by one as they are written (use as a context).

    A batch hands each brief over as soon as it is complete, so the browser
    prints while the other briefs are still running. One Chromium serves the
    batch (:class:`Chromium`); if it fails, every page left is printed by its
    own ``--print-to-pdf`` process (:func:`html_to_pdf`). Without a browser
    nothing is printed and :attr:`note` says what to install.

    Parameters
    ----------
    language : str
        Language of :attr:`note`.
    browser : str, optional
        Chromium executable (default :func:`find_chromium`).
    """

    def __init__(self, *, language: str = "id", browser: str | None = None) -> None:
        self.language = language
        self.browser = browser or find_chromium()
        self.failures: list[str] = []
        self._chromium: Chromium | None = None
        self._fallback = False

    def add(self, page: Path) -> None:
        """Write ``page``'s PDF beside it (``<name>.pdf``); a failure is noted, not raised."""
        if self.browser is None:
            return
        page = Path(page)
        if not self._fallback:
            try:
                if self._chromium is None:
                    self._chromium = Chromium(self.browser)
                self._chromium.print_pdf(page, page.with_suffix(".pdf"))
                return
            except (RuntimeError, OSError, ValueError):
                self._fallback = True
                self._close_browser()
        try:
            html_to_pdf(page, page.with_suffix(".pdf"), browser=self.browser)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            self.failures.append(f"{page.name}: {exc}")

    @property
    def note(self) -> str:
        """What the user should know ("" when every page was printed)."""
        if self.browser is None:
            return text("pdf_missing", self.language)
        return "; ".join(sorted(self.failures))

    def _close_browser(self) -> None:
        if self._chromium is not None:
            self._chromium.close()
            self._chromium = None

    def close(self) -> str:
        """Stop the browser; return :attr:`note`."""
        self._close_browser()
        return self.note

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_pdfs(pages: Sequence[Path], *, language: str = "id") -> str:
    """Write ``<name>.pdf`` beside every page; return a note for the user ("" when all done).

    Without a browser nothing is printed and the note says what to install;
    the HTML pages are unaffected.
    """
    with PdfPrinter(language=language) as printer:
        for page in pages:
            printer.add(page)
    return printer.note
