"""The province brief (see :mod:`perjaka_analysis.render.brief`)."""

from __future__ import annotations

from .render.brief import HTML, SECTIONS, Brief, render_brief_html

__all__ = ["HTML", "SECTIONS", "Brief", "render_brief_html"]
