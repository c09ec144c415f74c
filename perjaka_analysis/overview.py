"""The national overview page (see :mod:`perjaka_analysis.render.overview`)."""

from __future__ import annotations

from .render.overview import coverage_colour, geojson_paths, render_overview, svg_map

__all__ = ["coverage_colour", "geojson_paths", "render_overview", "svg_map"]
