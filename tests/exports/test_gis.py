"""The GIS download (下载地图图层): opened by a GIS reader (pyogrio), its values equal the ranking's."""

from __future__ import annotations

import math

import pyogrio
import pytest
import sqlalchemy as sa

from data_access import schema
from data_access.read_model import evaluate_views, resolve_scope
from exports.gis import FIELDS, gis_bytes
from exports.tables import indicator_table
from tests.data_access import fixture_warehouse


def _read(data: bytes, file_format: str, folder):
    """The file as a GIS user opens it: saved under its extension, then read by GDAL (pyogrio)."""
    path = folder / f"layer.{file_format}"
    path.write_bytes(data)
    [(layer, _)] = pyogrio.list_layers(path)
    return pyogrio.read_dataframe(path, layer=layer)


def _same(a, b) -> bool:
    return (a is None or (isinstance(a, float) and math.isnan(a))) and (b is None or (isinstance(b, float)
                                                                                     and math.isnan(b))) or a == b


def _number(cell) -> float:
    """A table cell as a number: empty cells are None (the printed numbers are kept as objects)."""
    return math.nan if cell is None else float(cell)


@pytest.mark.parametrize("file_format", ["gpkg", "geojson"])
@pytest.mark.parametrize(("region", "level", "indicator"), [("610000", None, "counselor_coverage"),
                                                            ("610102", "school", "counselor_coverage")])
def test_layer_opens_and_matches_the_ranking(engine, tmp_path, file_format, region, level, indicator):
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:  # a planted name comes out as inert text
        conn.execute(sa.update(schema.schools).where(schema.schools.c.school_id == "S1").values(name="=1+1"))
    scope = resolve_scope(engine, region, 2025, child_level=level)
    shown = evaluate_views(engine, scope, [indicator])[indicator]
    layer = _read(gis_bytes(shown, file_format), file_format, tmp_path)
    ranking = indicator_table(shown.ranking()).set_index("代码")
    assert set(FIELDS) <= set(layer.columns) and len(layer) == len(ranking) > 0
    assert layer.crs.to_epsg() == 4326
    for row in layer.to_dict("records"):
        expected = ranking.loc[row["adcode"]]
        assert row["name"] == ("'=1+1" if expected["单位"] == "=1+1" else expected["单位"])
        assert row["status"] == expected["状态"] and row["target"] == expected["目标"]
        assert _same(row["value"], _number(expected["数值"])), (row, expected)
        assert _same(row["shortfall"], _number(expected["还需数量"])) and row["reported"] == expected["已上报单位数"]
        assert row["geometry"] is not None and not row["geometry"].is_empty
    geometry_types = set(layer.geometry.geom_type)
    assert geometry_types == ({"Point"} if level == "school" else {"Polygon", "MultiPolygon"} & geometry_types)


def test_layer_keeps_to_the_users_region(engine, tmp_path):
    """Built from the view of a scope the access rule resolved: another city's units are not in it."""
    fixture_warehouse.populate(engine)
    scope = resolve_scope(engine, "610100", 2025, allowed="610100")
    layer = _read(gis_bytes(evaluate_views(engine, scope, ["counselor_coverage"])["counselor_coverage"], "gpkg"),
                  "gpkg", tmp_path)
    assert set(layer["adcode"]) <= {"610102", "610103"}
