"""Where the figures come from: a table of sources for display under tables and charts."""

from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd

__all__ = ["source_name", "sources_table"]


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
