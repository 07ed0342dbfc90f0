"""The HTTP headers every response of the dashboard carries, written once for the app and for nginx.

The app sends them itself (an ASGI middleware on Streamlit's server, see ui/server.py), and
deploy/start.sh writes the same values into nginx's configuration, so the headers are there whether the
dashboard is reached directly or through the proxy.

The Content-Security-Policy allows only the dashboard's own origin, and it works offline. It allows what
Streamlit's frontend, plotly.js and deck.gl need, checked in Chromium on every page
(tests/browser/test_security_headers.py):
- 'unsafe-inline' scripts: the session cookie is written by a one-line inline script
  (ui/session_cookie.py), and Streamlit's st.html runs it as an inline script element;
- 'unsafe-eval': without it Chromium reports violations on the overview and the maps (the charts' scripts
  evaluate code; the test fails when it is removed);
- inline styles: Streamlit styles every element with emotion;
- blob: workers: deck.gl's loaders;
- data:/blob: images and fonts (plotly's and Streamlit's icons);
- the websocket (/_stcore/stream) on the same origin.
frame-ancestors 'none' and X-Frame-Options DENY: no other site may frame the dashboard (clickjacking).

Imports nothing heavy: deploy/start.sh reads the values with a bare Python call.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# Files whose name carries a hash of their content (geo/published.py): a name never changes meaning, so a
# browser may keep one for a year without asking again. Only a 200 says so: a 404 for such a name must stay
# revalidated, or a browser would remember the absence for a year.
CONTENT_NAMED = re.compile(r"^/(?:.*/)?app/static/(?:geo|points)/[0-9a-z_]+-[0-9a-f]{16,32}\.json$")
IMMUTABLE = "public, max-age=31536000, immutable"


def cache_control(path: str, status: int) -> str | None:
    """The Cache-Control for a response: immutable for a 200 of a content-named file, else no-cache for
    those names (None: leave whatever Streamlit set)."""
    if not CONTENT_NAMED.match(path):
        return None
    return IMMUTABLE if status == 200 else "no-cache"


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class SecurityHeadersMiddleware:
    """Adds HEADERS to every HTTP response (replacing any earlier value), and the Cache-Control above.

    A plain ASGI middleware: it touches only the `http.response.start` message, so streamed responses and
    the websocket pass through unchanged.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                replaced = {name.lower() for name in HEADERS}
                cache = cache_control(path, int(message["status"]))
                if cache is not None:
                    replaced.add("cache-control")
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.decode("latin-1").lower() not in replaced]
                headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in HEADERS.items()]
                if cache is not None:
                    headers.append((b"cache-control", cache.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def nginx_lines(indent: str = "        ") -> str:
    """The same headers as nginx `add_header ... always` lines (deploy/start.sh puts them in the config)."""
    return "".join(f'{indent}add_header {name} "{value}" always;\n' for name, value in HEADERS.items())


if __name__ == "__main__":
    print(nginx_lines(), end="")
