"""A headless Streamlit browser session over the websocket, for benchmarks and deployment tests.

Does what the browser does (TECH_NOTES "Many users on one server"): GET the page, /_stcore/health (sets
the _streamlit_xsrf cookie) and /_stcore/host-config, opens /_stcore/stream with the same Origin and
Cookie and `Sec-WebSocket-Protocol: streamlit, <xsrf>`, then sends BackMsg rerun_script messages. Like the
browser it remembers the hashes of cacheable messages and reports them with each rerun, so an unchanged
large element is sent as a reference, as a real client would receive it. Like plotly.js and deck.gl it
fetches a boundary file a chart names by URL (geo.published) once per page load, and counts those HTTP
bytes with the run that first needed them. Loopback use only.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RUN_TIMEOUT = 120.0  # seconds for one script run before the client gives up


@dataclass
class Run:
    """What one script run cost the client: bytes received (websocket messages, plus boundary files fetched
    over HTTP for the first time in this session), wall time to script_finished, runs seen."""

    bytes: int
    seconds: float
    script_runs: int
    http_bytes: int = 0
    pages: list[str] = field(default_factory=list)  # navigation entries the server sent (page names)
    texts: list[str] = field(default_factory=list)  # markdown, headings and alert bodies, in order
    exceptions: int = 0  # exception elements (a traceback or "This app has encountered an error")


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)


class Session:
    """One browser tab: `await Session.open(base, path, query)`, then `rerun()` or `change(...)`."""

    def __init__(self, base: str, page: str, query: str, message_cache: bool = True) -> None:
        self.base, self.page, self.query = base.rstrip("/"), page, query
        self.message_cache = message_cache  # False: every large element is sent in full (worst case)
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}
        self._hashes: set[str] = set()
        self._fetched: set[str] = set()  # boundary URLs this page load already holds (window.PlotlyGeoAssets)
        self._opener: urllib.request.OpenerDirector | None = None
        self._socket = None

    @classmethod
    async def open(cls, base: str, page: str = "", query: str = "", message_cache: bool = True) -> Session:
        session = cls(base, page, query, message_cache)
        await session._connect()
        return session

    async def _connect(self) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self._opener = opener
        suffix = f"?{self.query}" if self.query else ""

        def prepare() -> None:
            for path in (f"/{self.page}{suffix}", "/_stcore/health", "/_stcore/host-config"):
                with opener.open(self.base + path, timeout=30) as response:
                    response.read()

        await asyncio.to_thread(prepare)
        xsrf = next((cookie.value for cookie in jar if cookie.name == "_streamlit_xsrf"), "")
        parts = urlsplit(self.base)
        origin = f"{parts.scheme}://{parts.netloc}"
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        self._socket = await websockets.connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream", subprotocols=["streamlit", xsrf] if xsrf else
            ["streamlit"], origin=origin, additional_headers={"Cookie": cookie}, max_size=None,
            open_timeout=30, ping_interval=None)

    async def rerun(self, changed: WidgetState | None = None) -> Run:
        """Send one rerun (with a changed widget state, if any) and read until the run finishes."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        if changed is not None:
            self.states[changed.id] = changed
        state.widget_states.widgets.extend(self.states.values())
        state.cached_message_hashes.extend(sorted(self._hashes))
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        return await self._read_until_finished(started)

    async def _read_until_finished(self, started: float) -> Run:
        received, runs, urls = 0, 0, []
        pages: list[str] = []
        texts: list[str] = []
        exceptions = 0
        while True:
            raw = await asyncio.wait_for(self._socket.recv(), RUN_TIMEOUT)
            received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if self.message_cache and msg.metadata.cacheable and msg.hash:
                self._hashes.add(msg.hash)
            if kind == "new_session":
                runs += 1
            elif kind == "navigation":
                pages += [page.page_name for page in msg.navigation.app_pages]
            elif kind == "delta":
                self._note_widget(msg)
                urls += boundary_urls(msg)
                text, failed = element_text(msg)
                texts += [text] if text else []
                exceptions += failed
            elif kind == "script_finished":
                status = msg.script_finished
                if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                    fetched = await asyncio.to_thread(self._fetch_new, urls)
                    return Run(received + fetched, time.perf_counter() - started, runs, fetched, pages, texts,
                               exceptions)

    def _fetch_new(self, urls: list[str]) -> int:
        """GET each boundary URL not fetched before in this session, as the browser does; bytes received."""
        total = 0
        for url in urls:
            if url in self._fetched:
                continue
            with self._opener.open(urljoin(f"{self.base}/{self.page}", url), timeout=30) as response:
                total += len(response.read())
            self._fetched.add(url)
        return total

    def _note_widget(self, msg: ForwardMsg) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind in ("selectbox", "radio", "checkbox", "toggle"):
            widget = getattr(element, kind)
            options = list(getattr(widget, "options", []))
            self.widgets[widget.id] = Widget(widget.id, kind, widget.label, options)
        elif kind == "plotly_chart" and element.plotly_chart.selection_mode:
            self.widgets[element.plotly_chart.id] = Widget(element.plotly_chart.id, kind, "plotly_chart")

    def widget(self, label: str, kind: str | None = None) -> Widget:
        """The last widget seen with this label (and kind)."""
        found = [w for w in self.widgets.values() if w.label == label and (kind is None or w.kind == kind)]
        if not found:
            raise KeyError(f"no widget labelled {label!r}: {sorted({w.label for w in self.widgets.values()})}")
        return found[-1]

    async def choose(self, label: str, option: str) -> Run:
        """Pick an option (its displayed text) in a selectbox or radio."""
        widget = self.widget(label)
        if option not in widget.options:
            raise KeyError(f"{option!r} not among {widget.options}")
        return await self.rerun(WidgetState(id=widget.id, string_value=option))

    async def toggle(self, label: str, on: bool = True) -> Run:
        return await self.rerun(WidgetState(id=self.widget(label).id, bool_value=on))

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()


def element_text(msg: ForwardMsg) -> tuple[str, int]:
    """(the text of a markdown, heading or alert element, 1 if the element is an exception else 0)."""
    if msg.delta.WhichOneof("type") != "new_element":
        return "", 0
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return element.exception.message, 1
    if kind in ("markdown", "alert", "heading"):
        return getattr(element, kind).body, 0
    return "", 0


def boundary_urls(msg: ForwardMsg) -> list[str]:
    """The GeoJSON URLs a plotly chart (trace `geojson`) or deck (layer `data`) in this delta names."""
    if msg.delta.WhichOneof("type") != "new_element":
        return []
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "plotly_chart":
        traces = json.loads(element.plotly_chart.spec or "{}").get("data", [])
        return [trace["geojson"] for trace in traces if isinstance(trace.get("geojson"), str)]
    if kind == "deck_gl_json_chart":
        layers = json.loads(element.deck_gl_json_chart.json or "{}").get("layers", [])
        return [layer["data"] for layer in layers if isinstance(layer.get("data"), str)]
    return []


async def first_visit(base: str, page: str = "", query: str = "",
                      message_cache: bool = True) -> tuple[Session, Run]:
    """A cold or warm first visit: connect and run the page once, as the browser's first load does."""
    session = await Session.open(base, page, query, message_cache)
    return session, await session.rerun()


def wait_until_healthy(base: str, timeout: float = 90.0) -> None:
    """Block until /_stcore/health answers 200 (RuntimeError after `timeout` seconds)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{base} did not become healthy within {timeout:.0f} s")
