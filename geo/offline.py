"""What keeps maps offline: plotly's world topojson and MathJax come from local files, never a CDN."""

from __future__ import annotations

from pathlib import Path

import plotly.io as pio

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TOPOJSON_DIR = STATIC_DIR / "topojson"
MATHJAX_FILE = STATIC_DIR / "mathjax" / "mathjax-stub.js"

# st.plotly_chart(config=PLOTLY_CONFIG): the browser fetches the stub from streamlit's static route.
PLOTLY_CONFIG: dict = {
    "topojsonURL": "/app/static/topojson/",
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "width": 1600, "height": 900, "scale": 2,
                             "filename": "mhmonitor-map"},
}


def configure_static_export() -> None:
    """Point kaleido at the local topojson folder and MathJax stub (idempotent)."""
    pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
    pio.defaults.mathjax = MATHJAX_FILE.as_uri()
