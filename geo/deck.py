"""Every school of a city or province at once: a deck.gl (WebGL) map built with pydeck, offline.

No basemap and no tiles (`map_provider=None`, no map_style): county boundaries come as a GeoJsonLayer from the same
simplified layers as the plotly maps, schools as one ScatterplotLayer coloured through status.BANDS.
Rows are kept short (position, colour, three short texts) so 100,000 schools stay a few MB of JSON.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pydeck as pdk

from data_access.read_model import value_text
from data_access.status import BANDS, Status

SCHOOL_LAYER = "schools"
BOUNDARY_LAYER = "counties"
DECIMALS = 4  # ~10 m: a dot is 4 px; at 100,000 schools each decimal costs ~0.2 MB
# Above this many dots the outlines are dropped: at that density they only darken the map, and at 100,000
# they double what software WebGL draws per frame.
STROKE_LIMIT = 20_000


def _rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[index:index + 2], 16) for index in (0, 2, 4)]


_BAND_RGB = {band.status.value: _rgb(band.colour) for band in BANDS}
_NO_DATA = Status.NO_DATA.value


def school_rows(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One short row per located school: id, name, "status · value" text, [lon, lat], RGB colour."""
    located = frame[frame["longitude"].notna() & frame["latitude"].notna()]
    labels = {band.status.value: band.label_zh if lang == "zh" else band.label_en for band in BANDS}
    return pd.DataFrame({
        "id": located["unit_id"].astype(str),
        "name": located["name"].astype(str),
        # Status and value as one tooltip line: at 100,000 schools every key and character is parsed again in
        # the browser (Streamlit's frontend reads the deck with a JSON5 parser, ~0.7 s for 10 MB).
        "info": [f"{labels.get(status, status)} · {value_text(row, lang)}"
                 for status, row in zip(located["status"], located.to_dict("records"), strict=True)],
        # One [lon, lat] field: deck.gl reads it as is, where "@@=[lon, lat]" was evaluated per school.
        "position": [[lon, lat] for lon, lat in zip(located["longitude"].astype(float).round(DECIMALS),
                                                    located["latitude"].astype(float).round(DECIMALS), strict=True)],
        "colour": [_BAND_RGB.get(status, _BAND_RGB[_NO_DATA]) for status in located["status"]],
    })


def view_state(boundaries: dict, rows: pd.DataFrame) -> pdk.ViewState:
    """Centre and zoom that fit the boundaries (or the schools when there are none)."""
    lons, lats = [], []
    for feature in boundaries.get("features", []):
        _collect(feature["geometry"]["coordinates"], lons, lats)
    if not lons and len(rows):
        lons, lats = [p[0] for p in rows["position"]], [p[1] for p in rows["position"]]
    if not lons:
        return pdk.ViewState(longitude=108.9, latitude=34.3, zoom=5)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span = max(east - west, (north - south) * 1.3, 0.01)
    zoom = max(1.0, min(14.0, math.log2(360 / span) + 0.6))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=(south + north) / 2, zoom=zoom)


def _collect(coordinates: list, lons: list[float], lats: list[float]) -> None:
    if coordinates and isinstance(coordinates[0], (int, float)):
        lons.append(coordinates[0])
        lats.append(coordinates[1])
        return
    for part in coordinates:
        _collect(part, lons, lats)


def schools_deck(boundaries: dict, rows: pd.DataFrame, *, height: int = 640,
                 boundaries_url: str | None = None) -> pdk.Deck:
    """County outlines under every school, coloured by status, with a tooltip; schools are clickable.

    With `boundaries_url` (geo.published) deck.gl fetches the outlines from the app's own server instead of
    receiving them inside the deck's JSON; `boundaries` still fits the view."""
    layers = [
        pdk.Layer("GeoJsonLayer", id=BOUNDARY_LAYER, data=boundaries_url or boundaries, stroked=True, filled=True,
                  get_fill_color=[245, 245, 245], get_line_color=[140, 140, 140], line_width_min_pixels=1,
                  pickable=False),
        pdk.Layer("ScatterplotLayer", id=SCHOOL_LAYER, data=rows.to_dict("records"), get_position="position",
                  get_fill_color="colour", get_line_color=[60, 60, 60], stroked=len(rows) <= STROKE_LIMIT,
                  line_width_min_pixels=0.5,
                  # pydeck turns a bare string into an expression (@@=pixels, undefined); quoted it stays a string.
                  radius_units="'pixels'", get_radius=4, radius_min_pixels=2, pickable=True,
                  # No auto_highlight: it redraws the layer on every hover move (seconds a frame at 100,000
                  # schools in software WebGL); the tooltip already names the school under the pointer.
                  auto_highlight=False),
    ]
    # map_provider=None and map_style left at pydeck's default sentinel: Streamlit's frontend then draws no
    # basemap (map_style=None would make it fetch a Carto style from the internet).
    return pdk.Deck(layers=layers, initial_view_state=view_state(boundaries, rows), map_provider=None, height=height,
                    tooltip={"html": "<b>{name}</b><br/>{info}",
                             "style": {"fontSize": "13px"}})


def selected_school(event: object) -> str | None:
    """The school id a click selected in the deck (st.pydeck_chart on_select), or None."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None)
    if not selection:
        return None
    objects = selection.get("objects") or {}
    chosen = objects.get(SCHOOL_LAYER) or []
    if not chosen:
        return None
    school_id = chosen[0].get("id") if isinstance(chosen[0], dict) else None
    return str(school_id) if school_id else None


class PreparedDeck(pdk.Deck):
    """A deck whose JSON is computed once (st.pydeck_chart serialises the deck on every rerun otherwise).

    Cache it and never change it after construction.
    """

    def __init__(self, deck: pdk.Deck) -> None:
        self.__dict__.update(deck.__dict__)
        # pydeck indents its JSON and escapes Chinese: compact UTF-8 is about half the bytes on the wire.
        self._prepared_json = json.dumps(json.loads(deck.to_json()), separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> str:
        return self._prepared_json
