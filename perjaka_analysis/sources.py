"""Where the figures come from: a table of sources for display under tables and charts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

import pandas as pd

__all__ = [
    "Citation",
    "PublishedValue",
    "cite",
    "cite_columns",
    "link_url",
    "published_value",
    "source_name",
    "sources_table",
]


#: The only schemes a link may have: a ``javascript:``, ``data:`` or ``vbscript:``
#: address would run in the reader's browser. One rule for every link a page
#: makes (:func:`link_url`) and for every ``*_url`` column of an input file.
LINK_SCHEMES = ("http", "https")


def link_url(url: object, *, relative: bool = False) -> str:
    """Return ``url`` when it may be a link, else ``""``.

    A link is an absolute ``http``/``https`` address with a host (surrounding
    spaces removed), or with ``relative=True`` also a path with no scheme (a
    page of the same run, ``aceh.html``). Any control character, a space or a
    backslash makes an address invalid: browsers drop or reinterpret them,
    which is how ``java\tscript:`` gets through naive checks.

    Examples
    --------
    >>> link_url(" https://www.antaranews.com/berita/1 ")
    'https://www.antaranews.com/berita/1'
    >>> link_url(" JaVaScRiPt:alert(1)"), link_url("data:text/html,<script>"), link_url("//x.org")
    ('', '', '')
    >>> link_url("aceh.html", relative=True), link_url("vbscript:x", relative=True)
    ('aceh.html', '')
    """
    if not isinstance(url, str):
        return ""
    text = url.strip()
    if not text or any(ord(ch) <= 0x20 or ch in "\\\x7f" for ch in text):
        return ""
    parts = urlparse(text)
    if parts.scheme.lower() in LINK_SCHEMES and parts.netloc:
        return text
    if relative and not parts.scheme and not parts.netloc and ":" not in text.split("/")[0]:
        return text
    return ""


def source_name(url: object) -> str:
    """Return the publisher's host name of a source URL (``""`` when missing).

    Examples
    --------
    >>> source_name("https://www.antaranews.com/berita/1")
    'antaranews.com'
    """
    if not isinstance(url, str) or not url:
        return ""
    return urlparse(url).netloc.removeprefix("www.").removeprefix("amp.")


def sources_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """List the sources behind a set of coverage rows.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Validated coverage rows.

    Returns
    -------
    pandas.DataFrame
        One row per observation: ``province``, ``date``, ``measure``,
        ``coverage_pct``, ``publisher`` and ``source_url``, sorted by province
        and date.
    """
    out = coverage[["province", "date", "measure", "coverage_pct", "source_url"]].copy()
    out.insert(4, "publisher", out["source_url"].map(source_name))
    return out.sort_values(["province", "date"]).reset_index(drop=True)


#: English month names as they appear in ``note`` ("source: ANTARA Palu, June 2021")
_MONTHS_EN = (
    "january february march april may june july august september october november december"
).split()
_SOURCE_IN_NOTE = re.compile(r"source:\s*(?P<text>[^;\"]+)", re.IGNORECASE)
_PUBLISHED = re.compile(r",?\s*published\s+(?P<date>\d{4}-\d{2}-\d{2})\s*$", re.IGNORECASE)
_GLOSS = re.compile(r"\s*\([^()]*\)\s*$")
_MONTH_YEAR = re.compile(r",\s*(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})\s*$")


@dataclass(frozen=True)
class Citation:
    """Where a figure was published.

    Attributes
    ----------
    url : str
        The address of the publication (``""`` when only the publisher is known).
    publisher : str
        Host name of ``url``, or the publisher named in ``note``.
    published : pandas.Timestamp or None
        Publication date when known.
    published_precision : str
        ``day``, ``month`` or ``year``: how precise ``published`` is.
    """

    url: str = ""
    publisher: str = ""
    published: pd.Timestamp | None = None
    published_precision: str = "day"

    @property
    def known(self) -> bool:
        """True when the figure has a URL or a named publisher."""
        return bool(self.url or self.publisher)


def _text(x: object) -> str:
    return x.strip() if isinstance(x, str) else ""


def cite(source_url: object, note: object = None, source_date: object = None) -> Citation:
    """Return the citation of a figure from its ``source_url``, ``note`` and ``source_date``.

    A figure without a URL often names its source in ``note``
    (``"source: ANTARA Palu, June 2021"``, ``"source: Jamkesnews (BPJS
    Kesehatan news portal), published 2021-06-08; ..."``): the publisher and
    publication date are read from there, so that no sourced figure is shown
    without its source.

    Parameters
    ----------
    source_url : str or None
        The ``source_url`` column.
    note : str or None
        The ``note`` column.
    source_date : str, date or None
        The ``source_date`` column (publication date), where the file has one.

    Returns
    -------
    Citation

    Examples
    --------
    >>> c = cite(None, "source: ANTARA Palu, June 2021")
    >>> c.publisher, c.published.date().isoformat(), c.published_precision
    ('ANTARA Palu', '2021-06-30', 'month')
    >>> cite("https://www.antaranews.com/berita/1").publisher
    'antaranews.com'
    """
    url = link_url(source_url)  # never a script address, whatever the file says
    published: pd.Timestamp | None = None
    precision = "day"
    if source_date is not None and not pd.isna(source_date) and str(source_date).strip():
        published = pd.Timestamp(str(source_date).strip())
    if url:
        return Citation(url, source_name(url), published, precision)
    match = _SOURCE_IN_NOTE.search(_text(note))
    if not match:
        return Citation("", "", published, precision)
    publisher = match["text"].strip().rstrip(",.")
    when = _PUBLISHED.search(publisher)
    if when:
        publisher = publisher[: when.start()].strip()
        published = published or pd.Timestamp(when["date"])
    else:
        when = _MONTH_YEAR.search(publisher)
        if when and when["month"].lower() in _MONTHS_EN:
            publisher = publisher[: when.start()].strip()
            month = _MONTHS_EN.index(when["month"].lower()) + 1
            if published is None:
                published = pd.Timestamp(int(when["year"]), month, 1) + pd.offsets.MonthEnd(0)
                precision = "month"
    # a description in parentheses is the data file's gloss, not the publisher's name
    publisher = _GLOSS.sub("", publisher).strip()
    return Citation("", publisher, published, precision)


def cite_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """The citation of every row as columns: ``source_url, publisher, published,
    published_precision`` (:func:`cite` of ``source_url``, ``note`` and, where the
    frame has it, ``source_date``), on the rows' index.

    Examples
    --------
    >>> rows = pd.DataFrame({"source_url": [None], "note": ["source: ANTARA Palu, June 2021"]})
    >>> cite_columns(rows)[["publisher", "published_precision"]].values.tolist()
    [['ANTARA Palu', 'month']]
    """
    dates = rows["source_date"] if "source_date" in rows else [None] * len(rows)
    cites = [cite(u, n, d) for u, n, d in zip(rows["source_url"], rows["note"], dates, strict=True)]
    return pd.DataFrame(
        {
            "source_url": [c.url for c in cites],
            "publisher": [c.publisher for c in cites],
            "published": [c.published for c in cites],
            "published_precision": [c.published_precision for c in cites],
        },
        index=rows.index,
    )


@dataclass(frozen=True)
class PublishedValue:
    """A percentage as it was published: its value, qualifier and precision.

    Attributes
    ----------
    value : float
        The number used in computations.
    qualifier : str
        ``""`` (as stated), ``"more_than"`` (published as "> 96%") or
        ``"about"`` (computed from rounded counts, or called approximate by
        the source).
    decimals : int
        Decimals to show: as many as the source gave (at most 2); 0 for
        ``about`` values.
    """

    value: float
    qualifier: str = ""
    decimals: int = 2


def stated_decimals(value: float) -> int:
    """Decimals a figure was stated with (0, 1, or at most 2).

    Examples
    --------
    >>> stated_decimals(73.0), stated_decimals(72.5), stated_decimals(95.934)
    (0, 1, 2)
    """
    for digits in (0, 1):
        if abs(float(value) - round(float(value), digits)) < 1e-9:
            return digits
    return 2


def _round_count(x: object) -> bool:
    return x is not None and not pd.isna(x) and int(x) > 0 and int(x) % 100_000 == 0


def published_value(
    value: float,
    *,
    note: object = None,
    basis: str = "stated",
    participants: object = None,
    population: object = None,
) -> PublishedValue:
    """Describe a coverage percentage at the precision it was published.

    Rules (in this order):

    1. ``more_than`` when ``note`` quotes the figure as a lower bound
       (``">96%"``) of the same whole number as ``value``;
    2. ``about`` when the source calls it approximate (``note`` starts with
       ``approximate``, or quotes it as ``~95%``), or when ``value`` was computed (``basis ==
       "computed"``) from a rounded count (a multiple of 100,000: "sekitar 31
       juta" of "sekitar 37 juta") — shown without decimals;
    3. otherwise as stated, with the decimals the source gave (at most 2).

    Parameters
    ----------
    value : float
        The percentage.
    note : str, optional
        The ``note`` column.
    basis : {"stated", "computed"}
        ``coverage_basis`` of the loaded coverage rows.
    participants, population : int, optional
        The counts behind a computed value.

    Returns
    -------
    PublishedValue

    Examples
    --------
    >>> published_value(96.0, note='">96%"; provincial UHC declared')
    PublishedValue(value=96.0, qualifier='more_than', decimals=0)
    >>> published_value(83.78378, basis="computed", participants=31_000_000, population=37_000_000)
    PublishedValue(value=83.78378, qualifier='about', decimals=0)
    >>> published_value(95.93)
    PublishedValue(value=95.93, qualifier='', decimals=2)
    """
    text = _text(note)
    whole = round(value)
    whole_number = abs(value - whole) < 1e-9
    if whole_number and re.search(rf">\s*{whole}(?![\d.,])", text):
        return PublishedValue(value, "more_than", 0)
    if whole_number and re.search(rf"~\s*{whole}\s*%", text):
        return PublishedValue(value, "about", 0)
    if text.lower().startswith("approximate") or (
        basis == "computed" and (_round_count(participants) or _round_count(population))
    ):
        return PublishedValue(value, "about", 0)
    return PublishedValue(value, "", stated_decimals(value))
