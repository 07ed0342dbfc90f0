"""Expensive things built once per process and shared read-only by every session."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from data_access.engine import make_engine, warehouse_url


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> sa.Engine:
    return make_engine(url)


def cached_engine() -> sa.Engine:
    """The warehouse engine for the configured URL, created once per process."""
    return _engine_for(warehouse_url())
