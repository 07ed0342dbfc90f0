"""The `mhmonitor` entry point starts Chromium early for the commands that render, and only for those."""

from __future__ import annotations

import pytest

from mhmonitor import launch
from tests.exports.conftest import needs_renderer


@pytest.fixture
def calls(monkeypatch):
    seen: list[str] = []
    import exports.renderer
    import mhmonitor.cli

    monkeypatch.setattr(exports.renderer, "warm_up", lambda: seen.append("warm_up"))
    monkeypatch.setattr(mhmonitor.cli, "main", lambda args: seen.append(f"cli {' '.join(args)}") or 0)
    return seen


@pytest.mark.parametrize("command", ["export-map", "brief", "evaluation-report"])
def test_rendering_commands_start_the_browser_before_the_cli_runs(calls, command):
    assert launch.main([command, "--region", "620800"]) == 0
    assert calls == ["warm_up", f"cli {command} --region 620800"]


@pytest.mark.parametrize("args", [["targets"], ["import", "x.xlsx"], ["export-map", "--help"], ["brief", "-h"], []])
def test_other_commands_and_help_start_no_browser(calls, args):
    assert launch.main(args) == 0
    assert calls == [f"cli {' '.join(args)}"]


@needs_renderer[0]
@needs_renderer[1]
def test_warm_up_starts_one_browser_that_the_first_export_uses():
    import threading

    import plotly.graph_objects as go

    from exports import renderer

    renderer.warm_up()
    renderer.warm_up()  # idempotent: no second browser
    assert sum(thread.name == "kaleido-warm-up" for thread in threading.enumerate()) <= 1
    png = renderer.figure_png(go.Figure(go.Bar(x=["崆峒区"], y=[1])), width=400, height=300)
    assert png.startswith(b"\x89PNG") and renderer._renderer is not None
    started = renderer._renderer
    renderer.warm_up()
    assert renderer._renderer is started
