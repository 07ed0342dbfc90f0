"""Every school of a city or province at once: a deck.gl (WebGL) map built with pydeck, offline.

No basemap and no tiles (`map_provider=None`, no map_style): the counties come as a GeoJsonLayer of fills from the
same simplified layers as the plotly maps, each in a light grey no neighbour shares (geo.layers.with_tones), and
the schools on top, coloured through status.BANDS.

The schools reach the browser the way boundaries do: as a file deck.gl fetches once (geo.published, under
static/points/ with a name no one can derive from its content), not as JSON through the websocket. A rerun
sends the deck's few hundred bytes of layers and view. Each school is one compact row, gzip-friendly:
{"p": [lon, lat], "s": status index into BANDS, "n": name, "v": "达标 · 96.0%"}. The colour is looked up in the
browser from the status index, and the tooltip is assembled there from the name and the label. A click returns
the row's index, which the cached deck maps back to the school id.

What software WebGL (no GPU: a remote desktop, a virtual machine, headless Chromium) pays for is the number of
instances, not of pixels: SwiftShader draws an instanced layer one instance at a time, about 47 µs each on this
machine. So nothing here is drawn as lines (deck.gl's paths are instanced per segment: the county outlines alone
cost 0.4-0.9 s a frame), and above DENSE_LIMIT schools the dots are small polygons built in the browser from the
same rows: one non-instanced draw for all of them. Polygons are sized in degrees, so a dense deck fits them to
its opening zoom and lets one zoom in DENSE_ZOOM_IN levels only; choosing a city or county shows fewer schools
as pixel-sized dots with free zoom.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from data_access.formatting import prints_no_rate, status_label, value_text
from data_access.status import BANDS, Status

SCHOOL_LAYER = "schools"
BOUNDARY_LAYER = "counties"
DECIMALS = 4  # ~10 m: a dot is 4 px; at 100,000 schools each decimal costs ~0.2 MB
# Above this many dots the outlines are dropped: at that density they only darken the map, and at 100,000
# they double what software WebGL draws per frame.
STROKE_LIMIT = 20_000
# Above this many schools the dots are polygons in one draw (see the module's docstring): at 100,000 schools the
# canvas shows in 2.9-4.1 s instead of 8.3 s in headless Chromium, and a drag runs at 6-7 frames/s, not 1.7.
DENSE_LIMIT = 20_000
DENSE_DOT_PIXELS = 2.0  # a dense deck's dot radius at its opening zoom
DENSE_ZOOM_IN = 2  # levels a dense deck can zoom in: its dots grow to 4x
# Light greys for the county fills by tone (geo.layers.TONE_COUNT of them), any two at least 8 levels apart.
TONES: tuple[list[int], ...] = ([236, 236, 236], [220, 220, 220], [252, 252, 252], [228, 228, 228],
                                [212, 212, 212], [244, 244, 244])


def _rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[index:index + 2], 16) for index in (0, 2, 4)]


STATUS_ORDER: tuple[str, ...] = tuple(band.status.value for band in BANDS)  # a row's "s" indexes this
PALETTE: tuple[list[int], ...] = tuple(_rgb(band.colour) for band in BANDS)
_NO_DATA = STATUS_ORDER.index(Status.NO_DATA.value)


@dataclass(frozen=True)
class SchoolPoints:
    """The located schools of a view: compact rows for the browser and, in the same order, their ids."""

    rows: list[dict]
    ids: tuple[str, ...]


def school_points(frame: pd.DataFrame, lang: str = "zh") -> SchoolPoints:
    """One compact row per located school (see the module's docstring) and the school ids in row order."""
    located = frame[frame["longitude"].notna() & frame["latitude"].notna()]
    index = {status: position for position, status in enumerate(STATUS_ORDER)}
    rows = [{"p": [lon, lat], "s": index.get(status, _NO_DATA), "n": name, "v": _tooltip_value(record, lang)}
            for lon, lat, status, name, record in zip(
                located["longitude"].astype(float).round(DECIMALS).tolist(),
                located["latitude"].astype(float).round(DECIMALS).tolist(),
                located["status"], located["name"].astype(str), located.to_dict("records"), strict=True)]
    return SchoolPoints(rows, tuple(located["unit_id"].astype(str)))


def _tooltip_value(record: dict, lang: str) -> str:
    """The status, and after it the value when it says more: a school on a yes/no rule prints its status only
    ("达标", not "达标 · 达标"), a status that prints no rate prints no value."""
    label = status_label(record.get("status"), lang)
    if prints_no_rate(record.get("status")):
        return label
    value = value_text(record, lang)
    return label if value == label else f"{label} · {value}"


def view_state(boundaries: dict, rows: list[dict], max_zoom: float | None = None) -> pdk.ViewState:
    """Centre and zoom that fit the boundaries (or the schools when there are none); `max_zoom` levels deeper at
    most when given."""
    lons, lats = [], []
    for feature in boundaries.get("features", []):
        _collect(feature["geometry"]["coordinates"], lons, lats)
    if not lons and rows:
        lons, lats = [row["p"][0] for row in rows], [row["p"][1] for row in rows]
    if not lons:
        return pdk.ViewState(longitude=108.9, latitude=34.3, zoom=5)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span = max(east - west, (north - south) * 1.3, 0.01)
    zoom = max(1.0, min(14.0, math.log2(360 / span) + 0.6))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=(south + north) / 2, zoom=zoom,
                         max_zoom=None if max_zoom is None else zoom + max_zoom)


def dot_polygon(zoom: float, latitude: float, radius_pixels: float = DENSE_DOT_PIXELS) -> str:
    """deck.gl expression of a row's dot as a small diamond, `radius_pixels` wide at `zoom` near `latitude`.

    A flat, closed, counter-clockwise ring (what SolidPolygonLayer takes with _normalize off). deck.gl's Web
    Mercator world is 512 px wide at zoom 0; near a latitude a degree of latitude is 1/cos(latitude) degrees of
    longitude on screen.
    """
    across = radius_pixels * 360 / (512 * 2 ** zoom)
    up = across * math.cos(math.radians(latitude))
    east, north, west, south = (f"p[0]+{across:.6f},p[1]", f"p[0],p[1]+{up:.6f}", f"p[0]-{across:.6f},p[1]",
                                f"p[0],p[1]-{up:.6f}")
    return f"[{east},{north},{west},{south},{east}]"


def _collect(coordinates: list, lons: list[float], lats: list[float]) -> None:
    if coordinates and isinstance(coordinates[0], (int, float)):
        lons.append(coordinates[0])
        lats.append(coordinates[1])
        return
    for part in coordinates:
        _collect(part, lons, lats)


def is_dense(points: SchoolPoints) -> bool:
    """Whether a deck draws its schools as polygons with a bounded zoom (see the module's docstring)."""
    return len(points.rows) > DENSE_LIMIT


def schools_deck(boundaries: dict, points: SchoolPoints, *, height: int = 640, boundaries_url: str | None = None,
                 points_url: str | None = None) -> pdk.Deck:
    """The counties in greys under every school, coloured by status, with a tooltip; schools are clickable.

    `boundaries` carry each feature's tone (geo.layers.with_tones) and fit the view. With `points_url` and
    `boundaries_url` (geo.published) deck.gl fetches the schools and counties from the app's own server instead
    of receiving them inside the deck's JSON."""
    palette = json.dumps([list(colour) for colour in PALETTE], separators=(",", ":"))
    tones = json.dumps([list(tone) for tone in TONES], separators=(",", ":"))
    dense = is_dense(points)
    view = view_state(boundaries, points.rows, max_zoom=DENSE_ZOOM_IN if dense else None)
    # The colour of the row's status, looked up in the browser (one palette per deck). The parentheses matter:
    # deck.gl's expression parser reads "[..][s]" as two arrays.
    colour = f"({palette})[s]"
    if dense:
        schools = pdk.Layer("SolidPolygonLayer", id=SCHOOL_LAYER, data=points_url or points.rows,
                            get_polygon=dot_polygon(view.zoom, view.latitude), get_fill_color=colour,
                            # The rings are built closed and counter-clockwise: no normalising pass per school.
                            position_format="'XY'", _normalize=False, filled=True, extruded=False, pickable=True)
    else:
        schools = pdk.Layer("ScatterplotLayer", id=SCHOOL_LAYER, data=points_url or points.rows, get_position="p",
                            get_fill_color=colour, get_line_color=[60, 60, 60],
                            stroked=len(points.rows) <= STROKE_LIMIT, line_width_min_pixels=0.5,
                            # pydeck turns a bare string into an expression (@@=pixels, undefined); quoted it stays
                            # a string.
                            radius_units="'pixels'", get_radius=4, radius_min_pixels=2, pickable=True,
                            # No auto_highlight: it redraws the layer on every hover move (seconds a frame at
                            # 100,000 schools in software WebGL); the tooltip already names the school.
                            auto_highlight=False)
    layers = [
        # Fills only: no outlines (instanced line segments, see the module's docstring); neighbours differ in tone.
        pdk.Layer("GeoJsonLayer", id=BOUNDARY_LAYER, data=boundaries_url or boundaries, stroked=False, filled=True,
                  get_fill_color=f"({tones})[properties.t]", pickable=False),
        schools,
    ]
    # map_provider=None and map_style left at pydeck's default sentinel: Streamlit's frontend then draws no
    # basemap (map_style=None would make it fetch a Carto style from the internet).
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, height=height,
                    tooltip={"html": "<b>{n}</b><br/>{v}", "style": {"fontSize": "13px"}})


def selected_index(event: object) -> int | None:
    """The row index a click selected in the deck (st.pydeck_chart on_select), or None."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None)
    if not selection:
        return None
    chosen = (selection.get("indices") or {}).get(SCHOOL_LAYER) or []
    return int(chosen[0]) if chosen and isinstance(chosen[0], int) else None


class PreparedDeck(pdk.Deck):
    """A deck whose JSON is computed once (st.pydeck_chart serialises the deck on every rerun otherwise), with
    the school id of each point (a click names a row index).

    Cache it and never change it after construction.
    """

    def __init__(self, deck: pdk.Deck, school_ids: tuple[str, ...] = ()) -> None:
        self.__dict__.update(deck.__dict__)
        self.school_ids = school_ids
        self.dense = any(layer.type == "SolidPolygonLayer" for layer in deck.layers)
        # pydeck indents its JSON and escapes Chinese: compact UTF-8 is about half the bytes on the wire.
        self._prepared_json = json.dumps(json.loads(deck.to_json()), separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> str:
        return self._prepared_json

    def selected_school(self, event: object) -> str | None:
        """The school id of the point a click selected, or None."""
        index = selected_index(event)
        return self.school_ids[index] if index is not None and 0 <= index < len(self.school_ids) else None
