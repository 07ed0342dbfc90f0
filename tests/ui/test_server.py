"""How a dashboard process starts (ui/server.py): the file-watcher decision and the config file agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ui import server

ROOT = Path(__file__).resolve().parents[2]


def test_the_config_file_turns_source_watching_off_as_ui_server_says():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == server.FILE_WATCHER_TYPE == "none"
