"""One shared Chromium (kaleido) that renders figures to PNG, offline; started early because it is slow.

Kept apart from the figure building (exports/images.py) and light to import: the CLI starts the browser
before it imports pandas and queries the warehouse (mhmonitor/launch.py), so the two overlap.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

import plotly.io as pio

from geo.offline import MATHJAX_FILE, configure_static_export

if TYPE_CHECKING:
    import plotly.graph_objects as go

SLIDE_SIZE = (1600, 900)

START_TIMEOUT = 60  # seconds for Chromium to start and load plotly.js
RENDER_TIMEOUT = 120  # seconds for one image (kaleido gives up on its own after 90)


class ExportError(RuntimeError):
    """Rendering is impossible or failed (no Chromium, no CJK font, browser crash); message in Chinese."""


class _Renderer:
    """One Chromium (a kaleido.Kaleido) on its own event-loop thread, reused by every export.

    kaleido's own start_sync_server is not used: when the browser fails to start, its worker thread dies
    and every later call waits forever; and it pairs requests with answers through shared queues, so two
    sessions rendering at once could swap images. Here each call gets its own future with a deadline.
    """

    def __init__(self) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-renderer", daemon=True)
        self._thread.start()
        try:
            self._kaleido = self._run(self._open(), START_TIMEOUT)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    async def _open(self):
        import kaleido

        browser = kaleido.Kaleido(n=1, mathjax=MATHJAX_FILE.as_uri())  # plotly.js: the local copy in plotly
        await browser.open()
        return browser

    def _run(self, coroutine, timeout: float):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def png(self, figure: go.Figure, width: int, height: int, scale: float) -> bytes:
        options = {"format": "png", "width": width, "height": height, "scale": scale}
        return self._run(self._kaleido.calc_fig(figure.to_dict(), opts=options, topojson=pio.defaults.topojson),
                         RENDER_TIMEOUT)

    def close(self) -> None:
        try:
            self._run(self._kaleido.close(), 10)
        except Exception:  # noqa: BLE001 - closing a broken browser; nothing left to save
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)


_renderer: _Renderer | None = None
_render_lock = threading.Lock()  # one image at a time through the one browser tab


@atexit.register
def _close_browser() -> None:
    """Leave no Chromium behind when the CLI or the server process exits."""
    if _renderer is not None:
        _renderer.close()


def _browser_failed(error: BaseException) -> ExportError:
    from exports.environment import chromium_path

    detail = str(error.args[0]) if error.args else type(error).__name__
    return ExportError(f"Chromium 无法渲染图片 ({chromium_path()}: {detail}); "
                       "请确认已安装 Debian 软件包 chromium 且能在本机启动")


def figure_png(figure: go.Figure, *, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1],
               scale: float = 1) -> bytes:
    """PNG bytes of a figure at slide size (scale 2 doubles the pixels); offline, one shared Chromium.

    The first call starts Chromium (about 3 s); later calls reuse it. A browser that died is restarted
    once; ExportError says what is wrong in Chinese.
    """
    global _renderer

    with _render_lock:
        _check_environment_once()
        for attempt in (1, 2):
            try:
                if _renderer is None:
                    _renderer = _Renderer()
                return _renderer.png(figure, width, height, scale)
            except (ValueError, TypeError):
                raise  # the figure itself is wrong: a programming error, not the browser
            except Exception as error:  # noqa: BLE001 - any browser failure: start afresh once
                if _renderer is not None:
                    _renderer.close()
                _renderer = None
                if attempt == 2:
                    raise _browser_failed(error) from error
    raise AssertionError("unreachable")


def _check_environment_once() -> None:
    """Before the first browser start: Chromium and a CJK font are there (ExportError otherwise)."""
    from exports.environment import check_export_environment

    if _renderer is None:
        problems = check_export_environment()
        if problems:
            raise ExportError("; ".join(problems))
        configure_static_export()


def warm_up() -> None:
    """Start Chromium in the background now, so it is ready by the time the first figure is.

    Starting it takes 1.5-2 s, most of a one-image export: the CLI starts it while it imports, queries and
    draws, and the map page when its export panel opens. Idempotent; a failure here is left for figure_png,
    which tries again and says what is wrong.
    """
    if _renderer is not None or _render_lock.locked():
        return

    def start() -> None:
        global _renderer
        with _render_lock:
            try:
                _check_environment_once()
                if _renderer is None:
                    _renderer = _Renderer()
            except Exception:  # noqa: BLE001 - reported by the export that needs the browser
                pass

    threading.Thread(target=start, name="kaleido-warm-up", daemon=True).start()
