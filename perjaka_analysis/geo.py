"""Province outlines as SVG path data (equirectangular projection).

The shipped ``provinces.geojson`` becomes one ``province, path`` row per
province in BPS order: the facts' ``map`` table, which the overview page draws.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .provinces import province_table

__all__ = ["LAT0", "LAT1", "LON0", "LON1", "SCALE", "geojson_paths"]

#: The map's frame (degrees) and scale (px per degree).
LON0, LON1, LAT0, LAT1 = 94.5, 141.5, -11.5, 6.5
SCALE = 20.0  # px per degree


def _ring(coords: list) -> str:
    pts = np.asarray(coords, dtype=float)
    x = (pts[:, 0] - LON0) * SCALE
    y = (LAT1 - pts[:, 1]) * SCALE
    xy = np.round(np.column_stack([x, y]), 1)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.diff(xy, axis=0) != 0, axis=1)
    xy = xy[keep]
    return "M" + "L".join(f"{a:g},{b:g}" for a, b in xy) + "Z"


def geojson_paths(geojson: str | Path) -> pd.DataFrame:
    """SVG path data of every province outline (equirectangular projection).

    Returns
    -------
    pandas.DataFrame
        ``province, path`` in BPS order.
    """
    data = json.loads(Path(geojson).read_text(encoding="utf-8"))
    ref = province_table().set_index("geojson_id")["province"]
    paths: dict[str, str] = {}
    for feature in data["features"]:
        name = ref.get(str(feature["properties"].get("id")))
        if name is None:
            continue
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        paths[name] = paths.get(name, "") + "".join(_ring(r) for poly in polys for r in poly)
    order = [p for p in province_table()["province"] if p in paths]
    return pd.DataFrame({"province": order, "path": [paths[p] for p in order]})
