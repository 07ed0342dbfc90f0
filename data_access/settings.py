"""Every environment variable the product reads, declared once with its default and help (as datasette
declares its settings). Code reads them through `value(name)`, which refuses an undeclared name;
tests/data_access/test_settings.py fails on any environment read of an undeclared variable anywhere in the
product, and on a setting the README does not list."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("WAREHOUSE_URL", "",
            "SQLAlchemy URL of the warehouse (postgresql+psycopg://… or duckdb:///path). Unset: "
            ".streamlit/secrets.toml [warehouse] url, then the embedded DuckDB file var/warehouse.duckdb"),
    Setting("MHMONITOR_ALLOWED_REGION", "",
            "Deployment-wide scope (an adcode): narrows every user's region further; unset or 000000: none"),
    Setting("MHMONITOR_IDLE_MINUTES", "30", "Minutes without a click after which a signed-in session ends (≥ 1)"),
    Setting("MHMONITOR_TRUSTED_PROXIES", "",
            "Comma-separated addresses of reverse proxies whose X-Real-IP / X-Forwarded-For name the client "
            "(deploy/start.sh sets 127.0.0.1); unset: those headers are ignored"),
    Setting("MHMONITOR_EXTRA_PLANS", "",
            "Extra plan directories, separated by ':' (test fixtures only; no deployment sets it)"),
    Setting("BROWSER_PATH", "",
            "Chromium used by kaleido for PNG/PDF exports; unset: chromium (or chrome) found on PATH"),
)
BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


def value(name: str) -> str:
    """The variable's value from the environment, stripped, else its declared default (KeyError: undeclared)."""
    setting = BY_NAME[name]
    found = os.environ.get(name, "").strip()
    return found or setting.default
